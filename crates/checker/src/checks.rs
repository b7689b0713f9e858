//! The checks: structure, format version, tables and arithmetic (C1–C6), narrative figures,
//! dates, debris, script, fees (C11) and comparison with the previous year (C5, 雷同).

use crate::parse::{structure, Structure};
use crate::report::{
    numeral, Breakdown, CheckReport, Finding, Location, Section2Row, Section3Row, SectionInfo, Severity, Value,
};
use crate::tables::{self, ReadTable};
use crate::text::{compact, normalize, utf8_len, Line, ScriptStats};
use crate::{CheckOptions, MAX_TEXT_CHARS};
use chrono::{Datelike, NaiveDate};
use gongkai_domain::report_format::{format, format_for_year, FormatVersion, RowRole};
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

mod check_tables;
mod dates;
mod narrative;
mod previous;
use check_tables::*;
use dates::*;
use narrative::*;
use previous::*;

/// At most this many findings of one debris code are listed; the rest are counted.
const MAX_PER_CODE: usize = 20;

/// Everything learnt from one report, used for the report and for year-to-year comparison.
struct Analysis {
    report: CheckReport,
    narrative: String,
}

pub fn run(text: &str, opts: &CheckOptions) -> CheckReport {
    let mut analysis = analyse(text, opts.today);
    if let Some(prev_text) = &opts.previous {
        let prev = analyse(prev_text, None);
        compare_previous(&mut analysis, &prev);
    }
    let mut report = analysis.report;
    // Stable order: by severity, then by line.
    report.findings.sort_by_key(|f| (f.severity, f.location.line.unwrap_or(usize::MAX)));
    report
}

fn push(findings: &mut Vec<Finding>, code: &'static str, sev: Severity, msg: impl Into<String>, loc: Location) {
    findings.push(Finding::new(code, sev, msg, loc));
}

