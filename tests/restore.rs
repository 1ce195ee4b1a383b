//! `archc restore`: what it accepts and refuses, and the scripts it writes, pinned.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::{archc, combined, snapshots, temp, tree};

const AS_OF: &str = "2026-11-21T10:00:00Z";

fn run_file(out: &Path, table: &str) -> String {
    out.join(format!(
        "runs/lakehouse_archival_{table}_2026112110_run_file.json"
    ))
    .to_string_lossy()
    .into_owned()
}

fn built() -> tempfile::TempDir {
    built_from("examples/lakehouse")
}

/// The run files of a dry-run build of `repo`.
fn built_from(repo: &str) -> tempfile::TempDir {
    let out = temp();
    let run = archc(&[
        "build",
        repo,
        "--out",
        out.path().to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--dry-run",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

fn restore(run_file: &str, args: &[&str], out: &Path) -> crate::support::Run {
    let mut all = vec!["restore", run_file];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    archc(&all)
}

#[test]
fn restore_scripts_are_pinned_and_lint_clean() {
    let built = built();
    let out = temp();
    let mut files = BTreeMap::new();
    // Every kind restore is built for: s3, postgres, mysql, glue, local, hdfs, gcs, hive,
    // delta.
    let requests: [(&str, &[&str]); 5] = [
        ("orders", &["--all-lifecycles"]),
        ("customers", &["--all-lifecycles"]),
        ("payments", &["--all-lifecycles"]),
        ("clickstream", &["--lifecycle", "raw"]),
        ("sensor_readings", &["--all-lifecycles"]),
    ];
    for (table, args) in requests {
        let dir = out.path().join(table);
        let run = restore(&run_file(built.path(), table), args, &dir);
        assert_eq!(run.code, 0, "{table}: {}", run.stderr);
        files.extend(
            tree(&dir)
                .into_iter()
                .map(|(k, v)| (format!("{table}/{k}"), v)),
        );
    }
    assert_eq!(files.keys().filter(|k| k.ends_with(".sh")).count(), 5);
    assert!(
        !files
            .values()
            .any(|text| text.contains("delete") && text.contains("\"destructive\": true")),
        "a restore run file has no destructive step"
    );
    snapshots().bind(|| insta::assert_snapshot!("restore__lakehouse", combined(&files)));
    crate::support::lint_tree(out.path(), files.keys());
}

/// Each `--to` is accepted for the kinds it names and refused, with the form expected,
/// for every other kind.
#[test]
fn restore_targets_must_be_places_of_the_same_kind() {
    let built = built();
    let storages = [
        ("orders", "raw", "s3_exports"),
        ("orders", "serving", "pg_orders"),
        ("customers", "raw", "mysql_crm"),
        ("customers", "bronze", "glue_table"),
        ("payments", "raw", "nfs_drops"),
        ("audit_log", "raw", "gcs_dumps"),
        ("clickstream", "raw", "hdfs_2010"),
        ("payments", "ledger", "delta_ledger"),
    ];
    let targets = [
        ("s3_exports", "s3://restored/orders/"),
        ("pg_orders", "postgres:shop.public.orders_restored"),
        ("mysql_crm", "mysql:crm.events_restored"),
        ("glue_table", "glue:scratch.customers"),
        ("nfs_drops", "/mnt/restored/payments/"),
        ("gcs_dumps", "gs://restored/audit/"),
        ("hdfs_2010", "hdfs://nn/restored/clicks/"),
        ("delta_ledger", "delta:/restored/ledger"),
    ];
    let out = temp();
    let mut matrix = String::new();
    for (table, lifecycle, storage) in storages {
        for (kind, to) in targets {
            let dir = out.path().join(format!("{storage}-{kind}"));
            let args = ["--lifecycle", lifecycle, "--storage", storage, "--to", to];
            let run = restore(&run_file(built.path(), table), &args, &dir);
            let accepted = run.code == 0;
            // HDFS also takes a path on the default file system.
            let same = kind == storage || (storage == "hdfs_2010" && to.starts_with('/'));
            assert_eq!(accepted, same, "{storage} --to {to}: {}", run.stderr);
            if !accepted {
                assert_eq!(run.code, 2, "{}", run.stderr);
                assert!(run.stderr.contains("same kind of place"), "{}", run.stderr);
                assert!(!dir.exists(), "nothing written on a refusal");
            }
            matrix.push_str(&format!(
                "{storage} --to {to}: {}\n",
                if accepted { "ok" } else { run.stderr.trim() }
            ));
        }
    }
    snapshots().bind(|| insta::assert_snapshot!("restore__targets", matrix));
}

#[test]
fn restore_refuses_unclear_or_impossible_requests() {
    let built = built();
    let orders = run_file(built.path(), "orders");
    let clicks = run_file(built.path(), "clickstream");
    let out = temp();
    let cases: &[(&str, &[&str])] = &[
        ("no lifecycle named", &[]),
        ("an unknown lifecycle", &["--lifecycle", "gold"]),
        (
            "an unknown storage",
            &["--lifecycle", "raw", "--storage", "nope"],
        ),
        (
            "--to with two storages",
            &["--all-lifecycles", "--to", "s3://x/y/"],
        ),
        (
            "a range outside the run's window",
            &["--lifecycle", "raw", "--from", "2025-01-01"],
        ),
        (
            "an empty range",
            &[
                "--lifecycle",
                "raw",
                "--from",
                "2020-02-01",
                "--until",
                "2020-01-01",
            ],
        ),
        (
            "a --to with a line break",
            &["--lifecycle", "raw", "--to", "s3://x/a\nb/"],
        ),
        (
            "a --to inside the run's archive",
            &[
                "--lifecycle",
                "raw",
                "--storage",
                "s3_exports",
                "--to",
                "s3://corp-archive/orders/raw/s3_exports/x/",
            ],
        ),
        (
            "a --to around the run's backup",
            &[
                "--lifecycle",
                "raw",
                "--storage",
                "s3_exports",
                "--to",
                "s3://corp-backup/",
            ],
        ),
    ];
    let mut said = String::new();
    for (what, args) in cases {
        let dir = out.path().join("r");
        let run = restore(&orders, args, &dir);
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert!(!dir.exists(), "{what}: nothing written");
        said.push_str(&format!("{what}: {}\n", run.stderr.trim()));
    }
    let delta = restore(&clicks, &["--lifecycle", "bronze"], &out.path().join("d"));
    assert_eq!(delta.code, 2);
    said.push_str(&format!(
        "a delta storage with Glue partitions: {}\n",
        delta.stderr.trim()
    ));
    let customers = run_file(built.path(), "customers");
    let merge = restore(
        &customers,
        &["--lifecycle", "raw", "--storage", "mysql_crm", "--merge"],
        &out.path().join("m"),
    );
    assert_eq!(merge.code, 2, "{}", merge.stderr);
    said.push_str(&format!("--merge into mysql: {}\n", merge.stderr.trim()));
    let tampered = out.path().join("tampered_run_file.json");
    let text = fs::read_to_string(&orders)
        .unwrap()
        .replacen("2024-10-01", "2026-11-01", 1);
    fs::write(&tampered, text).unwrap();
    let run = restore(
        tampered.to_str().unwrap(),
        &["--all-lifecycles"],
        &out.path().join("t"),
    );
    assert_ne!(run.code, 0, "a tampered run file is refused");
    said.push_str(&format!("a tampered run file: {}\n", run.stderr.trim()));
    let first = out.path().join("first");
    assert_eq!(restore(&orders, &["--all-lifecycles"], &first).code, 0);
    let again = first.join("lakehouse_restore_orders_2026112110_run_file.json");
    let run = restore(
        again.to_str().unwrap(),
        &["--all-lifecycles"],
        &out.path().join("a"),
    );
    assert_ne!(run.code, 0, "a restore run file is not restored from");
    said.push_str(&format!("a restore run file: {}\n", run.stderr.trim()));
    let tmp = built.path().to_string_lossy().into_owned();
    let said = said.replace(&tmp, "[BUILD]");
    snapshots().bind(|| insta::assert_snapshot!("restore__refusals", said));
}

/// Without the run file, `--config --table --run-id` plans the same run again: the
/// restore it writes is byte for byte the one written from the run file.
#[test]
fn a_restore_from_the_config_and_run_id_equals_one_from_the_run_file() {
    let built = built();
    let from_file = temp();
    let from_config = temp();
    let args = ["--all-lifecycles", "--from", "2019-01-01"];
    let run = restore(&run_file(built.path(), "orders"), &args, from_file.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut all = vec![
        "restore",
        "--config",
        "examples/lakehouse",
        "--table",
        "orders",
        "--run-id",
        "2026112110",
        "--out",
        from_config.path().to_str().unwrap(),
    ];
    all.extend_from_slice(&args);
    let run = archc(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("planned again from the config"),
        "{}",
        run.stderr
    );
    let (a, b) = (tree(from_file.path()), tree(from_config.path()));
    assert!(!a.is_empty());
    assert_eq!(a, b);

    let refused = [
        (
            vec!["--table", "nope", "--run-id", "2026112110"],
            "no table `nope`",
        ),
        (
            vec!["--table", "orders", "--run-id", "2026-11-21"],
            "is not a run id",
        ),
        (
            vec!["--table", "orders", "--run-id", "2026113310"],
            "is not a run id",
        ),
        (vec!["--table", "orders"], "--run-id"),
    ];
    for (extra, said) in refused {
        let out = temp();
        let mut all = vec![
            "restore",
            "--config",
            "examples/lakehouse",
            "--all-lifecycles",
        ];
        all.extend_from_slice(&extra);
        all.extend_from_slice(&["--out", out.path().to_str().unwrap()]);
        let run = archc(&all);
        assert_ne!(run.code, 0, "{extra:?}");
        assert!(run.stderr.contains(said), "{extra:?}: {}", run.stderr);
        assert!(tree(out.path()).is_empty(), "{extra:?}: nothing written");
    }
}

/// Monthly partitions are restored whole: a `--from` or `--until` inside a month is
/// refused with the boundaries around it (rounding would bring back days not asked for,
/// or leave out days that were); on the boundaries the restore is written.
#[test]
fn a_range_inside_a_coarse_partition_is_refused() {
    let repo = temp();
    let p = repo.path();
    fs::write(
        p.join("archc.json"),
        r#"{"system": "m", "archive_roots": {"local": "/archive"}}"#,
    )
    .unwrap();
    fs::create_dir_all(p.join("tables")).unwrap();
    let table = r#"{"events": {"raw": {"order": 1, "monthly": {"storage": "local",
        "archival_object_detail": {"path": "/data/events", "partition_column": "month", "partition_format": "%Y-%m"},
        "starting_storage_date": "2025-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2}}"#;
    fs::write(p.join("tables/events.json"), table).unwrap();
    let out = built_from(p.to_str().unwrap());
    let run_file = out
        .path()
        .join("runs/m_archival_events_2026112110_run_file.json");
    let run_file = run_file.to_str().unwrap();
    let base = ["--lifecycle", "raw"];
    let mut said = String::new();
    for (range, ok) in [
        (["--from", "2026-08-15", "--until", "2026-09-01"], false),
        (["--from", "2026-08-01", "--until", "2026-09-15"], false),
        (["--from", "2026-08-01", "--until", "2026-09-01"], true),
    ] {
        let dir = out.path().join(format!("r{}", said.len()));
        let run = restore(run_file, &[&base[..], &range[..]].concat(), &dir);
        assert_eq!(run.code == 0, ok, "{range:?}: {}", run.stderr);
        if !ok {
            assert_eq!(run.code, 2, "{}", run.stderr);
            assert!(!dir.exists(), "nothing written on a refusal");
            said.push_str(&format!("{}\n", run.stderr.trim()));
        }
    }
    assert!(said.contains("--from 2026-08-15 falls inside a partition (%Y-%m partitions are restored whole): use 2026-08-01 or 2026-09-01"), "{said}");
    assert!(
        said.contains("--until 2026-09-15 falls inside a partition"),
        "{said}"
    );
}
