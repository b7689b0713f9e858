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

    // Tables.
    let section_present = |n: u8| report.sections.iter().any(|s| s.number == n && !s.empty);
    if section_present(2) {
        report.tables.section2.rows = read_section2(s2_lines, version, &markers, cut_in(2), &mut findings);
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

// ---------------------------------------------------------------------------------------------
// Section 二
// ---------------------------------------------------------------------------------------------

fn read_section2(
    lines: &[Line],
    version: FormatVersion,
    markers: &tables::S2Markers,
    drop_last: bool,
    findings: &mut Vec<Finding>,
) -> Vec<Section2Row> {
    // Widths follow the format the table itself shows.
    let shown = if markers.v2019 > markers.v2021 { FormatVersion::Trial2019 } else if markers.v2021 > 0 { FormatVersion::V2021 } else { version };
    let fmt = format(shown);
    let width_of = |id: &str| -> usize {
        fmt.section2_rows()
            .find(|(_, r)| *r == id || (id == "规范性文件" && r.ends_with("规范性文件")))
            .map(|(b, _)| b.columns.len())
            .unwrap_or(1)
    };
    let mut read = tables::read_section2(lines, &width_of);
    if drop_last {
        read.drop_last_row();
    }
    let mut rows = Vec::new();
    if !read.any_cells && read.rows.is_empty() {
        push(
            findings,
            "TABLE_MISSING",
            Severity::Error,
            "第二部分没有“主动公开政府信息情况”统计表",
            Location::section(2).with_line(lines.first().map(|l| l.no)),
        );
        return rows;
    }
    for (block, label) in fmt.section2_rows() {
        let id = if label.ends_with("规范性文件") { "规范性文件" } else { label };
        let Some(r) = read.get(id) else {
            push(
                findings,
                "ROW_MISSING",
                Severity::Error,
                format!("第二部分缺少“{}”中的“{}”行", block.item, label),
                Location::section(2).with_row(label),
            );
            continue;
        };
        let loc = Location::section(2).with_row(label).with_line(Some(r.line));
        if r.values.len() != block.columns.len() {
            push(
                findings,
                "ROW_WIDTH",
                Severity::Error,
                format!("第二部分“{}”行应有 {} 个数（{}），读到 {} 个", label, block.columns.len(), block.columns.join("、"), r.values.len()),
                loc.clone(),
            );
        }
        for (i, (v, kind)) in r.values.iter().zip(block.kinds.iter()).enumerate() {
            use gongkai_domain::report_format::CellKind;
            let bad = match (v, kind) {
                (Value::Int(n), CellKind::Count) => *n < 0,
                (Value::Dec(_), CellKind::Count | CellKind::SignedCount) => true,
                (Value::Dec(x), CellKind::Amount) => *x < 0.0,
                (Value::Int(n), CellKind::Amount) => *n < 0,
                _ => false,
            };
            if bad {
                push(
                    findings,
                    "VALUE_INVALID",
                    Severity::Error,
                    format!("第二部分“{}”行“{}”为 {}，应为非负整数", label, block.columns.get(i).copied().unwrap_or(""), v),
                    loc.clone().with_column(block.columns.get(i).copied().unwrap_or("")),
                );
            }
        }
        if r.candidates.len() > 1 {
            let (list, differ) = crate::solve::describe(&r.candidates, block.columns);
            push(
                findings,
                "TABLE_AMBIGUOUS",
                Severity::Warning,
                format!("第二部分“{label}”行的数字连在一起，可拆为 {list}（不同在{differ}列）；本表没有勾稽关系可以确定，未作猜测，这些格按未读处理"),
                loc.clone(),
            );
        } else if r.run_together {
            push(
                findings,
                "CELLS_RUN_TOGETHER",
                Severity::Warning,
                format!(
                    "第二部分“{label}”行的数字连在一起，只有一种拆法：{}",
                    r.values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("、")
                ),
                loc.clone(),
            );
        }
        let mut values = r.values.clone();
        values.resize(block.columns.len(), Value::Blank);
        rows.push(Section2Row { block: block.item.to_string(), label: label.to_string(), values, line: r.line });
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Section 三
// ---------------------------------------------------------------------------------------------

fn section3_rows(s3: &ReadTable, version: FormatVersion, findings: &mut Vec<Finding>) -> Vec<Section3Row> {
    let cols = format(version).section3_columns;
    let mut rows = Vec::new();
    if !s3.any_cells && s3.rows.is_empty() {
        push(
            findings,
            "TABLE_MISSING",
            Severity::Error,
            "第三部分没有“收到和处理政府信息公开申请情况”统计表",
            Location::section(3),
        );
        return rows;
    }
    // Rows in statutory order of the version; the 2019 single row is kept where the report has it.
    let fmt = format(version);
    let other = format(match version {
        FormatVersion::V2021 => FormatVersion::Trial2019,
        FormatVersion::Trial2019 => FormatVersion::V2021,
    });
    let mut order: Vec<&'static str> = fmt.section3_rows.iter().map(|r| r.id).collect();
    for r in other.section3_rows {
        if s3.get(r.id).is_some() && !order.contains(&r.id) {
            let pos = order.iter().position(|id| *id == tables::S3_TOTAL).unwrap_or(order.len());
            order.insert(pos, r.id);
        }
    }
    let replaced_by_2019 = s3.get(tables::S3_OTHER_2019).is_some();
    let replaced_by_2021 = s3.rows.iter().any(|r| r.id.starts_with("其他处理/"));
    for id in order {
        let Some(r) = s3.get(id) else {
            let covered = (id.starts_with("其他处理/") && replaced_by_2019) || (id == tables::S3_OTHER_2019 && replaced_by_2021);
            if !covered {
                let line = s3.unpaired.iter().find(|(u, _)| *u == id).map(|(_, l)| *l);
                let msg = if line.is_some() {
                    format!("第三部分“{id}”行找到了标签，但没有找到对应的数字")
                } else {
                    format!("第三部分缺少“{id}”行")
                };
                push(findings, "ROW_MISSING", Severity::Error, msg, Location::section(3).with_row(id).with_line(line));
            }
            continue;
        };
        let loc = Location::section(3).with_row(id).with_line(Some(r.line));
        let mut values = r.values.clone();
        // A pipe row whose last cells are blank and not written out ("| 3 |  |  |"): blanks.
        if values.len() < 7 && values.len() >= 2 && values.last().is_some_and(|v| v.is_blank()) {
            values.resize(7, Value::Blank);
        }
        if values.len() != 7 {
            push(
                findings,
                "ROW_WIDTH",
                Severity::Error,
                format!("第三部分“{}”行应有 7 个数（{}），读到 {} 个", id, cols.join("、"), values.len()),
                loc.clone(),
            );
            if values.len() > 7 {
                values = values.split_off(values.len() - 7);
            } else {
                values.resize(7, Value::Blank);
            }
        }
        if r.run_together {
            push(
                findings,
                "CELLS_RUN_TOGETHER",
                Severity::Warning,
                format!(
                    "第三部分“{}”行的数字连在一起，已按“总计等于各列之和”拆分为 {}",
                    id,
                    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("、")
                ),
                loc.clone(),
            );
        }
        for (i, v) in values.iter().enumerate() {
            let bad = match v {
                Value::Int(n) => *n < 0,
                Value::Dec(_) => true,
                Value::Blank => false,
            };
            if bad {
                push(
                    findings,
                    "VALUE_INVALID",
                    Severity::Error,
                    format!("第三部分“{}”行“{}”列为 {}，申请数应为非负整数", id, cols[i], v),
                    loc.clone().with_column(cols[i]),
                );
            }
        }
        rows.push(Section3Row { label: id.to_string(), values, line: r.line });
    }
    for (id, written, line) in &s3.misprints {
        push(
            findings,
            "LABEL_MISPRINT",
            Severity::Warning,
            format!("第三部分行标签“{}”与法定标签“{}”不一致", written.trim(), id.rsplit('/').next().unwrap_or(id)),
            Location::section(3).with_row(*id).with_line(Some(*line)),
        );
    }
    rows
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn check_section3(rows: &[Section3Row], version: FormatVersion, ambiguous: &[&str], findings: &mut Vec<Finding>) {
    let fmt = format(version);
    let cols = fmt.section3_columns;
    let get = |id: &str| rows.iter().find(|r| r.label == id);
    let by_role = |role: RowRole| fmt.section3_row_with_role(role).and_then(|r| get(r.id));

    // C2: row totals.
    for r in rows {
        if ambiguous.contains(&r.label.as_str()) {
            continue;
        }
        let parts: f64 = r.values[..6].iter().map(|v| v.or_zero()).sum();
        let total = r.values[6];
        // A blank total cannot be checked (one BLANK_CELLS warning covers the table).
        if total.is_blank() {
            continue;
        }
        if (parts - total.or_zero()).abs() > 1e-9 {
            push(
                findings,
                "ARITH_C2",
                Severity::Error,
                format!(
                    "C2：第三部分“{}”行的“总计”为 {}，但自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六列之和为 {}（{}）",
                    r.label,
                    total,
                    fmt_num(parts),
                    r.values[..6].iter().map(|v| v.to_string()).collect::<Vec<_>>().join("+")
                ),
                Location::section(3).with_row(&r.label).with_column("总计").with_line(Some(r.line)),
            );
        }
    }

    // Column identities need every cell: not checked while a row's reading is open.
    if !ambiguous.is_empty() {
        return;
    }
    // C1: 新收 + 上年结转 = 总计 + 结转下年度, per column.
    if let (Some(a), Some(b), Some(t), Some(c)) = (
        by_role(RowRole::Received),
        by_role(RowRole::CarriedIn),
        by_role(RowRole::ResultTotal),
        by_role(RowRole::CarriedOut),
    ) {
        for (i, col) in cols.iter().enumerate() {
            let left = a.values[i].or_zero() + b.values[i].or_zero();
            let right = t.values[i].or_zero() + c.values[i].or_zero();
            if (left - right).abs() > 1e-9 {
                push(
                    findings,
                    "ARITH_C1",
                    Severity::Error,
                    format!(
                        "C1：“{col}”列中，本年新收 {} + 上年结转 {} = {}，但（七）总计 {} + 结转下年度 {} = {}；两者应相等",
                        a.values[i], b.values[i], fmt_num(left), t.values[i], c.values[i], fmt_num(right)
                    ),
                    Location::section(3).with_column(*col).with_line(Some(t.line)),
                );
            }
        }
    }

    // C3: （七）总计 = sum of result rows, per column (the rows the report actually has).
    if let Some(t) = by_role(RowRole::ResultTotal) {
        let result_rows: Vec<&Section3Row> = rows
            .iter()
            .filter(|r| {
                r.label == tables::S3_OTHER_2019
                    || format(FormatVersion::V2021).section3_row(&r.label).is_some_and(|s| s.role == RowRole::Result)
            })
            .collect();
        if !result_rows.is_empty() {
            for (i, col) in cols.iter().enumerate() {
                let sum: f64 = result_rows.iter().map(|r| r.values[i].or_zero()).sum();
                if (sum - t.values[i].or_zero()).abs() > 1e-9 {
                    let mut nonzero: Vec<String> = result_rows
                        .iter()
                        .filter(|r| r.values[i].or_zero() != 0.0)
                        .map(|r| format!("{} {}", short_label(&r.label), r.values[i]))
                        .collect();
                    if nonzero.len() > 8 {
                        let more = nonzero.len() - 8;
                        nonzero.truncate(8);
                        nonzero.push(format!("等 {more} 项"));
                    }
                    push(
                        findings,
                        "ARITH_C3",
                        Severity::Error,
                        format!(
                            "C3：“{col}”列中，（七）总计为 {}，但各项办理结果之和为 {}（{}）",
                            t.values[i],
                            fmt_num(sum),
                            if nonzero.is_empty() { "均为0".to_string() } else { nonzero.join(" + ") }
                        ),
                        Location::section(3).with_row(tables::S3_TOTAL).with_column(*col).with_line(Some(t.line)),
                    );
                }
            }
        }
    }
}

fn short_label(id: &str) -> String {
    let tail = id.rsplit('/').next().unwrap_or(id);
    let group = if id.contains('/') { id.split('/').next().unwrap_or("") } else { "" };
    let tail: String = tail.chars().take(10).collect();
    if group.is_empty() {
        tail
    } else {
        format!("{group}{tail}")
    }
}

// ---------------------------------------------------------------------------------------------
// Section 四
// ---------------------------------------------------------------------------------------------

fn check_section4_shape(cells: &[Value], first_line: Option<usize>, findings: &mut Vec<Finding>) {
    if cells.is_empty() {
        push(
            findings,
            "TABLE_MISSING",
            Severity::Error,
            "第四部分没有“行政复议、行政诉讼情况”统计表",
            Location::section(4),
        );
    } else if cells.len() != 15 {
        push(
            findings,
            "TABLE_INCOMPLETE",
            Severity::Error,
            format!("第四部分统计表应有 15 个数（行政复议、未经复议直接起诉、复议后起诉各 5 个），读到 {} 个", cells.len()),
            Location::section(4).with_line(first_line),
        );
    }
}

fn check_section4(cells: &[Value], line: Option<usize>, findings: &mut Vec<Finding>) {
    let fmt = format(FormatVersion::V2021);
    for (i, v) in cells.iter().enumerate() {
        let bad = matches!(v, Value::Int(n) if *n < 0) || matches!(v, Value::Dec(_));
        if bad {
            let c = &fmt.section4[i];
            push(
                findings,
                "VALUE_INVALID",
                Severity::Error,
                format!("第四部分“{}”的“{}”为 {}，应为非负整数", c.group, c.column, v),
                Location::section(4).with_row(c.group).with_column(c.column).with_line(line),
            );
        }
    }
    for (g, group) in fmt.section4_groups().iter().enumerate() {
        let part = &cells[g * 5..g * 5 + 5];
        if part[4].is_blank() {
            continue;
        }
        let sum: f64 = part[..4].iter().map(|v| v.or_zero()).sum();
        if (sum - part[4].or_zero()).abs() > 1e-9 {
            push(
                findings,
                "ARITH_C4",
                Severity::Error,
                format!(
                    "C4：第四部分“{}”的总计为 {}，但结果维持 {} + 结果纠正 {} + 其他结果 {} + 尚未审结 {} = {}",
                    group.replace('/', "（") + if group.contains('/') { "）" } else { "" },
                    part[4],
                    part[0],
                    part[1],
                    part[2],
                    part[3],
                    fmt_num(sum)
                ),
                Location::section(4).with_row(*group).with_column("总计").with_line(line),
            );
        }
    }
}

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
    fn line_at(&self, offset: usize) -> usize {
        match self.map.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => self.map[i].1,
            Err(0) => self.map.first().map(|m| m.1).unwrap_or(1),
            Err(i) => self.map[i - 1].1,
        }
    }
}

/// Line indices of prose: everything except table lines of sections 二–四 and the signature.
fn narrative_text(lines: &[Line], st: &Structure) -> Vec<usize> {
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

static BREAKDOWN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\s*(条|件|个|宗|起|篇|项|次|场|期)[^。；;\d]{0,4}?其中").expect("regex")
});
static PART_RE: LazyLock<Regex> =
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

fn find_breakdowns(j: &Joined, findings: &mut Vec<Finding>) -> Vec<Breakdown> {
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

static NUM_UNIT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\s*(件|宗|个|份|起|条)").expect("regex"));

/// Clauses of a text between the delimiters 。，,；;（(）) with their byte offsets; the last
/// clause runs to the end of the text.
fn clauses(text: &str) -> impl Iterator<Item = (usize, &str)> {
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

fn check_narrative_vs_tables(j: &Joined, report: &CheckReport, findings: &mut Vec<Finding>) {
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

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

static MISSING_NIAN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])((?:19|20)\d{2})\s?(1[0-2]|0?[1-9])\s*月\s*\d{1,2}\s*日").expect("regex")
});
static PERIOD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起\s*)?(?:至|到|—|-|～|~)\s*(?:(\d{4})\s*年\s*)?12\s*月\s*31\s*日").expect("regex")
});
static YEAR_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("regex"));

