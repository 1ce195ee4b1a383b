//! Successive builds: two builds a month apart into one output directory, both run
//! through run-all.sh as the README recommends for cron. The second archives exactly
//! the new window. Real find/rsync and a real PostgreSQL.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use serde_json::json;

use crate::harness::{local_files, pg_env, without_run};
use crate::postgres::{create, dumped, original_rows, source_rows};
use crate::support::{build_repo, sh, temp};

const DAYS: &[&str] = &[
    "2026-07-15",
    "2026-08-15",
    "2026-09-15",
    "2026-10-15",
    "2026-11-15",
];

#[test]
fn a_build_a_month_later_archives_the_next_window() {
    let Some(env) = pg_env() else { return };
    let repo = temp();
    let p = repo.path();
    let db = format!("e2e_months_{}", std::process::id());
    let src = p.join("src");
    for day in DAYS {
        let dir = src.join(format!("dt={day}"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("part-0.csv"), format!("{day}\n")).unwrap();
    }
    let project = json!({"system": "e2e", "archive_roots": {
        "local": p.join("archive").to_str().unwrap(), "dumps": p.join("dumps").to_str().unwrap()}});
    let table = json!({"orders": {
        "raw": {"order": 1, "files": {"storage": "local",
            "archival_object_detail": {"path": src.to_str().unwrap(), "partition_column": "dt"},
            "starting_storage_date": "2019-01-01"}},
        "serving": {"order": 2, "pg": {"storage": "postgres",
            "archival_object_detail": {"database": db, "table_name": "orders", "date_column": "ordered_at"},
            "starting_storage_date": "2019-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2}});
    fs::write(p.join("archc.json"), project.to_string()).unwrap();
    fs::create_dir_all(p.join("tables")).unwrap();
    fs::write(p.join("tables/orders.json"), table.to_string()).unwrap();
    let case = crate::harness::Case::from_dir(repo, env.clone());
    create(&case, &db, "orders");

    let run_all = |as_of: &str| {
        let out = build_repo(case.dir.path(), as_of);
        let run = sh(Command::new("bash")
            .arg(out.join("runs/run-all.sh"))
            .env("ARCHC_LOCK_DIR", case.path("locks"))
            .envs(env.iter().map(|(k, v)| (k, v))));
        assert_eq!(run.code, 0, "{as_of}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("all 1 tables archived"),
            "{}",
            run.stdout
        );
    };
    let check = |cutoff: &str| {
        let archived: BTreeMap<String, String> =
            without_run(local_files(&case.path("archive/orders/raw/files")));
        let kept = local_files(&src);
        let want = |old: bool| -> Vec<String> {
            DAYS.iter()
                .filter(|d| (**d < cutoff) == old)
                .map(|d| format!("dt={d}/part-0.csv"))
                .collect()
        };
        assert_eq!(
            archived.keys().cloned().collect::<Vec<_>>(),
            want(true),
            "{cutoff}"
        );
        assert_eq!(
            kept.keys().cloned().collect::<Vec<_>>(),
            want(false),
            "{cutoff}"
        );
        let rows = original_rows("");
        let mut archive = BTreeMap::new();
        for run in ["2026112110", "2026122110"] {
            let dir = case.path(&format!("dumps/orders/serving/pg/run={run}"));
            archive.extend(dumped(&dir, "orders", ""));
        }
        let source = source_rows(&case, &db, "orders", "");
        for (key, (line, _)) in &rows {
            let old = line.split('\t').nth(1).unwrap() < cutoff;
            assert_eq!(
                archive.get(key) == Some(line),
                old,
                "{cutoff}: {key} archived"
            );
            assert_eq!(source.get(key) == Some(line), !old, "{cutoff}: {key} kept");
        }
    };
    run_all("2026-11-21T10:00:00Z");
    check("2026-09-01");
    run_all("2026-12-21T10:00:00Z");
    check("2026-10-01");
    eprintln!(
        "months: the December build archived September, after November's archived July and August"
    );
}
