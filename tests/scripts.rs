//! Scripts rendered from run files.
