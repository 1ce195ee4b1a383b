//! The commands, as functions from a config to an outcome (text and exit code).

use std::path::PathBuf;

use rayon::prelude::*;

use crate::check::{self, Checked};
use crate::config::{BuildOptions, Format, Inputs};
use crate::emit::{self, Output};
use crate::invariants;
use crate::plan::{self, PlanInput};
use crate::render::Renderer;
use crate::report;
use crate::runfile::RunFile;
use crate::script;

#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Outcome {
    fn usage(message: impl Into<String>) -> Self {
        Outcome {
            stderr: format!("error: {}\n", message.into()),
            code: 2,
            ..Default::default()
        }
    }
}

fn findings(checked: &Checked, format: Format) -> String {
    let resolved = report::resolve(&checked.loaded.files, &checked.diagnostics);
    match format {
        Format::Human => report::human(&resolved),
        Format::Json => report::json(&resolved),
        Format::Github => report::github(&resolved),
    }
}

pub fn check(inputs: &Inputs, format: Format) -> Outcome {
    let checked = match check::check(inputs) {
        Ok(c) => c,
        Err(e) => return Outcome::usage(e.0),
    };
    let mut out = Outcome {
        code: u8::from(checked.has_errors()),
        ..Default::default()
    };
    let text = findings(&checked, format);
    let summary = format!(
        "checked {} table{}: {}\n",
        checked.tables.len(),
        if checked.tables.len() == 1 { "" } else { "s" },
        report::summary(&checked.diagnostics)
    );
    match format {
        Format::Human => {
            out.stderr = text;
            out.stderr.push_str(&summary);
        }
        _ => {
            out.stdout = text;
            out.stderr = summary;
        }
    }
    out
}

fn renderer(checked: &Checked) -> Result<Renderer, String> {
    let overrides = checked.loaded.root.as_ref().map(|r| r.join("templates"));
    Renderer::new(overrides.as_deref()).map_err(|e| e.0)
}

/// Plans one table and checks the plan's ordering invariants.
fn plan_one(
    checked: &Checked,
    table: &crate::model::Table,
    as_of: chrono::DateTime<chrono::Utc>,
    renderer: &Renderer,
) -> Result<RunFile, String> {
    let file = &checked.loaded.files[table.file];
    let input = PlanInput {
        project: &checked.loaded.project,
        table,
        source_name: &file.name,
        source_text: &file.text,
        as_of,
    };
    let run = plan::plan_table(&input, renderer).map_err(|e| e.to_string())?;
    let broken = invariants::check(&run);
    if broken.is_empty() {
        Ok(run)
    } else {
        Err(format!(
            "internal error: the plan for `{}` breaks ordering invariants:\n  {}",
            table.name,
            broken.join("\n  ")
        ))
    }
}

