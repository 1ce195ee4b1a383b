//! `archc plan --format text`: a few lines per storage, then what the change does.

use super::{range, Report, StorageReport, TableReport};

pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for table in &report.tables {
        table_text(table, &mut out);
    }
    if let Some(changes) = &report.changes {
        if changes.is_empty() {
            out.push_str("\nagainst the baseline: no change in what is archived\n");
        } else {
            out.push_str("\nagainst the baseline:\n");
            for change in changes {
                out.push_str(&format!("  {}\n", change.line));
                if !change.line_says_it() {
                    out.push_str(&format!("      {}\n", change.summary));
                }
                for line in &change.diff {
                    out.push_str(&format!("        {line}\n"));
                }
            }
        }
    }
    out
}

fn table_text(table: &TableReport, out: &mut String) {
    out.push_str(&format!(
        "{} (cutoff {}: data before it is archived; {} {} back)\n",
        table.table, table.cutoff, table.data_archive_before, table.data_archive_before_period
    ));
    for s in &table.storages {
        storage_text(s, out);
    }
}

fn storage_text(s: &StorageReport, out: &mut String) {
    out.push_str(&format!(
        "  {} (order {}) / {} [{}]: {}",
        s.lifecycle,
        s.lifecycle_order,
        s.storage,
        s.kind,
        range(s.window.as_ref())
    ));
    if let Some(p) = &s.partitions {
        out.push_str(&format!(", partitions [{}, {})", p.start, p.end));
    }
    if let (Some(archive), false) = (&s.archive_location, s.steps.is_empty()) {
        out.push_str(&format!(" -> {archive}"));
    }
    out.push('\n');
    if !s.steps.is_empty() {
        let steps: Vec<&str> = s.steps.iter().map(|k| k.as_str()).collect();
        out.push_str(&format!(
            "    {} steps ({} destructive): {}\n",
            s.steps.len(),
            s.destructive.len(),
            steps.join(", ")
        ));
    }
    for d in &s.destructive {
        out.push_str(&format!("    {} acts on {}\n", d.step.as_str(), d.acts_on));
    }
    for note in &s.notes {
        out.push_str(&format!("    note: {note}\n"));
    }
}
