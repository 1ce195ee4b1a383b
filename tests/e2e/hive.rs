//! Hive through the real `spark-sql` (pyspark's, with a Derby metastore) on local files.
//! A partition whose LOCATION lies outside the table root would be dropped (with its data,
//! on a managed table) without ever being archived, so the run stops before any drop; and
//! a run killed after its partition drop is finished by the next day's build, which finds
//! the partition directories the metastore no longer lists.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::harness::{
    exercise, late_write, local_files, restore, without_run, Case, Fault, Scenario, Seen,
};
use crate::local::rewrite;
use crate::support::{root, sh, temp};

/// `spark-sql -S -f FILE` through the tier's tool, in the scripts' locale and time zone: on
/// the warm Spark, or (`cold`) the real command line.
fn spark_sql(conf: &Path, file: &Path, cold: bool) -> crate::support::Run {
    let mut cmd = std::process::Command::new(root().join("tests/fakes/tools/spark-sql"));
    cmd.args(["-S", "-f"])
        .arg(file)
        .env("SPARK_CONF_DIR", conf)
        .envs([("LC_ALL", "C"), ("TZ", "UTC")]);
    if cold {
        cmd.env("ARCHC_E2E_COLD", "1");
    }
    sh(&mut cmd)
}

/// Spark's configuration for a Derby metastore and a warehouse under `dir`.
fn spark_conf(conf: &Path, dir: &Path) {
    fs::create_dir_all(conf).unwrap();
    fs::write(
        conf.join("spark-defaults.conf"),
        format!(
            "spark.sql.catalogImplementation hive\n\
             spark.hadoop.javax.jdo.option.ConnectionURL jdbc:derby:;databaseName={}/metastore_db;create=true\n\
             spark.sql.warehouse.dir {}/wh\nspark.ui.enabled false\nspark.master local[1]\n",
            dir.display(),
            dir.display()
        ),
    )
    .unwrap();
}

/// A Hive table `wh.t` over `data/t`, partitioned by dt, with the given partitions (each
/// at `<root>/dt=<value>` unless given its own location) and one file per partition.
struct HiveTable {
    case: Case,
    conf: PathBuf,
    db: String,
    table_root: PathBuf,
}

impl HiveTable {
    fn new(partitions: &[(&str, Option<&str>)]) -> Self {
        Self::with_columns("v STRING", partitions)
    }

    fn with_columns(columns: &str, partitions: &[(&str, Option<&str>)]) -> Self {
        let hive = Self::prepare(columns, partitions);
        hive.sql(&hive.case.path("setup.sql"));
        hive
    }

    /// The table's files, its own metastore and `setup.sql`, not run yet.
    fn prepare(columns: &str, partitions: &[(&str, Option<&str>)]) -> Self {
        let dir = temp();
        let conf = dir.path().join("spark-conf");
        spark_conf(&conf, dir.path());
        Self::prepare_in(dir, conf, "wh", columns, partitions)
    }

