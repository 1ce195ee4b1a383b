//! `archc plan`: what a build would archive, and what a change does against a baseline.

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use super::{findings, refuse, Format, Outcome, PlanFormat};
use crate::error::{Error, Result};
use crate::input::Inputs;
use crate::model::Table;
use crate::output::overrides::Overrides;
use crate::output::runfile::RunFile;
use crate::output::templates::Renderer;
use crate::plan::{self as planner, invariants, Places, PlanInput};
use crate::report::{self, Report};
use crate::validate::{self, Checked};

pub(super) fn renderer(inputs: &Inputs) -> Result<Renderer> {
    let overrides = match &inputs.templates {
        Some(dir) => Overrides::load(dir)?,
        None => Overrides::default(),
    };
    Renderer::new(&overrides)
}

/// Plans one table and checks the plan's ordering invariants.
pub(super) fn plan_one(
    checked: &Checked,
    table: &Table,
    as_of: DateTime<Utc>,
    renderer: &Renderer,
) -> Result<RunFile> {
    let file = &checked.loaded.files[table.file];
    let input = PlanInput {
        system: &checked.loaded.project.system,
        places: Places::Config(&checked.loaded.project),
        table,
        source_name: &file.name,
        source_text: &file.text,
        as_of,
    };
    let run = planner::plan_table(&input, renderer)?;
    let broken = invariants::check(&run);
    if broken.is_empty() {
        Ok(run)
    } else {
        Err(Error::internal(format!(
            "the plan for `{}` breaks ordering invariants:\n  {}",
            table.name,
            broken.join("\n  ")
        )))
    }
}

/// Plans every table (in parallel), sorted by table name.
pub fn plan_all(
    checked: &Checked,
    as_of: DateTime<Utc>,
    renderer: &Renderer,
) -> Result<Vec<RunFile>> {
    let mut runs: Vec<RunFile> = checked
        .tables
        .par_iter()
        .map(|table| plan_one(checked, table, as_of, renderer))
        .collect::<Result<_>>()?;
    runs.sort_by(|a, b| a.table_name.cmp(&b.table_name));
    Ok(runs)
}

pub fn plan(inputs: &Inputs, as_of: DateTime<Utc>, format: PlanFormat) -> Outcome {
    let checked = match validate::check(inputs) {
        Ok(c) => c,
        Err(e) => return e.into(),
    };
    if checked.has_errors() {
        return refuse(&checked, "");
    }
    match describe(&checked, inputs, as_of) {
        Ok(report) => Outcome {
            stdout: match format {
                PlanFormat::Text => report::text::text(&report),
                PlanFormat::Markdown => report::markdown::markdown(&report),
                PlanFormat::Json => report::json::json(&report),
            },
            stderr: findings(&checked, Format::Human),
            code: 0,
        },
        Err(e) => e.into(),
    }
}

fn describe(checked: &Checked, inputs: &Inputs, as_of: DateTime<Utc>) -> Result<Report> {
    let renderer = renderer(inputs)?;
    let runs = plan_all(checked, as_of, &renderer)?;
    let baseline = match (&checked.baseline, &inputs.baseline) {
        (Some(old), Some(dir)) => {
            if old.has_errors() {
                return Err(
                    Error::usage("the baseline does not pass check").at(dir.display().to_string())
                );
            }
            Some(plan_all(old, as_of, &renderer)?)
        }
        _ => None,
    };
    Ok(Report::new(as_of, &runs, baseline.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::script;
    use crate::output::templates::TEMPLATES;

    /// Plans and renders the bundled examples with one renderer: every template must be
    /// loaded along the way (referenced by a driver or by another template).
    #[test]
    fn every_template_is_referenced() {
        let renderer = Renderer::new(&Overrides::default()).unwrap();
        let as_of = "2026-11-21T10:00:00Z".parse().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        for repo in ["lakehouse", "coverage"] {
            let inputs = Inputs {
                paths: vec![root.join(repo)],
                system: None,
                baseline: None,
                templates: None,
                limits: Default::default(),
            };
            let checked = validate::check(&inputs).unwrap();
            assert!(!checked.has_errors(), "{repo}: {:?}", checked.diagnostics);
            let mut runs = Vec::new();
            for table in &checked.tables {
                runs.push(plan_one(&checked, table, as_of, &renderer).unwrap());
            }
            script::outputs(&runs, "runs", &renderer).unwrap();
            for run in &runs {
                super::super::verify::script(run, &renderer).unwrap();
                restore_each(run, &renderer);
            }
        }
        let all: std::collections::BTreeSet<String> =
            TEMPLATES.iter().map(|(n, _)| n.to_string()).collect();
        let unused: Vec<_> = all.difference(&renderer.loaded()).cloned().collect();
        assert!(unused.is_empty(), "never referenced: {unused:?}");
    }

    /// Renders a restore of every storage the run archived, where restore is built.
    fn restore_each(run: &crate::output::runfile::RunFile, renderer: &Renderer) {
        use crate::model::StorageKind;
        for detail in run
            .archival_details
            .iter()
            .filter(|d| !d.commands.is_empty())
        {
            let request = crate::plan::restore::Request {
                lifecycles: vec![detail.lifecycle_name.clone()],
                storage: Some(detail.lifecycle_storage_name.clone()),
                ..Default::default()
            };
            let kind = StorageKind::parse(&detail.storage).unwrap();
            match crate::plan::restore::plan(run, &request, renderer) {
                Ok(restore) => {
                    script::table_outputs(&restore, "restore", renderer).unwrap();
                }
                Err(e) => assert!(
                    matches!(kind, StorageKind::Delta | StorageKind::Elasticsearch),
                    "{}: {e}",
                    detail.lifecycle_storage_name
                ),
            }
        }
    }
}
