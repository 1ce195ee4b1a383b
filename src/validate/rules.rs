//! Semantic rules over all loaded tables (SPEC validation rules 2-8 and 10).

use std::collections::BTreeMap;

use crate::diagnostics::{Code, Diagnostic, Site};
use crate::input::project::Project;
use crate::model::period::Granularity;
use crate::model::{ArchiveRoot, Basis, Detail, Family, Shape, Storage, StorageKind, Table};
use crate::output::quote::is_safe_name;

use rayon::prelude::*;

pub fn check_all(
    tables: &[Table],
    project: &Project,
    project_file: Option<usize>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let roots = [
        ("/archive_roots/hdfs", &project.archive_roots.hdfs),
        ("/archive_roots/local", &project.archive_roots.local),
        ("/archive_roots/dumps", &project.archive_roots.dumps),
        ("/backup_location/s3", &project.backup_location.s3),
        ("/backup_location/gcs", &project.backup_location.gcs),
        ("/backup_location/hdfs", &project.backup_location.hdfs),
        ("/backup_location/local", &project.backup_location.local),
    ];
    for (pointer, value) in roots {
        if let (Some(value), Some(file)) = (value, project_file) {
            if value.split('/').any(|seg| seg == ".." || seg == ".") {
                out.push(
                    Diagnostic::new(
                        Code::UnsafeValue,
                        format!("`{value}` has a `.` or `..` path segment"),
                    )
                    .at(Site::value(file, pointer))
                    .help("write the location without `.` and `..` segments"),
                );
            }
        }
    }
    if !is_safe_name(&project.system) {
        let mut d = Diagnostic::new(
            Code::UnsafeName,
            format!(
                "system name `{}` is not a safe path segment",
                project.system
            ),
        )
        .help("use letters and digits (any script), spaces and '_ - . + @ =' (not starting with '.', '-' or a space)");
        if let Some(file) = project_file {
            d = d.at(Site::value(file, "/system"));
        }
        out.push(d);
    }
    run_file_dir(project, project_file, &mut out);
    // Each table's own rules, tables in parallel (order kept); then the rules across tables.
    let per_table: Vec<Diagnostic> = tables
        .par_iter()
        .flat_map_iter(|table| table_rules(table, project))
        .collect();
    out.extend(per_table);
    duplicate_tables(tables, &mut out);
    dependencies(tables, &mut out);
    super::locations::check(tables, project, &mut out);
    out
}

fn table_rules(table: &Table, project: &Project) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    names(table, &project.system, &mut out);
    traversal(table, &mut out);
    lifecycles(table, &mut out);
    for lifecycle in &table.lifecycles {
        dates(table, lifecycle, &mut out);
        for storage in &lifecycle.storages {
            storage_rules(table, storage, project, &mut out);
        }
    }
    out
}

/// The longest step kind name, for the length of SQL file names.
const LONGEST_STEP: usize = "update_athena_symlink".len();
/// `{system}_archival_{table}_{YYYYMMDDHH}_run_file.json` beside the table name.
const RUN_FILE_NAME_EXTRA: usize = "_archival__2026112110_run_file.json".len();

fn names(table: &Table, system: &str, out: &mut Vec<Diagnostic>) {
    let file_name = system.len() + table.name.len() + RUN_FILE_NAME_EXTRA;
    if file_name > 255 {
        out.push(
            Diagnostic::new(
                Code::UnsafeName,
                format!("the run file name of table `{}` would be {file_name} bytes long; file systems allow 255", table.name),
            )
            .at(table_site(table))
            .help("shorten the table name (or the system name)"),
        );
    }
    for lifecycle in &table.lifecycles {
        for storage in &lifecycle.storages {
            let sql = lifecycle.name.len() + storage.name.len() + LONGEST_STEP + 6;
            if sql > 255 {
                out.push(
                    Diagnostic::new(
                        Code::UnsafeName,
                        format!("lifecycle `{}` and storage `{}` make file names of {sql} bytes; file systems allow 255", lifecycle.name, storage.name),
                    )
                    .at(Site::key(table.file, storage.pointer.clone()))
                    .help("shorten the lifecycle or storage name"),
                );
            }
        }
    }
    names_safe(table, out);
}

fn table_site(table: &Table) -> Site {
    match table.shape {
        Shape::Keyed => Site::key(table.file, table.pointer.clone()),
        Shape::List => Site::value(table.file, "/table_name"),
    }
}

