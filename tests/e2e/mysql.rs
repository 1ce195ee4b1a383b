//! MariaDB: rows by a date column, exported with mysqldump (one INSERT per row), checked,
//! deleted in one transaction. Real mysql/mysqldump + mariadbd.

use std::collections::BTreeMap;
use std::fs;

use serde_json::json;

use crate::harness::{
    exercise, failing_tool, late_write, late_write_after_the_delete, late_write_restored,
    late_writes_as_many_as_archived, named, refused, restore, restore_into, service,
    state_lost_after_the_delete, unflushed, updated_after_the_export, Case, Fault, Scenario,
    CUTOFF,
};
use crate::postgres::rows;

struct Customers {
    env: Vec<(String, String)>,
}

fn inserts(dump: &str) -> BTreeMap<String, String> {
    dump.lines()
        .filter(|l| l.starts_with("INSERT INTO"))
        .map(|l| {
            let id: u32 = l
                .split('(')
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (format!("{id:03}"), l.to_string())
        })
        .collect()
}

fn database(case: &Case) -> String {
    case.var("E2E_DATABASE").to_string()
}

fn dump_all(case: &Case) -> String {
    dump_table(case, "events")
}

fn dump_table(case: &Case, table: &str) -> String {
    case.tool(
        "mysqldump",
        &[
            "--single-transaction",
            "--no-create-info",
            "--skip-extended-insert",
            "--skip-dump-date",
            &database(case),
            table,
        ],
    )
    .stdout
}

