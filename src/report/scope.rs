//! Where a storage's data is, and what each destructive step acts on, from a run file's
//! structured fields (never by reading the commands).

use crate::model::{Detail, StorageKind};
use crate::output::runfile::{ArchivalDetail, DateRange};
use crate::plan::step::StepKind;

fn field<'a>(d: &'a ArchivalDetail, key: &str) -> Option<&'a str> {
    d.archival_object_detail.get(key)?.as_str()
}

/// The source location as tools name it (`s3://lake/events/*.gz`, `postgres:shop.public.t`).
pub fn source(d: &ArchivalDetail) -> Option<String> {
    let kind = StorageKind::parse(&d.storage)?;
    let detail = Detail::from_value(kind, &d.archival_object_detail).ok()?;
    let location = detail.location(kind)?;
    Some(format!(
        "{}{}",
        location.tree.url(),
        location.glob.unwrap_or_default()
    ))
}

fn half_open(r: &DateRange) -> String {
    format!("[{}, {})", r.start, r.end)
}

/// The predicate or partition range a destructive step deletes or drops.
pub fn acts_on(d: &ArchivalDetail, step: StepKind) -> String {
    let Some(window) = &d.window else {
        return "nothing (no window)".to_string();
    };
    let partitions = d.partitions.as_ref().unwrap_or(window);
    let partition_column = field(d, "partition_column").unwrap_or("<partition key>");
    let source = source(d).unwrap_or_default();
    match step {
        StepKind::DropTablePartition => format!(
            "metastore partitions {partition_column} in {}",
            half_open(partitions)
        ),
        StepKind::DeleteRows | StepKind::DeleteDeltaData => {
            format!("rows of {source} WHERE {}", predicate(d, window))
        }
        StepKind::DeleteDocuments => {
            format!("documents of {source} WHERE {}", predicate(d, window))
        }
        _ if d.archive_basis == "partition_date" => format!(
            "files of partitions {partition_column} in {} under {source}",
            half_open(partitions)
        ),
        _ => format!(
            "files under {source} last modified in {}",
            half_open(window)
        ),
    }
}

fn predicate(d: &ArchivalDetail, w: &DateRange) -> String {
    let column = if d.archive_basis == "date_column" {
        field(d, "date_column").or_else(|| field(d, "date_field"))
    } else {
        field(d, "partition_column")
    }
    .unwrap_or("<partition key>");
    format!("{column} >= '{}' AND {column} < '{}'", w.start, w.end)
}
