//! Templates, known by name in one place: embedded defaults, overrides, strict rendering.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::overrides::Overrides;
use crate::error::{Error, Result};
use crate::output::quote;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        /// Every template, by its path under `templates/`.
        pub const TEMPLATES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../templates/", $name)))),*
        ];
    };
}

embedded!(
    "common/files.j2",
    "common/dump_select.sh.j2",
    "common/names.j2",
    "common/publish.sh.j2",
    "common/rows_verify.sh.j2",
    "common/save_count.sh.j2",
    "common/stale.sh.j2",
    "common/this_dump.sh.j2",
    "delta/archive.sh.j2",
    "delta/archive.sql.j2",
    "delta/archive_count.sql.j2",
    "delta/backup_log.sh.j2",
    "delta/count.sh.j2",
    "delta/count.sql.j2",
    "delta/delete.sh.j2",
    "delta/delete.sql.j2",
    "delta/describe.sh.j2",
    "delta/final_attempt.sql.j2",
    "delta/history.sh.j2",
    "delta/history.sql.j2",
    "delta/left.sql.j2",
    "delta/manifest.sql.j2",
    "delta/record.sql.j2",
    "delta/restore.sql.j2",
    "delta/restore_check.sh.j2",
    "delta/restore_count.sql.j2",
    "delta/restore_run.sh.j2",
    "delta/restore_select.sh.j2",
    "delta/restored.sh.j2",
    "delta/run.sh.j2",
    "delta/sql.j2",
    "delta/vacuum.sql.j2",
    "delta/verify.sh.j2",
    "elasticsearch/count.sh.j2",
    "elasticsearch/delete.sh.j2",
    "elasticsearch/select.sh.j2",
    "elasticsearch/snapshot.sh.j2",
    "elasticsearch/snapshot_name.sh.j2",
    "elasticsearch/verify.sh.j2",
    "gcs/copy.sh.j2",
    "gcs/delete.sh.j2",
    "gcs/deleted.sh.j2",
    "gcs/lib.j2",
    "gcs/fetch_manifest.sh.j2",
    "gcs/manifest.sh.j2",
    "gcs/select.sh.j2",
    "gcs/verify.sh.j2",
    "glue/describe.sh.j2",
    "glue/add_partitions.sh.j2",
    "glue/drop.sh.j2",
    "glue/dropped.sh.j2",
    "glue/save_definition.sh.j2",
    "glue/select.sh.j2",
    "hdfs/copy.sh.j2",
    "hdfs/delete.sh.j2",
    "hdfs/deleted.sh.j2",
    "hdfs/lib.j2",
    "hdfs/fetch_manifest.sh.j2",
    "hdfs/manifest.sh.j2",
    "hdfs/select.sh.j2",
    "hdfs/verify.sh.j2",
    "hive/add_partitions.sh.j2",
    "hive/describe.sh.j2",
    "hive/describe.sql.j2",
    "hive/drop.sh.j2",
    "hive/dropped.sh.j2",
    "hive/lib.j2",
    "hive/select.sh.j2",
    "hive/show_partitions.sql.j2",
    "local/copy.sh.j2",
    "local/delete.sh.j2",
    "local/deleted.sh.j2",
    "local/lib.j2",
    "local/manifest.sh.j2",
    "local/select.sh.j2",
    "local/verify.sh.j2",
    "mysql/count.sh.j2",
    "mysql/count.sql.j2",
    "mysql/delete.sh.j2",
    "mysql/delete.sql.j2",
    "mysql/export.sh.j2",
    "mysql/lib.j2",
    "mysql/restore.sh.j2",
    "mysql/restore.sql.j2",
    "mysql/restore_select.sh.j2",
    "mysql/verify.sh.j2",
    "postgres/count.sh.j2",
    "postgres/count.sql.j2",
    "postgres/delete.sh.j2",
    "postgres/delete.sql.j2",
    "postgres/delete_day.sql.j2",
    "postgres/delete_days.sh.j2",
    "postgres/export.sh.j2",
    "postgres/export.sql.j2",
    "postgres/field.sql.j2",
    "postgres/partitions.j2",
    "postgres/partitions.sql.j2",
    "postgres/psql.j2",
    "postgres/remaining.sql.j2",
    "postgres/restore.sh.j2",
    "postgres/restore.sql.j2",
    "postgres/restore_partitions.sql.j2",
    "postgres/restore_select.sh.j2",
    "postgres/verify.sh.j2",
    "s3/copy.sh.j2",
    "s3/delete.sh.j2",
    "s3/deleted.sh.j2",
    "s3/lib.j2",
    "s3/fetch_manifest.sh.j2",
    "s3/manifest.sh.j2",
    "s3/select.sh.j2",
    "s3/verify.sh.j2",
    "script/prelude.sh.j2",
    "script/run-all.sh.j2",
    "script/table.sh.j2",
    "script/verify.sh.j2",
);

