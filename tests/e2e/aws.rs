//! S3 and Glue with the real aws CLI against moto (named so that these, the longest
//! scenarios, are the first the test runner starts).

use std::collections::BTreeMap;
use std::fs;

use serde_json::json;

use crate::harness::{
    aws_env, bucket, exercise, late_write, late_write_after_the_delete, local_files, restore,
    restore_into, service, without_run, Case, Fault, Scenario, CUTOFF,
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
            "--force-glacier-transfer",
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
    /// The archive's storage class, when not the bucket's default.
    class: Option<&'static str>,
}

/// The S3 partition scenario in the bucket's default class, when the tier runs.
fn partitioned() -> Option<Partitioned> {
    let endpoint = service("ARCHC_E2E_AWS")?;
    Some(Partitioned {
        endpoint,
        class: None,
    })
}

/// The S3 `archival_object_detail` of a scenario, with its archive class if any.
fn s3_detail(mut detail: serde_json::Value, class: Option<&str>) -> serde_json::Value {
    if let Some(class) = class {
        detail["archive_storage_class"] = class.into();
    }
    detail
}

impl Scenario for Partitioned {
    fn fresh(&self, tag: &str) -> Case {
        let bucket = bucket(tag);
        let project = json!({"system": "e2e", "target_location_bucket": bucket,
            "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}",
            "backup_location": {"s3": format!("s3://{bucket}/backup")}});
        let table = json!({
            "raw": {"order": 1, "s3_main": {"storage": "s3", "archival_object_detail": s3_detail(json!({"bucket_name": bucket, "key_name": "events/", "partition_column": "dt"}), self.class), "starting_storage_date": "2019-01-01"}},
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
        put(
            case,
            "archive/events/raw/s3_main/dt=2026-07-18/part-03.txt",
            "corrupted",
        );
    }

    fn gated_step(&self) -> &'static str {
        "raw.s3_main.delete_source_data"
    }

    /// The check's listing of the archive, the source listing, then the one
    /// `delete-objects` batch.
    fn deleting_call(&self) -> usize {
        3
    }

    /// Rewrites an archived object in place with as many bytes: only its time and ETag
    /// tell.
    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let (key, body) = ("dt=2026-07-18/part-00.txt", "EVENTS 2026-07-18 part 0\n");
        assert_eq!(self.original()[key].0.len(), body.len());
        put(case, &format!("events/{key}"), body);
        Some((key.to_string(), body.to_string()))
    }
}

/// Writes `body` at `key` of the case's bucket.
fn put(case: &Case, key: &str, body: &str) {
    let path = case.path(&format!("put-{}", rand_suffix()));
    fs::write(&path, body).unwrap();
    let bucket = case.var("E2E_BUCKET");
    let to = format!("s3://{bucket}/{key}");
    case.tool(
        "aws",
        &[
            "s3",
            "cp",
            path.to_str().unwrap(),
            &to,
            "--only-show-errors",
        ],
    );
}

/// An object rewritten in place after the copy is archived again before it is deleted.
#[test]
fn s3_an_object_rewritten_after_the_copy_is_archived_again() {
    let Some(s) = partitioned() else { return };
    late_write(&s, "s3p");
}

/// A delete killed after its batch returned, then one of the deleted keys written again:
/// the re-run deletes nothing it did not archive, and does not select again (which would
/// leave the deleted objects out of the run's manifest); the new object stays for the
/// next run.
#[test]
fn s3_an_object_written_again_after_a_killed_delete_is_left_for_the_next_run() {
    let Some(s) = partitioned() else { return };
    late_write_after_the_delete(&s, "s3p", false);
}

#[test]
fn bulk_s3_partitioned_by_date() {
    let Some(s) = partitioned() else { return };
    exercise(&s, "s3p");
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
            if key.contains("/glue_partitions") {
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

    /// Rewrites an archived object in place with as many bytes, before the partitions are
    /// dropped: the storage is selected again after the drop.
    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let key = "dt=2026-07-15/part-0.csv";
        let body = self.original()[key].0.replace(',', ";");
        put(case, &format!("warehouse/events/{key}"), &body);
        Some((key.to_string(), body))
    }
}

