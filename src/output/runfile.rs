//! The run file: the reviewable contract between planning and execution.
//! Field order here is the order in the file; nothing in it depends on the machine.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plan::step::StepKind;

pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    pub format_version: u32,
    pub system: String,
    pub table_name: String,
    /// The as-of time in the seed's format, `21-Nov-2026 10:00:00` (UTC).
    pub archival_date_time: String,
    pub as_of: String,
    pub run_id: String,
    pub cutoff: String,
    pub data_archive_before: u32,
    pub data_archive_before_period: String,
    pub depends_on: Vec<String>,
    pub source_file: String,
    pub source_sha256: String,
    /// sha256 of every template override the scripts were planned with, by template.
    pub template_overrides: BTreeMap<String, String>,
    /// Present on restore run files only: what `archc restore` was asked to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<Restore>,
    pub archival_details: Vec<ArchivalDetail>,
}

/// A restore's request, recorded in its run file for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restore {
    /// The archival run file it restores from.
    pub from_run_file: String,
    pub lifecycles: Vec<String>,
    pub storage: Option<String>,
    /// `[from, until)` dates restored (within each storage's archived window).
    pub from: Option<String>,
    pub until: Option<String>,
    /// The target when not where the data came from.
    pub to: Option<String>,
    /// Restore into a target that already holds data in the range.
    pub merge: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivalDetail {
    pub lifecycle_name: String,
    pub lifecycle_order: u32,
    pub lifecycle_storage_name: String,
    pub storage: String,
    pub archival_type: Option<String>,
    pub archive_basis: String,
    pub archival_object_detail: Value,
    pub starting_storage_date: String,
    pub ending_storage_date: String,
    /// `[start, end)` archived by this run; `None` when nothing is due.
    pub window: Option<DateRange>,
    /// By partition: the partition values `[start, end)` this run archives (whole
    /// partitions before the cutoff that overlap the storage's dates).
    pub partitions: Option<DateRange>,
    pub archive_location: Option<String>,
    pub backup_location: Option<String>,
    /// Directory under the runner's state directory that holds this storage's lists.
    pub state_dir: String,
    pub notes: Vec<String>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Stable id: `{lifecycle}.{storage}.{command_about}`.
    pub id: String,
    /// Stage: steps with the same seq may run in any order; a higher seq only after
    /// every lower one succeeded.
    pub seq: u32,
    pub system: String,
    pub command_about: StepKind,
    pub destructive: bool,
    /// Must succeed right before the command runs (deletes: the archive check).
    pub precondition: Option<String>,
    /// bash, run with `S` set to this storage's state directory.
    pub command: String,
    /// Must succeed after the command; only then is the step recorded as done.
    pub verify: Option<String>,
    /// SQL files the step runs, from `$ARCHC_SQL_DIR/{name}`.
    pub sql: Vec<SqlFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlFile {
    pub name: String,
    pub dialect: String,
    pub text: String,
}

impl RunFile {
    pub fn file_name(&self) -> String {
        match self.restore {
            None => file_name(&self.system, &self.table_name, &self.run_id),
            Some(_) => format!(
                "{}_restore_{}_{}_run_file.json",
                self.system, self.table_name, self.run_id
            ),
        }
    }

    pub fn commands(&self) -> impl Iterator<Item = (&ArchivalDetail, &Command)> {
        self.archival_details
            .iter()
            .flat_map(|d| d.commands.iter().map(move |c| (d, c)))
    }

    /// Every command in execution order: by seq, then by id (both stable).
    pub fn ordered(&self) -> Vec<(&ArchivalDetail, &Command)> {
        let mut all: Vec<_> = self.commands().collect();
        all.sort_by(|a, b| (a.1.seq, &a.1.id).cmp(&(b.1.seq, &b.1.id)));
        all
    }

    /// The planning time, when the run file's `as_of` is a valid RFC 3339 time.
    pub fn as_of_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc3339(&self.as_of)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("run file serialises");
        text.push('\n');
        text
    }
}

pub fn file_name(system: &str, table: &str, run_id: &str) -> String {
    format!("{system}_archival_{table}_{run_id}_run_file.json")
}
