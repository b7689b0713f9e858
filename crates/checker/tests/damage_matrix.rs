//! The damage matrix: every clean sample report the tests use, put through each form of
//! damage found in real published reports (flattened to one line; cells without separators;
//! one cell per line with pipes; padding cells; Kangxi radicals; wrapped labels and titles;
//! pinyin annotations; units; cut at random points), reads to the same cells — or to an
//! explicit TABLE_AMBIGUOUS that lists the true reading — with no error the clean report
//! does not have. Property-tested over combinations of damage and cut points.

mod common;
use common::*;
use gongkai_checker::{CheckReport, Severity, Value};
use proptest::prelude::*;

const CLEAN: [(&str, &str); 2] = [("clean_2021", CLEAN_2021), ("clean_2019", CLEAN_2019)];

fn is_num(s: &str) -> bool {
    let s = s.trim().trim_end_matches("万元");
    !s.is_empty() && s.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.') && s != "-"
}

/// Applies `f` to the table lines (tab-separated) of a report.
fn tables(text: &str, f: impl Fn(&[&str]) -> String) -> String {
    text.lines()
        .map(|l| if l.contains('\t') { f(&l.split('\t').collect::<Vec<_>>()) } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Damage forms. Each turns a report's text into the damaged text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Damage {
    /// Copied or scraped page: every line break and tab becomes a space.
    Flatten,
    /// The label followed directly by its digits, without separators.
    NoSeparators,
    /// One cell per line, each ending in a lone " |".
    CellPerLinePipes,
    /// Pipe tables with padding cells from merged columns and trailing blanks.
    Padding,
    /// PDF text layers printed by a browser: Kangxi radicals for common characters.
    Kangxi,
    /// Row labels wrapped over lines with the figures on the next line; the title wrapped.
    Wrapped,
    /// Pinyin annotations after characters: 公(gōng)开(kāi).
    Pinyin,
    /// Units written after amounts: 12.5万元.
    Units,
}

const ALL: [Damage; 8] = [
    Damage::Flatten,
    Damage::NoSeparators,
    Damage::CellPerLinePipes,
    Damage::Padding,
    Damage::Kangxi,
    Damage::Wrapped,
    Damage::Pinyin,
    Damage::Units,
];

fn apply(d: Damage, text: &str) -> String {
    match d {
        Damage::Flatten => text.replace(['\n', '\t'], " "),
        Damage::NoSeparators => tables(text, |cells| {
            let nums: Vec<&str> = cells.iter().copied().filter(|c| is_num(c)).collect();
            let labels: Vec<&str> = cells.iter().copied().filter(|c| !is_num(c)).collect();
            // Negative and decimal cells keep their separators (a run of them is unreadable).
            if nums.is_empty() || nums.iter().any(|n| n.contains(['-', '.'])) {
                return cells.join("\t");
            }
            format!("{}{}", labels.join("\t"), nums.concat())
        }),
        Damage::CellPerLinePipes => tables(text, |cells| cells.iter().map(|c| format!("{c} |")).collect::<Vec<_>>().join("\n")),
        Damage::Padding => tables(text, |cells| format!("| {} | | |  ", cells.join(" | "))),
        Damage::Kangxi => {
            const MAP: [(char, char); 12] = [
                ('一', '\u{2F00}'),
                ('二', '\u{2F06}'),
                ('人', '\u{2F08}'),
                ('工', '\u{2F2F}'),
                ('行', '\u{2F8F}'),
                ('大', '\u{2F24}'),
                ('十', '\u{2F17}'),
                ('入', '\u{2F0A}'),
                ('力', '\u{2F12}'),
                ('日', '\u{2F47}'),
                ('月', '\u{2F49}'),
                ('文', '\u{2F42}'),
            ];
            text.chars().map(|c| MAP.iter().find(|(a, _)| *a == c).map(|(_, k)| *k).unwrap_or(c)).collect()
        }
        Damage::Wrapped => {
            let mut out: Vec<String> = Vec::new();
            for (i, l) in text.lines().enumerate() {
                if i == 1 && l.ends_with("年度报告") {
                    // The title wrapped before its last character.
                    out.push(l.trim_end_matches('告').to_string());
                    out.push("告".to_string());
                    continue;
                }
                if !l.contains('\t') {
                    out.push(l.to_string());
                    continue;
                }
                let cells: Vec<&str> = l.split('\t').collect();
                let nums: Vec<&str> = cells.iter().copied().filter(|c| is_num(c)).collect();
                let labels: Vec<&str> = cells.iter().copied().filter(|c| !is_num(c)).collect();
                let Some((last, head)) = labels.split_last() else {
                    out.push(nums.join(" "));
                    continue;
                };
                out.extend(head.iter().map(|h| h.to_string()));
                let chars: Vec<char> = last.chars().collect();
                if chars.len() > 9 && !nums.is_empty() {
                    for chunk in chars.chunks(8) {
                        out.push(chunk.iter().collect());
                    }
                } else {
                    out.push(last.to_string());
                }
                if !nums.is_empty() {
                    out.push(nums.join(" "));
                }
            }
            out.join("\n")
        }
        Damage::Pinyin => text.replace('公', "公(gōng)").replace('报', "报(bào)").replace('政', "政(zhèng)"),
        Damage::Units => tables(text, |cells| {
            let amount_row = cells.first().is_some_and(|c| *c == "行政事业性收费" || *c == "政府集中采购");
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| if amount_row && c.contains('.') && i > 0 { format!("{c}万元") } else { c.to_string() })
                .collect::<Vec<_>>()
                .join("\t")
        }),
    }
}

