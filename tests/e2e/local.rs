//! Local/NFS: a partitioned tree and files by modification time, copied with rsync -a.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use serde_json::json;

use crate::harness::{
    exercise, late_write, local_files, restore, unflushed, without_run, Case, Fault, Scenario,
    CUTOFF,
};

pub struct Tree;

pub const DROPS: &[(&str, &str)] = &[
    ("drops/2019-03-01.json", "2019-03-01 12:00:00"),
    ("drops/2026-08-31.json", "2026-08-31 23:59:59"),
    ("drops/2026-09-01.json", "2026-09-01 00:00:00"),
    ("drops/2026-11-01.json", "2026-11-01 08:00:00"),
];

pub fn tree_data(prefix: &str) -> BTreeMap<String, (String, bool)> {
    let mut out = BTreeMap::new();
    for dt in ["2026-06-01", "2026-08-31", "2026-09-01", "2026-11-20"] {
        for name in ["a.csv", "sub/b.csv"] {
            out.insert(
                format!("{prefix}parts/dt={dt}/{name}"),
                (format!("{dt} {name}\n"), dt < CUTOFF),
            );
        }
    }
    for (name, stamp) in DROPS {
        out.insert(
            format!("{prefix}{name}"),
            (format!("{{\"at\": \"{stamp}\"}}\n"), *stamp < CUTOFF),
        );
    }
    out
}

/// August's partitions of the tree, keyed below `parts/` (what a restore of that month
/// into another directory brings there).
pub fn august_partitions() -> BTreeMap<String, String> {
    let want: BTreeMap<String, String> = tree_data("")
        .into_iter()
        .filter(|(k, _)| k.starts_with("parts/dt=2026-08-"))
        .map(|(k, (v, _))| (k.trim_start_matches("parts/").to_string(), v))
        .collect();
    assert_eq!(want.len(), 2, "two files in August");
    want
}

/// Writes the tree under `root` with the drop files' modification times set.
pub fn seed_tree(root: &std::path::Path, prefix: &str) {
    for (key, (body, _)) in tree_data(prefix) {
        let path = root.join(key.trim_start_matches(prefix));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, body).unwrap();
    }
    for (name, stamp) in DROPS {
        let run = Command::new("touch")
            .args(["-d", &format!("{stamp} UTC")])
            .arg(root.join(name))
            .status()
            .unwrap();
        assert!(run.success());
    }
}

/// Every drop file found under `root` (in the archive: below the run's `run=<id>/`) has the
/// modification time it was seeded with: the copy kept it, and so did a restore.
pub fn assert_drop_times(root: &std::path::Path, archive: bool, tool: &str) {
    for (name, stamp) in DROPS {
        let name = match archive {
            true => name.replace("drops/", "drops/run=2026112110/"),
            false => name.to_string(),
        };
        let path = root.join(&name);
        if !path.exists() {
            continue;
        }
        let out = Command::new("date")
            .args(["-u", "-r"])
            .arg(&path)
            .arg("+%Y-%m-%d %H:%M:%S")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            *stamp,
            "{tool} keeps the modification time of {}",
            path.display()
        );
    }
}

pub fn storages(root: &std::path::Path) -> serde_json::Value {
    json!({
        "parts": {"storage": "local", "archival_object_detail": {"path": root.join("parts").to_str().unwrap(), "partition_column": "dt"}, "starting_storage_date": "2019-01-01"},
        "drops": {"storage": "local", "archival_object_detail": {"path": format!("{}/*.json", root.join("drops").to_str().unwrap())}, "starting_storage_date": "2019-01-01"}
    })
}

impl Scenario for Tree {
    fn fresh(&self, _tag: &str) -> Case {
        let dir = crate::support::temp();
        let root = dir.path().join("nfs");
        let project = json!({"system": "e2e", "archive_roots": {"local": dir.path().join("archive").to_str().unwrap()}});
        let mut raw = storages(&root);
        raw["order"] = 1.into();
        let table =
            json!({"raw": raw, "data_archive_before_period": "month", "data_archive_before": 2});
        let case = Case::build_in(dir, project, "files", table, Vec::new());
        seed_tree(&root, "");
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        assert_drop_times(&case.path("archive/files/raw"), true, "rsync -a");
        assert_drop_times(&case.path("nfs"), false, "rsync -a");
        crate::harness::Seen {
            source: local_files(&case.path("nfs")),
            archive: without_run(local_files(&case.path("archive/files/raw"))),
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        tree_data("")
    }

    fn corrupt_archive(&self, case: &Case) {
        fs::write(
            case.path("archive/files/raw/parts/dt=2026-06-01/a.csv"),
            "x",
        )
        .unwrap();
    }

    fn gated_step(&self) -> &'static str {
        "raw.parts.delete_source_data"
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        Some(rewrite(&case.path("nfs"), "parts/dt=2026-08-31/a.csv"))
    }
}

