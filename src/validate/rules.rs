//! Semantic rules over all loaded tables (SPEC validation rules 2-8 and 10).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Code, Diagnostic, Site};
use crate::input::project::Project;
use crate::model::{ArchiveRoot, Basis, Detail, Family, Shape, Storage, Table};
use crate::output::quote::is_safe_name;

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
        .help("use letters, digits, '_', '.', '-' (not starting with '.')");
        if let Some(file) = project_file {
            d = d.at(Site::value(file, "/system"));
        }
        out.push(d);
    }
    for table in tables {
        names(table, &mut out);
        traversal(table, &mut out);
        lifecycles(table, &mut out);
        for lifecycle in &table.lifecycles {
            dates(table, lifecycle, &mut out);
            for storage in &lifecycle.storages {
                storage_rules(table, storage, project, &mut out);
            }
        }
    }
    duplicate_tables(tables, &mut out);
    dependencies(tables, &mut out);
    shared_locations(tables, &mut out);
    out
}

fn names(table: &Table, out: &mut Vec<Diagnostic>) {
    let mut report = |what: &str, name: &str, location: Site| {
        if !is_safe_name(name) {
            out.push(
                Diagnostic::new(Code::UnsafeName, format!("{what} name `{name}` is not a safe path segment"))
                    .at(location)
                    .label("used in output file names")
                    .help("use letters, digits, '_', '.', '-' (not starting with '.'), at most 128 characters"),
            );
        }
    };
    let table_location = match table.shape {
        Shape::Keyed => Site::key(table.file, table.pointer.clone()),
        Shape::List => Site::value(table.file, "/table_name"),
    };
    report("table", &table.name, table_location);
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

/// Rule 2: a lifecycle name appears once per table, a storage name once per lifecycle.
fn lifecycles(table: &Table, out: &mut Vec<Diagnostic>) {
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
    for (i, a) in valid.iter().enumerate() {
        for b in &valid[i + 1..] {
            let a_end = a.end.unwrap_or(chrono::NaiveDate::MAX);
            if b.start < a_end && location_key(a) == location_key(b) {
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
    target_rules(table, storage, project, out);
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

/// Where a storage's data lives, as a key under which overlap is a prefix test: the
/// storage kind, then the location (see `Location::overlap_key`).
pub fn location_key(storage: &Storage) -> Option<String> {
    let location = storage.location()?;
    Some(format!(
        "{} {}",
        storage.kind.as_str(),
        location.tree.overlap_key()
    ))
}

/// Rule 4: no two lifecycles (of any table) point at the same or overlapping location.
fn shared_locations(tables: &[Table], out: &mut Vec<Diagnostic>) {
    let mut keyed: Vec<(String, usize, usize, usize)> = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        for (l, lifecycle) in table.lifecycles.iter().enumerate() {
            for (s, storage) in lifecycle.storages.iter().enumerate() {
                if let Some(key) = location_key(storage) {
                    keyed.push((key, t, l, s));
                }
            }
        }
    }
    keyed.sort();
    let mut open: Vec<&(String, usize, usize, usize)> = Vec::new();
    let mut reported: BTreeSet<(usize, usize, usize, usize)> = BTreeSet::new();
    for entry in &keyed {
        while open
            .last()
            .is_some_and(|top| !entry.0.starts_with(top.0.as_str()))
        {
            open.pop();
        }
        if let Some(other) = open.iter().rev().find(|o| (o.1, o.2) != (entry.1, entry.2)) {
            if reported.insert((other.1, other.2, entry.1, entry.2)) {
                out.push(shared(tables, other, entry));
            }
        }
        open.push(entry);
    }
}

fn shared(
    tables: &[Table],
    a: &(String, usize, usize, usize),
    b: &(String, usize, usize, usize),
) -> Diagnostic {
    let (ta, tb) = (&tables[a.1], &tables[b.1]);
    let (la, lb) = (&ta.lifecycles[a.2], &tb.lifecycles[b.2]);
    let (sa, sb) = (&la.storages[a.3], &lb.storages[b.3]);
    let shown = |k: &str| {
        k.split_once(' ')
            .map_or(k, |(_, l)| l)
            .trim_end()
            .to_string()
    };
    Diagnostic::new(
        Code::SharedLocation,
        format!(
            "`{}.{}.{}` and `{}.{}.{}` point at the same location ({} contains {})",
            ta.name,
            la.name,
            sa.name,
            tb.name,
            lb.name,
            sb.name,
            shown(&a.0),
            shown(&b.0)
        ),
    )
    .at(Site::key(
        tb.file,
        format!("{}/archival_object_detail", sb.pointer),
    ))
    .label("same or overlapping location")
    .also(
        Site::key(ta.file, format!("{}/archival_object_detail", sa.pointer)),
        "also used here",
    )
    .help(
        "two lifecycles must never share a storage location: archiving one would archive the other",
    )
}
