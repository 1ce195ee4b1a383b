//! `archc plan --format markdown`: for a pull request comment. What the change does, then
//! per changed table a Mermaid gantt chart of its storages' dates with the cutoff marked,
//! and a table of its storages.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::diff::{intersect, minus};
use super::{range, Change, Report, StorageReport, TableReport};
use crate::output::runfile::DateRange;

pub fn markdown(report: &Report) -> String {
    let mut out = header(report);
    match &report.changes {
        None => {
            for table in &report.tables {
                table_section(report, table, None, &mut out);
            }
        }
        Some(changes) => {
            change_list(changes, &mut out);
            let changed: BTreeSet<&str> = changes.iter().map(|c| c.table.as_str()).collect();
            let (touched, untouched): (Vec<&TableReport>, Vec<&TableReport>) = report
                .tables
                .iter()
                .partition(|t| changed.contains(t.table.as_str()));
            for table in touched {
                let before = report.baseline.iter().find(|b| b.table == table.table);
                table_section(report, table, Some(before), &mut out);
            }
            unchanged(&untouched, &mut out);
        }
    }
    out
}

fn header(report: &Report) -> String {
    let storages = report.tables.iter().flat_map(|t| &t.storages);
    let destructive: usize = storages.clone().map(|s| s.destructive.len()).sum();
    format!(
        "## archc plan\n\nAs of {}: {} tables, {} storages, {destructive} destructive steps.\n\n",
        report.as_of,
        report.tables.len(),
        storages.count()
    )
}

/// One sentence per change; SQL changes with their lines as a `diff` block.
fn change_list(changes: &[Change], out: &mut String) {
    out.push_str("### What this change does\n\n");
    if changes.is_empty() {
        out.push_str("No change in what is archived.\n\n");
    }
    for change in changes {
        out.push_str(&format!("- {}\n", cell(&change.summary)));
        if !change.diff.is_empty() {
            out.push_str(&format!(
                "\n  ```diff\n  {}\n  ```\n\n",
                change.diff.join("\n  ")
            ));
        }
    }
    out.push('\n');
}

fn unchanged(tables: &[&TableReport], out: &mut String) {
    if tables.is_empty() {
        return;
    }
    out.push_str(&format!(
        "<details><summary>Unchanged tables ({})</summary>\n\n",
        tables.len()
    ));
    for table in tables {
        storages_table(table, out);
    }
    out.push_str("</details>\n");
}

/// `compare`: `None` without a baseline, `Some(None)` for a table the baseline lacks.
fn table_section(
    report: &Report,
    table: &TableReport,
    compare: Option<Option<&TableReport>>,
    out: &mut String,
) {
    out.push_str(&format!("### {}\n\n", table.table));
    out.push_str(&format!(
        "Cutoff **{}** ({} {} back): data before it is archived.\n\n",
        table.cutoff, table.data_archive_before, table.data_archive_before_period
    ));
    if let Some(as_of) = report.as_of_date() {
        out.push_str(&gantt(table, compare, as_of));
    }
    storages_table(table, out);
}

fn storages_table(table: &TableReport, out: &mut String) {
    out.push_str(&format!(
        "| {} storage | kind | source | window | partitions | archive | destructive steps |\n\
         |---|---|---|---|---|---|---|\n",
        cell(&table.table)
    ));
    for s in &table.storages {
        let destructive: Vec<String> = s
            .destructive
            .iter()
            .map(|d| format!("`{}`: {}", d.step.as_str(), cell(&d.acts_on)))
            .collect();
        let code = |v: &Option<String>| {
            v.as_ref()
                .map_or(String::new(), |v| format!("`{}`", cell(v)))
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&s.key()),
            s.kind,
            code(&s.source),
            range(s.window.as_ref()),
            s.partitions
                .as_ref()
                .map_or(String::new(), |p| range(Some(p))),
            code(&s.archive_location.clone().filter(|_| !s.steps.is_empty())),
            destructive.join("<br>")
        ));
    }
    out.push('\n');
}

