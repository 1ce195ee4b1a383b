//! Finds the input files, reads each once, and parses it once.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::{json, Inputs, Project, SourceFile};
use crate::diagnostics::{Code, Diagnostic, Site};
use crate::error::{Error, Result};
use crate::validate::schema::{self, Root};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
pub const PROJECT_FILE: &str = "archc.json";

/// Every input file, read and parsed.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceFile>,
    pub project: Project,
    pub project_file: Option<usize>,
    /// Directory of `archc.json`, when a config repository was given.
    pub root: Option<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file to read, or one refused (and why), by the name diagnostics show.
struct Candidate {
    name: String,
    path: PathBuf,
    refused: Option<&'static str>,
}

/// Reads every input file once and hands each parsed table document to `each` (in
/// parallel) as soon as it is parsed, so documents need not all be held at once.
/// Inside a config repository (or a directory given), only regular files that stay inside
/// it after links are resolved are read; the target of a link is never shown.
pub fn load<T: Send>(
    inputs: &Inputs,
    each: impl Fn(usize, &Value, &Project) -> T + Sync,
) -> Result<(Loaded, Vec<T>)> {
    let mut loaded = Loaded::default();
    let mut found: Vec<Candidate> = Vec::new();
    for path in &inputs.paths {
        if path.is_dir() && path.join(PROJECT_FILE).exists() {
            if loaded.root.is_some() {
                return Err(Error::usage(
                    "only one config repository can be given at a time",
                ));
            }
            let mut walk = Walk::new(path)?;
            read_project(path, &walk, &mut loaded)?;
            let project = loaded.project.clone();
            for (i, entry) in project.tables.iter().enumerate() {
                if !is_inside(entry) {
                    loaded.diagnostics.push(outside_entry(i, entry));
                    continue;
                }
                walk.visit(&path.join(entry));
            }
            found.extend(walk.out);
        } else if path.is_dir() {
            let mut walk = Walk::new(path)?;
            walk.shown = PathBuf::new();
            walk.visit(path);
            found.extend(walk.out);
        } else if path.exists() {
            // A file named on the command line is the operator's choice: links are
            // followed, but it must be a regular file.
            found.push(Candidate {
                name: display_name(path),
                path: path.clone(),
                refused: None,
            });
        } else {
            return Err(Error::usage("no such file or directory").at(path.display().to_string()));
        }
    }
    if let Some(system) = &inputs.system {
        loaded.project.system = system.clone();
    }
    found.sort_by(|a, b| (&a.name, &a.path).cmp(&(&b.name, &b.path)));
    found.dedup_by(|a, b| a.path == b.path);
    let first = loaded.files.len();
    let project = &loaded.project;
    let read: Vec<(SourceFile, Option<T>, Vec<Diagnostic>)> = found
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let (file, doc, diagnostics) = match c.refused {
                Some(why) => refused(first + i, &c.name, &c.path, why),
                None => read_one(first + i, &c.name, &c.path),
            };
            let done = doc.as_ref().map(|doc| each(first + i, doc, project));
            (file, done, diagnostics)
        })
        .collect();
    let mut results = Vec::with_capacity(read.len());
    for (file, done, diagnostics) in read {
        loaded.files.push(file);
        results.extend(done);
        loaded.diagnostics.extend(diagnostics);
    }
    Ok((loaded, results))
}

/// A `tables` entry names a path below the repository: relative, without `..`.
fn is_inside(entry: &str) -> bool {
    !entry.starts_with('/') && entry.split('/').all(|seg| seg != "..")
}

fn outside_entry(i: usize, entry: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Input,
        format!("`{entry}` leaves the config repository; refused"),
    )
    .at(Site::value(0, format!("/tables/{i}")))
    .help("list directories or files below the directory of archc.json")
}

fn refused(
    index: usize,
    name: &str,
    path: &Path,
    why: &str,
) -> (SourceFile, Option<Value>, Vec<Diagnostic>) {
    let d = Diagnostic::new(Code::Input, format!("{name}: {why}")).at(Site::value(index, ""));
    (SourceFile::new(name, path.to_path_buf(), ""), None, vec![d])
}

/// A recursive search for table files that never leaves its bound (the canonical
/// repository or directory), whatever links it meets.
struct Walk {
    bound: PathBuf,
    /// What names are shown relative to (the repository as given).
    shown: PathBuf,
    visited: std::collections::BTreeSet<PathBuf>,
    out: Vec<Candidate>,
}

impl Walk {
    fn new(root: &Path) -> Result<Self> {
        Ok(Self {
            bound: fs::canonicalize(root).map_err(|e| Error::io(root, e))?,
            shown: root.to_path_buf(),
            visited: Default::default(),
            out: Vec::new(),
        })
    }

    fn refuse(&mut self, path: &Path, why: &'static str) {
        self.out.push(Candidate {
            name: relative_name(&self.shown, path),
            path: path.to_path_buf(),
            refused: Some(why),
        });
    }

