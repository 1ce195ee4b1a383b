//! Findings as one versioned JSON document: `{"version": 1, "diagnostics": [...]}`.

use serde::Serialize;

use super::resolve::Resolved;
use super::Severity;

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    file: Option<&'a str>,
    pointer: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
}

/// The shape of this document; a change that breaks a reader raises it.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    diagnostics: Vec<JsonFinding<'a>>,
}

/// Findings in the order `resolve` sorted them: by file, then position.
pub fn json(resolved: &Resolved) -> String {
    let findings: Vec<JsonFinding> = resolved
        .items
        .iter()
        .map(|(d, span, _)| {
            let file = d.site.as_ref().and_then(|l| resolved.files.get(l.file));
            let position = file.zip(span.as_ref()).map(|(f, s)| f.line_col(s.start));
            JsonFinding {
                code: d.code.id(),
                name: d.code.name(),
                severity: d.severity,
                message: &d.message,
                file: file.map(|f| f.name.as_str()),
                pointer: d.site.as_ref().map(|l| l.pointer.as_str()),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let document = Document {
        version: VERSION,
        diagnostics: findings,
    };
    let mut text = serde_json::to_string_pretty(&document).expect("findings serialise");
    text.push('\n');
    text
}
