//! The output stage: run files, templates, scripts, and writing them to disk.

pub mod emit;
pub mod overrides;
pub mod quote;
pub mod readback;
pub mod runfile;
pub mod script;
pub mod templates;
