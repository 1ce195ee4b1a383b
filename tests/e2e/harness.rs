//! A case: a config repository built into scripts, run with real tools behind recording
//! wrappers that can fail or kill a chosen step. A scenario says what the data looks like.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{build_repo, root, sh, temp, wrappers, Run};

pub const AS_OF: &str = "2026-11-21T10:00:00Z";
pub const CUTOFF: &str = "2026-09-01";

/// A service address from scripts/e2e-services.sh. Missing on CI fails the test.
pub fn service(var: &str) -> Option<String> {
    let value = std::env::var(var).ok();
    if value.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{var} is not set: CI must run every e2e tier"
        );
        eprintln!(
            "SKIPPED: {var} is not set; run through scripts/e2e-services.sh (scripts/test.sh does)"
        );
    }
    value
}

pub fn aws_env(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_PAGER", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub fn pg_env() -> Option<Vec<(String, String)>> {
    let host = service("ARCHC_E2E_PGHOST")?;
    let port = std::env::var("ARCHC_E2E_PGPORT").ok()?;
    let user = std::env::var("ARCHC_E2E_PGUSER").unwrap_or_else(|_| "postgres".into());
    Some(vec![
        ("PGHOST".into(), host),
        ("PGPORT".into(), port),
        ("PGUSER".into(), user),
    ])
}

