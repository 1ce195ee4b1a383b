//! Delta on local disk, partitioned and by a date column: archived into a Delta table of
//! its own, counted, DELETEd, manifest regenerated, VACUUMed. The Spark SQL archc writes
//! runs through delta-rs (tests/fakes/delta_sql.py).

use std::collections::BTreeMap;

use serde_json::json;

use crate::harness::{
    archived_original, exercise, finishes_saying, late_write, late_write_restored, named, restore,
    restore_into, unflushed, Case, Fault, Scenario, CUTOFF,
};
use crate::support::root;

struct DeltaTables;

const DAYS: &[&str] = &[
    "2026-06-15",
    "2026-07-31",
    "2026-08-31",
    "2026-09-01",
    "2026-10-05",
];

fn python(case: &Case, code: &str, args: &[&str]) -> String {
    let py = root().join(".venv/bin/python");
    let mut all = vec!["-c", code];
    all.extend_from_slice(args);
    case.tool(py.to_str().unwrap(), &all).stdout
}

const SEED: &str = r#"
import sys, datetime, pyarrow as pa
from deltalake import write_deltalake
path, days = sys.argv[1], sys.argv[2].split(",")
ids = list(range(1, 3 * len(days) + 1))
dts = [days[(i - 1) // 3] for i in ids]
t = pa.table({"id": pa.array(ids, pa.int64()), "dt": dts,
              "day": pa.array([datetime.date.fromisoformat(d) for d in dts], pa.date32()),
              "note": [f"row {i} of {d}" for i, d in zip(ids, dts)]})
write_deltalake(path + "/parted", t, partition_by=["dt"])
write_deltalake(path + "/flat", t)
import os
os._exit(0)  # delta-rs' runtime can abort at interpreter shutdown
"#;

const READ: &str = r#"
import sys, os, json
from deltalake import DeltaTable
path = sys.argv[1]
if os.path.isdir(os.path.join(path, "_delta_log")):
    for row in sorted(DeltaTable(path).to_pyarrow_table().to_pylist(), key=lambda r: r["id"]):
        print(json.dumps({k: str(v) for k, v in sorted(row.items())}))
sys.stdout.flush()
os._exit(0)  # delta-rs' runtime can abort at interpreter shutdown
"#;

fn rows(case: &Case, path: &str, prefix: &str) -> BTreeMap<String, String> {
    python(case, READ, &[case.path(path).to_str().unwrap()])
        .lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                format!("{prefix}{:0>3}", row["id"].as_str().unwrap()),
                l.to_string(),
            )
        })
        .collect()
}

