//! Scripts rendered from run files: one resumable bash script per table, the SQL files
//! its steps run, and a fleet runner. Run files are the contract; nothing here re-plans.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output::emit::Output;
use crate::output::quote::is_safe_name;
use crate::output::runfile::RunFile;
use crate::output::templates::Renderer;
use crate::plan::{drivers::step_id, invariants};

pub const TABLE_TEMPLATE: &str = "script/table.sh.j2";
pub const RUN_ALL_TEMPLATE: &str = "script/run-all.sh.j2";

/// Tools a script may call; each one found in a step is checked on PATH up front.
const TOOLS: &[&str] = &[
    "aws",
    "gsutil",
    "hdfs",
    "spark-sql",
    "psql",
    "pg_dump",
    "mysql",
    "mysqldump",
    "rsync",
    "rclone",
    "curl",
    "sha256sum",
    "awk",
    "sed",
    "sort",
    "cut",
    "xargs",
    "find",
    "cmp",
    "grep",
    "tr",
    "sync",
    "timeout",
];

#[derive(Serialize)]
struct StepCtx {
    id: String,
    about: String,
    place: String,
    seq: u32,
    destructive: u8,
    precondition: Option<String>,
    command: String,
    verify: Option<String>,
}

#[derive(Serialize)]
struct TableCtx {
    system: String,
    /// What the script does to the table: "archive", or "restore" for a restore run.
    action: &'static str,
    table: String,
    run_id: String,
    run_key: String,
    cutoff: String,
    run_file: String,
    script: String,
    sql_dir: String,
    state_dir: String,
    tools: Vec<String>,
    names_lib: bool,
    steps: Vec<StepCtx>,
}

#[derive(Serialize)]
struct FleetTable {
    name: String,
    script: String,
    after: Vec<usize>,
}

#[derive(Serialize)]
struct FleetCtx {
    system: String,
    names_lib: bool,
    tables: Vec<FleetTable>,
}

pub fn stem(run: &RunFile) -> String {
    run.file_name()
        .trim_end_matches("_run_file.json")
        .to_string()
}

/// Names that become paths or step ids must be safe, whoever wrote the run file.
pub fn validate(run: &RunFile) -> Result<()> {
    let names = [&run.system, &run.table_name, &run.run_id];
    if let Some(bad) = names.iter().find(|n| !is_safe_name(n)) {
        return Err(Error::run_file(format!("`{bad}` is not a safe name")).at(run.file_name()));
    }
    for (detail, command) in run.commands() {
        let parts = [&detail.lifecycle_name, &detail.lifecycle_storage_name];
        if parts.iter().any(|p| !is_safe_name(p))
            || command.sql.iter().any(|f| !is_safe_name(&f.name))
        {
            return Err(
                Error::run_file(format!("step `{}` has an unsafe name", command.id))
                    .at(run.file_name()),
            );
        }
        let expected = step_id(
            &detail.lifecycle_name,
            &detail.lifecycle_storage_name,
            command.command_about,
        );
        if command.id != expected
            || detail.state_dir
                != format!(
                    "{}.{}",
                    detail.lifecycle_name, detail.lifecycle_storage_name
                )
        {
            return Err(Error::run_file(format!(
                "step `{}` does not match its storage",
                command.id
            ))
            .at(run.file_name()));
        }
    }
    let broken = invariants::check(run);
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Error::run_file(format!(
            "ordering invariants do not hold:\n  {}",
            broken.join("\n  ")
        ))
        .at(run.file_name()))
    }
}

