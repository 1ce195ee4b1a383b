//! PostgreSQL: rows by a date column, exported with COPY, checked, deleted in one
//! transaction that rolls back unless exactly the exported rows go. Real psql + server.

use std::collections::BTreeMap;
use std::fs;

use serde_json::json;

use crate::harness::{
    archived_original, exercise, late_write, late_write_after_the_delete, late_write_restored,
    late_writes_as_many_as_archived, named, pg_env, refused, restore, restore_into,
    restored_source, state_lost_after_the_delete, unflushed, updated_after_the_export, Case, Fault,
    Scenario, CUTOFF,
};

pub struct Orders {
    pub env: Vec<(String, String)>,
}

/// 40 rows from 2026-07-01 every 2-3 days; notes hold tabs, newlines, quotes, backslashes.
pub fn rows() -> Vec<(u32, String, String)> {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    (0..40u32)
        .map(|i| {
            let day = (start + chrono::Days::new(u64::from(i * 5 / 2)))
                .format("%Y-%m-%d")
                .to_string();
            (
                i + 1,
                day,
                format!(
                    "order {i}: it's \"fine\"\tcol\nline2 \\ {}",
                    "é".repeat(i as usize % 3)
                ),
            )
        })
        .collect()
}

/// A COPY text line for a row, as PostgreSQL writes it.
fn copy_line(id: u32, day: &str, note: &str) -> String {
    let escaped = note
        .replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n");
    format!("{id}\t{day}\t{escaped}")
}

pub fn original_rows(prefix: &str) -> BTreeMap<String, (String, bool)> {
    rows()
        .into_iter()
        .map(|(id, day, note)| {
            (
                format!("{prefix}{id:03}"),
                (copy_line(id, &day, &note), day.as_str() < CUTOFF),
            )
        })
        .collect()
}