impl Scenario for Customers {
    fn fresh(&self, tag: &str) -> Case {
        let db = format!("e2e_{}_{}", tag.replace('-', "_"), std::process::id());
        let dir = crate::support::temp();
        let project = json!({"system": "e2e", "archive_roots": {"dumps": dir.path().join("dumps").to_str().unwrap()}});
        let table = json!({
            "raw": {"order": 1, "crm": {"storage": "mysql", "archival_object_detail": {"database": db, "table_name": "events", "date_column": "event_date"}, "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        // Client settings come from an option file, as on a runner: HOME/.my.cnf.
        let (host, port) = (&self.env[0].1, &self.env[1].1);
        fs::write(
            dir.path().join(".my.cnf"),
            format!("[client]\nhost={host}\nport={port}\nuser=root\n"),
        )
        .unwrap();
        let env = vec![
            ("HOME".into(), dir.path().to_str().unwrap().to_string()),
            ("E2E_DATABASE".into(), db.clone()),
        ];
        let case = Case::build_in(dir, project, "customers", table, env);
        let mut sql = format!("CREATE DATABASE {db};\nUSE {db};\nCREATE TABLE events (id INT PRIMARY KEY, event_date DATE NOT NULL, note TEXT);\n");
        for (id, day, note) in rows() {
            let note = note
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace('\n', "\\n")
                .replace('\t', "\\t");
            sql.push_str(&format!(
                "INSERT INTO events VALUES ({id}, '{day}', '{note}');\n"
            ));
        }
        let file = case.path("seed.sql");
        fs::write(&file, sql).unwrap();
        case.tool("mysql", &["-e", &format!("source {}", file.display())]);
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let run = case.path("dumps/customers/raw/crm/run=2026112110");
        crate::harness::Seen {
            source: inserts(&dump_all(case)),
            archive: named(&run, "events.sql")
                .iter()
                .flat_map(|f| inserts(&fs::read_to_string(f).unwrap()))
                .collect(),
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        rows()
            .into_iter()
            .map(|(id, day, note)| {
                let note = note
                    .replace('\\', "\\\\")
                    .replace('\'', "\\'")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n");
                let line = format!("INSERT INTO `events` VALUES ({id},'{day}','{note}');");
                (format!("{id:03}"), (line, day.as_str() < CUTOFF))
            })
            .collect()
    }

    fn corrupt_archive(&self, case: &Case) {
        let file = case.path("dumps/customers/raw/crm/run=2026112110/events.sql");
        let text = fs::read_to_string(&file).unwrap();
        let first = text
            .lines()
            .position(|l| l.starts_with("INSERT INTO"))
            .unwrap();
        let kept: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != first)
            .map(|(_, l)| l)
            .collect();
        fs::write(file, kept.join("\n")).unwrap();
    }

    fn gated_step(&self) -> &'static str {
        "raw.crm.delete_rows"
    }

    /// The table's engine (mysql), the connection options of mysql and of mysqldump
    /// (`--print-defaults`), then the client that deletes.
    fn deleting_call(&self) -> usize {
        4
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let sql = format!(
            "INSERT INTO {}.events VALUES (900, '2026-08-20', 'late')",
            database(case)
        );
        case.tool("mysql", &["-e", &sql]);
        Some((
            "900".into(),
            "INSERT INTO `events` VALUES (900,'2026-08-20','late');".into(),
        ))
    }
}

fn customers() -> Option<Customers> {
    let host = service("ARCHC_E2E_MYSQL_HOST")?;
    let port = std::env::var("ARCHC_E2E_MYSQL_PORT").unwrap();
    Some(Customers {
        env: vec![("MYSQL_HOST".into(), host), ("MYSQL_TCP_PORT".into(), port)],
    })
}

#[test]
fn mariadb_late_rows_are_archived_before_the_delete() {
    let Some(scenario) = customers() else { return };
    late_write(&scenario, "maria");
}

#[test]
fn mariadb_rows_by_date_column() {
    let Some(scenario) = customers() else { return };
    exercise(&scenario, "maria");
}

#[test]
fn mariadb_rows_are_restored() {
    let Some(scenario) = customers() else { return };
    restore(&scenario, "maria");
}

/// The second half of July, into another (empty) table of the same database: exactly
/// those rows arrive, the source and the archive stay as the run left them.
#[test]
fn mariadb_rows_of_a_date_range_are_restored_into_another_table() {
    let Some(s) = customers() else { return };
    let case = s.fresh("maria-range");
    let db = database(&case);
    case.tool(
        "mysql",
        &[
            "-e",
            &format!("CREATE TABLE {db}.events_copy LIKE {db}.events"),
        ],
    );
    let to = format!("mysql:{db}.events_copy");
    let args = ["--lifecycle", "raw", "--storage", "crm"];
    let range = ["--from", "2026-07-16", "--until", "2026-08-01", "--to", &to];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let july: Vec<String> = rows()
        .into_iter()
        .filter(|(_, day, _)| ("2026-07-16".."2026-08-01").contains(&day.as_str()))
        .map(|(id, _, _)| format!("{id:03}"))
        .collect();
    let want: BTreeMap<String, String> = s
        .original()
        .into_iter()
        .filter(|(k, _)| july.contains(k))
        .map(|(k, (v, _))| {
            (
                k,
                v.replace("INSERT INTO `events`", "INSERT INTO `events_copy`"),
            )
        })
        .collect();
    assert_eq!(want.len(), 7, "the second half of July holds 7 rows");
    assert_eq!(
        inserts(&dump_table(&case, "events_copy")),
        want,
        "exactly those rows"
    );
}

#[test]
fn mariadb_restore_after_a_late_write_reads_the_final_dump() {
    let Some(scenario) = customers() else { return };
    late_write_restored(&scenario, "maria");
}

#[test]
fn mariadb_delete_killed_after_its_commit_is_not_redone_for_a_late_write() {
    let Some(scenario) = customers() else { return };
    late_write_after_the_delete(&scenario, "maria", false);
}

#[test]
fn mariadb_late_rows_as_many_as_the_archived_are_not_taken_for_them() {
    let Some(scenario) = customers() else { return };
    let write = |case: &Case, n: usize| {
        let values: Vec<String> = (0..n)
            .map(|i| format!("({}, '2026-08-20', 'late')", 900 + i))
            .collect();
        let sql = format!(
            "INSERT INTO {}.events VALUES {}",
            database(case),
            values.join(", ")
        );
        case.tool("mysql", &["-e", &sql]);
    };
    late_writes_as_many_as_archived(&scenario, "maria", &write);
}

#[test]
fn mariadb_a_lost_state_directory_after_the_delete_hides_no_dump() {
    let Some(scenario) = customers() else { return };
    state_lost_after_the_delete(&scenario, "maria");
}

/// The dump is flushed to disk when exported, the delete's mark before its COMMIT (a
/// client that cannot flush it is killed): a failing `sync` at either deletes nothing.
#[test]
fn mariadb_a_dump_or_mark_that_cannot_be_flushed_deletes_nothing() {
    let Some(scenario) = customers() else { return };
    unflushed(&scenario, "maria-export", "raw.crm.export_rows");
    unflushed(&scenario, "maria-delete", "raw.crm.delete_rows");
}

/// The delete's second dump of the window (compared with the archive before COMMIT)
/// fails: the client is stopped before COMMIT, so nothing is deleted.
#[test]
fn mariadb_a_delete_whose_window_cannot_be_dumped_deletes_nothing() {
    let Some(scenario) = customers() else { return };
    let step = "raw.crm.delete_rows";
    failing_tool(&scenario, "maria-undumped", step, "mysqldump");
}

/// An UPDATE between the export and the delete keeps the window's row count. The delete
/// dumps the window again inside its transaction, finds other rows than the archive's,
/// rolls back, and the window is exported again: the restore brings the row as updated.
#[test]
fn mariadb_a_row_updated_after_the_export_is_archived_again_before_the_delete() {
    let Some(s) = customers() else { return };
    let update = |case: &Case| {
        let sql = format!(
            "UPDATE {}.events SET note = 'updated' WHERE id = 1",
            database(case)
        );
        case.tool("mysql", &["-e", &sql]);
    };
    let want = "INSERT INTO `events` VALUES (1,'2026-07-01','updated');";
    updated_after_the_export(&s, "maria-updated", &update, want);
}

/// A MyISAM (or Aria) table cannot roll back: its DELETE would stay when a check stops
/// the client before COMMIT. The delete refuses such a table and deletes nothing.
#[test]
fn mariadb_a_table_that_cannot_roll_back_is_not_deleted_from() {
    let Some(s) = customers() else { return };
    let case = s.fresh("maria-myisam");
    let db = database(&case);
    case.tool(
        "mysql",
        &["-e", &format!("ALTER TABLE {db}.events ENGINE=MyISAM")],
    );
    refused(&s, &case, "cannot roll back a delete");
}

/// The delete's second dump must come from the server the DELETE runs on: when mysqldump
/// reads other connection options than mysql (a `[mysqldump]` group pointing at a
/// replica, say; here only the protocol is named, plainly or as a `loose-` option),
/// nothing is deleted.
#[test]
fn mariadb_a_dump_that_may_read_another_server_deletes_nothing() {
    let Some(s) = customers() else { return };
    for (tag, option) in [("replica", "protocol=TCP"), ("loose", "loose-protocol=tcp")] {
        other_connection(&s, tag, option);
    }
}

/// The table's facts come from one server and the DELETE's session reaches another (a
/// name that leads elsewhere per connection; here the facts are answered as if by another
/// port): the run stops at once, saying so, and deletes nothing. It is not taken for a
/// window that changed (which would select it again three times, then blame the data).
#[test]
fn mariadb_a_delete_session_on_another_server_deletes_nothing() {
    let Some(s) = customers() else { return };
    let case = s.fresh("maria-elsewhere");
    let bin = case.path("bin");
    let wrapper = bin.join("mysql");
    fs::remove_file(&wrapper).unwrap();
    let script = format!(
        "#!/usr/bin/env bash\n\
         # The question about the table is answered by \"another server\" (port 1).\n\
         rest=${{PATH#{}:}}\n\
         case \"$*\" in\n\
         *information_schema.TABLES*) PATH=$rest mysql \"$@\" | sed -E 's/:[0-9]+$/:1/' ;;\n\
         *) PATH=$rest exec mysql \"$@\" ;;\n\
         esac\n",
        bin.display()
    );
    fs::write(&wrapper, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    refused(&s, &case, "on another server than the one the script asked");
    let run = case.run(Fault::None, &[]);
    assert!(!run.stderr.contains("selecting it again"), "{}", run.stderr);
}

fn other_connection(s: &Customers, tag: &str, option: &str) {
    let case = s.fresh(&format!("maria-{tag}"));
    let stopped = case.run(Fault::Kill(s.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let cnf = case.path(".my.cnf");
    let mut text = fs::read_to_string(&cnf).unwrap();
    text.push_str(&format!("[mysqldump]\n{option}\n"));
    fs::write(&cnf, text).unwrap();
    refused(s, &case, "read different connection options");
}

/// Deleting from a table that other rows reference with ON DELETE CASCADE would delete
/// them too, unarchived: the delete refuses it, and both tables keep their rows.
#[test]
fn mariadb_a_table_whose_deletes_cascade_is_not_deleted_from() {
    let Some(s) = customers() else { return };
    let case = s.fresh("maria-cascade");
    let db = database(&case);
    let sql = format!(
        "CREATE TABLE {db}.notes (id INT PRIMARY KEY, event_id INT, \
         FOREIGN KEY (event_id) REFERENCES {db}.events (id) ON DELETE CASCADE) ENGINE=InnoDB; \
         INSERT INTO {db}.notes VALUES (1, 1)"
    );
    case.tool("mysql", &["-e", &sql]);
    refused(&s, &case, "would change rows no archive holds");
    let notes = case.tool(
        "mysql",
        &[
            "-N",
            "-B",
            "-e",
            &format!("SELECT COUNT(*) FROM {db}.notes"),
        ],
    );
    assert_eq!(notes.stdout.trim(), "1", "the referencing row is kept");
}

/// Thousands of rows behind an index on the date column, their ids in the opposite order
/// of their dates, most rows outside the window: the dump inside the delete transaction
/// may take another plan than the export's (a full scan instead of the index range). The
/// comparison does not depend on the order: the window is deleted on the first attempt.
#[test]
fn mariadb_a_large_indexed_window_is_deleted_whatever_the_dump_order() {
    let Some(s) = customers() else { return };
    let case = s.fresh("maria-order");
    let db = database(&case);
    let sql = format!(
        "USE {db};
         CREATE INDEX by_day ON {db}.events (event_date);
         INSERT INTO {db}.events SELECT seq, DATE '2026-09-01' + INTERVAL (seq % 80) DAY, 'kept' FROM seq_100000_to_116999;
         INSERT INTO {db}.events SELECT 200000 - seq, DATE '2019-01-01' + INTERVAL (seq % 2700) DAY, 'old' FROM seq_1_to_3365;"
    );
    case.tool("mysql", &["-e", &sql]);
    let before = s.seen(&case).source;
    let run = case.run(Fault::None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("selecting it again"), "{}", run.stderr);
    let seen = s.seen(&case);
    let day = |line: &str| line.split(",'").nth(1).map(|v| v[..10].to_string());
    let old: Vec<&String> = before
        .iter()
        .filter(|(_, line)| day(line).is_some_and(|d| d.as_str() < CUTOFF))
        .map(|(k, _)| k)
        .collect();
    assert!(old.len() > 3365, "the window: {}", old.len());
    assert!(
        old.iter().all(|k| !seen.source.contains_key(*k)),
        "the window is deleted"
    );
    assert_eq!(seen.archive.len(), old.len(), "and archived");
    assert_eq!(seen.source.len(), before.len() - old.len(), "the rest kept");
}