/// Text for a table cell or a list item: no line breaks, no column separators.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn gantt(table: &TableReport, compare: Option<Option<&TableReport>>, as_of: NaiveDate) -> String {
    let before = compare.flatten();
    let moved = before.filter(|b| b.cutoff != table.cutoff);
    let was = moved.map_or(String::new(), |b| format!(" (was {})", b.cutoff));
    let mut out = format!(
        "```mermaid\ngantt\n    title {} cutoff {}{was}\n    dateFormat YYYY-MM-DD\n    \
         axisFormat %Y-%m\n    todayMarker off\n",
        table.table, table.cutoff
    );
    for key in storage_keys(table, before) {
        let (now, was) = (find(Some(table), &key), find(before, &key));
        out.push_str(&format!("    section {key}\n"));
        for (label, tag, r) in bars(now, was, compare.is_some(), as_of) {
            out.push_str(&format!("    {label} :{tag}{}, {}\n", r.start, r.end));
        }
    }
    let cutoff = &table.cutoff;
    out.push_str(&format!(
        "    section cutoff\n    cutoff {cutoff} :milestone, crit, {cutoff}, 0d\n"
    ));
    if let Some(b) = moved {
        let old = &b.cutoff;
        out.push_str(&format!(
            "    baseline cutoff {old} :milestone, {old}, 0d\n"
        ));
    }
    out.push_str("```\n\n");
    out
}

/// The table's storages, then those only the baseline has.
fn storage_keys(table: &TableReport, before: Option<&TableReport>) -> Vec<String> {
    let mut keys: Vec<String> = table.storages.iter().map(StorageReport::key).collect();
    for s in before.map_or(&[][..], |b| &b.storages[..]) {
        if !keys.contains(&s.key()) {
            keys.push(s.key());
        }
    }
    keys
}

fn find<'a>(table: Option<&'a TableReport>, key: &str) -> Option<&'a StorageReport> {
    table.and_then(|t| t.storages.iter().find(|s| s.key() == key))
}

/// What archc archives of a storage (a kafka storage's window is topic retention's).
fn archived(s: Option<&StorageReport>) -> Option<&DateRange> {
    s.filter(|s| !s.steps.is_empty())
        .and_then(|s| s.window.as_ref())
}

/// The storage's own dates; an open end is the as-of day.
fn life(s: &StorageReport, as_of: NaiveDate) -> Option<DateRange> {
    let end = s
        .ending_storage_date
        .clone()
        .unwrap_or_else(|| as_of.format("%Y-%m-%d").to_string());
    (s.starting_storage_date < end).then(|| DateRange {
        start: s.starting_storage_date.clone(),
        end,
    })
}

type Bar = (&'static str, &'static str, DateRange);

fn bars(
    now: Option<&StorageReport>,
    was: Option<&StorageReport>,
    compare: bool,
    as_of: NaiveDate,
) -> Vec<Bar> {
    let (a, b) = (archived(now), archived(was));
    let mut out: Vec<Bar> = Vec::new();
    let mut push = |label, tag, ranges: Vec<DateRange>| {
        out.extend(ranges.into_iter().map(|r| (label, tag, r)));
    };
    if compare {
        push("archived", "done, ", intersect(a, b).into_iter().collect());
        push("newly archived", "crit, ", minus(a, b));
        push("no longer archived", "active, ", minus(b, a));
    } else {
        push("archived", "done, ", a.cloned().into_iter().collect());
    }
    let whole = now.or(was).and_then(|s| life(s, as_of));
    let kept: Vec<DateRange> = minus(whole.as_ref(), a)
        .iter()
        .flat_map(|r| minus(Some(r), b.filter(|_| compare)))
        .collect();
    push("kept", "", kept);
    out.sort_by(|x, y| x.2.start.cmp(&y.2.start));
    out
}
