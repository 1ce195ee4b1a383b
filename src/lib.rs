//! archc: a validating compiler from table archival configs to run files and scripts.
//!
//! Pipeline: [`load`] -> [`validate`] -> [`plan`] -> [`render`] -> [`emit`].
//! The CLI (`src/main.rs`, `src/cli.rs`) turns arguments into a [`config::Config`];
//! nothing below that knows about clap.

pub mod check;
pub mod commands;
pub mod config;
pub mod dag;
pub mod dates;
pub mod diagnostic;
pub mod drivers;
pub mod emit;
pub mod glob;
pub mod history;
pub mod invariants;
pub mod load;
pub mod model;
pub mod normalize;
pub mod plan;
pub mod quote;
pub mod render;
pub mod report;
pub mod rules;
pub mod runfile;
pub mod schema;
pub mod script;
pub mod source;
pub mod spans;
pub mod summary;
pub mod window;
