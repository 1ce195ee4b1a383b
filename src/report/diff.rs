//! What a config change does to the plan: the baseline's and the change's run files,
//! planned at the same as-of time, compared table by table and storage by storage.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::{range, scope};
use crate::output::runfile::{ArchivalDetail, DateRange, RunFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    TableAdded,
    TableRemoved,
    Cutoff,
    StorageAdded,
    StorageRemoved,
    Window,
    Basis,
    Source,
    Detail,
    Archive,
    ActsOn,
    Sql,
    Commands,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub table: String,
    /// `lifecycle/storage`, for a change to one storage.
    pub storage: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Dates archived with the change that were not before it, and the reverse.
    pub newly_archived: Vec<DateRange>,
    pub no_longer_archived: Vec<DateRange>,
    /// For SQL: the lines that go (`- `) and come (`+ `).
    pub diff: Vec<String>,
    /// One sentence for a reviewer: "this change newly archives ...".
    pub summary: String,
    /// The terse line of the text format: `~ events/raw/s3: window ... -> ...`.
    #[serde(skip)]
    pub line: String,
}

impl Change {
    /// Whether the terse line says all (the text format then leaves the sentence out).
    pub fn line_says_it(&self) -> bool {
        matches!(
            self.kind,
            ChangeKind::Basis
                | ChangeKind::Detail
                | ChangeKind::ActsOn
                | ChangeKind::Sql
                | ChangeKind::Commands
        )
    }

    fn new(kind: ChangeKind, table: &str, line: String, summary: String) -> Self {
        Change {
            kind,
            table: table.to_string(),
            storage: None,
            before: None,
            after: None,
            newly_archived: Vec::new(),
            no_longer_archived: Vec::new(),
            diff: Vec::new(),
            summary,
            line,
        }
    }

    fn of(mut self, storage: &str) -> Self {
        self.storage = Some(storage.to_string());
        self
    }

