//! `archc status`: what the runs under a state directory did, from their journals alone
//! (no system is touched). Each run directory holds `steps` (every step id, in order),
//! `journal` (`done <id>` lines) and `status` (`running <id>`, `failed <id> <rc>`, `done`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Outcome;
use crate::error::{Error, Result};
use crate::output::runfile::RunFile;
use crate::output::script::run_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Done,
    /// A step is running, or the run was interrupted there (a later run finishes it).
    InProgress,
    Failed,
    NeverStarted,
}

#[derive(Debug, Serialize)]
pub struct RunStatus {
    pub table: String,
    pub run: String,
    pub state: State,
    /// The step running, or that failed.
    pub step: Option<String>,
    pub done: usize,
    pub steps: usize,
}

pub fn status(state_dir: &Path, run_files: &[PathBuf], json: bool) -> Outcome {
    match collect(state_dir, run_files) {
        Ok(runs) => {
            let code = u8::from(runs.iter().any(|r| r.state != State::Done));
            let stdout = if json {
                let mut text =
                    serde_json::to_string_pretty(&serde_json::json!({"version": 1, "runs": runs}))
                        .expect("status serialises");
                text.push('\n');
                text
            } else {
                text(&runs)
            };
            Outcome {
                stdout,
                code,
                ..Default::default()
            }
        }
        Err(e) => e.into(),
    }
}

fn collect(state_dir: &Path, run_files: &[PathBuf]) -> Result<Vec<RunStatus>> {
    let mut runs = Vec::new();
    for table in sorted_dirs(state_dir)? {
        let name = file_name(&table);
        if name == "logs" {
            continue;
        }
        for run in sorted_dirs(&table)? {
            if let Some(status) = read_run(&name, &run) {
                runs.push(status);
            }
        }
    }
    let known: BTreeSet<(String, String)> = runs
        .iter()
        .map(|r| (r.table.clone(), r.run.clone()))
        .collect();
    for path in run_files {
        let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let run: RunFile = serde_json::from_str(&text).map_err(|e| {
            Error::run_file(format!("not a run file: {e}")).at(path.display().to_string())
        })?;
        let key = run_key(&run);
        if !known.contains(&(run.table_name.clone(), key.clone())) {
            runs.push(RunStatus {
                table: run.table_name.clone(),
                run: key,
                state: State::NeverStarted,
                step: None,
                done: 0,
                steps: run.commands().count(),
            });
        }
    }
    runs.sort_by(|a, b| (&a.table, &a.run).cmp(&(&b.table, &b.run)));
    Ok(runs)
}

fn read_run(table: &str, dir: &Path) -> Option<RunStatus> {
    let steps: Vec<String> = fs::read_to_string(dir.join("steps"))
        .ok()?
        .lines()
        .map(str::to_string)
        .collect();
    let done: BTreeSet<String> = fs::read_to_string(dir.join("journal"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("done ").map(str::to_string))
        .collect();
    let status = fs::read_to_string(dir.join("status")).unwrap_or_default();
    let mut words = status.split_whitespace();
    let (state, step) = match (words.next(), words.next()) {
        (Some("done"), _) => (State::Done, None),
        (Some("failed"), step) => (State::Failed, step.map(str::to_string)),
        (Some("running"), step) => (State::InProgress, step.map(str::to_string)),
        _ if steps.iter().all(|s| done.contains(s)) => (State::Done, None),
        _ => (State::NeverStarted, None),
    };
    Some(RunStatus {
        table: table.to_string(),
        run: file_name(dir),
        state,
        step,
        done: steps.iter().filter(|s| done.contains(*s)).count(),
        steps: steps.len(),
    })
}

fn text(runs: &[RunStatus]) -> String {
    let mut out = String::new();
    for r in runs {
        let what = match (r.state, &r.step) {
            (State::Done, _) => "done".to_string(),
            (State::Failed, Some(step)) => format!("FAILED at {step}"),
            (State::InProgress, Some(step)) => format!("in progress (or interrupted) at {step}"),
            (State::NeverStarted, _) => "never started".to_string(),
            (state, None) => format!("{state:?}"),
        };
        out.push_str(&format!(
            "{}  {}  {}/{} steps  {what}\n",
            r.table, r.run, r.done, r.steps
        ));
    }
    let count = |s: State| runs.iter().filter(|r| r.state == s).count();
    out.push_str(&format!(
        "{} runs: {} done, {} in progress, {} failed, {} never started\n",
        runs.len(),
        count(State::Done),
        count(State::InProgress),
        count(State::Failed),
        count(State::NeverStarted)
    ));
    out
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    out.sort();
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
