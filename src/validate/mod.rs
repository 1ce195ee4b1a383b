//! load -> validate: every file parsed once, checked against its schema, normalised,
//! then the cross-table rules. Files are independent, so they are checked in parallel.

pub mod dag;
pub mod history;
pub mod locations;
pub mod normalize;
pub mod rules;
pub mod schema;

use crate::diagnostics::{Diagnostic, Severity};
use crate::error::Result;
use crate::input::{self as load, Inputs, Loaded};
use crate::model::{Shape, Table};
use normalize::Defaults;
use schema::Root;

pub struct Checked {
    pub loaded: Loaded,
    pub tables: Vec<Table>,
    pub diagnostics: Vec<Diagnostic>,
    /// The `--baseline` config, checked the same way (its own findings stay with it).
    pub baseline: Option<Box<Checked>>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

pub fn check(inputs: &Inputs) -> Result<Checked> {
    schema::warm_up();
    let (mut loaded, per_file) = load_tables(inputs)?;
    let mut tables = Vec::new();
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    for (t, d) in per_file {
        tables.extend(t);
        diagnostics.extend(d);
    }
    if tables.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic::new(
            crate::diagnostics::Code::Input,
            "no table files found (table files are *.json; see `archc check --help`)",
        ));
    }
    limits(&mut tables, inputs.limits, &mut diagnostics);
    diagnostics.extend(rules::check_all(
        &tables,
        &loaded.project,
        loaded.project_file,
    ));
    if let (Some(root), Some(file)) = (&loaded.root, loaded.project_file) {
        if root.join("templates").exists() {
            diagnostics.push(
                Diagnostic::new(
                    crate::diagnostics::Code::OverridesIgnored,
                    "this config repository has a templates/ directory: archc ignores it",
                )
                .at_offset(file, 0)
                .help("template overrides are trusted code: the operator passes them with `--templates DIR` (see SECURITY.md); a pull request cannot change what the scripts do"),
            );
        }
    }
    let baseline = match &inputs.baseline {
        Some(dir) => {
            let old = check(&Inputs {
                paths: vec![dir.clone()],
                system: inputs.system.clone(),
                baseline: None,
                templates: None,
                limits: inputs.limits,
            })?;
            diagnostics.extend(history::compare(&old.tables, &tables));
            Some(Box::new(old))
        }
        None => None,
    };
    Ok(Checked {
        loaded,
        tables,
        diagnostics,
        baseline,
    })
}

/// Tables beyond the limits are reported and left out of the rules that compare tables.
fn limits(tables: &mut Vec<Table>, limits: crate::input::Limits, out: &mut Vec<Diagnostic>) {
    use crate::diagnostics::{Code, Site};
    if tables.len() > limits.max_tables {
        out.push(
            Diagnostic::new(
                Code::Limit,
                format!(
                    "{} tables, more than the limit of {}",
                    tables.len(),
                    limits.max_tables
                ),
            )
            .help("raise it with --max-tables if this many are meant"),
        );
        tables.truncate(limits.max_tables);
    }
    tables.retain(|table| {
        let storages: usize = table.lifecycles.iter().map(|l| l.storages.len()).sum();
        if storages <= limits.max_storages {
            return true;
        }
        out.push(
            Diagnostic::new(
                Code::Limit,
                format!(
                    "table `{}` has {storages} storages, more than the limit of {}",
                    table.name, limits.max_storages
                ),
            )
            .at(Site::key(table.file, table.pointer.clone()))
            .help("raise it with --max-storages if this many are meant"),
        );
        false
    });
}

type PerFile = (Vec<Table>, Vec<Diagnostic>);

fn load_tables(inputs: &Inputs) -> Result<(Loaded, Vec<PerFile>)> {
    load::load(inputs, |i, doc, project| {
        let defaults = Defaults {
            target_bucket: project.target_location_bucket.clone(),
            target_key: project.target_location_key.clone(),
        };
        table_file(i, doc, &defaults)
    })
}

/// One table document checked on its own (schemas, normalisation, the rules that need no
/// other table and no project settings): how a run file's config fields are re-checked.
pub fn table_document(doc: &serde_json::Value, system: &str) -> (Vec<Table>, Vec<Diagnostic>) {
    let defaults = Defaults {
        target_bucket: None,
        target_key: String::new(),
    };
    let (tables, mut found) = table_file(0, doc, &defaults);
    let project = crate::input::Project {
        system: system.to_string(),
        ..Default::default()
    };
    found.extend(
        rules::check_all(&tables, &project, None)
            .into_iter()
            // Archive roots are project settings; dependencies name other tables.
            .filter(|d| {
                !matches!(
                    d.code,
                    crate::diagnostics::Code::ArchiveLocation
                        | crate::diagnostics::Code::UnknownDependency
                )
            }),
    );
    (tables, found)
}

fn table_file(
    file: usize,
    doc: &serde_json::Value,
    defaults: &Defaults,
) -> (Vec<Table>, Vec<Diagnostic>) {
    let root = match normalize::shape_of(doc) {
        Shape::Keyed => Root::TableKeyed,
        Shape::List => Root::TableList,
    };
    let found = schema::validate(root, file, doc);
    if !found.is_empty() {
        return (Vec::new(), found);
    }
    let normalized = normalize::normalize(file, doc, defaults);
    (normalized.tables, normalized.diagnostics)
}