fn names_safe(table: &Table, out: &mut Vec<Diagnostic>) {
    let mut report = |what: &str, name: &str, location: Site| {
        if !is_safe_name(name) {
            out.push(
                Diagnostic::new(Code::UnsafeName, format!("{what} name `{name}` is not a safe path segment"))
                    .at(location)
                    .label("used in output file names")
                    .help("use letters and digits (any script), spaces and '_ - . + @ =' (not starting with '.', '-' or a space), at most 128 characters"),
            );
        }
    };
    report("table", &table.name, table_site(table));
    for lifecycle in &table.lifecycles {
        let at = match table.shape {
            Shape::Keyed => Site::key(table.file, lifecycle.pointer.clone()),
            Shape::List => Site::value(table.file, format!("{}/lifecycle_name", lifecycle.pointer)),
        };
        report("lifecycle", &lifecycle.name, at);
        for storage in &lifecycle.storages {
            let at = match table.shape {
                Shape::Keyed => Site::key(table.file, storage.pointer.clone()),
                Shape::List => Site::value(
                    table.file,
                    storage
                        .pointer
                        .replace("/lifecycle_storage_details", "/lifecycle_storage_name"),
                ),
            };
            report("lifecycle storage", &storage.name, at);
        }
    }
    for (i, dep) in table.depends_on.iter().enumerate() {
        report(
            "dependency",
            dep,
            Site::value(table.file, format!("{}/depends_on/{i}", table.pointer)),
        );
    }
}

/// Rule 10: a location never climbs out of where it points (`..` or `.` segments).
fn traversal(table: &Table, out: &mut Vec<Diagnostic>) {
    let climbs = |v: &str| v.split('/').any(|seg| seg == ".." || seg == ".");
    let mut report = |pointer: String, value: &str| {
        out.push(
            Diagnostic::new(
                Code::UnsafeValue,
                format!("`{value}` has a `.` or `..` path segment"),
            )
            .at(Site::value(table.file, pointer))
            .label("locations must name their directory directly")
            .help("write the location without `.` and `..` segments"),
        );
    };
    if climbs(&table.target_key) {
        report(
            table.settings_pointer("target_location_key"),
            &table.target_key,
        );
    }
    for storage in table.lifecycles.iter().flat_map(|l| &l.storages) {
        if let Some(detail) = storage.detail_raw.as_object() {
            for key in ["key_name", "path", "location"] {
                if let Some(value) = detail
                    .get(key)
                    .and_then(|v| v.as_str())
                    .filter(|v| climbs(v))
                {
                    report(
                        format!("{}/archival_object_detail/{key}", storage.pointer),
                        value,
                    );
                }
            }
        }
    }
}

/// `run_file_dir` names a directory below `--out`: no absolute path, no `.` or `..`.
fn run_file_dir(project: &Project, file: Option<usize>, out: &mut Vec<Diagnostic>) {
    let dir = &project.run_file_dir;
    let bad = dir.starts_with('/') || dir.split('/').any(|seg| matches!(seg, "" | "." | ".."));
    if let (true, Some(file)) = (bad, file) {
        out.push(
            Diagnostic::new(
                Code::UnsafeValue,
                format!("run_file_dir `{dir}` must name a directory below the output directory"),
            )
            .at(Site::value(file, "/run_file_dir"))
            .help("write a relative path without `.`, `..` or empty segments, e.g. `runs`"),
        );
    }
}

/// Step ids and state directories are `{lifecycle}.{storage}`: two pairs that spell the
/// same (`raw` + `eu.fr` and `raw.eu` + `fr`) would share a journal.
fn id_collisions(table: &Table, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, (&str, &Storage)> = BTreeMap::new();
    for lifecycle in &table.lifecycles {
        for storage in &lifecycle.storages {
            let id = format!("{}.{}", lifecycle.name, storage.name);
            if let Some((first_lifecycle, first)) = seen.get(&id) {
                // The same names twice are rule 2's (A010); this is about different names.
                if *first_lifecycle != lifecycle.name {
                    out.push(
                        Diagnostic::new(
                            Code::IdCollision,
                            format!("two storages of table `{}` have the step id prefix `{id}`", table.name),
                        )
                        .at(Site::key(table.file, storage.pointer.clone()))
                        .label("this lifecycle.storage")
                        .also(Site::key(table.file, first.pointer.clone()), "spells the same as this one")
                        .help("rename one of the lifecycles or storages so that no `lifecycle.storage` pair spells another"),
                    );
                }
            } else {
                seen.insert(id, (&lifecycle.name, storage));
            }
        }
    }
}

