//! Property: whatever strings a config author writes into names, paths and keys, check
//! either refuses the config with diagnostics, or the generated script treats them as
//! data. Each accepted case is built and its script run: local files through the real
//! find/rsync (the old partition must be archived under the hostile names and deleted,
//! the new one kept); `aws`, `gsutil` and `hdfs` through a recording fake (each must
//! receive its hostile key or path as one argument, unsplit). A canary command hidden in
//! the strings must never run.
//!
//! `*` and `?` in a configured path or key are globs by the spec, so config paths here
//! hold every other hostile character; object names (files in the partitions) hold all.
//!
//! `ARCHC_HOSTILE_CASES` sets the number of cases (default 256; see README for a long
//! run) and `ARCHC_HOSTILE_SEED` the seed (default fixed, so that CI is reproducible).

use std::fs;
use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::json;

use crate::support::{root, sh, temp, wrappers};

const AS_OF: &str = "2026-11-21T10:00:00Z";

/// Pieces that break out of shell or SQL quoting if pasted unquoted, the canary among them.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("$(touch \"$CANARY\")".to_string()),
        Just("`touch \"$CANARY\"`".to_string()),
        Just("'; touch \"$CANARY\"; '".to_string()),
        Just("\"; touch \"$CANARY\"; \"".to_string()),
        Just("$CANARY".to_string()),
        "[ -~]{1,3}",
        "[a-z0-9]{1,4}",
        prop::sample::select(vec![
            "é", "中", " ", "\t", "\n", "*", "?", "[", "]", "-", "\\", "%", "..", "+", "@", "=",
            "'", "\"", "#", "~", "!", "{", "}", "|", "&", ";", "<", ">",
        ])
        .prop_map(str::to_string),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..5).prop_map(|v| v.concat())
}

/// Mostly names check accepts (so that most cases run), sometimes anything.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-zé中][A-Za-z0-9_.+@=é -]{0,10}[A-Za-z0-9]",
        1 => hostile(),
    ]
}

/// A hostile path or key that is not a glob.
fn literal() -> impl Strategy<Value = String> {
    hostile().prop_map(|s| s.replace(['*', '?'], "_"))
}

/// A hostile file name: anything but `/` and NUL, never `.` or `..`.
fn file_name() -> impl Strategy<Value = String> {
    hostile().prop_map(|s| format!("f{}", s.replace('/', "_")))
}

#[derive(Debug, Clone)]
struct Case {
    table: String,
    lifecycle: String,
    local: String,
    s3: String,
    dir: String,
    key: String,
    gcs_key: String,
    hdfs_path: String,
    file: String,
}

fn case() -> impl Strategy<Value = Case> {
    let names = (name(), name(), name(), name());
    // gsutil has no escape for `[` `]`: check refuses them in a GCS key.
    let gcs_key = literal().prop_map(|s| s.replace(['[', ']'], "_"));
    (names, literal(), literal(), gcs_key, literal(), file_name())
        .prop_filter("two storages", |((_, _, local, s3), ..)| local != s3)
        .prop_map(
            |((table, lifecycle, local, s3), dir, key, gcs_key, hdfs, file)| Case {
                table,
                lifecycle,
                local,
                s3,
                dir,
                key,
                gcs_key,
                hdfs_path: format!("/h/{hdfs}"),
                file,
            },
        )
}

