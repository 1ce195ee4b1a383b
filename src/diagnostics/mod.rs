//! Findings: a site (file + JSON pointer) plus a kind with a stable code, and one emitter
//! per output format.

pub mod explain;
pub mod github;
pub mod human;
pub mod json;
pub mod resolve;
pub mod sarif;
pub mod spans;

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Stable diagnostic codes. The number never changes meaning; the name is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    JsonSyntax,
    Schema,
    Date,
    Input,
    TableShape,
    DuplicateTable,
    DuplicateKey,
    Limit,
    Lifecycle,
    IdCollision,
    DependencyCycle,
    UnknownDependency,
    SharedLocation,
    ArchiveLocation,
    ArchiveOverlap,
    DateRange,
    DateOverlap,
    DateGap,
    PartitionSplit,
    ArchiveBasis,
    DeltaMetastore,
    Retention,
    UnsafeName,
    UnsafeValue,
    HistoryRemoved,
    RetentionShortened,
    DeprecatedAlias,
    KafkaNoop,
    OverridesIgnored,
}

impl Code {
    pub const ALL: [Code; 29] = [
        Code::JsonSyntax,
        Code::Schema,
        Code::Date,
        Code::Input,
        Code::TableShape,
        Code::DuplicateTable,
        Code::DuplicateKey,
        Code::Limit,
        Code::Lifecycle,
        Code::IdCollision,
        Code::DependencyCycle,
        Code::UnknownDependency,
        Code::SharedLocation,
        Code::ArchiveLocation,
        Code::ArchiveOverlap,
        Code::DateRange,
        Code::DateOverlap,
        Code::DateGap,
        Code::PartitionSplit,
        Code::ArchiveBasis,
        Code::DeltaMetastore,
        Code::Retention,
        Code::UnsafeName,
        Code::UnsafeValue,
        Code::HistoryRemoved,
        Code::RetentionShortened,
        Code::DeprecatedAlias,
        Code::KafkaNoop,
        Code::OverridesIgnored,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Code::JsonSyntax => "A001",
            Code::Schema => "A002",
            Code::Date => "A003",
            Code::Input => "A004",
            Code::TableShape => "A005",
            Code::DuplicateTable => "A006",
            Code::DuplicateKey => "A007",
            Code::Limit => "A008",
            Code::Lifecycle => "A010",
            Code::IdCollision => "A011",
            Code::DependencyCycle => "A020",
            Code::UnknownDependency => "A021",
            Code::SharedLocation => "A030",
            Code::ArchiveLocation => "A031",
            Code::ArchiveOverlap => "A032",
            Code::DateRange => "A040",
            Code::DateOverlap => "A041",
            Code::DateGap => "A042",
            Code::PartitionSplit => "A043",
            Code::ArchiveBasis => "A050",
            Code::DeltaMetastore => "A060",
            Code::Retention => "A070",
            Code::UnsafeName => "A080",
            Code::UnsafeValue => "A081",
            Code::HistoryRemoved => "A090",
            Code::RetentionShortened => "A091",
            Code::DeprecatedAlias => "A100",
            Code::KafkaNoop => "A101",
            Code::OverridesIgnored => "A102",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Code::JsonSyntax => "json-syntax",
            Code::Schema => "schema",
            Code::Date => "invalid-date",
            Code::Input => "input",
            Code::TableShape => "table-shape",
            Code::DuplicateTable => "duplicate-table",
            Code::DuplicateKey => "duplicate-key",
            Code::Limit => "limit",
            Code::Lifecycle => "lifecycle",
            Code::IdCollision => "id-collision",
            Code::DependencyCycle => "dependency-cycle",
            Code::UnknownDependency => "unknown-dependency",
            Code::SharedLocation => "shared-location",
            Code::ArchiveLocation => "archive-location",
            Code::ArchiveOverlap => "archive-overlap",
            Code::DateRange => "date-range",
            Code::DateOverlap => "date-overlap",
            Code::DateGap => "date-gap",
            Code::PartitionSplit => "partition-split",
            Code::ArchiveBasis => "archive-basis",
            Code::DeltaMetastore => "delta-metastore",
            Code::Retention => "retention",
            Code::UnsafeName => "unsafe-name",
            Code::UnsafeValue => "unsafe-value",
            Code::HistoryRemoved => "history-removed",
            Code::RetentionShortened => "retention-shortened",
            Code::DeprecatedAlias => "deprecated-alias",
            Code::KafkaNoop => "kafka-noop",
            Code::OverridesIgnored => "overrides-ignored",
        }
    }

    /// A code by its id (`A041`, any case) or its name (`date-overlap`).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
            .find(|c| c.id().eq_ignore_ascii_case(text) || c.name() == text)
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::DateGap
            | Code::PartitionSplit
            | Code::DeprecatedAlias
            | Code::KafkaNoop
            | Code::OverridesIgnored => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.id(), self.name())
    }
}

/// Which part of the pointed-at JSON member a diagnostic underlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Key,
    Value,
    /// The first of two equal keys of one object (the pointer names both).
    FirstKey,
}

/// A place in an input file: the file's index in the load order and a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    pub file: usize,
    pub pointer: String,
    pub target: Target,
}

impl Site {
    pub fn key(file: usize, pointer: impl Into<String>) -> Self {
        Self {
            file,
            pointer: pointer.into(),
            target: Target::Key,
        }
    }

    pub fn first_key(file: usize, pointer: impl Into<String>) -> Self {
        Self {
            file,
            pointer: pointer.into(),
            target: Target::FirstKey,
        }
    }

    pub fn value(file: usize, pointer: impl Into<String>) -> Self {
        Self {
            file,
            pointer: pointer.into(),
            target: Target::Value,
        }
    }
}

/// One finding. `offset` overrides the pointer when the parser already knows the byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub site: Option<Site>,
    pub offset: Option<usize>,
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<(Site, String)>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            site: None,
            offset: None,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    pub fn at(mut self, location: Site) -> Self {
        self.site = Some(location);
        self
    }

    pub fn at_offset(mut self, file: usize, offset: usize) -> Self {
        self.site = Some(Site::value(file, ""));
        self.offset = Some(offset);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A finding whose code is an error by default, accepted here (A091 acknowledged).
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn also(mut self, location: Site, label: impl Into<String>) -> Self {
        self.related.push((location, label.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts findings by file, then position in the file, then code, so output is stable.
pub fn sort_key(d: &Diagnostic, position: usize) -> (usize, usize, Code, String) {
    let file = d.site.as_ref().map_or(usize::MAX, |l| l.file);
    (file, position, d.code, d.message.clone())
}
