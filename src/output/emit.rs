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

/// Where a build (or a render) writes: the whole run directory is built in a staging
/// directory beside it (the files it already holds hard-linked in, links left out), the
/// new outputs written there, and the two swapped with one atomic rename (Linux
/// renameat2 RENAME_EXCHANGE). Readers see the old directory or the new one, never a mix;
/// a failure leaves the old one untouched; no link inside the output is ever followed.
pub struct Sink {
    target: PathBuf,
    /// The staging directory holds links to the previous tree (none when it started empty).
    linked: bool,
    /// Output paths start with this (the run directory below --out), then '/'.
    prefix: String,
    staging: PathBuf,
}

impl Sink {
    /// Outputs named `{run_dir}/...`, for the run directory below `out`.
    pub fn new(out: &Path, run_dir: &str) -> Result<Self> {
        contained(out, run_dir)?;
        Self::stage(out.join(run_dir), run_dir)
    }

    /// Outputs named relative to `dir`, which as a whole is replaced.
    pub fn whole(dir: &Path) -> Result<Self> {
        Self::stage(dir.to_path_buf(), "")
    }

    fn stage(target: PathBuf, prefix: &str) -> Result<Self> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let staging = tempfile::Builder::new()
            .prefix(".archc-staging-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?
            .keep();
        let existing = fs::symlink_metadata(&target);
        let sink = Self {
            linked: existing.as_ref().is_ok_and(|m| m.is_dir()),
            target,
            prefix: prefix.to_string(),
            staging,
        };
        let linked = match existing {
            Ok(m) if m.is_dir() => link_tree(&sink.target, &sink.staging),
            Ok(_) => Err(Error::usage(
                "is not a directory (a link or a file); refusing to write through it",
            )
            .at(sink.target.display().to_string())),
            Err(_) => Ok(()),
        };
        match linked {
            Ok(()) => Ok(sink),
            Err(e) => {
                let _ = fs::remove_dir_all(&sink.staging);
                Err(e)
            }
        }
    }

    /// Writes outputs (in parallel); each replaces what the staging directory held there.
    pub fn write(&self, outputs: &[Output]) -> Result<()> {
        let targets: Vec<PathBuf> = outputs
            .iter()
            .map(|o| {
                let rel = match self.prefix.as_str() {
                    "" => Some(o.path.as_str()),
                    p => o.path.strip_prefix(p).and_then(|r| r.strip_prefix('/')),
                };
                let rel = rel.ok_or_else(|| {
                    Error::internal(format!("{} is outside {}", o.path, self.prefix))
                })?;
                contained(&self.staging, rel)
            })
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
                let err = |e: std::io::Error| Error::io(target, e);
                // A hard link to the old file must not be written through: replace it.
                if self.linked {
                    match fs::remove_file(target) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(err(e)),
                        _ => {}
                    }
                }
                create_with_mode(target, output.executable)
                    .and_then(|mut f| f.write_all(output.text.as_bytes()))
                    .map_err(err)
            })
    }

    /// Swaps the staged directory into place; on failure (or `ok == false`) removes it.
    pub fn finish(self, ok: bool) -> Result<()> {
        let done = if ok {
            swap(&self.staging, &self.target)
        } else {
            Ok(())
        };
        let _ = fs::remove_dir_all(&self.staging);
        done
    }
}

/// Hard links every regular file of `from` into `to`, directories recreated; links and
/// other special files are left out.
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| Error::io(&src, e))?;
        if kind.is_dir() {
            fs::create_dir(&dst).map_err(|e| Error::io(&dst, e))?;
            link_tree(&src, &dst)?;
        } else if kind.is_file() {
            fs::hard_link(&src, &dst).map_err(|e| Error::io(&dst, e))?;
        }
    }
    Ok(())
}

/// Puts `staging` at `target` in one step: an exchange when `target` exists (the old
/// directory then sits at `staging`, and goes), a rename when it does not.
fn swap(staging: &Path, target: &Path) -> Result<()> {
    if fs::symlink_metadata(target).is_err() {
        return fs::rename(staging, target).map_err(|e| Error::io(target, e));
    }
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // No exchange on this file system or kernel: two renames, a moment apart.
        Err(_) => {
            let old = staging.with_extension("old");
            fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
            let moved = fs::rename(staging, target).map_err(|e| Error::io(target, e));
            if moved.is_ok() {
                let _ = fs::remove_dir_all(&old);
            } else {
                let _ = fs::rename(&old, target);
            }
            moved
        }
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