/// psql against the test server, stopping at the first error.
fn psql(case: &Case, database: &str, what: &[&str]) {
    let mut args = vec!["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database];
    args.extend_from_slice(what);
    case.tool("psql", &args);
}

pub fn create(case: &Case, database: &str, table: &str) {
    let ddl = format!("CREATE TABLE public.{table} (id integer PRIMARY KEY, ordered_at date NOT NULL, note text);\n");
    create_with(case, database, table, &ddl);
}

/// Range partitions on the date column: three wholly inside the window (one empty),
/// one across the cutoff, one unbounded below and the default one.
const PARTITIONS: &str = "CREATE TABLE public.orders (id integer, ordered_at date NOT NULL, note text, PRIMARY KEY (id, ordered_at)) PARTITION BY RANGE (ordered_at);
CREATE TABLE public.orders_ancient PARTITION OF public.orders FOR VALUES FROM (MINVALUE) TO ('2019-01-01');
CREATE TABLE public.orders_old PARTITION OF public.orders FOR VALUES FROM ('2019-01-01') TO ('2026-07-01');
CREATE TABLE public.\"orders 2026-07\" PARTITION OF public.orders FOR VALUES FROM ('2026-07-01') TO ('2026-08-01');
CREATE TABLE public.orders_2026_08a PARTITION OF public.orders FOR VALUES FROM ('2026-08-01') TO ('2026-08-16');
CREATE TABLE public.orders_across PARTITION OF public.orders FOR VALUES FROM ('2026-08-16') TO ('2026-09-16');
CREATE TABLE public.orders_default PARTITION OF public.orders DEFAULT;
";

fn create_with(case: &Case, database: &str, table: &str, ddl: &str) {
    psql(
        case,
        "postgres",
        &["-c", &format!("CREATE DATABASE {database}")],
    );
    let mut sql = ddl.to_string();
    for (id, day, note) in rows() {
        sql.push_str(&format!(
            "INSERT INTO public.{table} VALUES ({id}, '{day}', {});\n",
            pg_literal(&note)
        ));
    }
    let file = case.path(&format!("seed-{table}.sql"));
    fs::write(&file, sql).unwrap();
    psql(case, database, &["-f", file.to_str().unwrap()]);
}

fn pg_literal(text: &str) -> String {
    format!(
        "E'{}'",
        text.replace('\\', "\\\\")
            .replace('\'', "\\'")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
    )
}

pub fn source_rows(
    case: &Case,
    database: &str,
    table: &str,
    prefix: &str,
) -> BTreeMap<String, String> {
    let out = case.tool(
        "psql",
        &[
            "-X",
            "-q",
            "-d",
            database,
            "-c",
            &format!("COPY (SELECT * FROM public.{table} ORDER BY id) TO STDOUT"),
        ],
    );
    keyed(&out.stdout, prefix)
}

pub fn keyed(text: &str, prefix: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(|l| {
            let id: u32 = l.split('\t').next().unwrap().parse().unwrap();
            (format!("{prefix}{id:03}"), l.to_string())
        })
        .collect()
}

/// Rows in every dump of the run 2026112110 (one per attempt).
pub fn archived_rows(
    case: &Case,
    dir: &str,
    table: &str,
    prefix: &str,
) -> BTreeMap<String, String> {
    dumped(
        &case.path(&format!("dumps/{dir}/run=2026112110")),
        table,
        prefix,
    )
}

/// Rows in every dump of `table` in a run's archive directory.
pub fn dumped(run: &std::path::Path, table: &str, prefix: &str) -> BTreeMap<String, String> {
    named(run, &format!("public.{table}.copy"))
        .iter()
        .flat_map(|f| keyed(&fs::read_to_string(f).unwrap(), prefix))
        .collect()
}

fn database(case: &Case) -> String {
    case.var("E2E_DATABASE").to_string()
}

impl Orders {
    /// A fresh case whose table is created by `ddl` (the plain table when `None`), deleted
    /// one day per transaction when `by_day`.
    fn fresh_with(&self, tag: &str, ddl: Option<&str>, by_day: bool) -> Case {
        let db = format!("e2e_{}_{}", tag.replace('-', "_"), std::process::id());
        let dir = crate::support::temp();
        let project = json!({"system": "e2e", "archive_roots": {"dumps": dir.path().join("dumps").to_str().unwrap()}});
        let table = json!({
            "serving": {"order": 1, "pg_orders": {"storage": "postgres", "archival_object_type": "table",
                "archival_object_detail": {"database": db, "table_name": "orders", "date_column": "ordered_at", "delete_by_day": by_day},
                "starting_storage_date": "2019-01-01"}},
            "data_archive_before_period": "month", "data_archive_before": 2});
        let mut env = self.env.clone();
        env.push(("E2E_DATABASE".into(), db.clone()));
        let case = Case::build_in(dir, project, "orders", table, env);
        match ddl {
            Some(ddl) => create_with(&case, &db, "orders", ddl),
            None => create(&case, &db, "orders"),
        }
        case
    }
}

impl Scenario for Orders {
    fn fresh(&self, tag: &str) -> Case {
        self.fresh_with(tag, None, false)
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let db = database(case);
        crate::harness::Seen {
            source: source_rows(case, &db, "orders", ""),
            archive: archived_rows(case, "orders/serving/pg_orders", "orders", ""),
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        original_rows("")
    }

    fn corrupt_archive(&self, case: &Case) {
        let file = case.path("dumps/orders/serving/pg_orders/run=2026112110/public.orders.copy");
        let mut text = fs::read_to_string(&file).unwrap();
        text = text.replacen("order 1:", "order X:", 1);
        fs::write(file, text).unwrap();
    }

    fn gated_step(&self) -> &'static str {
        "serving.pg_orders.delete_rows"
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let sql = "INSERT INTO public.orders VALUES (900, '2026-08-20', 'late')";
        psql(case, &database(case), &["-c", sql]);
        Some(("900".into(), "900\t2026-08-20\tlate".into()))
    }
}

#[test]
fn postgres_rows_by_date_column() {
    let Some(env) = pg_env() else { return };
    exercise(&Orders { env }, "pg");
}

#[test]
fn postgres_late_rows_are_archived_before_the_delete() {
    let Some(env) = pg_env() else { return };
    late_write(&Orders { env }, "pg");
}

#[test]
fn postgres_rows_are_restored() {
    let Some(env) = pg_env() else { return };
    restore(&Orders { env }, "pg");
}

/// The second half of July, into another (empty) table of the same database: exactly
/// those rows arrive (the run archived from 2019 on, the rows start on July 1st).
#[test]
fn postgres_rows_of_a_date_range_are_restored_into_another_table() {
    let Some(env) = pg_env() else { return };
    let s = Orders { env };
    let case = s.fresh("pg-range");
    let db = database(&case);
    let like = "CREATE TABLE public.orders_copy (LIKE public.orders INCLUDING ALL)";
    psql(&case, &db, &["-c", like]);
    let to = format!("postgres:{db}.public.orders_copy");
    let args = ["--lifecycle", "serving", "--storage", "pg_orders"];
    let range = ["--from", "2026-07-16", "--until", "2026-08-01", "--to", &to];
    restore_into(&s, &case, &[&args[..], &range[..]].concat());
    let want: BTreeMap<String, String> = rows()
        .into_iter()
        .filter(|(_, day, _)| ("2026-07-16".."2026-08-01").contains(&day.as_str()))
        .map(|(id, day, note)| (format!("{id:03}"), copy_line(id, &day, &note)))
        .collect();
    assert_eq!(want.len(), 7, "the second half of July holds 7 rows");
    assert_eq!(
        source_rows(&case, &db, "orders_copy", ""),
        want,
        "exactly those rows"
    );
}

/// The same orders in a table range-partitioned on the date column (see PARTITIONS):
/// partitions wholly inside the window are dropped whole, in the gated transaction.
pub struct PartitionedOrders(pub Orders);

fn partitions(case: &Case) -> Vec<String> {
    let sql = "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid \
               WHERE i.inhparent = 'public.orders'::regclass ORDER BY 1";
    let db = database(case);
    let out = case.tool("psql", &["-X", "-q", "-A", "-t", "-d", &db, "-c", sql]);
    out.stdout.lines().map(str::to_string).collect()
}

impl Scenario for PartitionedOrders {
    fn fresh(&self, tag: &str) -> Case {
        self.0.fresh_with(tag, Some(PARTITIONS), false)
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        crate::harness::Seen {
            metadata: partitions(case),
            ..self.0.seen(case)
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        self.0.original()
    }

    fn metadata_after(&self) -> Vec<String> {
        ["orders_across", "orders_ancient", "orders_default"]
            .map(String::from)
            .to_vec()
    }

    fn corrupt_archive(&self, case: &Case) {
        self.0.corrupt_archive(case);
    }

    fn gated_step(&self) -> &'static str {
        self.0.gated_step()
    }

    /// Into a partition the delete drops whole.
    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let sql = "INSERT INTO public.orders VALUES (900, '2026-07-20', 'late')";
        psql(case, &database(case), &["-c", sql]);
        Some(("900".into(), "900\t2026-07-20\tlate".into()))
    }
}