fn s2(r: &CheckReport) -> Vec<(String, Vec<Value>)> {
    r.tables.section2.rows.iter().map(|x| (x.label.clone(), x.values.clone())).collect()
}
fn s3(r: &CheckReport) -> Vec<(String, Vec<Value>)> {
    r.tables.section3.iter().map(|x| (x.label.clone(), x.values.clone())).collect()
}

/// The damaged reading is the clean one, cell for cell, except cells of rows the checker
/// declares ambiguous, whose finding must list the true reading.
fn same_reading(clean: &CheckReport, got: &CheckReport, what: &str) {
    let ambiguous = |sec: u8, label: &str| {
        got.findings.iter().find(|f| f.code == "TABLE_AMBIGUOUS" && f.location.section == Some(sec) && (sec == 4 || f.location.row.as_deref() == Some(label)))
    };
    let check_rows = |sec: u8, want: Vec<(String, Vec<Value>)>, have: Vec<(String, Vec<Value>)>| {
        assert_eq!(
            want.iter().map(|x| &x.0).collect::<Vec<_>>(),
            have.iter().map(|x| &x.0).collect::<Vec<_>>(),
            "{what}: section {sec} rows\n{}",
            got.to_text()
        );
        for ((label, w), (_, h)) in want.iter().zip(&have) {
            if w == h {
                continue;
            }
            let f = ambiguous(sec, label).unwrap_or_else(|| panic!("{what}: section {sec} row {label}: {w:?} read as {h:?} without TABLE_AMBIGUOUS\n{}", got.to_text()));
            let truth: Vec<String> = w.iter().map(|v| v.to_string()).collect();
            assert!(f.message.contains(&truth.join("、")), "{what}: {label}: true reading not listed in {}", f.message);
            for (a, b) in w.iter().zip(h) {
                assert!(b.is_blank() || a == b, "{what}: {label}: ambiguous row has a wrong cell {b:?} (true {a:?})");
            }
        }
    };
    check_rows(2, s2(clean), s2(got));
    check_rows(3, s3(clean), s3(got));
    if clean.tables.section4 != got.tables.section4 {
        let f = ambiguous(4, "").unwrap_or_else(|| panic!("{what}: section 4 {:?} read as {:?}\n{}", clean.tables.section4, got.tables.section4, got.to_text()));
        let truth: Vec<String> = clean.tables.section4.iter().map(|v| v.to_string()).collect();
        assert!(f.message.contains(&truth.join("、")), "{what}: true section 4 not listed");
    }
    assert_eq!((got.agency.as_deref(), got.year), (clean.agency.as_deref(), clean.year), "{what}: title\n{}", got.to_text());
    no_new_errors(clean, got, what);
}

fn no_new_errors(clean: &CheckReport, got: &CheckReport, what: &str) {
    let clean_errors: Vec<&str> = clean.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.code).collect();
    for f in got.findings.iter().filter(|f| f.severity == Severity::Error) {
        assert!(clean_errors.contains(&f.code), "{what}: new error {} {}\n{}", f.code, f.message, got.to_text());
    }
}