fn analyse(text: &str, today: Option<NaiveDate>) -> Analysis {
    let mut findings: Vec<Finding> = Vec::new();
    let text = if text.len() > MAX_TEXT_CHARS {
        let mut cut = MAX_TEXT_CHARS;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        push(
            &mut findings,
            "INPUT_TRUNCATED",
            Severity::Warning,
            format!("文本过长（{} 字节），只检查了前 {} 字节", text.len(), cut),
            Location::default(),
        );
        &text[..cut]
    } else {
        text
    };
    let mut repaired = crate::repair::repair(text);
    findings.append(&mut repaired.notes);
    let text: &str = &repaired.text;
    let norm = normalize(text);
    let lines = &norm.lines();

    check_debris(lines, &mut findings);
    check_script(norm.stats, &mut findings);

    let mut st = structure(lines);
    if st.year.is_none() {
        // No title: the year of the statistical period.
        st.year = crate::parse::period_year(lines);
    }
    let cut = crate::damage::detect(lines, &st);
    let cut_in = |n: u8| cut.as_ref().is_some_and(|c| c.section == n && c.in_table);
    let mut report = CheckReport {
        agency: st.agency.clone(),
        year: st.year,
        ..Default::default()
    };

    check_title(&st, &mut findings);
    let sections = check_sections(lines, &st, &mut findings);
    report.sections = sections;

    // Format version: the one the year requires, else the one the tables show.
    let expected = st.year.map(format_for_year);
    let s2_lines = section_lines(lines, &st, 2);
    let markers = tables::section2_markers(s2_lines);
    let mut s3 = tables::read_section3(section_lines(lines, &st, 3));
    if cut_in(3) {
        // The last row stands at the cut: its last figure may itself be cut.
        s3.drop_last_row();
    }
    let s3_2021 = s3.rows.iter().any(|r| r.id.starts_with("其他处理/"));
    let s3_2019 = s3.get(tables::S3_OTHER_2019).is_some();
    let seen_2021 = markers.v2021 > 0 || s3_2021;
    let seen_2019 = markers.v2019 > 0 || s3_2019;
    let version = match expected {
        Some(v) => v,
        None if seen_2019 && !seen_2021 => FormatVersion::Trial2019,
        None => FormatVersion::V2021,
    };
    report.format_version = if expected.is_some() || seen_2019 || seen_2021 { Some(version.as_str()) } else { None };
    check_format_version(version, expected.is_some(), &markers, &s3, &mut findings);
    let ambiguous3 = crate::solve::resolve_section3(&mut s3.rows, version);
    for a in &ambiguous3 {
        let (list, differ) = crate::solve::describe(&a.candidates, format(version).section3_columns);
        let why = if a.no_fit {
            "没有一种拆法能同时满足第三部分的列间勾稽关系（表中可能另有错误）"
        } else {
            "表内其他行不足以确定是哪一种"
        };
        push(
            &mut findings,
            "TABLE_AMBIGUOUS",
            Severity::Warning,
            format!(
                "第三部分“{}”行的数字连在一起，有 {} 种拆法都符合本行总计：{list}（不同在{differ}列）；{why}，未作猜测，这些格按未读处理",
                a.id,
                a.candidates.len()
            ),
            Location::section(3).with_row(a.id).with_line(Some(a.line)),
        );
    }
    let ambiguous_ids: Vec<&str> = ambiguous3.iter().map(|a| a.id).collect();

    let narrative_idx = narrative_text(lines, &st);
    let joined = join_lines(lines, &narrative_idx);
    // The narrative's figures for 规章 / 规范性文件: they settle section 二 runs of digits and
    // are compared with the table.
    let facts = s2_facts(&joined, st.year);

    // Tables.
    let section_present = |n: u8| report.sections.iter().any(|s| s.number == n && !s.empty);
    if section_present(2) {
        report.tables.section2.rows = read_section2(s2_lines, version, &markers, cut_in(2), &facts, &mut findings);
    }
    if section_present(3) {
        report.tables.section3 = section3_rows(&s3, version, &mut findings);
        check_section3(&report.tables.section3, version, &ambiguous_ids, &mut findings);
    }
    if section_present(4) {
        let (cells, first_line, candidates) = tables::read_section4(section_lines(lines, &st, 4));
        let cells = if cut_in(4) { Vec::new() } else { cells };
        check_section4_shape(&cells, first_line, &mut findings);
        let s4_ambiguous = candidates.len() > 1 && !cells.is_empty();
        if s4_ambiguous {
            let cols: Vec<String> = format(FormatVersion::V2021).section4.iter().map(|c| format!("{}{}", c.group, c.column)).collect();
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            let (list, differ) = crate::solve::describe(&candidates, &cols);
            push(
                &mut findings,
                "TABLE_AMBIGUOUS",
                Severity::Warning,
                format!("第四部分的数字连在一起，有 {} 种拆法都符合各组总计：{list}（不同在{differ}）；未作猜测，这些格按未读处理", candidates.len()),
                Location::section(4).with_line(first_line),
            );
        }
        let mut cells = cells;
        cells.truncate(15);
        if !cells.is_empty() {
            while cells.len() < 15 {
                cells.push(Value::Blank);
            }
            if !s4_ambiguous {
                check_section4(&cells, first_line, &mut findings);
            }
        }
        report.tables.section4 = cells;
    }

    // Narrative.
    report.breakdowns = find_breakdowns(&joined, &mut findings);
    check_narrative_vs_tables(&joined, &report, &mut findings);
    let totals = published_totals(&joined, st.year);
    check_items_published(&facts, &totals, &report.tables.section2.rows, shown_version(&markers, version), &mut findings);

    // Dates.
    let published = match (st.meta_published, st.signature_date) {
        (Some((d, i)), _) => Some((d, i)),
        (None, Some((d, i))) => Some((d, i)),
        _ => None,
    };
    report.published = published.map(|(d, _)| d.format("%Y-%m-%d").to_string());
    check_dates(lines, &st, published, &joined, today, &mut findings);
    check_signature(&st, &mut findings);
    check_fee(lines, &st, version, &mut findings);

    crate::damage::blank_cells(&report.tables, &mut findings);
    if let Some(c) = &cut {
        crate::damage::apply(&mut findings, c, &report.tables, version);
    }
    cap_findings(&mut findings);
    report.findings = findings;
    if repaired.line_map.is_some() {
        // Lines were split by the repairs: point back to the lines of the input.
        for f in &mut report.findings {
            f.location.line = f.location.line.map(|l| repaired.source_line(l));
        }
        for s in &mut report.sections {
            s.line = repaired.source_line(s.line);
        }
        for r in &mut report.tables.section2.rows {
            r.line = repaired.source_line(r.line);
        }
        for r in &mut report.tables.section3 {
            r.line = repaired.source_line(r.line);
        }
        for b in &mut report.breakdowns {
            b.line = repaired.source_line(b.line);
        }
    }
    Analysis { report, narrative: joined.text }
}