#[derive(Clone, Copy, Debug)]
pub enum Fault<'a> {
    None,
    /// Every tool call of the step fails.
    Fail(&'a str),
    /// Every call of one tool in the step fails.
    FailTool(&'a str, &'a str),
    /// kill -9 of the whole run at the step's first tool call, before it runs.
    Kill(&'a str),
    /// kill -9 of the whole run right after the step's n-th call of a tool with side
    /// effects returned: the effect happened, the journal line did not.
    KillAfter(&'a str, usize),
}

/// Tools whose calls change or read the systems (the others only shape text).
pub const EFFECTFUL: &str = "aws psql mysql mysqldump rsync gsutil hdfs spark-sql curl xargs";

pub struct Case {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
    pub script: PathBuf,
    pub table: String,
}

impl Case {
    /// Writes a config repository (`archc.json` + one table), builds it, and installs the
    /// wrappers in front of the real tools.
    pub fn build(
        project: serde_json::Value,
        table: &str,
        body: serde_json::Value,
        env: Vec<(String, String)>,
    ) -> Case {
        let dir = temp();
        Self::build_in(dir, project, table, body, env)
    }

    pub fn build_in(
        dir: tempfile::TempDir,
        project: serde_json::Value,
        table: &str,
        body: serde_json::Value,
        env: Vec<(String, String)>,
    ) -> Case {
        let p = dir.path();
        fs::write(p.join("archc.json"), project.to_string()).unwrap();
        fs::create_dir_all(p.join("tables")).unwrap();
        fs::write(
            p.join("tables").join(format!("{table}.json")),
            serde_json::json!({ table: body }).to_string(),
        )
        .unwrap();
        let out = build_repo(p, AS_OF);
        wrappers(
            &p.join("bin"),
            &[
                "aws",
                "psql",
                "mysql",
                "mysqldump",
                "rsync",
                "find",
                "cut",
                "awk",
                "mkdir",
                "spark-sql",
                "hdfs",
                "gsutil",
                "sync",
            ],
        );
        let system = project["system"].as_str().unwrap().to_string();
        let script = out.join(format!("runs/{system}_archival_{table}_2026112110.sh"));
        Case {
            dir,
            env,
            script,
            table: table.to_string(),
        }
    }

    /// A case over a config repository the test wrote itself (built by the test).
    pub fn from_dir(dir: tempfile::TempDir, env: Vec<(String, String)>) -> Case {
        let script = dir.path().join("out/runs/none.sh");
        Case {
            dir,
            env,
            script,
            table: String::new(),
        }
    }

    /// Builds the same config again at another time (a later night's build) into the same
    /// output directory; the case then runs the new script.
    pub fn rebuild(&mut self, as_of: &str) {
        let out = build_repo(self.dir.path(), as_of);
        let run_id: String = as_of
            .chars()
            .filter(char::is_ascii_digit)
            .take(10)
            .collect();
        let name = self
            .script
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let stem = &name[..name.len() - "2026112110.sh".len()];
        self.script = out.join(format!("runs/{stem}{run_id}.sh"));
        assert!(self.script.exists(), "{}", self.script.display());
    }

    pub fn run_file(&self) -> PathBuf {
        let name = self
            .script
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".sh", "_run_file.json");
        self.script.with_file_name(name)
    }

    /// `archc verify --exec` on the case's run file, with the case's environment.
    pub fn verify(&self) -> Run {
        let mut cmd = self.command(Path::new(env!("CARGO_BIN_EXE_archc")));
        cmd.args(["verify", "--exec"]).arg(self.run_file());
        sh(&mut cmd)
    }

    /// `archc restore` of the case's run file into `out` (under the case); the script.
    pub fn restore(&self, out: &str, args: &[&str]) -> PathBuf {
        let out = self.path(out);
        let mut cmd = self.command(Path::new(env!("CARGO_BIN_EXE_archc")));
        cmd.arg("restore")
            .arg(self.run_file())
            .args(args)
            .arg("--out")
            .arg(&out);
        let run = sh(&mut cmd);
        assert_eq!(run.code, 0, "archc restore {args:?}: {}", run.stderr);
        let scripts: Vec<PathBuf> = named(&out, "")
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "sh"))
            .collect();
        assert_eq!(scripts.len(), 1, "{scripts:?}");
        scripts[0].clone()
    }

    /// A value the scenario stored in the case's environment (bucket, database...).
    pub fn var(&self, key: &str) -> &str {
        &self
            .env
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no {key} in the case"))
            .1
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn command(&self, program: &Path) -> Command {
        let venv = root().join(".venv/bin");
        let tools = root().join("tests/fakes/tools");
        let path = format!(
            "{}:{}:{}:{}",
            self.path("bin").display(),
            tools.display(),
            venv.display(),
            std::env::var("PATH").unwrap()
        );
        let mut cmd = Command::new(program);
        cmd.env("PATH", path)
            .env("ARCHC_LOCK_DIR", self.path("locks"))
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.env_remove("FAKE_FAIL_STEP")
            .env_remove("FAKE_KILL_STEP")
            .env_remove("FAKE_KILL_AFTER_STEP");
        cmd
    }

    /// A tool run by the test itself (seeding, observing), with the case's environment: the
    /// tier's own (tests/fakes/tools, warm under the harness), else the venv's.
    pub fn tool(&self, program: &str, args: &[&str]) -> Run {
        let run = sh(&mut self.tool_command(program, args));
        assert_eq!(
            run.code, 0,
            "{program} {args:?}: {}{}",
            run.stdout, run.stderr
        );
        run
    }

    /// The command `tool` runs, to run it otherwise (cold, on another stdin).
    pub fn tool_command(&self, program: &str, args: &[&str]) -> Command {
        let fake = root().join("tests/fakes/tools").join(program);
        let venv = root().join(".venv/bin").join(program);
        let program = [fake, venv]
            .into_iter()
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from(program));
        let mut cmd = self.command(&program);
        cmd.args(args);
        cmd
    }

    pub fn run(&self, fault: Fault, args: &[&str]) -> Run {
        self.run_script(&self.script, "state", fault, args)
    }

    /// Runs another script of the case (a restore) with its state under `state`.
    pub fn run_script(&self, script: &Path, state: &str, fault: Fault, args: &[&str]) -> Run {
        let mut cmd = self.command(Path::new("bash"));
        cmd.arg(script)
            .args(["--state-dir", self.path(state).to_str().unwrap()])
            .args(args);
        cmd.env("FAKE_LOG", self.path("calls.log"));
        let _ = fs::remove_file(self.path("calls.log.after"));
        match fault {
            Fault::None => {}
            Fault::Fail(step) => {
                cmd.env("FAKE_FAIL_STEP", step);
            }
            Fault::FailTool(step, tool) => {
                cmd.env("FAKE_FAIL_STEP", step).env("FAKE_FAIL_TOOL", tool);
            }
            Fault::Kill(step) => {
                cmd.env("FAKE_KILL_STEP", step);
            }
            Fault::KillAfter(step, n) => {
                cmd.env("FAKE_KILL_AFTER_STEP", step)
                    .env("FAKE_KILL_AFTER_CALL", n.to_string())
                    .env("FAKE_EFFECTFUL", EFFECTFUL);
            }
        }
        cmd.process_group(0);
        sh(&mut cmd)
    }

    pub fn steps(&self) -> Vec<String> {
        self.steps_of(&self.script, "state")
    }

    /// The step ids of a script of the case, as its `--plan` lists them.
    pub fn steps_of(&self, script: &Path, state: &str) -> Vec<String> {
        let run = self.run_script(script, state, Fault::None, &["--plan"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().nth(4).unwrap().to_string())
            .collect()
    }

    /// How many calls of tools with side effects each step made, from the call log.
    pub fn effectful_calls(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        let log = fs::read_to_string(self.path("calls.log")).unwrap_or_default();
        for line in log.lines() {
            if let Some((step, tool)) = line.split_once(' ') {
                if EFFECTFUL.split(' ').any(|t| t == tool) {
                    *out.entry(step.to_string()).or_insert(0) += 1;
                }
            }
        }
        out
    }

    pub fn journal(&self) -> Vec<String> {
        crate::support::journal(&self.path("state"), &self.table)
    }
}

