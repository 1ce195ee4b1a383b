//! `archc restore`: from a verified archival run file, a restore run file and its script.
//! The script copies archived data back (where it came from, or `--to` a place of the
//! same kind), refuses a target that already holds data in the range unless `--merge`,
//! checks what arrived, and adds metastore partitions back last. It never deletes.

use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, TimeZone, Utc};

use super::plan::{plan_one, renderer};
use super::render::read;
use super::{refuse, Outcome};
use crate::error::{Error, Result};
use crate::input::Inputs;
use crate::output::emit::{Output, Sink};
use crate::output::overrides::Overrides;
use crate::output::runfile::RunFile;
use crate::output::script;
use crate::output::templates::Renderer;
use crate::plan::restore::{self, Request};
use crate::validate::{self, Checked};

/// Where the archival run comes from.
pub enum RestoreSource {
    /// The run file `archc build` wrote (verified like `render` verifies it).
    RunFile(PathBuf),
    /// The run planned again from a config, at the hour its run id names.
    Config {
        inputs: Inputs,
        table: String,
        run_id: String,
    },
}

pub fn restore(
    source: &RestoreSource,
    request: &Request,
    out: &Path,
    templates: Option<&Path>,
) -> Outcome {
    let mut note = String::new();
    let archived = match source {
        RestoreSource::RunFile(path) => read(path).and_then(|run| {
            let overrides = templates
                .map(Overrides::load)
                .transpose()?
                .unwrap_or_default();
            Ok((run, Renderer::new(&overrides)?))
        }),
        RestoreSource::Config {
            inputs,
            table,
            run_id,
        } => {
            let checked = match validate::check(inputs) {
                Ok(c) => c,
                Err(e) => return e.into(),
            };
            if checked.has_errors() {
                return refuse(&checked, "; nothing written");
            }
            note = format!(
                "note: run {run_id} of {table} planned again from the config as it is now; \
                 if the table's config changed since, restore from its run file\n"
            );
            replanned(&checked, inputs, table, run_id)
        }
    };
    let written = archived.and_then(|(run, renderer)| {
        let outputs = outputs(&run, request, &renderer)?;
        write(out, &outputs)?;
        Ok(outputs)
    });
    match written {
        Ok(outputs) => Outcome {
            stdout: outputs
                .iter()
                .filter(|o| !o.path.contains(".sql/"))
                .map(|o| format!("wrote {}\n", o.path))
                .collect(),
            stderr: note,
            ..Default::default()
        },
        Err(e) => e.into(),
    }
}

/// The run `run_id` of `table`, planned from the checked config at the hour it names.
fn replanned(
    checked: &Checked,
    inputs: &Inputs,
    table: &str,
    run_id: &str,
) -> Result<(RunFile, Renderer)> {
    let as_of = NaiveDateTime::parse_from_str(&format!("{run_id}0000"), "%Y%m%d%H%M%S")
        .ok()
        .filter(|_| run_id.len() == 10)
        .map(|t| Utc.from_utc_datetime(&t))
        .ok_or_else(|| {
            Error::usage(format!(
                "--run-id `{run_id}` is not a run id (YYYYMMDDHH, as in run file names)"
            ))
        })?;
    let Some(found) = checked.tables.iter().find(|t| t.name == table) else {
        return Err(Error::usage(format!("no table `{table}` in the config")));
    };
    let renderer = renderer(inputs)?;
    let run = plan_one(checked, found, as_of, &renderer)?;
    Ok((run, renderer))
}

fn outputs(run: &RunFile, request: &Request, renderer: &Renderer) -> Result<Vec<Output>> {
    if &run.template_overrides != renderer.override_digests() {
        return Err(Error::run_file(
            "it was planned with other template overrides than --templates gives now",
        )
        .at(run.file_name()));
    }
    let request = Request {
        from_run_file: run.file_name(),
        ..request.clone()
    };
    let planned = restore::plan(run, &request, renderer)?;
    let mut out = vec![Output {
        path: planned.file_name(),
        text: planned.to_json(),
        executable: false,
    }];
    out.extend(
        script::table_outputs(&planned, ".", renderer)?
            .into_iter()
            .map(|o| Output {
                path: o.path.trim_start_matches("./").to_string(),
                ..o
            }),
    );
    Ok(out)
}

fn write(dir: &Path, outputs: &[Output]) -> Result<()> {
    let sink = Sink::whole(dir)?;
    let written = sink.write(outputs);
    sink.finish(written.is_ok())?;
    written
}
