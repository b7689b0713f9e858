//! Regression snapshot: prints one JSON report per input file (and per file again with the
//! clean 2021 fixture as the previous year), so that two builds can be diffed.
//! `cargo run --release -p gongkai-checker --example snapshot -- FILE... > out.txt`
use gongkai_checker::{check_bytes, CheckOptions};

const CLEAN: &str = include_str!("../tests/fixtures/clean_2021.txt");

fn main() {
    let plain = CheckOptions::default();
    let with_prev = CheckOptions {
        previous: Some(CLEAN.to_string()),
        today: chrono::NaiveDate::from_ymd_opt(2024, 6, 1),
    };
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        for (tag, opts) in [("plain", &plain), ("prev", &with_prev)] {
            let out = match check_bytes(&bytes, Some(&path), opts) {
                Ok(r) => serde_json::to_string(&r).unwrap_or_default(),
                Err(e) => format!("ERR {e}"),
            };
            println!("{path}\t{tag}\t{out}");
        }
    }
}