    /// Visits `path` (as given) whose real location is found by resolving links.
    fn visit(&mut self, path: &Path) {
        let Ok(real) = fs::canonicalize(path) else {
            return self.refuse(path, "cannot be read (a missing file or a broken link)");
        };
        if !real.starts_with(&self.bound) {
            return self.refuse(
                path,
                "a link to a place outside the config repository; refused",
            );
        }
        match fs::metadata(&real) {
            Ok(m) if m.is_dir() => self.directory(path, real),
            Ok(m) if m.is_file() => self.out.push(Candidate {
                name: relative_name(&self.shown, path),
                path: real,
                refused: None,
            }),
            Ok(_) => self.refuse(
                path,
                "not a regular file (a FIFO, socket or device); refused",
            ),
            Err(_) => self.refuse(path, "cannot be read"),
        }
    }

    /// `real` is canonical and inside the bound: plain entries below it are too, so only
    /// links need resolving (no stat per file).
    fn directory(&mut self, path: &Path, real: PathBuf) {
        if !self.visited.insert(real.clone()) {
            return;
        }
        let Ok(entries) = fs::read_dir(&real) else {
            return self.refuse(path, "cannot be read");
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let shown = path.join(&name);
            let json =
                Path::new(&name).extension().is_some_and(|e| e == "json") && name != PROJECT_FILE;
            match entry.file_type() {
                Ok(t) if t.is_dir() => self.directory(&shown, real.join(&name)),
                Ok(t) if t.is_file() && json => self.out.push(Candidate {
                    name: relative_name(&self.shown, &shown),
                    path: real.join(&name),
                    refused: None,
                }),
                Ok(t) if t.is_symlink() || json => self.visit(&shown),
                _ => {}
            }
        }
    }
}

fn read_project(dir: &Path, walk: &Walk, loaded: &mut Loaded) -> Result<()> {
    let path = dir.join(PROJECT_FILE);
    let inside = fs::canonicalize(&path).is_ok_and(|real| real.starts_with(&walk.bound));
    let (file, doc, diagnostics) = if inside {
        read_one(0, PROJECT_FILE, &path)
    } else {
        refused(
            0,
            PROJECT_FILE,
            &path,
            "a link to a place outside the config repository; refused",
        )
    };
    loaded.root = Some(dir.to_path_buf());
    loaded.project_file = Some(0);
    loaded.files.push(file);
    loaded.diagnostics.extend(diagnostics);
    if let Some(doc) = &doc {
        let found = schema::validate(Root::Project, 0, doc);
        if found.is_empty() {
            loaded.project = serde_json::from_value(doc.clone())
                .map_err(|e| Error::internal(format!("archc.json passed its schema but: {e}")))?;
        }
        loaded.diagnostics.extend(found);
    }
    Ok(())
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let joined = rel
        .components()
        .filter(|c| !matches!(c, std::path::Component::RootDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if rel.has_root() {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Relative paths are shown as given; absolute ones by file name only (no machine paths).
fn display_name(path: &Path) -> String {
    if path.is_absolute() {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        relative_name(Path::new("."), path)
    }
}

/// The file's text, or `None` when it is larger than the limit (never read past it).
/// Opened without blocking and read only if it is a regular file: a FIFO or a device
/// in place of a table file cannot hang check.
fn read_limited(path: &Path) -> std::io::Result<Option<String>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device); refused",
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(None);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn duplicate_key(file: usize, pointer: String) -> Diagnostic {
    let key = pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~");
    Diagnostic::new(
        Code::DuplicateKey,
        format!("key `{key}` appears twice in one object; JSON readers disagree on which one counts"),
    )
    .at(Site::key(file, pointer.clone()))
    .label("second definition")
    .also(Site::first_key(file, pointer), "first definition")
    .help("remove one of the two: archc refuses a config whose reviewed value may not be the one used")
}

fn read_one(index: usize, name: &str, path: &Path) -> (SourceFile, Option<Value>, Vec<Diagnostic>) {
    let empty = |text: &str| SourceFile::new(name, path.to_path_buf(), text);
    let text = match read_limited(path) {
        Ok(Some(text)) => text,
        Ok(None) => {
            let d = Diagnostic::new(
                Code::Input,
                format!("{name}: larger than {MAX_FILE_BYTES} bytes; refused"),
            )
            .at(Site::value(index, ""));
            return (empty(""), None, vec![d]);
        }
        Err(e) => {
            let d = Diagnostic::new(Code::Input, format!("{name}: {e}")).at(Site::value(index, ""));
            return (empty(""), None, vec![d]);
        }
    };
    let file = SourceFile::new(name, path.to_path_buf(), text);
    match json::parse(&file.text) {
        Ok(parsed) => {
            let found = parsed
                .duplicates
                .into_iter()
                .map(|pointer| duplicate_key(index, pointer))
                .collect();
            (file, Some(parsed.value), found)
        }
        Err(e) => {
            let offset = file.offset_of(e.line(), e.column());
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let d = Diagnostic::new(Code::JsonSyntax, format!("invalid JSON: {message}"))
                .at_offset(index, offset)
                .label("here");
            (file, None, vec![d])
        }
    }
}
