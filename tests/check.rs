//! `archc check`: exit codes and the rendered diagnostics of every example.

use crate::support::{archc, root, snapshots};

#[test]
fn lakehouse_and_seed_pass_with_warnings_only() {
    for dir in ["examples/lakehouse", "examples/seed"] {
        let run = archc(&["check", dir]);
        assert_eq!(run.code, 0, "{dir}: {}", run.stderr);
        assert!(run.stderr.contains("0 errors"), "{}", run.stderr);
    }
}

#[test]
fn every_invalid_case_fails_with_its_code() {
    let mut cases: Vec<_> = std::fs::read_dir(root().join("examples/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 17, "one case per error code: {cases:?}");
    for case in cases {
        let code = case.split('-').next().unwrap().to_string();
        let run = check_case(&format!("examples/invalid/{case}"));
        assert_eq!(run.code, 1, "{case} must fail: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("archc::{code}/")),
            "{case} must report {code}: {}",
            run.stderr
        );
        snapshots().bind(|| insta::assert_snapshot!(format!("check__{case}"), run.stderr));
    }
}

/// `archc check` on an example; a case with `current/` and `baseline/` is a history case.
fn check_case(path: &str) -> crate::support::Run {
    if root().join(path).join("current").is_dir() {
        let (current, baseline) = (format!("{path}/current"), format!("{path}/baseline"));
        archc(&["check", &current, "--baseline", &baseline])
    } else {
        // A case may need flags (limits are the operator's): one line in `args`.
        let args = std::fs::read_to_string(root().join(path).join("args")).unwrap_or_default();
        let mut all = vec!["check", path];
        all.extend(args.split_whitespace());
        archc(&all)
    }
}

#[test]
fn warnings_do_not_fail_check() {
    let run = archc(&["check", "examples/warnings/A042-date-gap"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("archc::A042/date-gap"));
    snapshots().bind(|| insta::assert_snapshot!("check__warnings_A042", run.stderr));
}

#[test]
fn acknowledged_shortened_retention_is_a_warning_against_the_baseline() {
    let run = check_case("examples/warnings/A091-retention-shortened");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("shortened from 24 month to 12 month"),
        "{}",
        run.stderr
    );
    snapshots().bind(|| insta::assert_snapshot!("check__warnings_A091", run.stderr));
    let without = archc(&[
        "check",
        "examples/warnings/A091-retention-shortened/current",
    ]);
    assert!(
        !without.stderr.contains("A091"),
        "no baseline, no history findings"
    );
}

/// An acknowledgement is for one change: the baseline's own does not cover a further cut.
#[test]
fn a_baselines_acknowledgement_does_not_cover_another_shortening() {
    let case = root().join("examples/warnings/A091-retention-shortened/current");
    let dir = crate::support::temp();
    let current = dir.path();
    std::fs::create_dir_all(current.join("tables")).unwrap();
    std::fs::copy(case.join("archc.json"), current.join("archc.json")).unwrap();
    let table = std::fs::read_to_string(case.join("tables/events.json")).unwrap();
    let shorter = table.replace("\"data_archive_before\": 12", "\"data_archive_before\": 6");
    assert_ne!(table, shorter);
    std::fs::write(current.join("tables/events.json"), &shorter).unwrap();
    let run = archc(&[
        "check",
        current.to_str().unwrap(),
        "--baseline",
        case.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the baseline already has this acknowledgement"),
        "{}",
        run.stderr
    );
    let renewed = shorter.replace("(DATA-1234)", "(DATA-2345)");
    std::fs::write(current.join("tables/events.json"), renewed).unwrap();
    let run = archc(&[
        "check",
        current.to_str().unwrap(),
        "--baseline",
        case.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("acknowledged: "), "{}", run.stderr);
}

#[test]
fn machine_formats() {
    let run = archc(&["check", "--format", "json", "examples/invalid/A002-schema"]);
    assert_eq!(run.code, 1);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(document["version"], 1);
    let findings = &document["diagnostics"];
    assert_eq!(findings.as_array().unwrap().len(), 3);
    assert_eq!(
        (findings[0]["line"].clone(), findings[0]["column"].clone()),
        (4.into(), 16.into())
    );
    let run = archc(&[
        "check",
        "--format",
        "github",
        "examples/invalid/A002-schema",
        "examples/seed",
    ]);
    assert_eq!(run.code, 1);
    snapshots().bind(|| insta::assert_snapshot!("check__github_format", run.stdout));
}

#[test]
fn usage_errors_exit_2() {
    let run = archc(&["check", "examples/does-not-exist"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no such file"), "{}", run.stderr);
    let run = archc(&["build", "examples/seed"]);
    assert_eq!(run.code, 2, "--out is required");
}

#[test]
fn hostile_inputs_end_in_diagnostics_not_panics() {
    let dir = crate::support::temp();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(dir.path().join("deep.json"), deep).unwrap();
    std::fs::write(dir.path().join("empty.json"), "").unwrap();
    std::fs::write(dir.path().join("array.json"), "[1, 2]").unwrap();
    std::fs::write(dir.path().join("bytes.json"), [0xff, 0xfe, 0x00]).unwrap();
    std::fs::write(dir.path().join("kind.json"), r#"{"t": {"raw": {"order": 1, "x": {"storage": "ftp", "archival_object_detail": {}, "starting_storage_date": "2020-01-01"}}, "data_archive_before_period": "day", "data_archive_before": 1}}"#).unwrap();
    let big = format!("{{\"t\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
    std::fs::write(dir.path().join("big.json"), big).unwrap();
    let run = archc(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for expected in ["A001", "A004", "A002"] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    assert!(run.stderr.contains("ftp"), "{}", run.stderr);
}

#[test]
fn every_diagnostic_code_has_an_example() {
    use archc::diagnostics::{Code, Severity};
    let invalid: Vec<String> = std::fs::read_dir(root().join("examples/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut warned = String::new();
    let warnings = std::fs::read_dir(root().join("examples/warnings")).unwrap();
    let mut dirs: Vec<String> = warnings
        .map(|e| {
            format!(
                "examples/warnings/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    dirs.extend([
        "examples/seed".to_string(),
        "examples/lakehouse".to_string(),
    ]);
    for dir in dirs {
        warned.push_str(&check_case(&dir).stderr);
    }
    for code in Code::ALL {
        match code.severity() {
            Severity::Error => assert!(
                invalid.iter().any(|d| d.starts_with(code.id())),
                "no examples/invalid case for {code}"
            ),
            Severity::Warning => assert!(
                warned.contains(&format!("archc::{code}")),
                "no example shows warning {code}"
            ),
        }
    }
}

#[test]
fn plan_shows_what_changes_against_the_baseline() {
    let case = "examples/warnings/A091-retention-shortened";
    let run = archc(&[
        "plan",
        &format!("{case}/current"),
        "--baseline",
        &format!("{case}/baseline"),
        "--as-of",
        "2026-11-21",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("~ table events: cutoff 2024-11-01 -> 2025-11-01"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "~ events/raw/s3_main: window [2019-01-01, 2024-11-01) -> [2019-01-01, 2025-11-01)"
        ),
        "{}",
        run.stdout
    );
    let same = archc(&[
        "plan",
        &format!("{case}/baseline"),
        "--baseline",
        &format!("{case}/baseline"),
        "--as-of",
        "2026-11-21",
    ]);
    assert!(
        same.stdout
            .contains("against the baseline: no change in what is archived"),
        "{}",
        same.stdout
    );
}

/// check reads only regular files inside the config repository: links out of it, a
/// FIFO, `tables` entries with `..`, a link into /proc are refused without printing what
/// lies outside, and nothing blocks.
#[test]
fn inputs_never_leave_the_repository_and_never_block() {
    let repo = crate::support::temp();
    let p = repo.path();
    std::fs::create_dir_all(p.join("tables")).unwrap();
    std::fs::write(
        p.join("archc.json"),
        r#"{"system": "t", "tables": ["tables", "../../../../tmp"]}"#,
    )
    .unwrap();
    let secret = crate::support::temp();
    std::fs::write(secret.path().join("secret.json"), "{\"TOPSECRET\": 1}").unwrap();
    std::os::unix::fs::symlink(secret.path().join("secret.json"), p.join("tables/x.json")).unwrap();
    std::os::unix::fs::symlink("/proc/self", p.join("tables/proc")).unwrap();
    let fifo = p.join("tables/fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for format in ["human", "github"] {
        let out = std::process::Command::new("timeout")
            .args([
                "20",
                env!("CARGO_BIN_EXE_archc"),
                "check",
                "--format",
                format,
            ])
            .arg(p)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            !text.contains("TOPSECRET") && !text.contains(secret.path().to_str().unwrap()),
            "{text}"
        );
        assert!(
            text.contains("tables/x.json") && text.contains("outside the config repository"),
            "{text}"
        );
        assert!(
            text.contains("fifo.json") && text.contains("not a regular file"),
            "{text}"
        );
        assert!(
            text.contains("../../../../tmp") && text.contains("leaves the config repository"),
            "{text}"
        );
        assert!(!text.contains("/proc/self/"), "{text}");
    }
}
