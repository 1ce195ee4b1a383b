//! `archc plan --format json`: the report as one versioned document (see README).

use super::Report;

pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the plan report serialises");
    text.push('\n');
    text
}
