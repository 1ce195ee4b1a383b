//! GitHub Actions workflow commands: one `::error`/`::warning` line per finding.

use super::resolve::Resolved;
use super::Severity;

/// GitHub Actions workflow commands: one `::error`/`::warning` line per finding.
pub fn github(resolved: &Resolved) -> String {
    let mut out = String::new();
    for (d, span, _) in &resolved.items {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = d.site.as_ref().and_then(|l| resolved.files.get(l.file));
        let mut props = Vec::new();
        if let Some(file) = file {
            props.push(format!("file={}", escape_property(&file.name)));
            if let Some(span) = span {
                let (line, col) = file.line_col(span.start);
                props.push(format!("line={line},col={col}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("archc {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