/// Renders commands, SQL and scripts. Each template is compiled once, on first use, and
/// shared by every table.
pub struct Renderer {
    env: Environment<'static>,
    loaded: Arc<Mutex<BTreeSet<String>>>,
    digests: BTreeMap<String, String>,
}

/// The embedded text of a template.
pub fn embedded(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

impl Renderer {
    /// Embedded templates, each replaced by the operator's override of the same name.
    pub fn new(overrides: &Overrides) -> Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Bash uses `${#var}`, so template comments are `{{# ... #}}` instead of `{# ... #}`.
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .comment_delimiters("{{#", "#}}")
            .build()
            .map_err(|e| Error::internal(format!("template syntax: {e}")))?;
        env.set_syntax(syntax);
        env.set_keep_trailing_newline(false);
        env.set_trim_blocks(false);
        filters(&mut env);
        let loaded: Arc<Mutex<BTreeSet<String>>> = Arc::default();
        let seen = Arc::clone(&loaded);
        let texts = overrides.clone();
        env.set_loader(move |name| {
            let Some(text) = embedded(name) else {
                return Ok(None);
            };
            seen.lock().expect("template log").insert(name.to_string());
            Ok(Some(texts.get(name).unwrap_or(text).to_string()))
        });
        Ok(Self {
            env,
            loaded,
            digests: overrides.digests(),
        })
    }

    pub fn render<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String> {
        let failed = |e: minijinja::Error| Error::template(format!("{e:#}")).at(name);
        let template = self.env.get_template(name).map_err(failed)?;
        let mut text = template.render(ctx).map_err(failed)?;
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        Ok(text)
    }

    /// The sha256 of every override in use, by template name (recorded in run files).
    pub fn override_digests(&self) -> &BTreeMap<String, String> {
        &self.digests
    }

    /// Every template this renderer has compiled so far (those rendered and what they import).
    pub fn loaded(&self) -> BTreeSet<String> {
        self.loaded.lock().expect("template log").clone()
    }
}

fn filters(env: &mut Environment<'static>) {
    env.add_filter("sh", |v: String| {
        quote::try_shell(&v).ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "value holds a NUL byte",
            )
        })
    });
    env.add_filter("sql_str", |v: String| quote::sql_string(&v));
    // For comments and help text: a line break there would end the comment.
    env.add_filter("oneline", |v: String| {
        v.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect::<String>()
    });
    env.add_filter("pg_ident", |v: String| quote::pg_ident(&v));
    env.add_filter("bq", |v: String| quote::backquote(&v));
    env.add_function(
        "from_state",
        |file: String| -> Result<String, minijinja::Error> {
            super::readback::from_state(&file).ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("no shape is known for the state file {file}"),
                )
            })
        },
    );
    env.add_function(
        "error",
        |message: String| -> Result<String, minijinja::Error> {
            Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                message,
            ))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_embedded_and_every_constant_resolves() {
        use std::path::Path;
        let renderer = Renderer::new(&Overrides::default()).unwrap();
        for (name, _) in TEMPLATES {
            assert!(renderer.env.get_template(name).is_ok(), "{name}");
        }
        assert_eq!(renderer.loaded().len(), TEMPLATES.len());
        let mut on_disk = Vec::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    on_disk.push(
                        path.strip_prefix(&root)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/"),
                    );
                }
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = TEMPLATES.iter().map(|(n, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn undefined_variables_are_errors() {
        let renderer = Renderer::new(&Overrides::default()).unwrap();
        let result = renderer.render("s3/copy.sh.j2", &serde_json::json!({}));
        assert!(result.is_err());
    }
}
