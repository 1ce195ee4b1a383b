//! Hostile object names, planted beside ordinary ones in the source of S3, GCS, HDFS and
//! local scenarios (real aws CLI + moto, gsutil + fake-gcs-server, Hadoop FsShell,
//! find/rsync): every name is archived and deleted exactly, or refused with a message
//! naming it, and no other object is touched.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde_json::json;

use crate::harness::{aws_env, bucket, local_files, service, without_run, Case, Fault};

/// Names below a partition directory (dt=2026-07-01, before the cutoff).
fn hostile(newline: bool) -> Vec<String> {
    let mut names = vec![
        "tab\tname.csv".to_string(),
        "star*.csv".to_string(),
        "question?.csv".to_string(),
        "[bracket].csv".to_string(),
        "back\\slash.csv".to_string(),
        "-leading-dash.csv".to_string(),
        "with spaces .csv".to_string(),
        "données-é.csv".to_string(),
        "quote'and\"dq.csv".to_string(),
        "dollar$(id).csv".to_string(),
        "100%.csv".to_string(),
        format!("long-{}.csv", "x".repeat(230)),
    ];
    if newline {
        // Its second line is what the old listing parser read as another file.
        names.push("evil\nkeep_new.csv".to_string());
    }
    names
}

/// key -> (body, archived?): hostile names in an old partition, ordinary files in old
/// and new partitions, and a planted directory whose name is a glob.
fn corpus(newline: bool) -> BTreeMap<String, (String, bool)> {
    let mut out = BTreeMap::new();
    for (i, name) in hostile(newline).into_iter().enumerate() {
        out.insert(
            format!("dt=2026-07-01/{name}"),
            (format!("hostile {i}\n"), true),
        );
    }
    out.insert(
        "dt=2026-07-01/plain.csv".into(),
        ("plain old\n".into(), true),
    );
    out.insert("dt=2026-10-01/keep_new.csv".into(), ("new\n".into(), false));
    out.insert(
        "dt=2026-10-01/star*.csv".into(),
        ("new star\n".into(), false),
    );
    out.insert("dt=2026*/planted.csv".into(), ("planted\n".into(), false));
    out
}

