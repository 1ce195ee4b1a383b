//! postgres and mysql: rows in the window are counted, exported to a file in the dumps
//! root, checked, and deleted in one transaction that rolls back unless exactly the
//! exported number of rows goes. PostgreSQL partitions wholly inside the window are
//! dropped whole in that transaction, after their rows are counted into the same gate;
//! with `delete_by_day`, one transaction per day instead, each gated by that day's
//! exported rows.

use serde::Serialize;

use super::{sql, Driver, StorageCtx, TemplateCtx};
use crate::error::{Error, Result};
use crate::model::{DatabaseDetail, Detail, StorageKind};
use crate::output::quote::{backquote, pg_ident, shell};
use crate::output::runfile::Command;
use crate::output::templates::Renderer;
use crate::plan::step::StepKind;

pub struct Database;

#[derive(Serialize)]
pub struct DatabaseCtx {
    pub database: String,
    pub table: String,
    pub table_name: String,
    pub predicate: String,
    /// The date column, and the window `[lo, hi)` as dates.
    pub column: String,
    pub lo: String,
    pub hi: String,
    pub file: String,
    /// PostgreSQL: the SQL file that lists (archival) or creates again (restore) the
    /// partitions wholly inside the window.
    pub partitions_sql: String,
    /// The SQL file that counts the rows in the window (MySQL: a re-run after a commit
    /// was interrupted reads what is left).
    pub count_sql: String,
    pub count_rows: &'static str,
    /// PostgreSQL `delete_by_day`: the export counts the rows per day (the date column's
    /// position read by `field_sql`), the delete takes a day per transaction, then checks
    /// with `remaining_sql` that nothing is left in the window.
    pub by_day: bool,
    pub field_sql: String,
    pub remaining_sql: String,
}

impl DatabaseCtx {
    /// The context for a table's rows with `column` in `[lo, hi)`.
    pub fn new(
        kind: StorageKind,
        db: &DatabaseDetail,
        lo: chrono::NaiveDate,
        hi: chrono::NaiveDate,
    ) -> Self {
        let postgres = kind == StorageKind::Postgres;
        let ident: fn(&str) -> String = if postgres { pg_ident } else { backquote };
        let col = ident(&db.date_column);
        let (lo, hi) = (lo.format("%Y-%m-%d"), hi.format("%Y-%m-%d"));
        DatabaseCtx {
            database: db.database.clone(),
            table: if postgres {
                format!("{}.{}", ident(&db.schema), ident(&db.table_name))
            } else {
                ident(&db.table_name)
            },
            table_name: db.table_name.clone(),
            predicate: format!("{col} >= '{lo}' AND {col} < '{hi}'"),
            column: db.date_column.clone(),
            lo: lo.to_string(),
            hi: hi.to_string(),
            file: if postgres {
                format!("{}.{}.copy", db.schema, db.table_name)
            } else {
                format!("{}.sql", db.table_name)
            },
            partitions_sql: String::new(),
            count_sql: String::new(),
            by_day: postgres && db.delete_by_day,
            field_sql: String::new(),
            remaining_sql: String::new(),
            count_rows: if postgres {
                "END { print NR }"
            } else {
                "/^INSERT INTO/ { n++ } END { print n + 0 }"
            },
        }
    }
}

impl Driver for Database {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>> {
        let Detail::Database(db) = &s.storage.detail else {
            return Err(Error::internal("the database driver got another detail"));
        };
        let postgres = s.storage.kind == StorageKind::Postgres;
        let (system, dialect) = if postgres {
            ("postgres", "postgres")
        } else {
            ("mysql", "mysql")
        };
        let mut ctx = DatabaseCtx::new(s.storage.kind, db, s.window.start, s.window.end);
        ctx.partitions_sql = s.sql_file("partitions");
        ctx.count_sql = s.sql_name(StepKind::CountRows);
        if ctx.by_day {
            ctx.field_sql = s.sql_file("date_field");
            ctx.remaining_sql = s.sql_file("remaining_rows");
        }
        let ctx = ctx;
        let dst = shell(&format!("{}run={}", s.archive, s.run_id));
        let render = |name: &str, sql_name: &str| {
            r.render(
                &format!("{system}/{name}.sh.j2"),
                &TemplateCtx {
                    dst: &dst,
                    sql_name,
                    ..TemplateCtx::of(&ctx)
                },
            )
        };
        let file = |kind: StepKind, template: &str| {
            sql(
                r,
                &format!("{system}/{template}.sql.j2"),
                &s.sql_name(kind),
                dialect,
                &ctx,
            )
        };

        let count_sql = file(StepKind::CountRows, "count")?;
        let count = s
            .step(
                StepKind::CountRows,
                system,
                render("count", &count_sql.name)?,
            )
            .running(vec![count_sql]);

        let check = render("verify", "")?;
        let (export, export_sql) = if postgres {
            let export_sql = file(StepKind::ExportRows, "export")?;
            let extra = if ctx.by_day {
                ("postgres/field.sql.j2", &ctx.field_sql)
            } else {
                ("postgres/partitions.sql.j2", &ctx.partitions_sql)
            };
            let extra = sql(r, extra.0, extra.1, dialect, &ctx)?;
            (render("export", &export_sql.name)?, vec![export_sql, extra])
        } else {
            (render("export", "")?, Vec::new())
        };
        let (export, gate) = s.copy(StepKind::ExportRows, system, export, check)?;
        let export = export.running(export_sql);

        let (delete, delete_sql) = if ctx.by_day {
            let day = file(StepKind::DeleteRows, "delete_day")?;
            let remaining = sql(
                r,
                "postgres/remaining.sql.j2",
                &ctx.remaining_sql,
                dialect,
                &ctx,
            )?;
            (render("delete_days", &day.name)?, vec![day, remaining])
        } else {
            let delete_sql = file(StepKind::DeleteRows, "delete")?;
            (render("delete", &delete_sql.name)?, vec![delete_sql])
        };
        let delete = s
            .gated(StepKind::DeleteRows, system, delete, &gate)?
            .running(delete_sql);
        Ok(vec![count, export, delete])
    }
}
