//! Hive through the real `spark-sql` (pyspark's, with a Derby metastore) on local files:
//! a partition whose LOCATION lies outside the table root would be dropped (with its data,
//! on a managed table) without ever being archived, so the run stops before any drop.

use std::fs;

use serde_json::json;

use crate::harness::{Case, Fault};
use crate::support::{root, sh, temp};

#[test]
fn hive_partition_stored_outside_the_table_root_is_never_dropped() {
    let dir = temp();
    let p = dir.path().to_path_buf();
    let table_root = p.join("data/t");
    let elsewhere = p.join("elsewhere/dt=2026-02-01");
    for (path, body) in [
        (table_root.join("dt=2026-01-01/a.txt"), "a"),
        (elsewhere.join("b.txt"), "b"),
        (table_root.join("dt=2026-11-20/c.txt"), "c"),
    ] {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
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
    fs::write(
        p.join("setup.sql"),
        format!(
            "CREATE DATABASE wh;\n\
             CREATE TABLE wh.t (v STRING) PARTITIONED BY (dt STRING) STORED AS TEXTFILE LOCATION 'file://{}';\n\
             ALTER TABLE wh.t ADD PARTITION (dt='2026-01-01');\n\
             ALTER TABLE wh.t ADD PARTITION (dt='2026-02-01') LOCATION 'file://{}';\n\
             ALTER TABLE wh.t ADD PARTITION (dt='2026-11-20');\n",
            table_root.display(),
            elsewhere.display()
        ),
    )
    .unwrap();
    let spark = root().join(".venv/bin/spark-sql");
    let setup = sh(std::process::Command::new(&spark)
        .args(["-S", "-f"])
        .arg(p.join("setup.sql"))
        .env("SPARK_CONF_DIR", &conf));
    assert_eq!(setup.code, 0, "{}", setup.stderr);

    let project =
        json!({"system": "e2e", "archive_roots": {"hdfs": p.join("archive").to_str().unwrap()}});
    let table = json!({"raw": {"order": 1,
        "hive_t": {"storage": "hive", "archival_object_detail": {"database": "wh", "table_name": "t", "partition_column": "dt",
            "location": table_root.to_str().unwrap()}, "starting_storage_date": "2019-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2});
    let env = vec![(
        "SPARK_CONF_DIR".to_string(),
        conf.to_str().unwrap().to_string(),
    )];
    let case = Case::build_in(dir, project, "hive", table, env);
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
    assert!(elsewhere.join("b.txt").exists() && table_root.join("dt=2026-01-01/a.txt").exists());
}
