//! `archc restore`: from a verified archival run file, a restore run file and its script.
//! The script copies archived data back (where it came from, or `--to` a place of the
//! same kind), refuses a target that already holds data in the range unless `--merge`,
//! checks what arrived, and adds metastore partitions back last. It never deletes.

use std::path::Path;

use super::render::read;
use super::Outcome;
use crate::error::{Error, Result};
use crate::output::emit::{Output, Sink};
use crate::output::overrides::Overrides;
use crate::output::script;
use crate::output::templates::Renderer;
use crate::plan::restore::{self, Request};

pub fn restore(
    run_file: &Path,
    request: &Request,
    out: &Path,
    templates: Option<&Path>,
) -> Outcome {
    match outputs(run_file, request, templates).and_then(|o| write(out, &o).map(|()| o)) {
        Ok(outputs) => Outcome {
            stdout: outputs
                .iter()
                .filter(|o| !o.path.contains(".sql/"))
                .map(|o| format!("wrote {}\n", o.path))
                .collect(),
            ..Default::default()
        },
        Err(e) => e.into(),
    }
}

fn outputs(run_file: &Path, request: &Request, templates: Option<&Path>) -> Result<Vec<Output>> {
    let run = read(run_file)?;
    let overrides = templates
        .map(Overrides::load)
        .transpose()?
        .unwrap_or_default();
    let renderer = Renderer::new(&overrides)?;
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
    let planned = restore::plan(&run, &request, &renderer)?;
    let mut out = vec![Output {
        path: planned.file_name(),
        text: planned.to_json(),
        executable: false,
    }];
    out.extend(
        script::table_outputs(&planned, ".", &renderer)?
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
