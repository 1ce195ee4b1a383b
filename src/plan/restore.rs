//! Restore: a run file of its own, planned from a verified archival run file, whose steps
//! copy the archived data back (to where it came from, or another place of the same
//! kind), check it arrived, and add metastore partitions back afterwards. It never
//! deletes from the archive and, unless told to merge, never writes over data the target
//! already holds. The script runs like an archival one: journaled, resumable.

use chrono::NaiveDate;

use super::drivers::database::DatabaseCtx;
use super::drivers::files::{system_of, FileSteps, FilesCtx, Part, COLD_CLASSES};
use super::drivers::metastore::MetastoreCtx;
use super::drivers::{partition_bounds, sql, StorageCtx, TemplateCtx};
use super::replan;
use super::step::{Phase, StepKind};
use super::window::Window;
use crate::error::{Error, Result};
use crate::model::{
    dates, glob, Basis, DatabaseDetail, Detail, Family, Location, Scheme, Storage, StorageKind,
    Table,
};
use crate::output::quote::shell;
use crate::output::runfile::{ArchivalDetail, Command, DateRange, Restore, RunFile};
use crate::output::templates::Renderer;

/// What `archc restore` is asked.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub from_run_file: String,
    pub lifecycles: Vec<String>,
    pub all_lifecycles: bool,
    pub storage: Option<String>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub to: Option<String>,
    pub merge: bool,
}

pub fn plan(run: &RunFile, req: &Request, r: &Renderer) -> Result<RunFile> {
    replan::check(run, r)?;
    let table = replan::table_of(run)?;
    if let (Some(from), Some(until)) = (req.from, req.until) {
        if from >= until {
            return Err(Error::usage(format!(
                "--from {from} is not before --until {until}"
            )));
        }
    }
    let chosen = choose(run, req)?;
    if req.to.is_some() && chosen.len() != 1 {
        return Err(Error::usage(
            "--to restores one storage: name it with --lifecycle and --storage",
        ));
    }
    let mut details = Vec::new();
    for detail in chosen {
        details.push(restore_detail(run, &table, detail, req, r)?);
    }
    compact(&mut details);
    let mut restore = run.clone();
    restore.restore = Some(Restore {
        from_run_file: req.from_run_file.clone(),
        lifecycles: details.iter().map(|d| d.lifecycle_name.clone()).collect(),
        storage: req.storage.clone(),
        from: req.from.map(dates::iso),
        until: req.until.map(dates::iso),
        to: req.to.clone(),
        merge: req.merge,
    });
    restore.archival_details = details;
    Ok(restore)
}

/// The archived storages the request names.
fn choose<'a>(run: &'a RunFile, req: &Request) -> Result<Vec<&'a ArchivalDetail>> {
    if req.lifecycles.is_empty() && !req.all_lifecycles {
        return Err(Error::usage(
            "name the lifecycle to restore with --lifecycle (restoring every lifecycle needs --all-lifecycles)",
        ));
    }
    for name in &req.lifecycles {
        if !run
            .archival_details
            .iter()
            .any(|d| &d.lifecycle_name == name)
        {
            return Err(Error::usage(format!("the run has no lifecycle `{name}`")));
        }
    }
    let chosen: Vec<&ArchivalDetail> = run
        .archival_details
        .iter()
        .filter(|d| req.all_lifecycles || req.lifecycles.contains(&d.lifecycle_name))
        .filter(|d| {
            req.storage
                .as_ref()
                .is_none_or(|s| s == &d.lifecycle_storage_name)
        })
        .filter(|d| !d.commands.is_empty())
        .collect();
    if chosen.is_empty() {
        return Err(Error::usage(
            "nothing to restore: no storage of that name archived anything in this run",
        ));
    }
    Ok(chosen)
}