fn section_lines<'a, 'b>(lines: &'a [Line<'b>], st: &Structure, topic: u8) -> &'a [Line<'b>] {
    match st.section_range(topic) {
        Some((a, b)) if a <= b && b <= lines.len() => &lines[a..b],
        _ => &[],
    }
}

fn cap_findings(findings: &mut Vec<Finding>) {
    let mut counts: std::collections::HashMap<&'static str, usize> = std::collections::HashMap::new();
    let mut dropped: std::collections::HashMap<&'static str, usize> = std::collections::HashMap::new();
    findings.retain(|f| {
        let c = counts.entry(f.code).or_insert(0);
        *c += 1;
        if *c > MAX_PER_CODE {
            *dropped.entry(f.code).or_insert(0) += 1;
            false
        } else {
            true
        }
    });
    let mut extra: Vec<(&'static str, usize)> = dropped.into_iter().collect();
    extra.sort();
    for (code, n) in extra {
        let sev = findings.iter().find(|f| f.code == code).map(|f| f.severity).unwrap_or(Severity::Info);
        findings.push(Finding::new(code, sev, format!("同类问题另有 {n} 处未逐一列出"), Location::default()));
    }
}

// ---------------------------------------------------------------------------------------------
// Debris and script
// ---------------------------------------------------------------------------------------------

static TAG_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)</?[a-z][a-z0-9]{0,10}(?:\s[^<>]{0,200})?/?>|(?:^|[^a-z])/(?:span|div|p|font|td|tr|table|strong|b|a|br|li|o:p)\s*>|&(?:nbsp|amp|lt|gt|quot|ldquo|rdquo|mdash|hellip|middot|#\d{2,7}|#x[0-9a-f]{2,6});|<!--|-->"#,
    )
    .expect("regex")
});
static LOST_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\?{2,}|？{3,}|[\p{Han}。，、；：（）“”]\?|\?[\p{Han}。，、；：（）“”]").expect("regex")
});
static PINYIN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}\s*[(（]?\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*").expect("regex")
});

fn check_debris(lines: &[Line], findings: &mut Vec<Finding>) {
    for l in lines {
        let raw = l.raw;
        if raw.is_empty() {
            continue;
        }
        let maybe_tag = has_markup_byte(raw);
        if let Some(m) = maybe_tag.then(|| TAG_RE.find(raw)).flatten() {
            push(
                findings,
                "DEBRIS_MARKUP",
                Severity::Warning,
                format!("正文中有网页标记残留“{}”", snippet(m.as_str())),
                Location::line(l.no),
            );
        }
        if raw.contains('\u{FFFD}') {
            push(
                findings,
                "DEBRIS_REPLACEMENT_CHAR",
                Severity::Warning,
                "正文中有替换字符“�”，原文字在转换中丢失",
                Location::line(l.no),
            );
        }
        if let Some(m) = (raw.contains('?') || raw.contains('？')).then(|| LOST_RE.find(raw)).flatten() {
            push(
                findings,
                "DEBRIS_LOST_CHARS",
                Severity::Warning,
                format!("正文中有“?”替代的字符（“{}”），疑似编码转换丢字", snippet(m.as_str())),
                Location::line(l.no),
            );
        }
        // U+00E0..=U+01DC are two-byte sequences led by 0xC3..=0xC7.
        let maybe_pinyin = has_lead_byte(raw, 0xC3..=0xC7)
            && raw.chars().any(|c| ('\u{00E0}'..='\u{01DC}').contains(&c));
        if let Some(m) = maybe_pinyin.then(|| PINYIN_RE.find(raw)).flatten() {
            push(
                findings,
                "DEBRIS_PINYIN",
                Severity::Warning,
                format!("汉字后插入了拼音“{}”", snippet(m.as_str())),
                Location::line(l.no),
            );
        }
    }
}

