//! Ordering properties every plan must have before anything is written. A violation
//! is a bug in archc (or in a template override), never a user error.

use std::collections::BTreeSet;

use crate::runfile::{ArchivalDetail, RunFile};

const COPY_STEPS: &[&str] = &[
    "sync_source_to_archive",
    "export_rows",
    "archive_rows",
    "snapshot_index",
];
const SELECT_STEPS: &[&str] = &["select_objects", "select_partitions", "count_rows"];
const MOVE_TOOLS: &[&str] = &[
    "aws s3 mv",
    "gsutil mv",
    "gsutil -m mv",
    "hdfs dfs -mv",
    "--remove-source-files",
];

/// Every violated property, described; empty when the plan is sound.
pub fn check(run: &RunFile) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids = BTreeSet::new();
    for (_, command) in run.commands() {
        if !ids.insert(&command.id) {
            out.push(format!("step id `{}` is not unique", command.id));
        }
        if let Some(tool) = MOVE_TOOLS.iter().find(|t| command.command.contains(*t)) {
            out.push(format!(
                "{}: moves data (`{tool}`); archival copies, then deletes",
                command.id
            ));
        }
        if command.destructive && command.precondition.is_none() {
            out.push(format!(
                "{}: destructive step without a verification gate",
                command.id
            ));
        }
    }
    for detail in &run.archival_details {
        per_storage(detail, &mut out);
    }
    lifecycle_order(run, &mut out);
    dense(run, &mut out);
    out
}

fn seqs<'a>(detail: &'a ArchivalDetail, abouts: &'a [&str]) -> impl Iterator<Item = u32> + 'a {
    detail
        .commands
        .iter()
        .filter(move |c| abouts.contains(&c.command_about.as_str()))
        .map(|c| c.seq)
}

fn per_storage(detail: &ArchivalDetail, out: &mut Vec<String>) {
    let name = format!(
        "{}.{}",
        detail.lifecycle_name, detail.lifecycle_storage_name
    );
    let destructive: Vec<u32> = detail
        .commands
        .iter()
        .filter(|c| c.destructive)
        .map(|c| c.seq)
        .collect();
    let Some(first_destructive) = destructive.iter().min().copied() else {
        return;
    };
    let verified_copy = detail
        .commands
        .iter()
        .filter(|c| COPY_STEPS.contains(&c.command_about.as_str()) && c.verify.is_some())
        .map(|c| c.seq)
        .max();
    match verified_copy {
        Some(copy) if copy < first_destructive => {}
        _ => out.push(format!(
            "{name}: a destructive step runs before a verified copy to the archive"
        )),
    }
    if seqs(detail, SELECT_STEPS)
        .max()
        .is_none_or(|s| s >= first_destructive)
    {
        out.push(format!(
            "{name}: the list of what to act on is not recorded before the first destructive step"
        ));
    }
    let others = detail
        .commands
        .iter()
        .filter(|c| c.command_about != "backup_data" && c.command_about != "backup_delta_log");
    let non_reading = others.filter(|c| {
        !SELECT_STEPS.contains(&c.command_about.as_str())
            && !matches!(
                c.command_about.as_str(),
                "describe_table" | "record_history"
            )
    });
    if let (Some(backup), Some(first)) = (
        seqs(detail, &["backup_data", "backup_delta_log"]).max(),
        non_reading.map(|c| c.seq).min(),
    ) {
        if backup >= first {
            out.push(format!(
                "{name}: the backup is not taken before everything else"
            ));
        }
    }
    let drops = seqs(detail, &["drop_table_partition"]).max();
    let deletes = seqs(detail, &["delete_source_data", "delete_delta_data"]).min();
    if let (Some(drop), Some(delete)) = (drops, deletes) {
        if drop >= delete {
            out.push(format!(
                "{name}: metastore partitions are dropped after their data is deleted"
            ));
        }
    }
}

/// Every step of a lower lifecycle order finishes before any step of a higher one.
fn lifecycle_order(run: &RunFile, out: &mut Vec<String>) {
    for a in &run.archival_details {
        for b in run
            .archival_details
            .iter()
            .filter(|b| b.lifecycle_order > a.lifecycle_order)
        {
            let a_max = a.commands.iter().map(|c| c.seq).max();
            let b_min = b.commands.iter().map(|c| c.seq).min();
            if let (Some(a_max), Some(b_min)) = (a_max, b_min) {
                if a_max >= b_min {
                    out.push(format!(
                        "lifecycle `{}` (order {}) overlaps `{}` (order {})",
                        a.lifecycle_name, a.lifecycle_order, b.lifecycle_name, b.lifecycle_order
                    ));
                }
            }
        }
    }
}

