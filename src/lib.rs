//! archc: a validating compiler from table archival configs to run files and scripts.
//!
//! Pipeline, one folder per stage: [`input`] (find and read files) -> [`validate`]
//! (schemas, normalisation into [`model`], rules) -> [`plan`] (one run file per table,
//! one driver per storage family) -> [`output`] (render scripts, write atomically);
//! [`report`] says what a plan (and a change against a baseline) does, for reviewers.
//! [`diagnostics`] reports findings; [`commands`] runs the stages for each subcommand.
//! The CLI (`src/cli.rs`, `src/main.rs`) turns arguments into calls of [`commands`];
//! nothing below that knows about clap.

pub mod commands;
pub mod diagnostics;
pub mod error;
pub mod input;
pub mod model;
pub mod output;
pub mod plan;
pub mod report;
pub mod validate;