/// An object rewritten after its copy is archived again before it is deleted, though its
/// partition was dropped from the table before the delete found it changed.
#[test]
fn glue_an_object_rewritten_after_the_copy_is_archived_again() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    late_write(&GlueTable { endpoint }, "glue");
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
    class: Option<&'static str>,
}

impl CreationDate {
    /// The scenario against the moto server that runs under libfaketime, when it is up.
    fn on_faketime(class: Option<&'static str>) -> Option<Self> {
        let endpoint = service("ARCHC_E2E_AWS_FAKETIME")?;
        let clock = std::env::var("ARCHC_E2E_CLOCK").unwrap();
        Some(CreationDate {
            endpoint,
            clock,
            class,
        })
    }
}

static CLOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Every seeded object carries the creation time it was made with (to the hour: the
/// faked clock runs on from where it was set).
fn assert_created(case: &Case, bucket: &str) {
    let listed = case.tool(
        "aws",
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            bucket,
            "--query",
            "Contents[].[Key,LastModified]",
            "--output",
            "text",
        ],
    );
    let seen: BTreeMap<&str, &str> = listed
        .stdout
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .collect();
    for (name, at, _) in CREATED {
        let key = format!("exports/{name}");
        let stamp = seen.get(key.as_str()).map(|t| t.replacen('T', " ", 1));
        assert!(
            stamp.as_deref().is_some_and(|t| t.starts_with(&at[..13])),
            "{key} was made at {at}, the server says {stamp:?}"
        );
    }
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
                "archival_object_detail": s3_detail(json!({"bucket_name": bucket, "key_name": "exports/export_*.csv.gz"}), self.class), "starting_storage_date": "01-Jan-2019"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let mut case = Case::build(project, "orders", table, aws_env(&self.endpoint));
        case.tool("aws", &["s3", "mb", &format!("s3://{bucket}")]);
        // One clock for the server and every test thread: hold it while the objects are
        // made old, or another test's "+0" lands between our "@2019" and its upload.
        let _clock = CLOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
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
        assert_created(&case, &bucket);
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
    let Some(s) = CreationDate::on_faketime(None) else {
        return;
    };
    exercise(&s, "s3c");
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
    let Some(s) = partitioned() else { return };
    restore(&s, "s3p");
}

/// Two weeks of partitions, into another prefix of the bucket: exactly those arrive.
#[test]
fn s3_partitions_of_a_date_range_are_restored_elsewhere() {
    let Some(s) = partitioned() else { return };
    let case = s.fresh("s3p-range");
    let to = format!("s3://{}/elsewhere/", case.var("E2E_BUCKET"));
    let args = ["--lifecycle", "raw", "--storage", "s3_main"];
    let range = ["--from", "2026-07-20", "--until", "2026-08-01", "--to", &to];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let want: BTreeMap<String, String> = s
        .original()
        .into_iter()
        .filter(|(k, _)| ("dt=2026-07-20".."dt=2026-08-01").contains(&k.as_str()))
        .map(|(k, (v, _))| (k, v))
        .collect();
    assert_eq!(want.len(), 8, "two partitions of four objects");
    let arrived = under(&download(&case, case.var("E2E_BUCKET")), "elsewhere/");
    assert_eq!(arrived, want, "exactly the range asked for");
}

/// One month of objects selected by creation date, into another prefix.
#[test]
fn s3_objects_created_in_a_date_range_are_restored_elsewhere() {
    let Some(s) = CreationDate::on_faketime(None) else {
        return;
    };
    let case = s.fresh("s3c-range");
    let to = format!("s3://{}/elsewhere/", case.var("E2E_BUCKET"));
    let args = ["--lifecycle", "raw", "--storage", "exports"];
    let range = ["--from", "2026-08-01", "--until", "2026-09-01", "--to", &to];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let arrived = under(&download(&case, case.var("E2E_BUCKET")), "elsewhere/");
    let want = BTreeMap::from([(
        "export_002.csv.gz".to_string(),
        "export_002.csv.gz created 2026-08-31 23:00:00\n".to_string(),
    )]);
    assert_eq!(arrived, want, "exactly the object created in August");
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
    let Some(s) = CreationDate::on_faketime(None) else {
        return;
    };
    restore(&s, "s3c");
}

