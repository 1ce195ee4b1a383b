//! What a table script reads back is not trusted: its state and lock directories (links,
//! directories others own or can write to), planted journal lines, tampered lists and
//! saved values, and a hostile shell environment are refused or change nothing. Every
//! test runs the generated bash with the real find/rsync/awk (and, for the command-level
//! tests, mawk and gawk); systems that are not here are recording fakes.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::scripts::{assert_final_state, Fixture};
use crate::support::{root, sh, temp, tool, Run};

/// The run directory a fixture's script uses under `state`, from its `--plan` header.
fn run_dir(fixture: &Fixture, state: &Path) -> PathBuf {
    let plan = fixture.run(
        &fixture.script("events"),
        &["--plan", "--state-dir", state.to_str().unwrap()],
        None,
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let header = plan.stdout.lines().next().unwrap();
    PathBuf::from(header.rsplit_once("state in ").unwrap().1)
}

/// The step ids of the fixture's script, each with whether it is destructive.
fn steps(fixture: &Fixture) -> Vec<(String, bool)> {
    let plan = fixture.run(&fixture.script("events"), &["--plan"], None);
    plan.stdout
        .lines()
        .skip(1)
        .map(|l| {
            let id = l.split_whitespace().nth(4).unwrap().to_string();
            (id, l.ends_with("(destructive)"))
        })
        .collect()
}

fn run_with_state(fixture: &Fixture, state: &Path) -> Run {
    fixture.run(
        &fixture.script("events"),
        &["--state-dir", state.to_str().unwrap()],
        None,
    )
}

#[test]
fn links_in_the_state_and_lock_directories_are_refused_and_never_followed() {
    let fixture = Fixture::new(&[("events", &[])]);
    let p = fixture.dir.path();
    let (state, locks) = (p.join("state"), p.join("locks"));
    let run = run_dir(&fixture, &state);
    let before = fixture.files("src/events");
    let victim = p.join("victim");
    let elsewhere = p.join("elsewhere");
    let plants: [(&str, PathBuf, &Path); 7] = [
        ("lock file", locks.join("t.events.lock"), &victim),
        ("lock directory", locks.clone(), &elsewhere),
        ("state root", state.clone(), &elsewhere),
        ("table directory", state.join("events"), &elsewhere),
        ("run directory", run.clone(), &elsewhere),
        ("journal", run.join("journal"), &victim),
        ("step directory", run.join("raw.parts"), &elsewhere),
    ];
    for (what, link, target) in plants {
        for dir in [&state, &locks, &elsewhere] {
            let _ = fs::remove_dir_all(dir);
            let _ = fs::remove_file(dir);
        }
        fs::create_dir_all(&elsewhere).unwrap();
        fs::write(&victim, "keep").unwrap();
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        symlink(target, &link).unwrap();
        let ran = run_with_state(&fixture, &state);
        assert_ne!(ran.code, 0, "{what}: {}", ran.stdout);
        assert!(
            ran.stderr.contains("it is a symbolic link"),
            "{what}: {}",
            ran.stderr
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep", "{what}");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "{what}");
        assert_eq!(fixture.files("src/events"), before, "{what}");
    }
}

#[test]
fn state_directories_that_others_can_write_to_or_own_are_refused() {
    let fixture = Fixture::new(&[("events", &[])]);
    let p = fixture.dir.path();
    let (state, locks) = (p.join("state"), p.join("locks"));
    let before = fixture.files("src/events");
    for (what, dir, mode) in [
        ("table directory", state.join("events"), 0o777),
        ("state root", state.clone(), 0o775),
        ("lock directory", locks.clone(), 0o722),
    ] {
        let _ = fs::remove_dir_all(&state);
        let _ = fs::remove_dir_all(&locks);
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        let ran = run_with_state(&fixture, &state);
        assert_ne!(ran.code, 0, "{what}: {}", ran.stdout);
        assert!(
            ran.stderr.contains("other users can write to it"),
            "{what}: {}",
            ran.stderr
        );
        assert_eq!(fixture.files("src/events"), before, "{what}");
    }
    // Another owner: only root can hand a directory to someone else.
    let _ = fs::remove_dir_all(&state);
    let _ = fs::remove_dir_all(&locks);
    fs::create_dir_all(state.join("events")).unwrap();
    let chown = sh(Command::new("chown").arg("65534").arg(state.join("events")));
    if chown.code != 0 {
        eprintln!(
            "not root: the foreign-owner case is not run ({})",
            chown.stderr
        );
        return;
    }
    let ran = run_with_state(&fixture, &state);
    assert_ne!(ran.code, 0, "{}", ran.stdout);
    assert!(
        ran.stderr.contains("belongs to another user"),
        "{}",
        ran.stderr
    );
    assert_eq!(fixture.files("src/events"), before);
}

/// A journal that claims every copy and every other delete is done: each destructive step
/// still runs its own archive check against the live archive, which holds nothing.
#[test]
fn a_planted_done_line_never_lets_a_delete_through() {
    let steps = steps(&Fixture::new(&[("events", &[])]));
    let deletes: Vec<&String> = steps.iter().filter(|(_, d)| *d).map(|(i, _)| i).collect();
    assert_eq!(deletes.len(), 3, "{steps:?}");
    for delete in deletes {
        let fixture = Fixture::new(&[("events", &[])]);
        let state = fixture.dir.path().join("state");
        let run = run_dir(&fixture, &state);
        let before = fixture.files("src/events");
        let planted: String = steps
            .iter()
            .filter(|(id, _)| id != delete && !id.contains(".select_"))
            .map(|(id, _)| format!("done {id}\n"))
            .collect();
        fs::create_dir_all(&run).unwrap();
        fs::write(run.join("journal"), planted).unwrap();
        let ran = run_with_state(&fixture, &state);
        assert_ne!(ran.code, 0, "{delete}: {}", ran.stdout);
        assert!(
            ran.stderr
                .contains(&format!("the archive check before {delete} failed")),
            "{delete}: {}",
            ran.stderr
        );
        assert_eq!(fixture.files("src/events"), before, "{delete}");
        assert!(
            !fixture.calls().contains(&format!("{delete} psql")),
            "{delete} reached the database: {}",
            fixture.calls()
        );
    }
}

/// The attempt number names archives and snapshots and reaches statements and shell
/// arithmetic: a tampered one (here one that bash arithmetic would run) is refused before
/// the step runs anything.
#[test]
fn a_tampered_attempt_number_is_refused_before_the_step_runs() {
    let fixture = Fixture::new(&[("events", &[])]);
    let state = fixture.dir.path().join("state");
    let run = run_dir(&fixture, &state);
    let (first, _) = steps(&fixture)[0].clone();
    let dir = run.join(first.rsplit_once('.').unwrap().0);
    let canary = fixture.dir.path().join("canary");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("attempt"),
        format!("x[$(touch {})]\n", canary.display()),
    )
    .unwrap();
    let ran = run_with_state(&fixture, &state);
    assert_ne!(ran.code, 0, "{}", ran.stdout);
    assert!(
        ran.stderr.contains("attempt: it holds no attempt number"),
        "{}",
        ran.stderr
    );
    assert!(!canary.exists());
    let calls = fixture.calls();
    assert!(
        calls
            .lines()
            .filter(|l| l.starts_with(&format!("{first} ")))
            .all(|l| l.ends_with(" mkdir")),
        "{first} ran a tool: {calls}"
    );
}

#[test]
fn a_hostile_shell_environment_changes_nothing() {
    let fixture = Fixture::new(&[("events", &[])]);
    let p = fixture.dir.path();
    let canary = p.join("canary");
    let decoy = p.join("decoy");
    // The script is started by a relative path: with CDPATH honoured, `cd out/runs` would
    // land in the decoy's out/runs and the run would keep its state there.
    let decoys = ["state", "runs", "src", "archive", "out/runs", "out/state"];
    for d in decoys {
        fs::create_dir_all(decoy.join(d)).unwrap();
    }
    // Sourced by every non-interactive bash before its script (here only before the table
    // script, not the test's own tool wrappers): aliases, functions and options that would
    // each change what the script does.
    let bash_env = p.join("bash_env");
    let mut text = String::from(
        "[[ $0 == *_archival_* ]] || return 0\n\
         shopt -s expand_aliases nullglob failglob dotglob nocasematch globstar\n\
         set -o noclobber\n",
    );
    for f in [
        "rm", "mv", "cp", "mkdir", "cat", "awk", "grep", "sort", "find", "rsync", "cd", "printf",
        "echo", "touch", "xargs", "flock",
    ] {
        text.push_str(&format!(
            "{f}() {{ echo {f} >> \"$CANARY\"; command {f} \"$@\"; }}\n"
        ));
    }
    text.push_str(
        "alias rm='echo alias rm >> \"$CANARY\"; rm' mv='echo alias mv >> \"$CANARY\"; mv'\n",
    );
    fs::write(&bash_env, text).unwrap();
    let path = format!(
        "{}:{}",
        fixture.bin.display(),
        std::env::var("PATH").unwrap()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(fixture.script("events").strip_prefix(p).unwrap())
        .current_dir(p)
        .env("PATH", path)
        .env("FAKE_LOG", p.join("calls.log"))
        .env("ARCHC_LOCK_DIR", p.join("locks"))
        .env("CANARY", &canary)
        .env("BASH_ENV", &bash_env)
        .env("ENV", &bash_env)
        .env("CDPATH", &decoy)
        .env("GLOBIGNORE", "*")
        .env("SHELLOPTS", "noclobber:noglob")
        .env("IFS", "/")
        .env(
            "BASH_FUNC_sort%%",
            "() { echo \"exported sort in $0\" >> \"$CANARY\"; }",
        )
        .env(
            "BASH_FUNC_rsync%%",
            "() { echo \"exported rsync in $0\" >> \"$CANARY\"; }",
        );
    // The recording wrappers are bash too: they must not be the ones that touch the canary.
    let wrapped = sh(&mut cmd);
    assert_eq!(wrapped.code, 0, "{}{}", wrapped.stdout, wrapped.stderr);
    assert!(
        !canary.exists(),
        "a function, alias or option from the environment ran: {:?}",
        fs::read_to_string(&canary)
    );
    assert_final_state(&fixture);
    assert_eq!(
        crate::support::tree(&decoy),
        BTreeMap::new(),
        "the run wrote under CDPATH"
    );
}

/// Every step command of the run files in a directory, by id.
fn commands(runs: &Path) -> BTreeMap<String, Value> {
    let mut steps = BTreeMap::new();
    for entry in fs::read_dir(runs).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("_run_file.json") {
            continue;
        }
        let run: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        for storage in run["archival_details"].as_array().unwrap() {
            for step in storage["commands"].as_array().unwrap() {
                steps.insert(step["id"].as_str().unwrap().to_string(), step.clone());
            }
        }
    }
    steps
}

fn build_example(name: &str, out: &Path) {
    let run = sh(Command::new(env!("CARGO_BIN_EXE_archc"))
        .arg("build")
        .arg(root().join("examples").join(name))
        .arg("--out")
        .arg(out)
        .args(["--as-of", "2026-11-22T10:00:00Z"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

const SYSTEM_TOOLS: &[&str] = &[
    "aws",
    "gsutil",
    "hdfs",
    "spark-sql",
    "psql",
    "mysql",
    "pg_dump",
    "mysqldump",
    "curl",
    "rclone",
    "rsync",
];

/// A bin directory where every system tool records its call, and `awk` is `awk`.
fn recording_bin(dir: &Path, awk: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    for t in SYSTEM_TOOLS {
        symlink(root().join("tests/fakes/record"), bin.join(t)).unwrap();
    }
    symlink(awk, bin.join("awk")).unwrap();
    bin
}

/// The prelude every generated script starts with (from `set -euo pipefail` to the end
/// of its bash version check), taken from a built table script whose steps use the awk
/// name functions the prelude then defines.
fn prelude(out: &Path) -> String {
    let text = fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .map(|p| fs::read_to_string(p).unwrap())
        .find(|text| text.contains("\narchc_names='"))
        .unwrap();
    let start = text.find("set -euo pipefail\n").unwrap();
    let end = start + text[start..].find("\nfi\n").unwrap() + 4;
    text[start..end].to_string()
}

/// Runs one step's command text after the scripts' prelude, in `s`, in an environment
/// that would change what an unguarded script does (GLOBIGNORE, CDPATH).
fn run_command(prelude: &str, text: &str, s: &Path, bin: &Path, log: &Path) -> Run {
    sh(Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}\n{text}"))
        .current_dir(s)
        .env("GLOBIGNORE", "*")
        .env("CDPATH", "/")
        .env("S", s)
        .env("ARCHC_SQL_DIR", s)
        .env("RECORD_LOG", log)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        ))
}

/// What a state directory holds between steps, well formed: (file, contents).
const SAVED: &[(&str, &str)] = &[
    ("objects.tsv", "dt=2019-01-01/a\t1\n"),
    ("dirs.txt", "dt=2019-01-01\n"),
    ("objects.lst0", "./dt=2019-01-01/a\0"),
    ("objects.sizes", "1\n"),
    (
        "listing.tsv",
        "dt=2019-01-01/a\t1\t2019-01-01T00:00:00+00:00\t\"e\"\n",
    ),
    ("partitions.txt", "2019-01-01\n"),
    ("partition_column", "dt\n"),
    ("location", "s3://lake-raw/tables/\n"),
    ("attempt", "1\n"),
    ("rows.txt", "1\n"),
    ("day_rows.tsv", "2019-01-01\t1\t5\n"),
    ("digest.txt", "5\n"),
    ("archive_file", "public.readings.copy\n"),
];

/// Each file as an attacker with write access to a state directory would leave it, and
/// the part that must never reach a tool: a line that is not a canonical object, a path
/// that climbs out, a partition value that is SQL, a column name that is a filter
/// expression, a location that is not one. A `..` segment is a key like any other on
/// S3 and GCS; only HDFS paths would follow it.
const TAMPERED: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "objects.tsv",
        "dt=2019-01-01/a\t1\ndt=2019-01-01/b c\t2\n",
        "b c",
        None,
    ),
    (
        "objects.tsv",
        "dt=2019-01-01/a\t1\ndt=2019-01-01/../../live\t2\n",
        "live",
        Some("hdfs"),
    ),
    (
        "objects.tsv",
        "dt=2019-01-01/a\t1\ndt=2019-01-01/%2E%2E/%2E%2E/live\t2\n",
        "live",
        None,
    ),
    (
        "objects.tsv",
        "dt=2019-01-01/a\t1\ndt=2019-01-01/x%0A/etc/live\t2\n",
        "live",
        Some("hdfs"),
    ),
    (
        "objects.tsv",
        "dt=2019-01-01/a\t1\ndt=2019-01-01/x%0Ags://other/live\t2\n",
        "live",
        Some("gcs"),
    ),
    (
        "listing.tsv",
        "dt=2019-01-01/a\t1\t2019-01-01T00:00:00Z\ndt=2019-01-01/live\tx\n",
        "live",
        None,
    ),
    (
        "dirs.txt",
        "dt=2019-01-01\ndt=2019-01-01/../../live\n",
        "live",
        None,
    ),
    (
        "objects.lst0",
        "./dt=2019-01-01/a\0../../etc/passwd\0",
        "passwd",
        None,
    ),
    (
        "partitions.txt",
        "2019-01-01\n2019-01-02'); DROP TABLE wh.other; --\n",
        "DROP",
        None,
    ),
    ("partition_column", "dt >= '0' OR dt\n", "OR dt", None),
    ("location", "/etc/\n", "/etc", None),
    (
        "day_rows.tsv",
        "2019-01-01\t1\t5\n2019-01-02'; DROP TABLE x; --\t1\t5\n",
        "DROP",
        Some("postgres"),
    ),
    ("rows.txt", "1 OR true; DROP TABLE x; --\n", "DROP", None),
    (
        "digest.txt",
        "5 OR true; DROP TABLE x; --\n",
        "DROP",
        Some("postgres"),
    ),
];

/// Every step that reads a list or a saved value back from its state directory refuses a
/// tampered one before a system tool sees any of it. Each guard is tested alone: the
/// other files are well formed.
#[test]
fn tampered_lists_and_saved_values_are_refused_before_any_tool_runs() {
    let dir = temp();
    let mut steps = BTreeMap::new();
    for example in ["lakehouse", "coverage"] {
        let out = dir.path().join(example);
        build_example(example, &out);
        steps.extend(commands(&out.join("runs")));
    }
    let prelude = prelude(&dir.path().join("lakehouse"));
    let bin = recording_bin(dir.path(), &tool("awk").expect("awk"));
    let mut checked = BTreeMap::<(&str, String), usize>::new();
    for (n, (file, bad, marker, only)) in TAMPERED.iter().enumerate() {
        for (id, step) in &steps {
            if only.is_some_and(|system| step["system"] != system) {
                continue;
            }
            let text = step["command"].as_str().unwrap();
            // (A listing read back only gates: no tool ever sees it.)
            let list = !matches!(*file, "partition_column" | "location" | "listing.tsv");
            // A selection writes its lists and a describe its values; later steps read them.
            let about = step["command_about"].as_str().unwrap();
            let acts = step["destructive"].as_bool().unwrap()
                || matches!(about, "sync_source_to_archive" | "backup_data");
            let writes = about == "describe_table" || text.contains(&format!("> \"$S/{file}\""));
            if !text.contains(&format!("$S/{file}\"")) || (list && !acts) || writes {
                continue;
            }
            let s = dir.path().join("s").join(n.to_string()).join(id);
            fs::create_dir_all(&s).unwrap();
            for (name, good) in SAVED {
                fs::write(s.join(name), good).unwrap();
            }
            fs::write(s.join(file), bad).unwrap();
            let log = s.join("calls.log");
            let ran = run_command(&prelude, text, &s, &bin, &log);
            let calls = String::from_utf8_lossy(&fs::read(&log).unwrap_or_default()).into_owned();
            assert!(
                ran.stderr.contains("refusing"),
                "{id} read a tampered {file}: {}{}",
                ran.stdout,
                ran.stderr
            );
            assert!(
                !calls.contains(marker),
                "{id} passed a tampered {file} on: {calls}"
            );
            assert!(
                !list || (ran.code != 0 && calls.is_empty()),
                "{id} called a tool after reading a tampered {file}: {calls}"
            );
            *checked
                .entry((file, step["system"].as_str().unwrap().to_string()))
                .or_default() += 1;
        }
    }
    for want in [
        ("objects.tsv", "s3"),
        ("objects.tsv", "gcs"),
        ("objects.tsv", "hdfs"),
        ("dirs.txt", "s3"),
        ("objects.lst0", "local"),
        ("partitions.txt", "glue"),
        ("partitions.txt", "hive"),
        ("partition_column", "glue"),
        ("partition_column", "delta"),
        ("location", "s3"),
        ("day_rows.tsv", "postgres"),
        ("rows.txt", "postgres"),
        ("rows.txt", "delta"),
        ("digest.txt", "postgres"),
    ] {
        assert!(
            checked.contains_key(&(want.0, want.1.to_string())),
            "no {} step read a tampered {}: {:?}",
            want.1,
            want.0,
            checked.keys()
        );
    }
}

/// The S3 delete and the Glue drop build their JSON with awk: under mawk and gawk alike,
/// keys with quotes, backslashes, control characters and UTF-8 come out as the same,
/// valid JSON holding exactly those keys.
#[test]
fn json_built_by_awk_is_the_same_under_mawk_and_gawk() {
    let dir = temp();
    let out = dir.path().join("lakehouse");
    build_example("lakehouse", &out);
    let steps = commands(&out.join("runs"));
    let prelude = prelude(&out);
    let restore = restore_glue(&out, &dir.path().join("restore"));
    let delete = steps
        .values()
        .find(|s| {
            s["system"] == "s3"
                && s["command_about"] == "delete_source_data"
                && s["command"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("src='")
                    .trim_start_matches("src=")
                    .starts_with("s3://")
        })
        .expect("an S3 delete in lakehouse");
    let drop = steps
        .values()
        .find(|s| s["system"] == "glue" && s["command_about"] == "drop_table_partition")
        .expect("a Glue drop in lakehouse");
    // Canonical keys (%XX for bytes outside printable ASCII, and for %; quotes and
    // backslashes stay as they are).
    let keys = [
        ("dt=2019-01-01/q\"uote", "dt=2019-01-01/q\"uote"),
        ("dt=2019-01-01/back\\slash", "dt=2019-01-01/back\\slash"),
        (
            "dt=2019-01-01/tab%09new%0Aline",
            "dt=2019-01-01/tab\tnew\nline",
        ),
        (
            "dt=2019-01-01/caf%C3%A9%20%E4%B8%AD",
            "dt=2019-01-01/café 中",
        ),
        ("dt=2019-01-01/pct%25-$(x)", "dt=2019-01-01/pct%-$(x)"),
    ];
    let mut seen = Vec::new();
    for awk in ["mawk", "gawk"] {
        let Some(path) = tool(awk) else {
            panic!("{awk} is not installed (scripts/test.sh installs it)");
        };
        let base = dir.path().join(awk);
        let bin = recording_bin(&base, &path);
        let s = base.join("s");
        fs::create_dir_all(&s).unwrap();
        let listing: String = keys.iter().map(|(k, _)| format!("{k}\t5\n")).collect();
        fs::write(s.join("objects.tsv"), &listing).unwrap();
        fs::write(s.join("listing.tsv"), listing.replace('\n', "\tt\te\n")).unwrap();
        listing_source(&bin, &s, delete, &keys);
        fs::write(s.join("dirs.txt"), "dt=2019-01-01\n").unwrap();
        fs::write(s.join("partitions.txt"), "2019-01-01\n2019-01-02\n").unwrap();
        let log = base.join("calls.log");
        for step in [delete, drop] {
            let ran = run_command(&prelude, step["command"].as_str().unwrap(), &s, &bin, &log);
            assert_eq!(ran.code, 0, "{awk} {}: {}", step["id"], ran.stderr);
        }
        let batch = fs::read(s.join("delete.0.json")).unwrap();
        let parsed: Value = serde_json::from_slice(&batch)
            .unwrap_or_else(|e| panic!("{awk}: {e}: {}", String::from_utf8_lossy(&batch)));
        let got: Vec<&str> = parsed["Objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["Key"].as_str().unwrap())
            .collect();
        let prefix = delete_prefix(delete["command"].as_str().unwrap());
        let want: Vec<String> = keys
            .iter()
            .map(|(_, raw)| format!("{prefix}{raw}"))
            .collect();
        assert_eq!(got, want, "{awk}");
        let calls = fs::read(&log).unwrap();
        let sent = format!("file://{}/delete.0.json", s.display());
        assert!(
            String::from_utf8_lossy(&calls).contains(&sent),
            "{awk}: the batch was never sent"
        );
        let drop_arg = partitions_arg(&calls).expect("the drop called aws glue");
        let parsed: Value = serde_json::from_str(&drop_arg).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([{"Values": ["2019-01-01"]}, {"Values": ["2019-01-02"]}]),
            "{awk}"
        );
        let partitions = restored_partitions(&prelude, &restore, &base, &path);
        seen.push((batch, drop_arg, partitions));
    }
    assert_eq!(seen[0], seen[1], "mawk and gawk wrote different bytes");
}

/// The add-partitions step of a restore of lakehouse's Glue table.
fn restore_glue(out: &Path, to: &Path) -> Value {
    let run = sh(Command::new(env!("CARGO_BIN_EXE_archc"))
        .arg("restore")
        .arg(out.join("runs/lakehouse_archival_customers_2026112210_run_file.json"))
        .args(["--lifecycle", "bronze", "--out"])
        .arg(to));
    assert_eq!(run.code, 0, "{}", run.stderr);
    commands(to)
        .into_values()
        .find(|s| s["command_about"] == "add_partitions")
        .expect("a Glue restore adds partitions")
}

/// Runs the restore's add-partitions step under `awk` with a table location holding a
/// quote, a backslash and `&` (each special to JSON or to awk's sub()), and returns the
/// partition batch it wrote, checked to hold that location.
fn restored_partitions(prelude: &str, step: &Value, base: &Path, awk: &Path) -> Vec<u8> {
    let bin = base.join("restore-bin");
    fs::create_dir_all(&bin).unwrap();
    symlink(awk, bin.join("awk")).unwrap();
    let sd = base.join("sd.json");
    fs::write(
        &sd,
        "{\n    \"Location\": \"s3://lake/old\\\"path/\",\n    \"InputFormat\": \"x\"\n}\n",
    )
    .unwrap();
    let aws = format!(
        "#!/bin/sh\ncase \"$*\" in *get-table*) cat '{}' ;; esac\nexec '{}' \"$@\"\n",
        sd.display(),
        root().join("tests/fakes/record").display()
    );
    fs::write(bin.join("aws"), aws).unwrap();
    fs::set_permissions(bin.join("aws"), fs::Permissions::from_mode(0o755)).unwrap();
    let s = base.join("restore-s");
    fs::create_dir_all(&s).unwrap();
    let location = "s3://lake/we\"ird\\&x/";
    fs::write(s.join("location"), format!("{location}\n")).unwrap();
    fs::write(s.join("partition_column"), "dt\n").unwrap();
    fs::write(s.join("dirs.txt"), "dt=2019-01-01\n").unwrap();
    let log = base.join("restore.log");
    let ran = run_command(prelude, step["command"].as_str().unwrap(), &s, &bin, &log);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let batch = fs::read(s.join("partitions.0.json")).unwrap();
    let parsed: Value = serde_json::from_slice(&batch)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&batch)));
    assert_eq!(parsed[0]["Values"], serde_json::json!(["2019-01-01"]));
    assert_eq!(
        parsed[0]["StorageDescriptor"]["Location"],
        format!("{location}dt=2019-01-01/")
    );
    assert_eq!(parsed[0]["StorageDescriptor"]["InputFormat"], "x");
    batch
}

