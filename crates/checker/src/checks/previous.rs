//! Comparison with the previous year's report: C5 carry-over, section 二 continuity,
//! similarity (雷同) and identical tables.

use super::*;

// ---------------------------------------------------------------------------------------------
// Previous year (C5, 雷同)
// ---------------------------------------------------------------------------------------------

pub(super) fn shingles(text: &str) -> HashSet<u64> {
    use std::hash::{Hash, Hasher};
    let chars: Vec<char> = compact(text).chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
    let mut set = HashSet::new();
    for w in chars.windows(8) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        w.hash(&mut h);
        set.insert(h.finish());
    }
    set
}

pub(super) fn compare_previous(cur: &mut Analysis, prev: &Analysis) {
    let findings = &mut cur.report.findings;
    let (cy, py) = (cur.report.year, prev.report.year);
    if let (Some(c), Some(p)) = (cy, py) {
        if p != c - 1 {
            findings.push(Finding::new(
                "PREVIOUS_NOT_CONSECUTIVE",
                Severity::Info,
                format!("对照报告为 {p} 年度，不是本报告（{c} 年度）的上一年度，未核对结转数"),
                Location::default(),
            ));
        }
    }
    let consecutive = match (cy, py) {
        (Some(c), Some(p)) => p == c - 1,
        _ => true,
    };
    // C5.
    if consecutive {
        let cin = cur.report.tables.section3_row(tables::S3_CARRIED_IN).map(|v| v.to_vec());
        let pout = prev.report.tables.section3_row(tables::S3_CARRIED_OUT).map(|v| v.to_vec());
        if let (Some(cin), Some(pout)) = (cin, pout) {
            let cols = format(FormatVersion::V2021).section3_columns;
            let line = cur.report.tables.section3.iter().find(|r| r.label == tables::S3_CARRIED_IN).map(|r| r.line);
            #[allow(clippy::needless_range_loop)] // `i` indexes three parallel sequences
            for i in 0..7 {
                let (a, b) = (cin.get(i).copied().unwrap_or(Value::Blank), pout.get(i).copied().unwrap_or(Value::Blank));
                if (a.or_zero() - b.or_zero()).abs() > 1e-9 {
                    findings.push(Finding::new(
                        "CARRYOVER_C5",
                        Severity::Warning,
                        format!("C5：“{}”列本年“上年结转”为 {}，但上一年度报告的“结转下年度继续办理”为 {}", cols[i], a, b),
                        Location::section(3).with_row(tables::S3_CARRIED_IN).with_column(cols[i]).with_line(line),
                    ));
                }
            }
        }
        // D-6: 现行有效(N) ≈ 现行有效(N−1) + 制发 − 废止 (2021 format only).
        if cur.report.format_version == Some("2021") && prev.report.format_version == Some("2021") {
            for label in ["规章", "行政规范性文件"] {
                let (Some(c), Some(p)) = (cur.report.tables.section2_row(label), prev.report.tables.section2_row(label)) else {
                    continue;
                };
                if c.len() == 3 && p.len() == 3 && !c[2].is_blank() && !p[2].is_blank() {
                    let expect = p[2].or_zero() + c[0].or_zero() - c[1].or_zero();
                    if (expect - c[2].or_zero()).abs() > 1e-9 {
                        findings.push(Finding::new(
                            "S2_CONTINUITY",
                            Severity::Info,
                            format!(
                                "“{label}”现行有效件数为 {}，按上年现行有效 {} + 本年制发 {} − 本年废止 {} 应约为 {}（修改等情形可能造成差异）",
                                c[2], p[2], c[0], c[1], fmt_num(expect)
                            ),
                            Location::section(2).with_row(label).with_column("现行有效件数"),
                        ));
                    }
                }
            }
        }
    }
    // 雷同.
    let a = shingles(&cur.narrative);
    let b = shingles(&prev.narrative);
    if a.len() >= 50 && b.len() >= 50 {
        let inter = a.intersection(&b).count();
        let ratio = inter as f64 / a.len().min(b.len()) as f64;
        if ratio >= 0.8 {
            findings.push(Finding::new(
                "SIMILAR_TO_PREVIOUS",
                Severity::Warning,
                format!("正文与上一年度报告高度雷同（相同文字片段占 {:.0}%），可能照搬往年报告", ratio * 100.0),
                Location::default(),
            ));
        }
    }
    let (ct, pt) = (&cur.report.tables, &prev.report.tables);
    let nonzero = ct.section3.iter().any(|r| r.values.iter().any(|v| v.or_zero() != 0.0));
    if !ct.section3.is_empty() && nonzero && same_values(&ct.section3, &pt.section3) && ct.section4 == pt.section4 {
        findings.push(Finding::new(
            "TABLES_SAME_AS_PREVIOUS",
            Severity::Warning,
            "第三、四部分统计数据与上一年度报告完全相同，可能照搬往年数据",
            Location::section(3),
        ));
    }
}

pub(super) fn same_values(a: &[Section3Row], b: &[Section3Row]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.label == y.label && x.values == y.values)
}
