//! Run files are verified, not trusted: a run file is planned again from its own
//! structured fields (the table config they spell out, its as-of time, its archive and
//! backup locations, each checked) and must come out the same, field for field. Any
//! edited command, added step, weakened gate, widened window or foreign scalar differs.

use serde_json::{json, Value};

use super::{plan_table, run_id, Places, PlanInput};
use crate::diagnostics::Severity;
use crate::error::{Error, Result};
use crate::model::{ArchiveRoot, Detail, Location, Scheme, Storage, Table};
use crate::output::runfile::{ArchivalDetail, RunFile, FORMAT_VERSION};
use crate::output::templates::Renderer;
use crate::validate;

/// The run file as this archc plans it from the run file's own fields.
pub fn replan(run: &RunFile, r: &Renderer) -> Result<RunFile> {
    let refuse = |message: String| Error::run_file(message).at(run.file_name());
    if run.restore.is_some() {
        return Err(refuse(
            "a restore run file: `archc restore` writes its script (run it again to re-plan)"
                .into(),
        ));
    }
    if run.format_version != FORMAT_VERSION {
        return Err(refuse(format!(
            "format_version {} is not {FORMAT_VERSION}, the one this archc reads",
            run.format_version
        )));
    }
    let as_of = run
        .as_of_time()
        .ok_or_else(|| refuse("as_of is not an RFC 3339 time".into()))?;
    if run.run_id != run_id(as_of) {
        return Err(refuse("run_id is not the hour of as_of".into()));
    }
    if run.source_sha256.len() != 64 || !run.source_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refuse("source_sha256 is not a sha256".into()));
    }
    let (tables, found) = validate::table_document(&document(run), &run.system);
    if let Some(d) = found.iter().find(|d| d.severity == Severity::Error) {
        return Err(refuse(format!(
            "its config fields do not pass check: {}",
            d.message
        )));
    }
    let table = tables
        .first()
        .ok_or_else(|| refuse("it holds no table".into()))?;
    for detail in &run.archival_details {
        places(table, detail).map_err(|m| {
            refuse(format!(
                "{}.{}: {m}",
                detail.lifecycle_name, detail.lifecycle_storage_name
            ))
        })?;
    }
    let input = PlanInput {
        system: &run.system,
        places: Places::RunFile(run),
        table,
        source_name: &run.source_file,
        source_text: "",
        as_of,
    };
    let mut again = plan_table(&input, r)?;
    again.source_sha256 = run.source_sha256.clone();
    Ok(again)
}

/// The table a run file's fields spell, checked like a config file.
pub fn table_of(run: &RunFile) -> Result<Table> {
    let refuse = |message: String| Error::run_file(message).at(run.file_name());
    let (tables, found) = validate::table_document(&document(run), &run.system);
    if let Some(d) = found.iter().find(|d| d.severity == Severity::Error) {
        return Err(refuse(format!(
            "its config fields do not pass check: {}",
            d.message
        )));
    }
    tables
        .into_iter()
        .next()
        .ok_or_else(|| refuse("it holds no table".into()))
}

/// The table config a run file's fields spell, in the list shape (names can be anything
/// a name may be, even `order`).
fn document(run: &RunFile) -> Value {
    let mut lifecycles: Vec<Value> = Vec::new();
    for d in &run.archival_details {
        let storage = json!({
            "lifecycle_storage_name": d.lifecycle_storage_name,
            "lifecycle_storage_details": {
                "storage": d.storage,
                "archival_object_type": d.archival_type,
                "archive_basis": d.archive_basis,
                "archival_object_detail": d.archival_object_detail,
                "starting_storage_date": d.starting_storage_date,
                "ending_storage_date": d.ending_storage_date,
            }
        });
        match lifecycles
            .iter_mut()
            .find(|l| l["lifecycle_name"] == d.lifecycle_name.as_str())
        {
            Some(l) => l["lifecycle_storages"]
                .as_array_mut()
                .expect("built above")
                .push(storage),
            None => lifecycles.push(json!({
                "lifecycle_name": d.lifecycle_name,
                "lifecycle_order": d.lifecycle_order,
                "lifecycle_storages": [storage],
            })),
        }
    }
    let mut doc = json!({
        "table_name": run.table_name,
        "data_archive_before_period": run.data_archive_before_period,
        "data_archive_before": run.data_archive_before,
        "depends_on": run.depends_on,
        "lifecycles": lifecycles,
    });
    if let Some(object) = doc.as_object_mut() {
        for lifecycle in object["lifecycles"].as_array_mut().into_iter().flatten() {
            for storage in lifecycle["lifecycle_storages"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                let details = &mut storage["lifecycle_storage_details"];
                if details["archival_object_type"].is_null() {
                    details
                        .as_object_mut()
                        .map(|d| d.remove("archival_object_type"));
                }
            }
        }
    }
    doc
}

