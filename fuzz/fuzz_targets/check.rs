//! load + validate (+ plan and render when the config is valid) on arbitrary bytes.
//! Input: the project file, a 0xFF byte, the table file (no 0xFF: the table file only).
//! Every input must end in an outcome; a panic or an internal error is a finding.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use archc::commands::{build, check, BuildOptions, Format};
use archc::input::{Inputs, Limits};
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fn repo() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("archc-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tables")).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let (project, table) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&br#"{"system": "fuzz"}"#[..], data),
    };
    let dir = repo();
    std::fs::write(dir.join("archc.json"), project).unwrap();
    std::fs::write(dir.join("tables/t.json"), table).unwrap();
    let inputs = Inputs {
        paths: vec![dir.clone()],
        system: None,
        baseline: None,
        templates: None,
        limits: Limits::default(),
    };
    let mut valid = false;
    for format in [Format::Human, Format::Json, Format::Github, Format::Sarif] {
        let outcome = check(&inputs, format);
        assert!(
            !outcome.stderr.contains("internal error"),
            "{}",
            outcome.stderr
        );
        valid = outcome.code == 0;
    }
    if valid {
        let options = BuildOptions {
            out: dir.join("out"),
            as_of: Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap(),
            dry_run: true,
            force_run: false,
        };
        let outcome = build(&inputs, &options);
        assert!(
            !outcome.stderr.contains("internal error"),
            "{}",
            outcome.stderr
        );
    }
});