/// The key prefix the S3 delete puts before each listed key (`src=s3://bucket/prefix`).
/// The delete lists the source before it deletes: `aws s3api list-objects-v2` answers
/// with the keys (below the delete's prefix) as they were selected; every other call is
/// recorded.
fn listing_source(bin: &Path, s: &Path, delete: &Value, keys: &[(&str, &str)]) {
    let prefix = delete_prefix(delete["command"].as_str().unwrap());
    let text: String = keys
        .iter()
        .map(|(k, _)| format!("{prefix}{k}\t5\tt\te\n"))
        .collect();
    fs::write(s.join("source.txt"), text).unwrap();
    let recorder = bin.join("recorder");
    fs::create_dir_all(&recorder).unwrap();
    symlink(root().join("tests/fakes/record"), recorder.join("aws")).unwrap();
    fs::remove_file(bin.join("aws")).unwrap();
    let script = format!(
        "#!/usr/bin/env bash\ncase \" $* \" in *\" list-objects-v2 \"*) exec cat {};; esac\nexec {} \"$@\"\n",
        shell_quote(&s.join("source.txt")),
        shell_quote(&recorder.join("aws"))
    );
    fs::write(bin.join("aws"), script).unwrap();
    fs::set_permissions(bin.join("aws"), fs::Permissions::from_mode(0o755)).unwrap();
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

fn delete_prefix(command: &str) -> String {
    let src = command
        .lines()
        .find_map(|l| l.strip_prefix("src="))
        .unwrap()
        .trim_matches('\'');
    let (_, key) = src.trim_start_matches("s3://").split_once('/').unwrap();
    key.to_string()
}

/// The `--partitions-to-delete` argument of the first recorded call.
fn partitions_arg(log: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(log);
    let fields: Vec<&str> = text.split('\0').collect();
    fields
        .windows(2)
        .find(|w| w[0] == "--partitions-to-delete")
        .map(|w| w[1].to_string())
}
