//! s3, gcs, hdfs and local: objects selected by partition directory or creation time.

use serde::Serialize;

use super::{partition_bounds, Driver, StorageCtx, TemplateCtx};
use crate::error::{Error, Result};
use crate::model::{glob, Basis, Detail, Family, StorageKind};
use crate::output::quote::shell;
use crate::output::runfile::Command;
use crate::output::templates::Renderer;
use crate::plan::step::{ArchiveCheck, Phase, StepKind};

pub struct Files;

#[derive(Serialize, Clone)]
pub struct FilesCtx {
    pub basis: &'static str,
    /// The partition column, unless it is read from the table definition at run time.
    pub column: Option<String>,
    pub column_from_state: bool,
    pub lo: String,
    pub hi: String,
    /// What a partition value must look like to be read as a date at all.
    pub value_re: String,
    /// The glob as an ERE over canonical names: the key relative to the storage root, or
    /// (by partition) the path below the partition directory.
    pub name_re: String,
    /// The glob as an ERE over raw paths, unanchored (for `find -regex`).
    pub path_re: String,
    /// The glob as an `aws s3` include filter, for copies of whole partitions.
    pub include: String,
    /// The window as `find -newermt` bounds: modified after `after`, not after `before`.
    pub after: String,
    pub before: String,
    /// Copies by creation date go under `run=<run id>/` in the archive: each run's
    /// archive is a prefix of its own that its checks list.
    pub run_prefix: String,
    /// S3 archival copies: the archive's storage class (empty: the bucket's default).
    pub storage_class: String,
    /// S3 restores: the archive is in a class that must be thawed before it is read.
    pub thaw: bool,
}

/// S3 classes whose objects cannot be read until a restore-object request completes.
pub const COLD_CLASSES: [&str; 2] = ["GLACIER", "DEEP_ARCHIVE"];

impl FilesCtx {
    /// Partition directories by value, in the window: those named `<column>=<value>`, or
    /// with no column, by the column a describe step read from the table definition.
    pub fn partitions(s: &StorageCtx, format: &str, column: Option<String>) -> Self {
        let (lo, hi) = partition_bounds(s, format);
        Self {
            basis: "partition_date",
            column_from_state: column.is_none(),
            column,
            lo,
            hi,
            value_re: glob::format_ere(format),
            name_re: glob::to_ere(None),
            path_re: ".*".to_string(),
            include: String::new(),
            after: String::new(),
            before: String::new(),
            run_prefix: String::new(),
            storage_class: String::new(),
            thaw: false,
        }
    }

    /// Files modified in the window, whose names match `name_re` and paths `path_re`;
    /// copied under the run's own `run=<id>/` prefix.
    pub fn by_creation(s: &StorageCtx, name_re: String, path_re: String) -> Self {
        Self {
            basis: "file_creation_date",
            column: None,
            column_from_state: false,
            lo: s.window.start.format("%Y-%m-%d").to_string(),
            hi: s.window.end.format("%Y-%m-%d").to_string(),
            value_re: String::new(),
            name_re,
            path_re,
            include: String::new(),
            after: just_before(s.window.start),
            before: just_before(s.window.end),
            run_prefix: format!("run={}/", s.run_id),
            storage_class: String::new(),
            thaw: false,
        }
    }
}

/// A day's start minus one nanosecond, as `find -newermt` reads times (in UTC).
pub fn just_before(day: chrono::NaiveDate) -> String {
    let t = day.and_hms_opt(0, 0, 0).expect("midnight exists") - chrono::Duration::nanoseconds(1);
    t.format("%Y-%m-%d %H:%M:%S%.9f").to_string()
}

/// The parts every file store has, each one template in the store's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Select,
    /// Reads a run's manifest from the archive into a selection (restore).
    FetchManifest,
    Copy,
    /// Writes the run's manifest into the archive, for verify and restore.
    Manifest,
    Verify,
    Delete,
    Deleted,
}

impl Part {
    #[cfg(test)]
    pub const ALL: [Part; 6] = [
        Part::Select,
        Part::Copy,
        Part::Manifest,
        Part::Verify,
        Part::Delete,
        Part::Deleted,
    ];

    pub fn template(self, system: &str) -> String {
        let part = match self {
            Part::Select => "select",
            Part::FetchManifest => "fetch_manifest",
            Part::Copy => "copy",
            Part::Manifest => "manifest",
            Part::Verify => "verify",
            Part::Delete => "delete",
            Part::Deleted => "deleted",
        };
        format!("{system}/{part}.sh.j2")
    }
}

/// The run's manifest in the archive: `{archive}_archc/run={run id}/manifest.tsv`.
pub fn manifest_of(s: &StorageCtx) -> String {
    shell(&format!(
        "{}_archc/run={}/manifest.tsv",
        s.archive, s.run_id
    ))
}