    fn was_is(mut self, before: Option<String>, after: Option<String>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

pub fn changes(baseline: &[RunFile], current: &[RunFile]) -> Vec<Change> {
    let old: BTreeMap<&str, &RunFile> = baseline
        .iter()
        .map(|r| (r.table_name.as_str(), r))
        .collect();
    let new: BTreeMap<&str, &RunFile> =
        current.iter().map(|r| (r.table_name.as_str(), r)).collect();
    let mut out = Vec::new();
    for (name, run) in &new {
        match old.get(name) {
            None => {
                out.push(Change::new(
                    ChangeKind::TableAdded,
                    name,
                    format!(
                        "+ table {name} (new): {} storages",
                        run.archival_details.len()
                    ),
                    format!("this change adds table {name}"),
                ));
                for d in &run.archival_details {
                    out.push(added(name, d));
                }
            }
            Some(before) => table(name, before, run, &mut out),
        }
    }
    for (name, run) in old.iter().filter(|(n, _)| !new.contains_key(*n)) {
        out.push(Change::new(
            ChangeKind::TableRemoved,
            name,
            format!("- table {name} (no longer planned)"),
            format!("this change removes table {name}: archc no longer archives it"),
        ));
        for d in &run.archival_details {
            out.push(removed(name, d));
        }
    }
    out
}

fn key(d: &ArchivalDetail) -> String {
    format!("{}/{}", d.lifecycle_name, d.lifecycle_storage_name)
}

fn table(name: &str, before: &RunFile, after: &RunFile, out: &mut Vec<Change>) {
    if before.cutoff != after.cutoff {
        out.push(
            Change::new(
                ChangeKind::Cutoff,
                name,
                format!(
                    "~ table {name}: cutoff {} -> {}",
                    before.cutoff, after.cutoff
                ),
                format!(
                    "this change moves the cutoff of {name} from {} to {}",
                    before.cutoff, after.cutoff
                ),
            )
            .was_is(Some(before.cutoff.clone()), Some(after.cutoff.clone())),
        );
    }
    let old: BTreeMap<String, &ArchivalDetail> = before
        .archival_details
        .iter()
        .map(|d| (key(d), d))
        .collect();
    for d in &after.archival_details {
        match old.get(&key(d)) {
            None => out.push(added(name, d)),
            Some(o) => storage(name, o, d, out),
        }
    }
    let now: BTreeSet<String> = after.archival_details.iter().map(key).collect();
    for d in before
        .archival_details
        .iter()
        .filter(|d| !now.contains(&key(d)))
    {
        out.push(removed(name, d));
    }
}

fn added(table: &str, d: &ArchivalDetail) -> Change {
    let path = format!("{table}/{}", key(d));
    let newly: Vec<DateRange> = d.window.iter().cloned().collect();
    let summary = match newly.first() {
        Some(w) => format!(
            "this change newly archives {path} from {} to {}",
            w.start, w.end
        ),
        None => format!("this change adds {path}; nothing of it is due before the cutoff"),
    };
    let mut change = Change::new(
        ChangeKind::StorageAdded,
        table,
        format!("+ {path} [{}]: {}", d.storage, range(d.window.as_ref())),
        summary,
    )
    .of(&key(d));
    change.newly_archived = newly;
    change
}

fn removed(table: &str, d: &ArchivalDetail) -> Change {
    let path = format!("{table}/{}", key(d));
    let mut change = Change::new(
        ChangeKind::StorageRemoved,
        table,
        format!("- {path} (removed)"),
        format!("this change removes {path}: archc no longer archives it"),
    )
    .of(&key(d));
    change.no_longer_archived = d.window.iter().cloned().collect();
    change
}

fn storage(table: &str, o: &ArchivalDetail, d: &ArchivalDetail, out: &mut Vec<Change>) {
    let path = format!("{table}/{}", key(d));
    let mut found = Vec::new();
    if o.window != d.window {
        found.push(window(table, &path, o, d));
    }
    let (from, to) = (scope::source(o), scope::source(d));
    let moved = from != to;
    let basis = (Some(o.archive_basis.clone()), Some(d.archive_basis.clone()));
    found.extend(changed(table, &path, ChangeKind::Basis, basis));
    found.extend(changed(table, &path, ChangeKind::Source, (from, to)));
    found.extend(details(table, &path, o, d, moved));
    let archive = (o.archive_location.clone(), d.archive_location.clone());
    found.extend(changed(table, &path, ChangeKind::Archive, archive));
    found.extend(acts_on(table, &path, o, d));
    found.extend(sql(table, &path, o, d));
    found.extend(commands(table, &path, o, d));
    out.extend(found.into_iter().map(|c| c.of(&key(d))));
}

/// A storage's basis, source or archive location, when the change sets another.
fn changed(
    table: &str,
    path: &str,
    kind: ChangeKind,
    (before, after): (Option<String>, Option<String>),
) -> Option<Change> {
    if before == after {
        return None;
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
    let (a, b) = (show(&before), show(&after));
    let (line, summary) = match kind {
        ChangeKind::Basis => (
            format!("~ {path}: archive basis {a} -> {b}"),
            format!("this change archives {path} by {b} instead of {a}"),
        ),
        ChangeKind::Source => (
            format!("~ {path}: source {a} -> {b}"),
            format!("this change moves {path} from {a} to {b}: archc now copies and deletes there"),
        ),
        _ => (
            format!("~ {path}: archive {a} -> {b}"),
            format!("this change moves the archive of {path} from {a} to {b}"),
        ),
    };
    Some(Change::new(kind, table, line, summary).was_is(before, after))
}

type Span = (NaiveDate, NaiveDate);

fn span(r: &DateRange) -> Option<Span> {
    let day = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
    Some((day(&r.start)?, day(&r.end)?))
}

/// The days of `a` that are not in `b`, as half-open ranges.
pub fn minus(a: Option<&DateRange>, b: Option<&DateRange>) -> Vec<DateRange> {
    let Some(a) = a.and_then(span) else {
        return Vec::new();
    };
    let pieces = match b.and_then(span) {
        Some(b) if b.0 < a.1 && a.0 < b.1 => vec![(a.0, b.0), (b.1, a.1)],
        _ => vec![a],
    };
    pieces
        .into_iter()
        .filter(|(s, e)| s < e)
        .map(|(s, e)| DateRange {
            start: s.format("%Y-%m-%d").to_string(),
            end: e.format("%Y-%m-%d").to_string(),
        })
        .collect()
}

/// The days in both, if any.
pub fn intersect(a: Option<&DateRange>, b: Option<&DateRange>) -> Option<DateRange> {
    let (a, b) = (a.and_then(span)?, b.and_then(span)?);
    let (start, end) = (a.0.max(b.0), a.1.min(b.1));
    (start < end).then(|| DateRange {
        start: start.format("%Y-%m-%d").to_string(),
        end: end.format("%Y-%m-%d").to_string(),
    })
}

fn spans(ranges: &[DateRange]) -> String {
    ranges
        .iter()
        .map(|r| format!("from {} to {}", r.start, r.end))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn window(table: &str, path: &str, o: &ArchivalDetail, d: &ArchivalDetail) -> Change {
    let newly = minus(d.window.as_ref(), o.window.as_ref());
    let gone = minus(o.window.as_ref(), d.window.as_ref());
    let mut sentences = Vec::new();
    if !newly.is_empty() {
        sentences.push(format!(
            "this change newly archives {path} {}",
            spans(&newly)
        ));
    }
    if !gone.is_empty() {
        sentences.push(format!(
            "this change stops archiving {path} {}",
            spans(&gone)
        ));
    }
    let (before, after) = (range(o.window.as_ref()), range(d.window.as_ref()));
    let mut change = Change::new(
        ChangeKind::Window,
        table,
        format!("~ {path}: window {before} -> {after}"),
        sentences.join("; "),
    )
    .was_is(Some(before), Some(after));
    change.newly_archived = newly;
    change.no_longer_archived = gone;
    change
}

/// Keys that say where the data is: reported through the source when it moved.
const LOCATION_KEYS: &[&str] = &[
    "bucket_name",
    "key_name",
    "path",
    "database",
    "schema",
    "table_name",
    "index",
    "topic",
    "cluster",
    "metastore",
];
/// Keys that decide which rows or partitions a window selects.
const COLUMN_KEYS: &[&str] = &[
    "date_column",
    "partition_column",
    "date_field",
    "partition_format",
];

fn details(
    table: &str,
    path: &str,
    o: &ArchivalDetail,
    d: &ArchivalDetail,
    moved: bool,
) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        o.archival_object_detail.as_object().unwrap_or(&empty),
        d.archival_object_detail.as_object().unwrap_or(&empty),
    );
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let show = |v: Option<&Value>| match v {
        None => "(none)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .filter(|k| !(moved && LOCATION_KEYS.contains(&k.as_str())))
        .map(|k| {
            let (before, after) = (show(a.get(k)), show(b.get(k)));
            let summary = if COLUMN_KEYS.contains(&k.as_str()) {
                format!("this change makes {path} select by {k} `{after}` instead of `{before}`")
            } else {
                format!("this change sets {k} of {path} to `{after}` (was `{before}`)")
            };
            Change::new(
                ChangeKind::Detail,
                table,
                format!("~ {path}: {k} {before} -> {after}"),
                summary,
            )
            .was_is(Some(before), Some(after))
        })
        .collect()
}

/// A text with the storage's window and partition bounds replaced by placeholders: what
/// is left differs only when more than the dates changed.
fn shape(text: &str, d: &ArchivalDetail) -> String {
    let mut text = text.to_string();
    let bounds = [d.window.as_ref(), d.partitions.as_ref()];
    for (i, r) in bounds.into_iter().flatten().enumerate() {
        text = text
            .replace(&r.start, &format!("\u{0}start{i}"))
            .replace(&r.end, &format!("\u{0}end{i}"));
    }
    text
}

fn acts_on(table: &str, path: &str, o: &ArchivalDetail, d: &ArchivalDetail) -> Vec<Change> {
    let before: BTreeMap<_, _> = o
        .commands
        .iter()
        .filter(|c| c.destructive)
        .map(|c| (c.command_about, scope::acts_on(o, c.command_about)))
        .collect();
    d.commands
        .iter()
        .filter(|c| c.destructive)
        .filter_map(|c| {
            let was = before.get(&c.command_about)?;
            let now = scope::acts_on(d, c.command_about);
            // A new window or source is reported as such; this is about the predicate.
            let without_source = |text: &str, s: &ArchivalDetail| match scope::source(s) {
                Some(source) => shape(&text.replace(&source, "\u{0}source"), s),
                None => shape(text, s),
            };
            (without_source(was, o) != without_source(&now, d)).then(|| {
                let step = c.command_about.as_str();
                Change::new(
                    ChangeKind::ActsOn,
                    table,
                    format!("~ {path}: {step} acts on {now} (was {was})"),
                    format!("this change makes {step} of {path} act on {now} instead of {was}"),
                )
                .was_is(Some(was.clone()), Some(now))
            })
        })
        .collect()
}

fn sql(table: &str, path: &str, o: &ArchivalDetail, d: &ArchivalDetail) -> Vec<Change> {
    let before: BTreeMap<&str, &str> = o
        .commands
        .iter()
        .flat_map(|c| &c.sql)
        .map(|f| (f.name.as_str(), f.text.as_str()))
        .collect();
    d.commands
        .iter()
        .flat_map(|c| &c.sql)
        .filter_map(|f| {
            let was = before.get(f.name.as_str())?;
            (shape(was, o) != shape(&f.text, d)).then(|| {
                let mut change = Change::new(
                    ChangeKind::Sql,
                    table,
                    format!("~ {path}: SQL of {} changed", f.name),
                    format!("this change changes the SQL that {path} runs in {}", f.name),
                );
                change.diff = line_diff(was, &f.text);
                change
            })
        })
        .collect()
}

/// The lines only in `a` (`- `) and only in `b` (`+ `), in order (a longest common
/// subsequence keeps the rest out).
pub fn line_diff(a: &str, b: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if j == b.len() || (i < a.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    out
}

/// Steps whose commands changed while the window stayed (a new window changes them all).
fn commands(table: &str, path: &str, o: &ArchivalDetail, d: &ArchivalDetail) -> Option<Change> {
    if o.window != d.window {
        return None;
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
    (changed > 0).then(|| {
        Change::new(
            ChangeKind::Commands,
            table,
            format!("~ {path}: {changed} step(s) with different commands"),
            format!("this change changes the commands of {changed} step(s) of {path}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: &str, end: &str) -> DateRange {
        DateRange {
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn window_differences_are_half_open_ranges() {
        let old = r("2019-03-01", "2024-11-01");
        let new = r("2019-01-01", "2025-11-01");
        assert_eq!(
            minus(Some(&new), Some(&old)),
            vec![r("2019-01-01", "2019-03-01"), r("2024-11-01", "2025-11-01")]
        );
        assert_eq!(minus(Some(&old), Some(&new)), vec![]);
        assert_eq!(minus(Some(&old), None), vec![old.clone()]);
        let apart = r("2030-01-01", "2031-01-01");
        assert_eq!(minus(Some(&old), Some(&apart)), vec![old.clone()]);
        assert_eq!(
            intersect(Some(&old), Some(&new)),
            Some(r("2019-03-01", "2024-11-01"))
        );
        assert_eq!(intersect(Some(&old), Some(&apart)), None);
    }

    #[test]
    fn line_diffs_keep_common_lines_out() {
        let a = "SELECT *\nFROM t\nWHERE day >= 1;";
        let b = "SELECT *\nFROM t\nWHERE created_at >= 1;\nLIMIT 1;";
        assert_eq!(
            line_diff(a, b),
            vec![
                "- WHERE day >= 1;",
                "+ WHERE created_at >= 1;",
                "+ LIMIT 1;"
            ]
        );
        assert!(line_diff(a, a).is_empty());
    }
}
