//! Where data lives: one type for every place a plan reads, writes or deletes, with one
//! parser. Trees (buckets, HDFS and local paths) contain each other by path prefix;
//! named objects (metastore and database tables, indices) are equal or distinct.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    S3,
    Gs,
    Hdfs,
    File,
}

impl Scheme {
    pub fn prefix(self) -> &'static str {
        match self {
            Scheme::S3 => "s3://",
            Scheme::Gs => "gs://",
            Scheme::Hdfs => "hdfs://",
            Scheme::File => "file://",
        }
    }
}

/// Catalogs of named objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Catalog {
    Glue,
    Hive,
    Postgres,
    Mysql,
    Elasticsearch,
    SnapshotRepository,
    Kafka,
}

impl Catalog {
    fn as_str(self) -> &'static str {
        match self {
            Catalog::Glue => "glue",
            Catalog::Hive => "hive",
            Catalog::Postgres => "postgres",
            Catalog::Mysql => "mysql",
            Catalog::Elasticsearch => "elasticsearch",
            Catalog::SnapshotRepository => "snapshot-repository",
            Catalog::Kafka => "kafka",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// Everything under `path` (segments joined by '/', no leading or trailing '/'; empty
    /// for the whole bucket or file system) in a bucket, cluster or file system.
    Tree {
        scheme: Scheme,
        authority: String,
        path: String,
    },
    /// One named object, e.g. `db.table` in Glue or `db.schema.table` in PostgreSQL.
    Named { catalog: Catalog, name: String },
}

/// A file-store location split into the tree it lists and the glob its names must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLocation {
    pub tree: Location,
    pub glob: Option<String>,
}

/// Why a location does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationError {
    Empty,
    NoAuthority,
    DotSegment,
    UnknownScheme(String),
}

impl fmt::Display for LocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocationError::Empty => f.write_str("the location is empty"),
            LocationError::NoAuthority => f.write_str("the URL names no bucket or host"),
            LocationError::DotSegment => f.write_str("the location has a `.` or `..` segment"),
            LocationError::UnknownScheme(s) => {
                write!(
                    f,
                    "`{s}://` is not a supported scheme (s3, s3a, gs, hdfs, file)"
                )
            }
        }
    }
}

const GLOB: [char; 2] = ['*', '?'];

impl Location {
    /// Parses `s3://bucket/key`, `s3a://...`, `gs://bucket/key`, `hdfs://host:port/path`,
    /// `file:///path`, or a bare path (in `default`'s scheme). Glob characters are kept.
    pub fn parse(text: &str, default: Scheme) -> Result<Location, LocationError> {
        if text.is_empty() {
            return Err(LocationError::Empty);
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest)) => (scheme_of(s)?, rest),
            None => (default, text),
        };
        let (authority, path) = match scheme {
            Scheme::S3 | Scheme::Gs => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(LocationError::NoAuthority);
                }
                (bucket, key)
            }
            _ if text.contains("://") => rest.split_at(rest.find('/').unwrap_or(rest.len())),
            _ => ("", rest),
        };
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(LocationError::DotSegment);
        }
        Ok(Location::Tree {
            scheme,
            authority: authority.to_string(),
            path: segments.join("/"),
        })
    }

    /// A bucket and a key (the key may hold a glob).
    pub fn object(scheme: Scheme, bucket: &str, key: &str) -> Result<Location, LocationError> {
        Location::parse(&format!("{}{bucket}/{key}", scheme.prefix()), scheme)
    }

    pub fn named(catalog: Catalog, parts: &[&str]) -> Location {
        Location::Named {
            catalog,
            name: parts.join("."),
        }
    }

    /// The same tree, one level deeper for every segment of `sub` ('/'-separated).
    pub fn join(&self, sub: &str) -> Location {
        match self {
            Location::Tree {
                scheme,
                authority,
                path,
            } => {
                let extra = sub.split('/').filter(|s| !s.is_empty());
                let joined: Vec<&str> = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .chain(extra)
                    .collect();
                Location::Tree {
                    scheme: *scheme,
                    authority: authority.clone(),
                    path: joined.join("/"),
                }
            }
            named => named.clone(),
        }
    }

    pub fn scheme(&self) -> Option<Scheme> {
        match self {
            Location::Tree { scheme, .. } => Some(*scheme),
            Location::Named { .. } => None,
        }
    }

    /// Splits off a trailing glob: `dir/sub/name*.gz` is the tree `dir/sub` and the glob
    /// `name*.gz`; `*` and `?` match within one path segment.
    pub fn split_glob(self) -> FileLocation {
        let Location::Tree {
            scheme,
            authority,
            path,
        } = &self
        else {
            return FileLocation {
                tree: self,
                glob: None,
            };
        };
        match path.find(GLOB) {
            None => FileLocation {
                tree: self,
                glob: None,
            },
            Some(first) => {
                let cut = path[..first].rfind('/').map_or(0, |i| i + 1);
                FileLocation {
                    tree: Location::Tree {
                        scheme: *scheme,
                        authority: authority.clone(),
                        path: path[..cut].trim_end_matches('/').to_string(),
                    },
                    glob: Some(path[cut..].to_string()),
                }
            }
        }
    }

    /// The form tools take: `s3://bucket/key/`, `hdfs://host/path/`, `/local/path/`.
    /// Trees end in '/', so that string prefixes are path prefixes.
    pub fn url(&self) -> String {
        match self {
            Location::Tree {
                scheme,
                authority,
                path,
            } => {
                let path = as_dir(path);
                match scheme {
                    Scheme::File => format!("/{path}"),
                    Scheme::Hdfs if authority.is_empty() => format!("/{path}"),
                    _ => format!("{}{authority}/{path}", scheme.prefix()),
                }
            }
            Location::Named { catalog, name } => format!("{}:{name}", catalog.as_str()),
        }
    }

    /// A key under which containment is a string prefix test. HDFS authorities are left
    /// out (`/data` and `hdfs://nn:8020/data` may be the same cluster); named objects end
    /// in '\n', which is never a prefix of another name.
    pub fn overlap_key(&self) -> String {
        match self {
            Location::Tree {
                scheme,
                authority,
                path,
            } => {
                let authority = if *scheme == Scheme::Hdfs {
                    ""
                } else {
                    authority.as_str()
                };
                format!("{}{authority}/{}", scheme.prefix(), as_dir(path))
            }
            Location::Named { catalog, name } => {
                format!("{}:{}\n", catalog.as_str(), name.to_lowercase())
            }
        }
    }

    /// Whether one contains the other (or they are the same).
    pub fn overlaps(&self, other: &Location) -> bool {
        let (a, b) = (self.overlap_key(), other.overlap_key());
        a.starts_with(&b) || b.starts_with(&a)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

/// A path as a directory prefix: empty, or ending in '/'.
fn as_dir(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    }
}

