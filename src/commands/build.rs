//! `archc build`: run files and scripts for every table, all or nothing.

use std::path::PathBuf;

use rayon::prelude::*;

use super::plan::{plan_one, renderer};
use super::{findings, refuse, BuildOptions, Format, Outcome};
use crate::error::Result;
use crate::input::Inputs;
use crate::model::Table;
use crate::output::emit::{self, Output, Sink};
use crate::output::script::{self, FleetEntry};
use crate::output::templates::Renderer;
use crate::validate::{self, Checked};

pub fn build(inputs: &Inputs, options: &BuildOptions) -> Outcome {
    let checked = match validate::check(inputs) {
        Ok(c) => c,
        Err(e) => return e.into(),
    };
    if checked.has_errors() {
        return refuse(&checked, "; nothing written");
    }
    let mut stderr = findings(&checked, Format::Human);
    match build_all(&checked, options) {
        Ok(built) => {
            stderr.extend(built.iter().filter_map(|b| b.note.clone()));
            Outcome {
                stdout: built.iter().map(|b| b.line.as_str()).collect(),
                stderr,
                code: 0,
            }
        }
        Err(e) => e.into(),
    }
}

struct Built {
    entry: FleetEntry,
    line: String,
    note: Option<String>,
}

/// Each table is planned, checked, rendered and written on its own (in parallel), so
/// memory stays bounded by the tables in flight; the sink makes the whole build atomic.
fn build_all(checked: &Checked, options: &BuildOptions) -> Result<Vec<Built>> {
    let renderer = renderer(checked)?;
    let run_dir = &checked.loaded.project.run_file_dir;
    let sink = Sink::new(&options.out, run_dir)?;
    let built = checked
        .tables
        .par_iter()
        .map(|table| build_table(checked, table, options, &renderer, &sink))
        .collect::<Result<Vec<Built>>>()
        .and_then(|mut built| {
            built.sort_by(|a, b| a.entry.table_name.cmp(&b.entry.table_name));
            if !options.dry_run {
                let entries: Vec<FleetEntry> = built.iter().map(|b| b.entry.clone()).collect();
                sink.write(&[script::fleet(&entries, run_dir, &renderer)?])?;
            }
            Ok(built)
        });
    sink.finish(built.is_ok())?;
    built
}

fn build_table(
    checked: &Checked,
    table: &Table,
    options: &BuildOptions,
    renderer: &Renderer,
    sink: &Sink,
) -> Result<Built> {
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
    sink.write(&outputs)?;
    Ok(Built {
        entry: FleetEntry::of(&run),
        line: format!("{verb} {run_dir}/{}\n", run.file_name()),
        note,
    })
}