#[derive(Clone, Copy, PartialEq)]
enum AgencyKind {
    Township,
    Government,
    Department,
    Unknown,
}

fn agency_kind(name: Option<&str>) -> AgencyKind {
    let Some(n) = name else { return AgencyKind::Unknown };
    let c = compact(n);
    if c.ends_with("镇人民政府") || c.ends_with("乡人民政府") || c.contains("街道办事处") || c.ends_with("街道") || c.ends_with('镇') || c.ends_with('乡') {
        AgencyKind::Township
    } else if c.ends_with("人民政府") || c.ends_with("政府") {
        AgencyKind::Government
    } else {
        AgencyKind::Department
    }
}

fn check_dates(
    lines: &[Line],
    st: &Structure,
    published: Option<(NaiveDate, usize)>,
    j: &Joined,
    today: Option<NaiveDate>,
    findings: &mut Vec<Finding>,
) {
    // Dates missing 年.
    for l in lines {
        if let Some(c) = l.text.contains('月').then(|| MISSING_NIAN_RE.captures(l.text)).flatten() {
            let m = c.get(0).map(|m| m.as_str().trim_start_matches(|ch: char| !ch.is_ascii_digit())).unwrap_or("");
            push(
                findings,
                "DATE_MISSING_NIAN",
                Severity::Warning,
                format!("日期“{}”缺少“年”字", snippet(m)),
                Location::line(l.no),
            );
        }
    }
    let Some(year) = st.year else { return };
    // Statistical period.
    for c in PERIOD_RE.captures_iter(&j.text) {
        let y1 = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok());
        let y2 = c.get(2).and_then(|m| m.as_str().parse::<i32>().ok()).or(y1);
        if y1 != Some(year) || y2 != Some(year) {
            let off = c.get(0).map(|m| m.start()).unwrap_or(0);
            push(
                findings,
                "DATE_YEAR_MISMATCH",
                Severity::Error,
                format!(
                    "统计期限写为“{}”，与报告年度 {year} 年不符",
                    snippet(c.get(0).map(|m| m.as_str()).unwrap_or(""))
                ),
                Location::line(j.line_at(off)),
            );
        }
    }
    // Year mentions in section 一.
    if let Some((a, b)) = st.section_range(1) {
        let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
        for l in lines.get(a..b).unwrap_or(&[]) {
            for c in YEAR_RE.captures_iter(l.text) {
                if let Some(y) = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok()) {
                    *counts.entry(y).or_insert(0) += 1;
                }
            }
        }
        let own = counts.get(&year).copied().unwrap_or(0);
        if let Some((&other, &n)) = counts.iter().filter(|(y, _)| **y != year && **y != year + 1).max_by_key(|(_, n)| **n) {
            if own == 0 && n >= 2 {
                push(
                    findings,
                    "DATE_YEAR_MISMATCH",
                    Severity::Warning,
                    format!("第一部分多次提到 {other} 年（{n} 处），却没有提到报告年度 {year} 年，疑似沿用其他年度的文字"),
                    Location::section(1).with_line(lines.get(a.saturating_sub(1)).map(|l| l.no)),
                );
            }
        }
    }
    let Some((date, idx)) = published else { return };
    let line = lines.get(idx).map(|l| l.no);
    if date <= NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(date) {
        push(
            findings,
            "DATE_YEAR_MISMATCH",
            Severity::Error,
            format!("发布日期 {date} 早于统计期结束（{year}-12-31），与报告年度不符"),
            Location::line(line.unwrap_or(1)),
        );
        return;
    }
    if let Some(t) = today {
        if date > t {
            push(
                findings,
                "DATE_FUTURE",
                Severity::Warning,
                format!("发布日期 {date} 晚于今天（{t}）"),
                Location::line(line.unwrap_or(1)),
            );
        }
    }
    let name = st.agency.as_deref().or(st.signature_agency.as_ref().map(|(s, _)| s.as_str()));
    let sig_kind = agency_kind(st.signature_agency.as_ref().map(|(s, _)| s.as_str()));
    let kind = match agency_kind(name) {
        AgencyKind::Unknown => sig_kind,
        k if sig_kind == AgencyKind::Township => {
            let _ = k;
            AgencyKind::Township
        }
        k => k,
    };
    let next = year + 1;
    let (deadline, sev, rule) = match kind {
        AgencyKind::Government => (
            NaiveDate::from_ymd_opt(next, 3, 31),
            Severity::Error,
            "县级以上人民政府的年度报告应于次年3月31日前公布（《条例》第四十九条）",
        ),
        AgencyKind::Department => (
            NaiveDate::from_ymd_opt(next, 1, 31),
            Severity::Error,
            "县级以上人民政府部门的年度报告应于次年1月31日前公布（《条例》第四十九条）",
        ),
        AgencyKind::Township => (
            NaiveDate::from_ymd_opt(next, 1, 31),
            Severity::Warning,
            "乡镇（街道）年度报告由县级政府汇总公布，期限按当地要求；此处按部门期限次年1月31日核对",
        ),
        AgencyKind::Unknown => (
            NaiveDate::from_ymd_opt(next, 3, 31),
            Severity::Warning,
            "未能识别机关类型，按最晚的法定期限次年3月31日核对",
        ),
    };
    if let Some(dl) = deadline {
        if date > dl {
            push(
                findings,
                "DATE_LATE",
                sev,
                format!("发布日期 {date} 晚于期限 {dl}：{rule}"),
                Location::line(line.unwrap_or(1)),
            );
        }
    }
    let _ = date.year();
}