fn dense(run: &RunFile, out: &mut Vec<String>) {
    let used: BTreeSet<u32> = run.commands().map(|(_, c)| c.seq).collect();
    if used.iter().enumerate().any(|(i, s)| i as u32 != *s) {
        out.push("seq values are not consecutive from 0".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runfile::{ArchivalDetail, Command};

    fn cmd(about: &str, seq: u32) -> Command {
        let destructive = about.starts_with("delete") || about.starts_with("drop");
        Command {
            id: format!("raw.s3.{about}"),
            seq,
            system: "s3".into(),
            command_about: about.into(),
            destructive,
            precondition: destructive.then(|| "check".to_string()),
            command: "true".into(),
            verify: (about == "sync_source_to_archive").then(|| "check".to_string()),
            sql: Vec::new(),
        }
    }

    fn detail(lifecycle: &str, order: u32, commands: Vec<Command>) -> ArchivalDetail {
        ArchivalDetail {
            lifecycle_name: lifecycle.into(),
            lifecycle_order: order,
            lifecycle_storage_name: "s3".into(),
            storage: "s3".into(),
            archival_type: None,
            archive_basis: "partition_date".into(),
            archival_object_detail: serde_json::json!({}),
            starting_storage_date: "01-Jan-2019".into(),
            ending_storage_date: String::new(),
            window: None,
            archive_location: None,
            backup_location: None,
            state_dir: format!("{lifecycle}.s3"),
            notes: Vec::new(),
            commands: commands
                .into_iter()
                .map(|mut c| {
                    c.id = c.id.replace("raw.", &format!("{lifecycle}."));
                    c
                })
                .collect(),
        }
    }

    fn run(details: Vec<ArchivalDetail>) -> RunFile {
        RunFile {
            format_version: 1,
            system: "s".into(),
            table_name: "t".into(),
            archival_date_time: String::new(),
            as_of: String::new(),
            run_id: "2026112110".into(),
            cutoff: "2026-09-01".into(),
            data_archive_before: 2,
            data_archive_before_period: "month".into(),
            depends_on: Vec::new(),
            source_file: "t.json".into(),
            source_sha256: String::new(),
            archival_details: details,
        }
    }

    fn sound() -> Vec<Command> {
        vec![
            cmd("select_objects", 0),
            cmd("sync_source_to_archive", 1),
            cmd("drop_table_partition", 2),
            cmd("delete_source_data", 3),
        ]
    }

    #[test]
    fn a_sound_plan_passes() {
        assert!(check(&run(vec![detail("raw", 1, sound())])).is_empty());
    }

    #[test]
    fn every_broken_property_is_named() {
        let cases: Vec<(&str, Vec<Command>)> = vec![
            ("without a verification gate", {
                let mut c = sound();
                c[3].precondition = None;
                c
            }),
            ("before a verified copy", {
                let mut c = sound();
                c[1].verify = None;
                c
            }),
            ("dropped after their data is deleted", {
                let mut c = sound();
                c[2].seq = 3;
                c[3].seq = 2;
                c
            }),
            ("moves data", {
                let mut c = sound();
                c[1].command = "aws s3 mv s3://a s3://b".into();
                c
            }),
            ("not recorded before the first destructive step", {
                let mut c = sound();
                c[0].seq = 3;
                c
            }),
            ("not consecutive", {
                let mut c = sound();
                c[3].seq = 7;
                c
            }),
        ];
        for (expected, commands) in cases {
            let found = check(&run(vec![detail("raw", 1, commands)]));
            assert!(
                found.iter().any(|f| f.contains(expected)),
                "{expected}: {found:?}"
            );
        }
    }

    #[test]
    fn lifecycles_must_not_overlap() {
        let late: Vec<Command> = sound()
            .into_iter()
            .map(|mut c| {
                c.seq += 2;
                c
            })
            .collect();
        let found = check(&run(vec![
            detail("raw", 1, sound()),
            detail("bronze", 2, late),
        ]));
        assert!(found.iter().any(|f| f.contains("overlaps")), "{found:?}");
        let later: Vec<Command> = sound()
            .into_iter()
            .map(|mut c| {
                c.seq += 4;
                c
            })
            .collect();
        assert!(check(&run(vec![
            detail("raw", 1, sound()),
            detail("bronze", 2, later)
        ]))
        .is_empty());
    }
}
