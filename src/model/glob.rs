//! Object-name globs (`*`, `?`) as anchored POSIX ERE for awk.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_literal_eres() {
        assert_eq!(to_ere(Some("f*.gz")), "^f[^/]*[.]gz$");
        assert_eq!(to_ere(Some("a?b=c")), "^a[^/]b[=]c$");
        assert_eq!(to_ere(None), "^.*$");
    }
}