// ---------------------------------------------------------------------------------------------
// Fees (C11)
// ---------------------------------------------------------------------------------------------

fn check_fee(lines: &[Line], st: &Structure, version: FormatVersion, findings: &mut Vec<Finding>) {
    if version != FormatVersion::V2021 {
        return;
    }
    let Some((a, b)) = st.section_range(6) else { return };
    let sec = lines.get(a..b).unwrap_or(&[]);
    if sec.iter().all(|l| l.is_blank()) {
        return;
    }
    let mentions = sec.iter().any(|l| l.compact.contains("处理费") || l.compact.contains("收费") || l.compact.contains("收取"));
    if !mentions {
        push(
            findings,
            "FEE_NOT_REPORTED",
            Severity::Info,
            "第六部分未说明政府信息公开信息处理费的收取情况（实践中在此报告收费通知数和实收金额）",
            Location::section(6).with_line(st.heading(6).and_then(|h| lines.get(h.idx)).map(|l| l.no)),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Previous year (C5, 雷同)
// ---------------------------------------------------------------------------------------------

fn shingles(text: &str) -> HashSet<u64> {
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

fn compare_previous(cur: &mut Analysis, prev: &Analysis) {
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

fn same_values(a: &[Section3Row], b: &[Section3Row]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.label == y.label && x.values == y.values)
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
