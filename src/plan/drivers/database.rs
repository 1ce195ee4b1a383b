//! postgres and mysql: rows in the window are counted, exported to a file in the dumps
//! root, checked, and deleted in one transaction that rolls back unless exactly the
//! exported number of rows goes.

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
    pub file: String,
    pub count_rows: &'static str,
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
            file: if postgres {
                format!("{}.{}.copy", db.schema, db.table_name)
            } else {
                format!("{}.sql", db.table_name)
            },
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
        let ctx = DatabaseCtx::new(s.storage.kind, db, s.window.start, s.window.end);
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
            (render("export", &export_sql.name)?, vec![export_sql])
        } else {
            (render("export", "")?, Vec::new())
        };
        let (export, gate) = s.copy(StepKind::ExportRows, system, export, check)?;
        let export = export.running(export_sql);

        let delete_sql = file(StepKind::DeleteRows, "delete")?;
        let delete = s
            .gated(
                StepKind::DeleteRows,
                system,
                render("delete", &delete_sql.name)?,
                &gate,
            )?
            .running(vec![delete_sql]);
        Ok(vec![count, export, delete])
    }
}
