//! glue and hive: a metastore table over S3 or HDFS. Partitions are discovered from the
//! metastore at run time and dropped before the data they point to is deleted.

use serde::Serialize;

use super::files::{FileSteps, FilesCtx};
use super::{partition_bounds, phase, sql, step, Driver, StorageCtx, TemplateCtx};
use crate::model::{Detail, StorageKind};
use crate::quote::shell;
use crate::render::{RenderError, Renderer};
use crate::runfile::Command;

pub struct MetastoreTable;

#[derive(Serialize)]
pub struct MetastoreCtx {
    pub database: String,
    pub table: String,
    pub column: Option<String>,
    pub lo: String,
    pub hi: String,
    pub location: Option<String>,
    pub check_locations: bool,
}

const FROM_STATE: &str = "\"$(cat \"$S/location\")\"";

impl Driver for MetastoreTable {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>, RenderError> {
        let Detail::Metastore(m) = &s.storage.detail else {
            unreachable!()
        };
        let (lo, hi) = partition_bounds(&s.window, &m.partition_format);
        let ctx = MetastoreCtx {
            database: m.database.clone(),
            table: m.table_name.clone(),
            column: m.partition_column.clone(),
            lo,
            hi,
            location: m
                .location
                .as_ref()
                .map(|l| l.trim_end_matches('/').to_string()),
            check_locations: true,
        };
        let files_ctx = FilesCtx::partitions_from_state(m.partition_column.clone());
        let dst = shell(&s.archive);
        match s.storage.kind {
            StorageKind::Glue => glue(
                s,
                r,
                &ctx,
                FileSteps {
                    system: "s3",
                    src: FROM_STATE.to_string(),
                    dst,
                    ctx: &files_ctx,
                    check: Default::default(),
                },
            ),
            _ => hive(
                s,
                r,
                &ctx,
                FileSteps {
                    system: "hdfs",
                    src: FROM_STATE.to_string(),
                    dst,
                    ctx: &files_ctx,
                    check: Default::default(),
                },
            ),
        }
    }
}

fn render(
    r: &Renderer,
    name: &str,
    ctx: &MetastoreCtx,
    dst: &str,
    sql_name: &str,
) -> Result<String, RenderError> {
    r.render(
        name,
        &TemplateCtx {
            src: "",
            dst,
            sql_name,
            ctx,
        },
    )
}

/// Shared order: select, back up, copy + verify, drop partitions, delete data.
fn common(
    s: &StorageCtx,
    r: &Renderer,
    files: &FileSteps,
    select_partitions: Command,
    drop: (&'static str, String, String),
) -> Result<Vec<Command>, RenderError> {
    let mut out = vec![
        select_partitions,
        files.select(s, r, phase::SELECT_OBJECTS)?,
    ];
    if let Some(backup) = &s.backup {
        out.push(files.copy(s, r, "backup_data", phase::BACKUP, &shell(backup))?);
    }
    out.push(files.copy(s, r, "sync_source_to_archive", phase::COPY, &files.dst)?);
    let (system, command, verify) = drop;
    let mut spec = step("drop_table_partition", system, phase::DROP);
    spec.destructive = true;
    let mut dropped = spec.build(s, command);
    dropped.precondition = Some(files.archive_check(r)?);
    dropped.verify = Some(verify);
    out.push(dropped);
    out.push(files.delete(s, r)?);
    Ok(out)
}

fn glue(
    s: &StorageCtx,
    r: &Renderer,
    ctx: &MetastoreCtx,
    files: FileSteps,
) -> Result<Vec<Command>, RenderError> {
    let describe = step("describe_table", "glue", phase::DESCRIBE)
        .build(s, render(r, "glue/describe.sh.j2", ctx, "", "")?);
    let select = step("select_partitions", "glue", phase::SELECT)
        .build(s, render(r, "glue/select.sh.j2", ctx, "", "")?);
    let drop = (
        "glue",
        render(r, "glue/drop.sh.j2", ctx, "", "")?,
        render(r, "glue/dropped.sh.j2", ctx, "", "")?,
    );
    let mut out = vec![describe];
    out.extend(common(s, r, &files, select, drop)?);
    let save = render(r, "glue/save_definition.sh.j2", ctx, &files.dst, "")?;
    if let Some(copy) = out
        .iter_mut()
        .find(|c| c.command_about == "sync_source_to_archive")
    {
        copy.command = format!("{}\n{save}", copy.command);
    }
    Ok(out)
}

fn hive(
    s: &StorageCtx,
    r: &Renderer,
    ctx: &MetastoreCtx,
    files: FileSteps,
) -> Result<Vec<Command>, RenderError> {
    let show = sql(
        r,
        "hive/show_partitions.sql.j2",
        &s.sql_name("select_partitions"),
        "sparksql",
        ctx,
    )?;
    let mut select = step("select_partitions", "hive", phase::SELECT)
        .build(s, render(r, "hive/select.sh.j2", ctx, "", &show.name)?);
    select.sql = vec![show.clone()];
    let dropped = render(r, "hive/dropped.sh.j2", ctx, "", &show.name)?;
    let drop = ("hive", render(r, "hive/drop.sh.j2", ctx, "", "")?, dropped);
    let mut out = common(s, r, &files, select, drop)?;
    if let Some(drop) = out
        .iter_mut()
        .find(|c| c.command_about == "drop_table_partition")
    {
        drop.sql.push(show);
    }
    Ok(out)
}
