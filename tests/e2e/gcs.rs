//! Optional tier: GCS partition directories with the real gsutil against fake-gcs-server.
//! (Object creation dates cannot be faked here: the server is a Go binary.)

use std::collections::BTreeMap;
use std::fs;

use serde_json::json;

use crate::harness::{
    bucket, exercise, late_write, local_files, restore, restore_into, service, without_run, Case,
    Fault, Scenario, CUTOFF,
};

struct GcsPartitions {
    boto: String,
}

/// Every object of the case's bucket, by name.
fn download(case: &Case) -> BTreeMap<String, String> {
    let bucket = case.var("E2E_BUCKET");
    let local = case.path(&format!(
        "seen-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    fs::create_dir_all(&local).unwrap();
    rsync(case, &format!("gs://{bucket}"), local.to_str().unwrap());
    let files = local_files(&local);
    fs::remove_dir_all(&local).ok();
    files
}

fn rsync(case: &Case, from: &str, to: &str) {
    case.tool("gsutil", &["-q", "-m", "rsync", "-r", from, to]);
}

fn under(files: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    files
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|r| (r.to_string(), v.clone())))
        .collect()
}

impl Scenario for GcsPartitions {
    fn fresh(&self, tag: &str) -> Case {
        let bucket = bucket(tag);
        let project = json!({"system": "e2e", "target_location_bucket": bucket,
            "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}"});
        let table = json!({
            "landing": {"order": 1, "gcs_main": {"storage": "gcs", "archival_object_detail": {"bucket_name": bucket, "key_name": "readings/", "partition_column": "day", "partition_format": "%Y%m%d"}, "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let env = vec![
            ("BOTO_CONFIG".to_string(), self.boto.clone()),
            ("E2E_BUCKET".to_string(), bucket.clone()),
        ];
        let case = Case::build(project, "sensors", table, env);
        let local = case.path("seed");
        for (key, (body, _)) in self.original() {
            let path = local.join(&key);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }
        case.tool("gsutil", &["-q", "mb", &format!("gs://{bucket}")]);
        rsync(
            &case,
            local.to_str().unwrap(),
            &format!("gs://{bucket}/readings"),
        );
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let files = download(case);
        crate::harness::Seen {
            source: under(&files, "readings/"),
            archive: without_run(under(&files, "archive/sensors/landing/gcs_main/")),
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        let mut out = BTreeMap::new();
        for day in ["20260715", "20260831", "20260901", "20261102"] {
            for i in 0..3 {
                let iso = format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..]);
                out.insert(
                    format!("day={day}/part-{i}.json"),
                    (
                        format!("{{\"day\": \"{iso}\", \"i\": {i}}}\n"),
                        iso.as_str() < CUTOFF,
                    ),
                );
            }
        }
        out
    }

    fn corrupt_archive(&self, case: &Case) {
        // (gsutil rm exits 1 against this fake server even when it deletes: overwrite instead.)
        put(
            case,
            "archive/sensors/landing/gcs_main/day=20260715/part-1.json",
            "corrupted",
        );
    }

    fn gated_step(&self) -> &'static str {
        "landing.gcs_main.delete_source_data"
    }

    /// Rewrites an archived object in place (longer: the server's times are in seconds).
    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let key = "day=20260715/part-0.json";
        let body = format!("{}{{}}\n", self.original()[key].0);
        put(case, &format!("readings/{key}"), &body);
        Some((key.to_string(), body))
    }
}

/// Writes `body` at `key` of the case's bucket.
fn put(case: &Case, key: &str, body: &str) {
    let path = case.path("put.json");
    fs::write(&path, body).unwrap();
    let to = format!("gs://{}/{key}", case.var("E2E_BUCKET"));
    case.tool("gsutil", &["-q", "cp", path.to_str().unwrap(), &to]);
}

#[test]
fn gcs_partitions_with_gsutil() {
    let Some(boto) = service("ARCHC_E2E_BOTO_CONFIG") else {
        return;
    };
    exercise(&GcsPartitions { boto }, "gcs");
}

/// An object rewritten after its copy is archived again before it is deleted.
#[test]
fn gcs_an_object_rewritten_after_the_copy_is_archived_again() {
    let Some(boto) = service("ARCHC_E2E_BOTO_CONFIG") else {
        return;
    };
    late_write(&GcsPartitions { boto }, "gcs");
}

#[test]
fn gcs_partitions_are_restored() {
    let Some(boto) = service("ARCHC_E2E_BOTO_CONFIG") else {
        return;
    };
    restore(&GcsPartitions { boto }, "gcs");
}

/// One month of partitions, into another prefix of the bucket: exactly those arrive.
#[test]
fn gcs_partitions_of_a_date_range_are_restored_elsewhere() {
    let Some(boto) = service("ARCHC_E2E_BOTO_CONFIG") else {
        return;
    };
    let s = GcsPartitions { boto };
    let case = s.fresh("gcs-range");
    let to = format!("gs://{}/elsewhere/", case.var("E2E_BUCKET"));
    let args = ["--lifecycle", "landing", "--storage", "gcs_main"];
    let range = ["--from", "2026-08-01", "--until", "2026-09-01", "--to", &to];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let want: BTreeMap<String, String> = s
        .original()
        .into_iter()
        .filter(|(k, _)| k.starts_with("day=202608"))
        .map(|(k, (v, _))| (k, v))
        .collect();
    assert_eq!(want.len(), 3, "one partition of three objects");
    let arrived = under(&download(&case), "elsewhere/");
    assert_eq!(arrived, want, "exactly the range asked for");
}

/// A restore whose archive lost an object after the restore selected it fails at the copy
/// and keeps its journal: once the object is back, the re-run finishes. (Selecting again,
/// as an archival run does when its source changed, would find the restore's own copies
/// in the target and refuse for ever.)
#[test]
fn gcs_restore_missing_an_archived_object_finishes_once_it_is_back() {
    let Some(boto) = service("ARCHC_E2E_BOTO_CONFIG") else {
        return;
    };
    let s = GcsPartitions { boto };
    let case = s.fresh("gcs-lost");
    let before = s.seen(&case);
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let script = case.restore("restore", &["--all-lifecycles"]);
    let copy = "landing.gcs_main.restore_data";
    let stopped = case.run_script(&script, "restore-state", Fault::Kill(copy), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let bucket = case.var("E2E_BUCKET");
    let lost = format!("gs://{bucket}/archive/sensors/landing/gcs_main/day=20260831/part-2.json");
    let kept = case.path("kept.json");
    case.tool("gsutil", &["-q", "cp", &lost, kept.to_str().unwrap()]);
    // (gsutil rm exits 1 against this fake server even when it deletes.)
    crate::support::sh(&mut case.tool_command("gsutil", &["-q", "rm", &lost]));
    let failed = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_ne!(failed.code, 0, "{}", failed.stdout);
    assert!(
        failed
            .stderr
            .contains(&format!("step {copy} failed (exit 75)")),
        "{}",
        failed.stderr
    );
    case.tool("gsutil", &["-q", "cp", kept.to_str().unwrap(), &lost]);
    let finished = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(finished.code, 0, "{}{}", finished.stdout, finished.stderr);
    assert_eq!(s.seen(&case).source, before.source, "everything is back");
}