/// Plans every table (in parallel).
pub fn plan_all(
    checked: &Checked,
    as_of: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<RunFile>, String> {
    let renderer = renderer(checked)?;
    let mut runs: Vec<RunFile> = checked
        .tables
        .par_iter()
        .map(|table| plan_one(checked, table, as_of, &renderer))
        .collect::<Result<_, String>>()?;
    runs.sort_by(|a, b| a.table_name.cmp(&b.table_name));
    Ok(runs)
}

pub fn build(inputs: &Inputs, options: &BuildOptions) -> Outcome {
    let checked = match check::check(inputs) {
        Ok(c) => c,
        Err(e) => return Outcome::usage(e.0),
    };
    let mut stderr = findings(&checked, Format::Human);
    if checked.has_errors() {
        stderr.push_str(&format!(
            "{}; nothing written\n",
            report::summary(&checked.diagnostics)
        ));
        return Outcome {
            stderr,
            code: 1,
            ..Default::default()
        };
    }
    let renderer = match renderer(&checked) {
        Ok(r) => r,
        Err(e) => return Outcome::usage(e),
    };
    let run_dir = &checked.loaded.project.run_file_dir;
    let sink = match emit::Sink::new(&options.out, run_dir) {
        Ok(s) => s,
        Err(e) => return Outcome::usage(e.0),
    };
    // Each table is planned, checked, rendered and written on its own (in parallel), so
    // memory stays bounded by the tables in flight.
    let built: Result<Vec<Built>, String> = checked
        .tables
        .par_iter()
        .map(|table| build_table(&checked, table, options, &renderer, &sink))
        .collect();
    let fleet = |built: &[Built]| -> Result<(), String> {
        if options.dry_run {
            return Ok(());
        }
        let entries: Vec<script::FleetEntry> = built.iter().map(|b| b.entry.clone()).collect();
        let output = script::fleet(&entries, run_dir, &renderer)?;
        sink.write(&[output]).map_err(|e| e.0)
    };
    let built = built.and_then(|mut built| {
        built.sort_by(|a, b| a.entry.table_name.cmp(&b.entry.table_name));
        fleet(&built).map(|_| built)
    });
    let finished = sink.finish(built.is_ok()).map_err(|e| e.0);
    let built = match built.and_then(|b| finished.map(|_| b)) {
        Ok(b) => b,
        Err(e) => return Outcome::usage(e),
    };
    let stdout = built.iter().map(|b| b.line.as_str()).collect();
    stderr.extend(built.iter().filter_map(|b| b.note.clone()));
    Outcome {
        stdout,
        stderr,
        code: 0,
    }
}

struct Built {
    entry: script::FleetEntry,
    line: String,
    note: Option<String>,
}

fn build_table(
    checked: &Checked,
    table: &crate::model::Table,
    options: &BuildOptions,
    renderer: &Renderer,
    sink: &emit::Sink,
) -> Result<Built, String> {
    let run = plan_one(checked, table, options.as_of, renderer)?;
    let run_dir = &checked.loaded.project.run_file_dir;
    let run_path: PathBuf = options.out.join(run_dir);
    let reused = (!options.force_run)
        .then(|| emit::recent_run_file(&run_path, &run.system, &run.table_name, options.as_of))
        .flatten();
    let mut outputs = Vec::new();
    let mut note = None;
    let (run, verb) = match reused {
        Some(old) => {
            if old.source_sha256 != run.source_sha256 {
                note = Some(format!(
                    "note: {} was planned from a different config; --force-run plans again\n",
                    old.file_name()
                ));
            }
            (old, "reused")
        }
        None => {
            outputs.push(Output {
                path: format!("{run_dir}/{}", run.file_name()),
                text: run.to_json(),
                executable: false,
            });
            (run, "wrote")
        }
    };
    if !options.dry_run {
        outputs.extend(script::table_outputs(&run, run_dir, renderer)?);
    }
    sink.write(&outputs).map_err(|e| e.0)?;
    Ok(Built {
        entry: script::FleetEntry::of(&run),
        line: format!("{verb} {run_dir}/{}\n", run.file_name()),
        note,
    })
}

/// A readable summary of what a build would archive.
pub fn plan(inputs: &Inputs, as_of: chrono::DateTime<chrono::Utc>) -> Outcome {
    let checked = match check::check(inputs) {
        Ok(c) => c,
        Err(e) => return Outcome::usage(e.0),
    };
    if checked.has_errors() {
        let mut stderr = findings(&checked, Format::Human);
        stderr.push_str(&format!("{}\n", report::summary(&checked.diagnostics)));
        return Outcome {
            stderr,
            code: 1,
            ..Default::default()
        };
    }
    let runs = match plan_all(&checked, as_of) {
        Ok(runs) => runs,
        Err(e) => return Outcome::usage(e),
    };
    let mut stdout = crate::summary::render(&runs);
    if let (Some(old), Some(dir)) = (&checked.baseline, &inputs.baseline) {
        let old = if old.has_errors() {
            Err(format!(
                "the baseline {} does not pass check",
                dir.display()
            ))
        } else {
            plan_all(old, as_of)
        };
        match old {
            Ok(old) => stdout.push_str(&crate::summary::diff(&old, &runs)),
            Err(e) => return Outcome::usage(e),
        }
    }
    Outcome {
        stdout,
        stderr: findings(&checked, Format::Human),
        code: 0,
    }
}

/// Scripts from reviewed run files; refuses any run file that fails validation.
pub fn render(
    run_files: &[std::path::PathBuf],
    out: &std::path::Path,
    templates: Option<&std::path::Path>,
) -> Outcome {
    let mut runs = Vec::new();
    for path in run_files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return Outcome::usage(format!("{}: {e}", path.display())),
        };
        match serde_json::from_str::<RunFile>(&text) {
            Ok(run) => runs.push(run),
            Err(e) => {
                return Outcome {
                    stderr: format!("error: {}: not a run file: {e}\n", path.display()),
                    code: 1,
                    ..Default::default()
                }
            }
        }
    }
    runs.sort_by(|a, b| a.table_name.cmp(&b.table_name));
    if let Some(dup) = runs.windows(2).find(|w| w[0].table_name == w[1].table_name) {
        return Outcome::usage(format!("two run files for table `{}`", dup[0].table_name));
    }
    let renderer = match Renderer::new(templates) {
        Ok(r) => r,
        Err(e) => return Outcome::usage(e.0),
    };
    let outputs = match script::outputs(&runs, ".", &renderer) {
        Ok(o) => o,
        Err(e) => {
            return Outcome {
                stderr: format!("error: {e}\n"),
                code: 1,
                ..Default::default()
            }
        }
    };
    let outputs: Vec<Output> = outputs
        .into_iter()
        .map(|o| Output {
            path: o.path.trim_start_matches("./").to_string(),
            ..o
        })
        .collect();
    if let Err(e) = emit::write_all(out, &outputs) {
        return Outcome::usage(e.0);
    }
    let stdout = outputs
        .iter()
        .filter(|o| o.path.ends_with(".sh"))
        .map(|o| format!("wrote {}\n", o.path))
        .collect();
    Outcome {
        stdout,
        ..Default::default()
    }
}
