//! `archc plan`: what each table's run would do, in a few lines per storage.

use crate::runfile::RunFile;

pub fn render(runs: &[RunFile]) -> String {
    let mut out = String::new();
    for run in runs {
        out.push_str(&format!(
            "{} (cutoff {}: data before it is archived; {} {} back)\n",
            run.table_name, run.cutoff, run.data_archive_before, run.data_archive_before_period
        ));
        for d in &run.archival_details {
            let window = d.window.as_ref().map_or("nothing due".to_string(), |w| {
                format!("[{}, {})", w.start, w.end)
            });
            out.push_str(&format!(
                "  {} (order {}) / {} [{}]: {}",
                d.lifecycle_name, d.lifecycle_order, d.lifecycle_storage_name, d.storage, window
            ));
            if let Some(archive) = &d.archive_location {
                if !d.commands.is_empty() {
                    out.push_str(&format!(" -> {archive}"));
                }
            }
            out.push('\n');
            let destructive = d.commands.iter().filter(|c| c.destructive).count();
            if !d.commands.is_empty() {
                let steps: Vec<&str> = d
                    .commands
                    .iter()
                    .map(|c| c.command_about.as_str())
                    .collect();
                out.push_str(&format!(
                    "    {} steps ({} destructive): {}\n",
                    d.commands.len(),
                    destructive,
                    steps.join(", ")
                ));
            }
            for note in &d.notes {
                out.push_str(&format!("    note: {note}\n"));
            }
        }
    }
    out
}
