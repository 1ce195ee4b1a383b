//! Template overrides: trusted code, so they come only from a directory the operator
//! names (`--templates DIR`), never from the config repository. Each file must be a
//! regular file (no link) at the path of a template archc has; each is read once and its
//! sha256 recorded in every run file rendered with it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::templates::embedded;
use crate::error::{Error, Result};

/// Override texts by template name, with their digests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    texts: BTreeMap<String, String>,
}

impl Overrides {
    pub fn load(dir: &Path) -> Result<Self> {
        let meta = fs::symlink_metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(
                Error::usage("--templates must name a directory (not a link)")
                    .at(dir.display().to_string()),
            );
        }
        let mut texts = BTreeMap::new();
        walk(dir, "", &mut texts)?;
        Ok(Self { texts })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// Template name -> sha256 of the override, for the run file.
    pub fn digests(&self) -> BTreeMap<String, String> {
        self.texts
            .iter()
            .map(|(name, text)| (name.clone(), hex(&Sha256::digest(text.as_bytes()))))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let kind = entry.file_type().map_err(|e| Error::io(&entry.path(), e))?;
        if kind.is_symlink() {
            return Err(
                Error::usage("template overrides must be regular files, not links").at(rel),
            );
        } else if kind.is_dir() {
            walk(&entry.path(), &format!("{rel}/"), out)?;
        } else if !kind.is_file() {
            return Err(Error::usage("not a regular file").at(rel));
        } else if embedded(&rel).is_none() {
            return Err(Error::usage(
                "archc has no template of this name (see templates/ in archc's sources); a typo would silently not apply",
            )
            .at(rel));
        } else {
            let text = fs::read_to_string(entry.path()).map_err(|e| Error::io(&entry.path(), e))?;
            out.insert(rel, text);
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_unknown_names_and_non_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("t");
        fs::create_dir_all(root.join("s3")).unwrap();
        fs::write(root.join("s3/copy.sh.j2"), "# mine\n").unwrap();
        let loaded = Overrides::load(&root).unwrap();
        assert_eq!(loaded.get("s3/copy.sh.j2"), Some("# mine\n"));
        assert_eq!(loaded.digests().len(), 1);

        std::os::unix::fs::symlink("/etc/passwd", root.join("s3/verify.sh.j2")).unwrap();
        let err = Overrides::load(&root).unwrap_err().to_string();
        assert!(
            err.contains("not links") && !err.contains("passwd"),
            "{err}"
        );
        fs::remove_file(root.join("s3/verify.sh.j2")).unwrap();

        fs::write(root.join("s3/cpoy.sh.j2"), "x").unwrap();
        assert!(Overrides::load(&root)
            .unwrap_err()
            .to_string()
            .contains("no template"));
        fs::remove_file(root.join("s3/cpoy.sh.j2")).unwrap();

        std::os::unix::fs::symlink(&root, dir.path().join("link")).unwrap();
        assert!(Overrides::load(&dir.path().join("link")).is_err());
    }
}
