//! `archival_object_detail`: what each storage family says about where its data is.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::kind::{Family, StorageKind};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FilesDetail {
    #[serde(default)]
    pub bucket_name: Option<String>,
    #[serde(default)]
    pub key_name: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub partition_column: Option<String>,
    #[serde(default = "default_partition_format")]
    pub partition_format: String,
    /// S3: the storage class of the archive copies.
    #[serde(default)]
    pub archive_storage_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetastoreDetail {
    #[serde(default = "default_database")]
    pub database: String,
    pub table_name: String,
    #[serde(default)]
    pub partition_column: Option<String>,
    #[serde(default = "default_partition_format")]
    pub partition_format: String,
    #[serde(default)]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metastore {
    Glue,
    Hive,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeltaDetail {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default = "default_metastore")]
    pub metastore: Metastore,
    #[serde(default = "default_database")]
    pub database: String,
    #[serde(default)]
    pub table_name: Option<String>,
    #[serde(default)]
    pub partition_column: Option<String>,
    #[serde(default)]
    pub date_column: Option<String>,
    #[serde(default)]
    pub athena_manifest: bool,
    #[serde(default)]
    pub vacuum_retain_hours: Option<u32>,
    #[serde(default)]
    pub allow_short_vacuum_retention: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DatabaseDetail {
    pub database: String,
    #[serde(default = "default_schema")]
    pub schema: String,
    pub table_name: String,
    pub date_column: String,
    /// PostgreSQL: delete the window one day per transaction, each day gated by the rows
    /// archived for it (no partition is then dropped whole).
    #[serde(default)]
    pub delete_by_day: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SearchDetail {
    pub index: String,
    pub date_field: String,
    pub snapshot_repository: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StreamDetail {
    pub topic: String,
    #[serde(default)]
    pub cluster: Option<String>,
}

fn default_partition_format() -> String {
    "%Y-%m-%d".to_string()
}
fn default_database() -> String {
    "default".to_string()
}
fn default_schema() -> String {
    "public".to_string()
}
fn default_metastore() -> Metastore {
    Metastore::Glue
}

/// `archival_object_detail`, typed per storage family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Files(FilesDetail),
    Metastore(MetastoreDetail),
    Delta(DeltaDetail),
    Database(DatabaseDetail),
    Search(SearchDetail),
    Stream(StreamDetail),
}

impl Detail {
    pub fn from_value(kind: StorageKind, v: &Value) -> Result<Self, serde_json::Error> {
        Ok(match kind.family() {
            Family::Files => Detail::Files(FilesDetail::deserialize(v)?),
            Family::Metastore => Detail::Metastore(MetastoreDetail::deserialize(v)?),
            Family::Delta => Detail::Delta(DeltaDetail::deserialize(v)?),
            Family::Database => Detail::Database(DatabaseDetail::deserialize(v)?),
            Family::Search => Detail::Search(SearchDetail::deserialize(v)?),
            Family::Stream => Detail::Stream(StreamDetail::deserialize(v)?),
        })
    }
}
