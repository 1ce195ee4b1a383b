//! The project file, `archc.json`: settings shared by every table of a config repository.

use serde::Deserialize;

/// Settings from `archc.json` (or defaults when table files are given directly).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Project {
    pub system: String,
    pub run_file_dir: String,
    pub tables: Vec<String>,
    pub target_location_bucket: Option<String>,
    pub target_location_key: String,
    pub archive_roots: ArchiveRoots,
    pub backup_location: BackupLocation,
}

impl Default for Project {
    fn default() -> Self {
        Self {
            system: "archc".to_string(),
            run_file_dir: "runs".to_string(),
            tables: vec!["tables".to_string()],
            target_location_bucket: None,
            target_location_key:
                "{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}".to_string(),
            archive_roots: ArchiveRoots::default(),
            backup_location: BackupLocation::default(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ArchiveRoots {
    pub hdfs: Option<String>,
    pub local: Option<String>,
    pub dumps: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BackupLocation {
    pub s3: Option<String>,
    pub gcs: Option<String>,
    pub hdfs: Option<String>,
    pub local: Option<String>,
}

impl BackupLocation {
    pub fn any(&self) -> bool {
        self.s3.is_some() || self.gcs.is_some() || self.hdfs.is_some() || self.local.is_some()
    }
}
