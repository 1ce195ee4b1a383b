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
            c => push_literal(&mut out, c),
        }
    }
    out.push('$');
    out
}

/// Appends `c` matched literally: alphanumerics as they are, `^` and `\` escaped (in
/// brackets they would mean something), anything else in a bracket expression.
fn push_literal(out: &mut String, c: char) {
    match c {
        c if c.is_ascii_alphanumeric() => out.push(c),
        '^' | '\\' => {
            out.push('\\');
            out.push(c);
        }
        c => {
            out.push('[');
            out.push(c);
            out.push(']');
        }
    }
}

/// An anchored ERE without its anchors (for tools that anchor on their own).
pub fn unanchored(ere: &str) -> String {
    ere.trim_start_matches('^')
        .trim_end_matches('$')
        .to_string()
}

/// The canonical form of a name (see templates/common/names.j2): every byte outside
/// printable ASCII, and '%' itself, becomes %XX. Scripts keep listed names this way.
pub fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if (0x21..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A glob as an `aws s3` filter pattern (fnmatch): `[` is the one character that must be
/// bracketed to stay literal.
pub fn fnmatch(glob: &str) -> String {
    glob.replace('[', "[[]")
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
            c => push_literal(&mut out, c),
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
        assert_eq!(to_ere(Some("a^b\\c")), "^a\\^b\\\\c$");
    }

    #[test]
    fn canonical_names_are_printable_ascii() {
        assert_eq!(canonical("a b\t100%é*"), "a%20b%09100%25%C3%A9*");
        assert_eq!(fnmatch("x[1]*"), "x[[]1]*");
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
