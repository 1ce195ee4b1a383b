//! `archc check`: every finding at once.

use super::{findings, Format, Outcome};
use crate::diagnostics::resolve;
use crate::input::Inputs;
use crate::validate;

pub fn check(inputs: &Inputs, format: Format) -> Outcome {
    let checked = match validate::check(inputs) {
        Ok(c) => c,
        Err(e) => return e.into(),
    };
    let mut out = Outcome {
        code: u8::from(checked.has_errors()),
        ..Default::default()
    };
    let text = findings(&checked, format);
    let count = checked.tables.len();
    let summary = format!(
        "checked {count} table{}: {}\n",
        if count == 1 { "" } else { "s" },
        resolve::summary(&checked.diagnostics)
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
