//! S3 and Glue with the real aws CLI against moto (named so that these, the longest
//! scenarios, are the first the test runner starts).

use std::collections::BTreeMap;
use std::fs;

use serde_json::json;

use crate::harness::{
    aws_env, bucket, exercise, local_files, restore, service, without_run, Case, Fault, Scenario,
    CUTOFF,
};

fn partitions() -> Vec<String> {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 7, 18).unwrap();
    (0..12)
        .map(|i| {
            (start + chrono::Days::new(5 * i))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect()
}

/// 12 daily partitions of 4 objects each, 9 of them before the cutoff (the benchmark
/// measures scale; this checks behaviour).
fn objects(prefix: &str) -> BTreeMap<String, (String, bool)> {
    let mut out = BTreeMap::new();
    for dt in partitions() {
        for i in 0..4 {
            let body = format!("{prefix} {dt} part {i}\n").repeat(i + 1);
            out.insert(
                format!("dt={dt}/part-{i:02}.txt"),
                (body, dt.as_str() < CUTOFF),
            );
        }
    }
    out
}

fn seed(case: &Case, bucket: &str, prefix: &str, data: &BTreeMap<String, (String, bool)>) {
    let local = case.path("seed");
    for (key, (body, _)) in data {
        let path = local.join(key);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
    case.tool("aws", &["s3", "mb", &format!("s3://{bucket}")]);
    case.tool(
        "aws",
        &[
            "s3",
            "sync",
            local.to_str().unwrap(),
            &format!("s3://{bucket}/{prefix}"),
            "--only-show-errors",
        ],
    );
}

/// Everything in the bucket, downloaded once, split by prefix.
fn download(case: &Case, bucket: &str) -> BTreeMap<String, String> {
    let local = case.path(&format!("seen-{}", rand_suffix()));
    case.tool(
        "aws",
        &[
            "s3",
            "sync",
            &format!("s3://{bucket}"),
            local.to_str().unwrap(),
            "--only-show-errors",
        ],
    );
    let files = local_files(&local);
    fs::remove_dir_all(&local).ok();
    files
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn under(files: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    files
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|r| (r.to_string(), v.clone())))
        .collect()
}

struct Partitioned {
    endpoint: String,
}

impl Scenario for Partitioned {
    fn fresh(&self, tag: &str) -> Case {
        let bucket = bucket(tag);
        let project = json!({"system": "e2e", "target_location_bucket": bucket,
            "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}",
            "backup_location": {"s3": format!("s3://{bucket}/backup")}});
        let table = json!({
            "raw": {"order": 1, "s3_main": {"storage": "s3", "archival_object_detail": {"bucket_name": bucket, "key_name": "events/", "partition_column": "dt"}, "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let mut case = Case::build(project, "events", table, aws_env(&self.endpoint));
        seed(&case, &bucket, "events/", &self.original());
        case.env.push(("E2E_BUCKET".into(), bucket));
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let bucket = case.var("E2E_BUCKET");
        let files = download(case, bucket);
        let backup = under(&files, "backup/events/raw/s3_main/");
        crate::harness::Seen {
            source: under(&files, "events/"),
            archive: without_run(under(&files, "archive/events/raw/s3_main/")),
            metadata: backup
                .keys()
                .filter(|k| !backup.is_empty() && k.as_str() < "dt=2026-09-01")
                .map(|_| "backup".to_string())
                .take(1)
                .collect(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        objects("events")
    }

    fn metadata_after(&self) -> Vec<String> {
        vec!["backup".to_string()]
    }

    /// The backup the run took stays.
    fn metadata_restored(&self, _before: &[String]) -> Vec<String> {
        self.metadata_after()
    }

    fn corrupt_archive(&self, case: &Case) {
        let bucket = case.var("E2E_BUCKET");
        let path = case.path("corrupt.txt");
        fs::write(&path, "corrupted").unwrap();
        case.tool(
            "aws",
            &[
                "s3",
                "cp",
                path.to_str().unwrap(),
                &format!("s3://{bucket}/archive/events/raw/s3_main/dt=2026-07-18/part-03.txt"),
                "--only-show-errors",
            ],
        );
    }

    fn gated_step(&self) -> &'static str {
        "raw.s3_main.delete_source_data"
    }
}

#[test]
fn bulk_s3_partitioned_by_date() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    exercise(&Partitioned { endpoint }, "s3p");
}

/// A Glue table over S3: partitions discovered from the table definition, dropped before
/// the data is deleted; partitions after the cutoff untouched.
struct GlueTable {
    endpoint: String,
}

fn glue_days() -> Vec<String> {
    [
        "2026-06-30",
        "2026-07-15",
        "2026-08-01",
        "2026-08-31",
        "2026-09-01",
        "2026-10-10",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

impl Scenario for GlueTable {
    fn fresh(&self, tag: &str) -> Case {
        let bucket = bucket(tag);
        let database = format!("db_{}", bucket.replace('-', "_"));
        let mut case = glue_case(&bucket, &database, &self.endpoint);
        seed(&case, &bucket, "warehouse/events/", &self.original());
        let location = format!("s3://{bucket}/warehouse/events/");
        let table_input = json!({"Name": "events", "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {"Location": location, "Columns": [{"Name": "line", "Type": "string"}]}});
        create_glue_table(&case, &database, &table_input);
        let partitions: Vec<_> = glue_days().iter().map(|d| json!({"Values": [d], "StorageDescriptor": {"Location": format!("{location}dt={d}/")}})).collect();
        case.tool(
            "aws",
            &[
                "glue",
                "batch-create-partition",
                "--database-name",
                &database,
                "--table-name",
                "events",
                "--partition-input-list",
                &serde_json::Value::from(partitions).to_string(),
            ],
        );
        case.env.push(("E2E_BUCKET".into(), bucket));
        case.env.push(("E2E_DATABASE".into(), database));
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let files = download(case, case.var("E2E_BUCKET"));
        let listed = case.tool(
            "aws",
            &[
                "glue",
                "get-partitions",
                "--database-name",
                case.var("E2E_DATABASE"),
                "--table-name",
                "events",
                "--query",
                "Partitions[].Values[0]",
                "--output",
                "text",
            ],
        );
        let mut metadata: Vec<String> = listed
            .stdout
            .split_whitespace()
            .filter(|v| *v != "None")
            .map(str::to_string)
            .collect();
        metadata.sort();
        let mut archive = under(&files, "archive/events/bronze/glue_main/");
        let definitions: Vec<String> = archive
            .keys()
            .filter(|k| k.starts_with("_archc/"))
            .cloned()
            .collect();
        let mut saved = None::<String>;
        for key in definitions {
            let text = archive.remove(&key).unwrap();
            if key.ends_with("glue_partitions.json") {
                saved = Some(saved.unwrap_or_default() + &text);
            }
        }
        if let Some(saved) = saved {
            assert!(
                saved.contains("2026-08-31") && !saved.contains("2026-09-01"),
                "saved definitions: {saved}"
            );
        }
        crate::harness::Seen {
            source: under(&files, "warehouse/events/"),
            archive,
            metadata,
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        let mut out = BTreeMap::new();
        for dt in glue_days() {
            for i in 0..3 {
                out.insert(
                    format!("dt={dt}/part-{i}.csv"),
                    (format!("{dt},{i}\n").repeat(i + 2), dt.as_str() < CUTOFF),
                );
            }
        }
        out
    }

    fn metadata_after(&self) -> Vec<String> {
        glue_days()
            .into_iter()
            .filter(|d| d.as_str() >= CUTOFF)
            .collect()
    }

    fn corrupt_archive(&self, case: &Case) {
        let bucket = case.var("E2E_BUCKET");
        let key = format!("s3://{bucket}/archive/events/bronze/glue_main/dt=2026-07-15/part-1.csv");
        case.tool("aws", &["s3", "rm", &key, "--only-show-errors"]);
    }

    fn gated_step(&self) -> &'static str {
        "bronze.glue_main.drop_table_partition"
    }
}

#[test]
fn glue_table_over_s3() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    exercise(&GlueTable { endpoint }, "glue");
}

/// S3 objects archived by creation date: moto runs under libfaketime so that objects can
/// be made old; only names matching the glob are archived.
struct CreationDate {
    endpoint: String,
    clock: String,
}

const CREATED: &[(&str, &str, bool)] = &[
    ("export_001.csv.gz", "2019-03-01 12:00:00", true),
    ("export_002.csv.gz", "2026-08-31 23:00:00", true),
    ("readme.txt", "2019-03-01 12:00:00", false),
    ("export_003.csv.gz", "2026-09-01 00:30:00", false),
    ("export_004.csv.gz", "2026-11-10 08:00:00", false),
];

impl Scenario for CreationDate {
    fn fresh(&self, tag: &str) -> Case {
        let bucket = bucket(tag);
        let project = json!({"system": "e2e", "target_location_bucket": bucket,
            "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}"});
        let table = json!({
            "raw": {"order": 1, "exports": {"storage": "s3", "archival_object_type": "file",
                "archival_object_detail": {"bucket_name": bucket, "key_name": "exports/export_*.csv.gz"}, "starting_storage_date": "01-Jan-2019"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let mut case = Case::build(project, "orders", table, aws_env(&self.endpoint));
        case.tool("aws", &["s3", "mb", &format!("s3://{bucket}")]);
        for (name, at, _) in CREATED {
            fs::write(&self.clock, format!("@{at}\n")).unwrap();
            let file = case.path(name);
            fs::write(&file, format!("{name} created {at}\n")).unwrap();
            case.tool(
                "aws",
                &[
                    "s3",
                    "cp",
                    file.to_str().unwrap(),
                    &format!("s3://{bucket}/exports/{name}"),
                    "--only-show-errors",
                ],
            );
        }
        fs::write(&self.clock, "+0\n").unwrap();
        case.env.push(("E2E_BUCKET".into(), bucket));
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let files = download(case, case.var("E2E_BUCKET"));
        crate::harness::Seen {
            source: under(&files, "exports/"),
            archive: without_run(under(&files, "archive/orders/raw/exports/")),
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        CREATED
            .iter()
            .map(|(name, at, old)| (name.to_string(), (format!("{name} created {at}\n"), *old)))
            .collect()
    }

    fn corrupt_archive(&self, case: &Case) {
        let bucket = case.var("E2E_BUCKET");
        case.tool(
            "aws",
            &[
                "s3",
                "rm",
                &format!(
                    "s3://{bucket}/archive/orders/raw/exports/run=2026112110/export_001.csv.gz"
                ),
                "--only-show-errors",
            ],
        );
    }

    fn gated_step(&self) -> &'static str {
        "raw.exports.delete_source_data"
    }
}

#[test]
fn s3_by_object_creation_date() {
    let Some(endpoint) = service("ARCHC_E2E_AWS_FAKETIME") else {
        return;
    };
    let clock = std::env::var("ARCHC_E2E_CLOCK").unwrap();
    exercise(&CreationDate { endpoint, clock }, "s3c");
}

/// A run killed after its partition drop (before the data is deleted) is finished by a
/// run built the next day: the objects are found again from the table's location.
#[test]
fn glue_drop_then_crash_is_finished_by_the_next_days_run() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    let s = GlueTable { endpoint };
    let mut case = s.fresh("glue-nextday");
    let killed = case.run(Fault::Kill("bronze.glue_main.delete_source_data"), &[]);
    assert_ne!(killed.code, 0, "{}", killed.stdout);
    let between = s.seen(&case);
    assert_eq!(between.metadata, s.metadata_after(), "the drop happened");
    assert!(
        between.source.keys().any(|k| k.as_str() < "dt=2026-09-01"),
        "the data of the dropped partitions is still in the source"
    );
    case.rebuild("2026-11-22T10:00:00Z");
    let next = case.run(Fault::None, &[]);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    let seen = s.seen(&case);
    let (old, new): (Vec<_>, Vec<_>) = s.original().into_iter().partition(|(_, (_, old))| *old);
    let values = |v: Vec<(String, (String, bool))>| -> BTreeMap<String, String> {
        v.into_iter().map(|(k, (v, _))| (k, v)).collect()
    };
    assert_eq!(
        seen.source,
        values(new),
        "the next day's run deleted what was left"
    );
    assert_eq!(seen.archive, values(old), "and the archive holds all of it");
    assert_eq!(seen.metadata, s.metadata_after());
}

#[test]
fn s3_partitions_are_restored() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    restore(&Partitioned { endpoint }, "s3p");
}

#[test]
fn glue_table_is_restored_with_its_partitions() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    restore(&GlueTable { endpoint }, "glue");
}

#[test]
fn s3_objects_by_creation_date_are_restored() {
    let Some(endpoint) = service("ARCHC_E2E_AWS_FAKETIME") else {
        return;
    };
    let clock = std::env::var("ARCHC_E2E_CLOCK").unwrap();
    restore(&CreationDate { endpoint, clock }, "s3c");
}

/// A Delta table registered in Glue by Spark has no Glue partition keys: configured as a
/// Glue table, its run stops at the describe step with a hint, before any other call.
#[test]
fn glue_table_without_partition_keys_is_refused_with_a_hint() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    let bucket = bucket("glue-delta");
    let database = format!("db_{}", bucket.replace('-', "_"));
    let case = glue_case(&bucket, &database, &endpoint);
    case.tool("aws", &["s3", "mb", &format!("s3://{bucket}")]);
    let table_input = json!({"Name": "events", "Parameters": {"spark.sql.sources.provider": "delta"},
        "StorageDescriptor": {"Location": format!("s3://{bucket}/lake/events"), "Columns": []}});
    create_glue_table(&case, &database, &table_input);
    let run = case.run(Fault::None, &[]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("has no partition keys in Glue; a Delta table registered by Spark"),
        "{}",
        run.stderr
    );
    let calls = std::fs::read_to_string(case.path("calls.log")).unwrap_or_default();
    assert!(
        calls
            .lines()
            .all(|l| l.starts_with(' ') || l.starts_with("bronze.glue_main.describe_table ")),
        "no step after the describe ran: {calls}"
    );
}

fn create_glue_table(case: &Case, database: &str, table_input: &serde_json::Value) {
    let database_input = json!({"Name": database}).to_string();
    case.tool(
        "aws",
        &[
            "glue",
            "create-database",
            "--database-input",
            &database_input,
        ],
    );
    let table_input = table_input.to_string();
    case.tool(
        "aws",
        &[
            "glue",
            "create-table",
            "--database-name",
            database,
            "--table-input",
            &table_input,
        ],
    );
}

/// A table `events` whose bronze lifecycle is the Glue table `database.events`.
fn glue_case(bucket: &str, database: &str, endpoint: &str) -> Case {
    let project = json!({"system": "e2e", "target_location_bucket": bucket,
        "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}"});
    let table = json!({
        "bronze": {"order": 1, "glue_main": {"storage": "glue", "archival_object_type": "table",
            "archival_object_detail": {"database": database, "table_name": "events"}, "starting_storage_date": "2019-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2});
    Case::build(project, "events", table, aws_env(endpoint))
}