#[test]
fn postgres_partitions_inside_the_window_are_dropped_whole() {
    let Some(env) = pg_env() else { return };
    exercise(&PartitionedOrders(Orders { env }), "pgpart");
}

#[test]
fn postgres_late_rows_in_a_partition_to_drop_are_archived_first() {
    let Some(env) = pg_env() else { return };
    late_write(&PartitionedOrders(Orders { env }), "pgpart");
}

#[test]
fn postgres_dropped_partitions_are_restored() {
    let Some(env) = pg_env() else { return };
    restore(&PartitionedOrders(Orders { env }), "pgpart");
}

#[test]
fn postgres_restore_after_a_late_write_reads_the_final_dump() {
    let Some(env) = pg_env() else { return };
    late_write_restored(&Orders { env }, "pg");
}

#[test]
fn postgres_delete_killed_after_its_commit_is_not_redone_for_a_late_write() {
    let Some(env) = pg_env() else { return };
    late_write_after_the_delete(&Orders { env }, "pg", true);
}

#[test]
fn postgres_late_rows_as_many_as_the_archived_are_not_taken_for_them() {
    let Some(env) = pg_env() else { return };
    let write = |case: &Case, n: usize| {
        let sql = format!(
            "INSERT INTO public.orders SELECT 899 + i, DATE '2026-08-20', 'late' FROM generate_series(1, {n}) AS i"
        );
        psql(case, &database(case), &["-c", &sql]);
    };
    late_writes_as_many_as_archived(&Orders { env }, "pg", &write);
}

