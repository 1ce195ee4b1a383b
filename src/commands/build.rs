//! `archc build`: run files and scripts for every table, all or nothing.

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
    match build_all(&checked, inputs, options) {
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
fn build_all(checked: &Checked, inputs: &Inputs, options: &BuildOptions) -> Result<Vec<Built>> {
    let renderer = renderer(inputs)?;
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
    let run_dir = &checked.loaded.project.run_file_dir;
    let plan = |as_of| plan_one(checked, table, as_of, renderer);
    let run = plan(options.as_of)?;
    let recent = (!options.force_run)
        .then(|| {
            emit::recent_run_file(
                &options.out.join(run_dir),
                &run.system,
                &run.table_name,
                options.as_of,
            )
        })
        .flatten();
    let mut note = None;
    let mut reuse = None;
    if let Some((old, text)) = recent {
        // Reused only if this archc plans exactly that file from this config at its time:
        // same config bytes, same hour, same archc, and not edited since it was written.
        match old.as_of_time().map(plan).transpose()? {
            Some(again) if again.to_json() == text => reuse = Some(old),
            _ => {
                note = Some(format!(
                    "note: {run_dir}/{} is not what this config plans for its hour (the config, \
                     archc or the file changed); planned again\n",
                    old.file_name()
                ))
            }
        }
    }
    let mut outputs = Vec::new();
    let (run, verb) = match reuse {
        Some(old) => (old, "reused"),
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