/// Rewrites a file under `root` in place with as many bytes and another time (as a
/// writer that keeps file times would): only its time tells. Returns its key and body.
pub fn rewrite(root: &std::path::Path, key: &str) -> (String, String) {
    let body = fs::read_to_string(root.join(key)).unwrap().to_uppercase();
    fs::write(root.join(key), &body).unwrap();
    let touched = Command::new("touch")
        .args(["-d", "2026-11-30 00:00:00 UTC"])
        .arg(root.join(key))
        .status()
        .unwrap();
    assert!(touched.success());
    (key.to_string(), body)
}

#[test]
fn local_tree_by_partition_and_mtime() {
    exercise(&Tree, "local");
}

/// A selected file that rsync cannot look at when the delete's check runs (its directory
/// became a link loop): the check fails and nothing is deleted, though every other file
/// compares equal; once the directory is back, the next run finishes.
#[test]
fn local_a_file_the_check_cannot_compare_deletes_nothing() {
    let case = Tree.fresh("local-eloop");
    let stopped = case.run(Fault::Kill(Tree.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let dir = case.path("nfs/parts/dt=2026-08-31/sub");
    let aside = case.path("nfs/parts/dt=2026-08-31/sub.aside");
    fs::rename(&dir, &aside).unwrap();
    std::os::unix::fs::symlink("sub", &dir).unwrap();
    let run = case.run(Fault::None, &[]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("nothing was deleted"), "{}", run.stderr);
    let other = case.path("nfs/parts/dt=2026-06-01/a.csv");
    assert!(
        other.exists(),
        "no selected file was deleted: {}",
        run.stderr
    );
    fs::remove_file(&dir).unwrap();
    fs::rename(&aside, &dir).unwrap();
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(resumed.code, 0, "{}{}", resumed.stdout, resumed.stderr);
    assert!(!other.exists(), "the next run deleted the window");
}

/// A delete killed after its files went, then a deleted file written again: the re-run
/// must not copy it over its archived copy (the only one of the deleted version left);
/// it stops, deleting nothing more.
#[test]
fn local_a_file_written_again_after_a_killed_delete_keeps_its_archived_copy() {
    let case = Tree.fresh("local-again");
    let key = "parts/dt=2026-08-31/a.csv";
    let archived = case.path("archive/files/raw").join(key);
    // The delete ran and the run died before its journal line (xargs rm is not one of
    // the tools a fault can follow): the line is taken out after a whole run.
    let first = case.run(Fault::None, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    forget(&case, Tree.gated_step());
    assert!(!case.path("nfs").join(key).exists(), "the delete ran");
    let old = fs::read_to_string(&archived).unwrap();
    let path = case.path("nfs").join(key);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, "written again\n").unwrap();
    let run = case.run(Fault::None, &[]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("nothing more was deleted"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(&archived).unwrap(),
        old,
        "the archived copy kept"
    );
    let again = fs::read_to_string(case.path("nfs").join(key)).unwrap();
    assert_eq!(again, "written again\n", "the new file left in place");
}

/// Takes `step`'s line out of the case's journal, as a run killed before writing it.
fn forget(case: &Case, step: &str) {
    let runs = fs::read_dir(case.path("state").join(&case.table)).unwrap();
    for run in runs {
        let journal = run.unwrap().path().join("journal");
        let text = fs::read_to_string(&journal).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| *l != format!("done {step}"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(kept, text, "{step} was in the journal");
        fs::write(&journal, kept).unwrap();
    }
}

/// A file rewritten after its copy is archived again before it is deleted.
#[test]
fn local_a_file_rewritten_after_the_copy_is_archived_again() {
    late_write(&Tree, "local");
}

/// The delete's check flushes the archive's file system first: a `sync` that fails stops it.
#[test]
fn local_an_archive_that_cannot_be_flushed_deletes_nothing() {
    unflushed(&Tree, "local", "raw.drops.delete_source_data");
}

#[test]
fn local_tree_is_restored() {
    restore(&Tree, "local");
}

/// A month of one storage, into another directory: only those partitions arrive there
/// (not June's, which the run archived too), and the source is left as the run left it.
#[test]
fn a_date_range_is_restored_elsewhere() {
    let case = Tree.fresh("range");
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let archived = Tree.seen(&case);
    let elsewhere = case.path("elsewhere");
    let script = case.restore(
        "restore",
        &[
            "--lifecycle",
            "raw",
            "--storage",
            "parts",
            "--from",
            "2026-08-01",
            "--until",
            "2026-09-01",
            "--to",
            &format!("{}/", elsewhere.display()),
        ],
    );
    let restored = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(restored.code, 0, "{}{}", restored.stdout, restored.stderr);
    let want = august_partitions();
    assert_eq!(local_files(&elsewhere), want, "exactly the month asked for");
    assert_eq!(
        Tree.seen(&case),
        archived,
        "the source and archive untouched"
    );
}
