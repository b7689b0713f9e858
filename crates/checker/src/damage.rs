//! Damage that is not the report's fault: text cut off (copied or scraped in part) and blank
//! table cells. A cut is reported once; what lies after it is "not reached", not "missing".
//! Blank cells read as 0 with one warning per table.

use crate::parse::Structure;
use crate::report::{numeral, Finding, Location, Severity, Tables, Value};
use crate::text::{split_row, Line};
use gongkai_domain::report_format::{format, FormatVersion};

/// Where the text stops.
#[derive(Debug, Clone)]
pub struct Cut {
    /// The section the text stops in (0: before the first heading).
    pub section: u8,
    /// 1-based line of the last content.
    pub line: usize,
    /// The last line is a line of table figures (its last figure may itself be cut).
    pub in_table: bool,
    /// The end of the last line, for the message.
    pub tail: String,
}

/// Detects text that stops before its end: no signature, and sections after the last one
/// found are absent or the last line stops mid-sentence.
pub fn detect(lines: &[Line], st: &Structure) -> Option<Cut> {
    // A dated signature ends a complete report (an agency-looking last line alone does not:
    // "（五）不予处" cut mid-label ends in 处).
    if st.signature_date.is_some() || st.meta_published.is_some() {
        return None;
    }
    let last_idx = lines.iter().rposition(|l| !l.is_blank())?;
    let last_heading = st.headings.iter().max_by_key(|h| h.idx);
    if last_heading.is_none() {
        // Stopped before the first heading: only the start of a report (its title, or a few
        // short lines of it), not any text without headings.
        let content: usize = lines.iter().map(|l| l.compact.len()).sum();
        let short_lines = lines.iter().filter(|l| !l.is_blank()).all(|l| l.compact.chars().count() <= 60);
        if st.title_idx.is_none() && !(content < 600 && short_lines && lines.iter().take(3).any(|l| l.compact.contains("政府信息公开") || l.compact.chars().count() <= 30)) {
            return None;
        }
    }
    let section = last_heading.map(|h| h.topic).unwrap_or(0);
    let missing_after = (section + 1..=6).any(|n| st.heading(n).is_none());
    let l = &lines[last_idx];
    let text = l.text.trim_end();
    let has_cells = !split_row(text).cells.is_empty();
    let ends_clean = text.ends_with(['。', '！', '？', '!', '?', '”', '"', '）', ')', '；', ';', '…']);
    let mid_sentence = !ends_clean && !has_cells && l.compact.chars().count() > 8;
    // The text ends on the heading of its last section: cut right after (or inside) it.
    let ends_on_heading = last_heading.is_some_and(|h| h.idx == last_idx && !h.inline_content);
    if !(missing_after || mid_sentence || ends_on_heading) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(16)..].iter().collect();
    // A line of figures followed by a line break is complete; without one, its last figure
    // may have been cut ("13" → "1").
    let line_complete = last_idx + 1 < lines.len();
    Some(Cut { section, line: l.no, in_table: has_cells && !line_complete && matches!(section, 2..=4), tail })
}

/// Rewrites the findings that are artefacts of the cut and adds the one finding about it.
pub fn apply(findings: &mut Vec<Finding>, cut: &Cut, tables: &Tables, version: FormatVersion) {
    let fmt = format(version);
    let s3_order: Vec<&str> = fmt.section3_rows.iter().map(|r| r.id).collect();
    let s2_order: Vec<&str> = fmt.section2_rows().map(|(_, l)| l).collect();
    let pos = |order: &[&str], id: &str| order.iter().position(|o| *o == id);
    let last_s3 = tables.section3.iter().filter_map(|r| pos(&s3_order, &r.label)).max();
    let last_s2 = tables.section2.rows.iter().filter_map(|r| pos(&s2_order, &r.label)).max();
    let t = cut.section;
    findings.retain_mut(|f| {
        let sec = f.location.section.unwrap_or(0);
        match f.code {
            "SECTION_MISSING" if sec > t => {
                f.code = "SECTION_NOT_REACHED";
                f.severity = Severity::Info;
                f.message = format!("第{}部分在文本中断处之后，未读到（不是缺少）", numeral(sec));
                true
            }
            "SECTION_EMPTY" if sec == t => {
                f.code = "SECTION_NOT_REACHED";
                f.severity = Severity::Info;
                f.message = format!("第{}部分只读到标题，其内容在文本中断处之后", numeral(sec));
                true
            }
            "TABLE_MISSING" | "TABLE_INCOMPLETE" | "ROW_WIDTH" => sec != t,
            "ROW_MISSING" if sec == t => {
                let row = f.location.row.as_deref().unwrap_or("");
                let (order, last) = if t == 3 { (&s3_order, last_s3) } else { (&s2_order, last_s2) };
                match (pos(order, row), last) {
                    (Some(p), Some(l)) => p < l,
                    _ => false,
                }
            }
            _ => true,
        }
    });
    let where_ = if t == 0 { "第一部分之前".to_string() } else { format!("第{}部分", numeral(t)) };
    findings.push(Finding::new(
        "TEXT_TRUNCATED",
        Severity::Warning,
        format!("文本在{where_}第{}行“{}”处中断，其后的内容未读到，不作为缺项处理", cut.line, cut.tail),
        Location::line(cut.line).with_section(t),
    ));
}

/// One warning per table that has blank cells (read as 0).
pub fn blank_cells(tables: &Tables, findings: &mut Vec<Finding>) {
    let width_bad = |sec: u8, row: &str| {
        findings.iter().any(|f| {
            matches!(f.code, "ROW_WIDTH" | "TABLE_AMBIGUOUS") && f.location.section == Some(sec) && f.location.row.as_deref() == Some(row)
        })
    };
    let mut out = Vec::new();
    let s2: Vec<(&str, usize)> = tables
        .section2
        .rows
        .iter()
        .filter(|r| !width_bad(2, &r.label))
        .map(|r| (r.label.as_str(), r.values.iter().filter(|v| v.is_blank()).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let s3: Vec<(&str, usize)> = tables
        .section3
        .iter()
        .filter(|r| !width_bad(3, &r.label))
        .map(|r| (r.label.as_str(), r.values.iter().filter(|v| v.is_blank()).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    for (sec, rows) in [(2u8, s2), (3u8, s3)] {
        if let Some((first, _)) = rows.first() {
            let n: usize = rows.iter().map(|(_, n)| n).sum();
            out.push(Finding::new(
                "BLANK_CELLS",
                Severity::Warning,
                format!("第{}部分统计表有 {n} 个空格（{} 行，如“{first}”），按 0 计算", numeral(sec), rows.len()),
                Location::section(sec),
            ));
        }
    }
    let incomplete = findings
        .iter()
        .any(|f| f.code == "TABLE_INCOMPLETE" || (f.code == "TABLE_AMBIGUOUS" && f.location.section == Some(4)));
    let s4 = tables.section4.iter().filter(|v| matches!(v, Value::Blank)).count();
    if s4 > 0 && !incomplete {
        out.push(Finding::new(
            "BLANK_CELLS",
            Severity::Warning,
            format!("第四部分统计表有 {s4} 个空格，按 0 计算"),
            Location::section(4),
        ));
    }
    findings.extend(out);
}
