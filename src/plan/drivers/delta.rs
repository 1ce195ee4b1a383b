//! delta: the window's rows are copied into a Delta table of their own in the archive,
//! counted, Glue partitions dropped, rows deleted, and the Athena manifest regenerated.

use serde::Serialize;

use super::{partition_bounds, sql, Driver, StorageCtx, TemplateCtx};
use crate::error::{Error, Result};
use crate::model::{ArchiveRoot, Basis, DeltaDetail, Detail, Metastore};
use crate::output::quote::{backquote, shell};
use crate::output::readback;
use crate::output::runfile::{Command, SqlFile};
use crate::output::templates::Renderer;
use crate::plan::step::StepKind;

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
    /// The SQL file that counts the archive table's rows.
    pub count_sql: String,
    /// A one-row Delta table naming the attempt whose archive table holds every row the
    /// run deleted (written by the delete step, read by a restore).
    pub final_attempt: String,
    /// The SQL file the delete step reads that record with.
    pub deleted_sql: String,
    /// The SQL file that counts the archived rows the window still holds.
    pub left_sql: String,
    /// The SQL file that writes the record.
    pub record_sql: String,
    /// What a Glue partition value must look like.
    pub value_re: String,
    /// The archive's directory, shell-quoted, when it is on a local file system (Spark
    /// does not flush what it writes there); empty otherwise.
    pub local_archive: String,
}

fn target(d: &DeltaDetail) -> Result<(String, String)> {
    match (&d.path, &d.table_name) {
        (Some(path), _) => Ok((format!("delta.{}", backquote(path)), path.clone())),
        (None, Some(table)) => Ok((
            format!("{}.{}", backquote(&d.database), backquote(table)),
            format!("{}.{table}", d.database),
        )),
        (None, None) => Err(Error::internal(
            "a delta storage without path or table passed check (rule A060)",
        )),
    }
}

fn context(s: &StorageCtx, d: &DeltaDetail) -> Result<DeltaCtx> {
    let (target, display) = target(d)?;
    let archive_path = format!("{}run={}-a${{archc_attempt}}", s.archive, s.run_id);
    let (lo, hi) = partition_bounds(s, "%Y-%m-%d");
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
    Ok(DeltaCtx {
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
        count_sql: s.sql_file("verify_archive"),
        final_attempt: format!(
            "delta.{}",
            backquote(&format!(
                "{}_archc/run={}/final_attempt",
                s.archive, s.run_id
            ))
        ),
        deleted_sql: s.sql_file("deleted_attempt"),
        left_sql: s.sql_file("archived_rows_left"),
        record_sql: s.sql_file("record_final_attempt"),
        value_re: crate::model::glob::format_ere("%Y-%m-%d"),
        local_archive: if s.storage.archive_root() == Some(ArchiveRoot::Local) {
            shell(&s.archive)
        } else {
            String::new()
        },
    })
}

struct Sql<'a> {
    s: &'a StorageCtx<'a>,
    r: &'a Renderer,
    ctx: &'a DeltaCtx,
}

impl Sql<'_> {
    /// The command that runs `delta/{sql_template}.sql.j2` through `delta/{shell}.sh.j2`.
    fn command(
        &self,
        kind: StepKind,
        sql_template: &str,
        shell_template: &str,
    ) -> Result<(String, SqlFile)> {
        let file = self.file(&self.s.sql_name(kind), sql_template)?;
        Ok((self.shell(shell_template, &file)?, file))
    }

    fn step(&self, kind: StepKind, sql_template: &str, shell_template: &str) -> Result<Command> {
        let (command, file) = self.command(kind, sql_template, shell_template)?;
        Ok(self.s.step(kind, "delta", command).running(vec![file]))
    }

    fn file(&self, name: &str, sql_template: &str) -> Result<SqlFile> {
        sql(
            self.r,
            &format!("delta/{sql_template}.sql.j2"),
            name,
            "sparksql",
            self.ctx,
        )
    }

    /// Every step that runs Delta statements; when the partition column comes from the
    /// table definition, it first reads it back (checked, and assigned: a bad one ends the
    /// step) into `$archc_column`, which the statements are run with.
    fn shell(&self, template: &str, file: &SqlFile) -> Result<String> {
        let wrapped = TemplateCtx {
            sql_name: &file.name,
            ..TemplateCtx::of(self.ctx)
        };
        let body = self
            .r
            .render(&format!("delta/{template}.sh.j2"), &wrapped)?;
        Ok(if self.ctx.column_from_state {
            format!(
                "archc_column={}
{body}",
                readback::partition_column()
            )
        } else {
            body
        })
    }

    fn plain(&self, template: &str) -> Result<String> {
        self.r.render(template, &TemplateCtx::of(self.ctx))
    }
}

