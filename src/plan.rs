//! The planner: one table in, one run file out. Pure: no I/O, no clock.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::config::Project;
use crate::dates;
use crate::drivers::{self, phase, StorageCtx};
use crate::model::{Detail, Lifecycle, Metastore, Storage, StorageKind, Table};
use crate::render::{RenderError, Renderer};
use crate::runfile::{ArchivalDetail, DateRange, RunFile, FORMAT_VERSION};
use crate::window::{self, Window};

const PHASES: u32 = phase::COUNT;

#[derive(Debug)]
pub enum PlanError {
    Cutoff { table: String },
    Render(RenderError),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Cutoff { table } => {
                write!(f, "table `{table}`: the cutoff date is out of range")
            }
            PlanError::Render(e) => write!(f, "{e}"),
        }
    }
}

impl From<RenderError> for PlanError {
    fn from(e: RenderError) -> Self {
        PlanError::Render(e)
    }
}

pub struct PlanInput<'a> {
    pub project: &'a Project,
    pub table: &'a Table,
    pub source_name: &'a str,
    pub source_text: &'a str,
    pub as_of: DateTime<Utc>,
}

pub fn run_id(as_of: DateTime<Utc>) -> String {
    as_of.format("%Y%m%d%H").to_string()
}

pub fn plan_table(input: &PlanInput, r: &Renderer) -> Result<RunFile, PlanError> {
    let table = input.table;
    let cutoff = window::cutoff(input.as_of.date_naive(), table.period, table.archive_before)
        .ok_or_else(|| PlanError::Cutoff {
            table: table.name.clone(),
        })?;
    let run_id = run_id(input.as_of);
    let orders: BTreeSet<u32> = table.lifecycles.iter().map(|l| l.order).collect();
    let mut lifecycles: Vec<&Lifecycle> = table.lifecycles.iter().collect();
    lifecycles.sort_by(|a, b| (a.order, &a.name).cmp(&(b.order, &b.name)));
    let mut details = Vec::new();
    for lifecycle in lifecycles {
        let stage = orders
            .iter()
            .position(|o| *o == lifecycle.order)
            .unwrap_or(0) as u32;
        let mut storages: Vec<&Storage> = lifecycle.storages.iter().collect();
        storages.sort_by(|a, b| a.name.cmp(&b.name));
        for storage in storages {
            let mut detail = detail(input, lifecycle, storage, cutoff, &run_id, r)?;
            for command in &mut detail.commands {
                command.seq += stage * PHASES;
            }
            details.push(detail);
        }
    }
    compact_seq(&mut details);
    Ok(RunFile {
        format_version: FORMAT_VERSION,
        system: input.project.system.clone(),
        table_name: table.name.clone(),
        archival_date_time: input.as_of.format("%d-%b-%Y %H:%M:%S").to_string(),
        as_of: input.as_of.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        run_id,
        cutoff: dates::iso(cutoff),
        data_archive_before: table.archive_before,
        data_archive_before_period: table.period.as_str().to_string(),
        depends_on: table
            .depends_on
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        source_file: input.source_name.to_string(),
        source_sha256: hex(&Sha256::digest(input.source_text.as_bytes())),
        archival_details: details,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn detail(
    input: &PlanInput,
    lifecycle: &Lifecycle,
    storage: &Storage,
    cutoff: chrono::NaiveDate,
    run_id: &str,
    r: &Renderer,
) -> Result<ArchivalDetail, PlanError> {
    let table = input.table;
    let window = window::window(storage.start, storage.end, cutoff);
    let archive = archive_location(input.project, table, lifecycle, storage);
    let backup = backup_location(input.project, table, lifecycle, storage);
    let mut notes = Vec::new();
    let mut commands = Vec::new();
    match (drivers::driver(storage.kind), window) {
        (None, _) => {
            notes.push("kafka: topic retention archives this storage; no commands".to_string())
        }
        (Some(_), None) => notes.push(format!(
            "nothing before the cutoff {cutoff} in this storage's dates"
        )),
        (Some(driver), Some(window)) => {
            let ctx = StorageCtx {
                table,
                lifecycle,
                storage,
                window,
                run_id,
                archive: archive.clone().unwrap_or_default(),
                backup: backup.clone(),
            };
            commands = driver.steps(&ctx, r)?;
            commands.sort_by(|a, b| (a.seq, &a.id).cmp(&(b.seq, &b.id)));
        }
    }
    if backup.is_none() && input.project.backup_location.any() && storage.kind != StorageKind::Kafka
    {
        notes.push(format!(
            "no backup location applies to {} storages",
            storage.kind.as_str()
        ));
    }
    Ok(ArchivalDetail {
        lifecycle_name: lifecycle.name.clone(),
        lifecycle_order: lifecycle.order,
        lifecycle_storage_name: storage.name.clone(),
        storage: storage.kind.as_str().to_string(),
        archival_type: storage.object_type.clone(),
        archive_basis: serde_json::to_value(storage.basis)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        archival_object_detail: storage.detail_raw.clone(),
        starting_storage_date: dates::seed_format(storage.start),
        ending_storage_date: storage.end.map(dates::seed_format).unwrap_or_default(),
        window: window.map(|w: Window| DateRange {
            start: dates::iso(w.start),
            end: dates::iso(w.end),
        }),
        archive_location: archive,
        backup_location: backup,
        state_dir: format!("{}.{}", lifecycle.name, storage.name),
        notes,
        commands,
    })
}

/// Renumbers stages 0, 1, 2... keeping their order.
fn compact_seq(details: &mut [ArchivalDetail]) {
    let used: BTreeSet<u32> = details
        .iter()
        .flat_map(|d| d.commands.iter().map(|c| c.seq))
        .collect();
    for command in details.iter_mut().flat_map(|d| d.commands.iter_mut()) {
        command.seq = used.iter().position(|s| *s == command.seq).unwrap_or(0) as u32;
    }
}

/// The archive family of a storage: which kind of place its archive lives in.
pub fn archive_family(storage: &Storage) -> Option<&'static str> {
    Some(match &storage.detail {
        Detail::Files(_) | Detail::Metastore(_) => match storage.kind {
            StorageKind::S3 | StorageKind::Glue => "s3",
            StorageKind::Gcs => "gs",
            StorageKind::Hdfs | StorageKind::Hive => "hdfs",
            _ => "local",
        },
        Detail::Delta(d) => match d
            .path
            .as_deref()
            .and_then(|p| p.split_once("://"))
            .map(|(s, _)| s)
        {
            Some("s3" | "s3a") => "s3",
            Some("gs") => "gs",
            Some("hdfs") => "hdfs",
            Some(_) => "local",
            None if d.path.is_some() => "local",
            None if d.metastore == Metastore::Hive => "hdfs",
            None => "s3",
        },
        Detail::Database(_) => "dumps",
        Detail::Search(_) => "snapshot",
        Detail::Stream(_) => return None,
    })
}

/// The key under the archive root: `target_location_key` up to `{partition}`, ending in '/'.
fn archive_key(table: &Table, lifecycle: &Lifecycle, storage: &Storage) -> String {
    let template = table.target_key.split("{partition}").next().unwrap_or("");
    let key = template
        .replace("{tablename}", &table.name)
        .replace("{lifecycle_name}", &lifecycle.name)
        .replace("{lifecycle_storage_name}", &storage.name);
    let key = key.trim_matches('/');
    if key.is_empty() {
        String::new()
    } else {
        format!("{key}/")
    }
}

pub fn archive_location(
    project: &Project,
    table: &Table,
    lifecycle: &Lifecycle,
    storage: &Storage,
) -> Option<String> {
    let key = archive_key(table, lifecycle, storage);
    let roots = &project.archive_roots;
    let root = |r: &Option<String>| {
        r.as_deref()
            .map(|r| format!("{}/{key}", r.trim_end_matches('/')))
    };
    match archive_family(storage)? {
        "s3" => table
            .target_bucket
            .as_ref()
            .map(|b| format!("s3://{b}/{key}")),
        "gs" => table
            .target_bucket
            .as_ref()
            .map(|b| format!("gs://{b}/{key}")),
        "hdfs" => root(&roots.hdfs),
        "local" => root(&roots.local),
        "dumps" => root(&roots.dumps),
        _ => match &storage.detail {
            Detail::Search(es) => Some(format!("snapshot:{}", es.snapshot_repository)),
            _ => None,
        },
    }
}

fn backup_location(
    project: &Project,
    table: &Table,
    lifecycle: &Lifecycle,
    storage: &Storage,
) -> Option<String> {
    let b = &project.backup_location;
    let root = match archive_family(storage)? {
        "s3" => b.s3.as_deref(),
        "gs" => b.gcs.as_deref(),
        "hdfs" => b.hdfs.as_deref(),
        "local" => b.local.as_deref(),
        _ => None,
    }?;
    Some(format!(
        "{}/{}/{}/{}/",
        root.trim_end_matches('/'),
        table.name,
        lifecycle.name,
        storage.name
    ))
}
