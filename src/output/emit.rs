//! Writes outputs: everything is rendered in memory first, then each file goes to a
//! temporary file beside its target and is renamed into place.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::output::runfile::RunFile;

/// One output file, by its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Output {
    pub path: String,
    pub text: String,
    pub executable: bool,
}

/// A relative path that stays inside the output directory.
fn contained(out: &Path, relative: &str) -> Result<PathBuf> {
    let rel = Path::new(relative);
    let escapes = rel.components().any(|c| !matches!(c, Component::Normal(_)));
    if escapes || relative.is_empty() {
        return Err(Error::internal(format!(
            "refusing to write outside the output directory: {relative}"
        )));
    }
    Ok(out.join(rel))
}

/// Writes every output (in parallel) through a temporary file renamed into place, so a
/// reader never sees a half-written file. Every target is checked before anything is written.
pub fn write_all(out: &Path, outputs: &[Output]) -> Result<()> {
    let targets: Vec<PathBuf> = outputs
        .iter()
        .map(|o| contained(out, &o.path))
        .collect::<Result<_>>()?;
    let dirs: std::collections::BTreeSet<&Path> =
        targets.iter().filter_map(|t| t.parent()).collect();
    for dir in dirs {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    outputs
        .par_iter()
        .zip(targets.par_iter())
        .try_for_each(|(output, target)| {
            write_atomic(target, output.text.as_bytes(), output.executable)
        })
}

/// Where a build writes. A run directory that does not exist yet is built whole in a
/// staging directory beside it and renamed into place at the end: readers see all of it
/// or nothing, and no file needs a rename of its own. Otherwise each file is written
/// atomically in place.
pub struct Sink {
    out: PathBuf,
    run_dir: String,
    staging: Option<PathBuf>,
}

impl Sink {
    pub fn new(out: &Path, run_dir: &str) -> Result<Self> {
        contained(out, run_dir)?;
        let target = out.join(run_dir);
        let staging = if target.exists() {
            None
        } else {
            let parent = target.parent().unwrap_or(out).to_path_buf();
            fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
            let dir = tempfile::Builder::new()
                .prefix(".archc-staging-")
                .tempdir_in(&parent)
                .map_err(|e| Error::io(&parent, e))?;
            Some(dir.keep())
        };
        Ok(Self {
            out: out.to_path_buf(),
            run_dir: run_dir.to_string(),
            staging,
        })
    }

    /// Writes outputs whose paths start with the run directory.
    pub fn write(&self, outputs: &[Output]) -> Result<()> {
        let Some(staging) = &self.staging else {
            return write_all(&self.out, outputs);
        };
        for output in outputs {
            let rel = output
                .path
                .strip_prefix(&format!("{}/", self.run_dir))
                .ok_or_else(|| {
                    Error::internal(format!("{} is outside {}", output.path, self.run_dir))
                })?;
            let target = contained(staging, rel)?;
            let err = |e: std::io::Error| Error::io(&target, e);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(err)?;
            }
            create_with_mode(&target, output.executable)
                .and_then(|mut f| f.write_all(output.text.as_bytes()))
                .map_err(err)?;
        }
        Ok(())
    }

    /// Puts a staged run directory into place; on failure, removes it.
    pub fn finish(self, ok: bool) -> Result<()> {
        let Some(staging) = self.staging else {
            return Ok(());
        };
        if !ok {
            let _ = fs::remove_dir_all(&staging);
            return Ok(());
        }
        let target = self.out.join(&self.run_dir);
        fs::rename(&staging, &target).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            Error::io(&target, e)
        })
    }
}

/// A new file with its final mode from the start (no separate chmod).
fn create_with_mode(path: &Path, executable: bool) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if executable { 0o755 } else { 0o644 });
    }
    options.open(path)
}

fn set_mode(path: &Path, executable: bool) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

pub fn write_atomic(target: &Path, bytes: &[u8], executable: bool) -> Result<()> {
    let err = |e: std::io::Error| Error::io(target, e);
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".archc-")
        .tempfile_in(dir)
        .map_err(err)?;
    temp.write_all(bytes).map_err(err)?;
    set_mode(temp.path(), executable).map_err(err)?;
    temp.persist(target).map_err(|e| err(e.error))?;
    Ok(())
}

/// A run file for the same table whose as-of time lies within the hour before `as_of`,
/// with its text as read. Such a file is named after the as-of hour or the hour before,
/// so only two names are looked at (no directory scan: this runs once per table).
pub fn recent_run_file(
    dir: &Path,
    system: &str,
    table: &str,
    as_of: DateTime<Utc>,
) -> Option<(RunFile, String)> {
    [as_of, as_of - Duration::hours(1)]
        .iter()
        .map(|t| {
            dir.join(crate::output::runfile::file_name(
                system,
                table,
                &crate::plan::run_id(*t),
            ))
        })
        .filter_map(|path| fs::read_to_string(path).ok())
        .filter_map(|text| Some((serde_json::from_str::<RunFile>(&text).ok()?, text)))
        .filter(|(run, _)| run.table_name == table && run.system == system)
        .filter(|(run, _)| {
            run.as_of_time()
                .is_some_and(|t| t <= as_of && as_of - t < Duration::hours(1))
        })
        .max_by(|a, b| a.0.as_of.cmp(&b.0.as_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_cannot_escape() {
        let out = Path::new("/tmp/x");
        assert!(contained(out, "../etc/passwd").is_err());
        assert!(contained(out, "/etc/passwd").is_err());
        assert!(contained(out, "runs/a.json").is_ok());
    }
}
