#![allow(dead_code)]
//! Shared helpers for the checker tests. Fixtures are the project's own sample reports.

use gongkai_checker::{check_text, CheckOptions, CheckReport};
use std::path::PathBuf;

pub const CLEAN_2021: &str = include_str!("../fixtures/clean_2021.txt");
pub const CLEAN_2019: &str = include_str!("../fixtures/clean_2019.txt");

pub fn check(text: &str) -> CheckReport {
    check_text(text, &CheckOptions::default())
}

pub fn codes(r: &CheckReport) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code).collect()
}

pub fn has(r: &CheckReport, code: &str) -> bool {
    r.findings.iter().any(|f| f.code == code)
}

/// Replaces `from` by `to`, asserting the text contained `from`.
pub fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture does not contain {from:?}");
    text.replacen(from, to, 1)
}

/// The ../shared folder beside the repository, when present.
pub fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent; test skipped", p.display());
        None
    }
}

/// Section 三 values of a row as 7 Option<i64>.
pub fn row(r: &CheckReport, label: &str) -> Option<Vec<Option<i64>>> {
    r.tables.section3_row(label).map(|v| v.iter().map(|x| x.as_i64()).collect())
}
