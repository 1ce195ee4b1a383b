mod cli;

/// Many small allocations on both cores (parse, plan, render): mimalloc avoids the
/// glibc arena growth (mprotect per allocation burst) that dominated system time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::process::ExitCode;

use archc::commands::{self, Outcome};
use archc::config::{BuildOptions, Format, Inputs};
use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let outcome = run(cli);
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.code)
}

fn inputs(args: cli::InputArgs) -> Inputs {
    Inputs {
        paths: args.paths,
        system: args.system,
        baseline: args.baseline,
    }
}

fn run(cli: cli::Cli) -> Outcome {
    match cli.command {
        cli::Command::Check { inputs: i, format } => {
            let format = match format {
                cli::Format::Human => Format::Human,
                cli::Format::Json => Format::Json,
                cli::Format::Github => Format::Github,
            };
            commands::check(&inputs(i), format)
        }
        cli::Command::Build { inputs: i, build } => {
            let options = BuildOptions {
                out: build.out,
                as_of: build.as_of.unwrap_or_else(chrono::Utc::now),
                dry_run: build.dry_run,
                force_run: build.force_run,
            };
            commands::build(&inputs(i), &options)
        }
        cli::Command::Plan { inputs: i, as_of } => {
            commands::plan(&inputs(i), as_of.unwrap_or_else(chrono::Utc::now))
        }
        cli::Command::Render {
            run_files,
            out,
            templates,
        } => commands::render(&run_files, &out, templates.as_deref()),
        cli::Command::Schema { name } => schema(name),
    }
}

fn schema(name: Option<String>) -> Outcome {
    match name {
        None => Outcome {
            stdout: archc::schema::FILES
                .iter()
                .map(|(f, _)| format!("{}\n", f.trim_end_matches(".schema.json")))
                .collect(),
            ..Default::default()
        },
        Some(name) => match archc::schema::text(&name) {
            Some(text) => Outcome {
                stdout: text.to_string(),
                ..Default::default()
            },
            None => Outcome {
                stderr: format!("error: no schema `{name}`; `archc schema` lists them\n"),
                code: 2,
                ..Default::default()
            },
        },
    }
}
