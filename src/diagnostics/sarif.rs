//! SARIF 2.1.0 (the format code scanning services read): one rule per code, one result per
//! finding, with a fingerprint that survives edits that only move lines.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::resolve::{Related, Resolved};
use super::{explain, Code, Diagnostic, Severity};
use crate::input::SourceFile;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of archc's entry in `partialFingerprints`; the suffix is its version.
pub const FINGERPRINT: &str = "archcFinding/v1";

pub fn sarif(resolved: &Resolved) -> String {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let results: Vec<Value> = resolved
        .items
        .iter()
        .map(|(d, span, related)| {
            let key = identity(d, resolved.files);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            result(d, span.clone(), related, resolved.files, &key, *n)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "archc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": Code::ALL.iter().map(|c| rule(*c)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.id(),
        "name": code.name(),
        "shortDescription": {"text": explain::summary(code)},
        "help": {
            "text": format!("Run `archc explain {}` for the explanation.", code.id()),
            "markdown": explain::section(code).map_or("", |s| s.body),
        },
        "defaultConfiguration": {"level": level(code.severity())},
    })
}

/// What identifies a finding across edits that move lines: code, file and JSON pointer
/// (a finding about no file, such as a removed table, by its message).
fn identity(d: &Diagnostic, files: &[SourceFile]) -> String {
    match &d.site {
        Some(s) => {
            let file = files.get(s.file).map_or("", |f| f.name.as_str());
            format!("{}\0{file}\0{}", d.code.id(), s.pointer)
        }
        None => format!("{}\0\0\0{}", d.code.id(), d.message),
    }
}

/// A finding's fingerprint: the hash of its identity and its rank among equal ones.
fn fingerprint(identity: &str, nth: usize) -> String {
    let digest = Sha256::digest(format!("{identity}\0{nth}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn result(
    d: &Diagnostic,
    span: Option<std::ops::Range<usize>>,
    related: &[Related],
    files: &[SourceFile],
    identity: &str,
    nth: usize,
) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": d.code.id(),
        "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
        "level": level(d.severity),
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT: fingerprint(identity, nth)},
    });
    if let Some(location) = primary(d, span, files) {
        result["locations"] = json!([location]);
    }
    let related: Vec<Value> = related
        .iter()
        .enumerate()
        .filter_map(|(i, (f, range, label))| {
            let mut at = location(files.get(*f)?, Some(range.clone()));
            at["id"] = json!(i);
            at["message"] = json!({"text": label});
            Some(at)
        })
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    result
}

/// Where the finding is: its file and span, with the JSON pointer as a logical location.
fn primary(
    d: &Diagnostic,
    span: Option<std::ops::Range<usize>>,
    files: &[SourceFile],
) -> Option<Value> {
    let Some((site, file)) = d.site.as_ref().and_then(|s| Some((s, files.get(s.file)?))) else {
        // Code scanning refuses a whole log when one result has no file: a finding about
        // the config as a whole (a removed table, a limit) is shown at its first file
        // (archc.json in a config repository), line 1.
        return files.first().map(|first| location(first, Some(0..0)));
    };
    let mut at = location(file, span);
    let pointer = if site.pointer.is_empty() {
        "/"
    } else {
        &site.pointer
    };
    at["logicalLocations"] = json!([{"fullyQualifiedName": pointer, "kind": "member"}]);
    Some(at)
}

fn location(file: &SourceFile, span: Option<std::ops::Range<usize>>) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": uri(&file.name)}});
    if let Some(span) = span {
        let (start_line, start_column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end.max(span.start));
        physical["region"] = json!({
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        });
    }
    json!({"physicalLocation": physical})
}

/// A path as a URI reference: every byte outside the unreserved set and `/` is
/// percent-encoded (spaces, `%`, `#`, `?` and non-ASCII names stay one path); an absolute
/// path (a directory given as one) becomes a `file://` URI.
pub fn uri(path: &str) -> String {
    let mut out = String::from(if path.starts_with('/') { "file://" } else { "" });
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_paths() {
        assert_eq!(uri("tables/a b#1?.json"), "tables/a%20b%231%3F.json");
        assert_eq!(uri("tables/é.json"), "tables/%C3%A9.json");
        assert_eq!(uri("tables/100%.json"), "tables/100%25.json");
        assert_eq!(uri("/tmp/t.json"), "file:///tmp/t.json");
    }

    #[test]
    fn fingerprints_depend_on_identity_and_rank_only() {
        let a = fingerprint("A041\0t.json\0/events/raw/s3_new", 1);
        assert_eq!(a, fingerprint("A041\0t.json\0/events/raw/s3_new", 1));
        assert_ne!(a, fingerprint("A041\0t.json\0/events/raw/s3_new", 2));
        assert_ne!(a, fingerprint("A042\0t.json\0/events/raw/s3_new", 1));
        assert_eq!(a.len(), 64);
    }
}