/// A `--to` place is neither a root nor inside (or around) the run's archive or backup:
/// copies nested in the archive would come back as data in a later restore.
fn apart_from_the_archive(target: &Target, detail: &ArchivalDetail) -> Result<()> {
    let Target::Tree(to) = target else {
        return Ok(());
    };
    let Some(scheme) = to.scheme() else {
        return Ok(());
    };
    let root = to.overlap_key().trim_end_matches('/').ends_with(':');
    let places = [&detail.archive_location, &detail.backup_location];
    let hit = places
        .into_iter()
        .flatten()
        .filter_map(|p| Location::parse(p, scheme).ok())
        .find(|p| p.overlaps(to));
    match (root, hit) {
        (false, None) => Ok(()),
        (_, hit) => Err(Error::usage(format!(
            "{}.{}: cannot restore into `{}`: {}",
            detail.lifecycle_name,
            detail.lifecycle_storage_name,
            to.url(),
            hit.map_or("a root holds everything".to_string(), |p| format!(
                "it overlaps the run's archive or backup `{}`",
                p.url()
            ))
        ))),
    }
}

/// Partitions coarser than a day are restored whole: `--from`/`--until` must fall on
/// partition boundaries, or the restore would bring back days not asked for.
fn partition_boundaries(storage: &Storage, req: &Request, detail: &ArchivalDetail) -> Result<()> {
    let format = match (&storage.basis, &storage.detail) {
        (Basis::PartitionDate, Detail::Files(f)) => &f.partition_format,
        (Basis::PartitionDate, Detail::Metastore(m)) => &m.partition_format,
        _ => return Ok(()),
    };
    let g = crate::model::period::Granularity::of_format(format);
    for (flag, date) in [("--from", req.from), ("--until", req.until)] {
        let Some(date) = date else { continue };
        let (floor, ceil) = (g.floor(date), g.ceil(date));
        if floor != date {
            return Err(Error::usage(format!(
                "{}.{}: {flag} {date} falls inside a partition ({format} partitions are restored whole): use {floor} or {ceil}",
                detail.lifecycle_name, detail.lifecycle_storage_name
            )));
        }
    }
    Ok(())
}

fn restore_detail(
    run: &RunFile,
    table: &Table,
    detail: &ArchivalDetail,
    req: &Request,
    r: &Renderer,
) -> Result<ArchivalDetail> {
    let lifecycle = table
        .lifecycles
        .iter()
        .find(|l| l.name == detail.lifecycle_name)
        .ok_or_else(|| Error::internal("a run file's lifecycle vanished"))?;
    let storage = lifecycle
        .storages
        .iter()
        .find(|s| s.name == detail.lifecycle_storage_name)
        .ok_or_else(|| Error::internal("a run file's storage vanished"))?;
    let window = detail
        .window
        .as_ref()
        .and_then(|w| Some((dates::parse(&w.start)?, dates::parse(&w.end)?)))
        .ok_or_else(|| Error::internal("an archived storage without a window"))?;
    partition_boundaries(storage, req, detail)?;
    let start = req.from.map_or(window.0, |f| f.max(window.0));
    let end = req.until.map_or(window.1, |u| u.min(window.1));
    if start >= end {
        return Err(Error::usage(format!(
            "{}.{}: the range asked for lies outside what this run archived ({} to {})",
            detail.lifecycle_name, detail.lifecycle_storage_name, window.0, window.1
        )));
    }
    let mut clipped = storage.clone();
    clipped.start = start;
    clipped.end = Some(end);
    let ctx = StorageCtx {
        table,
        lifecycle,
        storage: &clipped,
        window: Window { start, end },
        cutoff: end,
        run_id: &run.run_id,
        archive: detail.archive_location.clone().unwrap_or_default(),
        backup: None,
    };
    let target = target(storage, req.to.as_deref())?;
    if req.to.is_some() {
        apart_from_the_archive(&target, detail)?;
    }
    let commands = match storage.kind.family() {
        Family::Files | Family::Metastore => files(&ctx, &target, req.merge, r)?,
        Family::Database => {
            if req.merge && storage.kind == StorageKind::Mysql {
                return Err(Error::usage(
                    "--merge is not built for mysql storages: a re-run after a crash could not tell whether the rows went in already (postgres asks the server)",
                ));
            }
            database(&ctx, &target, req.merge, r)?
        }
        Family::Delta => {
            let Target::Delta(to) = &target else {
                return Err(Error::internal("a delta restore to another place"));
            };
            if req.merge {
                return Err(Error::usage(
                    "--merge is not built for delta storages: a re-run after a crash could insert the rows twice",
                ));
            }
            super::drivers::delta::restore(&ctx, to.as_deref(), r)?
        }
        Family::Search | Family::Stream => {
            return Err(Error::usage(format!(
                "restore of {} storages is not built yet (s3, gcs, hdfs, local, glue, hive, delta, postgres and mysql are)",
                storage.kind.as_str()
            )))
        }
    };
    let mut restored = detail.clone();
    restored.window = Some(DateRange {
        start: dates::iso(start),
        end: dates::iso(end),
    });
    restored.notes = vec![format!("restores into {}", target.shown())];
    restored.commands = commands;
    Ok(restored)
}

