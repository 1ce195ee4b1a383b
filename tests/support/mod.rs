//! A small builder for running archc and reading what it wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs archc from the repository root (so that paths in output are relative).
pub fn archc(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_archc"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("archc runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Every file under `dir`, by relative path, with its text.
pub fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(
                    rel,
                    std::fs::read_to_string(&path).unwrap_or_else(|_| "<binary>".into()),
                );
            }
        }
    }
    out
}

/// One combined snapshot text: every file under a header line.
pub fn combined(files: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (name, body) in files {
        text.push_str(&format!("===== {name}\n{body}"));
        if !body.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// insta settings that keep every snapshot in the top-level `snapshots/` folder.
pub fn snapshots() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A tool for a test tier: on PATH or in the project's `.venv`. Missing on CI is a
/// failure (CI must install every tier); elsewhere the test says it skipped.
pub fn tool(name: &str) -> Option<PathBuf> {
    let venv = root().join(".venv/bin").join(name);
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .chain(std::iter::once(venv))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is required on CI (scripts/test.sh installs it)"
        );
        eprintln!("SKIPPED: {name} is not installed; run scripts/test.sh to install every tier");
    }
    found
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn sh(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("command runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `archc build REPO --out REPO/out --as-of AS_OF` (scripts included); panics on failure.
pub fn build_repo(repo: &Path, as_of: &str) -> PathBuf {
    let out = repo.join("out");
    let run = archc(&[
        "build",
        repo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        as_of,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

/// A directory of tests/fakes/wrapper.sh links, one per tool name.
pub fn wrappers(bin: &Path, names: &[&str]) {
    std::fs::create_dir_all(bin).unwrap();
    let wrapper = root().join("tests/fakes/wrapper.sh");
    for name in names {
        std::os::unix::fs::symlink(&wrapper, bin.join(name)).unwrap();
    }
}

/// The journal of the one run of `table` under a state root (`state/<table>/<run>/journal`):
/// the ids of the steps it recorded as done, in order.
pub fn journal(state_root: &Path, table: &str) -> Vec<String> {
    let runs: Vec<PathBuf> = std::fs::read_dir(state_root.join(table))
        .map(|dir| dir.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert!(runs.len() <= 1, "one run expected: {runs:?}");
    runs.first()
        .and_then(|run| std::fs::read_to_string(run.join("journal")).ok())
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim_start_matches("done ").to_string())
        .collect()
}

/// The official SARIF 2.1.0 JSON Schema (OASIS, errata01), vendored in tests/data.
pub fn sarif_schema() -> PathBuf {
    root().join("tests/data/sarif-schema-2.1.0.json")
}

/// The `.sh` files among the relative paths of a written tree (see [`tree`]), linted.
pub fn lint_tree<'a>(root: &Path, paths: impl IntoIterator<Item = &'a String>) {
    let scripts: Vec<PathBuf> = paths
        .into_iter()
        .filter(|k| k.ends_with(".sh"))
        .map(|k| root.join(k))
        .collect();
    lint(&scripts);
}

/// `bash -n` on every script, then shellcheck (warnings and above) when installed.
pub fn lint(scripts: &[PathBuf]) {
    for script in scripts {
        let run = sh(Command::new("bash").arg("-n").arg(script));
        assert_eq!(run.code, 0, "{}: {}", script.display(), run.stderr);
    }
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    let run = sh(Command::new(shellcheck)
        .args(["-S", "warning"])
        .args(scripts));
    assert_eq!(run.code, 0, "{}", run.stdout);
}
