//! The JSON Schemas in `schemas/`, embedded in the binary and compiled once.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Resource, Validator};
use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic, Site};

const BASE: &str = "https://schemas.archc.dev/";

/// Every schema file, by its path under `schemas/`.
pub const FILES: &[(&str, &str)] = &[
    (
        "project.schema.json",
        include_str!("../../schemas/project.schema.json"),
    ),
    (
        "table.schema.json",
        include_str!("../../schemas/table.schema.json"),
    ),
    (
        "table-list.schema.json",
        include_str!("../../schemas/table-list.schema.json"),
    ),
    (
        "storage.schema.json",
        include_str!("../../schemas/storage.schema.json"),
    ),
    (
        "storage/s3.schema.json",
        include_str!("../../schemas/storage/s3.schema.json"),
    ),
    (
        "storage/gcs.schema.json",
        include_str!("../../schemas/storage/gcs.schema.json"),
    ),
    (
        "storage/hdfs.schema.json",
        include_str!("../../schemas/storage/hdfs.schema.json"),
    ),
    (
        "storage/local.schema.json",
        include_str!("../../schemas/storage/local.schema.json"),
    ),
    (
        "storage/glue.schema.json",
        include_str!("../../schemas/storage/glue.schema.json"),
    ),
    (
        "storage/hive.schema.json",
        include_str!("../../schemas/storage/hive.schema.json"),
    ),
    (
        "storage/delta.schema.json",
        include_str!("../../schemas/storage/delta.schema.json"),
    ),
    (
        "storage/postgres.schema.json",
        include_str!("../../schemas/storage/postgres.schema.json"),
    ),
    (
        "storage/mysql.schema.json",
        include_str!("../../schemas/storage/mysql.schema.json"),
    ),
    (
        "storage/elasticsearch.schema.json",
        include_str!("../../schemas/storage/elasticsearch.schema.json"),
    ),
    (
        "storage/kafka.schema.json",
        include_str!("../../schemas/storage/kafka.schema.json"),
    ),
];

/// Which root schema a document is validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Project,
    TableKeyed,
    TableList,
}

impl Root {
    fn file(self) -> &'static str {
        match self {
            Root::Project => "project.schema.json",
            Root::TableKeyed => "table.schema.json",
            Root::TableList => "table-list.schema.json",
        }
    }
}

struct Compiled {
    project: Validator,
    keyed: Validator,
    list: Validator,
}

fn parsed(name: &str) -> Value {
    let text = FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
        .expect("schema file is embedded");
    serde_json::from_str(text).expect("embedded schema is valid JSON")
}

fn compile(root: Root) -> Validator {
    // Every pattern here is a plain regular expression: the linear-time `regex` engine
    // is enough, and compiles faster than the backtracking default.
    let mut options =
        jsonschema::options().with_pattern_options(jsonschema::PatternOptions::regex());
    for (file, _) in FILES {
        let resource = Resource::from_contents(parsed(file)).expect("embedded schema resource");
        options = options.with_resource(format!("{BASE}{file}"), resource);
    }
    options
        .build(&parsed(root.file()))
        .expect("embedded schema compiles")
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let (project, (keyed, list)) = rayon::join(
            || compile(Root::Project),
            || rayon::join(|| compile(Root::TableKeyed), || compile(Root::TableList)),
        );
        Compiled {
            project,
            keyed,
            list,
        }
    })
}

/// Compiles every schema now (so that parallel workers do not race to do it).
pub fn warm_up() {
    compiled();
}

/// Validates a document; every error becomes a diagnostic at its JSON pointer.
pub fn validate(root: Root, file: usize, value: &Value) -> Vec<Diagnostic> {
    let compiled = compiled();
    let validator = match root {
        Root::Project => &compiled.project,
        Root::TableKeyed => &compiled.keyed,
        Root::TableList => &compiled.list,
    };
    if validator.is_valid(value) {
        return Vec::new();
    }
    let mut out: Vec<Diagnostic> = validator
        .iter_errors(value)
        .filter(|e| !is_umbrella(&e.kind))
        .map(|error| to_diagnostic(file, &error))
        .collect();
    out.dedup();
    out
}

/// `if/then` and `anyOf` failures repeat what their inner errors already say.
fn is_umbrella(kind: &ValidationErrorKind) -> bool {
    matches!(kind, ValidationErrorKind::FalseSchema)
}

fn to_diagnostic(file: usize, error: &jsonschema::ValidationError) -> Diagnostic {
    let pointer = error.instance_path.as_str().to_string();
    let code = if pointer.ends_with("/data_archive_before")
        || pointer.ends_with("/data_archive_before_period")
    {
        Code::Retention
    } else {
        Code::Schema
    };
    match &error.kind {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            Diagnostic::new(code, format!("missing required key `{name}`"))
                .at(Site::key(file, pointer))
                .label(format!("`{name}` is required here"))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let first = unexpected.first().cloned().unwrap_or_default();
            let key = format!("{pointer}/{}", crate::diagnostics::spans::escape(&first));
            Diagnostic::new(code, format!("unknown key `{}`", unexpected.join("`, `")))
                .at(Site::key(file, key))
                .label("not allowed here")
                .help(format!("see `archc schema` for the keys allowed at {}", display_pointer(&pointer)))
        }
        ValidationErrorKind::Pattern { .. } => {
            Diagnostic::new(Code::UnsafeValue, format!("{}: {}", display_key(&pointer), shorten(&error.to_string())))
                .at(Site::value(file, pointer))
                .label("not an allowed value")
                .help("archc accepts only characters that are safe in every shell and SQL context; see `archc schema`")
        }
        _ => {
            let message = error.to_string();
            Diagnostic::new(code, format!("{}: {}", display_key(&pointer), shorten(&message)))
                .at(Site::value(file, pointer))
                .label("invalid value")
        }
    }
}

fn display_key(pointer: &str) -> String {
    match pointer.rsplit('/').next() {
        Some(key) if !pointer.is_empty() => {
            format!("`{}`", key.replace("~1", "/").replace("~0", "~"))
        }
        _ => "the document".to_string(),
    }
}

fn display_pointer(pointer: &str) -> String {
    if pointer.is_empty() {
        "the document".to_string()
    } else {
        format!("`{pointer}`")
    }
}

fn shorten(message: &str) -> String {
    const MAX: usize = 300;
    if message.len() <= MAX {
        return message.to_string();
    }
    let mut cut = MAX;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &message[..cut])
}

/// The schema text for `archc schema NAME`.
pub fn text(name: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(file, _)| *file == name || file.trim_end_matches(".schema.json") == name)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        warm_up();
    }

    #[test]
    fn keyed_seed_example_is_schema_valid_and_typos_are_found() {
        let good: Value = serde_json::json!({"t": {
            "raw": {"order": 1, "s": {"storage": "s3", "archival_object_type": "file",
                "archival_object_detail": {"bucket_name": "bkt", "key_name": "k/x*.gz"},
                "starting_storage_date": "01-Jan-2019", "ending_storage_date": ""}},
            "data_archive_before_period": "month", "data_archive_before": 2}});
        assert!(validate(Root::TableKeyed, 0, &good).is_empty());
        let mut bad = good.clone();
        bad["t"]["raw"]["s"]["archival_object_detail"]["bucket"] = Value::from("x");
        let found = validate(Root::TableKeyed, 0, &bad);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].site.as_ref().unwrap().pointer,
            "/t/raw/s/archival_object_detail/bucket"
        );
    }
}
