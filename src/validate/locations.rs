//! Rule 4 and its extension to every place a plan touches: sources, archives and
//! backups of every storage of every table. Two lifecycles never share a source; no
//! archive or backup lies inside, or contains, a source or another storage's archive.
//! One sort and one sweep: containment is a prefix test on `Location::overlap_key`.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Site};
use crate::input::project::Project;
use crate::model::{Location, Storage, Table};
use crate::plan::archive;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Source,
    Archive,
    Backup,
}

impl Role {
    fn noun(self) -> &'static str {
        match self {
            Role::Source => "the data",
            Role::Archive => "the archive",
            Role::Backup => "the backup",
        }
    }
}

/// One place a storage touches; `owner` is (table, lifecycle, storage) by index.
struct Place {
    key: String,
    location: Location,
    role: Role,
    owner: (usize, usize, usize),
}

/// Every place of every table (tables in parallel), sorted by containment key.
fn places(tables: &[Table], project: &Project) -> Vec<Place> {
    let mut out: Vec<Place> = tables
        .par_iter()
        .enumerate()
        .flat_map_iter(|(t, table)| table_places(t, table, project))
        .collect();
    out.par_sort_by(|a, b| (&a.key, a.role, a.owner).cmp(&(&b.key, b.role, b.owner)));
    out
}

fn table_places(t: usize, table: &Table, project: &Project) -> Vec<Place> {
    let mut out = Vec::new();
    for (l, lifecycle) in table.lifecycles.iter().enumerate() {
        for (s, storage) in lifecycle.storages.iter().enumerate() {
            let mut add = |location: Location, role| {
                out.push(Place {
                    key: location.overlap_key(),
                    location,
                    role,
                    owner: (t, l, s),
                })
            };
            for location in sources(storage) {
                add(location, Role::Source);
            }
            if let Some(a) = archive::archive_place(project, table, lifecycle, storage) {
                add(a, Role::Archive);
            }
            if let Some(b) = archive::backup_place(project, table, lifecycle, storage) {
                add(b, Role::Backup);
            }
        }
    }
    out
}

/// Where a storage's data is: its location, and a Delta table's path beside its name.
fn sources(storage: &Storage) -> Vec<Location> {
    let mut out: Vec<Location> = storage.location().map(|l| l.tree).into_iter().collect();
    if let Some(path) = storage.delta_path() {
        if !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

pub fn check(tables: &[Table], project: &Project, out: &mut Vec<Diagnostic>) {
    let places = places(tables, project);
    let mut open: Vec<&Place> = Vec::new();
    let mut reported = BTreeSet::new();
    for place in &places {
        while open.last().is_some_and(|o| !place.key.starts_with(&o.key)) {
            open.pop();
        }
        for other in &open {
            let pair = (other.owner, other.role, place.owner, place.role);
            if let Some(d) = conflict(tables, other, place).filter(|_| reported.insert(pair)) {
                out.push(d);
            }
        }
        open.push(place);
    }
}

/// `outer` contains `inner` (or both are the same place).
fn conflict(tables: &[Table], outer: &Place, inner: &Place) -> Option<Diagnostic> {
    if outer.owner != inner.owner && name(tables, outer.owner).0 == name(tables, inner.owner).0 {
        return None; // one storage defined twice: rules A006 and A010 say so
    }
    let same_lifecycle = (outer.owner.0, outer.owner.1) == (inner.owner.0, inner.owner.1);
    match (outer.role, inner.role) {
        (Role::Source, Role::Source) if same_lifecycle => None,
        (Role::Source, Role::Source) => Some(shared(tables, outer, inner)),
        _ if outer.owner == inner.owner && outer.role == inner.role => None,
        _ => Some(overlap(tables, outer, inner)),
    }
}

fn name(tables: &[Table], owner: (usize, usize, usize)) -> (String, &Table, &Storage) {
    let table = &tables[owner.0];
    let lifecycle = &table.lifecycles[owner.1];
    let storage = &lifecycle.storages[owner.2];
    (
        format!("{}.{}.{}", table.name, lifecycle.name, storage.name),
        table,
        storage,
    )
}

/// Where a place was configured: a storage's detail, or its table's archive settings.
fn site(table: &Table, storage: &Storage, role: Role) -> Site {
    match role {
        Role::Source => Site::key(
            table.file,
            format!("{}/archival_object_detail", storage.pointer),
        ),
        _ => Site::key(table.file, storage.pointer.clone()),
    }
}

fn shared(tables: &[Table], a: &Place, b: &Place) -> Diagnostic {
    let ((an, at, as_), (bn, bt, bs)) = (name(tables, a.owner), name(tables, b.owner));
    Diagnostic::new(
        Code::SharedLocation,
        format!(
            "`{an}` and `{bn}` point at the same location ({} contains {})",
            a.location.url(),
            b.location.url()
        ),
    )
    .at(site(bt, bs, b.role))
    .label("same or overlapping location")
    .also(site(at, as_, a.role), "also used here")
    .help(
        "two lifecycles must never share a storage location: archiving one would archive the other",
    )
}

fn overlap(tables: &[Table], outer: &Place, inner: &Place) -> Diagnostic {
    let ((on, ot, os), (inn, it, is)) = (name(tables, outer.owner), name(tables, inner.owner));
    let (first, second) = if inner.role == Role::Source {
        ((it, is, inner.role), (ot, os, outer.role))
    } else {
        ((ot, os, outer.role), (it, is, inner.role))
    };
    Diagnostic::new(
        Code::ArchiveOverlap,
        format!(
            "{} of `{on}` ({}) contains {} of `{inn}` ({})",
            outer.role.noun(),
            outer.location.url(),
            inner.role.noun(),
            inner.location.url()
        ),
    )
    .at(site(first.0, first.1, first.2))
    .label(first.2.noun())
    .also(
        site(second.0, second.1, second.2),
        format!("{} (archive settings of this storage)", second.2.noun()),
    )
    .help(
        "archives and backups must lie apart from every source and from each other: a later \
         run would archive the archive (and delete it), or one storage's archive would \
         overwrite another's; change target_location_bucket/_key or the archive roots",
    )
}