fn table(detail: serde_json::Value) -> serde_json::Value {
    json!({"raw": {"order": 1, "files": {"storage": detail["storage"], "archival_object_detail": detail["detail"],
        "starting_storage_date": "2019-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2})
}

/// A table of one `kind` storage (s3 or gcs) at `bucket`/names/, archived into the bucket.
fn bucket_case(kind: &str, bucket: &str, env: Vec<(String, String)>) -> Case {
    let project = json!({"system": "e2e", "target_location_bucket": bucket,
        "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}"});
    let body = table(
        json!({"storage": kind, "detail": {"bucket_name": bucket, "key_name": "names/", "partition_column": "dt"}}),
    );
    Case::build(project, "names", body, env)
}

/// The run stopped, said why, and named the object.
fn assert_stopped_for_a_line_break(run: &crate::support::Run, shown: &str) {
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("line break"), "{}", run.stderr);
    assert!(run.stderr.contains(shown), "{}", run.stderr);
}

fn split(
    corpus: &BTreeMap<String, (String, bool)>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let (old, new): (Vec<_>, Vec<_>) = corpus.iter().partition(|(_, (_, old))| *old);
    let strip = |v: Vec<(&String, &(String, bool))>| -> BTreeMap<String, String> {
        v.into_iter()
            .map(|(k, (b, _))| (k.clone(), b.clone()))
            .collect()
    };
    (strip(old), strip(new))
}

fn write_tree(root: &Path, corpus: &BTreeMap<String, (String, bool)>) {
    for (key, (body, _)) in corpus {
        let path = root.join(OsStr::from_bytes(key.as_bytes()));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
}

#[test]
fn hostile_names_on_local_files_are_archived_exactly() {
    let dir = crate::support::temp();
    let src = dir.path().join("nfs");
    let project = json!({"system": "e2e", "archive_roots": {"local": dir.path().join("archive").to_str().unwrap()}});
    let body = table(
        json!({"storage": "local", "detail": {"path": src.to_str().unwrap(), "partition_column": "dt"}}),
    );
    let case = Case::build_in(dir, project, "names", body, Vec::new());
    let data = corpus(true);
    write_tree(&src, &data);
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (old, new) = split(&data);
    assert_eq!(
        local_files(&src),
        new,
        "the source keeps exactly the new and planted files"
    );
    assert_eq!(
        without_run(local_files(&case.path("archive/names/raw/files"))),
        old,
        "the archive holds exactly the old files, names intact"
    );
    eprintln!(
        "names: local, {} hostile names archived exactly",
        hostile(true).len()
    );
}

#[test]
fn hostile_names_on_s3_are_archived_exactly() {
    let Some(endpoint) = service("ARCHC_E2E_AWS") else {
        return;
    };
    let bucket = bucket("names");
    let case = bucket_case("s3", &bucket, aws_env(&endpoint));
    // moto refuses keys with a line break (real S3 takes them); one key of 1,024 bytes.
    let mut data = corpus(false);
    // In segments of at most 255 bytes, so that a local copy of it can exist too.
    let rest = 1024 - "names/dt=2026-07-01/".len();
    let segments: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|c| c.repeat(250))
        .chain(["d".repeat(rest - 3 * 251)])
        .collect();
    let long = format!("dt=2026-07-01/{}", segments.join("/"));
    assert_eq!(long.len() + "names/".len(), 1024);
    data.insert(long, ("longest key\n".into(), true));
    case.tool("aws", &["s3", "mb", &format!("s3://{bucket}")]);
    let seed = case.path("seed");
    write_tree(&seed, &data);
    case.tool(
        "aws",
        &[
            "s3",
            "sync",
            seed.to_str().unwrap(),
            &format!("s3://{bucket}/names/"),
            "--only-show-errors",
        ],
    );
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let seen = case.path("seen");
    case.tool(
        "aws",
        &[
            "s3",
            "sync",
            &format!("s3://{bucket}"),
            seen.to_str().unwrap(),
            "--only-show-errors",
        ],
    );
    let under = |prefix: &str| -> BTreeMap<String, String> { local_files(&seen.join(prefix)) };
    let (old, new) = split(&data);
    assert_eq!(
        under("names"),
        new,
        "the source keeps exactly the new and planted objects"
    );
    assert_eq!(
        without_run(under("archive/names/raw/files")),
        old,
        "the archive holds exactly the old objects"
    );
    eprintln!("names: s3, hostile keys (and a 1,024-byte key) archived exactly");
    let script = case.restore("restore", &["--all-lifecycles"]);
    let restored = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(restored.code, 0, "{}{}", restored.stdout, restored.stderr);
    let back = case.path("back");
    case.tool(
        "aws",
        &[
            "s3",
            "sync",
            &format!("s3://{bucket}/names/"),
            back.to_str().unwrap(),
            "--only-show-errors",
        ],
    );
    let all: BTreeMap<String, String> = data.into_iter().map(|(k, (v, _))| (k, v)).collect();
    assert_eq!(
        local_files(&back),
        all,
        "every hostile key restored exactly"
    );
    eprintln!("names: s3, hostile keys restored exactly");
}

#[test]
fn hostile_names_on_hdfs_are_archived_exactly() {
    if crate::support::tool("java").is_none() {
        return;
    }
    let dir = crate::support::temp();
    let src = dir.path().join("hdfs");
    let project = json!({"system": "e2e", "archive_roots": {"hdfs": dir.path().join("archive").to_str().unwrap()}});
    let body = table(
        json!({"storage": "hdfs", "detail": {"path": src.to_str().unwrap(), "partition_column": "dt"}}),
    );
    let case = Case::build_in(dir, project, "names", body, Vec::new());
    let data = corpus(true);
    write_tree(&src, &data);
    // A name with a line break makes `hdfs dfs -ls` ambiguous: the run stops and says so.
    let refused = case.run(Fault::None, &[]);
    assert_stopped_for_a_line_break(&refused, "evil?keep_new.csv");
    assert_eq!(
        local_files(&src),
        local_files_of(&data),
        "nothing was touched"
    );
    // Once it is removed, every other name is archived exactly.
    let evil = src.join("dt=2026-07-01/evil\nkeep_new.csv");
    fs::remove_file(evil).unwrap();
    let data: BTreeMap<_, _> = data
        .into_iter()
        .filter(|(k, _)| !k.contains('\n'))
        .collect();
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (old, new) = split(&data);
    assert_eq!(local_files(&src), new);
    assert_eq!(
        without_run(local_files(&case.path("archive/names/raw/files"))),
        old
    );
    eprintln!("names: hdfs, hostile names archived exactly through glob-escaped paths");
}

/// GCS objects through the server's JSON API (gsutil cannot upload names holding `*?[`).
struct GcsObjects<'a> {
    case: &'a Case,
    bucket: String,
}

impl GcsObjects<'_> {
    fn client(&self, args: &[&str]) -> crate::support::Run {
        let script = crate::support::root().join("tests/e2e/clients/gcs_objects.py");
        let mut all = vec![script.to_str().unwrap(), args[0], self.bucket.as_str()];
        all.extend(&args[1..]);
        self.case.tool("python3", &all)
    }

    fn put(&self, prefix: &str, data: &BTreeMap<String, (String, bool)>) {
        let objects: BTreeMap<String, &String> = data
            .iter()
            .map(|(k, (body, _))| (format!("{prefix}{k}"), body))
            .collect();
        let file = self.case.path("objects.json");
        fs::write(&file, serde_json::to_string(&objects).unwrap()).unwrap();
        self.client(&["put", file.to_str().unwrap()]);
    }

    /// Every object under `prefix`, by the rest of its name.
    fn under(&self, prefix: &str) -> BTreeMap<String, String> {
        let all: BTreeMap<String, String> =
            serde_json::from_str(&self.client(&["dump"]).stdout).unwrap();
        all.into_iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|r| (r.to_string(), v)))
            .collect()
    }
}