/// Where a restore writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tree(Location),
    /// A metastore table (database, table).
    Table(String, String),
    Database(DatabaseDetail),
    /// A Delta table: the storage's own, or a path table.
    Delta(Option<String>),
}

impl Target {
    fn shown(&self) -> String {
        match self {
            Target::Tree(l) => l.url(),
            Target::Table(db, t) => format!("{db}.{t}"),
            Target::Database(d) => format!("{}.{}.{}", d.database, d.schema, d.table_name),
            Target::Delta(None) => "the table it came from".to_string(),
            Target::Delta(Some(path)) => format!("delta:{path}"),
        }
    }
}

/// The target of a restore: where the data came from, or `--to`, which must be a place
/// of the same kind.
pub fn target(storage: &Storage, to: Option<&str>) -> Result<Target> {
    let kind = storage.kind;
    let Some(to) = to else {
        return Ok(match &storage.detail {
            Detail::Metastore(m) => Target::Table(m.database.clone(), m.table_name.clone()),
            Detail::Database(d) => Target::Database(d.clone()),
            Detail::Delta(_) => Target::Delta(None),
            _ => Target::Tree(
                storage
                    .location()
                    .ok_or_else(|| Error::internal("a storage without a location"))?
                    .tree,
            ),
        });
    };
    let wrong = || {
        Error::usage(format!(
            "cannot restore the {} storage into `{}`: a restore goes to the same kind of place ({})",
            kind.as_str(),
            to.escape_debug(),
            example(kind)
        ))
    };
    if to.chars().any(char::is_control) {
        return Err(wrong());
    }
    let ident = |s: &str| {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let parts = |prefix: &str, n: usize| -> Option<Vec<String>> {
        let rest = to.strip_prefix(prefix)?;
        let parts: Vec<String> = rest.split('.').map(str::to_string).collect();
        (parts.len() == n && parts.iter().all(|p| ident(p))).then_some(parts)
    };
    let tree = |scheme: Scheme, prefix: &str| -> Option<Target> {
        if !to.starts_with(prefix) {
            return None;
        }
        let location = Location::parse(to, scheme).ok()?;
        (location.scheme() == Some(scheme)).then_some(Target::Tree(location))
    };
    let found = match kind {
        StorageKind::S3 => tree(Scheme::S3, "s3://"),
        StorageKind::Gcs => tree(Scheme::Gs, "gs://"),
        StorageKind::Hdfs => tree(Scheme::Hdfs, "hdfs://").or_else(|| tree(Scheme::Hdfs, "/")),
        StorageKind::Local => tree(Scheme::File, "/"),
        StorageKind::Glue => parts("glue:", 2).map(|p| Target::Table(p[0].clone(), p[1].clone())),
        StorageKind::Hive => parts("hive:", 2).map(|p| Target::Table(p[0].clone(), p[1].clone())),
        StorageKind::Postgres | StorageKind::Mysql => {
            let Detail::Database(d) = &storage.detail else {
                return Err(Error::internal("a database storage without its detail"));
            };
            let prefix = format!("{}:", kind.as_str());
            let p = parts(&prefix, 3).or_else(|| {
                parts(&prefix, 2).map(|p| vec![p[0].clone(), d.schema.clone(), p[1].clone()])
            });
            p.map(|p| {
                Target::Database(DatabaseDetail {
                    database: p[0].clone(),
                    schema: p[1].clone(),
                    table_name: p[2].clone(),
                    date_column: d.date_column.clone(),
                    delete_by_day: false,
                })
            })
        }
        StorageKind::Delta => to
            .strip_prefix("delta:")
            .and_then(delta_path)
            .map(|p| Target::Delta(Some(p))),
        StorageKind::Elasticsearch | StorageKind::Kafka => None,
    };
    found.ok_or_else(wrong)
}

/// A path table `--to delta:` names, in the form a config's Delta `path` must have:
/// spark-sql substitutes `${...}` and splits statements at `;` even inside backquotes.
fn delta_path(p: &str) -> Option<String> {
    let p = p.trim_end_matches('/');
    let rest = match p.split_once("://") {
        Some(("s3" | "s3a" | "gs" | "hdfs", rest)) => {
            let (host, path) = rest.split_once('/')?;
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
            host_ok.then_some(path)?
        }
        Some(_) => return None,
        None => p.strip_prefix('/')?,
    };
    let clean = !rest.is_empty()
        && rest.split('/').all(|seg| !matches!(seg, "" | "." | ".."))
        && !rest
            .chars()
            .any(|c| c.is_control() || "$;'\"\\`".contains(c));
    clean.then(|| p.to_string())
}

/// How a `--to` of each kind is written.
pub fn example(kind: StorageKind) -> &'static str {
    match kind {
        StorageKind::S3 => "s3: s3://bucket/prefix/",
        StorageKind::Gcs => "gcs: gs://bucket/prefix/",
        StorageKind::Hdfs => "hdfs: hdfs://namenode/path/ or /path/",
        StorageKind::Local => "local: /mount/path/",
        StorageKind::Glue => "glue: glue:database.table",
        StorageKind::Hive => "hive: hive:database.table",
        StorageKind::Delta => "delta: delta:/path or delta:s3://bucket/path (a path table)",
        StorageKind::Postgres => "postgres: postgres:database.schema.table",
        StorageKind::Mysql => "mysql: mysql:database.table",
        StorageKind::Elasticsearch => "elasticsearch: not restorable yet",
        StorageKind::Kafka => "kafka: nothing is archived",
    }
}