/// Rule 2: a lifecycle name appears once per table, a storage name once per lifecycle.
fn lifecycles(table: &Table, out: &mut Vec<Diagnostic>) {
    id_collisions(table, out);
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for lifecycle in &table.lifecycles {
        if let Some(first) = seen.insert(&lifecycle.name, &lifecycle.pointer) {
            out.push(
                Diagnostic::new(
                    Code::Lifecycle,
                    format!("lifecycle `{}` is defined twice", lifecycle.name),
                )
                .at(Site::value(
                    table.file,
                    format!("{}/lifecycle_name", lifecycle.pointer),
                ))
                .label("second definition")
                .also(
                    Site::value(table.file, format!("{first}/lifecycle_name")),
                    "first definition",
                ),
            );
        }
        let mut storages: BTreeMap<&str, &str> = BTreeMap::new();
        for storage in &lifecycle.storages {
            if let Some(first) = storages.insert(&storage.name, &storage.pointer) {
                out.push(
                    Diagnostic::new(
                        Code::Lifecycle,
                        format!(
                            "lifecycle storage `{}` appears twice in lifecycle `{}`",
                            storage.name, lifecycle.name
                        ),
                    )
                    .at(Site::value(
                        table.file,
                        storage_name_pointer(&storage.pointer),
                    ))
                    .label("second definition")
                    .also(
                        Site::value(table.file, storage_name_pointer(first)),
                        "first definition",
                    ),
                );
            }
        }
    }
}

/// In the list shape a storage's name is a sibling of its details.
fn storage_name_pointer(details: &str) -> String {
    details.replace("/lifecycle_storage_details", "/lifecycle_storage_name")
}

/// Rule 5: each range runs forward; same-location ranges do not overlap; gaps are warned.
fn dates(table: &Table, lifecycle: &crate::model::Lifecycle, out: &mut Vec<Diagnostic>) {
    let mut valid: Vec<&Storage> = Vec::new();
    for storage in &lifecycle.storages {
        match storage.end {
            Some(end) if end < storage.start => out.push(
                Diagnostic::new(
                    Code::DateRange,
                    format!(
                        "`{}` ends ({end}) before it starts ({})",
                        storage.name, storage.start
                    ),
                )
                .at(Site::value(
                    table.file,
                    format!("{}/ending_storage_date", storage.pointer),
                ))
                .label("before starting_storage_date")
                .also(
                    Site::value(
                        table.file,
                        format!("{}/starting_storage_date", storage.pointer),
                    ),
                    "starts here",
                ),
            ),
            _ => valid.push(storage),
        }
    }
    valid.sort_by_key(|s| (s.start, s.end.is_none(), s.end));
    // Per location, one sweep in start order: a storage that starts before the latest
    // end seen so far overlaps the storage that ends there.
    let mut by_place: BTreeMap<(StorageKind, String), &Storage> = BTreeMap::new();
    for b in &valid {
        let Some(place) = b.location().map(|l| (b.kind, l.tree.overlap_key())) else {
            continue;
        };
        let end = |s: &Storage| s.end.unwrap_or(chrono::NaiveDate::MAX);
        match by_place.get(&place) {
            Some(a) if b.start < end(a) => {
                out.push(
                    Diagnostic::new(
                        Code::DateOverlap,
                        format!(
                            "`{}` and `{}` cover overlapping dates at the same location in lifecycle `{}`",
                            a.name, b.name, lifecycle.name
                        ),
                    )
                    .at(Site::value(table.file, format!("{}/starting_storage_date", b.pointer)))
                    .label(format!("starts before `{}` ends", a.name))
                    .also(Site::value(table.file, format!("{}/ending_storage_date", a.pointer)), "ends here")
                    .help("the same data would be archived twice; end one range where the other starts"),
                );
                if end(b) > end(a) {
                    by_place.insert(place, b);
                }
            }
            _ => {
                by_place.insert(place, b);
            }
        }
    }
    let mut covered_until: Option<chrono::NaiveDate> = None;
    for storage in &valid {
        if let Some(until) = covered_until {
            if storage.start > until {
                out.push(
                    Diagnostic::new(
                        Code::DateGap,
                        format!(
                            "lifecycle `{}` has no storage from {until} until {} (before `{}`)",
                            lifecycle.name, storage.start, storage.name
                        ),
                    )
                    .at(Site::value(table.file, format!("{}/starting_storage_date", storage.pointer)))
                    .label("gap before this start")
                    .help("if data was kept elsewhere in that period, add that storage with its dates"),
                );
            }
        }
        let end = storage.end.unwrap_or(chrono::NaiveDate::MAX);
        covered_until = Some(covered_until.map_or(end, |u| u.max(end)));
    }
}

