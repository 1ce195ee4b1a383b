//! The one model both table shapes load into. Pure data; pointers say where each part
//! was written so later stages can report against the file as the user wrote it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::window::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    S3,
    Gcs,
    Hdfs,
    Local,
    Glue,
    Hive,
    Delta,
    Postgres,
    Mysql,
    Elasticsearch,
    Kafka,
}

impl StorageKind {
    pub const ALL: [StorageKind; 11] = [
        StorageKind::S3,
        StorageKind::Gcs,
        StorageKind::Hdfs,
        StorageKind::Local,
        StorageKind::Glue,
        StorageKind::Hive,
        StorageKind::Delta,
        StorageKind::Postgres,
        StorageKind::Mysql,
        StorageKind::Elasticsearch,
        StorageKind::Kafka,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StorageKind::S3 => "s3",
            StorageKind::Gcs => "gcs",
            StorageKind::Hdfs => "hdfs",
            StorageKind::Local => "local",
            StorageKind::Glue => "glue",
            StorageKind::Hive => "hive",
            StorageKind::Delta => "delta",
            StorageKind::Postgres => "postgres",
            StorageKind::Mysql => "mysql",
            StorageKind::Elasticsearch => "elasticsearch",
            StorageKind::Kafka => "kafka",
        }
    }

    pub fn is_database(self) -> bool {
        matches!(self, StorageKind::Postgres | StorageKind::Mysql)
    }
}

/// What decides a datum's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    PartitionDate,
    FileCreationDate,
    DateColumn,
}

impl Basis {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "partition_date" => Some(Basis::PartitionDate),
            "file_creation_date" => Some(Basis::FileCreationDate),
            "date_column" => Some(Basis::DateColumn),
            _ => None,
        }
    }
}

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

/// `archival_object_detail`, typed per storage kind.
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
        use serde::Deserialize;
        Ok(match kind {
            StorageKind::S3 | StorageKind::Gcs | StorageKind::Hdfs | StorageKind::Local => {
                Detail::Files(FilesDetail::deserialize(v)?)
            }
            StorageKind::Glue | StorageKind::Hive => {
                Detail::Metastore(MetastoreDetail::deserialize(v)?)
            }
            StorageKind::Delta => Detail::Delta(DeltaDetail::deserialize(v)?),
            StorageKind::Postgres | StorageKind::Mysql => {
                Detail::Database(DatabaseDetail::deserialize(v)?)
            }
            StorageKind::Elasticsearch => Detail::Search(SearchDetail::deserialize(v)?),
            StorageKind::Kafka => Detail::Stream(StreamDetail::deserialize(v)?),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Keyed,
    List,
}

#[derive(Debug, Clone)]
pub struct Storage {
    pub name: String,
    pub pointer: String,
    pub kind: StorageKind,
    pub object_type: Option<String>,
    pub detail: Detail,
    /// The detail object as the user wrote it (their key order), for the run file.
    pub detail_raw: Value,
    pub basis: Basis,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Lifecycle {
    pub name: String,
    pub order: u32,
    pub pointer: String,
    pub storages: Vec<Storage>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub file: usize,
    pub pointer: String,
    pub shape: Shape,
    pub period: Period,
    pub archive_before: u32,
    pub target_bucket: Option<String>,
    pub target_key: String,
    pub depends_on: Vec<String>,
    pub lifecycles: Vec<Lifecycle>,
}

impl Table {
    pub fn settings_pointer(&self, key: &str) -> String {
        format!("{}/{key}", self.pointer)
    }
}
