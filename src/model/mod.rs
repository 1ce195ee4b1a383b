//! The one model both table shapes load into. Pure data; pointers say where each part
//! was written so later stages can report against the file as the user wrote it.

pub mod dates;
pub mod detail;
pub mod glob;
pub mod kind;
pub mod location;
pub mod period;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use detail::{
    DatabaseDetail, DeltaDetail, Detail, FilesDetail, Metastore, MetastoreDetail, SearchDetail,
    StreamDetail,
};
pub use kind::{Archive, ArchiveRoot, Family, KindSpec, StorageKind, KINDS};
pub use location::{Catalog, FileLocation, Location, LocationError, Scheme};
pub use period::Period;

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

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::PartitionDate => "partition_date",
            Basis::FileCreationDate => "file_creation_date",
            Basis::DateColumn => "date_column",
        }
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
    /// The detail object as written (keys sorted), copied into the run file.
    pub detail_raw: Value,
    pub basis: Basis,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Storage {
    /// Where the storage's data lives: the tree a file store lists (its glob split off),
    /// or the named object. `None` only when the detail is incomplete (schema errors).
    pub fn location(&self) -> Option<FileLocation> {
        self.detail.location(self.kind)
    }

    /// The physical tree of a Delta table given by path (its table name is a second name).
    pub fn delta_path(&self) -> Option<Location> {
        match &self.detail {
            Detail::Delta(d) => d
                .path
                .as_deref()
                .and_then(|p| Location::parse(p, Scheme::File).ok()),
            _ => None,
        }
    }

    /// The root its archive lives under, from the kind table (Delta: by its path's scheme).
    pub fn archive_root(&self) -> Option<ArchiveRoot> {
        match self.kind.spec().archive {
            Archive::Fixed(root) => Some(root),
            Archive::None => None,
            Archive::ByLocation => Some(match self.delta_path().and_then(|l| l.scheme()) {
                Some(Scheme::S3) => ArchiveRoot::S3Bucket,
                Some(Scheme::Gs) => ArchiveRoot::GcsBucket,
                Some(Scheme::Hdfs) => ArchiveRoot::Hdfs,
                Some(Scheme::File) => ArchiveRoot::Local,
                None => match &self.detail {
                    Detail::Delta(d) if d.metastore == Metastore::Hive => ArchiveRoot::Hdfs,
                    _ => ArchiveRoot::S3Bucket,
                },
            }),
        }
    }
}

impl Detail {
    /// Where the storage's data lives: the tree a file store lists (its glob split off),
    /// or the named object. `None` only when the detail is incomplete (schema errors).
    pub fn location(&self, kind: StorageKind) -> Option<FileLocation> {
        let whole = |location: Location| FileLocation {
            tree: location,
            glob: None,
        };
        match self {
            Detail::Files(f) => {
                let scheme = match kind {
                    StorageKind::S3 => Scheme::S3,
                    StorageKind::Gcs => Scheme::Gs,
                    StorageKind::Hdfs => Scheme::Hdfs,
                    _ => Scheme::File,
                };
                let location = match scheme {
                    Scheme::S3 | Scheme::Gs => {
                        Location::object(scheme, f.bucket_name.as_deref()?, f.key_name.as_deref()?)
                    }
                    _ => Location::parse(f.path.as_deref()?, scheme),
                };
                location.ok().map(Location::split_glob)
            }
            Detail::Metastore(m) => {
                let catalog = match kind {
                    StorageKind::Hive => Catalog::Hive,
                    _ => Catalog::Glue,
                };
                Some(whole(Location::named(
                    catalog,
                    &[&m.database, &m.table_name],
                )))
            }
            Detail::Delta(d) => match (&d.table_name, &d.path) {
                (Some(t), _) => {
                    let catalog = match d.metastore {
                        Metastore::Glue => Catalog::Glue,
                        Metastore::Hive => Catalog::Hive,
                    };
                    Some(whole(Location::named(catalog, &[&d.database, t])))
                }
                (None, Some(p)) => Location::parse(p, Scheme::File).ok().map(whole),
                (None, None) => None,
            },
            Detail::Database(db) => {
                let catalog = match kind {
                    StorageKind::Mysql => Catalog::Mysql,
                    _ => Catalog::Postgres,
                };
                Some(whole(Location::named(
                    catalog,
                    &[&db.database, &db.schema, &db.table_name],
                )))
            }
            Detail::Search(s) => Some(whole(Location::named(Catalog::Elasticsearch, &[&s.index]))),
            Detail::Stream(s) => Some(whole(Location::named(
                Catalog::Kafka,
                &[s.cluster.as_deref().unwrap_or(""), &s.topic],
            ))),
        }
    }
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
    /// `retention_shortened_acknowledged`: why a shorter retention is approved (rule 9).
    pub retention_acknowledged: Option<String>,
    pub lifecycles: Vec<Lifecycle>,
}

impl Table {
    pub fn settings_pointer(&self, key: &str) -> String {
        format!("{}/{key}", self.pointer)
    }
}
