//! `archc verify`: a read-only script that says, per storage of a run, whether the archival
//! finished: nothing left in the window, the archive holding the run's manifest, metastore
//! partitions gone. Built from verified run files; `--exec` runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use super::render::read;
use super::Outcome;
use crate::error::{Error, Result};
use crate::model::{Family, StorageKind};
use crate::output::emit::Output;
use crate::output::emit::Sink;
use crate::output::overrides::Overrides;
use crate::output::runfile::{ArchivalDetail, RunFile, SqlFile};
use crate::output::script::{stem, uses_names_lib};
use crate::output::templates::Renderer;
use crate::plan::drivers::system_of;
use crate::plan::replan;
use crate::plan::step::Role;

const TEMPLATE: &str = "script/verify.sh.j2";

#[derive(Serialize)]
struct StorageCtx {
    n: usize,
    place: String,
    dir: String,
    family: &'static str,
    system: &'static str,
    steps: Vec<String>,
    archive_check: Option<String>,
    manifest: String,
}

#[derive(Serialize)]
struct VerifyCtx {
    table: String,
    run_id: String,
    cutoff: String,
    run_file: String,
    sql: Vec<SqlFile>,
    names_lib: bool,
    storages: Vec<StorageCtx>,
}

pub fn verify(
    run_files: &[PathBuf],
    out: Option<&Path>,
    exec: bool,
    templates: Option<&Path>,
) -> Outcome {
    match scripts(run_files, templates) {
        Ok(outputs) if exec => run(&outputs),
        Ok(outputs) => match out {
            Some(dir) => write(dir, &outputs),
            None => Outcome {
                stdout: outputs.iter().map(|o| o.text.as_str()).collect(),
                ..Default::default()
            },
        },
        Err(e) => e.into(),
    }
}

fn scripts(run_files: &[PathBuf], templates: Option<&Path>) -> Result<Vec<Output>> {
    let overrides = templates
        .map(Overrides::load)
        .transpose()?
        .unwrap_or_default();
    let renderer = Renderer::new(&overrides)?;
    let mut outputs = Vec::new();
    for path in run_files {
        let run = read(path)?;
        replan::check(&run, &renderer)?;
        outputs.push(script(&run, &renderer)?);
    }
    Ok(outputs)
}

/// The verify script of one (checked) run file.
pub(super) fn script(run: &RunFile, renderer: &Renderer) -> Result<Output> {
    let mut text = renderer.render(TEMPLATE, &context(run)?)?;
    text.push('\n');
    Ok(Output {
        path: format!("{}.verify.sh", stem(run)),
        text,
        executable: true,
    })
}

fn context(run: &RunFile) -> Result<VerifyCtx> {
    let mut sql = Vec::new();
    let mut storages = Vec::new();
    for (n, detail) in run.archival_details.iter().enumerate() {
        if detail.commands.is_empty() {
            continue;
        }
        let kind = StorageKind::parse(&detail.storage)
            .ok_or_else(|| Error::internal(format!("unknown storage {}", detail.storage)))?;
        let mut reads: Vec<_> = detail
            .commands
            .iter()
            .filter(|c| c.command_about.role().reads_only())
            .collect();
        reads.sort_by_key(|c| c.seq);
        for c in &reads {
            sql.extend(c.sql.iter().cloned());
        }
        let copy = detail
            .commands
            .iter()
            .find(|c| c.command_about.role() == Role::Copy);
        storages.push(StorageCtx {
            n,
            place: format!(
                "{}/{}/{}",
                run.table_name, detail.lifecycle_name, detail.lifecycle_storage_name
            ),
            dir: format!(
                "{}.{}",
                detail.lifecycle_name, detail.lifecycle_storage_name
            ),
            family: family(kind.family()),
            system: match kind.family() {
                Family::Files | Family::Metastore => system_of(kind)?,
                _ => kind.as_str(),
            },
            steps: reads.iter().map(|c| c.command.clone()).collect(),
            archive_check: copy.and_then(|c| c.verify.clone()),
            manifest: manifest(run, detail, kind),
        });
    }
    sql.sort_by(|a, b| a.name.cmp(&b.name));
    sql.dedup_by(|a, b| a.name == b.name);
    Ok(VerifyCtx {
        table: run.table_name.clone(),
        run_id: run.run_id.clone(),
        cutoff: run.cutoff.clone(),
        run_file: run.file_name(),
        sql,
        names_lib: storages.iter().any(|s| {
            s.steps
                .iter()
                .chain(&s.archive_check)
                .any(|t| uses_names_lib(t))
        }),
        storages,
    })
}

fn family(f: Family) -> &'static str {
    match f {
        Family::Files => "files",
        Family::Metastore => "metastore",
        Family::Delta => "delta",
        Family::Database => "database",
        Family::Search => "search",
        Family::Stream => "stream",
    }
}

/// Where the run's manifest is: beside the file archive, or the run's dump directory.
fn manifest(run: &RunFile, detail: &ArchivalDetail, kind: StorageKind) -> String {
    let archive = detail.archive_location.clone().unwrap_or_default();
    match kind.family() {
        Family::Database => format!("{archive}run={}", run.run_id),
        _ => format!("{archive}_archc/run={}/manifest.tsv", run.run_id),
    }
}

fn write(dir: &Path, outputs: &[Output]) -> Outcome {
    let written = Sink::whole(dir).and_then(|sink| {
        let done = sink.write(outputs);
        sink.finish(done.is_ok())?;
        done
    });
    match written {
        Ok(()) => Outcome {
            stdout: outputs
                .iter()
                .map(|o| format!("wrote {}\n", o.path))
                .collect(),
            ..Default::default()
        },
        Err(e) => e.into(),
    }
}

/// Runs every script (each in a fresh temporary directory) and reports what they print.
fn run(outputs: &[Output]) -> Outcome {
    let mut out = Outcome::default();
    for output in outputs {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => return Error::io(Path::new("/tmp"), e).into(),
        };
        let script = dir.path().join(&output.path);
        if let Err(e) = std::fs::write(&script, &output.text) {
            return Error::io(&script, e).into();
        }
        match Command::new("bash").arg(&script).output() {
            Ok(ran) => {
                out.stdout.push_str(&String::from_utf8_lossy(&ran.stdout));
                out.stderr.push_str(&String::from_utf8_lossy(&ran.stderr));
                if !ran.status.success() {
                    out.code = 1;
                }
            }
            Err(e) => return Error::io(&script, e).into(),
        }
    }
    out
}