#[test]
fn clean_samples_have_no_errors() {
    for (name, text) in CLEAN {
        let r = check(text);
        assert!(!r.has_errors(), "{name}: {}", r.to_text());
        assert!(r.tables.section3.len() >= 20 && r.tables.section4.len() == 15, "{name}");
    }
}

#[test]
fn each_form_of_damage() {
    for (name, text) in CLEAN {
        let clean = check(text);
        for d in ALL {
            let damaged = apply(d, text);
            assert_ne!(damaged, text, "{name}: {d:?} changed nothing");
            same_reading(&clean, &check(&damaged), &format!("{name} {d:?}"));
        }
    }
}

/// Cut at a point: every row read is the clean row, and nothing the cut removed is an error.
fn cut_reading(clean: &CheckReport, text: &str, at: usize, what: &str) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let cut = &text[..at];
    if cut.trim().is_empty() {
        // Nothing left: an empty file, rightly reported as missing everything.
        return;
    }
    let got = check(cut);
    for (label, values) in s3(&got) {
        let want = clean.tables.section3_row(&label).unwrap_or_else(|| panic!("{what} @{at}: row {label} not in the clean report"));
        assert_eq!(values.as_slice(), want, "{what} @{at}: row {label}\n{}", got.to_text());
    }
    for (label, values) in s2(&got) {
        let want = clean.tables.section2_row(&label).unwrap_or_else(|| panic!("{what} @{at}: row {label}"));
        // A row at the cut may be short; the cells it has must be the clean ones.
        for (a, b) in values.iter().zip(want) {
            assert!(a == b || a.is_blank(), "{what} @{at}: row {label}: {values:?} vs {want:?}\n{}", got.to_text());
        }
    }
    if !got.tables.section4.is_empty() {
        assert_eq!(got.tables.section4, clean.tables.section4, "{what} @{at}\n{}", got.to_text());
    }
    no_new_errors(clean, &got, &format!("{what} @{at}"));
}

#[test]
fn cut_at_every_line() {
    for (name, text) in CLEAN {
        let clean = check(text);
        // At every line end (a copy that stops between lines) and one character further.
        for (i, _) in text.match_indices('\n') {
            cut_reading(&clean, text, i, name);
            cut_reading(&clean, text, i + 4, name);
        }
    }
}

fn damage_strategy() -> impl Strategy<Value = (usize, Vec<Damage>, bool)> {
    let char_level = prop::sample::subsequence(vec![Damage::Kangxi, Damage::Pinyin, Damage::Units], 0..=3);
    let layout = prop::sample::select(vec![
        None,
        Some(Damage::Flatten),
        Some(Damage::NoSeparators),
        Some(Damage::CellPerLinePipes),
        Some(Damage::Padding),
        Some(Damage::Wrapped),
    ]);
    (0..CLEAN.len(), char_level, layout, any::<bool>()).prop_map(|(i, chars, layout, flatten_after)| {
        // Units are written by the author, layout damage comes from copying, and annotations
        // and radicals from the reader or printer that produced the text.
        let mut ds: Vec<Damage> = chars.iter().copied().filter(|d| *d == Damage::Units).collect();
        ds.extend(layout);
        ds.extend(chars.iter().copied().filter(|d| *d != Damage::Units));
        // Cells run together and then flattened: a scraped PDF.
        let flatten = flatten_after && layout == Some(Damage::NoSeparators);
        (i, ds, flatten)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Combinations of damage read like the clean report.
    #[test]
    fn combined_damage((i, ds, flatten) in damage_strategy()) {
        let (name, text) = CLEAN[i];
        let clean = check(text);
        let mut t = text.to_string();
        for d in &ds {
            t = apply(*d, &t);
        }
        if flatten {
            t = apply(Damage::Flatten, &t);
        }
        same_reading(&clean, &check(&t), &format!("{name} {ds:?} flatten={flatten}"));
    }

    /// Cut at a random point, after damage: the rows read are the clean rows, no new errors.
    #[test]
    fn cut_at_random_points(i in 0..CLEAN.len(), frac in 0.0f64..1.0, kangxi in any::<bool>()) {
        let (name, text) = CLEAN[i];
        let clean = check(text);
        let t = if kangxi { apply(Damage::Kangxi, text) } else { text.to_string() };
        let at = (t.len() as f64 * frac) as usize;
        cut_reading(&clean, &t, at, name);
    }
}
