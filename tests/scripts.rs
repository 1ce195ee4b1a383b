//! Scripts rendered from run files: pinned text, lint, and resume after failure.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{
    archc, build_repo, combined, journal, root, sh, snapshots, temp, tool, tree, wrappers,
};

const AS_OF: &str = "2026-11-21T10:00:00Z";

fn build_lakehouse(out: &Path) {
    let run = archc(&[
        "build",
        "examples/lakehouse",
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn lakehouse_scripts_are_pinned() {
    let out = temp();
    build_lakehouse(out.path());
    let files: BTreeMap<_, _> = tree(out.path())
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_run_file.json"))
        .collect();
    assert!(files.contains_key("runs/run-all.sh"));
    assert_eq!(files.keys().filter(|k| k.ends_with(".sh")).count(), 7);
    snapshots().bind(|| insta::assert_snapshot!("scripts__lakehouse", combined(&files)));
}

#[test]
fn scripts_pass_bash_n_and_shellcheck() {
    let out = temp();
    build_lakehouse(out.path());
    crate::support::lint_tree(out.path(), tree(out.path()).keys());
}

#[test]
fn sql_files_parse_in_their_dialect() {
    let Some(sqlfluff) = tool("sqlfluff") else {
        return;
    };
    let out = temp();
    build_lakehouse(out.path());
    let mut checked = 0;
    for (name, text) in tree(out.path())
        .iter()
        .filter(|(k, _)| k.ends_with("_run_file.json"))
    {
        let run: archc::output::runfile::RunFile = serde_json::from_str(text).unwrap();
        let sql_dir = out.path().join(name.replace("_run_file.json", ".sql"));
        for (_, command) in run.commands() {
            for file in &command.sql {
                let path = sql_dir.join(&file.name);
                assert_eq!(
                    fs::read_to_string(&path).unwrap(),
                    file.text,
                    "the SQL file is the run file's text"
                );
                let run = sh(Command::new(&sqlfluff)
                    .args(["parse", "--dialect", &file.dialect])
                    .arg(&path));
                assert_eq!(
                    run.code, 0,
                    "{} ({}): {}{}",
                    file.name, file.dialect, run.stdout, run.stderr
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked} SQL files parsed");
}

#[test]
fn render_from_reviewed_run_files_matches_build_and_refuses_broken_ones() {
    let out = temp();
    build_lakehouse(out.path());
    let runs = out.path().join("runs");
    let run_files: Vec<String> = tree(&runs)
        .keys()
        .filter(|k| k.ends_with("_run_file.json"))
        .map(|k| runs.join(k).to_string_lossy().into_owned())
        .collect();
    let again = temp();
    let mut args = vec!["render", "--out", again.path().to_str().unwrap()];
    args.extend(run_files.iter().map(String::as_str));
    let run = archc(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let built: BTreeMap<_, _> = tree(&runs)
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_run_file.json"))
        .collect();
    assert_eq!(built, tree(again.path()));

    let orders = runs.join("lakehouse_archival_orders_2026112110_run_file.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&orders).unwrap()).unwrap();
    let commands = doc["archival_details"][1]["commands"]
        .as_array_mut()
        .unwrap();
    let delete = commands
        .iter_mut()
        .find(|c| c["command_about"] == "delete_rows")
        .unwrap();
    delete["seq"] = 0.into();
    fs::write(&orders, serde_json::to_string(&doc).unwrap()).unwrap();
    let broken = temp();
    let run = archc(&[
        "render",
        "--out",
        broken.path().to_str().unwrap(),
        orders.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("/seq differs"), "{}", run.stderr);
    assert!(tree(broken.path()).is_empty());
}

/// Overrides are trusted code: they come from the operator's `--templates DIR`, their
/// sha256 is in the run file, and `render` refuses other overrides than those.
#[test]
fn template_overrides_come_from_the_operator_and_are_recorded() {
    let original = fs::read_to_string(root().join("templates/s3/select.sh.j2")).unwrap();
    let (out, run) = build_with_s3_override(&format!("# site override\n{original}"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = tree(out.path());
    assert!(files["runs/lakehouse_archival_orders_2026112110.sh"].contains("# site override"));
    let run_file = &files["runs/lakehouse_archival_orders_2026112110_run_file.json"];
    assert!(
        run_file.contains("\"s3/select.sh.j2\": \""),
        "the override's digest is recorded"
    );

    let again = temp();
    let path = out
        .path()
        .join("runs/lakehouse_archival_orders_2026112110_run_file.json");
    let refused = archc(&[
        "render",
        "--out",
        again.path().to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("other template overrides"),
        "{}",
        refused.stderr
    );
    assert!(tree(again.path()).is_empty());
}

/// A `templates/` directory in the (pull-request-writable) config repository is ignored,
/// and check says so: `templates/s3/verify.sh.j2` holding `true` removed the archive check.
#[test]
fn overrides_in_the_config_repository_are_ignored() {
    let repo = temp();
    copy_dir(&root().join("examples/lakehouse"), repo.path());
    fs::create_dir_all(repo.path().join("templates/s3")).unwrap();
    fs::write(repo.path().join("templates/s3/verify.sh.j2"), "true\n").unwrap();
    let checked = archc(&["check", repo.path().to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(checked.stderr.contains("A102"), "{}", checked.stderr);
    let out = temp();
    let built = archc(&[
        "build",
        repo.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let plain = temp();
    build_lakehouse(plain.path());
    assert_eq!(
        tree(out.path()),
        tree(plain.path()),
        "the repository's templates/ changed nothing"
    );
}

/// Builds examples/lakehouse with `--templates DIR` whose `s3/select.sh.j2` is `override_text`.
fn build_with_s3_override(override_text: &str) -> (tempfile::TempDir, crate::support::Run) {
    let templates = temp();
    fs::create_dir_all(templates.path().join("s3")).unwrap();
    fs::write(templates.path().join("s3/select.sh.j2"), override_text).unwrap();
    let out = temp();
    let run = archc(&[
        "build",
        "examples/lakehouse",
        "--templates",
        templates.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    (out, run)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// A config repository of local directories (real find/rsync) and a fake psql.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) bin: PathBuf,
}

const OLD: &[(&str, &str)] = &[
    ("dt=2019-01-01/a.txt", "a"),
    ("dt=2019-01-02/b.txt", "bb"),
    ("dt=2026-08-31/c.txt", "ccc"),
];
const NEW: &[(&str, &str)] = &[
    ("dt=2026-09-01/d.txt", "dddd"),
    ("dt=2026-11-20/e.txt", "eeeee"),
];

impl Fixture {
    pub(crate) fn new(tables: &[(&str, &[&str])]) -> Self {
        let dir = temp();
        let p = dir.path();
        let project = serde_json::json!({
            "system": "t",
            "archive_roots": {"local": p.join("archive").to_str().unwrap(), "dumps": p.join("dumps").to_str().unwrap()}
        });
        fs::write(p.join("archc.json"), project.to_string()).unwrap();
        fs::create_dir_all(p.join("tables")).unwrap();
        for (name, depends_on) in tables {
            let src = p.join("src").join(name);
            for (rel, body) in OLD.iter().chain(NEW) {
                let file = src.join("parts").join(rel);
                fs::create_dir_all(file.parent().unwrap()).unwrap();
                fs::write(file, body).unwrap();
            }
            for (rel, stamp) in [
                ("drops/old.json", "2019-03-01 12:00:00"),
                ("drops/new.json", "2026-11-01 12:00:00"),
            ] {
                fs::create_dir_all(src.join(rel).parent().unwrap()).unwrap();
                fs::write(src.join(rel), rel).unwrap();
                sh(Command::new("touch")
                    .args(["-d", &format!("{stamp} UTC")])
                    .arg(src.join(rel)));
            }
            let table = serde_json::json!({ *name: {
                "raw": {"order": 1,
                    "parts": {"storage": "local", "archival_object_detail": {"path": src.join("parts").to_str().unwrap(), "partition_column": "dt"}, "starting_storage_date": "2019-01-01"},
                    "drops": {"storage": "local", "archival_object_detail": {"path": format!("{}/*.json", src.join("drops").to_str().unwrap())}, "starting_storage_date": "2019-01-01"}},
                "db": {"order": 2,
                    "pg": {"storage": "postgres", "archival_object_detail": {"database": "shop", "table_name": *name, "date_column": "day"}, "starting_storage_date": "2019-01-01"}},
                "depends_on": depends_on,
                "data_archive_before_period": "month", "data_archive_before": 2 }});
            fs::write(
                p.join("tables").join(format!("{name}.json")),
                table.to_string(),
            )
            .unwrap();
        }
        let bin = p.join("bin");
        let tools = [
            "find",
            "rsync",
            "cut",
            "awk",
            "sed",
            "sort",
            "xargs",
            "mkdir",
            "cmp",
            "sha256sum",
            "grep",
            "mv",
        ];
        wrappers(&bin, &tools);
        std::os::unix::fs::symlink(root().join("tests/fakes/psql"), bin.join("psql")).unwrap();
        std::os::unix::fs::symlink(root().join("tests/fakes/pg_dump"), bin.join("pg_dump"))
            .unwrap();
        build_repo(p, AS_OF);
        Fixture { dir, bin }
    }

    pub(crate) fn script(&self, table: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("out/runs/t_archival_{table}_2026112110.sh"))
    }

    pub(crate) fn run(
        &self,
        script: &Path,
        args: &[&str],
        fail_step: Option<&str>,
    ) -> crate::support::Run {
        let path = format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap());
        let log = self.dir.path().join("calls.log");
        let _ = fs::remove_file(&log);
        let mut cmd = Command::new("bash");
        cmd.arg(script)
            .args(args)
            .env("PATH", path)
            .env("FAKE_LOG", &log)
            .env("ARCHC_LOCK_DIR", self.dir.path().join("locks"))
            .env_remove("FAKE_FAIL_STEP");
        if let Some(step) = fail_step {
            cmd.env("FAKE_FAIL_STEP", step);
        }
        sh(&mut cmd)
    }

    pub(crate) fn calls(&self) -> String {
        fs::read_to_string(self.dir.path().join("calls.log")).unwrap_or_default()
    }

    pub(crate) fn files(&self, sub: &str) -> BTreeMap<String, String> {
        let dir = self.dir.path().join(sub);
        if dir.exists() {
            tree(&dir)
        } else {
            BTreeMap::new()
        }
    }
}

pub(crate) fn step_ids(fixture: &Fixture, table: &str) -> Vec<String> {
    let run = fixture.run(&fixture.script(table), &["--plan"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(fixture.calls().is_empty(), "--plan runs nothing");
    run.stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(4).unwrap().to_string())
        .collect()
}

#[test]
fn a_failed_step_resumes_without_redoing_finished_steps() {
    let original = Fixture::new(&[("events", &[])]);
    let ids = step_ids(&original, "events");
    assert_eq!(ids.len(), 9, "{ids:?}");
    let before = original.files("src/events");
    for k in 0..ids.len() {
        let fixture = Fixture::new(&[("events", &[])]);
        let script = fixture.script("events");
        let state = fixture.dir.path().join("state");
        let state_arg = ["--state-dir", state.to_str().unwrap()];
        let failed = fixture.run(&script, &state_arg, Some(&ids[k]));
        assert_ne!(
            failed.code, 0,
            "step {} must fail: {}",
            ids[k], failed.stdout
        );
        assert_eq!(
            journal(&state, "events"),
            ids[..k].to_vec(),
            "journal after failing {}",
            ids[k]
        );
        let source = fixture.files("src/events");
        let archive = fixture.files("archive/events/raw");
        let archive: BTreeMap<_, _> = archive
            .into_iter()
            .filter(|(k, _)| !k.contains("_archc/"))
            .collect();
        for (rel, body) in before.iter() {
            let archived = rel.replace("drops/", "drops/run=2026112110/");
            let kept = source.get(rel) == Some(body) || archive.get(&archived) == Some(body);
            assert!(kept, "{rel} lost after failing {}", ids[k]);
        }

        let resumed = fixture.run(&script, &state_arg, None);
        assert_eq!(
            resumed.code, 0,
            "resume after {}: {}{}",
            ids[k], resumed.stdout, resumed.stderr
        );
        let calls = fixture.calls();
        for earlier in &ids[..k] {
            assert!(
                !calls.lines().any(|l| l.starts_with(&format!("{earlier} "))),
                "{earlier} ran again after failing {}",
                ids[k]
            );
        }
        assert!(
            resumed.stdout.contains(&format!(
                "{} steps ran, {k} were done earlier",
                ids.len() - k
            )),
            "{}",
            resumed.stdout
        );
        assert_final_state(&fixture);
    }
}

pub(crate) fn assert_final_state(fixture: &Fixture) {
    let source = fixture.files("src/events");
    let mut expected_source: Vec<String> = NEW.iter().map(|(r, _)| format!("parts/{r}")).collect();
    expected_source.push("drops/new.json".to_string());
    expected_source.sort();
    assert_eq!(source.keys().cloned().collect::<Vec<_>>(), expected_source);
    let mut archive = fixture.files("archive/events/raw");
    for storage in ["parts", "drops"] {
        for part in ["lst0", "sizes"] {
            let manifest = format!("{storage}/_archc/run=2026112110/manifest.{part}");
            assert!(
                archive.remove(&manifest).is_some(),
                "{manifest} is in the archive"
            );
        }
    }
    let expected: BTreeMap<String, String> = OLD
        .iter()
        .map(|(r, b)| (format!("parts/{r}"), b.to_string()))
        .chain([(
            "drops/run=2026112110/old.json".to_string(),
            "drops/old.json".to_string(),
        )])
        .collect();
    assert_eq!(archive, expected);
    let mtime = fs::metadata(
        fixture
            .dir
            .path()
            .join("archive/events/raw/drops/run=2026112110/old.json"),
    )
    .unwrap()
    .modified()
    .unwrap();
    let secs = mtime
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(
        secs, 1_551_441_600,
        "rsync -a keeps the modification time (2019-03-01 12:00 UTC)"
    );
    let dump = fixture.files("dumps/events/db/pg/run=2026112110");
    assert_eq!(dump["public.events.copy"].lines().count(), 3);
}

#[test]
fn a_failure_early_in_a_step_fails_the_step() {
    let fixture = Fixture::new(&[("events", &[])]);
    let script = fixture.script("events");
    let path = format!(
        "{}:{}",
        fixture.bin.display(),
        std::env::var("PATH").unwrap()
    );
    // `find` starts the selection pipeline; later commands of the step still succeed.
    let run = sh(Command::new("bash")
        .arg(&script)
        .env("PATH", path)
        .env("ARCHC_LOCK_DIR", fixture.dir.path().join("locks"))
        .env("FAKE_FAIL_STEP", "raw.parts.select_objects")
        .env("FAKE_FAIL_TOOL", "find"));
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("step raw.parts.select_objects failed"),
        "{}",
        run.stderr
    );
    let done = journal(&fixture.dir.path().join("out/state"), "events");
    assert!(
        !done.iter().any(|d| d == "raw.parts.select_objects"),
        "{done:?}"
    );
}

#[test]
fn a_second_run_does_nothing_and_the_gate_stops_deletes() {
    let fixture = Fixture::new(&[("events", &[])]);
    let script = fixture.script("events");
    let first = fixture.run(&script, &[], None);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let second = fixture.run(&script, &[], None);
    assert_eq!(second.code, 0);
    assert!(
        second.stdout.contains("0 steps ran, 9 were done earlier"),
        "{}",
        second.stdout
    );

    let fixture = Fixture::new(&[("events", &[])]);
    let script = fixture.script("events");
    let ids = step_ids(&fixture, "events");
    let delete = ids
        .iter()
        .position(|i| i == "raw.parts.delete_source_data")
        .unwrap();
    let copied = fixture.run(&script, &["--only-step", "raw.parts.select_objects"], None);
    assert_eq!(copied.code, 0, "{}", copied.stderr);
    let copied = fixture.run(
        &script,
        &["--only-step", "raw.parts.sync_source_to_archive"],
        None,
    );
    assert_eq!(copied.code, 0, "{}", copied.stderr);
    fs::write(
        fixture
            .dir
            .path()
            .join("archive/events/raw/parts/dt=2019-01-02/b.txt"),
        "corrupted",
    )
    .unwrap();
    let gated = fixture.run(&script, &["--only-step", &ids[delete]], None);
    assert_ne!(gated.code, 0);
    assert!(
        gated.stderr.contains("nothing was deleted"),
        "{}",
        gated.stderr
    );
    assert_eq!(
        fixture.files("src/events").len(),
        OLD.len() + NEW.len() + 2,
        "no source file was deleted"
    );
}

#[test]
fn run_all_honours_dependencies_and_stops_after_a_failure() {
    let fixture = Fixture::new(&[
        ("child_a", &["parent"]),
        ("child_b", &["parent"]),
        ("parent", &[]),
    ]);
    let run_all = fixture.dir.path().join("out/runs/run-all.sh");
    let ok = fixture.run(&run_all, &["-j", "2"], None);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    let lines: Vec<&str> = ok.stdout.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| *l == needle)
            .unwrap_or_else(|| panic!("{needle}: {lines:?}"))
    };
    assert!(at("run-all: start parent") > at("run-all: done child_a"));
    assert!(at("run-all: start parent") > at("run-all: done child_b"));

    let fixture = Fixture::new(&[
        ("child_a", &["parent"]),
        ("child_b", &["parent"]),
        ("parent", &[]),
    ]);
    let run_all = fixture.dir.path().join("out/runs/run-all.sh");
    let failed = fixture.run(&run_all, &["-j", "1"], Some("raw.parts.select_objects"));
    assert_eq!(failed.code, 1);
    assert!(failed.stdout.contains("run-all: start child_a"));
    assert!(
        !failed.stdout.contains("start child_b") && !failed.stdout.contains("start parent"),
        "{}",
        failed.stdout
    );
    assert!(
        failed.stderr.contains("FAILED child_a"),
        "{}",
        failed.stderr
    );
}

#[test]
fn a_build_that_fails_midway_leaves_nothing_behind() {
    let (out, run) = build_with_s3_override("{{ no_such_value }}");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("s3/select.sh.j2"), "{}", run.stderr);
    let left: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.is_empty(),
        "nothing written, no staging left: {left:?}"
    );

    let fine = archc(&[
        "build",
        "examples/lakehouse",
        "--out",
        out.path().to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(fine.code, 0, "{}", fine.stderr);
    let names: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["runs".to_string()],
        "the staged run directory was renamed into place"
    );
}

/// Run files are verified, not trusted: each of these edits is refused by render, and
/// nothing is written.
#[test]
fn render_refuses_every_kind_of_tampered_run_file() {
    let out = temp();
    build_lakehouse(out.path());
    let path = out
        .path()
        .join("runs/lakehouse_archival_orders_2026112110_run_file.json");
    let original: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let canary = out.path().join("canary");
    let touch = format!("$(touch {})", canary.display());
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "arbitrary command text",
            Box::new(|v| v["archival_details"][0]["commands"][0]["command"] = "curl x | sh".into()),
        ),
        (
            "an added step",
            Box::new(|v| {
                let mut extra = v["archival_details"][0]["commands"][0].clone();
                extra["id"] = "raw.s3_exports.count_rows".into();
                extra["command_about"] = "count_rows".into();
                v["archival_details"][0]["commands"]
                    .as_array_mut()
                    .unwrap()
                    .push(extra);
            }),
        ),
        (
            "a destructive step made harmless",
            Box::new(|v| {
                for c in v["archival_details"][0]["commands"].as_array_mut().unwrap() {
                    if c["destructive"] == true {
                        c["destructive"] = false.into();
                        c["precondition"] = serde_json::Value::Null;
                    }
                }
            }),
        ),
        (
            "a gate of true",
            Box::new(|v| {
                for c in v["archival_details"][0]["commands"].as_array_mut().unwrap() {
                    if c["destructive"] == true {
                        c["precondition"] = "true".into();
                    }
                }
            }),
        ),
        (
            "a window widened in a command",
            Box::new(|v| {
                let text = serde_json::to_string(&v["archival_details"][1]["commands"]).unwrap();
                v["archival_details"][1]["commands"] =
                    serde_json::from_str(&text.replace("2024-10-01", "2026-11-01")).unwrap();
            }),
        ),
        (
            "format_version 9",
            Box::new(|v| v["format_version"] = 9.into()),
        ),
        (
            "a wrong source_sha256",
            Box::new(|v| v["source_sha256"] = "x".into()),
        ),
        (
            "a cutoff that is shell",
            Box::new(move |v| v["cutoff"] = touch.clone().into()),
        ),
        (
            "a cutoff with a line break",
            Box::new(|v| v["cutoff"] = "2024-10-01\ntouch /tmp/x".into()),
        ),
        (
            "a widened window field",
            Box::new(|v| v["archival_details"][0]["window"]["end"] = "2026-11-01".into()),
        ),
        (
            "an archive inside the source",
            Box::new(|v| {
                v["archival_details"][0]["archive_location"] =
                    "s3://lake-raw/orders/_archive/".into()
            }),
        ),
        (
            "an unsafe table name",
            Box::new(|v| v["table_name"] = "orders$(id)".into()),
        ),
    ];
    for (what, edit) in edits {
        let mut doc = original.clone();
        edit(&mut doc);
        assert_ne!(doc, original, "{what}: the edit changed something");
        let tampered = temp();
        let file = tampered
            .path()
            .join("lakehouse_archival_orders_2026112110_run_file.json");
        fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        let target = temp();
        let run = archc(&[
            "render",
            "--out",
            target.path().to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{what} must be refused: {}", run.stderr);
        assert!(tree(target.path()).is_empty(), "{what}: nothing written");
        assert!(!canary.exists(), "{what}: no command ran");
    }
}

/// `archc status` reads the journals of a fleet: one run done, one failed at its step, one
/// killed (-9) inside a step, one never started (its run file is given), and a JSON form
/// for dashboards.
#[test]
fn status_summarises_runs_from_their_journals() {
    let fixture = Fixture::new(&[("a", &[]), ("b", &[]), ("c", &[]), ("d", &[])]);
    let ok = fixture.run(&fixture.script("a"), &[], None);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let failed = fixture.run(
        &fixture.script("b"),
        &[],
        Some("raw.parts.sync_source_to_archive"),
    );
    assert_ne!(failed.code, 0);
    let path = format!(
        "{}:{}",
        fixture.bin.display(),
        std::env::var("PATH").unwrap()
    );
    let killed = sh(Command::new("bash")
        .arg(fixture.script("c"))
        .env("PATH", path)
        .env("FAKE_KILL_STEP", "raw.drops.sync_source_to_archive")
        .env("ARCHC_LOCK_DIR", fixture.dir.path().join("locks"))
        .process_group(0));
    assert_ne!(killed.code, 0, "{}", killed.stdout);
    let out = fixture.dir.path().join("out");
    let runs: Vec<String> = tree(&out.join("runs"))
        .keys()
        .filter(|k| k.ends_with("_run_file.json"))
        .map(|k| out.join("runs").join(k).to_string_lossy().into_owned())
        .collect();
    let state = out.join("state");
    let mut args = vec!["status", "--state-dir", state.to_str().unwrap()];
    args.extend(runs.iter().map(String::as_str));
    let text = archc(&args);
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert!(
        text.stdout
            .contains("4 runs: 1 done, 1 in progress, 1 failed, 1 never started"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("FAILED at raw.parts.sync_source_to_archive"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("in progress (or interrupted) at raw.drops.sync_source_to_archive"),
        "{}",
        text.stdout
    );
    args.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&archc(&args).stdout).unwrap();
    let states: Vec<&str> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["done", "failed", "in_progress", "never_started"]);
}

/// `archc verify --exec`: before a run the window is incomplete; after it the file
/// storages are ok; a damaged archive fails; and the fake PostgreSQL (which always counts
/// three rows) stays incomplete.
#[test]
fn verify_says_per_storage_whether_a_run_finished() {
    let fixture = Fixture::new(&[("events", &[])]);
    let run_file = fixture
        .dir
        .path()
        .join("out/runs/t_archival_events_2026112110_run_file.json");
    let verify = || {
        let path = format!(
            "{}:{}",
            fixture.bin.display(),
            std::env::var("PATH").unwrap()
        );
        sh(Command::new(env!("CARGO_BIN_EXE_archc"))
            .args(["verify", "--exec"])
            .arg(&run_file)
            .env("PATH", path))
    };
    let before = verify();
    assert_eq!(before.code, 1);
    assert!(
        before
            .stdout
            .contains("events/raw/parts incomplete: 3 objects still in the window"),
        "{}",
        before.stdout
    );
    let ran = fixture.run(&fixture.script("events"), &[], None);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let after = verify();
    assert!(
        after
            .stdout
            .contains("events/raw/parts ok: nothing left in the window"),
        "{}",
        after.stdout
    );
    assert!(
        after.stdout.contains("events/raw/drops ok"),
        "{}",
        after.stdout
    );
    assert!(
        after.stdout.contains("events/db/pg incomplete: 3 rows"),
        "{}",
        after.stdout
    );
    fs::write(
        fixture
            .dir
            .path()
            .join("archive/events/raw/parts/dt=2019-01-02/b.txt"),
        "x",
    )
    .unwrap();
    let damaged = verify();
    assert!(
        damaged.stdout.contains("events/raw/parts failed"),
        "{}",
        damaged.stdout
    );
}