fn storage_rules(table: &Table, storage: &Storage, project: &Project, out: &mut Vec<Diagnostic>) {
    let at_detail = |key: &str| {
        Site::value(
            table.file,
            format!("{}/archival_object_detail{key}", storage.pointer),
        )
    };
    if let Some(message) = basis_problem(storage).filter(|_| !storage.kind.spec().bases.is_empty())
    {
        let pointer = format!("{}/archive_basis", storage.pointer);
        out.push(
            Diagnostic::new(Code::ArchiveBasis, message)
                .at(Site::key(table.file, pointer))
                .help("partition_date: file stores with partition_column, glue, hive, delta; file_creation_date: s3, gcs, hdfs, local; date_column: delta, postgres, mysql, elasticsearch"),
        );
    }
    if let Detail::Delta(delta) = &storage.detail {
        let on_object_store = delta.path.as_deref().is_some_and(|p| {
            ["s3://", "s3a://", "gs://", "hdfs://"]
                .iter()
                .any(|s| p.starts_with(s))
        });
        if delta.table_name.is_none() && !on_object_store {
            out.push(
                Diagnostic::new(
                    Code::DeltaMetastore,
                    format!("delta storage `{}` has no metastore table and its path is not on S3, GCS or HDFS", storage.name),
                )
                .at(at_detail(""))
                .help("add `table_name` (its Glue/Athena/Hive definition) or a `path` on s3://, gs:// or hdfs://"),
            );
        }
        if let Some(hours) = delta.vacuum_retain_hours {
            if hours < 168 && !delta.allow_short_vacuum_retention {
                out.push(
                    Diagnostic::new(Code::Retention, format!("VACUUM retention of {hours} hours is below 168 hours"))
                        .at(at_detail("/vacuum_retain_hours"))
                        .help("set `allow_short_vacuum_retention: true` to accept losing time travel and concurrent readers"),
                );
            }
        }
    }
    if storage.kind.family() == Family::Stream {
        out.push(
            Diagnostic::new(
                Code::KafkaNoop,
                format!("kafka storage `{}` has nothing to archive", storage.name),
            )
            .at(Site::value(
                table.file,
                format!("{}/storage", storage.pointer),
            ))
            .label("topic retention removes old records")
            .help("archc emits no commands for it; set retention.ms on the topic instead"),
        );
    }
    partition_split(table, storage, out);
    target_rules(table, storage, project, out);
}

/// A storage whose start or end date falls inside a partition period (monthly partitions,
/// a storage ending on the 15th): that partition is archived by this storage from its own
/// location, and by the neighbouring storage from its own. Worth knowing; not an error.
fn partition_split(table: &Table, storage: &Storage, out: &mut Vec<Diagnostic>) {
    let format = match &storage.detail {
        Detail::Files(f) if storage.basis == Basis::PartitionDate => &f.partition_format,
        Detail::Metastore(m) => &m.partition_format,
        _ => return,
    };
    let g = Granularity::of_format(format);
    for (date, key) in [
        (Some(storage.start), "starting_storage_date"),
        (storage.end, "ending_storage_date"),
    ] {
        let Some(date) = date.filter(|d| g.splits(*d)) else {
            continue;
        };
        let partition = g.floor(date).format(format);
        out.push(
            Diagnostic::new(
                Code::PartitionSplit,
                format!(
                    "`{}` {} on {date}, inside partition {partition} ({format})",
                    storage.name,
                    if key == "ending_storage_date" { "ends" } else { "starts" }
                ),
            )
            .at(Site::value(table.file, format!("{}/{key}", storage.pointer)))
            .label("inside a partition period")
            .help(format!(
                "this storage archives its own {partition} partition once the whole period is before the cutoff; a storage on the other side of this date archives its own; align the date to the partition period to avoid the split"
            )),
        );
    }
}

