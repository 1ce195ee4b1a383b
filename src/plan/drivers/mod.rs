//! One driver per storage family behind one interface, found through one registry.

pub mod database;
pub mod delta;
pub mod files;
pub mod metastore;
mod search;

use serde::Serialize;

use crate::error::Result;
use crate::model::period::Granularity;
use crate::model::{Family, Lifecycle, Storage, Table};
use crate::output::runfile::{Command, SqlFile};
use crate::output::templates::Renderer;
use crate::plan::step::{ArchiveCheck, Phase, StepKind};
use crate::plan::window::Window;

pub use files::system_of;

/// Everything a driver knows about the storage it plans for.
pub struct StorageCtx<'a> {
    pub table: &'a Table,
    pub lifecycle: &'a Lifecycle,
    pub storage: &'a Storage,
    pub window: Window,
    /// Data strictly before the cutoff is archived.
    pub cutoff: chrono::NaiveDate,
    pub run_id: &'a str,
    /// Archive root for this storage, ending in '/'.
    pub archive: String,
    pub backup: Option<String>,
}

impl StorageCtx<'_> {
    pub fn id(&self, kind: StepKind) -> String {
        step_id(&self.lifecycle.name, &self.storage.name, kind)
    }

    pub fn sql_name(&self, kind: StepKind) -> String {
        self.sql_file(kind.as_str())
    }

    /// `{lifecycle}.{storage}.{what}.sql`: the SQL file of a step, or of a check.
    pub fn sql_file(&self, what: &str) -> String {
        format!("{}.{}.{what}.sql", self.lifecycle.name, self.storage.name)
    }

    /// A step that neither copies into the archive nor destroys anything.
    pub fn step(&self, kind: StepKind, system: &str, command: String) -> Command {
        self.command(kind, system, command)
    }

    /// The copy into the archive; its check is the storage's archive check.
    pub fn copy(
        &self,
        kind: StepKind,
        system: &str,
        command: String,
        check: String,
    ) -> Result<(Command, ArchiveCheck)> {
        let mut step = self.command(kind, system, command);
        let gate = ArchiveCheck::of_copy(&mut step, check)?;
        Ok((step, gate))
    }

    /// A destructive step, gated by the archive check of this storage's copy.
    pub fn gated(
        &self,
        kind: StepKind,
        system: &str,
        command: String,
        gate: &ArchiveCheck,
    ) -> Result<Command> {
        let mut step = self.command(kind, system, command);
        gate.gate(&mut step)?;
        Ok(step)
    }

    fn command(&self, kind: StepKind, system: &str, command: String) -> Command {
        Command {
            id: self.id(kind),
            seq: kind.phase().index(),
            system: system.to_string(),
            command_about: kind,
            destructive: kind.destructive(),
            precondition: None,
            command,
            verify: None,
            sql: Vec::new(),
        }
    }
}

/// `{lifecycle}.{storage}.{command_about}`.
pub fn step_id(lifecycle: &str, storage: &str, kind: StepKind) -> String {
    format!("{lifecycle}.{storage}.{kind}")
}

impl Command {
    pub fn verified(mut self, check: String) -> Self {
        self.verify = Some(check);
        self
    }

    pub fn running(mut self, files: Vec<SqlFile>) -> Self {
        self.sql = files;
        self
    }

    pub fn in_phase(mut self, phase: Phase) -> Self {
        self.seq = phase.index();
        self
    }
}

pub trait Driver: Sync {
    fn steps(&self, ctx: &StorageCtx, r: &Renderer) -> Result<Vec<Command>>;
}

/// The registry: the driver for each storage family (`None`: nothing to archive).
pub fn driver(family: Family) -> Option<&'static dyn Driver> {
    match family {
        Family::Files => Some(&files::Files),
        Family::Metastore => Some(&metastore::MetastoreTable),
        Family::Delta => Some(&delta::Delta),
        Family::Database => Some(&database::Database),
        Family::Search => Some(&search::Search),
        Family::Stream => None,
    }
}

/// What every template sees: shell words for source and destination, the SQL file
/// name a step runs, and the driver's typed context.
#[derive(Serialize)]
pub struct TemplateCtx<'a, T: Serialize> {
    pub src: &'a str,
    pub dst: &'a str,
    pub sql_name: &'a str,
    pub ctx: &'a T,
}

impl<'a, T: Serialize> TemplateCtx<'a, T> {
    pub fn of(ctx: &'a T) -> Self {
        Self {
            src: "",
            dst: "",
            sql_name: "",
            ctx,
        }
    }
}

/// Renders a SQL template into a file the command runs.
pub fn sql<T: Serialize>(
    r: &Renderer,
    template: &str,
    name: &str,
    dialect: &str,
    ctx: &T,
) -> Result<SqlFile> {
    let wrapped = TemplateCtx {
        sql_name: name,
        ..TemplateCtx::of(ctx)
    };
    let mut text = r.render(template, &wrapped)?;
    text.push('\n');
    Ok(SqlFile {
        name: name.to_string(),
        dialect: dialect.to_string(),
        text,
    })
}

/// The partitions a storage archives, as `[from, until)` partition values in its format:
/// every partition that lies wholly before the cutoff and overlaps the storage's dates. A
/// partition split by the storage's start or end date is archived by each storage that
/// holds a directory for it (each from its own location).
pub fn partition_bounds(s: &StorageCtx, format: &str) -> (String, String) {
    let (from, until) = partition_dates(s.storage.start, s.storage.end, s.cutoff, format);
    (
        from.format(format).to_string(),
        until.format(format).to_string(),
    )
}

pub fn partition_dates(
    start: chrono::NaiveDate,
    end: Option<chrono::NaiveDate>,
    cutoff: chrono::NaiveDate,
    format: &str,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let g = Granularity::of_format(format);
    let until = g.floor(cutoff);
    let until = end.map_or(until, |end| until.min(g.ceil(end)));
    (g.floor(start), until)
}

#[cfg(test)]
mod tests {
    use super::files::{system_of, Part};
    use super::*;
    use crate::model::{StorageKind, KINDS};
    use crate::output::templates::{embedded, TEMPLATES};
    use crate::validate::schema;

    #[test]
    fn every_kind_has_a_schema_templates_and_a_driver() {
        for spec in &KINDS {
            assert!(
                schema::FILES.iter().any(|(f, _)| *f == spec.schema),
                "{}: no schema {}",
                spec.name,
                spec.schema
            );
            let has_driver = driver(spec.family).is_some();
            assert_eq!(has_driver, spec.family != Family::Stream, "{}", spec.name);
            if let Some(folder) = spec.templates {
                let prefix = format!("{folder}/");
                assert!(
                    TEMPLATES.iter().any(|(n, _)| n.starts_with(&prefix)),
                    "{}: no templates/{folder}",
                    spec.name
                );
            }
            assert_eq!(has_driver, spec.templates.is_some(), "{}", spec.name);
        }
    }

    #[test]
    fn every_file_store_has_every_part() {
        for kind in StorageKind::ALL {
            if !matches!(kind.family(), Family::Files | Family::Metastore) {
                continue;
            }
            let system = system_of(kind).unwrap();
            for part in Part::ALL {
                let name = part.template(system);
                assert!(embedded(&name).is_some(), "{kind:?}: {name}");
            }
        }
        assert!(system_of(StorageKind::Postgres).is_err());
    }
}
