//! Object-name globs (`*`, `?`) and partition-value formats as anchored POSIX EREs for
//! awk (no interval expressions: mawk lacks them).

/// The anchored ERE for a glob over the path relative to the prefix. `*` and `?` do not
/// cross '/'. Every other character is matched literally through a bracket expression.
pub fn to_ere(glob: Option<&str>) -> String {
    let Some(glob) = glob else {
        return "^.*$".to_string();
    };
    let mut out = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            c => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
        }
    }
    out.push('$');
    out
}

/// The anchored ERE a partition value in `format` (`%Y-%m-%d`, `%Y%m%d`, `%Y-%m`...) must
/// match: digits where the format has date fields, every other character literally.
pub fn format_ere(format: &str) -> String {
    let mut out = String::from("^");
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some('Y') => out.push_str("[0-9][0-9][0-9][0-9]"),
                Some('j') => out.push_str("[0-9][0-9][0-9]"),
                Some(_) => out.push_str("[0-9][0-9]"),
                None => out.push_str("[%]"),
            },
            c if c.is_ascii_alphanumeric() => out.push(c),
            c => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
        }
    }
    out.push('$');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_literal_eres() {
        assert_eq!(to_ere(Some("f*.gz")), "^f[^/]*[.]gz$");
        assert_eq!(to_ere(Some("a?b=c")), "^a[^/]b[=]c$");
        assert_eq!(to_ere(None), "^.*$");
    }

    #[test]
    fn partition_formats_become_digit_patterns() {
        assert_eq!(
            format_ere("%Y-%m-%d"),
            "^[0-9][0-9][0-9][0-9][-][0-9][0-9][-][0-9][0-9]$"
        );
        assert_eq!(format_ere("%Y%m"), "^[0-9][0-9][0-9][0-9][0-9][0-9]$");
    }
}
