//! Where each storage's archive and backup live.

use crate::input::project::Project;
use crate::model::{ArchiveRoot, Lifecycle, Location, Scheme, Storage, Table};

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

/// The configured root of one kind of archive, when it is set.
pub fn root(
    project: &Project,
    table: &Table,
    storage: &Storage,
    root: ArchiveRoot,
) -> Option<String> {
    let roots = &project.archive_roots;
    match root {
        ArchiveRoot::S3Bucket => table.target_bucket.as_ref().map(|b| format!("s3://{b}")),
        ArchiveRoot::GcsBucket => table.target_bucket.as_ref().map(|b| format!("gs://{b}")),
        ArchiveRoot::Hdfs => roots.hdfs.clone(),
        ArchiveRoot::Local => roots.local.clone(),
        ArchiveRoot::Dumps => roots.dumps.clone(),
        ArchiveRoot::Snapshot => match &storage.detail {
            crate::model::Detail::Search(es) => {
                Some(format!("snapshot:{}", es.snapshot_repository))
            }
            _ => None,
        },
    }
}

/// The archive location of a storage (`None`: nothing to archive, or no root configured).
pub fn archive_location(
    project: &Project,
    table: &Table,
    lifecycle: &Lifecycle,
    storage: &Storage,
) -> Option<String> {
    let kind = storage.archive_root()?;
    let base = root(project, table, storage, kind)?;
    if kind == ArchiveRoot::Snapshot {
        return Some(base);
    }
    let key = archive_key(table, lifecycle, storage);
    Some(format!("{}/{key}", base.trim_end_matches('/')))
}

/// The backup location of a storage, when the project has a backup root for its kind.
pub fn backup_location(
    project: &Project,
    table: &Table,
    lifecycle: &Lifecycle,
    storage: &Storage,
) -> Option<String> {
    let b = &project.backup_location;
    let root = match storage.archive_root()? {
        ArchiveRoot::S3Bucket => b.s3.as_deref(),
        ArchiveRoot::GcsBucket => b.gcs.as_deref(),
        ArchiveRoot::Hdfs => b.hdfs.as_deref(),
        ArchiveRoot::Local => b.local.as_deref(),
        ArchiveRoot::Dumps | ArchiveRoot::Snapshot => None,
    }?;
    Some(format!(
        "{}/{}/{}/{}/",
        root.trim_end_matches('/'),
        table.name,
        lifecycle.name,
        storage.name
    ))
}

/// The scheme a root's bare paths are in.
fn scheme_of(root: ArchiveRoot) -> Scheme {
    match root {
        ArchiveRoot::S3Bucket => Scheme::S3,
        ArchiveRoot::GcsBucket => Scheme::Gs,
        ArchiveRoot::Hdfs => Scheme::Hdfs,
        ArchiveRoot::Local | ArchiveRoot::Dumps | ArchiveRoot::Snapshot => Scheme::File,
    }
}

/// The archive as a place, for the overlap rules (snapshot repositories are a namespace
/// of their own: their snapshots are named apart).
pub fn archive_place(
    project: &Project,
    table: &Table,
    lifecycle: &Lifecycle,
    storage: &Storage,
) -> Option<Location> {
    let root = storage.archive_root()?;
    if root == ArchiveRoot::Snapshot {
        return None;
    }
    let text = archive_location(project, table, lifecycle, storage)?;
    Location::parse(&text, scheme_of(root)).ok()
}

/// The backup as a place, for the overlap rules.
pub fn backup_place(
    project: &Project,
    table: &Table,
    lifecycle: &Lifecycle,
    storage: &Storage,
) -> Option<Location> {
    let text = backup_location(project, table, lifecycle, storage)?;
    Location::parse(&text, scheme_of(storage.archive_root()?)).ok()
}
