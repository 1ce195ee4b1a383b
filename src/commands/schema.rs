//! `archc schema [NAME]`: the embedded JSON Schemas.

use super::Outcome;
use crate::error::Error;
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
