//! Scripts rendered from run files (see the runnable-scripts issue).

use crate::check::Checked;
use crate::emit::Output;
use crate::runfile::RunFile;

pub fn outputs(
    _runs: &[RunFile],
    _run_dir: &str,
    _checked: &Checked,
) -> Result<Vec<Output>, String> {
    Ok(Vec::new())
}
