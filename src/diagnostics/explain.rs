//! `archc explain CODE`: the long explanation of each diagnostic code. The texts live in
//! one Markdown file, `explain.md`, one `## <id> <name>` section per code.

use super::Code;

const TEXT: &str = include_str!("explain.md");

/// One section of explain.md: its heading's id and name, and the text below the heading.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    pub id: &'static str,
    pub name: &'static str,
    pub body: &'static str,
}

impl Section {
    /// The first line of the body: what the code is about, in one sentence.
    pub fn summary(&self) -> &'static str {
        self.body
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
    }
}

/// Every section, in file order.
pub fn sections() -> impl Iterator<Item = Section> {
    TEXT.split("\n## ").skip(1).map(|chunk| {
        let (heading, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let (id, name) = heading.split_once(' ').unwrap_or((heading, ""));
        Section {
            id,
            name: name.trim(),
            body: body.trim(),
        }
    })
}

/// The section for a code, when explain.md has one (a test makes sure every code does).
pub fn section(code: Code) -> Option<Section> {
    sections().find(|s| s.id == code.id())
}

/// The one-line summary of a code.
pub fn summary(code: Code) -> &'static str {
    section(code).map_or("", |s| s.summary())
}

/// The whole explanation of a code, as printed by `archc explain`.
pub fn explain(code: Code) -> String {
    let body = section(code).map_or("", |s| s.body);
    let severity = match code.severity() {
        super::Severity::Error => "error",
        super::Severity::Warning => "warning",
    };
    format!("{code} ({severity})\n\n{body}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_section_with_a_bad_and_a_fixed_example() {
        let all: Vec<Section> = sections().collect();
        assert_eq!(all.len(), Code::ALL.len(), "one section per code");
        for code in Code::ALL {
            let found: Vec<&Section> = all.iter().filter(|s| s.id == code.id()).collect();
            assert_eq!(found.len(), 1, "{code}: one section");
            let section = found[0];
            assert_eq!(section.name, code.name(), "{code}: heading names the code");
            assert!(!section.summary().is_empty(), "{code}: a summary line");
            let bad = section.body.find("\nBad");
            let fixed = section.body.find("\nFixed");
            assert!(
                matches!((bad, fixed), (Some(b), Some(f)) if b < f),
                "{code}: a bad example, then a fixed one"
            );
            let fences = section.body.matches("\n```").count();
            assert!(
                fences >= 2,
                "{code}: at least the bad example is a code block"
            );
        }
    }
}