/// Two weeks of a Glue table into another Glue table over another prefix: its files arrive
/// under that table's location and its partitions are added there, pointing at them.
#[test]
fn glue_partitions_of_a_date_range_are_restored_into_another_table() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    let s = GlueTable { endpoint };
    let case = s.fresh("glue-range");
    let (bucket, database) = (case.var("E2E_BUCKET"), case.var("E2E_DATABASE"));
    let location = format!("s3://{bucket}/copy/events/");
    let table_input = json!({"Name": "events_copy", "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {"Location": location, "Columns": [{"Name": "line", "Type": "string"}]}});
    let table_input = table_input.to_string();
    let create = ["glue", "create-table", "--database-name", database];
    case.tool(
        "aws",
        &[&create[..], &["--table-input", &table_input]].concat(),
    );
    let to = format!("glue:{database}.events_copy");
    let args = ["--lifecycle", "bronze", "--storage", "glue_main"];
    let range = ["--from", "2026-07-01", "--until", "2026-08-01", "--to", &to];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let want: BTreeMap<String, String> = s
        .original()
        .into_iter()
        .filter(|(k, _)| k.starts_with("dt=2026-07-"))
        .map(|(k, (v, _))| (k, v))
        .collect();
    assert_eq!(want.len(), 3, "one partition of three objects");
    let arrived = under(&download(&case, bucket), "copy/events/");
    assert_eq!(
        arrived, want,
        "exactly the range, under the other table's location"
    );
    let listed = case.tool(
        "aws",
        &[
            "glue",
            "get-partitions",
            "--database-name",
            database,
            "--table-name",
            "events_copy",
            "--query",
            "Partitions[].[Values[0], StorageDescriptor.Location]",
            "--output",
            "text",
        ],
    );
    assert_eq!(
        listed.stdout.trim(),
        format!("2026-07-15\t{location}dt=2026-07-15/"),
        "the partition is added to the other table, at its files"
    );
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

/// The storage classes of every object under `prefix`, by key.
fn classes(case: &Case, bucket: &str, prefix: &str) -> BTreeMap<String, String> {
    let out = case.tool(
        "aws",
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            bucket,
            "--prefix",
            prefix,
            "--query",
            "Contents[].[Key,StorageClass]",
            "--output",
            "text",
        ],
    );
    out.stdout
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, c)| (k.to_string(), c.to_string()))
        .collect()
}

/// An archive in GLACIER: the copies are written in that class (the run's manifest and
/// the backup are not), a restore first asks for the thaw and stops without copying
/// anything, and the next run of the same restore brings back every object exactly.
fn thawed_before_restore(s: &dyn Scenario, tag: &str, archive: &str, backup: Option<&str>) {
    let case = s.fresh(tag);
    let bucket = case.var("E2E_BUCKET").to_string();
    let before = s.seen(&case);
    let archived = case.run(Fault::None, &[]);
    assert_eq!(archived.code, 0, "{}{}", archived.stdout, archived.stderr);

    let old = s.original().values().filter(|(_, old)| *old).count();
    let (manifest, copies): (Vec<_>, Vec<_>) = classes(&case, &bucket, archive)
        .into_iter()
        .partition(|(k, _)| k.contains("_archc/"));
    assert_eq!(copies.len(), old, "{copies:?}");
    assert!(copies.iter().all(|(_, c)| c == "GLACIER"), "{copies:?}");
    assert!(
        !manifest.is_empty() && manifest.iter().all(|(_, c)| c == "STANDARD"),
        "the manifest stays readable: {manifest:?}"
    );
    if let Some(backup) = backup {
        let backups = classes(&case, &bucket, backup);
        assert!(
            !backups.is_empty() && backups.values().all(|c| c == "STANDARD"),
            "the backup keeps the default class: {backups:?}"
        );
    }
    let left = classes(&case, &bucket, "");
    let script = case.restore("restore", &["--all-lifecycles"]);
    let first = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_ne!(first.code, 0, "{}", first.stdout);
    assert!(first.stderr.contains("being thawed"), "{}", first.stderr);
    assert_eq!(
        classes(&case, &bucket, ""),
        left,
        "nothing is written before the thaw"
    );
    let second = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert_eq!(s.seen(&case).source, before.source, "every object back");
}

