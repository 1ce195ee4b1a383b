//! `archc explain [CODE]`: the long explanation of a diagnostic code, or the list of codes.

use super::Outcome;
use crate::diagnostics::{explain, Code};
use crate::error::Error;

pub fn explain(code: Option<&str>) -> Outcome {
    let stdout = match code {
        None => Code::ALL
            .iter()
            .map(|c| format!("{} {:<20} {}\n", c.id(), c.name(), explain::summary(*c)))
            .collect(),
        // Also as printed in reports: `archc::A041/date-overlap`.
        Some(text) => match Code::parse(
            text.trim_start_matches("archc::")
                .split('/')
                .next()
                .unwrap_or(""),
        ) {
            Some(code) => explain::explain(code),
            None => {
                return Error::usage(format!(
                    "no diagnostic code `{text}`; `archc explain` lists them"
                ))
                .into()
            }
        },
    };
    Outcome {
        stdout,
        ..Default::default()
    }
}
