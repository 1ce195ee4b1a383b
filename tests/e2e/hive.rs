//! Hive through the real `spark-sql` (pyspark's, with a Derby metastore) on local files.
//! A partition whose LOCATION lies outside the table root would be dropped (with its data,
//! on a managed table) without ever being archived, so the run stops before any drop; and
//! a run killed after its partition drop is finished by the next day's build, which finds
//! the partition directories the metastore no longer lists.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::harness::{local_files, without_run, Case, Fault};
use crate::support::{root, sh, temp};

/// A Hive table `wh.t` over `data/t`, partitioned by dt, with the given partitions (each
/// at `<root>/dt=<value>` unless given its own location) and one file per partition.
struct HiveTable {
    case: Case,
    conf: PathBuf,
    table_root: PathBuf,
}

impl HiveTable {
    fn new(partitions: &[(&str, Option<&str>)]) -> Self {
        let dir = temp();
        let p = dir.path().to_path_buf();
        let table_root = p.join("data/t");
        let conf = p.join("spark-conf");
        fs::create_dir_all(&conf).unwrap();
        fs::write(
            conf.join("spark-defaults.conf"),
            format!(
                "spark.sql.catalogImplementation hive\n\
                 spark.hadoop.javax.jdo.option.ConnectionURL jdbc:derby:;databaseName={}/metastore_db;create=true\n\
                 spark.sql.warehouse.dir {}/wh\nspark.ui.enabled false\nspark.master local[1]\n",
                p.display(),
                p.display()
            ),
        )
        .unwrap();
        let mut setup = format!(
            "CREATE DATABASE wh;\n\
             CREATE TABLE wh.t (v STRING) PARTITIONED BY (dt STRING) STORED AS TEXTFILE LOCATION 'file://{}';\n",
            table_root.display()
        );
        for (value, at) in partitions {
            let dir = at.map_or(table_root.join(format!("dt={value}")), |a| p.join(a));
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("part-0.txt"), format!("row of {value}\n")).unwrap();
            let location = at.map_or(String::new(), |_| {
                format!(" LOCATION 'file://{}'", dir.display())
            });
            setup.push_str(&format!(
                "ALTER TABLE wh.t ADD PARTITION (dt='{value}'){location};\n"
            ));
        }
        fs::write(p.join("setup.sql"), setup).unwrap();
        let project = json!({"system": "e2e", "archive_roots": {"hdfs": p.join("archive").to_str().unwrap()}});
        let table = json!({"raw": {"order": 1,
            "hive_t": {"storage": "hive", "archival_object_detail": {"database": "wh", "table_name": "t", "partition_column": "dt",
                "location": table_root.to_str().unwrap()}, "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let env = vec![(
            "SPARK_CONF_DIR".to_string(),
            conf.to_str().unwrap().to_string(),
        )];
        let case = Case::build_in(dir, project, "hive", table, env);
        let hive = HiveTable {
            case,
            conf,
            table_root,
        };
        hive.sql(&p.join("setup.sql"));
        hive
    }

    fn sql(&self, file: &Path) -> String {
        let run = sh(
            std::process::Command::new(root().join(".venv/bin/spark-sql"))
                .args(["-S", "-f"])
                .arg(file)
                .env("SPARK_CONF_DIR", &self.conf),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    }

    fn partitions(&self) -> Vec<String> {
        let file = self.case.path("show.sql");
        fs::write(&file, "SHOW PARTITIONS wh.t;\n").unwrap();
        self.sql(&file).lines().map(str::to_string).collect()
    }

    fn rows(&self) -> Vec<String> {
        let file = self.case.path("rows.sql");
        fs::write(&file, "SELECT dt, v FROM wh.t ORDER BY dt;\n").unwrap();
        self.sql(&file).lines().map(str::to_string).collect()
    }

    fn files(&self) -> BTreeMap<String, String> {
        local_files(&self.table_root)
    }
}

#[test]
fn hive_partition_stored_outside_the_table_root_is_never_dropped() {
    let hive = HiveTable::new(&[
        ("2026-01-01", None),
        ("2026-02-01", Some("elsewhere/dt=2026-02-01")),
        ("2026-11-20", None),
    ]);
    let case = &hive.case;
    let elsewhere = case.path("elsewhere/dt=2026-02-01");
    let run = case.run(Fault::None, &[]);
    assert_ne!(run.code, 0, "the run must stop: {}", run.stdout);
    assert!(
        run.stderr.contains(&format!(
            "partition dt=2026-02-01 is stored at {}",
            elsewhere.display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("partition dt=2026-01-01 is stored"),
        "a partition in its directory is fine: {}",
        run.stderr
    );
    let calls = fs::read_to_string(case.path("calls.log")).unwrap_or_default();
    assert!(
        !calls.lines().any(|l| l.contains("drop")),
        "nothing was dropped: {calls}"
    );
    assert!(elsewhere.join("part-0.txt").exists());
    assert!(hive.table_root.join("dt=2026-01-01/part-0.txt").exists());
}

#[test]
fn hive_drop_then_crash_is_finished_by_the_next_days_run() {
    let mut hive = HiveTable::new(&[
        ("2026-01-01", None),
        ("2026-02-01", None),
        ("2026-11-20", None),
    ]);
    let before = hive.files();
    let killed = hive
        .case
        .run(Fault::Kill("raw.hive_t.delete_source_data"), &[]);
    assert_ne!(killed.code, 0, "{}", killed.stdout);
    assert_eq!(hive.partitions(), ["dt=2026-11-20"], "the drop happened");
    assert_eq!(
        hive.files(),
        before,
        "the dropped partitions' data is still there"
    );
    hive.case.rebuild("2026-11-22T10:00:00Z");
    let next = hive.case.run(Fault::None, &[]);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    let (old, new): (BTreeMap<_, _>, BTreeMap<_, _>) = before
        .into_iter()
        .partition(|(k, _)| k.as_str() < "dt=2026-09-01");
    assert_eq!(
        hive.files(),
        new,
        "the next day's run deleted what was left"
    );
    let archive = local_files(&hive.case.path("archive/hive/raw/hive_t"));
    assert_eq!(without_run(archive), old, "and the archive holds all of it");
    assert_eq!(hive.partitions(), ["dt=2026-11-20"]);
    eprintln!("hive: a run killed after its drop was finished by the next day's build");
}

#[test]
fn hive_restore_brings_back_files_and_partitions_after_a_kill() {
    let hive = HiveTable::new(&[
        ("2026-01-01", None),
        ("2026-02-01", None),
        ("2026-11-20", None),
    ]);
    let case = &hive.case;
    let (files, partitions, rows) = (hive.files(), hive.partitions(), hive.rows());
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(hive.partitions(), ["dt=2026-11-20"]);
    let archived = without_run(local_files(&case.path("archive/hive/raw/hive_t")));
    let script = case.restore("restore", &["--all-lifecycles"]);
    // Killed right after spark-sql added the partitions back, before the journal line.
    let add = "raw.hive_t.add_partitions";
    let killed = case.run_script(&script, "restore-state", Fault::KillAfter(add, 1), &[]);
    assert_ne!(killed.code, 0, "{}", killed.stdout);
    let journal = crate::support::journal(&case.path("restore-state"), &case.table);
    assert!(!journal.iter().any(|s| s == add), "{journal:?}");
    assert_eq!(hive.partitions(), partitions, "the kill came after the add");
    let resumed = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(resumed.code, 0, "{}{}", resumed.stdout, resumed.stderr);
    assert_eq!(hive.files(), files, "every file is back");
    assert_eq!(hive.partitions(), partitions, "every partition is back");
    assert_eq!(hive.rows(), rows, "and queries read the restored rows");
    let archive = without_run(local_files(&case.path("archive/hive/raw/hive_t")));
    assert_eq!(archive, archived, "the archive keeps what it held");
    let again = case.run_script(&script, "other-state", Fault::None, &[]);
    assert_ne!(again.code, 0, "a table holding the data is refused");
    assert!(
        again.stderr.contains("nothing was restored"),
        "{}",
        again.stderr
    );
    eprintln!("hive: restored files and partitions, after a kill right after the partition add");
}
