//! Elasticsearch/OpenSearch with the real curl against osmem-server, which speaks the
//! document API (_count, _bulk, _delete_by_query) but has no _snapshot: the generated
//! count and delete steps run as written, the snapshot step's count is taken by the same
//! request it makes. A document written into the window after the snapshot's count stops
//! the delete (exit 75: select and snapshot again) and nothing is deleted; once the count
//! matches, exactly the window is deleted, and a re-run finds nothing left.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::harness::{service, Case};
use crate::support::{sh, Run};

fn es(url: &str, method: &str, path: &str, body: &str) -> Value {
    let run = sh(Command::new("curl")
        .args(["-fsS", "-X", method, &format!("{url}{path}")])
        .args([
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            body,
        ]));
    assert_eq!(run.code, 0, "{method} {path}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn index_docs(url: &str, index: &str, days: &[&str]) {
    let mut bulk = String::new();
    for day in days {
        bulk.push_str(&format!("{}\n", json!({"index": {"_index": index}})));
        bulk.push_str(&format!(
            "{}\n",
            json!({"ts": format!("{day}T12:00:00Z"), "day": day})
        ));
    }
    let answer = es(url, "POST", "/_bulk?refresh=true", &bulk);
    assert_eq!(answer["errors"], false, "{answer}");
}

/// Documents per day left in the index.
fn days(url: &str, index: &str) -> BTreeMap<String, usize> {
    let hits = es(
        url,
        "POST",
        &format!("/{index}/_search"),
        r#"{"size": 1000}"#,
    );
    let mut out = BTreeMap::new();
    for hit in hits["hits"]["hits"].as_array().unwrap() {
        *out.entry(hit["_source"]["day"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

/// The command of one step of the case's run file.
fn step(case: &Case, about: &str) -> String {
    let runs = case.path("out/runs");
    let file = fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_run_file.json"))
        .unwrap();
    let run: Value = serde_json::from_slice(&fs::read(file).unwrap()).unwrap();
    run["archival_details"][0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command_about"] == about)
        .unwrap_or_else(|| panic!("no {about} step"))["command"]
        .as_str()
        .unwrap()
        .to_string()
}

fn run_step(text: &str, s: &Path, url: &str) -> Run {
    sh(Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\nexport LC_ALL=C\n{text}"))
        .env("S", s)
        .env("ES_URL", url))
}

#[test]
fn elasticsearch_deletes_only_what_the_snapshot_counted() {
    let Some(url) = service("ARCHC_E2E_ES") else {
        return;
    };
    let index = format!("events-{}", std::process::id());
    es(
        &url,
        "PUT",
        &format!("/{index}"),
        r#"{"mappings": {"properties": {"ts": {"type": "date"}, "day": {"type": "keyword"}}}}"#,
    );
    index_docs(
        &url,
        &index,
        &[
            "2026-01-10",
            "2026-03-05",
            "2026-08-31",
            "2026-09-01",
            "2026-11-20",
        ],
    );
    let project = json!({"system": "e2e"});
    let table = json!({"search": {"order": 1, "es": {"storage": "elasticsearch",
        "archival_object_detail": {"index": index, "date_field": "ts", "snapshot_repository": "archive_repo"},
        "starting_storage_date": "2019-01-01"}},
        "data_archive_before_period": "month", "data_archive_before": 2});
    let case = Case::build(project, "events", table, Vec::new());
    let (count, snapshot, delete) = (
        step(&case, "count_rows"),
        step(&case, "snapshot_index"),
        step(&case, "delete_documents"),
    );
    let s = case.path("state-es");
    fs::create_dir_all(&s).unwrap();
    fs::write(s.join("attempt"), "1\n").unwrap();

    let counted = run_step(&count, &s, &url);
    assert_eq!(counted.code, 0, "{}", counted.stderr);
    assert!(
        counted.stdout.contains("selected 3 documents"),
        "{}",
        counted.stdout
    );
    // The snapshot step counts with this very request before it snapshots.
    let request = snapshot
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("curl -fsS -X POST"))
        .take(4)
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(request.contains("> \"$S/rows.txt\""), "{request}");
    let snapshot_count = run_step(&request, &s, &url);
    assert_eq!(snapshot_count.code, 0, "{}", snapshot_count.stderr);
    assert_eq!(fs::read_to_string(s.join("rows.txt")).unwrap().trim(), "3");

    // A late event lands in the window after the snapshot: the delete must not run.
    index_docs(&url, &index, &["2026-02-14"]);
    let before = days(&url, &index);
    let stale = run_step(&delete, &s, &url);
    assert_eq!(stale.code, 75, "{}{}", stale.stdout, stale.stderr);
    assert!(
        stale.stderr.contains("nothing was deleted"),
        "{}",
        stale.stderr
    );
    assert_eq!(days(&url, &index), before, "no document was deleted");

    // Selected and snapshotted again (4 documents): exactly the window goes.
    let recount = run_step(&request, &s, &url);
    assert_eq!(recount.code, 0, "{}", recount.stderr);
    let deleted = run_step(&delete, &s, &url);
    assert_eq!(deleted.code, 0, "{}{}", deleted.stdout, deleted.stderr);
    assert!(
        deleted.stdout.contains("deleted 4 documents"),
        "{}",
        deleted.stdout
    );
    let left: BTreeMap<String, usize> =
        [("2026-09-01".to_string(), 1), ("2026-11-20".to_string(), 1)]
            .into_iter()
            .collect();
    assert_eq!(
        days(&url, &index),
        left,
        "the documents after the cutoff stay"
    );
    let again = run_step(&delete, &s, &url);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("no documents left in the window"),
        "{}",
        again.stdout
    );
    eprintln!("elasticsearch: a late document stopped the delete; the re-count deleted exactly the window");
}