/// Said when the target check fails: the listing's own error, or objects in the way.
const REFUSED: &str = "trap 'if [ $? != 0 ]; then echo \"archc: the target already holds some of what this restore writes (or could not be listed); nothing was restored (--merge restores over it)\" >&2; fi' EXIT";

fn files(s: &StorageCtx, target: &Target, merge: bool, r: &Renderer) -> Result<Vec<Command>> {
    let kind = s.storage.kind;
    let system = system_of(kind)?;
    let (format, column) = match &s.storage.detail {
        Detail::Files(f) => (f.partition_format.clone(), f.partition_column.clone()),
        Detail::Metastore(m) => (m.partition_format.clone(), m.partition_column.clone()),
        _ => return Err(Error::internal("a file restore of another detail")),
    };
    let metastore = kind.family() == Family::Metastore;
    let mut ctx = if s.storage.basis == Basis::PartitionDate {
        FilesCtx::partitions(s, &format, column.clone().filter(|_| !metastore))
    } else {
        FilesCtx::by_creation(s, glob::to_ere(None), ".*".to_string())
    };
    if let Detail::Files(f) = &s.storage.detail {
        ctx.thaw = f
            .archive_storage_class
            .as_deref()
            .is_some_and(|c| COLD_CLASSES.contains(&c));
    }
    let archived = format!("{}{}", s.archive, ctx.run_prefix);
    let dst = match (target, kind) {
        (Target::Tree(l), _) => shell(&l.url()),
        (_, StorageKind::Hive) => crate::output::readback::hive_location(),
        _ => crate::output::readback::glue_location(),
    };
    let from_archive = FileSteps {
        system,
        src: shell(&archived),
        dst: dst.clone(),
        manifest: shell(&format!(
            "{}_archc/run={}/manifest.tsv",
            s.archive, s.run_id
        )),
        ctx: &ctx,
    };
    let into_target = FileSteps {
        src: dst.clone(),
        ..from_archive.clone()
    };
    let mut out = Vec::new();
    if let Target::Table(db, table) = target {
        let ctx = metastore_ctx(s, db, table, column.clone(), &format);
        out.push(metastore_step(
            s,
            r,
            &ctx,
            StepKind::DescribeTable,
            "describe",
        )?);
    }
    let select = if ctx.basis == "file_creation_date" && system != "local" {
        from_archive.render(r, Part::FetchManifest, &from_archive.manifest)?
    } else {
        from_archive.render(r, Part::Select, "")?
    };
    out.push(s.step(StepKind::SelectArchived, system, select));
    if !merge {
        // The delete's own check, on what the restore writes (object stores: it reads the
        // keys the delete took, delete.tsv).
        let (before, taken) = if system == "local" {
            let absent = format!(
                "if [ ! -e {dst} ]; then echo \"the target does not exist yet\"; exit 0; fi\n"
            );
            (absent, "")
        } else {
            (
                String::new(),
                "cp -- \"$S/objects.tsv\" \"$S/delete.tsv\"\n",
            )
        };
        let check = format!(
            "{before}{REFUSED}\n{taken}{}",
            into_target.render(r, Part::Deleted, "")?
        );
        out.push(
            s.step(StepKind::CheckTarget, system, check)
                .in_phase(Phase::SelectObjects),
        );
    }
    let copy = from_archive.render(r, Part::Copy, &dst)?;
    let arrived = into_target.render(r, Part::Verify, &dst)?;
    out.push(
        s.step(StepKind::RestoreData, system, copy)
            .verified(arrived),
    );
    if let Target::Table(db, table) = target {
        let ctx = metastore_ctx(s, db, table, column, &format);
        out.push(metastore_step(
            s,
            r,
            &ctx,
            StepKind::AddPartitions,
            "add_partitions",
        )?);
    }
    Ok(out)
}

