//! Rule 9, against a baseline (the config on the target branch): lifecycles and storages
//! are never removed, only ended; a shorter retention needs an acknowledgement in the change.

use std::collections::BTreeMap;

use crate::diagnostics::{Code, Diagnostic, Site};
use crate::model::Period;
use crate::model::Table;

pub fn compare(baseline: &[Table], current: &[Table]) -> Vec<Diagnostic> {
    let now: BTreeMap<&str, &Table> = current.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut out = Vec::new();
    let mut old: Vec<&Table> = baseline.iter().collect();
    old.sort_by(|a, b| a.name.cmp(&b.name));
    for before in old {
        match now.get(before.name.as_str()) {
            None => out.push(
                Diagnostic::new(Code::HistoryRemoved, format!("table `{}` was removed", before.name))
                    .help("keep its file: set ending_storage_date on its storages instead; the history of what was archived where depends on it"),
            ),
            Some(after) => {
                lifecycles(before, after, &mut out);
                retention(before, after, &mut out);
            }
        }
    }
    out
}

fn lifecycles(before: &Table, after: &Table, out: &mut Vec<Diagnostic>) {
    let now_by_name: BTreeMap<&str, &crate::model::Lifecycle> = after
        .lifecycles
        .iter()
        .map(|l| (l.name.as_str(), l))
        .collect();
    for lifecycle in &before.lifecycles {
        let Some(now) = now_by_name.get(lifecycle.name.as_str()) else {
            out.push(
                Diagnostic::new(
                    Code::HistoryRemoved,
                    format!(
                        "lifecycle `{}` of table `{}` was removed",
                        lifecycle.name, after.name
                    ),
                )
                .at(Site::key(after.file, after.pointer.clone()))
                .label("its lifecycle is gone")
                .help("put it back and set ending_storage_date on its storages"),
            );
            continue;
        };
        let names: std::collections::BTreeSet<&str> =
            now.storages.iter().map(|s| s.name.as_str()).collect();
        for storage in &lifecycle.storages {
            if !names.contains(storage.name.as_str()) {
                out.push(
                    Diagnostic::new(
                        Code::HistoryRemoved,
                        format!(
                            "storage `{}` of lifecycle `{}` was removed",
                            storage.name, lifecycle.name
                        ),
                    )
                    .at(Site::key(after.file, now.pointer.clone()))
                    .label("one of its storages is gone")
                    .help(format!(
                        "put `{}` back with ending_storage_date set to the last day it held data",
                        storage.name
                    )),
                );
            }
        }
    }
}

/// Roughly how many days a retention keeps, to compare two retentions.
fn days(period: Period, count: u32) -> u64 {
    let unit = match period {
        Period::Day => 1,
        Period::Week => 7,
        Period::Month => 30,
        Period::Quarter => 91,
        Period::Year => 365,
    };
    unit * u64::from(count)
}

/// A shorter retention is an error unless this change acknowledges it: the table carries
/// `retention_shortened_acknowledged` with a text the baseline does not already have (an
/// acknowledgement left over from an earlier change does not count). Acknowledged, it
/// stays a warning, so that whoever reads check's output sees it.
fn retention(before: &Table, after: &Table, out: &mut Vec<Diagnostic>) {
    if days(after.period, after.archive_before) >= days(before.period, before.archive_before) {
        return;
    }
    let message = format!(
        "retention of `{}` shortened from {} {} to {} {}",
        after.name,
        before.archive_before,
        before.period.as_str(),
        after.archive_before,
        after.period.as_str()
    );
    let found = Diagnostic::new(Code::RetentionShortened, message)
        .at(Site::value(
            after.file,
            after.settings_pointer("data_archive_before"),
        ))
        .label("data older than this will be archived sooner");
    let acknowledged = after
        .retention_acknowledged
        .as_ref()
        .filter(|a| before.retention_acknowledged.as_ref() != Some(*a));
    out.push(match (acknowledged, &after.retention_acknowledged) {
        (Some(reason), _) => found
            .as_warning()
            .also(
                Site::value(after.file, after.settings_pointer(ACKNOWLEDGED)),
                "acknowledged here",
            )
            .help(format!("acknowledged: {reason}")),
        (None, Some(_)) => found
            .also(
                Site::value(after.file, after.settings_pointer(ACKNOWLEDGED)),
                "the baseline already has this acknowledgement",
            )
            .help(format!("an acknowledgement is for one change: write a new `{ACKNOWLEDGED}` text for this one (who approved, why)")),
        (None, None) => found.help(format!(
            "the next build archives data that is kept today: get the data owner's approval and add \
             `\"{ACKNOWLEDGED}\": \"<who approved, why>\"` to the table's settings in this change"
        )),
    });
}

const ACKNOWLEDGED: &str = "retention_shortened_acknowledged";
