//! elasticsearch: the index is snapshotted into a repository, the snapshot checked, and
//! the window's documents deleted by query.

use serde::Serialize;
use serde_json::json;

use super::{phase, step, Driver, StorageCtx, TemplateCtx};
use crate::model::Detail;
use crate::render::{RenderError, Renderer};
use crate::runfile::Command;

pub struct Search;

#[derive(Serialize)]
pub struct SearchCtx {
    pub index: String,
    pub repository: String,
    pub snapshot: String,
    pub query: String,
    pub snapshot_body: String,
}

impl Driver for Search {
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>, RenderError> {
        let Detail::Search(es) = &s.storage.detail else {
            unreachable!()
        };
        let range = json!({"query": {"range": {es.date_field.clone(): {
            "gte": s.window.start.format("%Y-%m-%d").to_string(),
            "lt": s.window.end.format("%Y-%m-%d").to_string(),
            "format": "yyyy-MM-dd"
        }}}});
        let ctx = SearchCtx {
            index: es.index.clone(),
            repository: es.snapshot_repository.clone(),
            snapshot: format!(
                "archc-{}-{}-{}-{}",
                s.table.name, s.lifecycle.name, s.storage.name, s.run_id
            )
            .to_lowercase(),
            query: range.to_string(),
            snapshot_body: json!({"indices": es.index, "include_global_state": false}).to_string(),
        };
        let render = |name: &str| {
            r.render(
                &format!("elasticsearch/{name}.sh.j2"),
                &TemplateCtx {
                    src: "",
                    dst: "",
                    sql_name: "",
                    ctx: &ctx,
                },
            )
        };
        let count = step("count_rows", "elasticsearch", phase::SELECT).build(s, render("count")?);
        let mut snapshot =
            step("snapshot_index", "elasticsearch", phase::COPY).build(s, render("snapshot")?);
        let check = render("verify")?;
        snapshot.verify = Some(check.clone());
        let mut delete =
            step("delete_documents", "elasticsearch", phase::DELETE).build(s, render("delete")?);
        delete.destructive = true;
        delete.precondition = Some(check);
        Ok(vec![count, snapshot, delete])
    }
}
