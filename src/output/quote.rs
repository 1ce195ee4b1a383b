//! Quoting and validation for every context a config value can land in.

/// A name that is safe as one path segment in output file names, in step ids and inside
/// double quotes: letters and digits of any script, space and `_ - . + @ =`; not starting
/// with `.`, `-` or a space, not ending with a space, at most 128 characters.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 128
        && !name.starts_with(['.', '-', ' '])
        && !name.ends_with(' ')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '@' | '=' | ' '))
}

/// One shell word (POSIX quoting by `shlex`); `None` for text no shell word can hold (NUL).
pub fn try_shell(value: &str) -> Option<String> {
    shlex::try_quote(value).ok().map(|q| q.into_owned())
}

/// One shell word, for values archc itself produced or validated (never contain NUL).
pub fn shell(value: &str) -> String {
    try_shell(value).expect("validated values contain no NUL byte")
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
        assert_eq!(shell("$(id)"), "'$(id)'");
        assert_eq!(shell(""), "''");
        assert_eq!(try_shell("a\0b"), None);
        for hostile in ["x'; rm -rf / #", "a\"b$c`d`", "\n; id", "'\''"] {
            let out = std::process::Command::new("bash")
                .args(["-c", &format!("printf %s {}", shell(hostile))])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), hostile);
        }
    }

    #[test]
    fn names_and_identifiers() {
        assert!(is_safe_name("orders_v2.raw-1"));
        assert!(!is_safe_name("../etc"));
        assert!(!is_safe_name("a/b"));
        assert!(!is_safe_name(".hidden"));
        assert!(is_safe_name("naïve données 2024"));
        assert!(!is_safe_name("-flag"));
        assert!(!is_safe_name("a$b"));
        assert!(!is_safe_name("a\nb"));
        assert!(!is_safe_name("trailing "));
    }

    #[test]
    fn sql_quoting() {
        assert_eq!(sql_string("it's"), "'it''s'");
        assert_eq!(pg_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(backquote("we`ird"), "`we``ird`");
    }
}
