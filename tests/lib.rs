//! One integration test binary (linked once): the CLI end to end.

mod support;

mod build;
mod check;
mod ecosystem;
mod explain;
mod formats;
mod hostile;
mod restore;
mod scripts;
mod state;