/// A restore of what a run archived from a Delta table: the run's final archive table is
/// found from its record, the rows of the range inserted into the target (the table
/// itself, or a path table `to`) while its window is empty, counted, and the Athena
/// manifest regenerated.
pub fn restore(s: &StorageCtx, to: Option<&str>, r: &Renderer) -> Result<Vec<Command>> {
    let Detail::Delta(d) = &s.storage.detail else {
        return Err(Error::internal("a delta restore of another detail"));
    };
    let mut ctx = context(s, d)?;
    let missing = if ctx.column_from_state {
        Some("whose partition column is read from the metastore")
    } else if glue_partitions(s, d) {
        Some("whose Glue partitions the run dropped (they would have to be added back after the rows)")
    } else {
        None
    };
    if let Some(what) = missing {
        return Err(Error::usage(format!(
            "{}.{}: restore of a Delta table {what} is not built yet",
            s.lifecycle.name, s.storage.name
        )));
    }
    if let Some(path) = to {
        ctx.target = format!("delta.{}", backquote(path));
        ctx.display = path.to_string();
    }
    ctx.count_sql = s.sql_file("archived_rows");
    let q = Sql { s, r, ctx: &ctx };
    let count = q.file(&ctx.count_sql, "restore_count")?;
    let (select, file) = q.command(StepKind::SelectArchived, "final_attempt", "restore_select")?;
    let mut out = vec![s
        .step(StepKind::SelectArchived, "delta", select)
        .running(vec![file, count])];
    let (check, file) = q.command(StepKind::CheckTarget, "count", "restore_check")?;
    out.push(
        s.step(StepKind::CheckTarget, "delta", check)
            .in_phase(crate::plan::step::Phase::SelectObjects)
            .running(vec![file]),
    );
    let (insert, file) = q.command(StepKind::RestoreData, "restore", "restore_run")?;
    let counted = q.file(&s.sql_file("verify_restore"), "count")?;
    let arrived = q.shell("restored", &counted)?;
    out.push(
        s.step(StepKind::RestoreData, "delta", insert)
            .verified(arrived)
            .running(vec![file, counted]),
    );
    if d.athena_manifest {
        out.push(q.step(StepKind::UpdateAthenaSymlink, "manifest", "run")?);
    }
    Ok(out)
}

/// Whether the run drops the table's Glue partitions (an Athena table over the manifest).
fn glue_partitions(s: &StorageCtx, d: &DeltaDetail) -> bool {
    d.table_name.is_some()
        && d.metastore == Metastore::Glue
        && s.storage.basis == Basis::PartitionDate
}

impl Driver for Delta {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>> {
        let Detail::Delta(d) = &s.storage.detail else {
            return Err(Error::internal("the delta driver got another detail"));
        };
        let ctx = context(s, d)?;
        let q = Sql { s, r, ctx: &ctx };
        let glue_partitions = glue_partitions(s, d);
        let mut out = Vec::new();
        if glue_partitions || ctx.column_from_state {
            out.push(s.step(
                StepKind::DescribeTable,
                "glue",
                q.plain("delta/describe.sh.j2")?,
            ));
        }
        out.push(q.step(StepKind::RecordHistory, "history", "history")?);
        out.push(q.step(StepKind::CountRows, "count", "count")?);
        if glue_partitions {
            out.push(s.step(
                StepKind::SelectPartitions,
                "glue",
                q.plain("glue/select.sh.j2")?,
            ));
        }
        if s.backup.is_some() && d.path.is_some() {
            out.push(s.step(
                StepKind::BackupDeltaLog,
                "delta",
                q.plain("delta/backup_log.sh.j2")?,
            ));
        }
        let (command, file) = q.command(StepKind::ArchiveRows, "archive", "archive")?;
        let check_file = q.file(&ctx.count_sql, "archive_count")?;
        let check = q.shell("verify", &check_file)?;
        let (archive, gate) = s.copy(StepKind::ArchiveRows, "delta", command, check)?;
        out.push(archive.running(vec![file, check_file.clone()]));
        if glue_partitions {
            let drop = s
                .gated(
                    StepKind::DropTablePartition,
                    "glue",
                    q.plain("glue/drop.sh.j2")?,
                    &gate,
                )?
                .verified(q.plain("glue/dropped.sh.j2")?)
                .running(vec![check_file.clone()]);
            out.push(drop);
        }
        let (command, file) = q.command(StepKind::DeleteDeltaData, "delete", "delete")?;
        let deleted = q.file(&ctx.deleted_sql, "final_attempt")?;
        let left = q.file(&ctx.left_sql, "left")?;
        let record = q.file(&ctx.record_sql, "record")?;
        out.push(
            s.gated(StepKind::DeleteDeltaData, "delta", command, &gate)?
                .running(vec![deleted, file, left, record, check_file]),
        );
        if d.athena_manifest {
            out.push(q.step(StepKind::UpdateAthenaSymlink, "manifest", "run")?);
        }
        if d.vacuum_retain_hours.is_some() {
            out.push(q.step(StepKind::Vacuum, "vacuum", "run")?);
        }
        Ok(out)
    }
}