fn basis_problem(storage: &Storage) -> Option<String> {
    let name = &storage.name;
    let kind = storage.kind.as_str();
    let basis = storage.basis;
    if !storage.kind.supports(basis) {
        return Some(match basis {
            Basis::DateColumn => format!(
                "`{name}` ({kind}) cannot be archived by a date column: only delta tables and databases can"
            ),
            Basis::FileCreationDate => format!(
                "`{name}` ({kind}) cannot be archived by file creation date: only file storages can"
            ),
            Basis::PartitionDate => format!("`{name}` ({kind}) has no partitions to archive by"),
        });
    }
    match (basis, &storage.detail) {
        (Basis::DateColumn, Detail::Delta(d)) if d.date_column.is_none() => Some(format!(
            "`{name}` uses date_column basis but names no `date_column`"
        )),
        (Basis::PartitionDate, Detail::Files(f)) if f.partition_column.is_none() => Some(format!(
            "`{name}` uses partition_date basis but names no `partition_column`"
        )),
        _ => None,
    }
}

/// The archive target must be known for every storage that archives something.
fn target_rules(table: &Table, storage: &Storage, project: &Project, out: &mut Vec<Diagnostic>) {
    let Some(root) = storage.archive_root() else {
        return;
    };
    let missing = crate::plan::archive::root(project, table, storage, root)
        .is_none()
        .then_some(match root {
            ArchiveRoot::S3Bucket | ArchiveRoot::GcsBucket => "target_location_bucket",
            ArchiveRoot::Hdfs => "archive_roots.hdfs (archc.json)",
            ArchiveRoot::Local => "archive_roots.local (archc.json)",
            ArchiveRoot::Dumps => "archive_roots.dumps (archc.json)",
            ArchiveRoot::Snapshot => "snapshot_repository",
        });
    if let Some(what) = missing {
        out.push(
            Diagnostic::new(
                Code::ArchiveLocation,
                format!(
                    "storage `{}` ({}) needs an archive location: `{what}` is not set",
                    storage.name,
                    storage.kind.as_str()
                ),
            )
            .at(Site::key(table.file, storage.pointer.clone()))
            .help("set it in the table or in the project file archc.json"),
        );
    }
    let key = &table.target_key;
    if let Some(i) = key.find("{partition}") {
        if i + "{partition}".len() < key.trim_end_matches('/').len() {
            out.push(
                Diagnostic::new(
                    Code::ArchiveLocation,
                    "`{partition}` must be the last part of target_location_key",
                )
                .at(Site::value(
                    table.file,
                    table.settings_pointer("target_location_key"),
                )),
            );
        }
    }
}

fn duplicate_tables(tables: &[Table], out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, &Table> = BTreeMap::new();
    for table in tables {
        if let Some(first) = seen.insert(&table.name, table) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateTable,
                    format!("table `{}` is defined in two files", table.name),
                )
                .at(Site::key(table.file, table.pointer.clone()))
                .label("second definition")
                .also(
                    Site::key(first.file, first.pointer.clone()),
                    "first definition",
                ),
            );
        }
    }
}

/// Rule 3: dependencies name known tables and form no cycle.
fn dependencies(tables: &[Table], out: &mut Vec<Diagnostic>) {
    let by_name: BTreeMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), t)).collect();
    for table in tables {
        for (i, dep) in table.depends_on.iter().enumerate() {
            if !by_name.contains_key(dep.as_str()) {
                out.push(
                    Diagnostic::new(
                        Code::UnknownDependency,
                        format!("table `{}` depends on unknown table `{dep}`", table.name),
                    )
                    .at(Site::value(
                        table.file,
                        format!("{}/depends_on/{i}", table.pointer),
                    ))
                    .label("no table file defines this table"),
                );
            }
        }
    }
    for cycle in super::dag::cycles(tables) {
        let first = by_name[cycle[0].as_str()];
        let path = cycle
            .iter()
            .chain(std::iter::once(&cycle[0]))
            .cloned()
            .collect::<Vec<_>>()
            .join(" -> ");
        out.push(
            Diagnostic::new(
                Code::DependencyCycle,
                format!("table dependencies form a cycle: {path}"),
            )
            .at(Site::key(first.file, first.settings_pointer("depends_on")))
            .label("part of the cycle")
            .help("archival order must be a DAG: remove one of these dependencies"),
        );
    }
}
