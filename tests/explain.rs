//! `archc explain`: every code explained; the examples marked `json check` do what they say;
//! the README's diagnostics table lists exactly the codes archc has.

use archc::diagnostics::{explain, Code};

use crate::support::{archc, root, temp};

#[test]
fn every_code_is_explained_by_id_and_by_name() {
    for code in Code::ALL {
        let run = archc(&["explain", code.id()]);
        assert_eq!(run.code, 0, "{code}: {}", run.stderr);
        assert!(
            run.stdout.starts_with(&format!("{code} (")),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("Fixed"), "{code}: {}", run.stdout);
        let by_name = archc(&["explain", &format!("archc::{code}")]);
        assert_eq!(by_name.stdout, run.stdout, "{code}");
    }
    let list = archc(&["explain"]);
    assert_eq!(list.stdout.lines().count(), Code::ALL.len());
    let unknown = archc(&["explain", "A999"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("archc explain"),
        "{}",
        unknown.stderr
    );
}

/// The `json check` blocks of a section, in order: the bad example, then the fixed one.
fn checked_examples(body: &str) -> Vec<&str> {
    body.split("```json check\n")
        .skip(1)
        .map(|rest| rest.split("\n```").next().unwrap())
        .collect()
}

fn check_example(text: &str) -> crate::support::Run {
    let dir = temp();
    std::fs::write(dir.path().join("t.json"), text).unwrap();
    archc(&["check", "--format", "json", dir.path().to_str().unwrap()])
}

fn codes(run: &crate::support::Run) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn checked_examples_report_their_code_and_their_fix_does_not() {
    let mut checked = 0;
    for code in Code::ALL {
        let section = explain::section(code).unwrap();
        let examples = checked_examples(section.body);
        if let Some(bad) = examples.first() {
            let found = codes(&check_example(bad));
            assert!(
                found.iter().any(|(c, _)| c == code.id()),
                "{code}: the bad example reports {found:?}"
            );
            checked += 1;
        }
        if let Some(fixed) = examples.get(1) {
            let found = codes(&check_example(fixed));
            assert!(
                found.iter().all(|(c, s)| c != code.id() && s != "error"),
                "{code}: the fixed example reports {found:?}"
            );
        }
    }
    assert!(checked >= 20, "most codes have checked examples: {checked}");
}

#[test]
fn readme_lists_exactly_the_codes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table = readme
        .split("### Diagnostics")
        .nth(1)
        .expect("README has a Diagnostics section");
    let listed: Vec<String> = table
        .lines()
        .skip_while(|l| !l.starts_with("| code"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
        .collect();
    let all: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("{} {}", c.id(), c.name()))
        .collect();
    assert_eq!(
        listed, all,
        "README's table: `| A001 json-syntax | ... |`, in code order"
    );
}
