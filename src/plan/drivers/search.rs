//! elasticsearch: the index is snapshotted into a repository, the snapshot checked, and
//! the window's documents deleted by query.

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Driver, StorageCtx, TemplateCtx};
use crate::error::{Error, Result};
use crate::model::Detail;
use crate::output::runfile::Command;
use crate::output::templates::Renderer;
use crate::plan::step::StepKind;

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
    fn steps(&self, s: &StorageCtx, r: &Renderer) -> Result<Vec<Command>> {
        let Detail::Search(es) = &s.storage.detail else {
            return Err(Error::internal("the search driver got another detail"));
        };
        let range = json!({"query": {"range": {es.date_field.clone(): {
            "gte": s.window.start.format("%Y-%m-%d").to_string(),
            "lt": s.window.end.format("%Y-%m-%d").to_string(),
            "format": "yyyy-MM-dd"
        }}}});
        let ctx = SearchCtx {
            index: es.index.clone(),
            repository: es.snapshot_repository.clone(),
            snapshot: snapshot_name(s),
            query: range.to_string(),
            snapshot_body: json!({"indices": es.index, "include_global_state": false}).to_string(),
        };
        let render = |name: &str| {
            r.render(
                &format!("elasticsearch/{name}.sh.j2"),
                &TemplateCtx::of(&ctx),
            )
        };
        let system = "elasticsearch";
        let count = s.step(StepKind::CountRows, system, render("select")?);
        let (snapshot, gate) = s.copy(
            StepKind::SnapshotIndex,
            system,
            render("snapshot")?,
            render("verify")?,
        )?;
        let delete = s.gated(StepKind::DeleteDocuments, system, render("delete")?, &gate)?;
        Ok(vec![count, snapshot, delete])
    }
}

/// `archc-{run}-{digest}`: ES snapshot names are lowercase and share one namespace per
/// repository, so the table, lifecycle and storage names (any case, any separator) go in
/// through a digest of their exact bytes: two storages never share a snapshot.
fn snapshot_name(s: &StorageCtx) -> String {
    let mut digest = Sha256::new();
    for part in [&s.table.name, &s.lifecycle.name, &s.storage.name] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    let hex: String = digest.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("archc-{}-{hex}", s.run_id)
}