    /// The table `<db>.t` in the metastore configured at `conf`, under `dir`.
    fn prepare_in(
        dir: tempfile::TempDir,
        conf: PathBuf,
        db: &str,
        columns: &str,
        partitions: &[(&str, Option<&str>)],
    ) -> Self {
        let p = dir.path().to_path_buf();
        let table_root = p.join("data/t");
        let mut setup = format!(
            "CREATE DATABASE {db};\n\
             CREATE TABLE {db}.t ({columns}) PARTITIONED BY (dt STRING) STORED AS TEXTFILE LOCATION 'file://{}';\n",
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
                "ALTER TABLE {db}.t ADD PARTITION (dt='{value}'){location};\n"
            ));
        }
        fs::write(p.join("setup.sql"), setup).unwrap();
        let project = json!({"system": "e2e", "archive_roots": {"hdfs": p.join("archive").to_str().unwrap()}});
        let table = json!({"raw": {"order": 1,
            "hive_t": {"storage": "hive", "archival_object_detail": {"database": db, "table_name": "t", "partition_column": "dt",
                "location": table_root.to_str().unwrap()}, "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let env = vec![(
            "SPARK_CONF_DIR".to_string(),
            conf.to_str().unwrap().to_string(),
        )];
        let case = Case::build_in(dir, project, "hive", table, env);
        HiveTable {
            case,
            conf,
            db: db.to_string(),
            table_root,
        }
    }

    fn sql(&self, file: &Path) -> String {
        let run = self.spark_sql(file, false);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    }

    fn spark_sql(&self, file: &Path, cold: bool) -> crate::support::Run {
        spark_sql(&self.conf, file, cold)
    }

    /// The lines `text` prints, run from the case's file `name`.
    fn query(&self, name: &str, text: &str) -> Vec<String> {
        let file = self.case.path(name);
        fs::write(&file, text).unwrap();
        self.sql(&file).lines().map(str::to_string).collect()
    }

    fn partitions(&self) -> Vec<String> {
        self.query("show.sql", &format!("SHOW PARTITIONS {}.t;\n", self.db))
    }

    fn rows(&self) -> Vec<String> {
        let select = format!("SELECT dt, v FROM {}.t ORDER BY dt;\n", self.db);
        self.query("rows.sql", &select)
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

/// A restore back into the table reads where the metastore says the table lies (a column
/// named `Location` is not it) and refuses a table moved away from where the run archived
/// its files; a partition registered again elsewhere meanwhile (kept by ADD IF NOT EXISTS)
/// would hide the restored files, so the restore fails naming it.
#[test]
fn hive_restore_checks_where_the_table_and_its_partitions_lie() {
    let hive = HiveTable::with_columns(
        "`Location` STRING, v STRING",
        &[
            ("2026-01-01", None),
            ("2026-02-01", None),
            ("2026-11-20", None),
        ],
    );
    let case = &hive.case;
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let script = case.restore("restore", &["--all-lifecycles"]);
    let moved = case.path("moved");
    let at = |path: &Path| format!("file://{}", path.display());
    let set = |path: &Path| format!("ALTER TABLE wh.t SET LOCATION '{}';\n", at(path));
    hive.query("move.sql", &set(&moved));
    let refused = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    let lies = format!("wh.t lies at {} in the metastore", at(&moved));
    assert!(refused.stderr.contains(&lies), "{}", refused.stderr);
    hive.query("back.sql", &set(&hive.table_root));
    let elsewhere = case.path("elsewhere/dt=2026-01-01");
    fs::create_dir_all(&elsewhere).unwrap();
    let add = format!(
        "ALTER TABLE wh.t ADD PARTITION (dt='2026-01-01') LOCATION '{}';\n",
        at(&elsewhere)
    );
    hive.query("again.sql", &add);
    let hidden = case.run_script(&script, "restore-state-2", Fault::None, &[]);
    assert_ne!(hidden.code, 0, "{}", hidden.stdout);
    let named = format!("partition dt=2026-01-01 is stored at {}", at(&elsewhere));
    assert!(
        hidden.stderr.contains(&named)
            && hidden
                .stderr
                .contains("queries of it would not read the restored files"),
        "{}",
        hidden.stderr
    );
    assert!(
        hive.table_root.join("dt=2026-01-01/part-0.txt").exists(),
        "the files were restored"
    );
    eprintln!("hive: a restore refused a moved table and a partition registered elsewhere");
}

/// The tier runs `spark-sql` calls on a long-lived Spark (tests/fakes/jvm_server.py): the
/// same statements through the real command line print the same lines and exit alike,
/// with comments, quoted semicolons and a failing statement.
#[test]
fn spark_sql_server_prints_what_the_command_line_prints() {
    if crate::harness::service("ARCHC_E2E_WARM").is_none() {
        return;
    }
    let hive = HiveTable::prepare(
        "v STRING",
        &[
            ("2026-01-01", None),
            ("2026-02-01", Some("elsewhere/dt=2026-02-01")),
        ],
    );
    let queries = "-- a comment line\nSHOW PARTITIONS wh.t;\n\
        SELECT 'a;b', \"c'd\" /* ; */, dt, v FROM wh.t ORDER BY dt; -- a ; in a comment\n\
        DESCRIBE FORMATTED wh.t;\nDESCRIBE FORMATTED wh.t PARTITION (dt='2026-02-01');\n\
        SELECT count(*) FROM wh.t WHERE v LIKE 'row%'\n";
    let failing = "SELECT concat('x', '\\;', 'y');\nSELECT * FROM wh.missing;\nSELECT 2;\n";
    let setup = fs::read_to_string(hive.case.path("setup.sql")).unwrap();
    let file = |name: &str, text: &str| {
        let path = hive.case.path(name);
        fs::write(&path, text).unwrap();
        path
    };
    // The command line first (Derby lets one JVM at a time into the metastore); its
    // setup statements print nothing.
    let cold = [
        hive.spark_sql(&file("cold.sql", &format!("{setup}{queries}")), true),
        hive.spark_sql(&file("cold-failing.sql", failing), true),
    ];
    let warm = [
        hive.spark_sql(&file("warm.sql", queries), false),
        hive.spark_sql(&file("warm-failing.sql", failing), false),
    ];
    for (cold, warm) in cold.iter().zip(&warm) {
        assert_eq!(
            (warm.code, &warm.stdout),
            (cold.code, &cold.stdout),
            "the server and the command line differ: {}",
            warm.stderr
        );
    }
    assert_eq!(cold[1].code, 1, "a failing statement ends the call");
    assert!(cold[0].stdout.contains("2026-02-01"), "{}", cold[0].stdout);
    eprintln!("hive: the Spark server printed what the spark-sql command line prints");
}

const PARTITIONS: [&str; 3] = ["2026-01-01", "2026-02-01", "2026-11-20"];

/// One metastore for every case of the scenario (one warm Spark), under the warm servers'
/// directory, which the harness removes at the end.
fn shared_conf() -> PathBuf {
    static CONF: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CONF.get_or_init(|| {
        let dir = PathBuf::from(std::env::var("ARCHC_E2E_WARM").unwrap()).join("hive-metastore");
        spark_conf(&dir.join("spark-conf"), &dir);
        dir.join("spark-conf")
    })
    .clone()
}

/// Hive as a scenario of the tier (faults at every step, restore): each case is a table
/// in a database of its own. Its late write adds a file to a partition the run drops
/// (`new_file`), or rewrites one.
#[derive(Default)]
struct HiveScenario {
    new_file: bool,
}

impl Scenario for HiveScenario {
    fn fresh(&self, tag: &str) -> Case {
        let db = format!(
            "db_{}",
            tag.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let partitions: Vec<_> = PARTITIONS.iter().map(|v| (*v, None)).collect();
        let hive = HiveTable::prepare_in(temp(), shared_conf(), &db, "v STRING", &partitions);
        hive.sql(&hive.case.path("setup.sql"));
        let mut case = hive.case;
        case.env.push(("E2E_DATABASE".into(), db));
        case
    }

    fn seen(&self, case: &Case) -> Seen {
        let show = case.path("show.sql");
        let text = format!("SHOW PARTITIONS {}.t;\n", case.var("E2E_DATABASE"));
        fs::write(&show, text).unwrap();
        let listed = spark_sql(&shared_conf(), &show, false);
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        Seen {
            source: local_files(&case.path("data/t")),
            archive: without_run(local_files(&case.path("archive/hive/raw/hive_t"))),
            metadata: listed.stdout.lines().map(str::to_string).collect(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        PARTITIONS
            .iter()
            .map(|v| {
                let file = format!("dt={v}/part-0.txt");
                (file, (format!("row of {v}\n"), *v < "2026-09-01"))
            })
            .collect()
    }

    fn metadata_after(&self) -> Vec<String> {
        vec!["dt=2026-11-20".to_string()]
    }

    fn corrupt_archive(&self, case: &Case) {
        let archive = case.path("archive/hive/raw/hive_t");
        let key = local_files(&archive)
            .into_keys()
            .find(|k| k.contains("dt=2026-01-01/"))
            .expect("January is archived");
        fs::write(archive.join(key), "x").unwrap();
    }

    fn gated_step(&self) -> &'static str {
        "raw.hive_t.drop_table_partition"
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let root = case.path("data/t");
        if !self.new_file {
            return Some(rewrite(&root, "dt=2026-01-01/part-0.txt"));
        }
        let key = "dt=2026-01-01/part-late.txt";
        fs::write(root.join(key), "late row\n").unwrap();
        Some((key.to_string(), "late row\n".to_string()))
    }
}

/// On a managed table the drop deletes the partition directories whole, so a file written
/// into one, or rewritten there, after the selection is archived before the drop. (The
/// tier's tables are external: without the check, the new file would be left behind in a
/// partition no longer registered, which the test tells as well.)
#[test]
fn hive_files_written_into_a_partition_to_drop_are_archived_first() {
    if crate::harness::service("ARCHC_E2E_WARM").is_none() {
        return;
    }
    late_write(&HiveScenario { new_file: false }, "hive-rewrite");
    late_write(&HiveScenario { new_file: true }, "hive-new");
}

#[test]
fn hive_table_through_spark_sql() {
    if crate::harness::service("ARCHC_E2E_WARM").is_none() {
        return;
    }
    exercise(&HiveScenario::default(), "hive");
    restore(&HiveScenario::default(), "hive");
}
