//! An input file kept in memory, with the name diagnostics show for it.

use std::path::PathBuf;
use std::sync::Arc;

/// One file read from disk: its display name (relative to the input root) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: PathBuf, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            path,
            text: text.into(),
        }
    }

    /// Byte offset of a 1-based line and column (as serde_json reports them).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut offset = 0;
        for (index, text) in self.text.split_inclusive('\n').enumerate() {
            if index + 1 == line {
                let col = column.saturating_sub(1).min(text.len());
                return floor_char_boundary(&self.text, offset + col);
            }
            offset += text.len();
        }
        self.text.len()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
