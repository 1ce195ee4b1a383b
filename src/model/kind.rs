//! The table of storage kinds: every decision that depends on a kind is a column here.
//! Adding a kind is one variant, one row, one driver, one schema and one template folder;
//! the exhaustive matches below make the compiler name every other place.

use serde::{Deserialize, Serialize};

use super::Basis;

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

/// How a kind's data is shaped, which decides its driver and its detail type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Objects or files under a prefix (s3, gcs, hdfs, local).
    Files,
    /// A metastore table over files (glue over S3, hive over HDFS).
    Metastore,
    Delta,
    /// Rows in a relational database.
    Database,
    /// Documents in a search index.
    Search,
    /// Records in a topic: retention archives them, archc emits nothing.
    Stream,
}

/// Which configured root an archive (or backup) of a storage lives under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ArchiveRoot {
    /// `target_location_bucket` on S3.
    S3Bucket,
    /// `target_location_bucket` on GCS.
    GcsBucket,
    /// `archive_roots.hdfs`.
    Hdfs,
    /// `archive_roots.local`.
    Local,
    /// `archive_roots.dumps`: database exports.
    Dumps,
    /// The storage's own snapshot repository.
    Snapshot,
}

/// Where a kind's archive goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archive {
    Fixed(ArchiveRoot),
    /// Decided by the storage's location (Delta: the scheme of its path).
    ByLocation,
    /// Nothing is archived.
    None,
}

/// One row of the table.
#[derive(Debug)]
pub struct KindSpec {
    pub kind: StorageKind,
    pub name: &'static str,
    pub family: Family,
    pub archive: Archive,
    /// For metastore tables: the file store that holds their data.
    pub data_store: Option<StorageKind>,
    /// The `templates/` folder of the kind's own commands.
    pub templates: Option<&'static str>,
    /// `schemas/` file of its `archival_object_detail`.
    pub schema: &'static str,
    /// Archive bases the kind supports; the first is the default unless the detail decides.
    pub bases: &'static [Basis],
}

use ArchiveRoot as R;
use Basis::{DateColumn as Col, FileCreationDate as Created, PartitionDate as Part};

pub const KINDS: [KindSpec; 11] = [
    KindSpec {
        kind: StorageKind::S3,
        name: "s3",
        family: Family::Files,
        archive: Archive::Fixed(R::S3Bucket),
        data_store: None,
        templates: Some("s3"),
        schema: "storage/s3.schema.json",
        bases: &[Created, Part],
    },
    KindSpec {
        kind: StorageKind::Gcs,
        name: "gcs",
        family: Family::Files,
        archive: Archive::Fixed(R::GcsBucket),
        data_store: None,
        templates: Some("gcs"),
        schema: "storage/gcs.schema.json",
        bases: &[Created, Part],
    },
    KindSpec {
        kind: StorageKind::Hdfs,
        name: "hdfs",
        family: Family::Files,
        archive: Archive::Fixed(R::Hdfs),
        data_store: None,
        templates: Some("hdfs"),
        schema: "storage/hdfs.schema.json",
        bases: &[Created, Part],
    },
    KindSpec {
        kind: StorageKind::Local,
        name: "local",
        family: Family::Files,
        archive: Archive::Fixed(R::Local),
        data_store: None,
        templates: Some("local"),
        schema: "storage/local.schema.json",
        bases: &[Created, Part],
    },
    KindSpec {
        kind: StorageKind::Glue,
        name: "glue",
        family: Family::Metastore,
        archive: Archive::Fixed(R::S3Bucket),
        data_store: Some(StorageKind::S3),
        templates: Some("glue"),
        schema: "storage/glue.schema.json",
        bases: &[Part],
    },
    KindSpec {
        kind: StorageKind::Hive,
        name: "hive",
        family: Family::Metastore,
        archive: Archive::Fixed(R::Hdfs),
        data_store: Some(StorageKind::Hdfs),
        templates: Some("hive"),
        schema: "storage/hive.schema.json",
        bases: &[Part],
    },
    KindSpec {
        kind: StorageKind::Delta,
        name: "delta",
        family: Family::Delta,
        archive: Archive::ByLocation,
        data_store: None,
        templates: Some("delta"),
        schema: "storage/delta.schema.json",
        bases: &[Part, Col],
    },
    KindSpec {
        kind: StorageKind::Postgres,
        name: "postgres",
        family: Family::Database,
        archive: Archive::Fixed(R::Dumps),
        data_store: None,
        templates: Some("postgres"),
        schema: "storage/postgres.schema.json",
        bases: &[Col],
    },
    KindSpec {
        kind: StorageKind::Mysql,
        name: "mysql",
        family: Family::Database,
        archive: Archive::Fixed(R::Dumps),
        data_store: None,
        templates: Some("mysql"),
        schema: "storage/mysql.schema.json",
        bases: &[Col],
    },
    KindSpec {
        kind: StorageKind::Elasticsearch,
        name: "elasticsearch",
        family: Family::Search,
        archive: Archive::Fixed(R::Snapshot),
        data_store: None,
        templates: Some("elasticsearch"),
        schema: "storage/elasticsearch.schema.json",
        bases: &[Col],
    },
    KindSpec {
        kind: StorageKind::Kafka,
        name: "kafka",
        family: Family::Stream,
        archive: Archive::None,
        data_store: None,
        templates: None,
        schema: "storage/kafka.schema.json",
        bases: &[],
    },
];

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

    /// This kind's row. The match is exhaustive: a new variant needs a new row.
    pub fn spec(self) -> &'static KindSpec {
        let row = match self {
            StorageKind::S3 => 0,
            StorageKind::Gcs => 1,
            StorageKind::Hdfs => 2,
            StorageKind::Local => 3,
            StorageKind::Glue => 4,
            StorageKind::Hive => 5,
            StorageKind::Delta => 6,
            StorageKind::Postgres => 7,
            StorageKind::Mysql => 8,
            StorageKind::Elasticsearch => 9,
            StorageKind::Kafka => 10,
        };
        &KINDS[row]
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    pub fn family(self) -> Family {
        self.spec().family
    }

    pub fn supports(self, basis: Basis) -> bool {
        self.spec().bases.contains(&basis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_its_own_kind_and_all_lists_every_kind() {
        for kind in StorageKind::ALL {
            assert_eq!(kind.spec().kind, kind);
            assert_eq!(StorageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(KINDS.len(), StorageKind::ALL.len());
    }

    #[test]
    fn metastore_kinds_name_a_file_store_that_holds_their_data() {
        for spec in &KINDS {
            let needs = spec.family == Family::Metastore;
            assert_eq!(spec.data_store.is_some(), needs, "{}", spec.name);
            if let Some(store) = spec.data_store {
                assert_eq!(store.family(), Family::Files, "{}", spec.name);
            }
        }
    }
}
