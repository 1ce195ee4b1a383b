//! s3, gcs, hdfs and local: objects selected by partition directory or creation time.

use serde::Serialize;

use super::{partition_bounds, phase, step, Driver, StorageCtx, TemplateCtx};
use crate::glob;
use crate::model::{Basis, Detail, StorageKind};
use crate::quote::shell;
use crate::render::{RenderError, Renderer};
use crate::runfile::Command;

pub struct Files;

#[derive(Serialize)]
pub struct FilesCtx {
    pub basis: &'static str,
    pub column: Option<String>,
    pub lo: String,
    pub hi: String,
    pub regex: String,
    pub partitions_from_state: bool,
}

impl FilesCtx {
    pub fn partitions_from_state(column: Option<String>) -> Self {
        Self {
            basis: "partition_date",
            column,
            lo: String::new(),
            hi: String::new(),
            regex: String::new(),
            partitions_from_state: true,
        }
    }
}

/// Splits `hdfs://host:port/dir/x*` or `/dir/x*` into its authority and its path.
fn authority(path: &str) -> (&str, &str) {
    let scheme_end = path.find("://").map_or(0, |i| i + 3);
    let host_end = path[scheme_end..]
        .find('/')
        .map_or(path.len(), |i| scheme_end + i);
    path.split_at(host_end)
}

/// The config's location as a URL or path ending in '/', and the glob over names.
pub fn root_and_glob(kind: StorageKind, detail: &Detail) -> (String, Option<String>) {
    let Detail::Files(f) = detail else {
        unreachable!("files driver only gets file details")
    };
    let bucket = f.bucket_name.as_deref().unwrap_or("");
    match kind {
        StorageKind::S3 | StorageKind::Gcs => {
            let (prefix, pattern) = glob::split(f.key_name.as_deref().unwrap_or(""));
            let scheme = if kind == StorageKind::S3 { "s3" } else { "gs" };
            (format!("{scheme}://{bucket}/{prefix}"), pattern)
        }
        _ => {
            let (host, path) = authority(f.path.as_deref().unwrap_or("/"));
            let (prefix, pattern) = glob::split(path);
            (format!("{host}/{prefix}"), pattern)
        }
    }
}

/// Renders the file-store templates of one system for a source and destination.
pub struct FileSteps<'a> {
    pub system: &'static str,
    pub src: String,
    pub dst: String,
    pub ctx: &'a FilesCtx,
    /// The archive check, rendered once: it verifies the copy and gates every delete.
    pub check: std::cell::OnceCell<String>,
}

impl FileSteps<'_> {
    fn render(&self, r: &Renderer, part: &str, dst: &str) -> Result<String, RenderError> {
        let wrapped = TemplateCtx {
            src: &self.src,
            dst,
            sql_name: "",
            ctx: self.ctx,
        };
        r.render(&format!("{}/{part}.sh.j2", self.system), &wrapped)
    }

    pub fn select(&self, s: &StorageCtx, r: &Renderer, at: u32) -> Result<Command, RenderError> {
        Ok(step("select_objects", self.system, at).build(s, self.render(r, "select", &self.dst)?))
    }

    /// Copy to `dst` (the archive or the backup), verified against the selection.
    pub fn copy(
        &self,
        s: &StorageCtx,
        r: &Renderer,
        about: &'static str,
        at: u32,
        dst: &str,
    ) -> Result<Command, RenderError> {
        let mut command = step(about, self.system, at).build(s, self.render(r, "copy", dst)?);
        command.verify = Some(if dst == self.dst {
            self.archive_check(r)?
        } else {
            self.render(r, "verify", dst)?
        });
        Ok(command)
    }

    /// Delete exactly the selected objects, only while the archive still holds them.
    pub fn delete(&self, s: &StorageCtx, r: &Renderer) -> Result<Command, RenderError> {
        let mut spec = step("delete_source_data", self.system, phase::DELETE);
        spec.destructive = true;
        let mut command = spec.build(s, self.render(r, "delete", &self.dst)?);
        command.precondition = Some(self.archive_check(r)?);
        command.verify = Some(self.render(r, "deleted", &self.dst)?);
        Ok(command)
    }

    pub fn archive_check(&self, r: &Renderer) -> Result<String, RenderError> {
        if let Some(check) = self.check.get() {
            return Ok(check.clone());
        }
        let check = self.render(r, "verify", &self.dst)?;
        Ok(self.check.get_or_init(|| check).clone())
    }
}

pub fn system_of(kind: StorageKind) -> &'static str {
    match kind {
        StorageKind::Gcs => "gcs",
        StorageKind::Hdfs | StorageKind::Hive => "hdfs",
        StorageKind::Local => "local",
        _ => "s3",
    }
}

impl Driver for Files {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>, RenderError> {
        let Detail::Files(f) = &s.storage.detail else {
            unreachable!()
        };
        let kind = s.storage.kind;
        let flat = matches!(kind, StorageKind::Hdfs | StorageKind::Gcs);
        let (root, pattern) = root_and_glob(kind, &s.storage.detail);
        let ctx = match s.storage.basis {
            Basis::PartitionDate => {
                let (lo, hi) = partition_bounds(&s.window, &f.partition_format);
                FilesCtx {
                    basis: "partition_date",
                    column: f.partition_column.clone(),
                    lo,
                    hi,
                    regex: String::new(),
                    partitions_from_state: false,
                }
            }
            _ => FilesCtx {
                basis: "file_creation_date",
                column: None,
                lo: s.window.start.format("%Y-%m-%d").to_string(),
                hi: s.window.end.format("%Y-%m-%d").to_string(),
                regex: match (&pattern, flat) {
                    (None, true) => "^[^/]+$".to_string(),
                    _ => glob::to_ere(pattern.as_deref()),
                },
                partitions_from_state: false,
            },
        };
        let steps = FileSteps {
            system: system_of(kind),
            src: shell(&root),
            dst: shell(&s.archive),
            ctx: &ctx,
            check: Default::default(),
        };
        let mut out = vec![steps.select(s, r, phase::SELECT)?];
        if let Some(backup) = &s.backup {
            out.push(steps.copy(s, r, "backup_data", phase::BACKUP, &shell(backup))?);
        }
        out.push(steps.copy(s, r, "sync_source_to_archive", phase::COPY, &steps.dst)?);
        out.push(steps.delete(s, r)?);
        Ok(out)
    }
}
