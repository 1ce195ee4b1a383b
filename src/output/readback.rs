//! Values one step saves in its state directory for later steps (a Glue table's location
//! and partition column), read back only in the shape the saving step checked: a tampered
//! state file never becomes shell syntax, a Glue filter expression or SQL. The check is of
//! shape, not of origin: a well-formed S3 location planted in a private state directory is
//! used as written (the state directory is the runner's own, 0700; see SECURITY.md).

use super::quote::shell;

const COLUMN: &str = "[A-Za-z_][A-Za-z0-9_]*";
const S3_LOCATION: &str = "s3://[^/[:cntrl:]]+/([^[:cntrl:]]*/)?";
/// A Hive table's location as its describe step saves it: a path, or a URI with a path.
const HIVE_LOCATION: &str = "([a-z][a-z0-9+.-]*:)?/[^[:cntrl:]]*/";

/// `$S/<file>` read back, for templates (`hive_location`: `$S/location` as a Hive table's
/// describe step saves it): `None` for a file whose shape is not known.
pub fn from_state(file: &str) -> Option<String> {
    match file {
        "partition_column" => Some(partition_column()),
        "location" => Some(glue_location()),
        "hive_location" => Some(hive_location()),
        "rows.txt" => Some(read_back("rows.txt", "[0-9]{1,19}", "row count")),
        "digest.txt" => Some(read_back(
            "digest.txt",
            "[0-9]{1,40}",
            "digest (one exported by an older archc has none: run the export step again)",
        )),
        _ => None,
    }
}

/// The partition column a describe step saved (`$S/partition_column`).
pub fn partition_column() -> String {
    read_back("partition_column", COLUMN, "column name")
}

/// The S3 location a Glue table's describe step saved (`$S/location`).
pub fn glue_location() -> String {
    read_back("location", S3_LOCATION, "S3 location")
}

/// The location a Hive table's describe step saved (`$S/location`), for a restore into it.
pub fn hive_location() -> String {
    read_back("location", HIVE_LOCATION, "table location")
}

/// A double-quoted command substitution giving the first line of `$S/<file>` that has the
/// value's shape. With none it says so and fails, which ends the step when it is assigned
/// (`col=...`) and leaves an empty word where it is an argument.
fn read_back(file: &str, ere: &str, what: &str) -> String {
    format!(
        "\"$(grep -x -m 1 -E {ere} \"$S/{file}\" || {{ echo \"archc: $S/{file} holds no {what}; refusing to use it\" >&2; exit 1; }})\"",
        ere = shell(ere),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_files_are_read_back() {
        assert!(from_state("partition_column").is_some());
        assert_eq!(from_state("location"), Some(glue_location()));
        assert!(from_state("objects.tsv").is_none());
    }
}
