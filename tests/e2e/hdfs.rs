//! Optional tier: HDFS scripts run by Hadoop's own FsShell (from the pyspark package) on
//! local paths. Partitions copied with `hdfs dfs -cp -p`, files selected by mtime.

use std::collections::BTreeMap;
use std::fs;

use serde_json::json;

use crate::harness::{
    exercise, late_write, local_files, restore, restore_into, without_run, Case, Scenario,
};
use crate::local::{assert_drop_times, august_partitions, rewrite, seed_tree, tree_data};
use crate::support::root;

struct HdfsTree;

impl Scenario for HdfsTree {
    fn fresh(&self, _tag: &str) -> Case {
        let dir = crate::support::temp();
        let data = dir.path().join("hdfs");
        let project = json!({"system": "e2e", "archive_roots": {"hdfs": dir.path().join("archive").to_str().unwrap()}});
        let table = json!({
            "raw": {"order": 1,
                "parts": {"storage": "hdfs", "archival_object_detail": {"path": data.join("parts").to_str().unwrap(), "partition_column": "dt"}, "starting_storage_date": "2019-01-01"},
                "drops": {"storage": "hdfs", "archival_object_detail": {"path": format!("{}/*.json", data.join("drops").to_str().unwrap())}, "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let case = Case::build_in(dir, project, "files", table, Vec::new());
        seed_tree(&data, "");
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        assert_drop_times(&case.path("archive/files/raw"), true, "hdfs dfs -cp -p");
        assert_drop_times(&case.path("hdfs"), false, "hdfs dfs -cp -p");
        crate::harness::Seen {
            source: local_files(&case.path("hdfs")),
            archive: without_run(local_files(&case.path("archive/files/raw"))),
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        tree_data("")
    }

    fn corrupt_archive(&self, case: &Case) {
        fs::write(
            case.path("archive/files/raw/parts/dt=2026-08-31/a.csv"),
            "x",
        )
        .unwrap();
    }

    fn gated_step(&self) -> &'static str {
        "raw.parts.delete_source_data"
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        Some(rewrite(&case.path("hdfs"), "parts/dt=2026-08-31/a.csv"))
    }
}

fn hdfs_ready() -> bool {
    let jars = fs::read_dir(root().join(".venv/lib"))
        .ok()
        .and_then(|mut d| d.next())
        .map(|py| py.unwrap().path().join("site-packages/pyspark/jars"));
    let java = crate::support::tool("java");
    if java.is_none() || !jars.is_some_and(|j| j.exists()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "the HDFS tier needs java and pyspark in .venv on CI"
        );
        eprintln!("SKIPPED: HDFS tier needs java and the pyspark package in .venv (scripts/test.sh installs it)");
        return false;
    }
    true
}

#[test]
fn hdfs_tree_through_hadoop_fsshell() {
    if hdfs_ready() {
        exercise(&HdfsTree, "hdfs");
        restore(&HdfsTree, "hdfs");
    }
}

/// A file rewritten after its copy is archived again before it is deleted.
#[test]
fn hdfs_a_file_rewritten_after_the_copy_is_archived_again() {
    if hdfs_ready() {
        late_write(&HdfsTree, "hdfs");
    }
}

/// A month of the partitioned storage restored into another directory: exactly its
/// partitions arrive there, with their files' times; source and archive untouched.
#[test]
fn hdfs_date_range_is_restored_elsewhere() {
    if !hdfs_ready() {
        return;
    }
    let case = HdfsTree.fresh("hdfs-range");
    let elsewhere = case.path("elsewhere");
    let to = format!("{}/", elsewhere.display());
    let args = ["--lifecycle", "raw", "--storage", "parts", "--to", &to];
    let range = ["--from", "2026-08-01", "--until", "2026-09-01"];
    restore_into(&HdfsTree, &case, &[&args[..], &range[..]].concat());
    let want = august_partitions();
    assert_eq!(local_files(&elsewhere), want, "exactly the month asked for");
    eprintln!("hdfs: a date range restored into another directory");
}

/// The tier runs `hdfs` calls on one long-lived FsShell (tests/fakes/jvm_server.py): every
/// command the scripts use prints and exits there as it does on a JVM of its own, on names
/// that need care (glob characters, spaces, a leading dash) and on missing paths.
#[test]
fn hdfs_server_prints_what_the_command_line_prints() {
    if !hdfs_ready() || crate::harness::service("ARCHC_E2E_WARM").is_none() {
        return;
    }
    let dir = crate::support::temp();
    let names = [
        "a b.csv",
        "x*y.csv",
        "[q].txt",
        "-lead.csv",
        "dt=2026-08-01/p.csv",
    ];
    for side in ["cold", "warm"] {
        for name in names {
            let path = dir.path().join(side).join("src").join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, format!("{name}\n")).unwrap();
        }
        let touched = std::process::Command::new("find")
            .arg(dir.path().join(side))
            .args([
                "-exec",
                "touch",
                "-h",
                "-d",
                "2026-08-01 12:00:00 UTC",
                "{}",
                "+",
            ])
            .status()
            .unwrap();
        assert!(touched.success());
    }
    let commands: &[&[&str]] = &[
        &["-ls", "-R", "@/src"],
        &["-find", "@/src", "-print0"],
        &["-find", "@/src/*.csv", "-print0"],
        &["-cat", "@/src/a b.csv", "@/src/dt=*/p.csv"],
        &["-mkdir", "-p", "@/dst/dt=1"],
        &[
            "-cp",
            "-p",
            "-f",
            "@/src/a b.csv",
            "@/src/x\\*y.csv",
            "@/dst/dt=1",
        ],
        &["-ls", "@/dst/dt=1/a b.csv", "@/dst/dt=1/x*y.csv"],
        &["-cp", "-p", "-f", "@/src/missing.csv", "@/dst/dt=1"],
        &["-rm", "-f", "@/src/-lead.csv", "@/src/missing.csv"],
        &[
            "-rmdir",
            "--ignore-fail-on-non-empty",
            "@/dst/dt=1",
            "@/src/dt=2026-08-01",
        ],
        &["-ls", "@/missing"],
        &["-bogus"],
    ];
    for args in commands {
        let [cold, warm] = ["cold", "warm"].map(|side| {
            let root = dir.path().join(side);
            let root = root.to_str().unwrap();
            let args: Vec<String> = args.iter().map(|a| a.replace('@', root)).collect();
            let mut cmd = std::process::Command::new(root_tool("hdfs"));
            cmd.arg("dfs")
                .args(&args)
                .env("LC_ALL", "C")
                .env("TZ", "UTC");
            if side == "cold" {
                cmd.env("ARCHC_E2E_COLD", "1");
            }
            let run = crate::support::sh(&mut cmd);
            let unroot = |s: &str| s.replace(root, "@");
            (run.code, unroot(&run.stdout), unroot(&run.stderr))
        });
        assert_eq!(
            warm, cold,
            "hdfs dfs {args:?}: the server and the command line differ"
        );
    }
    assert_eq!(
        local_files(&dir.path().join("warm")),
        local_files(&dir.path().join("cold")),
        "and leave the same files"
    );
    eprintln!(
        "hdfs: the FsShell server printed what {} commands print",
        commands.len()
    );
}

fn root_tool(name: &str) -> std::path::PathBuf {
    root().join("tests/fakes/tools").join(name)
}
