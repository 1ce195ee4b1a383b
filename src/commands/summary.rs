//! `archc plan`: what each table's run would do, in a few lines per storage.

use std::collections::BTreeMap;

use crate::output::runfile::{ArchivalDetail, RunFile};

pub fn render(runs: &[RunFile]) -> String {
    let mut out = String::new();
    for run in runs {
        out.push_str(&format!(
            "{} (cutoff {}: data before it is archived; {} {} back)\n",
            run.table_name, run.cutoff, run.data_archive_before, run.data_archive_before_period
        ));
        for d in &run.archival_details {
            let window = d.window.as_ref().map_or("nothing due".to_string(), |w| {
                format!("[{}, {})", w.start, w.end)
            });
            out.push_str(&format!(
                "  {} (order {}) / {} [{}]: {}",
                d.lifecycle_name, d.lifecycle_order, d.lifecycle_storage_name, d.storage, window
            ));
            if let Some(p) = &d.partitions {
                out.push_str(&format!(", partitions [{}, {})", p.start, p.end));
            }
            if let Some(archive) = &d.archive_location {
                if !d.commands.is_empty() {
                    out.push_str(&format!(" -> {archive}"));
                }
            }
            out.push('\n');
            let destructive = d.commands.iter().filter(|c| c.destructive).count();
            if !d.commands.is_empty() {
                let steps: Vec<&str> = d
                    .commands
                    .iter()
                    .map(|c| c.command_about.as_str())
                    .collect();
                out.push_str(&format!(
                    "    {} steps ({} destructive): {}\n",
                    d.commands.len(),
                    destructive,
                    steps.join(", ")
                ));
            }
            for note in &d.notes {
                out.push_str(&format!("    note: {note}\n"));
            }
        }
    }
    out
}

/// What the change does against the baseline, planned at the same as-of time.
pub fn diff(baseline: &[RunFile], current: &[RunFile]) -> String {
    let old: BTreeMap<&str, &RunFile> = baseline
        .iter()
        .map(|r| (r.table_name.as_str(), r))
        .collect();
    let new: BTreeMap<&str, &RunFile> =
        current.iter().map(|r| (r.table_name.as_str(), r)).collect();
    let mut lines = Vec::new();
    for (name, run) in &new {
        match old.get(name) {
            None => lines.push(format!(
                "  + table {name} (new): {} storages",
                run.archival_details.len()
            )),
            Some(before) => table_diff(name, before, run, &mut lines),
        }
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        lines.push(format!("  - table {name} (no longer planned)"));
    }
    if lines.is_empty() {
        return "\nagainst the baseline: no change in what is archived\n".to_string();
    }
    format!("\nagainst the baseline:\n{}\n", lines.join("\n"))
}

fn key(d: &ArchivalDetail) -> String {
    format!("{}/{}", d.lifecycle_name, d.lifecycle_storage_name)
}

fn window(d: &ArchivalDetail) -> String {
    d.window.as_ref().map_or("nothing due".to_string(), |w| {
        format!("[{}, {})", w.start, w.end)
    })
}

fn table_diff(name: &str, before: &RunFile, after: &RunFile, lines: &mut Vec<String>) {
    if before.cutoff != after.cutoff {
        lines.push(format!(
            "  ~ table {name}: cutoff {} -> {}",
            before.cutoff, after.cutoff
        ));
    }
    let old: BTreeMap<String, &ArchivalDetail> = before
        .archival_details
        .iter()
        .map(|d| (key(d), d))
        .collect();
    let new: BTreeMap<String, &ArchivalDetail> =
        after.archival_details.iter().map(|d| (key(d), d)).collect();
    for (k, d) in &new {
        match old.get(k) {
            None => lines.push(format!("  + {name}/{k} [{}]: {}", d.storage, window(d))),
            Some(o) => {
                if window(o) != window(d) {
                    lines.push(format!(
                        "  ~ {name}/{k}: window {} -> {}",
                        window(o),
                        window(d)
                    ));
                }
                if o.archive_location != d.archive_location {
                    lines.push(format!(
                        "  ~ {name}/{k}: archive {} -> {}",
                        o.archive_location.as_deref().unwrap_or("none"),
                        d.archive_location.as_deref().unwrap_or("none")
                    ));
                }
                let changed = d
                    .commands
                    .iter()
                    .filter(|c| {
                        !o.commands
                            .iter()
                            .any(|p| p.id == c.id && p.command == c.command)
                    })
                    .count();
                if changed > 0 && window(o) == window(d) {
                    lines.push(format!(
                        "  ~ {name}/{k}: {changed} step(s) with different commands"
                    ));
                }
            }
        }
    }
    for k in old.keys().filter(|k| !new.contains_key(*k)) {
        lines.push(format!("  - {name}/{k} (removed)"));
    }
}