/// A step of the metastore itself: Glue through the aws CLI, Hive through spark-sql (its
/// statements in a SQL file of the run, or built from the restored directories).
fn metastore_step(
    s: &StorageCtx,
    r: &Renderer,
    ctx: &MetastoreCtx,
    kind: StepKind,
    template: &str,
) -> Result<Command> {
    if s.storage.kind != StorageKind::Hive {
        let command = r.render(&format!("glue/{template}.sh.j2"), &TemplateCtx::of(ctx))?;
        return Ok(s.step(kind, "glue", command));
    }
    if kind != StepKind::DescribeTable {
        let command = r.render(&format!("hive/{template}.sh.j2"), &TemplateCtx::of(ctx))?;
        return Ok(s.step(kind, "hive", command));
    }
    let describe = sql(
        r,
        "hive/describe.sql.j2",
        &s.sql_name(kind),
        "sparksql",
        ctx,
    )?;
    let command = r.render(
        "hive/describe.sh.j2",
        &TemplateCtx {
            sql_name: &describe.name,
            ..TemplateCtx::of(ctx)
        },
    )?;
    Ok(s.step(kind, "hive", command).running(vec![describe]))
}

fn metastore_ctx(
    s: &StorageCtx,
    db: &str,
    table: &str,
    column: Option<String>,
    format: &str,
) -> MetastoreCtx {
    let (lo, hi) = partition_bounds(s, format);
    // Back into the Hive table the run archived: the metastore must say it lies where the
    // files came from.
    let location = match &s.storage.detail {
        Detail::Metastore(m)
            if s.storage.kind == StorageKind::Hive && m.database == db && m.table_name == table =>
        {
            m.location
                .as_ref()
                .map(|l| l.trim_end_matches('/').to_string())
        }
        _ => None,
    };
    MetastoreCtx {
        database: db.to_string(),
        table: table.to_string(),
        column,
        lo,
        hi,
        location,
        check_locations: false,
        run_id: s.run_id.to_string(),
        value_re: glob::format_ere(format),
    }
}

