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
    diagnostics.extend(rules::check_all(
        &tables,
        &loaded.project,
        loaded.project_file,
    ));
    let baseline = match &inputs.baseline {
        Some(dir) => {
            let old = check(&Inputs {
                paths: vec![dir.clone()],
                system: inputs.system.clone(),
                baseline: None,
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
