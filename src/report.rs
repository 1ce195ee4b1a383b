//! Emitters for findings: human (miette), JSON, and GitHub annotations. Each resolves
//! JSON pointers to byte spans through one span index per file, built only when needed.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use crate::diagnostic::{sort_key, Diagnostic, Location, Severity, Target};
use crate::source::SourceFile;
use crate::spans::SpanIndex;

/// Another place a finding points at: file index, byte range, label.
pub type Related = (usize, Range<usize>, String);

/// Findings with their spans resolved, sorted by file and position.
pub struct Resolved<'a> {
    pub files: &'a [SourceFile],
    pub items: Vec<(Diagnostic, Option<Range<usize>>, Vec<Related>)>,
}

pub fn resolve<'a>(files: &'a [SourceFile], diagnostics: &[Diagnostic]) -> Resolved<'a> {
    let mut indexes: BTreeMap<usize, SpanIndex> = BTreeMap::new();
    let mut span_of = |location: &Location, offset: Option<usize>| -> Option<Range<usize>> {
        let file = files.get(location.file)?;
        if let Some(offset) = offset {
            let end = file.text[offset..]
                .chars()
                .next()
                .map_or(offset, |c| offset + c.len_utf8());
            return Some(offset..end);
        }
        let index = indexes
            .entry(location.file)
            .or_insert_with(|| SpanIndex::build(&file.text));
        match location.target {
            Target::Key => index.key_or_value(&location.pointer),
            Target::Value => index.value(&location.pointer),
        }
    };
    let mut items: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let span = d.location.as_ref().and_then(|l| span_of(l, d.offset));
            let related = d
                .related
                .iter()
                .filter_map(|(l, label)| span_of(l, None).map(|s| (l.file, s, label.clone())))
                .collect();
            (d.clone(), span, related)
        })
        .collect();
    items.sort_by_key(|(d, span, _)| sort_key(d, span.as_ref().map_or(0, |s| s.start)));
    items.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    Resolved { files, items }
}

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
        let file = d.location.as_ref().and_then(|l| resolved.files.get(l.file));
        let mut labels = Vec::new();
        if let Some(span) = span {
            labels.push(LabeledSpan::new_primary_with_span(
                d.label.clone(),
                SourceSpan::from(span.start..span.end.max(span.start)),
            ));
        }
        let mut notes = Vec::new();
        for (rf, rs, label) in related {
            if d.location.as_ref().is_some_and(|l| l.file == *rf) {
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

pub fn json(resolved: &Resolved) -> String {
    let findings: Vec<JsonFinding> = resolved
        .items
        .iter()
        .map(|(d, span, _)| {
            let file = d.location.as_ref().and_then(|l| resolved.files.get(l.file));
            let position = file.zip(span.as_ref()).map(|(f, s)| f.line_col(s.start));
            JsonFinding {
                code: d.code.id(),
                name: d.code.name(),
                severity: d.severity,
                message: &d.message,
                file: file.map(|f| f.name.as_str()),
                pointer: d.location.as_ref().map(|l| l.pointer.as_str()),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&findings).expect("findings serialise");
    text.push('\n');
    text
}

/// GitHub Actions workflow commands: one `::error`/`::warning` line per finding.
pub fn github(resolved: &Resolved) -> String {
    let mut out = String::new();
    for (d, span, _) in &resolved.items {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = d.location.as_ref().and_then(|l| resolved.files.get(l.file));
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

/// One summary line: `2 errors, 1 warning`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