/// What a scenario can see: every datum by a stable key, in the source and the archive.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub source: BTreeMap<String, String>,
    pub archive: BTreeMap<String, String>,
    /// Metastore state, e.g. partition values still registered.
    pub metadata: Vec<String>,
}

pub trait Scenario {
    /// A fresh case (unique buckets/tables/dirs under `tag`), data seeded, scripts built.
    fn fresh(&self, tag: &str) -> Case;
    fn seen(&self, case: &Case) -> Seen;
    /// Every datum at the start, and whether it lies before the cutoff.
    fn original(&self) -> BTreeMap<String, (String, bool)>;
    fn metadata_after(&self) -> Vec<String> {
        Vec::new()
    }
    /// Metastore state after a restore: as before the run (partitions added back).
    fn metadata_restored(&self, before: &[String]) -> Vec<String> {
        before.to_vec()
    }
    /// Damages one archived datum (for the gate test).
    fn corrupt_archive(&self, case: &Case);
    /// The step before which the gate is tested.
    fn gated_step(&self) -> &'static str;
    /// Which call of the gated step's effectful tools deletes (the first, unless checks
    /// that call tools come before it).
    fn deleting_call(&self) -> usize {
        1
    }
    /// Writes one datum into the window (as a late writer would, after the archive copy:
    /// a new one, or one rewritten in place) and returns its key and value as `seen`
    /// shows them.
    fn late_write(&self, _case: &Case) -> Option<(String, String)> {
        None
    }
    /// Slow tools (a process per statement): a restore is interrupted only at its copy
    /// steps (before, after the last call).
    fn light_restore(&self) -> bool {
        false
    }
}

fn assert_final(s: &dyn Scenario, case: &Case, context: &str) {
    let seen = s.seen(case);
    let original = s.original();
    let new: BTreeMap<_, _> = original
        .iter()
        .filter(|(_, (_, old))| !old)
        .map(|(k, (v, _))| (k.clone(), v.clone()))
        .collect();
    let old = archived_original(s);
    assert!(
        !old.is_empty() && !new.is_empty(),
        "a scenario has data on both sides of the cutoff"
    );
    assert_eq!(
        seen.source, new,
        "{context}: the source holds exactly the data on or after the cutoff"
    );
    assert_eq!(
        seen.archive, old,
        "{context}: the archive holds exactly the data before the cutoff"
    );
    assert_eq!(
        seen.metadata,
        s.metadata_after(),
        "{context}: metastore after the run"
    );
}

