//! Three lifecycles over two kinds (local files and PostgreSQL): order 1, 2, 3 run in
//! order, each stage finished before the next starts.

use std::collections::BTreeMap;

use serde_json::json;

use crate::harness::{exercise, local_files, pg_env, without_run, Case, Scenario};
use crate::local::{seed_tree, storages, tree_data};
use crate::postgres::{archived_rows, create, original_rows, source_rows};

struct ThreeLifecycles {
    env: Vec<(String, String)>,
}

impl Scenario for ThreeLifecycles {
    fn fresh(&self, tag: &str) -> Case {
        let db = format!("e2e_{}_{}", tag.replace('-', "_"), std::process::id());
        let dir = crate::support::temp();
        let p = dir.path();
        let project = json!({"system": "e2e", "archive_roots": {
            "local": p.join("archive").to_str().unwrap(), "dumps": p.join("dumps").to_str().unwrap()}});
        let mut raw = storages(&p.join("raw"));
        raw["order"] = 1.into();
        let mut gold = storages(&p.join("gold"));
        gold["order"] = 3.into();
        let table = json!({
            "raw": raw,
            "bronze": {"order": 2, "pg": {"storage": "postgres", "archival_object_detail": {"database": db, "table_name": "orders", "date_column": "ordered_at"}, "starting_storage_date": "2019-01-01"}},
            "gold": gold,
            "data_archive_before_period": "month", "data_archive_before": 2});
        let mut env = self.env.clone();
        env.push(("E2E_DATABASE".into(), db.clone()));
        let case = Case::build_in(dir, project, "orders", table, env);
        seed_tree(&case.path("raw"), "raw/");
        seed_tree(&case.path("gold"), "gold/");
        create(&case, &db, "orders");
        case
    }

    fn seen(&self, case: &Case) -> crate::harness::Seen {
        let db = case.var("E2E_DATABASE");
        let mut source = source_rows(case, db, "orders", "pg/");
        let mut archive = archived_rows(case, "orders/bronze/pg", "orders", "pg/");
        for lc in ["raw", "gold"] {
            source.extend(
                local_files(&case.path(lc))
                    .into_iter()
                    .map(|(k, v)| (format!("{lc}/{k}"), v)),
            );
            archive.extend(
                without_run(local_files(&case.path(&format!("archive/orders/{lc}"))))
                    .into_iter()
                    .map(|(k, v)| (format!("{lc}/{k}"), v)),
            );
        }
        // The journal proves the order: every step of a lower lifecycle order is recorded
        // before any step of a higher one.
        let journal = case.journal();
        let rank = |id: &str| {
            ["raw.", "bronze.", "gold."]
                .iter()
                .position(|p| id.starts_with(p))
                .unwrap()
        };
        assert!(
            journal.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
            "lifecycle order in {journal:?}"
        );
        crate::harness::Seen {
            source,
            archive,
            metadata: Vec::new(),
        }
    }

    fn original(&self) -> BTreeMap<String, (String, bool)> {
        let mut all = original_rows("pg/");
        all.extend(tree_data("raw/"));
        all.extend(tree_data("gold/"));
        all
    }

    fn corrupt_archive(&self, case: &Case) {
        let archived = "archive/orders/gold/drops/run=2026112110/2019-03-01.json";
        std::fs::write(case.path(archived), "{}").unwrap();
    }

    fn gated_step(&self) -> &'static str {
        "gold.drops.delete_source_data"
    }
}

#[test]
fn three_lifecycles_run_in_order() {
    let Some(env) = pg_env() else { return };
    exercise(&ThreeLifecycles { env }, "life");
}
