//! Object-name globs (`*`, `?`) as anchored POSIX ERE for awk.

/// Splits `dir/sub/name*.gz` into the directory prefix `dir/sub/` and the glob `name*.gz`.
/// A key without glob characters is a directory prefix: every object under it matches.
pub fn split(key: &str) -> (String, Option<String>) {
    let key = key.trim_start_matches('/');
    match key.find(['*', '?']) {
        Some(first) => {
            let cut = key[..first].rfind('/').map_or(0, |i| i + 1);
            (key[..cut].to_string(), Some(key[cut..].to_string()))
        }
        None if key.is_empty() => (String::new(), None),
        None => (format!("{}/", key.trim_end_matches('/')), None),
    }
}

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
    fn splits_the_seed_key() {
        assert_eq!(
            split("keyname/table_file_name*.gz"),
            (
                "keyname/".to_string(),
                Some("table_file_name*.gz".to_string())
            )
        );
        assert_eq!(split("events/raw"), ("events/raw/".to_string(), None));
        assert_eq!(split("*.csv"), (String::new(), Some("*.csv".to_string())));
    }

    #[test]
    fn globs_become_literal_eres() {
        assert_eq!(to_ere(Some("f*.gz")), "^f[^/]*[.]gz$");
        assert_eq!(to_ere(Some("a?b=c")), "^a[^/]b[=]c$");
        assert_eq!(to_ere(None), "^.*$");
    }
}