fn seed() -> [u8; 32] {
    let n: u64 = std::env::var("ARCHC_HOSTILE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261121);
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    seed
}

#[test]
fn hostile_strings_are_refused_or_stay_data() {
    let cases = std::env::var("ARCHC_HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed());
    let mut runner = TestRunner::new_with_rng(config, rng);
    let ran = std::cell::Cell::new(0usize);
    let refused = std::cell::Cell::new(0usize);
    runner
        .run(&case(), |c| {
            if run_case(&c)? {
                ran.set(ran.get() + 1);
            } else {
                refused.set(refused.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    let (ran, refused) = (ran.get(), refused.get());
    eprintln!("hostile strings: {ran} cases built and run, {refused} refused by check");
    assert!(
        ran > cases as usize / 4,
        "most cases must get past check ({ran} of {cases})"
    );
}

/// Ok(true) when the case was built and run, Ok(false) when check refused it.
fn run_case(c: &Case) -> Result<bool, TestCaseError> {
    let dir = temp();
    let p = dir.path();
    let src = p.join("src").join(&c.dir);
    let canary = p.join("canary");
    fs::write(
        p.join("archc.json"),
        json!({"system": "h", "target_location_bucket": "hbk",
            "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}",
            "archive_roots": {"local": p.join("archive").to_str().unwrap(), "hdfs": "/archive"}})
        .to_string(),
    )
    .unwrap();
    fs::create_dir_all(p.join("tables")).unwrap();
    let table = json!({ &c.table: {
        &c.lifecycle: {"order": 1,
            &c.local: {"storage": "local", "archival_object_detail": {"path": src.to_str().unwrap(), "partition_column": "dt"}, "starting_storage_date": "2019-01-01"},
            &c.s3: {"storage": "s3", "archival_object_detail": {"bucket_name": "hbk", "key_name": format!("{}/", c.key), "partition_column": "dt"}, "starting_storage_date": "2019-01-01"},
            "g": {"storage": "gcs", "archival_object_detail": {"bucket_name": "gbk", "key_name": format!("{}/", c.gcs_key), "partition_column": "dt"}, "starting_storage_date": "2019-01-01"},
            "h": {"storage": "hdfs", "archival_object_detail": {"path": &c.hdfs_path, "partition_column": "dt"}, "starting_storage_date": "2019-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2}});
    fs::write(p.join("tables/t.json"), table.to_string()).unwrap();
    let (old, new) = (src.join("dt=2026-01-01"), src.join("dt=2026-11-20"));
    let seeded = fs::create_dir_all(&old).is_ok()
        && fs::write(old.join("old.txt"), "old").is_ok()
        && fs::write(old.join(&c.file), "old2").is_ok()
        && fs::create_dir_all(&new).is_ok()
        && fs::write(new.join("new.txt"), "new").is_ok()
        && fs::write(new.join(&c.file), "new2").is_ok();
    let out = p.join("out");
    let build = sh(Command::new(env!("CARGO_BIN_EXE_archc"))
        .args([
            "build",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ])
        .env("CANARY", &canary));
    prop_assert!(!canary.exists(), "archc ran the canary");
    if build.code == 1 {
        prop_assert!(
            build.stderr.contains("archc::A"),
            "a refusal names its codes: {}",
            build.stderr
        );
        prop_assert!(!out.exists(), "nothing written on a refusal");
        return Ok(false);
    }
    prop_assert_eq!(build.code, 0, "build: {}", build.stderr);
    prop_assert!(
        seeded,
        "check accepted a path the file system cannot hold: {:?}",
        src
    );
    let bin = p.join("bin");
    wrappers(&bin, &["find", "rsync"]);
    for tool in ["aws", "gsutil", "hdfs"] {
        std::os::unix::fs::symlink(root().join("tests/fakes/record"), bin.join(tool)).unwrap();
    }
    let script = fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sh") && !p.ends_with("run-all.sh"))
        .unwrap();
    let log = p.join("aws.log");
    let run = sh(Command::new("bash")
        .arg(&script)
        .args(["--state-dir", p.join("state").to_str().unwrap()])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("CANARY", &canary)
        .env("RECORD_LOG", &log)
        .env("ARCHC_LOCK_DIR", p.join("locks")));
    prop_assert!(
        !canary.exists(),
        "the script ran the canary: {}",
        run.stdout
    );
    prop_assert_eq!(run.code, 0, "script: {}{}", run.stdout, run.stderr);
    // The local archive root, then target_location_key.
    let archived = p
        .join("archive/archive")
        .join(&c.table)
        .join(&c.lifecycle)
        .join(&c.local)
        .join("dt=2026-01-01");
    for (name, body) in [("old.txt", "old"), (c.file.as_str(), "old2")] {
        let copy = fs::read_to_string(archived.join(name)).ok();
        prop_assert_eq!(copy.as_deref(), Some(body), "archived under the names");
        prop_assert!(!old.join(name).exists(), "the old file is deleted");
    }
    for name in ["new.txt", c.file.as_str()] {
        prop_assert!(new.join(name).exists(), "the new file is kept");
    }
    let calls = calls(&log);
    let prefix = canonical(&c.key);
    let archive = format!("archive/{}/{}/{}/", c.table, c.lifecycle, c.s3);
    let wanted = if prefix.is_empty() {
        vec![archive]
    } else {
        vec![prefix, archive]
    };
    for want in wanted {
        prop_assert!(
            called(&calls, "aws", &["--prefix", &want]),
            "aws got --prefix {:?} as one argument: {:?}",
            want,
            calls
        );
    }
    let listing = format!("gs://gbk/{}**", canonical(&c.gcs_key));
    prop_assert!(
        called(&calls, "gsutil", &["ls", "-l", &listing]),
        "gsutil got {:?} as one argument: {:?}",
        listing,
        calls
    );
    let find = format!("/{}", canonical(&c.hdfs_path));
    prop_assert!(
        called(&calls, "hdfs", &["-find", &find, "-print0"]),
        "hdfs got {:?} as one argument: {:?}",
        find,
        calls
    );
    Ok(true)
}

/// Locations drop empty segments: `/a//b` is the prefix `a/b/` (`` for no segment).
fn canonical(location: &str) -> String {
    let segments: Vec<&str> = location.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        String::new()
    } else {
        format!("{}/", segments.join("/"))
    }
}

/// Whether `tool` was called with `args` as consecutive arguments.
fn called(calls: &[Vec<String>], tool: &str, args: &[&str]) -> bool {
    calls
        .iter()
        .filter(|argv| argv[0] == tool)
        .any(|argv| argv.windows(args.len()).any(|w| w == args))
}

/// The recorded calls: "CALL\0<argc>\0<name>\0<args>\0..." each.
fn calls(log: &Path) -> Vec<Vec<String>> {
    let bytes = fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let mut fields = text.split('\0');
    let mut out = Vec::new();
    while let Some(tag) = fields.next() {
        if tag != "CALL" {
            break;
        }
        let n: usize = fields.next().unwrap().parse().unwrap();
        let argv: Vec<String> = fields.by_ref().take(n + 1).map(str::to_string).collect();
        out.push(argv);
    }
    out
}
