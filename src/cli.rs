//! Command-line arguments. Nothing outside this file and main.rs knows about clap.

use std::path::PathBuf;

use archc::commands::{self, BuildOptions, Outcome};
use archc::input::Inputs;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "archc",
    version,
    about = "Validating compiler for table data archival",
    long_about = "archc checks table archival configs, computes exactly what must be archived, and \
writes deterministic run files plus bash/SQL scripts that copy data to the archive, verify the copy, \
and only then delete it. archc itself talks to no cloud and opens no network connection.",
    after_help = "Inputs: a config repository (a directory holding archc.json) or table files / directories of \
table files (*.json). Exit codes: 0 ok, 1 findings, 2 usage or internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate configs: every finding at once, with file, line and JSON key.
    #[command(
        after_help = "Examples:\n  archc check examples/lakehouse\n  archc check . --baseline ../main-config   # also the history rules (A090, A091)\n  \
archc check --format github .              # GitHub Actions annotations\n  \
archc check --format sarif . > archc.sarif # for code scanning uploads\n  \
archc check --format json . | jq '.diagnostics[]'\n\n\
Findings are sorted by file, then position. `archc explain CODE` explains a code."
    )]
    Check {
        #[command(flatten)]
        inputs: InputArgs,
        /// How findings are printed.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Check, plan and write run files (and, unless --dry-run, scripts).
    #[command(
        after_help = "Example:\n  archc build examples/lakehouse --out build --as-of 2026-11-21T10:00:00Z --dry-run\n\n\
A run file for the same table written within the hour before --as-of is reused unless --force-run."
    )]
    Build {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        build: BuildArgs,
    },
    /// What a build would archive; with --baseline, what the change does to that.
    #[command(
        long_about = "Per table: the cutoff, and per storage its window, partitions, archive location \
and destructive steps with the predicate or partition range each acts on. With --baseline (the config \
on the target branch), planned at the same --as-of: what the change newly archives or stops archiving, \
and which cutoffs, sources, columns, table names, archive locations and SQL it changes.",
        after_help = "Examples:\n  archc plan examples/lakehouse --as-of 2026-11-21\n  \
archc plan . --baseline ../main-config --as-of 2026-11-21\n  \
archc plan . --baseline ../main-config --format markdown > plan.md   # a PR comment, with Mermaid charts\n  \
archc plan . --format json | jq '.tables[].storages[].destructive'\n\n\
Use the same --as-of in CI as in review: the windows depend on it."
    )]
    Plan {
        #[command(flatten)]
        inputs: InputArgs,
        /// Planning time: a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time. Default: now.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<DateTime<Utc>>,
        /// How the report is printed: text, markdown (for a pull request comment) or json.
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Render scripts from existing (reviewed) run files.
    #[command(
        after_help = "Example:\n  archc render build/runs/*_run_file.json --out build/runs\n\n\
A run file that does not parse, names unsafe paths, or breaks the ordering invariants is refused."
    )]
    Render {
        /// Run files written by `archc build`.
        #[arg(required = true, value_name = "RUN_FILE")]
        run_files: Vec<PathBuf>,
        /// Output directory for the scripts, SQL files and run-all.sh.
        #[arg(long, short)]
        out: PathBuf,
        /// The template overrides the run files were planned with (their sha256 must match).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Write (or, with --exec, run) a read-only script that checks a run finished.
    #[command(
        after_help = "Examples:\n  archc verify build/runs/lakehouse_archival_orders_2026112110_run_file.json --exec\n  \
archc verify build/runs/*_run_file.json --out build/verify\n\n\
Per storage the script prints ok, incomplete (and which step has not finished: a later run \
finishes it) or failed (the archive lacks what the run's manifest lists). It runs only the \
run's describe and select steps, in a temporary directory, and needs no state directory. \
Exit 0 only when every storage is ok."
    )]
    Verify {
        /// Run files written by `archc build` (verified like `render` does).
        #[arg(required = true, value_name = "RUN_FILE")]
        run_files: Vec<PathBuf>,
        /// Write the scripts here (`<stem>.verify.sh`); without it they go to stdout.
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Run the scripts now and report.
        #[arg(long)]
        exec: bool,
        /// The template overrides the run files were planned with.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Summarise the runs under a state directory from their journals (touches no system).
    #[command(after_help = "Examples:\n  archc status --state-dir build/state\n  \
archc status --state-dir build/state build/runs/*_run_file.json --format json\n\n\
Each run is done, in progress (or interrupted: a later run finishes it), failed (at which \
step), or never started (run files given that have no state yet). Exit 0 when every run is \
done, 1 otherwise.")]
    Status {
        /// The state directory the scripts ran with (`state/` beside the run directory).
        #[arg(long, value_name = "DIR")]
        state_dir: PathBuf,
        /// Run files whose runs should exist: those without state are `never started`.
        #[arg(value_name = "RUN_FILE")]
        run_files: Vec<PathBuf>,
        /// text, or json (versioned) for dashboards.
        #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
        format: StatusFormat,
    },
    /// Write a restore run file and script that copy a run's archived data back.
    #[command(
        after_help = "Examples:\n  archc restore build/runs/lakehouse_archival_orders_2026112110_run_file.json \\\n    \
--lifecycle raw --out restore/orders\n  archc restore RUN_FILE --lifecycle raw --storage events_s3 \\\n    \
--from 2026-03-01 --until 2026-04-01 --to s3://scratch/orders/ --out restore/orders\n  \
archc restore --config configs/ --table orders --run-id 2026112110 --all-lifecycles --out restore/orders\n\n\
The archival run file is verified first (like `render`). Without it, --config plans the run \
again from the config as it is now, at the hour of --run-id: that is the run that was archived \
only if the table's config has not changed since (its dates, storages and archive places). The restore copies what the run \
archived back to where it came from, or with --to to another place of the same kind \
(s3://bucket/prefix/, gs://..., /path for local and HDFS, glue:db.table, \
postgres:db.schema.table, mysql:db.table). It refuses a target that already holds data in \
the range unless --merge, checks that everything arrived, adds Glue partitions back last, \
and never deletes anything. The script runs like an archival one: journaled, locked, resumable \
(run it again after a failure). Restoring Delta, Hive, Elasticsearch and Kafka storages is \
not built yet."
    )]
    Restore {
        /// The archival run file (written by `archc build`) whose archive is restored.
        #[arg(value_name = "RUN_FILE", required_unless_present = "config")]
        run_file: Option<PathBuf>,
        /// Without the run file: plan the run again from this config repository (as it is
        /// now) at the hour its run id names; needs --table and --run-id.
        #[arg(long, value_name = "DIR", conflicts_with = "run_file", requires_all = ["table", "run_id"])]
        config: Option<PathBuf>,
        /// With --config: the table whose run is restored.
        #[arg(long, value_name = "NAME", requires = "config")]
        table: Option<String>,
        /// With --config: the run id (YYYYMMDDHH, the hour the run was planned for).
        #[arg(long, value_name = "YYYYMMDDHH", requires = "config")]
        run_id: Option<String>,
        /// Lifecycle to restore (repeatable).
        #[arg(long = "lifecycle", value_name = "NAME")]
        lifecycles: Vec<String>,
        /// Restore every lifecycle the run archived.
        #[arg(long, conflicts_with = "lifecycles")]
        all_lifecycles: bool,
        /// Only this storage of the lifecycle(s).
        #[arg(long, value_name = "NAME")]
        storage: Option<String>,
        /// First day to restore (default: the start of what the run archived).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<NaiveDate>,
        /// Day after the last one to restore (default: the end of what the run archived).
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<NaiveDate>,
        /// Restore into this place instead of where the data came from (one storage only).
        #[arg(long, value_name = "PLACE")]
        to: Option<String>,
        /// Restore even when the target already holds data in the range (adds to it).
        #[arg(long)]
        merge: bool,
        /// Output directory for the restore run file, script and SQL files.
        #[arg(long, short)]
        out: PathBuf,
        /// The template overrides the run file was planned with.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Explain a diagnostic code at length, with a bad and a fixed example.
    #[command(
        after_help = "Examples:\n  archc explain A041\n  archc explain date-overlap\n  archc explain            # every code with its summary"
    )]
    Explain {
        /// A code (`A041`), its name (`date-overlap`) or both as printed (`A041/date-overlap`).
        code: Option<String>,
    },
    /// Print a JSON Schema (project, table, table-list, storage, storage/s3, ...), or write
    /// them all for editors.
    #[command(
        after_help = "Examples:\n  archc schema                           # lists the schemas\n  \
archc schema table > table.schema.json\n  \
archc schema --write .archc/schemas    # every schema, laid out as $ref expects\n\n\
Point \"$schema\" in a table file at a written copy, e.g. \"../.archc/schemas/table.schema.json\", \
and editors validate and complete it without a network. The schemas' $id \
(https://schemas.archc.dev/...) only names them for $ref: nothing is served there."
    )]
    Schema {
        /// Schema name; without one, lists them.
        #[arg(conflicts_with = "write")]
        name: Option<String>,
        /// Write every schema into DIR (storage kinds under DIR/storage/); files already
        /// there are replaced, others left alone.
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  archc completions bash > ~/.local/share/bash-completion/completions/archc\n  \
archc completions zsh > ~/.zfunc/_archc\n  \
archc completions fish > ~/.config/fish/completions/archc.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print archc's man page (roff).
    #[command(
        after_help = "Examples:\n  archc man | man -l -\n  archc man > /usr/local/share/man/man1/archc.1"
    )]
    Man,
}

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Config repository, table files, or directories of table files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// System name (first word of run file names) when no archc.json is given.
    #[arg(long)]
    pub system: Option<String>,
    /// The config as it stands on the target branch: lifecycles and storages must not
    /// disappear (end them with ending_storage_date), and a shorter retention needs
    /// `retention_shortened_acknowledged` in the change.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
    /// Template overrides: a directory laid out like archc's templates/. They are trusted
    /// code, so they are never read from the config repository; each one's sha256 goes into
    /// the run files, and `render` refuses other overrides than those.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Refuse more table files than this (a bound for CI on untrusted input).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_tables: usize,
    /// Refuse a table with more storages than this.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_storages: usize,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Output directory (run files go to its run_file_dir, default `runs`).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Planning time: a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time. Default: now.
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<DateTime<Utc>>,
    /// Write run files only, nothing else.
    #[arg(long)]
    pub dry_run: bool,
    /// Plan again even if a run file from the last hour exists.
    #[arg(long)]
    pub force_run: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Reports with the source lines, for people.
    Human,
    /// One document: {"version": 1, "diagnostics": [...]}.
    Json,
    /// GitHub Actions annotations (::error file=...,line=...,col=...::message).
    Github,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanFormat {
    /// A few lines per storage, then the change.
    Text,
    /// For a pull request comment: the change, a Mermaid gantt per changed table.
    Markdown,
    /// One document: {"version": 1, "as_of": ..., "tables": [...], "changes": [...]}.
    Json,
}

impl From<PlanFormat> for commands::PlanFormat {
    fn from(format: PlanFormat) -> Self {
        match format {
            PlanFormat::Text => commands::PlanFormat::Text,
            PlanFormat::Markdown => commands::PlanFormat::Markdown,
            PlanFormat::Json => commands::PlanFormat::Json,
        }
    }
}

fn parse_as_of(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| {
            format!("`{text}` is neither YYYY-MM-DD nor an RFC 3339 time (2026-11-21T10:00:00Z)")
        })
}

impl From<InputArgs> for Inputs {
    fn from(args: InputArgs) -> Self {
        Inputs {
            paths: args.paths,
            system: args.system,
            baseline: args.baseline,
            templates: args.templates,
            limits: archc::input::Limits {
                max_tables: args.max_tables,
                max_storages: args.max_storages,
            },
        }
    }
}

impl From<Format> for commands::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Human => commands::Format::Human,
            Format::Json => commands::Format::Json,
            Format::Github => commands::Format::Github,
            Format::Sarif => commands::Format::Sarif,
        }
    }
}

impl Cli {
    /// Runs the chosen command. The wall clock is read here, once, when no --as-of is given.
    pub fn run(self) -> Outcome {
        match self.command {
            Command::Check { inputs, format } => commands::check(&inputs.into(), format.into()),
            Command::Build { inputs, build } => {
                let options = BuildOptions {
                    out: build.out,
                    as_of: build.as_of.unwrap_or_else(Utc::now),
                    dry_run: build.dry_run,
                    force_run: build.force_run,
                };
                commands::build(&inputs.into(), &options)
            }
            Command::Plan {
                inputs,
                as_of,
                format,
            } => commands::plan(
                &inputs.into(),
                as_of.unwrap_or_else(Utc::now),
                format.into(),
            ),
            Command::Render {
                run_files,
                out,
                templates,
            } => commands::render(&run_files, &out, templates.as_deref()),
            Command::Restore {
                run_file,
                config,
                table,
                run_id,
                lifecycles,
                all_lifecycles,
                storage,
                from,
                until,
                to,
                merge,
                out,
                templates,
            } => {
                let request = archc::plan::restore::Request {
                    from_run_file: String::new(),
                    lifecycles,
                    all_lifecycles,
                    storage,
                    from,
                    until,
                    to,
                    merge,
                };
                let source = match (run_file, config, table, run_id) {
                    (Some(path), ..) => commands::RestoreSource::RunFile(path),
                    (None, Some(config), Some(table), Some(run_id)) => {
                        commands::RestoreSource::Config {
                            inputs: Inputs {
                                paths: vec![config],
                                system: None,
                                baseline: None,
                                templates: templates.clone(),
                                limits: Default::default(),
                            },
                            table,
                            run_id,
                        }
                    }
                    _ => unreachable!("clap requires a run file or --config, --table and --run-id"),
                };
                commands::restore(&source, &request, &out, templates.as_deref())
            }
            Command::Verify {
                run_files,
                out,
                exec,
                templates,
            } => commands::verify(&run_files, out.as_deref(), exec, templates.as_deref()),
            Command::Status {
                state_dir,
                run_files,
                format,
            } => commands::status(&state_dir, &run_files, format == StatusFormat::Json),
            Command::Schema { name, write } => match write {
                Some(dir) => commands::write_schemas(&dir),
                None => commands::schema(name.as_deref()),
            },
            Command::Completions { shell } => {
                let mut out = Vec::new();
                clap_complete::generate(shell, &mut Cli::command(), "archc", &mut out);
                printed(out)
            }
            Command::Man => match man_page() {
                Ok(out) => printed(out),
                Err(e) => archc::error::Error::internal(e.to_string()).into(),
            },
            Command::Explain { code } => commands::explain(code.as_deref()),
        }
    }
}

fn printed(bytes: Vec<u8>) -> Outcome {
    Outcome {
        stdout: String::from_utf8_lossy(&bytes).into_owned(),
        ..Default::default()
    }
}

/// One page: archc's own sections, then each subcommand's synopsis, description, options
/// and examples under a heading of its own (instead of references to pages per subcommand).
fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    for sub in command.get_subcommands() {
        let name = format!("archc {}", sub.get_name());
        out.extend(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        let man = clap_mangen::Man::new(sub.clone().bin_name(name));
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        man.render_options_section(&mut out)?;
        man.render_extra_section(&mut out)?;
    }
    man.render_extra_section(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}
