//! Ordering properties every plan must have before anything is written, checked by step
//! role. A violation is a bug in archc (or a tampered run file), never a user error.

use std::collections::BTreeSet;

use crate::output::runfile::{ArchivalDetail, Command, RunFile};
use crate::plan::step::Role;

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
        if command.destructive != command.command_about.destructive() {
            out.push(format!(
                "{}: marked destructive={} but a {} step is {}",
                command.id,
                command.destructive,
                command.command_about,
                if command.command_about.destructive() {
                    "destructive"
                } else {
                    "not destructive"
                }
            ));
        }
    }
    for detail in &run.archival_details {
        per_storage(detail, &mut out);
    }
    match run.restore {
        None => lifecycle_order(run, &mut out),
        Some(_) => never_deletes(run, &mut out),
    }
    dense(run, &mut out);
    out
}

fn role(c: &Command) -> Role {
    c.command_about.role()
}

fn seqs<'a>(
    detail: &'a ArchivalDetail,
    pick: impl Fn(Role) -> bool + 'a,
) -> impl Iterator<Item = u32> + 'a {
    detail
        .commands
        .iter()
        .filter(move |c| pick(role(c)))
        .map(|c| c.seq)
}

fn per_storage(detail: &ArchivalDetail, out: &mut Vec<String>) {
    let name = format!(
        "{}.{}",
        detail.lifecycle_name, detail.lifecycle_storage_name
    );
    let copies: Vec<&Command> = detail
        .commands
        .iter()
        .filter(|c| role(c) == Role::Copy)
        .collect();
    let destructive: Vec<&Command> = detail
        .commands
        .iter()
        .filter(|c| role(c).destructive())
        .collect();
    if copies.len() > 1 {
        out.push(format!("{name}: more than one copy into the archive"));
    }
    let Some(first_destructive) = destructive.iter().map(|c| c.seq).min() else {
        return;
    };
    let archive_check = copies.first().and_then(|c| c.verify.as_ref());
    match (copies.first(), archive_check) {
        (Some(copy), Some(_)) if copy.seq < first_destructive => {}
        _ => out.push(format!(
            "{name}: a destructive step runs before a verified copy to the archive"
        )),
    }
    for step in &destructive {
        if step.precondition.is_none() {
            out.push(format!(
                "{}: destructive step without a verification gate",
                step.id
            ));
        } else if step.precondition.as_ref() != archive_check {
            out.push(format!(
                "{}: destructive step not gated by its storage's archive check",
                step.id
            ));
        }
    }
    if seqs(detail, |r| r == Role::Select)
        .max()
        .is_none_or(|s| s >= first_destructive)
    {
        out.push(format!(
            "{name}: the list of what to act on is not recorded before the first destructive step"
        ));
    }
    if let (Some(backup), Some(first)) = (
        seqs(detail, |r| r == Role::Backup).max(),
        seqs(detail, |r| !r.reads_only() && r != Role::Backup).min(),
    ) {
        if backup >= first {
            out.push(format!(
                "{name}: the backup is not taken before everything else"
            ));
        }
    }
    let drops = seqs(detail, |r| r == Role::Drop).max();
    let deletes = seqs(detail, |r| r == Role::Delete).min();
    if let (Some(drop), Some(delete)) = (drops, deletes) {
        if drop >= delete {
            out.push(format!(
                "{name}: metastore partitions are dropped after their data is deleted"
            ));
        }
    }
    if let (Some(after), Some(last)) = (
        seqs(detail, |r| r == Role::After).min(),
        seqs(detail, Role::destructive).max(),
    ) {
        if after <= last {
            out.push(format!(
                "{name}: housekeeping runs before the delete finished"
            ));
        }
    }
}

/// Every step of a lower lifecycle order finishes before any step of a higher one.
fn lifecycle_order(run: &RunFile, out: &mut Vec<String>) {
    let mut by_order: std::collections::BTreeMap<u32, (u32, u32, &str)> = Default::default();
    for d in &run.archival_details {
        let (Some(lo), Some(hi)) = (
            d.commands.iter().map(|c| c.seq).min(),
            d.commands.iter().map(|c| c.seq).max(),
        ) else {
            continue;
        };
        let entry = by_order
            .entry(d.lifecycle_order)
            .or_insert((lo, hi, &d.lifecycle_name));
        entry.0 = entry.0.min(lo);
        entry.1 = entry.1.max(hi);
    }
    let orders: Vec<_> = by_order.iter().collect();
    for pair in orders.windows(2) {
        let ((a_order, (_, a_max, a_name)), (b_order, (b_min, _, b_name))) = (pair[0], pair[1]);
        if a_max >= b_min {
            out.push(format!(
                "lifecycle `{a_name}` (order {a_order}) overlaps `{b_name}` (order {b_order})"
            ));
        }
    }
}

/// A restore only copies back and adds partitions: nothing in it may delete.
fn never_deletes(run: &RunFile, out: &mut Vec<String>) {
    for (_, c) in run.commands() {
        if role(c).destructive() || c.destructive {
            out.push(format!("{}: a restore never deletes", c.id));
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
    use crate::output::runfile::{ArchivalDetail, Command};
    use crate::plan::step::StepKind;

    fn cmd(about: &str, seq: u32) -> Command {
        let kind: StepKind = serde_json::from_value(about.into()).unwrap();
        let destructive = kind.destructive();
        Command {
            id: format!("raw.s3.{about}"),
            seq,
            system: "s3".into(),
            command_about: kind,
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
            partitions: None,
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
            template_overrides: Default::default(),
            restore: None,
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
            ("not gated by its storage's archive check", {
                let mut c = sound();
                c[2].precondition = Some("true".into());
                c
            }),
            ("marked destructive=false", {
                let mut c = sound();
                c[3].destructive = false;
                c
            }),
            ("more than one copy", {
                let mut c = sound();
                c.insert(1, cmd("export_rows", 1));
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
