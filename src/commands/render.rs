//! `archc render`: scripts from reviewed run files; refuses any run file that fails
//! validation.

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::error::{Error, Result};
use crate::output::emit::{Output, Sink};
use crate::output::overrides::Overrides;
use crate::output::runfile::RunFile;
use crate::output::script;
use crate::output::templates::Renderer;
use crate::plan::replan::replan;

pub fn render(run_files: &[PathBuf], out: &Path, templates: Option<&Path>) -> Outcome {
    match render_all(run_files, out, templates) {
        Ok(outputs) => Outcome {
            stdout: outputs
                .iter()
                .filter(|o| o.path.ends_with(".sh"))
                .map(|o| format!("wrote {}\n", o.path))
                .collect(),
            ..Default::default()
        },
        Err(e) => e.into(),
    }
}

fn read(path: &Path) -> Result<RunFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::run_file(format!("not a run file: {e}")).at(path.display().to_string()))
}

fn render_all(run_files: &[PathBuf], out: &Path, templates: Option<&Path>) -> Result<Vec<Output>> {
    let mut runs = run_files
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>>>()?;
    runs.sort_by(|a, b| a.table_name.cmp(&b.table_name));
    if let Some(dup) = runs.windows(2).find(|w| w[0].table_name == w[1].table_name) {
        return Err(Error::usage(format!(
            "two run files for table `{}`",
            dup[0].table_name
        )));
    }
    let overrides = match templates {
        Some(dir) => Overrides::load(dir)?,
        None => Overrides::default(),
    };
    let renderer = Renderer::new(&overrides)?;
    if let Some(run) = runs
        .iter()
        .find(|r| &r.template_overrides != renderer.override_digests())
    {
        return Err(Error::run_file(
            "it was planned with other template overrides than --templates gives now \
             (overrides are trusted code: render with exactly the reviewed ones)",
        )
        .at(run.file_name()));
    }
    for run in &runs {
        verify(run, &renderer)?;
    }
    let outputs: Vec<Output> = script::outputs(&runs, ".", &renderer)?
        .into_iter()
        .map(|o| Output {
            path: o.path.trim_start_matches("./").to_string(),
            ..o
        })
        .collect();
    let sink = Sink::whole(out)?;
    let written = sink.write(&outputs);
    sink.finish(written.is_ok())?;
    written?;
    Ok(outputs)
}

/// A run file is rendered only if this archc plans exactly it from its own fields.
fn verify(run: &RunFile, renderer: &Renderer) -> Result<()> {
    let again = replan(run, renderer)?;
    if &again == run {
        return Ok(());
    }
    let (a, b) = (
        serde_json::to_value(&again).map_err(|e| Error::internal(e.to_string()))?,
        serde_json::to_value(run).map_err(|e| Error::internal(e.to_string()))?,
    );
    Err(Error::run_file(format!(
        "{} differs from what its own fields plan (edited after archc wrote it?); refused",
        first_difference(&a, &b, String::new())
    ))
    .at(run.file_name()))
}

/// The JSON pointer of the first place two values differ.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: String) -> String {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return first_difference(v, w, format!("{at}/{k}")),
                    None => return format!("{at}/{k}"),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map_or(at.clone(), |k| format!("{at}/{k}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map_or(at.clone(), |(i, (v, w))| {
                first_difference(v, w, format!("{at}/{i}"))
            }),
        _ => at,
    }
}
