//! Typed steps. A step's kind decides its role; the role decides whether it destroys data
//! and where it may run. In run files a kind is written as its `command_about` string.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::output::runfile::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    DescribeTable,
    RecordHistory,
    SelectPartitions,
    SelectObjects,
    CountRows,
    BackupData,
    BackupDeltaLog,
    SyncSourceToArchive,
    ExportRows,
    ArchiveRows,
    SnapshotIndex,
    DropTablePartition,
    DeleteSourceData,
    DeleteDeltaData,
    DeleteRows,
    DeleteDocuments,
    UpdateAthenaSymlink,
    Vacuum,
    SelectArchived,
    CheckTarget,
    RestoreData,
    AddPartitions,
}

/// What a step does to data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads a definition (table location, partition key).
    Describe,
    /// Records what the run acts on (partitions, objects, row counts).
    Select,
    /// Copies the source to the backup location, before anything else touches it.
    Backup,
    /// Copies the source into the archive; its check is the archive check.
    Copy,
    /// Drops metastore partitions: queries stop seeing the data.
    Drop,
    /// Deletes source data.
    Delete,
    /// Housekeeping after the delete (manifests, VACUUM).
    After,
}

impl Role {
    /// Drops and deletes destroy data: each runs only behind its storage's archive check.
    pub fn destructive(self) -> bool {
        matches!(self, Role::Drop | Role::Delete)
    }

    /// Reads only, so it may run before the backup.
    pub fn reads_only(self) -> bool {
        matches!(self, Role::Describe | Role::Select)
    }
}

/// The stage of a step inside its lifecycle's stage; the planner turns these into `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Describe,
    Select,
    /// Objects selected from partitions a metastore selection found.
    SelectObjects,
    Backup,
    Copy,
    Drop,
    Delete,
    After,
}

impl Phase {
    pub const COUNT: u32 = 8;

    pub fn index(self) -> u32 {
        self as u32
    }
}

impl StepKind {
    pub const ALL: [StepKind; 22] = [
        StepKind::DescribeTable,
        StepKind::RecordHistory,
        StepKind::SelectPartitions,
        StepKind::SelectObjects,
        StepKind::CountRows,
        StepKind::BackupData,
        StepKind::BackupDeltaLog,
        StepKind::SyncSourceToArchive,
        StepKind::ExportRows,
        StepKind::ArchiveRows,
        StepKind::SnapshotIndex,
        StepKind::DropTablePartition,
        StepKind::DeleteSourceData,
        StepKind::DeleteDeltaData,
        StepKind::DeleteRows,
        StepKind::DeleteDocuments,
        StepKind::UpdateAthenaSymlink,
        StepKind::Vacuum,
        StepKind::SelectArchived,
        StepKind::CheckTarget,
        StepKind::RestoreData,
        StepKind::AddPartitions,
    ];

    pub fn role(self) -> Role {
        match self {
            StepKind::DescribeTable | StepKind::RecordHistory => Role::Describe,
            StepKind::SelectPartitions
            | StepKind::SelectObjects
            | StepKind::CountRows
            | StepKind::SelectArchived
            | StepKind::CheckTarget => Role::Select,
            StepKind::BackupData | StepKind::BackupDeltaLog => Role::Backup,
            StepKind::SyncSourceToArchive
            | StepKind::ExportRows
            | StepKind::ArchiveRows
            | StepKind::SnapshotIndex
            | StepKind::RestoreData => Role::Copy,
            StepKind::DropTablePartition => Role::Drop,
            StepKind::DeleteSourceData
            | StepKind::DeleteDeltaData
            | StepKind::DeleteRows
            | StepKind::DeleteDocuments => Role::Delete,
            StepKind::UpdateAthenaSymlink | StepKind::Vacuum | StepKind::AddPartitions => {
                Role::After
            }
        }
    }

    pub fn destructive(self) -> bool {
        self.role().destructive()
    }

    /// The phase a step of this kind runs in unless its driver says otherwise.
    pub fn phase(self) -> Phase {
        match self {
            StepKind::DescribeTable => Phase::Describe,
            StepKind::RecordHistory => Phase::Select,
            _ => match self.role() {
                Role::Describe => Phase::Describe,
                Role::Select => Phase::Select,
                Role::Backup => Phase::Backup,
                Role::Copy => Phase::Copy,
                Role::Drop => Phase::Drop,
                Role::Delete => Phase::Delete,
                Role::After => Phase::After,
            },
        }
    }

    /// The `command_about` string of run files.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::DescribeTable => "describe_table",
            StepKind::RecordHistory => "record_history",
            StepKind::SelectPartitions => "select_partitions",
            StepKind::SelectObjects => "select_objects",
            StepKind::CountRows => "count_rows",
            StepKind::BackupData => "backup_data",
            StepKind::BackupDeltaLog => "backup_delta_log",
            StepKind::SyncSourceToArchive => "sync_source_to_archive",
            StepKind::ExportRows => "export_rows",
            StepKind::ArchiveRows => "archive_rows",
            StepKind::SnapshotIndex => "snapshot_index",
            StepKind::DropTablePartition => "drop_table_partition",
            StepKind::DeleteSourceData => "delete_source_data",
            StepKind::DeleteDeltaData => "delete_delta_data",
            StepKind::DeleteRows => "delete_rows",
            StepKind::DeleteDocuments => "delete_documents",
            StepKind::UpdateAthenaSymlink => "update_athena_symlink",
            StepKind::Vacuum => "vacuum",
            StepKind::SelectArchived => "select_archived",
            StepKind::CheckTarget => "check_target",
            StepKind::RestoreData => "restore_data",
            StepKind::AddPartitions => "add_partitions",
        }
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The archive check of one storage. Only its copy into the archive makes one (the check
/// that proves that copy), and only it can gate that storage's destructive steps.
#[derive(Debug, Clone)]
pub struct ArchiveCheck(String);

impl ArchiveCheck {
    /// Makes `check` the verification of `copy`, which must copy into the archive.
    pub fn of_copy(copy: &mut Command, check: String) -> Result<ArchiveCheck> {
        if copy.command_about.role() != Role::Copy {
            return Err(Error::internal(format!(
                "{}: only a copy into the archive has the archive check",
                copy.id
            )));
        }
        copy.verify = Some(check.clone());
        Ok(ArchiveCheck(check))
    }

    /// Gates a destructive step of the same storage.
    pub fn gate(&self, step: &mut Command) -> Result<()> {
        if !step.command_about.destructive() {
            return Err(Error::internal(format!(
                "{}: only destructive steps are gated",
                step.id
            )));
        }
        step.precondition = Some(self.0.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_names_are_the_command_about_strings() {
        for kind in StepKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
            let back: StepKind = serde_json::from_value(json).unwrap();
            assert_eq!(back, kind);
        }
        assert!(serde_json::from_value::<StepKind>("rm_rf".into()).is_err());
    }

    #[test]
    fn only_drops_and_deletes_destroy_data() {
        let destructive: Vec<&str> = StepKind::ALL
            .iter()
            .filter(|k| k.destructive())
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            destructive,
            [
                "drop_table_partition",
                "delete_source_data",
                "delete_delta_data",
                "delete_rows",
                "delete_documents"
            ]
        );
    }
}
