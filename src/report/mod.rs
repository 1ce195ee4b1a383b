//! What `archc plan` reports: per table, each storage's window, partitions, archive and
//! destructive steps with what each acts on; against a baseline, what the change does.
//! Pure data built from run files; one renderer per format (text, markdown, json).

pub mod diff;
pub mod json;
pub mod markdown;
pub mod scope;
pub mod text;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::model::dates;
use crate::output::runfile::{ArchivalDetail, DateRange, RunFile};
use crate::plan::step::StepKind;
pub use diff::{Change, ChangeKind};

/// The version of the JSON report; a change that breaks a reader raises it.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub as_of: String,
    pub tables: Vec<TableReport>,
    /// What the change does against `--baseline`; `None` without one.
    pub changes: Option<Vec<Change>>,
    /// The baseline's tables, for the charts of changed tables (not in the JSON).
    #[serde(skip)]
    pub baseline: Vec<TableReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: String,
    pub cutoff: String,
    pub data_archive_before: u32,
    pub data_archive_before_period: String,
    pub storages: Vec<StorageReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StorageReport {
    pub lifecycle: String,
    pub lifecycle_order: u32,
    pub storage: String,
    pub kind: String,
    pub archive_basis: String,
    /// Where the data lives (`s3://bucket/prefix/`, `postgres:db.schema.table`...).
    pub source: Option<String>,
    /// The storage's own dates, ISO; `None` for a storage still in use.
    pub starting_storage_date: String,
    pub ending_storage_date: Option<String>,
    pub window: Option<DateRange>,
    pub partitions: Option<DateRange>,
    pub archive_location: Option<String>,
    pub steps: Vec<StepKind>,
    pub destructive: Vec<Destructive>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destructive {
    pub step: StepKind,
    pub id: String,
    /// The predicate or the partition range the step deletes or drops.
    pub acts_on: String,
}

impl Report {
    pub fn new(as_of: DateTime<Utc>, runs: &[RunFile], baseline: Option<&[RunFile]>) -> Self {
        Report {
            version: VERSION,
            as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tables: runs.iter().map(TableReport::of).collect(),
            changes: baseline.map(|old| diff::changes(old, runs)),
            baseline: baseline
                .unwrap_or_default()
                .iter()
                .map(TableReport::of)
                .collect(),
        }
    }

    pub fn as_of_date(&self) -> Option<NaiveDate> {
        DateTime::parse_from_rfc3339(&self.as_of)
            .ok()
            .map(|t| t.date_naive())
    }
}

impl TableReport {
    fn of(run: &RunFile) -> Self {
        TableReport {
            table: run.table_name.clone(),
            cutoff: run.cutoff.clone(),
            data_archive_before: run.data_archive_before,
            data_archive_before_period: run.data_archive_before_period.clone(),
            storages: run.archival_details.iter().map(StorageReport::of).collect(),
        }
    }
}

impl StorageReport {
    fn of(d: &ArchivalDetail) -> Self {
        let iso = |text: &str| dates::parse(text).map(dates::iso);
        StorageReport {
            lifecycle: d.lifecycle_name.clone(),
            lifecycle_order: d.lifecycle_order,
            storage: d.lifecycle_storage_name.clone(),
            kind: d.storage.clone(),
            archive_basis: d.archive_basis.clone(),
            source: scope::source(d),
            starting_storage_date: iso(&d.starting_storage_date).unwrap_or_default(),
            ending_storage_date: iso(&d.ending_storage_date),
            window: d.window.clone(),
            partitions: d.partitions.clone(),
            archive_location: d.archive_location.clone(),
            steps: d.commands.iter().map(|c| c.command_about).collect(),
            destructive: d
                .commands
                .iter()
                .filter(|c| c.destructive)
                .map(|c| Destructive {
                    step: c.command_about,
                    id: c.id.clone(),
                    acts_on: scope::acts_on(d, c.command_about),
                })
                .collect(),
            notes: d.notes.clone(),
        }
    }

    /// `lifecycle/storage`, as changes name a storage within its table.
    pub fn key(&self) -> String {
        format!("{}/{}", self.lifecycle, self.storage)
    }
}

/// `[start, end)`, or `nothing due`.
pub fn range(r: Option<&DateRange>) -> String {
    r.map_or("nothing due".to_string(), |r| {
        format!("[{}, {})", r.start, r.end)
    })
}
