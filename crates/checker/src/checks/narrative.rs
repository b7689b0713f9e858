//! Narrative checks: prose joined across line breaks, "N条，其中…" breakdowns and the
//! narrative's figures against the tables.

use super::*;

// ---------------------------------------------------------------------------------------------
// Narrative
// ---------------------------------------------------------------------------------------------

/// Prose of the report joined across hard line breaks, with a map back to line numbers.
pub(crate) struct Joined {
    pub text: String,
    /// (byte offset in text, line number), ascending.
    pub map: Vec<(usize, usize)>,
}

impl Joined {
    pub(super) fn line_at(&self, offset: usize) -> usize {
        match self.map.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => self.map[i].1,
            Err(0) => self.map.first().map(|m| m.1).unwrap_or(1),
            Err(i) => self.map[i - 1].1,
        }
    }
}

/// Line indices of prose: everything except table lines of sections 二–四 and the signature.
pub(super) fn narrative_text(lines: &[Line], st: &Structure) -> Vec<usize> {
    let table_ranges: Vec<(usize, usize)> = [2u8, 3, 4].iter().filter_map(|t| st.section_range(*t)).collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate().take(st.body_end) {
        if l.is_blank() {
            continue;
        }
        let in_table = table_ranges.iter().any(|(a, b)| i >= *a && i < *b);
        if in_table && l.compact.chars().count() <= 30 {
            continue;
        }
        out.push(i);
    }
    out
}

pub(super) static BREAKDOWN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\s*(条|件|个|宗|起|篇|项|次|场|期)[^。；;\d]{0,4}?其中").expect("regex")
});
pub(super) static PART_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\s*(条|件|个|宗|起|篇|项|次|场|期)").expect("regex"));

pub(crate) fn join_lines(lines: &[Line], idx: &[usize]) -> Joined {
    let mut text = String::new();
    let mut map = Vec::with_capacity(idx.len());
    for &i in idx {
        if let Some(l) = lines.get(i) {
            map.push((text.len(), l.no));
            text.push_str(l.text);
        }
    }
    Joined { text, map }
}

pub(super) fn find_breakdowns(j: &Joined, findings: &mut Vec<Finding>) -> Vec<Breakdown> {
    let mut out = Vec::new();
    for c in BREAKDOWN_RE.captures_iter(&j.text) {
        let (Some(whole), Some(num), Some(unit)) = (c.get(0), c.get(1), c.get(2)) else { continue };
        let Ok(total) = num.as_str().parse::<i64>() else { continue };
        let rest = &j.text[whole.end()..];
        let end = rest.find(['。', '；', ';']).unwrap_or(rest.len()).min(600);
        let mut end = end;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let span = &rest[..end];
        let mut parts = Vec::new();
        let mut mixed = false;
        for p in PART_RE.captures_iter(span) {
            let (Some(n), Some(u)) = (p.get(1), p.get(2)) else { continue };
            if u.as_str() != unit.as_str() {
                mixed = true;
                break;
            }
            if let Ok(v) = n.as_str().parse::<i64>() {
                parts.push(v);
            }
        }
        if mixed || parts.len() < 2 {
            continue;
        }
        let sum: i64 = parts.iter().sum();
        let line = j.line_at(num.start());
        let consistent = sum == total;
        if !consistent {
            push(
                findings,
                "NARRATIVE_SUM",
                Severity::Warning,
                format!(
                    "正文称“{}{}，其中……”，但所列分项之和为 {}（{}），与总数不符",
                    total,
                    unit.as_str(),
                    sum,
                    parts.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("+")
                ),
                Location::line(line),
            );
        }
        out.push(Breakdown { line, total, unit: unit.as_str().to_string(), parts, consistent });
    }
    out
}

pub(super) static NUM_UNIT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\s*(件|宗|个|份|起|条)").expect("regex"));