/// `delete_by_day`: one transaction per day, each gated by the rows archived for that day,
/// then a check that nothing is left in the window. `late_day` is where a late row lands.
pub struct DailyOrders {
    orders: Orders,
    late_day: &'static str,
}

impl Scenario for DailyOrders {
    fn fresh(&self, tag: &str) -> Case {
        self.orders.fresh_with(tag, None, true)
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        self.orders.seen(case)
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        self.orders.original()
    }

    fn corrupt_archive(&self, case: &Case) {
        self.orders.corrupt_archive(case);
    }

    fn gated_step(&self) -> &'static str {
        self.orders.gated_step()
    }

    fn late_write(&self, case: &Case) -> Option<(String, String)> {
        let sql = format!(
            "INSERT INTO public.orders VALUES (900, '{}', 'late')",
            self.late_day
        );
        psql(case, &database(case), &["-c", &sql]);
        Some(("900".into(), format!("900\t{}\tlate", self.late_day)))
    }
}

fn daily(late_day: &'static str) -> Option<DailyOrders> {
    let env = pg_env()?;
    let orders = Orders { env };
    Some(DailyOrders { orders, late_day })
}

/// Killed before the delete, after its first day and after its last check: each re-run
/// ends with exactly the archived rows gone.
#[test]
fn postgres_rows_deleted_one_day_per_transaction() {
    let Some(s) = daily("2026-08-20") else { return };
    exercise(&s, "pgday");
}

/// A late row on a day that holds archived rows fails that day's gate; one on a day that
/// held none is found by the check after the days. Either way it is archived first.
#[test]
fn postgres_late_rows_are_archived_before_a_delete_by_day() {
    let Some(on_an_archived_day) = daily("2026-08-20") else {
        return;
    };
    late_write(&on_an_archived_day, "pgday");
    let Some(on_an_empty_day) = daily("2026-08-21") else {
        return;
    };
    late_write(&on_an_empty_day, "pgday-empty");
}

/// A run that deleted some days, then selected the window again (a late row on a day not
/// deleted yet): each day comes back from the dump of the attempt that deleted it, so the
/// days of the first attempt are restored too, and the late row.
#[test]
fn postgres_restore_after_a_late_write_takes_each_day_from_its_attempt() {
    let Some(s) = daily("2026-08-20") else { return };
    late_write_restored(&s, "pgday");
}

#[test]
fn postgres_rows_deleted_by_day_are_restored() {
    let Some(s) = daily("2026-08-20") else { return };
    restore(&s, "pgday");
}

