//! Maps JSON pointers to byte ranges in the file as written.
//!
//! The hot path parses with serde_json only; this index is built (with a parser that
//! keeps ranges) just for files that have something to report.

use std::collections::BTreeMap;
use std::ops::Range;

use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

/// Where a JSON value sits: the range of its key (if it has one) and of its value.
#[derive(Debug, Clone)]
pub struct Located {
    pub key: Option<Range<usize>>,
    pub value: Range<usize>,
}

#[derive(Debug, Default)]
pub struct SpanIndex {
    entries: BTreeMap<String, Located>,
    /// For a key that appears twice in one object: where it appeared first.
    first_keys: BTreeMap<String, Range<usize>>,
}

impl SpanIndex {
    pub fn build(text: &str) -> Self {
        let mut index = SpanIndex::default();
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
        };
        if let Ok(parsed) = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options) {
            if let Some(value) = &parsed.value {
                index.walk(String::new(), None, value);
            }
        }
        index
    }

    fn walk(&mut self, pointer: String, key: Option<Range<usize>>, value: &Value) {
        let range = value.range();
        if let Value::Object(object) = value {
            for prop in &object.properties {
                let name = prop.name.as_str();
                let child = format!("{pointer}/{}", escape(name));
                let key_range = prop.name.range();
                self.walk(child, Some(key_range.start..key_range.end), &prop.value);
            }
        } else if let Value::Array(array) = value {
            for (i, element) in array.elements.iter().enumerate() {
                self.walk(format!("{pointer}/{i}"), None, element);
            }
        }
        let located = Located {
            key,
            value: range.start..range.end,
        };
        if let Some(earlier) = self.entries.insert(pointer.clone(), located) {
            if let Some(first) = earlier.key {
                self.first_keys.entry(pointer).or_insert(first);
            }
        }
    }

    /// The first occurrence of a key that an object holds twice.
    pub fn first_key(&self, pointer: &str) -> Option<Range<usize>> {
        self.first_keys.get(pointer).cloned()
    }

    /// The span for a pointer; a pointer that misses walks up to its nearest parent.
    pub fn locate(&self, pointer: &str) -> Option<&Located> {
        let mut current = pointer;
        loop {
            if let Some(found) = self.entries.get(current) {
                return Some(found);
            }
            if current.is_empty() {
                return None;
            }
            current = current.rfind('/').map_or("", |i| &current[..i]);
        }
    }

    /// The key's span when the value has a key, else the value's span.
    pub fn key_or_value(&self, pointer: &str) -> Option<Range<usize>> {
        self.locate(pointer)
            .map(|l| l.key.clone().unwrap_or_else(|| l.value.clone()))
    }

    /// The value's span.
    pub fn value(&self, pointer: &str) -> Option<Range<usize>> {
        self.locate(pointer).map(|l| l.value.clone())
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_bytes_with_non_ascii_text() {
        let text = "{\"é\": {\"ß\": 1}}";
        let index = SpanIndex::build(text);
        let span = index.key_or_value("/é/ß").unwrap();
        assert_eq!(&text[span], "\"ß\"");
        let missing = index.key_or_value("/é/ß/nope").unwrap();
        assert_eq!(&text[missing], "\"ß\"");
    }

    #[test]
    fn escaped_segments_resolve() {
        let text = r#"{"a/b": {"c~d": [10, 20]}}"#;
        let index = SpanIndex::build(text);
        let span = index.value("/a~1b/c~0d/1").unwrap();
        assert_eq!(&text[span], "20");
    }
}