fn database(s: &StorageCtx, target: &Target, merge: bool, r: &Renderer) -> Result<Vec<Command>> {
    let Target::Database(detail) = target else {
        return Err(Error::internal("a database restore to another place"));
    };
    let Detail::Database(source) = &s.storage.detail else {
        return Err(Error::internal("a database restore of another detail"));
    };
    let kind = s.storage.kind;
    let system = kind.as_str();
    let mut ctx = DatabaseCtx::new(kind, detail, s.window.start, s.window.end);
    // The dumps hold INSERTs into the source table (MySQL): they are loaded under its name.
    ctx.table_name = source.table_name.clone();
    ctx.partitions_sql = s.sql_file("restore_partitions");
    // How the run deleted decides where each day's rows are (not the target's setting).
    ctx.by_day = kind == StorageKind::Postgres && source.delete_by_day;
    let dumps = shell(&format!("{}run={}", s.archive, s.run_id));
    let render = |name: &str, sql_name: &str| {
        r.render(
            &format!("{system}/{name}.sh.j2"),
            &TemplateCtx {
                dst: &dumps,
                sql_name,
                ..TemplateCtx::of(&ctx)
            },
        )
    };
    let file = |name: String, template: &str| {
        sql(
            r,
            &format!("{system}/{template}.sql.j2"),
            &name,
            system,
            &ctx,
        )
    };
    let mut out = vec![s.step(
        StepKind::SelectArchived,
        system,
        render("restore_select", "")?,
    )];
    if !merge {
        let count = file(s.sql_name(StepKind::CheckTarget), "count")?;
        let command = format!(
            "{}\nif [ \"$(cat \"$S/counted.txt\")\" != 0 ]; then\n  echo \"archc: the target already holds $(cat \"$S/counted.txt\") rows in the range; nothing was restored (--merge adds to them)\" >&2; exit 1\nfi",
            render("count", &count.name)?
        );
        out.push(
            s.step(StepKind::CheckTarget, system, command)
                .in_phase(Phase::SelectObjects)
                .running(vec![count]),
        );
    }
    let mut load = vec![file(s.sql_name(StepKind::RestoreData), "restore")?];
    if kind == StorageKind::Postgres {
        load.push(file(ctx.partitions_sql.clone(), "restore_partitions")?);
    }
    let count = file(s.sql_file("verify_restore"), "count")?;
    let arrived = format!(
        "{}\nrestored=$(cat \"$S/restored.txt\")\necho \"the target holds $(cat \"$S/counted.txt\") rows in the range, $restored restored\"\n[ \"$(cat \"$S/counted.txt\")\" -ge \"$restored\" ]",
        render("count", &count.name)?
    );
    out.push(
        s.step(
            StepKind::RestoreData,
            system,
            render("restore", &load[0].name)?,
        )
        .verified(arrived)
        .running(load.into_iter().chain([count]).collect()),
    );
    Ok(out)
}

/// Stages 0, 1, 2... by phase, every storage side by side.
fn compact(details: &mut [ArchivalDetail]) {
    let used: std::collections::BTreeSet<u32> = details
        .iter()
        .flat_map(|d| d.commands.iter().map(|c| c.seq))
        .collect();
    for command in details.iter_mut().flat_map(|d| d.commands.iter_mut()) {
        command.seq = used.iter().position(|s| *s == command.seq).unwrap_or(0) as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::delta_path;

    #[test]
    fn delta_targets_are_paths_spark_sql_cannot_read_as_syntax() {
        for good in ["/restored/ledger/", "s3://bucket/t", "hdfs://nn:8020/d/t"] {
            assert!(delta_path(good).is_some(), "{good}");
        }
        for bad in [
            "/x/${env:HOME}",
            "/x;DROP TABLE t",
            "/x'y",
            "/x`y",
            "/x\\y",
            "/x\ny",
            "/a/../etc",
            "/",
            "s3:///x",
            "s3://b",
            "file://h/x",
            "relative/x",
            "s3://b$(id)/x",
        ] {
            assert_eq!(delta_path(bad), None, "{bad:?}");
        }
    }
}