fn assert_nothing_lost(s: &dyn Scenario, case: &Case, context: &str) {
    let seen = s.seen(case);
    for (key, (value, _)) in s.original() {
        let kept = seen.source.get(&key) == Some(&value) || seen.archive.get(&key) == Some(&value);
        assert!(
            kept,
            "{context}: {key} is in neither the source nor the archive"
        );
    }
}

/// After which of a step's `made` side-effecting calls a run is killed: the first and the
/// last.
fn kills_after(made: usize) -> Vec<usize> {
    let mut after: Vec<usize> = [1, made]
        .into_iter()
        .filter(|n| (1..=made).contains(n))
        .collect();
    after.dedup();
    after
}

/// The whole exercise: a clean run, a second run, a kill -9 before every step and after its
/// first and last tool call (a failing tool at the gated step), each re-run, and the gate.
pub fn exercise(s: &dyn Scenario, name: &str) {
    let started = std::time::Instant::now();
    let case = s.fresh(&format!("{name}-clean"));
    let steps = case.steps();
    assert_nothing_lost(s, &case, "before the run");
    let first = case.run(Fault::None, &[]);
    assert_eq!(first.code, 0, "clean run: {}{}", first.stdout, first.stderr);
    assert_final(s, &case, "clean run");
    let second = case.run(Fault::None, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second
            .stdout
            .contains(&format!("0 steps ran, {} were done earlier", steps.len())),
        "{}",
        second.stdout
    );
    assert_final(s, &case, "second run");
    let verified = case.verify();
    assert_eq!(
        verified.code, 0,
        "verify after a clean run: {}{}",
        verified.stdout, verified.stderr
    );
    assert!(
        verified.stdout.lines().all(|l| l.contains(" ok: ")),
        "{}",
        verified.stdout
    );
    let calls = case.effectful_calls();
    eprintln!("{name}: clean run and re-run ok ({} steps)", steps.len());

    for (k, step) in steps.iter().enumerate() {
        // A tool failing and a kill before the tool leave the same state (this step not
        // done): the failure is tested at the gated step, the kill at every step.
        let mut faults = vec![Fault::Kill(step)];
        if step.as_str() == s.gated_step() {
            faults.insert(0, Fault::Fail(step));
        }
        let after = kills_after(calls.get(step).copied().unwrap_or(0));
        faults.extend(after.into_iter().map(|n| Fault::KillAfter(step, n)));
        for (f, fault) in faults.into_iter().enumerate() {
            let context = format!("{fault:?}");
            let case = s.fresh(&format!("{name}-{k}-{f}"));
            let broken = case.run(fault, &[]);
            assert_ne!(
                broken.code, 0,
                "{context} must stop the run ({calls:?}): {}",
                broken.stdout
            );
            assert_eq!(case.journal(), steps[..k].to_vec(), "{context}: journal");
            assert_nothing_lost(s, &case, &context);
            if matches!(fault, Fault::Kill(_)) && step.as_str() == s.gated_step() {
                let verified = case.verify();
                assert_eq!(
                    verified.code, 1,
                    "verify after {context}: {}",
                    verified.stdout
                );
                assert!(
                    verified.stdout.contains("incomplete"),
                    "{}",
                    verified.stdout
                );
                eprintln!(
                    "{name}: verify names what a run killed at {step} left: {}",
                    verified.stdout.trim()
                );
            }
            let resumed = case.run(Fault::None, &[]);
            assert_eq!(
                resumed.code, 0,
                "{context} then re-run: {}{}",
                resumed.stdout, resumed.stderr
            );
            assert_eq!(case.journal(), steps, "{context}: journal after the re-run");
            assert_final(s, &case, &format!("{context} then re-run"));
        }
        eprintln!(
            "{name}: failure, kill -9 before and kill -9 after the tool at step {} ({step}) recovered",
            k + 1
        );
    }

    let case = s.fresh(&format!("{name}-gate"));
    let gated = case.run(Fault::Fail(s.gated_step()), &[]);
    assert_ne!(gated.code, 0);
    s.corrupt_archive(&case);
    let before = s.seen(&case);
    let stopped = case.run(Fault::None, &[]);
    assert_ne!(
        stopped.code, 0,
        "the gate must stop the run: {}",
        stopped.stdout
    );
    assert!(
        stopped.stderr.contains("nothing was deleted"),
        "{}",
        stopped.stderr
    );
    let after = s.seen(&case);
    assert_eq!(after.source, before.source, "the gate stopped the delete");
    assert_eq!(
        after.metadata, before.metadata,
        "the gate stopped every destructive step (metastore partitions too)"
    );
    eprintln!("{name}: a corrupted archive stops {}", s.gated_step());
    eprintln!("{name}: exercise took {} s", started.elapsed().as_secs());
}

