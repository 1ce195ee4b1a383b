//! `archc schema [NAME]`: the embedded JSON Schemas; `--write DIR` writes them all.

use std::path::Path;

use super::Outcome;
use crate::error::{Error, Result};
use crate::output::emit::{Output, Sink};
use crate::validate::schema;

pub fn schema(name: Option<&str>) -> Outcome {
    match name {
        None => Outcome {
            stdout: schema::FILES
                .iter()
                .map(|(f, _)| format!("{}\n", f.trim_end_matches(".schema.json")))
                .collect(),
            ..Default::default()
        },
        Some(name) => match schema::text(name) {
            Some(text) => Outcome {
                stdout: text.to_string(),
                ..Default::default()
            },
            None => Error::usage(format!("no schema `{name}`; `archc schema` lists them")).into(),
        },
    }
}

/// Every schema as a file under `dir`, at its path under `schemas/` (so that relative
/// `$ref`s between them resolve), written atomically.
pub fn write_schemas(dir: &Path) -> Outcome {
    match write_all(dir) {
        Ok(written) => Outcome {
            stdout: written
                .iter()
                .map(|p| format!("wrote {}\n", dir.join(p).display()))
                .collect(),
            ..Default::default()
        },
        Err(e) => e.into(),
    }
}

fn write_all(dir: &Path) -> Result<Vec<String>> {
    let outputs: Vec<Output> = schema::FILES
        .iter()
        .map(|(file, text)| Output {
            path: file.to_string(),
            text: text.to_string(),
            executable: false,
        })
        .collect();
    let sink = Sink::whole(dir)?;
    let written = sink.write(&outputs);
    sink.finish(written.is_ok())?;
    written?;
    Ok(outputs.into_iter().map(|o| o.path).collect())
}
