//! Writes outputs: everything is rendered in memory first, then each file goes to a
//! temporary file beside its target and is renamed into place.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use crate::runfile::RunFile;

/// One output file, by its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Output {
    pub path: String,
    pub text: String,
    pub executable: bool,
}

#[derive(Debug)]
pub struct EmitError(pub String);

/// A relative path that stays inside the output directory.
fn contained(out: &Path, relative: &str) -> Result<PathBuf, EmitError> {
    let rel = Path::new(relative);
    let escapes = rel.components().any(|c| !matches!(c, Component::Normal(_)));
    if escapes || relative.is_empty() {
        return Err(EmitError(format!(
            "refusing to write outside the output directory: {relative}"
        )));
    }
    Ok(out.join(rel))
}

pub fn write_all(out: &Path, outputs: &[Output]) -> Result<(), EmitError> {
    let targets: Vec<PathBuf> = outputs
        .iter()
        .map(|o| contained(out, &o.path))
        .collect::<Result<_, _>>()?;
    for (output, target) in outputs.iter().zip(targets) {
        write_atomic(&target, output.text.as_bytes(), output.executable)?;
    }
    Ok(())
}

pub fn write_atomic(target: &Path, bytes: &[u8], executable: bool) -> Result<(), EmitError> {
    let err = |e: std::io::Error| EmitError(format!("{}: {e}", target.display()));
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(err)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".archc-")
        .tempfile_in(dir)
        .map_err(err)?;
    temp.write_all(bytes).map_err(err)?;
    temp.as_file().sync_all().map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode)).map_err(err)?;
    }
    temp.persist(target).map_err(|e| err(e.error))?;
    Ok(())
}

/// A run file for the same table whose as-of time lies within the hour before `as_of`.
pub fn recent_run_file(
    dir: &Path,
    system: &str,
    table: &str,
    as_of: DateTime<Utc>,
) -> Option<RunFile> {
    let prefix = format!("{system}_archival_{table}_");
    let mut found: Vec<RunFile> = fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix)
                && name.ends_with("_run_file.json")
                && name.len() == prefix.len() + 10 + "_run_file.json".len()
        })
        .filter_map(|e| fs::read_to_string(e.path()).ok())
        .filter_map(|text| serde_json::from_str::<RunFile>(&text).ok())
        .filter(|run| run.table_name == table && run.system == system)
        .filter(|run| {
            DateTime::parse_from_rfc3339(&run.as_of)
                .map(|t| t.with_timezone(&Utc))
                .is_ok_and(|t| t <= as_of && as_of - t < Duration::hours(1))
        })
        .collect();
    found.sort_by(|a, b| a.as_of.cmp(&b.as_of));
    found.pop()
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
