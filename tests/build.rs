//! `archc build`: run files, determinism, reuse, and nothing written on failure.

use crate::support::{archc, combined, snapshots, temp, tree};

const AS_OF: &str = "2026-11-21T10:00:00Z";

fn build(args: &[&str], out: &std::path::Path) -> crate::support::Run {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    archc(&all)
}

#[test]
fn lakehouse_run_files_are_pinned() {
    let out = temp();
    let run = build(
        &["examples/lakehouse", "--as-of", AS_OF, "--dry-run"],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = tree(out.path());
    assert_eq!(files.len(), 6, "{:?}", files.keys());
    assert!(files
        .keys()
        .all(|k| k.starts_with("runs/lakehouse_archival_")
            && k.ends_with("_2026112110_run_file.json")));
    snapshots().bind(|| insta::assert_snapshot!("build__lakehouse_run_files", combined(&files)));
}

#[test]
fn the_seed_example_builds() {
    let out = temp();
    let run = build(
        &[
            "examples/seed",
            "--as-of",
            AS_OF,
            "--dry-run",
            "--system",
            "seed",
        ],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = tree(out.path());
    snapshots().bind(|| insta::assert_snapshot!("build__seed_run_file", combined(&files)));
}

#[test]
fn same_inputs_same_bytes_whatever_the_order() {
    let (a, b) = (temp(), temp());
    let files = [
        "examples/seed/tablname.json",
        "examples/warnings/A042-date-gap/t.json",
    ];
    let first = build(
        &[files[0], files[1], "--as-of", AS_OF, "--dry-run"],
        a.path(),
    );
    let second = build(
        &[files[1], files[0], "--as-of", AS_OF, "--dry-run"],
        b.path(),
    );
    assert_eq!(
        (first.code, second.code),
        (0, 0),
        "{}{}",
        first.stderr,
        second.stderr
    );
    assert_eq!(tree(a.path()), tree(b.path()));
    let again = temp();
    build(
        &["examples/lakehouse", "--as-of", AS_OF, "--dry-run"],
        again.path(),
    );
    let once_more = temp();
    build(
        &["examples/lakehouse", "--as-of", AS_OF, "--dry-run"],
        once_more.path(),
    );
    assert_eq!(tree(again.path()), tree(once_more.path()));
}

#[test]
fn a_run_file_from_the_last_hour_is_reused_unless_forced() {
    let out = temp();
    let args = ["examples/seed/tablname.json", "--dry-run", "--as-of"];
    let first = build(&[&args[..], &["2026-11-21T10:05:00Z"]].concat(), out.path());
    assert!(
        first
            .stdout
            .contains("wrote runs/archc_archival_tablname_2026112110_run_file.json"),
        "{}",
        first.stdout
    );
    let within = build(&[&args[..], &["2026-11-21T11:04:59Z"]].concat(), out.path());
    assert!(
        within
            .stdout
            .contains("reused runs/archc_archival_tablname_2026112110_run_file.json"),
        "{}",
        within.stdout
    );
    assert_eq!(tree(out.path()).len(), 1);
    let later = build(&[&args[..], &["2026-11-21T11:05:00Z"]].concat(), out.path());
    assert!(
        later
            .stdout
            .contains("wrote runs/archc_archival_tablname_2026112111_run_file.json"),
        "{}",
        later.stdout
    );
    let forced = build(
        &[&args[..], &["2026-11-21T11:30:00Z", "--force-run"]].concat(),
        out.path(),
    );
    assert!(
        forced
            .stdout
            .contains("wrote runs/archc_archival_tablname_2026112111_run_file.json"),
        "{}",
        forced.stdout
    );
    let run: serde_json::Value = serde_json::from_str(
        &tree(out.path())["runs/archc_archival_tablname_2026112111_run_file.json"],
    )
    .unwrap();
    assert_eq!(run["as_of"], "2026-11-21T11:30:00Z");
}

/// A run file of the same hour is reused only when this config plans exactly it: a changed
/// config or an edited run file is planned again (and said so).
#[test]
fn a_recent_run_file_is_reused_only_when_it_is_what_the_config_plans() {
    let repo = temp();
    let table = repo.path().join("t.json");
    let seed = std::fs::read_to_string(crate::support::root().join("examples/seed/tablname.json"))
        .unwrap();
    std::fs::write(&table, &seed).unwrap();
    let out = temp();
    let args = |at: &str| {
        vec![
            table.to_str().unwrap().to_string(),
            "--dry-run".into(),
            "--as-of".into(),
            at.to_string(),
        ]
    };
    let run = |at: &str| {
        let a = args(at);
        build(
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
            out.path(),
        )
    };
    let name = "runs/archc_archival_tablname_2026112110_run_file.json";
    assert!(run("2026-11-21T10:05:00Z").stdout.contains("wrote"));
    assert!(run("2026-11-21T10:20:00Z").stdout.contains("reused"));

    std::fs::write(
        &table,
        seed.replace("\"data_archive_before\" : 2", "\"data_archive_before\" : 3"),
    )
    .unwrap();
    let changed = run("2026-11-21T10:30:00Z");
    assert!(
        changed.stdout.contains(&format!("wrote {name}")),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stderr.contains("planned again"),
        "{}",
        changed.stderr
    );
    let text = tree(out.path())[name].clone();
    assert!(
        text.contains("\"data_archive_before\": 3"),
        "the new config was planned"
    );

    let edited = text.replacen("rclone copy", "rclone sync --delete-after", 1);
    assert_ne!(edited, text);
    std::fs::write(out.path().join(name), edited).unwrap();
    let tampered = run("2026-11-21T10:40:00Z");
    assert!(
        tampered.stdout.contains(&format!("wrote {name}")),
        "{}",
        tampered.stdout
    );
    let replaced = &tree(out.path())[name];
    assert!(
        !replaced.contains("--delete-after") && replaced.contains("10:40:00"),
        "the edited run file was planned again"
    );
}

#[test]
fn nothing_is_written_when_check_fails() {
    let out = temp();
    let run = build(
        &[
            "examples/lakehouse",
            "examples/invalid/A041-date-overlap",
            "--as-of",
            AS_OF,
        ],
        out.path(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("nothing written"));
    assert!(tree(out.path()).is_empty());
}

#[test]
fn windows_follow_the_as_of_date() {
    let out = temp();
    let run = build(
        &["examples/seed", "--as-of", "2020-03-15", "--dry-run"],
        out.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = &tree(out.path())["runs/archc_archival_tablname_2020031500_run_file.json"];
    let run: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(run["cutoff"], "2020-01-01");
    let windows: Vec<_> = run["archival_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["window"].clone())
        .collect();
    assert_eq!(
        windows[0],
        serde_json::json!({"start": "2019-01-01", "end": "2020-01-01"})
    );
}

/// One validation path: whatever check accepts, build builds (scripts included).
#[test]
fn every_example_that_check_accepts_also_builds() {
    let mut dirs = vec![
        "examples/lakehouse".to_string(),
        "examples/coverage".to_string(),
        "examples/seed".to_string(),
    ];
    for group in ["warnings", "invalid"] {
        for entry in std::fs::read_dir(crate::support::root().join("examples").join(group)).unwrap()
        {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let dir = format!("examples/{group}/{name}");
            let current = format!("{dir}/current");
            if crate::support::root().join(&current).is_dir() {
                dirs.push(current);
            } else {
                dirs.push(dir);
            }
        }
    }
    let mut built = 0;
    for dir in dirs {
        if archc(&["check", &dir]).code != 0 {
            continue;
        }
        let out = temp();
        let run = build(&[&dir, "--as-of", AS_OF], out.path());
        assert_eq!(
            run.code, 0,
            "{dir} passes check but does not build: {}",
            run.stderr
        );
        built += 1;
    }
    assert!(built >= 6, "{built} examples built");
}

/// The run directory is replaced whole or not at all, and no link in --out is followed.
#[test]
fn a_build_replaces_the_run_directory_whole_and_follows_no_link() {
    let out = temp();
    let first = build(&["examples/lakehouse", "--as-of", AS_OF], out.path());
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = tree(out.path());

    // A path the next build needs is blocked: nothing of the build lands.
    let blocked = out
        .path()
        .join("runs/lakehouse_archival_orders_2026112210.sql");
    std::fs::write(&blocked, "in the way").unwrap();
    let failed = build(
        &["examples/lakehouse", "--as-of", "2026-11-22T10:00:00Z"],
        out.path(),
    );
    assert_ne!(failed.code, 0, "{}", failed.stdout);
    let mut expected = before.clone();
    expected.insert(
        "runs/lakehouse_archival_orders_2026112210.sql".into(),
        "in the way".into(),
    );
    assert_eq!(
        tree(out.path()),
        expected,
        "the old run directory is untouched"
    );
    std::fs::remove_file(&blocked).unwrap();

    // A later build keeps the earlier run files and adds its own.
    let later = build(
        &["examples/lakehouse", "--as-of", "2026-11-22T10:00:00Z"],
        out.path(),
    );
    assert_eq!(later.code, 0, "{}", later.stderr);
    let after = tree(out.path());
    assert!(before.keys().all(|k| after.contains_key(k)));
    assert!(after.keys().any(|k| k.contains("2026112210")));

    // runs/ as a link elsewhere is refused, and the place it points at stays empty.
    let elsewhere = temp();
    let linked = temp();
    std::os::unix::fs::symlink(elsewhere.path(), linked.path().join("runs")).unwrap();
    let refused = build(&["examples/lakehouse", "--as-of", AS_OF], linked.path());
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        tree(elsewhere.path()).is_empty(),
        "nothing written through the link"
    );
}
