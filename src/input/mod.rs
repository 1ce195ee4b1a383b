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
    /// The operator's template overrides (trusted code; never read from the config).
    pub templates: Option<PathBuf>,
    pub limits: Limits,
}

/// Bounds on what one check reads, so that a hostile config cannot make CI slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_tables: usize,
    pub max_storages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tables: 100_000,
            max_storages: 10_000,
        }
    }
}
