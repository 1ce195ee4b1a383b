//! Findings with their JSON pointers resolved to byte spans (one span index per file,
//! built only for files that have findings), sorted by file and position.

use std::collections::BTreeMap;
use std::ops::Range;

use super::spans::SpanIndex;
use super::{sort_key, Diagnostic, Site, Target};
use crate::input::source::SourceFile;

/// Another place a finding points at: file index, byte range, label.
pub type Related = (usize, Range<usize>, String);

/// Findings with their spans resolved, sorted by file and position.
pub struct Resolved<'a> {
    pub files: &'a [SourceFile],
    pub items: Vec<(Diagnostic, Option<Range<usize>>, Vec<Related>)>,
}

pub fn resolve<'a>(files: &'a [SourceFile], diagnostics: &[Diagnostic]) -> Resolved<'a> {
    let mut indexes: BTreeMap<usize, SpanIndex> = BTreeMap::new();
    let mut span_of = |location: &Site, offset: Option<usize>| -> Option<Range<usize>> {
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
            Target::FirstKey => index.first_key(&location.pointer),
        }
    };
    let mut items: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let span = d.site.as_ref().and_then(|l| span_of(l, d.offset));
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