/// Killed right after the first day's transaction committed, then as many late rows on
/// that day as it had archived: the re-run does not take them for the archived ones (the
/// server says the day's transaction committed), deletes every other day, and leaves them
/// to the next run; a restore with --merge brings back every archived row beside them.
#[test]
fn postgres_a_day_deleted_before_a_kill_is_not_deleted_again() {
    let Some(s) = daily("2026-07-01") else { return };
    let case = s.fresh("pgday-done");
    let mut want = s.seen(&case).source;
    let stopped = case.run(Fault::KillAfter(s.gated_step(), 1), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let seen = s.seen(&case).source;
    assert!(!seen.contains_key("001"), "the first day was deleted");
    assert!(seen.contains_key("002"), "the second day was not");
    let (key, value) = s.late_write(&case).unwrap();
    let resumed = case.run(Fault::None, &[]);
    assert_eq!(resumed.code, 0, "{}{}", resumed.stdout, resumed.stderr);
    let seen = s.seen(&case);
    assert_eq!(
        seen.source.get(&key),
        Some(&value),
        "the late row is the next run's: {}",
        resumed.stdout
    );
    let archived = archived_original(&s);
    assert_eq!(seen.archive, archived, "the archive as before");
    assert!(
        archived.keys().all(|k| !seen.source.contains_key(k)),
        "every archived row is deleted"
    );
    let restored = restored_source(&s, &case, &["--all-lifecycles", "--merge"]);
    want.insert(key, value);
    assert_eq!(restored, want, "every archived row is back");
}

/// Killed right after the first day's COMMIT, before the run could mark the day done, and
/// never run again: the next night's build finishes the window. A restore of the first run
/// still brings that day back: its transaction id lies beside the dumps since before the
/// COMMIT, and the restore asks the server.
#[test]
fn postgres_a_day_deleted_by_an_abandoned_run_is_restored_from_it() {
    let Some(s) = daily("2026-07-01") else { return };
    let mut case = s.fresh("pgday-abandoned");
    let mut want = s.seen(&case).source;
    let stopped = case.run(Fault::KillAfter(s.gated_step(), 1), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let first = case.restore("restore", &["--all-lifecycles"]);
    assert!(records(&case, "committed").is_empty());
    case.rebuild("2026-11-22T10:00:00Z");
    let next = case.run(Fault::None, &[]);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    assert_eq!(
        records(&case, "committed").len(),
        1,
        "the next run judged the abandoned day: {}",
        next.stdout
    );
    let left = s.seen(&case).source;
    assert!(
        archived_original(&s).keys().all(|k| !left.contains_key(k)),
        "the next night's run deleted the rest"
    );
    let restored = case.run_script(&first, "restore-state", Fault::None, &[]);
    assert_eq!(restored.code, 0, "{}{}", restored.stdout, restored.stderr);
    want.retain(|k, _| left.contains_key(k) || k == "001");
    assert_eq!(
        s.seen(&case).source,
        want,
        "the first run's day is back: {}",
        restored.stdout
    );
}

#[test]
fn postgres_a_lost_state_directory_after_the_delete_hides_no_dump() {
    let Some(env) = pg_env() else { return };
    state_lost_after_the_delete(&Orders { env }, "pg");
    let Some(s) = daily("2026-08-20") else { return };
    state_lost_after_the_delete(&s, "pgday");
}

/// The dump is flushed to disk when exported, the delete's transaction id before its
/// COMMIT (the transaction rolls back when it cannot be): a failing `sync` at either
/// deletes nothing, by window and by day.
#[test]
fn postgres_a_dump_or_id_that_cannot_be_flushed_deletes_nothing() {
    let Some(env) = pg_env() else { return };
    let orders = Orders { env };
    unflushed(&orders, "pg-export", "serving.pg_orders.export_rows");
    unflushed(&orders, "pg-delete", "serving.pg_orders.delete_rows");
    let Some(s) = daily("2026-08-20") else { return };
    unflushed(&s, "pgday-delete", s.gated_step());
}

/// The delete records (`deleted/<dump>/*.<ext>`) of the first run (2026112110).
fn records(case: &Case, ext: &str) -> Vec<std::path::PathBuf> {
    let deleted = case.path("dumps/orders/serving/pg_orders/run=2026112110/deleted");
    named(&deleted, "")
        .iter()
        .flat_map(|dump| named(dump, ""))
        .filter(|f| f.extension().is_some_and(|e| e == ext))
        .collect()
}

/// A run killed after its delete committed and abandoned (the next night's build runs
/// instead): the next run judges the transaction while the server still knows it, so a
/// restore of the abandoned run months later reads the answer from the archive.
#[test]
fn postgres_an_abandoned_runs_delete_is_judged_by_the_next_run() {
    let Some(env) = pg_env() else { return };
    let s = Orders { env };
    let mut case = s.fresh("pg-judged");
    let stopped = case.run(Fault::KillAfter(s.gated_step(), 1), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    assert_eq!(records(&case, "xid").len(), 1);
    assert!(records(&case, "committed").is_empty());
    case.rebuild("2026-11-22T10:00:00Z");
    let next = case.run(Fault::None, &[]);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    assert!(
        next.stdout
            .contains("judged an earlier run's transaction: committed"),
        "{}",
        next.stdout
    );
    assert_eq!(records(&case, "committed").len(), 1);
    case.rebuild("2026-11-23T10:00:00Z");
    let third = case.run(Fault::None, &[]);
    assert_eq!(third.code, 0, "{}{}", third.stdout, third.stderr);
    assert!(
        !third.stdout.contains("judged"),
        "judged once: {}",
        third.stdout
    );
}

/// A row of the window updated in place after the export, before the delete (the count
/// unchanged): the delete's digest differs, it rolls back, the window is exported again,
/// and a restore brings the row back as updated. By window, through a partition dropped
/// whole, and by day.
#[test]
fn postgres_a_row_updated_after_the_export_is_archived_again_before_the_delete() {
    let Some(env) = pg_env() else { return };
    updated(&Orders { env: env.clone() }, "pg-updated");
    updated(&PartitionedOrders(Orders { env }), "pgpart-updated");
    let Some(s) = daily("2026-08-20") else { return };
    updated(&s, "pgday-updated");
}

fn updated(s: &dyn Scenario, tag: &str) {
    let update = |case: &Case| {
        let sql = "UPDATE public.orders SET note = 'updated' WHERE id = 1";
        psql(case, &database(case), &["-c", sql]);
    };
    updated_after_the_export(s, tag, &update, "1\t2026-07-01\tupdated");
}

/// An earlier run's delete that aborted (a run killed inside its transaction, then
/// abandoned) is judged by the next run and marked `.aborted`, its id kept: a restore of
/// that run sees that it deleted nothing and loads nothing (without a record it would
/// take the run for one from before the records and load its dump).
#[test]
fn postgres_an_abandoned_runs_aborted_delete_restores_nothing() {
    let Some(env) = pg_env() else { return };
    let s = Orders { env };
    let mut case = s.fresh("pg-aborted");
    let stopped = case.run(Fault::Kill(s.gated_step()), &[]);
    assert_ne!(stopped.code, 0, "{}", stopped.stdout);
    let db = database(&case);
    let args = ["-X", "-q", "-A", "-t", "-d", &db, "-c", "BEGIN"];
    let mut args = args.to_vec();
    args.extend(["-c", "SELECT pg_current_xact_id()", "-c", "ROLLBACK"]);
    let xid = case.tool("psql", &args).stdout.trim().to_string();
    let record =
        case.path("dumps/orders/serving/pg_orders/run=2026112110/deleted/public.orders.copy");
    fs::create_dir_all(&record).unwrap();
    fs::write(record.join("window.xid"), format!("archc-xid {xid} 0\n")).unwrap();
    let first = case.restore("restore", &["--all-lifecycles"]);
    case.rebuild("2026-11-22T10:00:00Z");
    let next = case.run(Fault::None, &[]);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    assert!(
        next.stdout
            .contains("judged an earlier run's transaction: none"),
        "{}",
        next.stdout
    );
    assert!(record.join("window.aborted").exists());
    assert!(record.join("window.xid").exists(), "the id is kept");
    let before = s.seen(&case).source;
    let restored = case.run_script(&first, "restore-state", Fault::None, &[]);
    assert_eq!(restored.code, 0, "{}{}", restored.stdout, restored.stderr);
    assert!(
        restored.stdout.contains("restored 0 rows"),
        "{}",
        restored.stdout
    );
    assert_eq!(s.seen(&case).source, before, "nothing restored");
}

/// Deleting from a table that other rows reference with ON DELETE CASCADE would delete
/// them too, unarchived, and a DELETE trigger could change any table: the delete refuses
/// such a table, and nothing changes.
#[test]
fn postgres_a_table_whose_deletes_reach_other_rows_is_not_deleted_from() {
    let Some(env) = pg_env() else { return };
    let s = Orders { env };
    let cascade = "CREATE TABLE public.notes (id integer PRIMARY KEY, \
        order_id integer REFERENCES public.orders (id) ON DELETE CASCADE); \
        INSERT INTO public.notes VALUES (1, 1)";
    let trigger = "CREATE TABLE public.notes (id integer); INSERT INTO public.notes VALUES (0); \
        CREATE FUNCTION public.note_delete() RETURNS trigger LANGUAGE plpgsql \
        AS $$BEGIN INSERT INTO public.notes VALUES (OLD.id); RETURN OLD; END$$; \
        CREATE TRIGGER on_delete AFTER DELETE ON public.orders \
        FOR EACH ROW EXECUTE FUNCTION public.note_delete()";
    for (tag, sql) in [("pg-cascade", cascade), ("pg-trigger", trigger)] {
        let case = s.fresh(tag);
        let db = database(&case);
        psql(&case, &db, &["-c", sql]);
        refused(&s, &case, "would change rows no archive holds");
        let args = [
            "-X",
            "-A",
            "-t",
            "-d",
            &db,
            "-c",
            "SELECT count(*) FROM public.notes",
        ];
        let notes = case.tool("psql", &args);
        assert_eq!(notes.stdout.trim(), "1", "{tag}: the other table unchanged");
    }
}
