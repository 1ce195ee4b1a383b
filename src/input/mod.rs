//! The input stage: which files to read, read once each, and the project settings.

pub mod files;
pub mod json;
pub mod project;
pub mod source;

use std::path::PathBuf;

pub use files::{load, Loaded, MAX_FILE_BYTES, PROJECT_FILE};
pub use project::Project;
pub use source::SourceFile;

/// What every command reads.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    pub system: Option<String>,
    /// The same config as it stands on the target branch, for the history rule.
    pub baseline: Option<PathBuf>,
}