/// Restore: everything a clean run archived comes back exactly (metastore partitions
/// too) while the archive keeps it; a restore killed before any step, or right after
/// its first or last call of a tool with side effects returned, is finished by running
/// it again; a target that holds the data already is refused.
pub fn restore(s: &dyn Scenario, name: &str) {
    let case = s.fresh(&format!("{name}-restore"));
    let before = s.seen(&case);
    let script = archive_for_restore(s, &case);
    let steps = case.steps_of(&script, "restore-state");
    assert!(
        steps.iter().any(|step| step.ends_with(".restore_data")),
        "{steps:?}"
    );
    // Calls are counted per step id, and an archival step can share its id (describe).
    fs::remove_file(case.path("calls.log")).ok();
    let clean = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert_restored(s, &case, &before, name);
    let calls = case.effectful_calls();
    let again = case.run_script(&script, "other-state", Fault::None, &[]);
    assert_ne!(again.code, 0, "a target holding the data is refused");
    assert!(
        again.stderr.contains("nothing was restored"),
        "{}",
        again.stderr
    );
    assert_eq!(
        s.seen(&case).source,
        before.source,
        "{name}: nothing written twice"
    );
    for (k, step) in steps.iter().enumerate() {
        // A process per statement (Delta): only the copy is interrupted (before it, after its last call).
        if s.light_restore() && !step.ends_with(".restore_data") {
            continue;
        }
        let after = kills_after(calls.get(step).copied().unwrap_or(0));
        let faults = std::iter::once(Fault::Kill(step))
            .chain(after.into_iter().map(|n| Fault::KillAfter(step, n)));
        for (f, fault) in faults.enumerate() {
            let context = format!("restore, {fault:?}");
            let case = s.fresh(&format!("{name}-r{k}-{f}"));
            let before = s.seen(&case);
            let script = archive_for_restore(s, &case);
            let killed = case.run_script(&script, "restore-state", fault, &[]);
            assert_ne!(
                killed.code, 0,
                "{context} stops the restore: {}",
                killed.stdout
            );
            let journal = crate::support::journal(&case.path("restore-state"), &case.table);
            assert_eq!(journal, steps[..k].to_vec(), "{context}: journal");
            assert_archive_kept(s, &case, &context);
            let resumed = case.run_script(&script, "restore-state", Fault::None, &[]);
            assert_eq!(
                resumed.code, 0,
                "{context} then re-run: {}{}",
                resumed.stdout, resumed.stderr
            );
            assert_restored(s, &case, &before, &context);
        }
        eprintln!("{name}: restore killed before and after the tool at {step} recovered");
    }
    let at = if s.light_restore() {
        "at its copy steps"
    } else {
        "at every restore step"
    };
    eprintln!("{name}: restored exactly, after a kill -9 {at}; a full target refused");
}

