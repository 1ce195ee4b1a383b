//! Turns a schema-valid table document (either shape) into the model.

use serde_json::{Map, Value};

use crate::diagnostics::spans::escape;
use crate::diagnostics::{Code, Diagnostic, Site};
use crate::model::dates;
use crate::model::Period;
use crate::model::{Basis, Detail, Lifecycle, Shape, Storage, StorageKind, Table};

/// Table-level defaults that come from the project file.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub target_bucket: Option<String>,
    pub target_key: String,
}

pub const TABLE_SETTINGS: &[&str] = &[
    "data_archive_before_period",
    "data_archive_before",
    "target_location_bucket",
    "target_location_key",
    "depends_on",
    "description",
    "retention_shortened_acknowledged",
];

/// The shape of a table document: list-shaped files have a `table_name` key.
pub fn shape_of(doc: &Value) -> Shape {
    if doc.get("table_name").is_some() || doc.get("lifecycles").is_some() {
        Shape::List
    } else {
        Shape::Keyed
    }
}

pub struct Normalized {
    pub tables: Vec<Table>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn normalize(file: usize, doc: &Value, defaults: &Defaults) -> Normalized {
    let mut out = Normalized {
        tables: Vec::new(),
        diagnostics: Vec::new(),
    };
    let Some(object) = doc.as_object() else {
        return out;
    };
    match shape_of(doc) {
        Shape::List => {
            let name = object["table_name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if let Some(table) = list_table(file, name, object, defaults, &mut out.diagnostics) {
                out.tables.push(table);
            }
        }
        Shape::Keyed => {
            let tables: Vec<(&String, &Value)> =
                object.iter().filter(|(k, _)| *k != "$schema").collect();
            if tables.len() != 1 {
                out.diagnostics.push(
                    Diagnostic::new(
                        Code::TableShape,
                        format!(
                            "a table file holds exactly one table; this one holds {}",
                            tables.len()
                        ),
                    )
                    .at(Site::value(file, ""))
                    .help("put each table in its own file"),
                );
            }
            for (name, body) in tables {
                let pointer = format!("/{}", escape(name));
                if let Some(body) = body.as_object() {
                    let table =
                        keyed_table(file, name, &pointer, body, defaults, &mut out.diagnostics);
                    out.tables.extend(table);
                }
            }
        }
    }
    out
}

fn settings(
    file: usize,
    name: &str,
    pointer: &str,
    shape: Shape,
    object: &Map<String, Value>,
    defaults: &Defaults,
) -> Table {
    let period = object
        .get("data_archive_before_period")
        .and_then(Value::as_str)
        .and_then(Period::parse)
        .unwrap_or(Period::Month);
    let archive_before = object
        .get("data_archive_before")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(1);
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
    Table {
        name: name.to_string(),
        file,
        pointer: pointer.to_string(),
        shape,
        period,
        archive_before,
        target_bucket: text("target_location_bucket").or_else(|| defaults.target_bucket.clone()),
        target_key: text("target_location_key").unwrap_or_else(|| defaults.target_key.clone()),
        depends_on: object
            .get("depends_on")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        retention_acknowledged: text("retention_shortened_acknowledged"),
        lifecycles: Vec::new(),
    }
}

fn keyed_table(
    file: usize,
    name: &str,
    pointer: &str,
    body: &Map<String, Value>,
    defaults: &Defaults,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Table> {
    let mut table = settings(file, name, pointer, Shape::Keyed, body, defaults);
    for (lc_name, lc) in body
        .iter()
        .filter(|(k, _)| !TABLE_SETTINGS.contains(&k.as_str()))
    {
        let lc_pointer = format!("{pointer}/{}", escape(lc_name));
        let Some(lc) = lc.as_object() else { continue };
        let order = lc.get("order").and_then(Value::as_u64).unwrap_or(0) as u32;
        let storages = lc
            .iter()
            .filter(|(k, _)| *k != "order" && *k != "description")
            .filter_map(|(st_name, st)| {
                let st_pointer = format!("{lc_pointer}/{}", escape(st_name));
                storage(file, st_name, &st_pointer, st, diagnostics)
            })
            .collect();
        table.lifecycles.push(Lifecycle {
            name: lc_name.clone(),
            order,
            pointer: lc_pointer,
            storages,
        });
    }
    Some(table)
}

fn list_table(
    file: usize,
    name: String,
    object: &Map<String, Value>,
    defaults: &Defaults,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Table> {
    let mut table = settings(file, &name, "", Shape::List, object, defaults);
    let lifecycles = object.get("lifecycles")?.as_array()?;
    for (i, lc) in lifecycles.iter().enumerate() {
        let lc_pointer = format!("/lifecycles/{i}");
        let lc_name = lc["lifecycle_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let order = lc["lifecycle_order"].as_u64().unwrap_or(0) as u32;
        let mut storages = Vec::new();
        for (j, st) in lc["lifecycle_storages"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let st_name = st["lifecycle_storage_name"].as_str().unwrap_or_default();
            let st_pointer =
                format!("{lc_pointer}/lifecycle_storages/{j}/lifecycle_storage_details");
            storages.extend(storage(
                file,
                st_name,
                &st_pointer,
                &st["lifecycle_storage_details"],
                diagnostics,
            ));
        }
        table.lifecycles.push(Lifecycle {
            name: lc_name,
            order,
            pointer: lc_pointer,
            storages,
        });
    }
    Some(table)
}

fn storage(
    file: usize,
    name: &str,
    pointer: &str,
    value: &Value,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Storage> {
    let object = value.as_object()?;
    let kind = StorageKind::parse(object.get("storage")?.as_str()?)?;
    let detail_raw = object.get("archival_object_detail")?.clone();
    let detail = Detail::from_value(kind, &detail_raw).ok()?;
    if object.contains_key("archival_type") {
        let mut d = Diagnostic::new(
            Code::DeprecatedAlias,
            "`archival_type` is a deprecated alias of `archival_object_type`",
        )
        .at(Site::key(file, format!("{pointer}/archival_type")))
        .label("rename to `archival_object_type`");
        if object.contains_key("archival_object_type") {
            d = d.help("both keys are present; `archival_object_type` wins");
        }
        diagnostics.push(d);
    }
    let object_type = object
        .get("archival_object_type")
        .or_else(|| object.get("archival_type"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let start = date(file, pointer, "starting_storage_date", object, diagnostics)?;
    let end = match object.get("ending_storage_date").and_then(Value::as_str) {
        None | Some("") => None,
        Some(_) => Some(date(
            file,
            pointer,
            "ending_storage_date",
            object,
            diagnostics,
        )?),
    };
    let basis = object
        .get("archive_basis")
        .and_then(Value::as_str)
        .and_then(Basis::parse)
        .unwrap_or_else(|| default_basis(kind, &detail));
    Some(Storage {
        name: name.to_string(),
        pointer: pointer.to_string(),
        kind,
        object_type,
        detail,
        detail_raw,
        basis,
        start,
        end,
    })
}

fn date(
    file: usize,
    pointer: &str,
    key: &str,
    object: &Map<String, Value>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<chrono::NaiveDate> {
    let text = object.get(key)?.as_str()?;
    let parsed = dates::parse(text);
    if parsed.is_none() {
        diagnostics.push(
            Diagnostic::new(Code::Date, format!("`{text}` is not a calendar date"))
                .at(Site::value(file, format!("{pointer}/{key}")))
                .label("no such day")
                .help("write DD-Mon-YYYY (01-Jan-2019) or YYYY-MM-DD"),
        );
    }
    parsed
}

/// The basis a storage uses when the config does not say: what its detail implies, else
/// the first basis its kind supports.
pub fn default_basis(kind: StorageKind, detail: &Detail) -> Basis {
    match detail {
        Detail::Files(f) if f.partition_column.is_some() => Basis::PartitionDate,
        Detail::Delta(d) if d.date_column.is_some() && d.partition_column.is_none() => {
            Basis::DateColumn
        }
        _ => kind
            .spec()
            .bases
            .first()
            .copied()
            .unwrap_or(Basis::DateColumn),
    }
}
