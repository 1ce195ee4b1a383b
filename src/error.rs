//! The one operational error type: where it happened and what kind of failure it is.
//! Findings in config files are diagnostics (`crate::diagnostics`), not errors.

use std::fmt;
use std::path::Path;

/// An operational failure: inputs that cannot be read, outputs that cannot be written,
/// a run file that is refused, or a bug in archc.
#[derive(Debug)]
pub struct Error {
    /// A file, directory or template the failure is about, when there is one.
    pub location: Option<String>,
    pub kind: Box<ErrorKind>,
}

#[derive(Debug)]
pub enum ErrorKind {
    /// The command was called wrongly (arguments, paths that do not exist).
    Usage(String),
    /// Reading or writing a file failed.
    Io(std::io::Error),
    /// A run file given to `render` was refused.
    RunFile(String),
    /// A template (embedded or an operator's override) failed to compile or render.
    Template(String),
    /// An internal invariant broke: a bug in archc.
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            location: None,
            kind: Box::new(kind),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage(message.into()))
    }

    pub fn run_file(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RunFile(message.into()))
    }

    pub fn template(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Template(message.into()))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal(message.into()))
    }

    pub fn io(path: &Path, error: std::io::Error) -> Self {
        Self::new(ErrorKind::Io(error)).at(path.display().to_string())
    }

    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// 1: a refused run file (a finding about an input); 2: everything else.
    pub fn exit_code(&self) -> u8 {
        match *self.kind {
            ErrorKind::RunFile(_) => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ErrorKind::Internal(_) = *self.kind {
            f.write_str("internal error (a bug in archc; please report it): ")?;
        }
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        match &*self.kind {
            ErrorKind::Usage(m)
            | ErrorKind::RunFile(m)
            | ErrorKind::Template(m)
            | ErrorKind::Internal(m) => f.write_str(m),
            ErrorKind::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}