/// Archives the case with a clean run, then restores what `args` ask (one storage, a date
/// range, `--to` another place of its kind) and runs it: the source and the archive stay
/// exactly as the run left them. The caller checks what arrived where it restored to.
pub fn restore_into(s: &dyn Scenario, case: &Case, args: &[&str]) {
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let archived = s.seen(case);
    let script = case.restore("restore", args);
    let restored = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(restored.code, 0, "{}{}", restored.stdout, restored.stderr);
    assert_eq!(
        s.seen(case),
        archived,
        "the source and the archive untouched"
    );
}

/// Archives the case with a clean run and compiles its restore (every lifecycle).
fn archive_for_restore(s: &dyn Scenario, case: &Case) -> PathBuf {
    let archived = case.run(Fault::None, &[]);
    assert_eq!(archived.code, 0, "{}{}", archived.stdout, archived.stderr);
    assert_final(s, case, "before the restore");
    case.restore("restore", &["--all-lifecycles"])
}

/// What a run archives: every original datum from before the cutoff.
pub fn archived_original(s: &dyn Scenario) -> BTreeMap<String, String> {
    s.original()
        .into_iter()
        .filter(|(_, (_, old))| *old)
        .map(|(k, (v, _))| (k, v))
        .collect()
}

fn assert_archive_kept(s: &dyn Scenario, case: &Case, context: &str) {
    let old = archived_original(s);
    assert_eq!(
        s.seen(case).archive,
        old,
        "{context}: the archive keeps what it held"
    );
}

fn assert_restored(s: &dyn Scenario, case: &Case, before: &Seen, context: &str) {
    let after = s.seen(case);
    assert_eq!(after.source, before.source, "{context}: restored exactly");
    assert_eq!(
        after.metadata,
        s.metadata_restored(&before.metadata),
        "{context}: metastore restored"
    );
    assert_archive_kept(s, case, context);
}