/// `s` contains `<`, `>` or `&` (single-character searches use memchr; a char-set pattern
/// would decode every character).
fn has_markup_byte(s: &str) -> bool {
    s.contains('<') || s.contains('>') || s.contains('&')
}

/// Some character of `s` starts with a byte in `leads` (steps over whole characters).
fn has_lead_byte(s: &str, leads: std::ops::RangeInclusive<u8>) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&lead) = b.get(i) {
        if leads.contains(&lead) {
            return true;
        }
        i += utf8_len(lead);
    }
    false
}

fn snippet(s: &str) -> String {
    s.chars().take(30).collect()
}

fn check_script(stats: ScriptStats, findings: &mut Vec<Finding>) {
    let (t, s) = (stats.traditional, stats.simplified);
    if t >= 10 && s >= 10 && t.min(s) * 10 >= t.max(s) {
        push(
            findings,
            "SCRIPT_MIXED",
            Severity::Warning,
            format!("简繁体混杂：繁体特有字 {t} 个，简体特有字 {s} 个，疑似部分转换"),
            Location::default(),
        );
    } else if t >= 10 && t > s * 10 {
        push(
            findings,
            "SCRIPT_TRADITIONAL",
            Severity::Info,
            format!("全文为繁体字（繁体特有字 {t} 个），已转换为简体后检查；法定文本为简体"),
            Location::default(),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Title, sections, signature
// ---------------------------------------------------------------------------------------------

fn check_title(st: &Structure, findings: &mut Vec<Finding>) {
    let mut missing = Vec::new();
    if st.agency.is_none() {
        missing.push("机关名称");
    }
    if st.year.is_none() {
        missing.push("报告年度");
    }
    if !missing.is_empty() || st.title_idx.is_none() {
        let what = if missing.is_empty() { "标题行".to_string() } else { missing.join("和") };
        push(
            findings,
            "TITLE_MISSING",
            Severity::Warning,
            format!("未找到规范的报告标题（“××机关××××年政府信息公开工作年度报告”），缺少{what}"),
            Location::line(1),
        );
    }
}

fn check_sections(lines: &[Line], st: &Structure, findings: &mut Vec<Finding>) -> Vec<SectionInfo> {
    let fmt = format(FormatVersion::V2021);
    let mut out = Vec::new();
    for h in &st.headings {
        let (a, b) = st.section_range(h.topic).unwrap_or((h.idx + 1, h.idx + 1));
        let content = h.inline_content
            || lines.get(a..b).is_some_and(|ls| ls.iter().any(|l| !l.is_blank() && !is_debris_only(l)));
        out.push(SectionInfo {
            number: h.topic,
            heading: lines.get(h.idx).map(|l| l.text.to_string()).unwrap_or_default(),
            empty: !content,
            line: lines.get(h.idx).map(|l| l.no).unwrap_or(0),
            end_line: b,
        });
        let spec = fmt.section(h.topic);
        let full = spec.map(|s| s.full_heading()).unwrap_or_default();
        let loc = Location::section(h.topic).with_line(lines.get(h.idx).map(|l| l.no));
        if !content {
            push(
                findings,
                "SECTION_EMPTY",
                Severity::Error,
                format!("第{}部分“{}”只有标题，没有内容", numeral(h.topic), full),
                loc.clone(),
            );
        }
        if h.written != h.topic {
            push(
                findings,
                "SECTION_NUMBERING",
                Severity::Warning,
                format!("标题“{}”的序号为“{}”，按法定格式应为“{}”", h.heading, numeral(h.written), full),
                loc.clone(),
            );
        }
        if let Some(spec) = spec {
            if compact(&h.heading) != compact(spec.heading) {
                push(
                    findings,
                    "SECTION_HEADING_VARIANT",
                    Severity::Info,
                    {
                        let hc = compact(&h.heading);
                        let old = if ["基本概况", "基本情况", "概述"].iter().any(|k| hc.contains(k)) {
                            "（2019年修订《条例》前旧格式的写法）"
                        } else {
                            ""
                        };
                        format!("标题“{}”与法定格式“{}”的写法不同{old}", h.heading, full)
                    },
                    loc,
                );
            }
        }
    }
    // Missing and out of order.
    for spec in fmt.sections.iter() {
        if !st.headings.iter().any(|h| h.topic == spec.number) {
            push(
                findings,
                "SECTION_MISSING",
                Severity::Error,
                format!("缺少第{}部分“{}”", spec.numeral, spec.full_heading()),
                Location::section(spec.number),
            );
        }
    }
    for w in st.headings.windows(2) {
        if w[1].topic < w[0].topic {
            push(
                findings,
                "SECTION_ORDER",
                Severity::Error,
                format!(
                    "章节顺序错误：“{}”出现在“{}”之后，法定顺序为一至六",
                    w[1].heading, w[0].heading
                ),
                Location::section(w[1].topic).with_line(lines.get(w[1].idx).map(|l| l.no)),
            );
        }
    }
    out
}

fn is_debris_only(l: &Line) -> bool {
    if !has_markup_byte(l.raw) {
        return false;
    }
    let stripped = TAG_RE.replace_all(l.raw, "");
    compact(&stripped).chars().all(|c| c.is_ascii_alphabetic())
}

fn check_signature(st: &Structure, findings: &mut Vec<Finding>) {
    if st.signature_date.is_none() && st.meta_published.is_none() {
        push(
            findings,
            "SIGNATURE_MISSING",
            Severity::Info,
            "文末未找到落款日期，无法核对发布时间",
            Location::default(),
        );
    } else if st.signature_agency.is_none() && st.signature_date.is_some() {
        push(
            findings,
            "SIGNATURE_MISSING",
            Severity::Info,
            "文末日期前未找到落款机关",
            Location::default().with_line(st.signature_date.map(|(_, i)| i + 1)),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Format version
// ---------------------------------------------------------------------------------------------

fn check_format_version(
    version: FormatVersion,
    year_known: bool,
    m: &tables::S2Markers,
    s3: &ReadTable,
    findings: &mut Vec<Finding>,
) {
    let want = version.display_name();
    match version {
        FormatVersion::V2021 => {
            if m.v2019 > 0 {
                push(
                    findings,
                    "FORMAT_VERSION_MISMATCH",
                    Severity::Error,
                    format!("第二部分使用了2019年试行格式的表格栏目，{}报告应使用{want}", if year_known { "本年度" } else { "" }),
                    Location::section(2).with_line(m.first_2019_line),
                );
            }
            if let Some(r) = s3.get(tables::S3_OTHER_2019) {
                push(
                    findings,
                    "FORMAT_VERSION_MISMATCH",
                    Severity::Error,
                    format!("第三部分“（六）其他处理”只有一行（2019年试行格式）；{want}将其分为3个子项"),
                    Location::section(3).with_row(tables::S3_OTHER_2019).with_line(Some(r.line)),
                );
            }
        }
        FormatVersion::Trial2019 => {
            if m.v2021 > 0 && m.v2019 == 0 {
                push(
                    findings,
                    "FORMAT_VERSION_MISMATCH",
                    Severity::Error,
                    format!("第二部分使用了2021年格式的表格栏目，本年度报告应使用{want}"),
                    Location::section(2).with_line(m.first_2021_line),
                );
            }
            if let Some(r) = s3.rows.iter().find(|r| r.id.starts_with("其他处理/")) {
                push(
                    findings,
                    "FORMAT_VERSION_MISMATCH",
                    Severity::Error,
                    format!("第三部分“其他处理”分子项（2021年格式），本年度报告应使用{want}"),
                    Location::section(3).with_row(r.id).with_line(Some(r.line)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clauses;

    #[test]
    fn clause_split() {
        let got: Vec<(usize, &str)> = clauses("共12件，其中a(1)；b。").collect();
        assert_eq!(got, vec![(0, "共12件"), (11, "其中a"), (19, "1"), (21, ""), (24, "b"), (28, "")]);
        assert_eq!(clauses("").collect::<Vec<_>>(), vec![(0, "")]);
    }
}