/// The script and SQL files for one run file, paths relative to `dir`.
pub fn table_outputs(run: &RunFile, dir: &str, r: &Renderer) -> Result<Vec<Output>> {
    validate(run)?;
    let stem = stem(run);
    let ordered = run.ordered();
    let mut tools = BTreeSet::new();
    let mut sql: BTreeMap<String, String> = BTreeMap::new();
    let mut steps = Vec::new();
    for (detail, c) in &ordered {
        for text in [Some(&c.command), c.precondition.as_ref(), c.verify.as_ref()]
            .into_iter()
            .flatten()
        {
            tools.extend(
                TOOLS
                    .iter()
                    .filter(|t| uses(text, t))
                    .map(|t| t.to_string()),
            );
        }
        for file in &c.sql {
            if let Some(old) = sql.insert(file.name.clone(), file.text.clone()) {
                if old != file.text {
                    return Err(Error::run_file(format!(
                        "two different SQL files named {}",
                        file.name
                    ))
                    .at(run.file_name()));
                }
            }
        }
        steps.push(StepCtx {
            id: c.id.clone(),
            about: c.command_about.to_string(),
            place: format!(
                "{}/{}/{}",
                run.table_name, detail.lifecycle_name, detail.lifecycle_storage_name
            ),
            seq: c.seq,
            destructive: u8::from(c.destructive),
            precondition: c.precondition.clone(),
            command: c.command.clone(),
            verify: c.verify.clone(),
        });
    }
    tools.insert("flock".to_string());
    let ctx = TableCtx {
        system: run.system.clone(),
        action: if run.restore.is_some() {
            "restore"
        } else {
            "archive"
        },
        table: run.table_name.clone(),
        run_id: run.run_id.clone(),
        run_key: run_key(run),
        cutoff: run.cutoff.clone(),
        run_file: run.file_name(),
        script: format!("{stem}.sh"),
        sql_dir: format!("{stem}.sql"),
        state_dir: format!("{stem}.state"),
        tools: tools.into_iter().collect(),
        names_lib: steps.iter().any(|s| {
            [Some(&s.command), s.precondition.as_ref(), s.verify.as_ref()]
                .into_iter()
                .flatten()
                .any(|t| uses_names_lib(t))
        }),
        steps,
    };
    let mut text = r.render(TABLE_TEMPLATE, &ctx)?;
    text.push('\n');
    let mut out = vec![Output {
        path: format!("{dir}/{stem}.sh"),
        text,
        executable: true,
    }];
    out.extend(sql.into_iter().map(|(name, text)| Output {
        path: format!("{dir}/{stem}.sql/{name}"),
        text,
        executable: false,
    }));
    Ok(out)
}

/// Names the state of one run: its run id and a digest of its run file, so that two
/// different plans for the same hour never share a journal.
pub fn run_key(run: &RunFile) -> String {
    let digest = Sha256::digest(run.to_json().as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", run.run_id)
}

/// Whether a step's text runs an awk program that starts with the name functions the
/// script prelude defines once (templates/script/prelude.sh.j2).
pub fn uses_names_lib(text: &str) -> bool {
    text.contains("\"$archc_names\"")
}

fn uses(text: &str, tool: &str) -> bool {
    text.match_indices(tool).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + tool.len()..].chars().next();
        let edge = |c: Option<char>| {
            c.is_none_or(|c| {
                c.is_whitespace()
                    || matches!(c, '|' | '(' | ';' | '&' | '{' | '$' | '`' | ')' | '\'')
            })
        };
        edge(before) && edge(after)
    })
}

/// What the fleet runner needs to know of one run file.
#[derive(Debug, Clone)]
pub struct FleetEntry {
    pub system: String,
    pub table_name: String,
    pub script: String,
    pub depends_on: Vec<String>,
}

impl FleetEntry {
    pub fn of(run: &RunFile) -> Self {
        Self {
            system: run.system.clone(),
            table_name: run.table_name.clone(),
            script: format!("{}.sh", stem(run)),
            depends_on: run.depends_on.clone(),
        }
    }
}

/// `run-all.sh`: tables in parallel, each after the tables that reference it.
pub fn fleet(runs: &[FleetEntry], dir: &str, r: &Renderer) -> Result<Output> {
    let index: BTreeMap<&str, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, run)| (run.table_name.as_str(), i))
        .collect();
    let mut after: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); runs.len()];
    for (child, run) in runs.iter().enumerate() {
        for parent in run.depends_on.iter().filter_map(|p| index.get(p.as_str())) {
            after[*parent].insert(child);
        }
    }
    let tables = runs
        .iter()
        .zip(after)
        .map(|(run, after)| FleetTable {
            name: run.table_name.clone(),
            script: run.script.clone(),
            after: after.into_iter().collect(),
        })
        .collect();
    let system = runs.first().map(|r| r.system.clone()).unwrap_or_default();
    let mut text = r.render(
        RUN_ALL_TEMPLATE,
        &FleetCtx {
            system,
            names_lib: false,
            tables,
        },
    )?;
    text.push('\n');
    Ok(Output {
        path: format!("{dir}/run-all.sh"),
        text,
        executable: true,
    })
}

/// Every script output for a build: per-table scripts and SQL, and the fleet runner.
pub fn outputs(runs: &[RunFile], dir: &str, r: &Renderer) -> Result<Vec<Output>> {
    let mut out = Vec::new();
    for run in runs {
        out.extend(table_outputs(run, dir, r)?);
    }
    let entries: Vec<FleetEntry> = runs.iter().map(FleetEntry::of).collect();
    out.push(fleet(&entries, dir, r)?);
    Ok(out)
}
