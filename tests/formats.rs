//! Every `check --format` on one shared set of findings (an error with a related place and
//! two warnings in another file), and the SARIF output against the official schema.

use serde_json::Value;

use crate::support::{archc, root, snapshots, temp};

const SHARED: [&str; 2] = [
    "examples/invalid/A041-date-overlap",
    "examples/warnings/A043-partition-split",
];

fn check(format: &str, paths: &[&str]) -> crate::support::Run {
    let mut args = vec!["check", "--format", format];
    args.extend(paths);
    archc(&args)
}

#[test]
fn human_format() {
    let run = check("human", &SHARED);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    snapshots().bind(|| insta::assert_snapshot!("format__human", run.stderr));
}

#[test]
fn json_format_is_versioned_and_sorted_by_file_and_position() {
    let run = check("json", &SHARED);
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let positions: Vec<(String, u64, u64)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(positions.len(), 3);
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
    snapshots().bind(|| insta::assert_snapshot!("format__json", run.stdout));
}

#[test]
fn github_format() {
    let run = check("github", &SHARED);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 3);
    snapshots().bind(|| insta::assert_snapshot!("format__github", run.stdout));
}

/// The rules' long help is explain.md's text (tested there); the snapshot keeps the rest.
#[test]
fn sarif_format() {
    let run = check("sarif", &SHARED);
    assert_eq!(run.code, 1);
    let mut log: Value = serde_json::from_str(&run.stdout).unwrap();
    let driver = &mut log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = Value::from("<archc's version>");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap();
    assert_eq!(rules.len(), archc::diagnostics::Code::ALL.len());
    for rule in rules {
        let help = &mut rule["help"]["markdown"];
        assert!(help.as_str().unwrap().contains("Fixed"), "{help}");
        *help = Value::from("<the code's section of explain.md>");
    }
    let text = serde_json::to_string_pretty(&log).unwrap();
    snapshots().bind(|| insta::assert_snapshot!("format__sarif", text));
}

fn sarif_of(paths: &[&str]) -> Value {
    let run = check("sarif", paths);
    assert!(run.code <= 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let path = crate::support::sarif_schema();
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
    let validator = jsonschema::validator_for(&schema).unwrap();
    // A clean run, findings with and without a file, related places, warnings.
    let cases: [&[&str]; 4] = [
        &SHARED,
        &["examples/lakehouse"],
        &["examples/invalid/A004-input"],
        &["examples/invalid/A006-duplicate-table", "examples/seed"],
    ];
    for paths in cases {
        let log = sarif_of(paths);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{paths:?}: {errors:#?}");
    }
    // GitHub refuses the whole log when a result has no file: a removed table (a finding
    // about no file) is shown at archc.json.
    let removed = archc(&[
        "check",
        "--format",
        "sarif",
        "examples/invalid/A090-history-removed/current",
        "--baseline",
        "examples/plan-diff/baseline",
    ]);
    let log: Value = serde_json::from_str(&removed.stdout).unwrap();
    assert!(validator.is_valid(&log));
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 2);
    for result in results {
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri.is_string(), "{result}");
    }
    // The validator is not vacuous: a result without a message is refused.
    let mut broken = sarif_of(&SHARED);
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));
}

fn fingerprints(log: &Value) -> Vec<(String, u64)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["archcFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

/// Lines added above a finding move it, not its fingerprint; another finding has another.
#[test]
fn sarif_fingerprints_survive_line_moves() {
    let dir = temp();
    let original = std::fs::read_to_string(root().join(SHARED[0]).join("t.json")).unwrap();
    std::fs::write(dir.path().join("t.json"), &original).unwrap();
    let before = fingerprints(&sarif_of(&[dir.path().to_str().unwrap()]));
    let moved = original.replacen("{\n", "{\n\n\n\n", 1);
    std::fs::write(dir.path().join("t.json"), moved).unwrap();
    let after = fingerprints(&sarif_of(&[dir.path().to_str().unwrap()]));
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].0, after[0].0);
    assert_eq!(before[0].1 + 3, after[0].1);
    let other = fingerprints(&sarif_of(&[SHARED[1]]));
    assert_ne!(other[0].0, other[1].0, "two findings, two fingerprints");
}