#[test]
fn s3_glacier_archive_is_thawed_before_it_is_restored() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    let s = Partitioned {
        endpoint,
        class: Some("GLACIER"),
    };
    let archive = "archive/events/raw/s3_main/";
    thawed_before_restore(&s, "s3pcold", archive, Some("backup/"));
}

#[test]
fn s3_glacier_archive_by_creation_date_is_thawed_before_it_is_restored() {
    let Some(s) = CreationDate::on_faketime(Some("GLACIER")) else {
        return;
    };
    thawed_before_restore(&s, "s3ccold", "archive/orders/raw/exports/", None);
}

/// The tier runs `aws` calls on a warm awscli (tests/fakes/aws_server.py): each call prints
/// the same bytes and exits alike when run cold, for listings, an upload from stdin, a
/// download to stdout, service errors and a usage error.
#[test]
fn warm_aws_prints_what_the_command_line_prints() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    if service("ARCHC_E2E_WARM").is_none() {
        return;
    }
    let case = Partitioned {
        endpoint,
        class: None,
    }
    .fresh("warm-aws");
    let bucket = case.var("E2E_BUCKET").to_string();
    let url = |key: &str| format!("s3://{bucket}/{key}");
    let listing = ["--bucket", &bucket, "--query", "Contents[].[Key,Size]"];
    let text = ["--output", "text"];
    let quiet = "--only-show-errors";
    // `@` is the side (cold, warm): each writes its own objects and files, in the case's
    // directory, and reads back what it wrote.
    let list = [&["s3api", "list-objects-v2"][..], &listing, &text].concat();
    let calls: &[&[&str]] = &[
        &list,
        &["s3", "ls", &url("events/"), "--recursive"],
        &["s3", "cp", "-", &url("in/@.txt"), quiet],
        &["s3", "cp", &url("in/@.txt"), "@.local", quiet],
        &["s3", "cp", "@.local", &url("in/@.again"), quiet],
        &["s3", "cp", &url("in/@.again"), "-"],
        &[
            "s3api",
            "head-object",
            "--bucket",
            &bucket,
            "--key",
            "missing",
        ],
        &["s3", "ls", "s3://archc-no-such-bucket/"],
        &["glue", "get-databases", "--output", "json"],
        &["s3", "no-such-command"],
    ];
    for args in calls {
        let [cold, warm] = ["cold", "warm"].map(|side| {
            let args: Vec<String> = args.iter().map(|a| a.replace('@', side)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut cmd = case.tool_command("aws", &args);
            cmd.current_dir(case.path(""));
            if side == "cold" {
                cmd.env("ARCHC_E2E_COLD", "1");
            }
            let piped = std::process::Stdio::piped;
            let mut child = cmd
                .stdin(piped())
                .stdout(piped())
                .stderr(piped())
                .spawn()
                .unwrap();
            let input = format!("{side} from stdin\n");
            use std::io::Write;
            // A call that does not read its stdin may be gone before this lands.
            let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
            let out = child.wait_with_output().unwrap();
            let text = |b: &[u8]| String::from_utf8_lossy(b).replace(side, "@");
            (out.status.code(), text(&out.stdout), text(&out.stderr))
        });
        assert_eq!(
            warm, cold,
            "aws {args:?}: the warm awscli and the command line differ"
        );
    }
    assert!(
        case.path("warm.local").exists(),
        "the warm call wrote where it was run"
    );
    eprintln!(
        "aws: the warm awscli printed what {} calls print",
        calls.len()
    );
}
