//! Fuzzes the whole reader and checker: any bytes, any file-name hint.
//!
//! Panics inside third-party parsers (the PDF extractor runs on its own thread under
//! `catch_unwind` and becomes a `CheckError`) are tolerated; a panic anywhere in gongkai's own
//! code aborts and is reported as a crash.
#![no_main]

use gongkai_checker::{check_bytes, check_text, CheckOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        std::panic::set_hook(Box::new(|info| {
            let third_party = info.location().is_some_and(|l| l.file().contains("/.cargo/registry/"));
            if !third_party {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    },
    |data: &[u8]| {
        let opts = CheckOptions::default();
        let hint = match data.first().map(|b| b % 5) {
            Some(0) => Some("r.html"),
            Some(1) => Some("r.docx"),
            Some(2) => Some("r.pdf"),
            Some(3) => Some("r.txt"),
            _ => None,
        };
        if let Ok(r) = check_bytes(data, hint, &opts) {
            let _ = r.to_text();
            let _ = r.to_json();
        }
        if let Ok(s) = std::str::from_utf8(data) {
            let prev = CheckOptions { previous: Some(s.chars().rev().collect()), today: None };
            let _ = check_text(s, &prev);
        }
    }
);