impl Scenario for DeltaTables {
    fn fresh(&self, _tag: &str) -> Case {
        let dir = crate::support::temp();
        let lake = dir.path().join("lake");
        let project = json!({"system": "e2e", "archive_roots": {"local": dir.path().join("archive").to_str().unwrap()}});
        let table = json!({
            "bronze": {"order": 1, "parted": {"storage": "delta", "archival_object_type": "table",
                "archival_object_detail": {"path": lake.join("parted").to_str().unwrap(), "metastore": "hive", "table_name": "events_parted",
                    "partition_column": "dt", "athena_manifest": true, "vacuum_retain_hours": 168},
                "starting_storage_date": "2019-01-01"}},
            "silver": {"order": 2, "flat": {"storage": "delta", "archival_object_type": "table", "archive_basis": "date_column",
                "archival_object_detail": {"path": lake.join("flat").to_str().unwrap(), "metastore": "hive", "table_name": "events_flat", "date_column": "day"},
                "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let case = Case::build_in(dir, project, "events", table, Vec::new());
        python(&case, SEED, &[lake.to_str().unwrap(), &DAYS.join(",")]);
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let mut source = rows(case, "lake/parted", "parted/");
        source.extend(rows(case, "lake/flat", "flat/"));
        let mut archive = BTreeMap::new();
        for (dir, prefix) in [("bronze/parted", "parted/"), ("silver/flat", "flat/")] {
            let root = case.path(&format!("archive/events/{dir}"));
            for attempt in named(&root, "run=2026112110-a") {
                archive.extend(rows(case, attempt.to_str().unwrap(), prefix));
            }
        }
        let manifest = case.path("lake/parted/_symlink_format_manifest");
        let mut metadata: Vec<String> = std::fs::read_dir(manifest)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        metadata.sort();
        crate::harness::Seen {
            source,
            archive,
            metadata,
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        let mut out = BTreeMap::new();
        for (i, day) in DAYS.iter().flat_map(|d| [d, d, d]).enumerate() {
            let id = i + 1;
            let row = json!({"day": day, "dt": day, "id": id.to_string(), "note": format!("row {id} of {day}")});
            for prefix in ["parted/", "flat/"] {
                out.insert(
                    format!("{prefix}{id:03}"),
                    (
                        row.to_string()
                            .replace(",\"", ", \"")
                            .replace("\":", "\": "),
                        *day < CUTOFF,
                    ),
                );
            }
        }
        out
    }

    fn metadata_after(&self) -> Vec<String> {
        DAYS.iter()
            .filter(|d| **d >= CUTOFF)
            .map(|d| format!("dt={d}"))
            .collect()
    }

    fn corrupt_archive(&self, case: &Case) {
        let archive = case.path("archive/events/bronze/parted/run=2026112110-a1");
        python(case, "import os, sys; from deltalake import DeltaTable; DeltaTable(sys.argv[1]).delete(\"id = 1\"); os._exit(0)", &[archive.to_str().unwrap()]);
    }

    fn gated_step(&self) -> &'static str {
        "bronze.parted.delete_delta_data"
    }

    /// The restore regenerates the Athena manifest (the seeded table had none): it lists
    /// every partition again.
    fn metadata_restored(&self, _before: &[String]) -> Vec<String> {
        DAYS.iter().map(|d| format!("dt={d}")).collect()
    }

    /// A Python process per statement: the restore is interrupted at its inserts only.
    fn light_restore(&self) -> bool {
        true
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        python(
            case,
            LATE,
            &[case.path("lake/parted").to_str().unwrap(), "1"],
        );
        let row = r#"{"day": "2026-08-15", "dt": "2026-08-15", "id": "900", "note": "late"}"#;
        Some(("parted/900".into(), row.into()))
    }
}

/// `n` late rows (ids 900...) on 2026-08-15, inside the window.
const LATE: &str = r#"
import sys, os, datetime, pyarrow as pa
from deltalake import write_deltalake
n = int(sys.argv[2])
t = pa.table({"id": pa.array(range(900, 900 + n), pa.int64()), "dt": ["2026-08-15"] * n,
              "day": pa.array([datetime.date(2026, 8, 15)] * n, pa.date32()), "note": ["late"] * n})
write_deltalake(sys.argv[1], t, mode="append", partition_by=["dt"])
os._exit(0)
"#;

fn delta_ready() -> bool {
    if crate::support::tool("python3").is_none() || !root().join(".venv/bin/python").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Delta tier needs .venv with deltalake on CI"
        );
        eprintln!("SKIPPED: .venv with deltalake is missing; run scripts/test.sh");
        return false;
    }
    true
}

#[test]
fn delta_late_rows_are_archived_before_the_delete() {
    if delta_ready() {
        late_write(&DeltaTables, "delta");
    }
}

#[test]
fn delta_tables_partitioned_and_by_date_column() {
    if delta_ready() {
        exercise(&DeltaTables, "delta");
    }
}

#[test]
fn delta_tables_are_restored() {
    if delta_ready() {
        restore(&DeltaTables, "delta");
    }
}

#[test]
fn delta_restore_after_a_late_write_reads_the_final_attempt() {
    if delta_ready() {
        late_write_restored(&DeltaTables, "delta");
    }
}

/// A kill right after the delete's statements returned (the rows are gone and the run's
/// final attempt is recorded, the journal line is not), then a late write into the
/// window: the re-run deletes nothing more, so the late row stays in the table for the
/// next run, and the archive's final attempt holds exactly what the run deleted.
#[test]
fn delta_rows_written_after_a_recorded_delete_stay_for_the_next_run() {
    if delta_ready() {
        late_write_after_the_delete(false);
    }
}

/// The same with the record lost too (a kill between the DELETE's commit and the record's
/// write, two statements of one spark-sql session): the re-run finds none of the archived
/// rows left in the window, so it records the attempt instead of selecting again, and a
/// restore would read the attempt that holds the deleted rows.
#[test]
fn delta_a_delete_committed_before_its_record_is_recorded_by_the_re_run() {
    if delta_ready() {
        late_write_after_the_delete(true);
    }
}

/// The record lost, then as many late rows as the run archived: a count would take them
/// for the archived rows and delete them unarchived; the guard compares the rows, finds
/// none of the archive's, and the re-run records the attempt instead.
#[test]
fn delta_late_rows_as_many_as_the_archived_are_not_taken_for_them() {
    if delta_ready() {
        let parted = archived_original(&DeltaTables)
            .keys()
            .filter(|k| k.starts_with("parted/"))
            .count();
        late_writes_after_the_delete(true, parted);
    }
}

fn late_write_after_the_delete(record_lost: bool) {
    late_writes_after_the_delete(record_lost, 1);
}

fn late_writes_after_the_delete(record_lost: bool, n: usize) {
    let s = DeltaTables;
    let case = s.fresh(&format!("delta-after-delete-{n}"));
    // The step's calls: the gate's count, the record read, the DELETE (and record write).
    let stopped = case.run(Fault::KillAfter(s.gated_step(), 3), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let parted = |seen: &crate::harness::Seen| {
        seen.source
            .keys()
            .filter(|k| k.starts_with("parted/"))
            .count()
    };
    assert_eq!(
        parted(&s.seen(&case)),
        6,
        "killed after the DELETE committed"
    );
    let record = case.path("archive/events/bronze/parted/_archc/run=2026112110/final_attempt");
    assert!(record.join("_delta_log").is_dir(), "the record was written");
    if record_lost {
        std::fs::remove_dir_all(&record).unwrap();
    }
    let n_text = n.to_string();
    python(
        &case,
        LATE,
        &[case.path("lake/parted").to_str().unwrap(), &n_text],
    );
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(resumed.code, 0, "{}{}", resumed.stdout, resumed.stderr);
    let said = match record_lost {
        false => "nothing more to delete",
        true => "had committed before a crash",
    };
    assert!(resumed.stdout.contains(said), "{}", resumed.stdout);
    assert!(
        record.join("_delta_log").is_dir(),
        "the attempt is recorded"
    );
    let seen = s.seen(&case);
    let late: Vec<String> = (900..900 + n).map(|id| format!("parted/{id}")).collect();
    assert!(
        late.iter().all(|k| seen.source.contains_key(k)),
        "the {n} late rows stay: {}",
        resumed.stdout
    );
    let old = archived_original(&s);
    assert_eq!(seen.archive, old, "the archive holds what the run deleted");
    assert_eq!(
        named(
            &case.path("archive/events/bronze/parted"),
            "run=2026112110-a"
        )
        .len(),
        1,
        "one attempt"
    );
    eprintln!("delta: a row written after the run's delete stays for the next run (record lost: {record_lost})");
}

const EMPTY_COPY: &str = r#"
import sys, os
from deltalake import DeltaTable, write_deltalake
source = DeltaTable(sys.argv[1]).to_pyarrow_table()
write_deltalake(sys.argv[2], source.schema.empty_table(), partition_by=["dt"])
os._exit(0)
"#;

/// One date range restored into another (empty) path table: exactly the range's rows
/// arrive there; the source table and the archive are as the run left them.
#[test]
fn delta_range_restored_into_another_path_table() {
    if !delta_ready() {
        return;
    }
    let s = DeltaTables;
    let case = s.fresh("delta-into");
    let copy = case.path("lake/copy");
    let source = case.path("lake/parted");
    python(
        &case,
        EMPTY_COPY,
        &[source.to_str().unwrap(), copy.to_str().unwrap()],
    );
    let to = format!("delta:{}", copy.display());
    let args = ["--lifecycle", "bronze", "--storage", "parted", "--to", &to];
    let range = ["--from", "2026-07-16", "--until", "2026-08-01"];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let want: BTreeMap<_, _> = s
        .original()
        .into_iter()
        .filter(|(k, (v, _))| k.starts_with("parted/") && v.contains("2026-07-31"))
        .map(|(k, (v, _))| (k, v))
        .collect();
    assert_eq!(want.len(), 3, "the seed has three rows that day");
    assert_eq!(
        rows(&case, "lake/copy", "parted/"),
        want,
        "exactly the range"
    );
    eprintln!("delta: a date range restored into another path table");
}

/// A row of the window updated in place between the copy and the delete (the count
/// unchanged): the delete's guard compares the rows, so the updated row is archived by a
/// new attempt before anything is deleted, and the archive holds it as it is now.
#[test]
fn delta_a_row_updated_after_the_copy_is_archived_again_before_the_delete() {
    if !delta_ready() {
        return;
    }
    let s = DeltaTables;
    let case = s.fresh("delta-updated");
    let stopped = case.run(Fault::Kill(s.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let lake = case.path("lake/parted");
    let update = "import sys, os; from deltalake import DeltaTable; DeltaTable(sys.argv[1]).update(updates={\"note\": \"'updated'\"}, predicate=\"id = 1\"); os._exit(0)";
    python(&case, update, &[lake.to_str().unwrap()]);
    let updated = s.seen(&case).source["parted/001"].clone();
    assert!(updated.contains("updated"), "{updated}");
    finishes_saying(&case, "selecting it again");
    let seen = s.seen(&case);
    assert_eq!(seen.archive["parted/001"], updated, "archived as updated");
    assert!(!seen.source.contains_key("parted/001"), "then deleted");
}

/// The delete's check flushes the local archive's file system first (Spark does not): a
/// `sync` that fails there deletes nothing.
#[test]
fn delta_an_archive_that_cannot_be_flushed_deletes_nothing() {
    if delta_ready() {
        unflushed(&DeltaTables, "delta", DeltaTables.gated_step());
    }
}
