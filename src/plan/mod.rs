//! The planner: one table in, one run file out. Pure: no I/O, no clock.

pub mod archive;
pub mod drivers;
pub mod invariants;
pub mod replan;
pub mod restore;
pub mod step;
pub mod window;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::input::project::Project;
use crate::model::{dates, Lifecycle, Storage, Table};
use crate::output::runfile::{ArchivalDetail, DateRange, RunFile, FORMAT_VERSION};
use crate::output::templates::Renderer;
use archive::{archive_location, backup_location};
use drivers::StorageCtx;
use step::Phase;
use window::Window;

const PHASES: u32 = Phase::COUNT;

/// Where archives and backups go: computed from the config, or (re-deriving a run file)
/// taken from the run file, checked by the caller.
pub enum Places<'a> {
    Config(&'a Project),
    RunFile(&'a RunFile),
}

impl Places<'_> {
    fn of(
        &self,
        table: &Table,
        lifecycle: &Lifecycle,
        storage: &Storage,
    ) -> (Option<String>, Option<String>) {
        match self {
            Places::Config(project) => (
                archive_location(project, table, lifecycle, storage),
                backup_location(project, table, lifecycle, storage),
            ),
            Places::RunFile(run) => run
                .archival_details
                .iter()
                .find(|d| {
                    d.lifecycle_name == lifecycle.name && d.lifecycle_storage_name == storage.name
                })
                .map(|d| (d.archive_location.clone(), d.backup_location.clone()))
                .unwrap_or_default(),
        }
    }
}

pub struct PlanInput<'a> {
    pub system: &'a str,
    pub places: Places<'a>,
    pub table: &'a Table,
    pub source_name: &'a str,
    pub source_text: &'a str,
    pub as_of: DateTime<Utc>,
}

pub fn run_id(as_of: DateTime<Utc>) -> String {
    as_of.format("%Y%m%d%H").to_string()
}

pub fn plan_table(input: &PlanInput, r: &Renderer) -> Result<RunFile> {
    let table = input.table;
    let cutoff = window::cutoff(input.as_of.date_naive(), table.period, table.archive_before)
        .ok_or_else(|| {
            Error::usage(format!(
                "table `{}`: the cutoff date is out of range for --as-of",
                table.name
            ))
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
        system: input.system.to_string(),
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
        template_overrides: r.override_digests().clone(),
        restore: None,
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
) -> Result<ArchivalDetail> {
    let table = input.table;
    let window = window::window(storage.start, storage.end, cutoff);
    let (archive, backup) = input.places.of(table, lifecycle, storage);
    let mut notes = Vec::new();
    let mut commands = Vec::new();
    match (drivers::driver(storage.kind.family()), window) {
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
                cutoff,
                run_id,
                archive: archive.clone().unwrap_or_default(),
                backup: backup.clone(),
            };
            commands = driver.steps(&ctx, r)?;
            commands.sort_by(|a, b| (a.seq, &a.id).cmp(&(b.seq, &b.id)));
        }
    }
    Ok(ArchivalDetail {
        lifecycle_name: lifecycle.name.clone(),
        lifecycle_order: lifecycle.order,
        lifecycle_storage_name: storage.name.clone(),
        storage: storage.kind.as_str().to_string(),
        archival_type: storage.object_type.clone(),
        archive_basis: storage.basis.as_str().to_string(),
        archival_object_detail: storage.detail_raw.clone(),
        starting_storage_date: dates::seed_format(storage.start),
        ending_storage_date: storage.end.map(dates::seed_format).unwrap_or_default(),
        window: window.map(|w: Window| DateRange {
            start: dates::iso(w.start),
            end: dates::iso(w.end),
        }),
        partitions: window.and_then(|_| partition_range(storage, cutoff)),
        archive_location: archive,
        backup_location: backup,
        state_dir: format!("{}.{}", lifecycle.name, storage.name),
        notes,
        commands,
    })
}

/// The partition values a storage archives by partition (see `drivers::partition_bounds`).
fn partition_range(storage: &Storage, cutoff: chrono::NaiveDate) -> Option<DateRange> {
    if storage.basis != crate::model::Basis::PartitionDate {
        return None;
    }
    let format = match &storage.detail {
        crate::model::Detail::Files(f) => &f.partition_format,
        crate::model::Detail::Metastore(m) => &m.partition_format,
        _ => return None,
    };
    let (from, until) = drivers::partition_dates(storage.start, storage.end, cutoff, format);
    (from < until).then(|| DateRange {
        start: from.format(format).to_string(),
        end: until.format(format).to_string(),
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