/// A file name with a space and non-ASCII letters is one URI.
#[test]
fn sarif_uris_are_encoded() {
    let dir = temp();
    let text = std::fs::read_to_string(root().join(SHARED[0]).join("t.json")).unwrap();
    std::fs::write(dir.path().join("été 2024.json"), text).unwrap();
    let log = sarif_of(&[dir.path().to_str().unwrap()]);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    let uri = uri.as_str().unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(uri.ends_with("/%C3%A9t%C3%A9%202024.json"), "{uri}");
}

/// `archc plan` of the shared change (examples/plan-diff: a moved S3 prefix, a renamed and
/// widened Glue table, a Postgres date_column) in a format.
fn plan_diff(format: &str) -> String {
    let run = archc(&[
        "plan",
        "examples/plan-diff/current",
        "--baseline",
        "examples/plan-diff/baseline",
        "--as-of",
        "2026-11-21",
        "--format",
        format,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn plan_text_format() {
    let text = plan_diff("text");
    for expected in [
        "this change newly archives orders/bronze/glue_main from 2019-01-01 to 2019-03-01",
        "~ orders/bronze/glue_main: source glue:bronze.orders -> glue:bronze.orders_v2",
        "~ orders/raw/s3_exports: source s3://lake-raw/orders/ -> s3://lake-raw/exports/orders/",
        "~ orders/serving/pg_orders: date_column ordered_at -> created_at",
        "delete_rows acts on rows of postgres:shop.sales.orders WHERE created_at >= '2018-01-01'",
        "+ SELECT count(*) FROM \"sales\".\"orders\" WHERE \"created_at\"",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    assert_eq!(plan_diff("text"), text, "deterministic");
    snapshots().bind(|| insta::assert_snapshot!("plan__text", text));
}

#[test]
fn plan_markdown_format() {
    let text = plan_diff("markdown");
    assert!(text.contains("### What this change does"), "{text}");
    let charts = text.matches("```mermaid\ngantt\n").count();
    assert_eq!(charts, 1, "one chart, for the one changed table:\n{text}");
    assert!(
        text.contains("newly archived :crit, 2019-01-01, 2019-03-01"),
        "{text}"
    );
    assert!(text.contains("cutoff 2024-10-01 :milestone"), "{text}");
    assert!(
        text.contains("<details><summary>Unchanged tables (1)"),
        "{text}"
    );
    snapshots().bind(|| insta::assert_snapshot!("plan__markdown", text));
}

#[test]
fn plan_json_format() {
    let text = plan_diff("json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["as_of"], "2026-11-21T00:00:00Z");
    let changes = doc["changes"].as_array().unwrap();
    let kinds: Vec<&str> = changes
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    for kind in ["window", "source", "detail", "acts_on", "sql", "commands"] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    let window = changes.iter().find(|c| c["kind"] == "window").unwrap();
    assert_eq!(window["storage"], "bronze/glue_main");
    assert_eq!(
        window["newly_archived"],
        serde_json::json!([{"start": "2019-01-01", "end": "2019-03-01"}])
    );
    let pg = &doc["tables"][1]["storages"][2];
    assert_eq!(pg["destructive"][0]["step"], "delete_rows");
    snapshots().bind(|| insta::assert_snapshot!("plan__json", text));
}

#[test]
fn plan_without_a_change_says_so_in_every_format() {
    let base = "examples/plan-diff/baseline";
    let plan = |format: &str| {
        let args = [
            "plan",
            base,
            "--baseline",
            base,
            "--as-of",
            "2026-11-21",
            "--format",
            format,
        ];
        archc(&args).stdout
    };
    assert!(plan("text").contains("against the baseline: no change in what is archived"));
    assert!(plan("markdown").contains("No change in what is archived."));
    let doc: Value = serde_json::from_str(&plan("json")).unwrap();
    assert_eq!(doc["changes"], serde_json::json!([]));
    let without: Value =
        serde_json::from_str(&archc(&["plan", base, "--format", "json"]).stdout).unwrap();
    assert_eq!(without["changes"], Value::Null);
}