/// A run file's archive and backup locations: what the storage's kind archives to, with
/// no control characters, and apart from every source of the table.
fn places(table: &Table, detail: &ArchivalDetail) -> std::result::Result<(), String> {
    let storage = table
        .lifecycles
        .iter()
        .find(|l| l.name == detail.lifecycle_name)
        .and_then(|l| {
            l.storages
                .iter()
                .find(|s| s.name == detail.lifecycle_storage_name)
        })
        .ok_or("no such storage")?;
    let sources: Vec<Location> = table
        .lifecycles
        .iter()
        .flat_map(|l| &l.storages)
        .flat_map(|s| {
            s.location()
                .map(|l| l.tree)
                .into_iter()
                .chain(s.delta_path())
        })
        .collect();
    for (what, text) in [
        ("archive_location", &detail.archive_location),
        ("backup_location", &detail.backup_location),
    ] {
        let Some(text) = text else { continue };
        let location = place(storage, text)
            .ok_or(format!("{what} is not a place this storage can archive to"))?;
        if let Some(location) = location {
            if sources.iter().any(|s| s.overlaps(&location)) {
                return Err(format!("{what} overlaps a source of the table"));
            }
        }
    }
    Ok(())
}

/// `None`: not a valid place; `Some(None)`: a snapshot repository (no tree).
fn place(storage: &Storage, text: &str) -> Option<Option<Location>> {
    if text.chars().any(char::is_control) || !text.ends_with('/') && !text.starts_with("snapshot:")
    {
        return None;
    }
    let root = storage.archive_root()?;
    let (prefix, scheme) = match root {
        ArchiveRoot::S3Bucket => ("s3://", Scheme::S3),
        ArchiveRoot::GcsBucket => ("gs://", Scheme::Gs),
        ArchiveRoot::Hdfs => ("/", Scheme::Hdfs),
        ArchiveRoot::Local | ArchiveRoot::Dumps => ("/", Scheme::File),
        ArchiveRoot::Snapshot => {
            let Detail::Search(es) = &storage.detail else {
                return None;
            };
            return (text == format!("snapshot:{}", es.snapshot_repository)).then_some(None);
        }
    };
    if !text.starts_with(prefix) {
        return None;
    }
    Location::parse(text, scheme).ok().map(Some)
}

/// A run file is used only if this archc plans exactly it from its own fields.
pub fn check(run: &RunFile, renderer: &Renderer) -> Result<()> {
    let again = replan(run, renderer)?;
    if &again == run {
        return Ok(());
    }
    let (a, b) = (
        serde_json::to_value(&again).map_err(|e| Error::internal(e.to_string()))?,
        serde_json::to_value(run).map_err(|e| Error::internal(e.to_string()))?,
    );
    Err(Error::run_file(format!(
        "{} differs from what its own fields plan (edited after archc wrote it?); refused",
        first_difference(&a, &b, String::new())
    ))
    .at(run.file_name()))
}

/// The JSON pointer of the first place two values differ.
fn first_difference(a: &Value, b: &Value, at: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return first_difference(v, w, format!("{at}/{k}")),
                    None => return format!("{at}/{k}"),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map_or(at.clone(), |k| format!("{at}/{k}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map_or(at.clone(), |(i, (v, w))| {
                first_difference(v, w, format!("{at}/{i}"))
            }),
        _ => at,
    }
}
