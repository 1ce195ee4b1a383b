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
use crate::plan::replan;

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

pub(super) fn read(path: &Path) -> Result<RunFile> {
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
        replan::check(run, &renderer)?;
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
