//! postgres and mysql: rows in the window are counted, exported to a file in the dumps
//! root, checked, and deleted in one transaction that rolls back unless exactly the
//! exported number of rows goes.

use serde::Serialize;

use super::{phase, sql, step, Driver, StorageCtx, TemplateCtx};
use crate::model::{Detail, StorageKind};
use crate::quote::{backquote, pg_ident, shell};
use crate::render::{RenderError, Renderer};
use crate::runfile::Command;

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

impl Driver for Database {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>, RenderError> {
        let Detail::Database(db) = &s.storage.detail else {
            unreachable!()
        };
        let postgres = s.storage.kind == StorageKind::Postgres;
        let (system, dialect, ident): (&'static str, &str, fn(&str) -> String) = if postgres {
            ("postgres", "postgres", pg_ident)
        } else {
            ("mysql", "mysql", backquote)
        };
        let (lo, hi) = (
            s.window.start.format("%Y-%m-%d"),
            s.window.end.format("%Y-%m-%d"),
        );
        let col = ident(&db.date_column);
        let ctx = DatabaseCtx {
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
        };
        let dst = shell(&format!("{}run={}", s.archive, s.run_id));
        let render = |name: &str, sql_name: &str| {
            r.render(
                &format!("{system}/{name}.sh.j2"),
                &TemplateCtx {
                    src: "",
                    dst: &dst,
                    sql_name,
                    ctx: &ctx,
                },
            )
        };
        let file = |about: &str, template: &str| {
            sql(
                r,
                &format!("{system}/{template}.sql.j2"),
                &s.sql_name(about),
                dialect,
                &ctx,
            )
        };

        let count_sql = file("count_rows", "count")?;
        let mut count =
            step("count_rows", system, phase::SELECT).build(s, render("count", &count_sql.name)?);
        count.sql = vec![count_sql];

        let check = render("verify", "")?;
        let mut export = step("export_rows", system, phase::COPY).build(s, String::new());
        if postgres {
            let export_sql = file("export_rows", "export")?;
            export.command = render("export", &export_sql.name)?;
            export.sql = vec![export_sql];
        } else {
            export.command = render("export", "")?;
        }
        export.verify = Some(check.clone());

        let delete_sql = file("delete_rows", "delete")?;
        let mut delete = step("delete_rows", system, phase::DELETE)
            .build(s, render("delete", &delete_sql.name)?);
        delete.destructive = true;
        delete.precondition = Some(check);
        delete.sql = vec![delete_sql];
        Ok(vec![count, export, delete])
    }
}