/// Clauses of a text between the delimiters 。，,；;（(）) with their byte offsets; the last
/// clause runs to the end of the text.
pub(super) fn clauses(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut start = 0usize;
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            // ASCII delimiters are single bytes; the full-width ones are 。 (E3 80 82) and
            // ，；（） (EF BC 8C / 9B / 88 / 89).
            let lead = b[i];
            let len = match lead {
                b',' | b';' | b'(' | b')' => 1,
                0xE3 if b.get(i + 1..i + 3) == Some(&[0x80, 0x82]) => 3,
                0xEF if matches!(b.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9B | 0x88 | 0x89])) => 3,
                _ => {
                    i += utf8_len(lead);
                    continue;
                }
            };
            i += len;
            let clause_start = start;
            start = i;
            return Some((clause_start, text.get(clause_start..at).unwrap_or_default()));
        }
        if start <= b.len() {
            let clause_start = start;
            start = b.len() + 1;
            return Some((clause_start, text.get(clause_start..).unwrap_or_default()));
        }
        None
    })
}

pub(super) fn check_narrative_vs_tables(j: &Joined, report: &CheckReport, findings: &mut Vec<Finding>) {
    let t = &report.tables;
    let received = t.section3_row(tables::S3_RECEIVED).and_then(|v| v.get(6).copied());
    let s4 = &t.section4;
    let recon = (s4.len() == 15).then(|| s4[4].or_zero() as i64);
    let litig = (s4.len() == 15).then(|| (s4[9].or_zero() + s4[14].or_zero()) as i64);
    let text = &j.text;
    for (clause_start, clause) in clauses(text) {
        if clause.is_empty() || clause.len() > 400 {
            continue;
        }
        // The figure must be ASCII digits to parse; skip the regex when there are none.
        if !clause.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(m) = NUM_UNIT_RE.captures(clause) else { continue };
        let (Some(nm), Some(_)) = (m.get(1), m.get(2)) else { continue };
        let Ok(n) = nm.as_str().parse::<i64>() else { continue };
        let line = j.line_at(clause_start + nm.start());
        let excluded = ["结转", "顺延", "上年", "答复", "办结", "其中", "转入"].iter().any(|k| clause.contains(k));
        // Real wording: "共收到政府信息公开申请13件", "受理依申请公开13件",
        // "新收政府信息公开申请数量为13件", "依申请公开13件".
        let is_received = clause.contains("申请")
            && ["受理", "收到", "新收", "接收", "提出", "申请数", "依申请公开"].iter().any(|k| clause.contains(k))
            && !clause.contains("行政复议")
            && !clause.contains("行政诉讼")
            && !excluded;
        if is_received {
            if let Some(Value::Int(tv)) = received {
                if tv != n {
                    push(
                        findings,
                        "NARRATIVE_TABLE_MISMATCH",
                        Severity::Warning,
                        format!("正文称收到（受理）政府信息公开申请 {n} 件，但第三部分表中“本年新收”总计为 {tv}"),
                        Location::line(line).with_row(tables::S3_RECEIVED),
                    );
                }
            }
            continue;
        }
        if clause.contains("行政复议") && !clause.contains("行政诉讼") && !excluded {
            if let Some(tv) = recon {
                if tv != n {
                    push(
                        findings,
                        "NARRATIVE_TABLE_MISMATCH",
                        Severity::Warning,
                        format!("正文称政府信息公开行政复议 {n} 件，但第四部分表中行政复议总计为 {tv}"),
                        Location::line(line).with_row("行政复议"),
                    );
                }
            }
            continue;
        }
        if clause.contains("行政诉讼") && !clause.contains("行政复议") && !excluded {
            if let Some(tv) = litig {
                if tv != n {
                    push(
                        findings,
                        "NARRATIVE_TABLE_MISMATCH",
                        Severity::Warning,
                        format!("正文称政府信息公开行政诉讼 {n} 件，但第四部分表中行政诉讼总计为 {tv}（未经复议直接起诉与复议后起诉之和）"),
                        Location::line(line).with_row("行政诉讼"),
                    );
                }
            }
        }
    }
}
