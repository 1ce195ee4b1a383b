//! delta: the window's rows are copied into a Delta table of their own in the archive,
//! counted, Glue partitions dropped, rows deleted, and the Athena manifest regenerated.

use serde::Serialize;

use super::{partition_bounds, phase, sql, step, Driver, StorageCtx, TemplateCtx};
use crate::model::{Basis, DeltaDetail, Detail, Metastore};
use crate::quote::{backquote, shell};
use crate::render::{RenderError, Renderer};
use crate::runfile::{Command, SqlFile};

pub struct Delta;

#[derive(Serialize)]
pub struct DeltaCtx {
    pub target: String,
    pub display: String,
    pub archive: String,
    pub predicate: String,
    pub column_from_state: bool,
    pub database: String,
    pub table: String,
    pub column: Option<String>,
    pub lo: String,
    pub hi: String,
    pub check_locations: bool,
    pub vacuum_hours: u32,
    pub log_tool: &'static str,
    pub log_src: String,
    pub log_dst: String,
}

fn target(d: &DeltaDetail) -> (String, String) {
    match (&d.path, &d.table_name) {
        (Some(path), _) => (format!("delta.{}", backquote(path)), path.clone()),
        (None, Some(table)) => (
            format!("{}.{}", backquote(&d.database), backquote(table)),
            format!("{}.{table}", d.database),
        ),
        (None, None) => unreachable!("rule A060 requires a path or a table"),
    }
}

fn context(s: &StorageCtx, d: &DeltaDetail) -> DeltaCtx {
    let (target, display) = target(d);
    let archive_path = format!("{}run={}", s.archive, s.run_id);
    let (lo, hi) = partition_bounds(&s.window, "%Y-%m-%d");
    let (predicate, column_from_state) =
        match (s.storage.basis, &d.partition_column, &d.date_column) {
            (Basis::DateColumn, _, Some(col)) => {
                let col = backquote(col);
                (
                    format!("{col} >= DATE '{lo}' AND {col} < DATE '{hi}'"),
                    false,
                )
            }
            (_, Some(col), _) => {
                let col = backquote(col);
                (format!("{col} >= '{lo}' AND {col} < '{hi}'"), false)
            }
            _ => (
                "`${archc_column}` >= '".to_string()
                    + &lo
                    + "' AND `${archc_column}` < '"
                    + &hi
                    + "'",
                true,
            ),
        };
    DeltaCtx {
        target,
        display,
        archive: format!("delta.{}", backquote(&archive_path)),
        predicate,
        column_from_state,
        database: d.database.clone(),
        table: d.table_name.clone().unwrap_or_default(),
        column: d.partition_column.clone(),
        lo,
        hi,
        check_locations: false,
        vacuum_hours: d.vacuum_retain_hours.unwrap_or(0),
        log_tool: match d
            .path
            .as_deref()
            .and_then(|p| p.split_once("://"))
            .map(|(scheme, _)| scheme)
        {
            Some("s3" | "s3a") => "s3",
            Some("gs") => "gcs",
            Some("hdfs") => "hdfs",
            _ => "local",
        },
        log_src: d
            .path
            .as_deref()
            .map(|p| shell(&format!("{}/_delta_log/", p.trim_end_matches('/'))))
            .unwrap_or_default(),
        log_dst: s
            .backup
            .as_deref()
            .map(|b| shell(&format!("{b}_delta_log/")))
            .unwrap_or_default(),
    }
}

struct Sql<'a> {
    s: &'a StorageCtx<'a>,
    r: &'a Renderer,
    ctx: &'a DeltaCtx,
}

impl Sql<'_> {
    /// A step that runs `delta/{sql_template}.sql.j2` through `delta/{shell}.sh.j2`.
    fn step(
        &self,
        about: &'static str,
        at: u32,
        sql_template: &str,
        shell_template: &str,
    ) -> Result<Command, RenderError> {
        let file = self.file(about, sql_template)?;
        let mut command =
            step(about, "delta", at).build(self.s, self.shell(shell_template, &file)?);
        command.sql = vec![file];
        Ok(command)
    }

    fn file(&self, about: &str, sql_template: &str) -> Result<SqlFile, RenderError> {
        let name = self.s.sql_name(about);
        sql(
            self.r,
            &format!("delta/{sql_template}.sql.j2"),
            &name,
            "sparksql",
            self.ctx,
        )
    }

    fn shell(&self, template: &str, file: &SqlFile) -> Result<String, RenderError> {
        let wrapped = TemplateCtx {
            src: "",
            dst: "",
            sql_name: &file.name,
            ctx: self.ctx,
        };
        self.r.render(&format!("delta/{template}.sh.j2"), &wrapped)
    }

    fn glue(&self, template: &str) -> Result<String, RenderError> {
        self.r.render(
            template,
            &TemplateCtx {
                src: "",
                dst: "",
                sql_name: "",
                ctx: self.ctx,
            },
        )
    }
}

impl Driver for Delta {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>, RenderError> {
        let Detail::Delta(d) = &s.storage.detail else {
            unreachable!()
        };
        let ctx = context(s, d);
        let q = Sql { s, r, ctx: &ctx };
        let glue_partitions = d.table_name.is_some()
            && d.metastore == Metastore::Glue
            && s.storage.basis == Basis::PartitionDate;
        let mut out = Vec::new();
        if glue_partitions || ctx.column_from_state {
            out.push(
                step("describe_table", "glue", phase::DESCRIBE)
                    .build(s, q.glue("delta/describe.sh.j2")?),
            );
        }
        out.push(q.step("record_history", phase::SELECT, "history", "history")?);
        out.push(q.step("count_rows", phase::SELECT, "count", "count")?);
        if glue_partitions {
            out.push(
                step("select_partitions", "glue", phase::SELECT)
                    .build(s, q.glue("glue/select.sh.j2")?),
            );
        }
        if s.backup.is_some() && d.path.is_some() {
            out.push(
                step("backup_delta_log", "delta", phase::BACKUP)
                    .build(s, q.glue("delta/backup_log.sh.j2")?),
            );
        }
        let mut archive = q.step("archive_rows", phase::COPY, "archive", "archive")?;
        let check_file = q.file("verify_archive", "archive_count")?;
        let check = q.shell("verify", &check_file)?;
        archive.verify = Some(check.clone());
        archive.sql.push(check_file.clone());
        out.push(archive);
        let gate = |mut c: Command| {
            c.destructive = true;
            c.precondition = Some(check.clone());
            c.sql.push(check_file.clone());
            c
        };
        if glue_partitions {
            let mut drop = gate(
                step("drop_table_partition", "glue", phase::DROP)
                    .build(s, q.glue("glue/drop.sh.j2")?),
            );
            drop.verify = Some(q.glue("glue/dropped.sh.j2")?);
            out.push(drop);
        }
        out.push(gate(q.step(
            "delete_delta_data",
            phase::DELETE,
            "delete",
            "run",
        )?));
        if d.athena_manifest {
            out.push(q.step("update_athena_symlink", phase::AFTER, "manifest", "run")?);
        }
        if d.vacuum_retain_hours.is_some() {
            out.push(q.step("vacuum", phase::AFTER, "vacuum", "run")?);
        }
        Ok(out)
    }
}
