//! What a run of archc is asked to do, independent of how it was asked (clap lives in cli.rs).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// Inputs shared by every command.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    pub system: Option<String>,
    /// The same config as it stands on the target branch, for the history rule.
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub out: PathBuf,
    pub as_of: DateTime<Utc>,
    pub dry_run: bool,
    pub force_run: bool,
}
