//! The commands, one file each, as functions from a request to an outcome (text and exit
//! code). Nothing here knows about clap.

mod build;
mod check;
mod explain;
mod plan;
mod render;
mod restore;
mod schema;
mod status;
mod verify;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub use build::build;
pub use check::check;
pub use explain::explain;
pub use plan::{plan, plan_all};
pub use render::render;
pub use restore::{restore, RestoreSource};
pub use schema::{schema, write_schemas};
pub use status::status;
pub use verify::verify;

use crate::diagnostics::{github, human, json, resolve, sarif};
use crate::error::Error;
use crate::validate::Checked;

/// How `plan` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Text,
    Markdown,
    Json,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub out: PathBuf,
    pub as_of: DateTime<Utc>,
    pub dry_run: bool,
    pub force_run: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl From<Error> for Outcome {
    fn from(error: Error) -> Self {
        Outcome {
            stderr: format!("error: {error}\n"),
            code: error.exit_code(),
            ..Default::default()
        }
    }
}

/// Findings in the chosen format, sorted by file and position.
fn findings(checked: &Checked, format: Format) -> String {
    let resolved = resolve::resolve(&checked.loaded.files, &checked.diagnostics);
    match format {
        Format::Human => human::human(&resolved),
        Format::Json => json::json(&resolved),
        Format::Github => github::github(&resolved),
        Format::Sarif => sarif::sarif(&resolved),
    }
}

/// Exit 1 with every finding, when check found errors.
fn refuse(checked: &Checked, tail: &str) -> Outcome {
    let mut stderr = findings(checked, Format::Human);
    stderr.push_str(&format!(
        "{}{tail}\n",
        resolve::summary(&checked.diagnostics)
    ));
    Outcome {
        stderr,
        code: 1,
        ..Default::default()
    }
}
