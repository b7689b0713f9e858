//! Property test: random reports whose figures satisfy the table arithmetic export in every
//! format and script without error, and the XLSX and JSON exports carry exactly the report's
//! numbers.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use gongkai_domain::annual_report::{AnnualReport, Cell, CategoryCount};
use gongkai_domain::report_format::{CellKind, RowRole};
use gongkai_report_export::{export, html_fragment, ExportFormat, Script};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Seed {
    year: i32,
    s2: Vec<i64>,
    results: Vec<[u64; 6]>,
    carried_in: [u64; 6],
    carried_out: [u64; 6],
    s4: [u64; 12],
    narrative: String,
    categories: Vec<u64>,
}

fn seed() -> impl Strategy<Value = Seed> {
    (
        2019i32..=2025,
        prop::collection::vec(0i64..2_000_000_000, 12),
        prop::collection::vec(prop::array::uniform6(0u64..40), 21),
        prop::array::uniform6(0u64..15),
        prop::array::uniform6(0u64..15),
        prop::array::uniform12(0u64..9),
        "[a-z0-9<>&|#\"（）一二公开信息。，\n ]{0,80}",
        prop::collection::vec(0u64..500, 0..6),
    )
        .prop_map(|(year, s2, results, carried_in, carried_out, s4, narrative, categories)| Seed {
            year,
            s2,
            results,
            carried_in,
            carried_out,
            s4,
            narrative,
            categories,
        })
}

fn build(seed: &Seed) -> AnnualReport {
    let mut r = common::blank(seed.year);
    let mut k = 0;
    for block in &mut r.section2 {
        for row in &mut block.rows {
            for cell in &mut row.cells {
                let v = seed.s2[k % seed.s2.len()];
                k += 1;
                *cell = match cell.kind {
                    CellKind::Count => Cell { kind: CellKind::Count, value: v % 1_000_000 },
                    CellKind::SignedCount => Cell { kind: CellKind::SignedCount, value: v % 2001 - 1000 },
                    // Millionths of 万元: any number of decimals up to six.
                    CellKind::Amount => Cell { kind: CellKind::Amount, value: v },
                };
            }
        }
    }
    let mut total = [0u64; 6];
    for (i, row) in r
        .section3
        .iter_mut()
        .filter(|x| x.role == RowRole::Result)
        .enumerate()
    {
        let six = seed.results[i % seed.results.len()];
        row.cells[..6].copy_from_slice(&six);
        row.cells[6] = six.iter().sum();
        for (t, v) in total.iter_mut().zip(six) {
            *t += v;
        }
    }
    // 一 + 二 = 三 + 四 in every column.
    let carried_in: Vec<u64> = (0..6).map(|c| seed.carried_in[c].min(total[c] + seed.carried_out[c])).collect();
    let received: Vec<u64> = (0..6).map(|c| total[c] + seed.carried_out[c] - carried_in[c]).collect();
    let set = |r: &mut AnnualReport, role: RowRole, six: &[u64]| {
        if let Some(row) = r.section3.iter_mut().find(|x| x.role == role) {
            row.cells[..6].copy_from_slice(six);
            row.cells[6] = six.iter().sum();
        }
    };
    set(&mut r, RowRole::ResultTotal, &total);
    set(&mut r, RowRole::Received, &received);
    set(&mut r, RowRole::CarriedIn, &carried_in);
    set(&mut r, RowRole::CarriedOut, &seed.carried_out);
    for g in 0..3 {
        let four = &seed.s4[g * 4..g * 4 + 4];
        r.section4[g * 5..g * 5 + 4].copy_from_slice(four);
        r.section4[g * 5 + 4] = four.iter().sum();
    }
    r.section1 = seed.narrative.clone();
    r.section5 = format!("（一）问题\n{}", seed.narrative);
    r.figures.categories = seed
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| CategoryCount { name: format!("栏目{i}<&>"), count: *c })
        .collect();
    r.figures.items_published = seed.categories.iter().sum();
    r
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_reports_export_in_every_format_with_their_numbers(seed in seed()) {
        let r = build(&seed);
        for script in [Script::Hans, Script::Hant] {
            for f in ExportFormat::ALL {
                let bytes = export(&r, f, script);
                prop_assert!(bytes.as_ref().is_ok_and(|b| !b.is_empty()), "{f:?} {script:?}: {:?}", bytes.err());
            }
            let html = html_fragment(&r, script);
            prop_assert!(!html.contains("style=") && !html.contains("<script"));
        }

        // XLSX: every section 二 and 三 figure and the section 四 row, as numbers.
        let bytes = export(&r, ExportFormat::Xlsx, Script::Hans).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let s2 = wb.worksheet_range("二、主动公开").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut row = 2u32;
        for block in &r.section2 {
            row += 2;
            for line in &block.rows {
                for (c, cell) in line.cells.iter().enumerate() {
                    let got = s2.get_value((row, 1 + c as u32));
                    prop_assert!(matches!(got, Some(Data::Float(v)) if *v == cell.as_f64()), "{} {c}: {got:?} vs {}", line.label, cell.display());
                }
                row += 1;
            }
        }
        let s3 = wb.worksheet_range("三、依申请公开").map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, line) in r.section3.iter().enumerate() {
            for (c, v) in line.cells.iter().enumerate() {
                prop_assert_eq!(s3.get_value((5 + i as u32, 3 + c as u32)), Some(&Data::Float(*v as f64)));
            }
        }
        let s4 = wb.worksheet_range("四、复议诉讼").map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (c, v) in r.section4.iter().enumerate() {
            prop_assert_eq!(s4.get_value((5, c as u32)), Some(&Data::Float(*v as f64)));
        }

        // JSON: the same numbers.
        let bytes = export(&r, ExportFormat::Json, Script::Hant).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (b, block) in r.section2.iter().enumerate() {
            for (l, line) in block.rows.iter().enumerate() {
                for (c, cell) in line.cells.iter().enumerate() {
                    let got = doc["section2"][b]["rows"][l]["cells"][c].as_f64();
                    prop_assert!(got.is_some_and(|g| close(g, cell.as_f64())), "{got:?} vs {}", cell.display());
                }
            }
        }
        for (i, line) in r.section3.iter().enumerate() {
            prop_assert_eq!(&doc["section3"]["rows"][i]["cells"], &serde_json::json!(line.cells));
        }
        prop_assert_eq!(&doc["section4"]["cells"], &serde_json::json!(r.section4));
    }
}
