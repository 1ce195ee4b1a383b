//! What archc gives editors, shells and CI: schemas on disk, completions, a man page, the
//! pre-commit hook and the example workflow.

use std::path::{Path, PathBuf};

use crate::support::{archc, root, temp, tree};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Every `$schema` in examples/ is a relative path to the checked-in copy of a schema that
/// archc embeds, so editors resolve it without a network.
#[test]
fn example_schemas_resolve_to_checked_in_files() {
    let mut files = Vec::new();
    json_files(&root().join("examples"), &mut files);
    let schemas = root().join("schemas").canonicalize().unwrap();
    let mut seen = 0;
    for file in files {
        let Ok(doc) =
            serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&file).unwrap())
        else {
            continue;
        };
        let Some(target) = doc.get("$schema").and_then(|v| v.as_str()) else {
            continue;
        };
        assert!(!target.contains("://"), "{}: {target}", file.display());
        let resolved = file.parent().unwrap().join(target).canonicalize();
        let resolved = resolved.unwrap_or_else(|_| panic!("{}: {target}", file.display()));
        let name = resolved.strip_prefix(&schemas).unwrap().to_str().unwrap();
        let embedded = archc(&["schema", name]);
        assert_eq!(embedded.code, 0, "{name}");
        assert_eq!(embedded.stdout, std::fs::read_to_string(&resolved).unwrap());
        seen += 1;
    }
    assert!(seen >= 10, "{seen} files with $schema");
}

#[test]
fn schema_write_lays_out_every_schema_as_in_the_repository() {
    let dir = temp();
    let out = dir.path().join(".archc/schemas");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "kept").unwrap();
    let run = archc(&["schema", "--write", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut written = tree(&out);
    assert_eq!(written.remove("mine.txt").as_deref(), Some("kept"));
    assert_eq!(written, tree(&root().join("schemas")));
    assert_eq!(run.stdout.lines().count(), written.len());
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = archc(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("explain"), "{shell}");
        assert!(run.stdout.contains("--baseline"), "{shell}");
    }
    assert_eq!(archc(&["completions", "tcsh"]).code, 2);
    let man = archc(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH archc 1"));
    for section in ["ARCHC CHECK", "ARCHC PLAN", "ARCHC EXPLAIN", "ARCHC SCHEMA"] {
        assert!(man.stdout.contains(section), "{section}");
    }
    if let Some(groff) = which("groff") {
        let mut child = std::process::Command::new(groff)
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(man.stdout.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(warnings.is_empty(), "groff: {warnings}");
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Every new subcommand's help teaches by example.
#[test]
fn new_subcommands_show_examples() {
    for sub in ["check", "plan", "explain", "schema", "completions", "man"] {
        let run = archc(&[sub, "--help"]);
        assert_eq!(run.code, 0, "{sub}");
        assert!(run.stdout.contains("Example"), "{sub}: {}", run.stdout);
        assert!(run.stdout.contains(&format!("archc {sub}")), "{sub}");
    }
}

/// The hook manifest is what pre-commit accepts, and runs `archc check` on the repository.
#[test]
fn pre_commit_hook_manifest() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(text.contains("- id: archc-check\n"), "{text}");
    assert!(text.contains("entry: archc check\n"), "{text}");
    assert!(text.contains("pass_filenames: false"), "{text}");
    let Some(pre_commit) = crate::support::tool("pre-commit") else {
        return;
    };
    let run = crate::support::sh(
        std::process::Command::new(pre_commit)
            .args(["validate-manifest", ".pre-commit-hooks.yaml"])
            .current_dir(root()),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// The example workflow is a valid GitHub Actions workflow (the schema check-jsonschema
/// vendors) that annotates, uploads SARIF and comments the Markdown plan.
#[test]
fn example_workflow() {
    let path = root().join("examples/ci/archc.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    for expected in [
        "--format github",
        "--format sarif > archc.sarif",
        "github/codeql-action/upload-sarif",
        "--format markdown > plan.md",
        "gh pr comment",
    ] {
        assert!(text.contains(expected), "{expected}");
    }
    let Some(checker) = crate::support::tool("check-jsonschema") else {
        return;
    };
    let run = crate::support::sh(
        std::process::Command::new(checker)
            .args(["--builtin-schema", "vendor.github-workflows"])
            .arg(&path),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
