//! One driver per storage family behind one interface, found through one registry.

mod database;
mod delta;
mod files;
mod metastore;
mod search;

use serde::Serialize;

use crate::model::{Lifecycle, Storage, StorageKind, Table};
use crate::render::{RenderError, Renderer};
use crate::runfile::{Command, SqlFile};
use crate::window::Window;

/// Phases inside one lifecycle stage; the planner turns (stage, phase) into `seq`.
pub mod phase {
    pub const DESCRIBE: u32 = 0;
    pub const SELECT: u32 = 1;
    pub const SELECT_OBJECTS: u32 = 2;
    pub const BACKUP: u32 = 3;
    pub const COPY: u32 = 4;
    pub const DROP: u32 = 5;
    pub const DELETE: u32 = 6;
    pub const AFTER: u32 = 7;
    pub const COUNT: u32 = 8;
}

/// Everything a driver knows about the storage it plans for.
pub struct StorageCtx<'a> {
    pub table: &'a Table,
    pub lifecycle: &'a Lifecycle,
    pub storage: &'a Storage,
    pub window: Window,
    pub run_id: &'a str,
    /// Archive root for this storage, ending in '/'.
    pub archive: String,
    pub backup: Option<String>,
}

impl StorageCtx<'_> {
    pub fn id(&self, about: &str) -> String {
        format!("{}.{}.{about}", self.lifecycle.name, self.storage.name)
    }

    pub fn sql_name(&self, about: &str) -> String {
        format!("{}.sql", self.id(about))
    }
}

pub trait Driver: Sync {
    fn steps(&self, ctx: &StorageCtx, r: &Renderer) -> Result<Vec<Command>, RenderError>;
}

/// The registry: the driver for each storage kind (`None`: nothing to archive).
pub fn driver(kind: StorageKind) -> Option<&'static dyn Driver> {
    match kind {
        StorageKind::S3 | StorageKind::Gcs | StorageKind::Hdfs | StorageKind::Local => {
            Some(&files::Files)
        }
        StorageKind::Glue | StorageKind::Hive => Some(&metastore::MetastoreTable),
        StorageKind::Delta => Some(&delta::Delta),
        StorageKind::Postgres | StorageKind::Mysql => Some(&database::Database),
        StorageKind::Elasticsearch => Some(&search::Search),
        StorageKind::Kafka => None,
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

/// Builds one command, rendering its parts from templates.
pub struct StepSpec<'a> {
    pub about: &'a str,
    pub system: &'a str,
    pub phase: u32,
    pub destructive: bool,
}

impl StepSpec<'_> {
    pub fn build(&self, ctx: &StorageCtx, command: String) -> Command {
        Command {
            id: ctx.id(self.about),
            seq: self.phase,
            system: self.system.to_string(),
            command_about: self.about.to_string(),
            destructive: self.destructive,
            precondition: None,
            command,
            verify: None,
            sql: Vec::new(),
        }
    }
}

pub fn step(about: &'static str, system: &'static str, phase: u32) -> StepSpec<'static> {
    StepSpec {
        about,
        system,
        phase,
        destructive: false,
    }
}

/// Renders a SQL template into a file the command runs.
pub fn sql<T: Serialize>(
    r: &Renderer,
    template: &str,
    name: &str,
    dialect: &str,
    ctx: &T,
) -> Result<SqlFile, RenderError> {
    let wrapped = TemplateCtx {
        src: "",
        dst: "",
        sql_name: name,
        ctx,
    };
    let mut text = r.render(template, &wrapped)?;
    text.push('\n');
    Ok(SqlFile {
        name: name.to_string(),
        dialect: dialect.to_string(),
        text,
    })
}

/// Partition values for a window, in the storage's partition format.
pub fn partition_bounds(window: &Window, format: &str) -> (String, String) {
    (
        window.start.format(format).to_string(),
        window.end.format(format).to_string(),
    )
}