#[test]
fn hostile_names_on_gcs_are_archived_exactly_or_left_in_place() {
    let Some(boto) = service("ARCHC_E2E_BOTO_CONFIG") else {
        return;
    };
    let bucket = bucket("gnames");
    let env = vec![("BOTO_CONFIG".to_string(), boto)];
    let case = bucket_case("gcs", &bucket, env);
    case.tool("gsutil", &["-q", "mb", &format!("gs://{bucket}")]);
    let gcs = GcsObjects {
        case: &case,
        bucket: bucket.clone(),
    };
    let mut data = corpus(true);
    // gsutil reads a trailing #<digits> as a generation number.
    data.insert(
        "dt=2026-07-01/gen#123".into(),
        ("generation\n".into(), true),
    );
    gcs.put("names/", &data);
    // gsutil lists a name only up to its line break: the copy of that name fails and the
    // run stops before anything is deleted.
    let refused = case.run(Fault::None, &[]);
    assert_stopped_for_a_line_break(&refused, "dt=2026-07-01/evil");
    assert_eq!(
        gcs.under("names/"),
        local_files_of(&data),
        "nothing deleted"
    );
    let evil = "names/dt=2026-07-01/evil\nkeep_new.csv";
    gcs.client(&["rm", evil]);
    let data: BTreeMap<_, _> = data
        .into_iter()
        .filter(|(k, _)| !k.contains('\n'))
        .collect();
    // gsutil reads `*?[` as wildcards and cannot escape them: those old objects stay, named.
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("left in place"), "{}", run.stderr);
    for name in ["star*.csv", "question?.csv", "[bracket].csv", "gen#123"] {
        assert!(
            run.stderr.contains(name),
            "{name} not named: {}",
            run.stderr
        );
    }
    let globby = |k: &str| k.contains(['*', '?', '[']) || k.ends_with("#123");
    let (old, new) = split(&data);
    let (stay, archived): (BTreeMap<_, _>, BTreeMap<_, _>) =
        old.into_iter().partition(|(k, _)| globby(k));
    let mut source = new;
    source.extend(stay);
    assert_eq!(
        gcs.under("names/"),
        source,
        "the source keeps new, planted and glob-named objects"
    );
    assert_eq!(
        without_run(gcs.under("archive/names/raw/files/")),
        archived,
        "the archive holds exactly the other old objects"
    );
    eprintln!(
        "names: gcs, {} hostile names archived exactly, 4 names gsutil cannot address left in place and named",
        archived.len() - 1
    );
}

fn local_files_of(data: &BTreeMap<String, (String, bool)>) -> BTreeMap<String, String> {
    data.iter()
        .map(|(k, (b, _))| (k.clone(), b.clone()))
        .collect()
}
