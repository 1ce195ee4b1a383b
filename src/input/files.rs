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

/// Reads every input file once and hands each parsed table document to `each` (in
/// parallel) as soon as it is parsed, so documents need not all be held at once.
pub fn load<T: Send>(
    inputs: &Inputs,
    each: impl Fn(usize, &Value, &Project) -> T + Sync,
) -> Result<(Loaded, Vec<T>)> {
    let mut loaded = Loaded::default();
    let mut table_paths: Vec<(String, PathBuf)> = Vec::new();
    for path in &inputs.paths {
        if path.is_dir() && path.join(PROJECT_FILE).is_file() {
            if loaded.root.is_some() {
                return Err(Error::usage(
                    "only one config repository can be given at a time",
                ));
            }
            read_project(path, &mut loaded)?;
            let project = loaded.project.clone();
            for entry in &project.tables {
                collect(path, &path.join(entry), &mut table_paths)?;
            }
        } else if path.is_dir() {
            collect(Path::new(""), path, &mut table_paths)?;
        } else if path.is_file() {
            table_paths.push((display_name(path), path.clone()));
        } else {
            return Err(Error::usage("no such file or directory").at(path.display().to_string()));
        }
    }
    if let Some(system) = &inputs.system {
        loaded.project.system = system.clone();
    }
    table_paths.sort();
    table_paths.dedup_by(|a, b| a.1 == b.1);
    let first = loaded.files.len();
    let project = &loaded.project;
    let read: Vec<(SourceFile, Option<T>, Vec<Diagnostic>)> = table_paths
        .par_iter()
        .enumerate()
        .map(|(i, (name, path))| {
            let (file, doc, diagnostics) = read_one(first + i, name, path);
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

fn read_project(dir: &Path, loaded: &mut Loaded) -> Result<()> {
    let path = dir.join(PROJECT_FILE);
    let (file, doc, diagnostics) = read_one(0, PROJECT_FILE, &path);
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

/// Adds `target` (a table file, or a directory searched recursively) to `out`.
fn collect(root: &Path, target: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    if target.is_file() {
        out.push((relative_name(root, target), target.to_path_buf()));
        return Ok(());
    }
    let entries = fs::read_dir(target).map_err(|e| Error::io(target, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(target, e))?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // The entry's type comes with the directory listing: no stat per file.
        let is_dir = match entry.file_type() {
            Ok(t) if t.is_symlink() => path.is_dir(),
            Ok(t) => t.is_dir(),
            Err(_) => path.is_dir(),
        };
        if is_dir {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") && name != PROJECT_FILE {
            out.push((relative_name(root, &path), path));
        }
    }
    Ok(())
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
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
fn read_limited(path: &Path) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
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