fn scheme_of(text: &str) -> Result<Scheme, LocationError> {
    match text {
        "s3" | "s3a" | "s3n" => Ok(Scheme::S3),
        "gs" => Ok(Scheme::Gs),
        "hdfs" => Ok(Scheme::Hdfs),
        "file" => Ok(Scheme::File),
        other => Err(LocationError::UnknownScheme(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Location {
        Location::parse(text, Scheme::File).unwrap()
    }

    #[test]
    fn urls_and_paths_parse_into_one_shape() {
        assert_eq!(tree("s3a://b/k/x/").url(), "s3://b/k/x/");
        assert_eq!(tree("s3://b").url(), "s3://b/");
        assert_eq!(tree("/mnt//nfs/").url(), "/mnt/nfs/");
        assert_eq!(tree("hdfs://nn:8020/data").url(), "hdfs://nn:8020/data/");
        assert_eq!(
            Location::parse("/data", Scheme::Hdfs).unwrap().url(),
            "/data/"
        );
        assert_eq!(
            Location::parse("s3:///k", Scheme::File),
            Err(LocationError::NoAuthority)
        );
        assert_eq!(
            Location::parse("/a/../b", Scheme::File),
            Err(LocationError::DotSegment)
        );
        assert!(matches!(
            Location::parse("ftp://x/y", Scheme::File),
            Err(LocationError::UnknownScheme(_))
        ));
    }

    #[test]
    fn globs_split_at_the_last_plain_directory() {
        let f = tree("s3://b/keyname/table_file_name*.gz").split_glob();
        assert_eq!(f.tree.url(), "s3://b/keyname/");
        assert_eq!(f.glob.as_deref(), Some("table_file_name*.gz"));
        let f = tree("s3://b/*.csv").split_glob();
        assert_eq!(f.tree.url(), "s3://b/");
        assert_eq!(tree("s3://b/events/raw").split_glob().glob, None);
    }

    #[test]
    fn containment_is_by_whole_segments() {
        assert!(tree("s3://b/a").overlaps(&tree("s3://b/a/b")));
        assert!(!tree("s3://b/a").overlaps(&tree("s3://b/ab")));
        assert!(!tree("s3://b/a").overlaps(&tree("s3://c/a")));
        assert!(tree("hdfs://nn/data").overlaps(&Location::parse("/data/x", Scheme::Hdfs).unwrap()));
        let t = |n: &str| Location::named(Catalog::Glue, &["db", n]);
        assert!(t("Orders").overlaps(&t("orders")));
        assert!(!t("orders").overlaps(&t("orders_v2")));
    }
}
