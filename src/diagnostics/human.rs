//! Human-readable reports through miette, without colour so output is stable in logs.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::resolve::Resolved;
use super::{Diagnostic, Severity};

struct MietteReport {
    diagnostic: Diagnostic,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for MietteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for MietteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for MietteReport {}

impl miette::Diagnostic for MietteReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("archc::{}", self.diagnostic.code)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// Human-readable reports, without colour so that output is stable in logs and tests.
pub fn human(resolved: &Resolved) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for (d, span, related) in &resolved.items {
        let file = d.site.as_ref().and_then(|l| resolved.files.get(l.file));
        let mut labels = Vec::new();
        if let Some(span) = span {
            labels.push(LabeledSpan::new_primary_with_span(
                d.label.clone(),
                SourceSpan::from(span.start..span.end.max(span.start)),
            ));
        }
        let mut notes = Vec::new();
        for (rf, rs, label) in related {
            if d.site.as_ref().is_some_and(|l| l.file == *rf) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    SourceSpan::from(rs.clone()),
                ));
            } else if let Some(other) = resolved.files.get(*rf) {
                let (line, col) = other.line_col(rs.start);
                notes.push(format!("  {label}: {}:{line}:{col}", other.name));
            }
        }
        let report = MietteReport {
            diagnostic: d.clone(),
            source: file.map(|f| NamedSource::new(f.name.clone(), f.text.to_string())),
            labels: if file.is_some() { labels } else { Vec::new() },
        };
        let _ = handler.render_report(&mut out, &report);
        for note in notes {
            out.push_str(&note);
            out.push('\n');
        }
    }
    out
}