/// The template folder of the file store that holds a kind's data.
pub fn system_of(kind: StorageKind) -> Result<&'static str> {
    let spec = kind.spec();
    let store = match spec.family {
        Family::Files => kind,
        Family::Metastore => spec.data_store.ok_or_else(|| {
            Error::internal(format!(
                "metastore kind `{}` names no data store",
                spec.name
            ))
        })?,
        _ => {
            return Err(Error::internal(format!(
                "`{}` is not a file store",
                spec.name
            )))
        }
    };
    store
        .spec()
        .templates
        .ok_or_else(|| Error::internal(format!("`{}` has no templates", store.as_str())))
}

/// Renders the file-store templates of one system for a source and destination.
#[derive(Clone)]
pub struct FileSteps<'a> {
    pub system: &'static str,
    pub src: String,
    pub dst: String,
    /// Where the run's manifest goes in the archive (a shell word).
    pub manifest: String,
    pub ctx: &'a FilesCtx,
}

impl FileSteps<'_> {
    pub fn render(&self, r: &Renderer, part: Part, dst: &str) -> Result<String> {
        let wrapped = TemplateCtx {
            src: &self.src,
            dst,
            ..TemplateCtx::of(self.ctx)
        };
        r.render(&part.template(self.system), &wrapped)
    }

    pub fn select(&self, s: &StorageCtx, r: &Renderer, at: Phase) -> Result<Command> {
        let command = self.render(r, Part::Select, &self.dst)?;
        Ok(s.step(StepKind::SelectObjects, self.system, command)
            .in_phase(at))
    }

    /// Copy to the backup (in the bucket's default class, not the archive's), verified
    /// against the selection.
    pub fn backup(&self, s: &StorageCtx, r: &Renderer, to: &str) -> Result<Command> {
        let plain = FilesCtx {
            storage_class: String::new(),
            ..self.ctx.clone()
        };
        let steps = FileSteps {
            ctx: &plain,
            ..self.clone()
        };
        let command = steps.render(r, Part::Copy, to)?;
        let check = self.render(r, Part::Verify, to)?;
        Ok(s.step(StepKind::BackupData, self.system, command)
            .verified(check))
    }

    /// Copy to the archive; its check gates every destructive step of the storage.
    pub fn archive(&self, s: &StorageCtx, r: &Renderer) -> Result<(Command, ArchiveCheck)> {
        let command = self.render(r, Part::Copy, &self.dst)?;
        let manifest = self.render(r, Part::Manifest, &self.manifest)?;
        let check = self.render(r, Part::Verify, &self.dst)?;
        s.copy(
            StepKind::SyncSourceToArchive,
            self.system,
            format!("{command}\n{manifest}"),
            check,
        )
    }

    /// Delete exactly the selected objects, only while the archive still holds them.
    pub fn delete(&self, s: &StorageCtx, r: &Renderer, gate: &ArchiveCheck) -> Result<Command> {
        let command = self.render(r, Part::Delete, &self.dst)?;
        let deleted = self.render(r, Part::Deleted, &self.dst)?;
        Ok(
            s.gated(StepKind::DeleteSourceData, self.system, command, gate)?
                .verified(deleted),
        )
    }
}

impl Driver for Files {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>> {
        let Detail::Files(f) = &s.storage.detail else {
            return Err(Error::internal("the files driver got another detail"));
        };
        let kind = s.storage.kind;
        let location = s.storage.location().ok_or_else(|| {
            Error::internal(format!("storage `{}` has no location", s.storage.name))
        })?;
        let pattern = location.glob.as_deref();
        let name_re = glob::to_ere(pattern.map(glob::canonical).as_deref());
        let path_re = glob::unanchored(&glob::to_ere(pattern));
        let mut ctx = match s.storage.basis {
            Basis::PartitionDate => FilesCtx {
                name_re,
                path_re,
                include: pattern.map(glob::fnmatch).unwrap_or_default(),
                ..FilesCtx::partitions(s, &f.partition_format, f.partition_column.clone())
            },
            _ => FilesCtx::by_creation(s, name_re, path_re),
        };
        ctx.storage_class = f.archive_storage_class.clone().unwrap_or_default();
        let steps = FileSteps {
            system: system_of(kind)?,
            src: shell(&location.tree.url()),
            dst: shell(&format!("{}{}", s.archive, ctx.run_prefix)),
            manifest: manifest_of(s),
            ctx: &ctx,
        };
        let mut out = vec![steps.select(s, r, Phase::Select)?];
        if let Some(backup) = &s.backup {
            out.push(steps.backup(s, r, &shell(&format!("{backup}{}", ctx.run_prefix)))?);
        }
        let (copy, gate) = steps.archive(s, r)?;
        out.push(copy);
        out.push(steps.delete(s, r, &gate)?);
        Ok(out)
    }
}
