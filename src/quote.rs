//! Quoting and validation for every context a config value can land in.

/// A name that is safe as one path segment in output file names.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// An SQL identifier archc accepts: letters, digits and '_' (never quoted away).
pub fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.len() <= 128
}

/// One shell word, single-quoted unless it is plainly safe.
pub fn shell(value: &str) -> String {
    let plain = !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b'=' | b'@' | b'+' | b','
                )
        });
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// An SQL string literal (standard SQL: quotes doubled; no backslash escapes).
pub fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A double-quoted identifier (PostgreSQL, standard SQL).
pub fn pg_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A backquoted identifier (MySQL, Spark SQL).
pub fn backquote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_survive_hostile_values() {
        assert_eq!(shell("s3://bucket/key"), "s3://bucket/key");
        assert_eq!(shell("a b"), "'a b'");
        assert_eq!(shell("x'; rm -rf / #"), r"'x'\''; rm -rf / #'");
        assert_eq!(shell("$(id)"), "'$(id)'");
        assert_eq!(shell(""), "''");
    }

    #[test]
    fn names_and_identifiers() {
        assert!(is_safe_name("orders_v2.raw-1"));
        assert!(!is_safe_name("../etc"));
        assert!(!is_safe_name("a/b"));
        assert!(!is_safe_name(".hidden"));
        assert!(!is_safe_name("naïve"));
        assert!(is_identifier("event_date"));
        assert!(!is_identifier("1col"));
        assert!(!is_identifier("a;drop"));
    }

    #[test]
    fn sql_quoting() {
        assert_eq!(sql_string("it's"), "'it''s'");
        assert_eq!(pg_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(backquote("we`ird"), "`we``ird`");
    }
}
