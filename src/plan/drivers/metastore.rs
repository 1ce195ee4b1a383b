//! glue and hive: a metastore table over S3 or HDFS. Partitions are discovered from the
//! metastore at run time and dropped before the data they point to is deleted.

use serde::Serialize;

use super::files::{manifest_of, system_of, FileSteps, FilesCtx};
use super::{partition_bounds, sql, Driver, StorageCtx, TemplateCtx};
use crate::error::{Error, Result};
use crate::model::{Detail, StorageKind};
use crate::output::quote::shell;
use crate::output::runfile::Command;
use crate::output::templates::Renderer;
use crate::plan::step::{Phase, StepKind};

pub struct MetastoreTable;

#[derive(Serialize)]
pub struct MetastoreCtx {
    pub database: String,
    pub table: String,
    pub column: Option<String>,
    pub lo: String,
    pub hi: String,
    pub location: Option<String>,
    pub check_locations: bool,
    pub run_id: String,
    /// What a partition value must look like (the partition format as an ERE).
    pub value_re: String,
}

impl Driver for MetastoreTable {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>> {
        let Detail::Metastore(m) = &s.storage.detail else {
            return Err(Error::internal("the metastore driver got another detail"));
        };
        let (lo, hi) = partition_bounds(s, &m.partition_format);
        let ctx = MetastoreCtx {
            database: m.database.clone(),
            table: m.table_name.clone(),
            column: m.partition_column.clone(),
            lo,
            hi,
            location: m
                .location
                .as_ref()
                .map(|l| l.trim_end_matches('/').to_string()),
            check_locations: true,
            run_id: s.run_id.to_string(),
            value_re: crate::model::glob::format_ere(&m.partition_format),
        };
        // Glue says at run time where the table lies and how it is partitioned; a Hive
        // table's location and column are configured. Partition directories are selected
        // by what is physically there, registered in the metastore or not.
        let hive = s.storage.kind == StorageKind::Hive;
        let column = m.partition_column.clone().filter(|_| hive);
        let files_ctx = FilesCtx::partitions(s, &m.partition_format, column);
        let src = match (&s.storage.kind, &ctx.location) {
            (StorageKind::Hive, Some(location)) => shell(&format!("{location}/")),
            (StorageKind::Hive, None) => {
                return Err(Error::internal("a Hive table without a location"))
            }
            _ => crate::output::readback::glue_location(),
        };
        let files = FileSteps {
            system: system_of(s.storage.kind)?,
            src,
            dst: shell(&s.archive),
            manifest: manifest_of(s),
            ctx: &files_ctx,
        };
        let q = Metastore { s, r, ctx: &ctx };
        match s.storage.kind {
            StorageKind::Hive => q.hive(&files),
            _ => q.glue(&files),
        }
    }
}

struct Metastore<'a> {
    s: &'a StorageCtx<'a>,
    r: &'a Renderer,
    ctx: &'a MetastoreCtx,
}

/// A metastore's own parts: how partitions are selected, dropped, and shown to be gone.
struct Partitions {
    system: &'static str,
    select: Command,
    drop: String,
    dropped: String,
}

impl Metastore<'_> {
    fn render(&self, name: &str, dst: &str, sql_name: &str) -> Result<String> {
        self.render_at(name, "", dst, sql_name)
    }

    fn render_at(&self, name: &str, src: &str, dst: &str, sql_name: &str) -> Result<String> {
        let wrapped = TemplateCtx {
            src,
            dst,
            sql_name,
            ..TemplateCtx::of(self.ctx)
        };
        self.r.render(name, &wrapped)
    }

    fn glue(&self, files: &FileSteps) -> Result<Vec<Command>> {
        let s = self.s;
        let describe = s.step(
            StepKind::DescribeTable,
            "glue",
            self.render("glue/describe.sh.j2", "", "")?,
        );
        let partitions = Partitions {
            system: "glue",
            select: s.step(
                StepKind::SelectPartitions,
                "glue",
                self.render("glue/select.sh.j2", "", "")?,
            ),
            drop: self.render("glue/drop.sh.j2", "", "")?,
            dropped: self.render("glue/dropped.sh.j2", "", "")?,
        };
        let save = self.render("glue/save_definition.sh.j2", &files.dst, "")?;
        let mut out = vec![describe];
        out.extend(self.common(files, partitions, Some(save))?);
        Ok(out)
    }

    fn hive(&self, files: &FileSteps) -> Result<Vec<Command>> {
        let s = self.s;
        let show = sql(
            self.r,
            "hive/show_partitions.sql.j2",
            &s.sql_name(StepKind::SelectPartitions),
            "sparksql",
            self.ctx,
        )?;
        let select = s
            .step(
                StepKind::SelectPartitions,
                "hive",
                self.render("hive/select.sh.j2", "", &show.name)?,
            )
            .running(vec![show.clone()]);
        let partitions = Partitions {
            system: "hive",
            select,
            drop: self.render_at("hive/drop.sh.j2", &files.src, "", "")?,
            dropped: self.render("hive/dropped.sh.j2", "", &show.name)?,
        };
        let mut out = self.common(files, partitions, None)?;
        if let Some(drop) = out
            .iter_mut()
            .find(|c| c.command_about == StepKind::DropTablePartition)
        {
            drop.sql.push(show);
        }
        Ok(out)
    }

    /// Shared order: select, back up, copy + verify, drop partitions, delete data.
    fn common(
        &self,
        files: &FileSteps,
        partitions: Partitions,
        save_definition: Option<String>,
    ) -> Result<Vec<Command>> {
        let (s, r) = (self.s, self.r);
        let mut out = vec![partitions.select, files.select(s, r, Phase::SelectObjects)?];
        if let Some(backup) = &s.backup {
            out.push(files.backup(s, r, &shell(backup))?);
        }
        let (mut copy, gate) = files.archive(s, r)?;
        if let Some(save) = save_definition {
            copy.command = format!("{}\n{save}", copy.command);
        }
        out.push(copy);
        let drop = s
            .gated(
                StepKind::DropTablePartition,
                partitions.system,
                partitions.drop,
                &gate,
            )?
            .verified(partitions.dropped);
        out.push(drop);
        out.push(files.delete(s, r, &gate)?);
        Ok(out)
    }
}