/// A datum written into the window between the archive copy and the delete is never
/// deleted unarchived: the run selects the window again, archives it, then deletes.
pub fn late_write(s: &dyn Scenario, name: &str) {
    let case = s.fresh(&format!("{name}-late"));
    let stopped = case.run(Fault::Kill(s.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let (key, value) = s.late_write(&case).expect("the scenario writes late data");
    assert_nothing_lost(s, &case, "after the late write");
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(
        resumed.code, 0,
        "the run after a late write: {}{}",
        resumed.stdout, resumed.stderr
    );
    assert!(
        resumed.stderr.contains("changed since it was selected"),
        "{}",
        resumed.stderr
    );
    let mut seen = s.seen(&case);
    assert_eq!(
        seen.archive.remove(&key),
        Some(value),
        "the late datum was archived"
    );
    assert!(!seen.source.contains_key(&key), "and deleted after that");
    // (A datum rewritten in place is archived in its new version only.)
    let mut old = archived_original(s);
    old.remove(&key);
    assert_eq!(seen.archive, old, "every other archived datum is there too");
    eprintln!("{name}: a late write into the window is archived before it is deleted");
}

/// A run that archived twice (a late write made it select the window again) is restored
/// from its final attempt: every datum the run deleted comes back, the late one too.
pub fn late_write_restored(s: &dyn Scenario, name: &str) {
    let case = s.fresh(&format!("{name}-late-restore"));
    let mut want = s.seen(&case).source;
    let stopped = case.run(Fault::Kill(s.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let (key, value) = s.late_write(&case).expect("the scenario writes late data");
    finishes_saying(&case, "changed since it was selected");
    let restored = restored_source(s, &case, &["--all-lifecycles"]);
    want.insert(key, value);
    assert_eq!(
        restored, want,
        "every datum the run deleted is back, the late one too"
    );
    eprintln!("{name}: a run that archived twice is restored from its final attempt");
}

/// The archive copy cannot be flushed to disk in `step` (`sync` fails there): nothing is
/// deleted (a host crash after the delete would lose a copy still in the page cache), and
/// the next run finishes.
pub fn unflushed(s: &dyn Scenario, name: &str, step: &str) {
    failing_tool(s, &format!("{name}-unflushed"), step, "sync");
    eprintln!("{name}: an archive that cannot be flushed at {step} deletes nothing");
}

/// A run that must stop before it deletes anything, saying `why`.
pub fn refused(s: &dyn Scenario, case: &Case, why: &str) {
    let before = s.seen(case).source;
    let run = case.run(Fault::None, &[]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains(why), "{}", run.stderr);
    assert_eq!(s.seen(case).source, before, "nothing deleted");
}

/// A run that must finish, saying `what` on its standard error.
pub fn finishes_saying(case: &Case, what: &str) {
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(what), "{}", run.stderr);
}

/// A row updated in place (`update`) between the export and the delete keeps the
/// window's row count: the delete finds other rows than the archive's, the window is
/// exported again, and a restore brings row 001 back as `want`.
pub fn updated_after_the_export(s: &dyn Scenario, tag: &str, update: &dyn Fn(&Case), want: &str) {
    let case = s.fresh(tag);
    let stopped = case.run(Fault::Kill(s.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    update(&case);
    finishes_saying(&case, "changed since the export");
    assert!(!s.seen(&case).source.contains_key("001"), "{tag}: deleted");
    let restored = restored_source(s, &case, &["--all-lifecycles"]);
    assert_eq!(
        restored.get("001").map(String::as_str),
        Some(want),
        "{tag}: archived as updated"
    );
}

/// `tool` fails in `step`: the run fails with nothing deleted, and the next run finishes.
pub fn failing_tool(s: &dyn Scenario, name: &str, step: &str, tool: &str) {
    let case = s.fresh(name);
    let before = s.seen(&case).source;
    let stopped = case.run(Fault::FailTool(step, tool), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    assert!(
        stopped.stderr.contains(&format!("fake: {tool} fails")) && stopped.stderr.contains(step),
        "{}",
        stopped.stderr
    );
    assert_eq!(s.seen(&case).source, before, "nothing deleted");
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(resumed.code, 0, "{}{}", resumed.stdout, resumed.stderr);
    let seen = s.seen(&case);
    assert_eq!(seen.archive, archived_original(s), "the archive");
    assert!(
        archived_original(s)
            .keys()
            .all(|k| !seen.source.contains_key(k)),
        "the next run deleted the window"
    );
}

/// A run killed right after its delete returned (the delete happened, the journal line
/// did not), then a datum written into the window: the re-run must not archive it as a
/// new attempt (whose dump would hold the late datum only) nor delete it; it finishes,
/// leaving the late datum to the next run, and (with `merge`) a restore of this run into
/// the source brings back every datum the run deleted.
pub fn late_write_after_the_delete(s: &dyn Scenario, name: &str, merge: bool) {
    let case = s.fresh(&format!("{name}-late-after"));
    let mut want = s.seen(&case).source;
    let stopped = case.run(Fault::KillAfter(s.gated_step(), s.deleting_call()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    assert!(
        !case.journal().iter().any(|id| id == s.gated_step()),
        "killed before the journal line"
    );
    let deleted = s.seen(&case);
    assert!(
        archived_original(s)
            .keys()
            .all(|k| !deleted.source.contains_key(k)),
        "the killed delete had deleted the window"
    );
    let (key, value) = s.late_write(&case).expect("the scenario writes late data");
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(
        resumed.code, 0,
        "the re-run: {}{}",
        resumed.stdout, resumed.stderr
    );
    let seen = s.seen(&case);
    assert_eq!(
        seen.source.get(&key),
        Some(&value),
        "the late datum is left for the next run: {}",
        resumed.stdout
    );
    assert_eq!(seen.archive, archived_original(s), "the archive as before");
    if !merge {
        return;
    }
    let restored = restored_source(s, &case, &["--all-lifecycles", "--merge"]);
    want.insert(key, value);
    assert_eq!(
        restored, want,
        "every datum the run deleted is back, beside the late one"
    );
    eprintln!("{name}: a delete killed after it committed is not redone after a late write");
}

/// As `late_write_after_the_delete`, with as many late data as the run archived (written
/// by `write`, keys 900 and up): the re-run's count alone would take them for the archived
/// ones and delete them. They must all be left for the next run.
pub fn late_writes_as_many_as_archived(s: &dyn Scenario, name: &str, write: &dyn Fn(&Case, usize)) {
    let case = s.fresh(&format!("{name}-late-equal"));
    let stopped = case.run(Fault::KillAfter(s.gated_step(), s.deleting_call()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let n = archived_original(s).len();
    write(&case, n);
    let late = |case: &Case| {
        s.seen(case)
            .source
            .keys()
            .filter(|k| k.parse::<u32>().is_ok_and(|id| id >= 900))
            .count()
    };
    assert_eq!(late(&case), n, "{n} late data written");
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(resumed.code, 0, "{}{}", resumed.stdout, resumed.stderr);
    assert_eq!(late(&case), n, "no late datum deleted: {}", resumed.stdout);
    assert_eq!(
        s.seen(&case).archive,
        archived_original(s),
        "the archive as before"
    );
    eprintln!("{name}: {n} late data after a committed delete are left for the next run");
}

/// A run killed right after its delete returned, then run again with its state directory
/// lost (a new one): the re-run selects the window again (nothing left, or late data) and
/// exports it as another attempt, but deletes nothing more, and a restore brings back
/// every datum the run deleted, from the dump the delete recorded, not the later one.
pub fn state_lost_after_the_delete(s: &dyn Scenario, name: &str) {
    let case = s.fresh(&format!("{name}-state-lost"));
    let want = s.seen(&case).source;
    let stopped = case.run(Fault::KillAfter(s.gated_step(), s.deleting_call()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let again = case.run_script(&case.script, "state-new", Fault::None, &[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_final(s, &case, "a re-run with a new state directory");
    let restored = restored_source(s, &case, &["--all-lifecycles"]);
    assert_eq!(restored, want, "every datum is back");
    eprintln!("{name}: a lost state directory after the delete does not hide its dump");
}

/// Compiles a restore of the case's run file with `args`, runs it to the end, and returns
/// what the source then holds.
pub fn restored_source(s: &dyn Scenario, case: &Case, args: &[&str]) -> BTreeMap<String, String> {
    let script = case.restore("restore", args);
    let restored = case.run_script(&script, "restore-state", Fault::None, &[]);
    assert_eq!(restored.code, 0, "{}{}", restored.stdout, restored.stderr);
    s.seen(case).source
}

/// Every file in `dir` whose name starts with `prefix`, in name order (a run's dumps,
/// or its archive tables, one per attempt).
pub fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The archived data: keys without the `run=<id>/` segment that copies by creation date
/// go under (so that they compare with the source's keys), and without the run's
/// manifest (`_archc/`; `verify` after a clean run proves it is there).
pub fn without_run(files: BTreeMap<String, String>) -> BTreeMap<String, String> {
    files
        .into_iter()
        .filter(|(k, _)| !k.contains("_archc/"))
        .map(|(k, v)| {
            let k = match k.find("run=2026") {
                Some(i) if k[i..].len() > 15 && k.as_bytes()[i + 14] == b'/' => {
                    format!("{}{}", &k[..i], &k[i + 15..])
                }
                _ => k,
            };
            (k, v)
        })
        .collect()
}

/// Files under a local directory as key -> text.
pub fn local_files(dir: &Path) -> BTreeMap<String, String> {
    if dir.exists() {
        crate::support::tree(dir)
    } else {
        BTreeMap::new()
    }
}

/// A bucket name unique to this test process and tag.
pub fn bucket(tag: &str) -> String {
    format!(
        "e2e-{}-{}",
        tag.to_lowercase().replace('_', "-"),
        std::process::id()
    )
}
