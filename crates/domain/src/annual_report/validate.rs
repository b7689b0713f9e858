//! Validation before publishing (spec §2 and rules C1–C11). Errors block publishing; warnings
//! need an explicit acknowledgement by the person who publishes.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::model::{paragraphs, AnnualReport};
use super::narrative::{check_figures, Mismatch};
use crate::report_format::{format, format_for_year, CellKind, FormatVersion, RowRole};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks publishing.
    Error,
    /// Needs an acknowledgement.
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "提醒",
        }
    }
}

/// One problem found in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. "C1", "NARRATIVE_FIGURE".
    pub code: &'static str,
    pub severity: Severity,
    /// Section 1–6, 0 for the title/signature.
    pub section: u8,
    /// Chinese message naming the row, column and expected value.
    pub message: String,
}

/// What validation compares a report with.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    /// The organisation's published report of the year before, if any.
    pub previous: Option<&'a AnnualReport>,
    /// Today (for the report year and the deadline).
    pub today: NaiveDate,
    /// The publication deadline of this report.
    pub deadline: NaiveDate,
    /// When the report of this year was first published (any revision), if it has been: a
    /// report published on time, and any correction of it, gets no deadline warning.
    pub first_published: Option<NaiveDate>,
}

/// Reports at least this similar to last year's narrative get the 雷同 warning.
pub const SIMILARITY_WARNING: f64 = 0.85;

/// Every finding for `r`, errors first.
pub fn validate(r: &AnnualReport, ctx: &ValidationContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |code: &'static str, severity: Severity, section: u8, message: String| {
        out.push(Finding {
            code,
            severity,
            section,
            message,
        });
    };
    let fmt = format(r.format);

    // Identity: year, format, organisation (C8).
    if r.year >= ctx.today.year() {
        push(
            "YEAR_OPEN",
            Severity::Error,
            0,
            format!("{}年尚未结束，不能发布该年度的年度报告", r.year),
        );
    }
    if r.format != format_for_year(r.year) {
        push(
            "FORMAT",
            Severity::Error,
            0,
            format!(
                "{}年度报告应使用{}，本报告使用的是{}",
                r.year,
                format_for_year(r.year).display_name(),
                r.format.display_name()
            ),
        );
    }
    if !r.title.contains(&r.organisation.name) || !r.title.contains(&format!("{}年", r.year)) {
        push(
            "TITLE",
            Severity::Error,
            0,
            format!(
                "标题应包含机关名称“{}”和报告年度“{}年”",
                r.organisation.name, r.year
            ),
        );
    }
    if r.signature.trim() != r.organisation.name {
        push(
            "SIGNATURE",
            Severity::Error,
            0,
            format!("落款应为“{}”", r.organisation.name),
        );
    }

    // Section 二 structure and cells (C6, C7).
    let blocks_match = r.section2.len() == fmt.section2.len()
        && r.section2.iter().zip(fmt.section2).all(|(b, f)| {
            b.item == f.item
                && b.columns
                    .iter()
                    .map(String::as_str)
                    .eq(f.columns.iter().copied())
                && b.rows
                    .iter()
                    .map(|x| x.label.as_str())
                    .eq(f.rows.iter().copied())
                && b.rows.iter().all(|x| {
                    x.cells.len() == f.columns.len()
                        && x.cells.iter().zip(f.kinds).all(|(c, k)| c.kind == *k)
                })
        });
    if !blocks_match {
        push(
            "C7",
            Severity::Error,
            2,
            "第二部分表格的栏目与年度报告格式不一致".into(),
        );
    }
    for b in &r.section2 {
        for row in &b.rows {
            for (c, col) in row.cells.iter().zip(&b.columns) {
                if c.value < 0 && c.kind != CellKind::SignedCount {
                    push(
                        "C6",
                        Severity::Error,
                        2,
                        format!("第二部分“{}”行“{}”列不能为负数", row.label, col),
                    );
                }
            }
        }
    }
    for key in &r.figures.unentered {
        push(
            "UNENTERED",
            Severity::Warning,
            2,
            format!("第二部分“{}”尚未填写，按0计", key.replace('/', " · ")),
        );
    }
    if r.format == FormatVersion::V2021 {
        if let Some(prev) = ctx.previous.filter(|p| p.format == FormatVersion::V2021) {
            for label in ["规章", "行政规范性文件"] {
                let cell = |rep: &AnnualReport, col| {
                    rep.section2_cell(1, label, col).map_or(0, |c| c.value)
                };
                let expected = cell(prev, 2) + cell(r, 0) - cell(r, 1);
                if cell(r, 2) != expected {
                    push(
                        "C7_CONTINUITY",
                        Severity::Warning,
                        2,
                        format!(
                            "“{label}”现行有效件数为{}，按上年现行有效{}件加本年制发{}件减本年废止{}件应为{}件，请核实",
                            cell(r, 2),
                            cell(prev, 2),
                            cell(r, 0),
                            cell(r, 1),
                            expected
                        ),
                    );
                }
            }
        }
    }

    // Section 三 (C1–C3, structure).
    if !r
        .section3
        .iter()
        .map(|x| x.id.as_str())
        .eq(fmt.section3_rows.iter().map(|x| x.id))
    {
        push(
            "SECTION3_ROWS",
            Severity::Error,
            3,
            "第三部分表格的行与年度报告格式不一致".into(),
        );
    }
    let columns = fmt.section3_columns;
    let role = |role: RowRole| r.section3_role(role).map_or([0u64; 7], |x| x.cells);
    let (new, carried_in, total, carried_out) = (
        role(RowRole::Received),
        role(RowRole::CarriedIn),
        role(RowRole::ResultTotal),
        role(RowRole::CarriedOut),
    );
    for c in 0..7 {
        let left = new[c] + carried_in[c];
        let right = total[c] + carried_out[c];
        if left != right {
            push(
                "C1",
                Severity::Error,
                3,
                format!(
                    "第三部分“{}”列：本年新收{}加上年结转{}为{}，而办理结果总计{}加结转下年度{}为{}",
                    columns[c], new[c], carried_in[c], left, total[c], carried_out[c], right
                ),
            );
        }
        let sum: u64 = r
            .section3
            .iter()
            .filter(|x| x.role == RowRole::Result)
            .map(|x| x.cells[c])
            .sum();
        if sum != total[c] {
            push(
                "C3",
                Severity::Error,
                3,
                format!(
                    "第三部分“{}”列：各项办理结果之和为{}，（七）总计填写为{}",
                    columns[c], sum, total[c]
                ),
            );
        }
    }
    for row in &r.section3 {
        let sum: u64 = row.cells[..6].iter().sum();
        if sum != row.cells[6] {
            push(
                "C2",
                Severity::Error,
                3,
                format!(
                    "第三部分“{}”行：各类申请人之和为{}，总计填写为{}",
                    row.label, sum, row.cells[6]
                ),
            );
        }
    }
    if let Some(prev) = ctx.previous {
        let prev_out = prev
            .section3_role(RowRole::CarriedOut)
            .map_or([0u64; 7], |x| x.cells);
        for c in 0..7 {
            if prev_out[c] != carried_in[c] {
                push(
                    "C5",
                    Severity::Warning,
                    3,
                    format!(
                        "第三部分“{}”列：上年结转{}与{}年度报告的结转下年度继续办理{}不一致",
                        columns[c], carried_in[c], prev.year, prev_out[c]
                    ),
                );
            }
        }
    }

    // Section 四 (C4).
    for (g, group) in fmt.section4_groups().iter().enumerate() {
        let cells = &r.section4[g * 5..g * 5 + 5];
        let sum: u64 = cells[..4].iter().sum();
        if sum != cells[4] {
            push(
                "C4",
                Severity::Error,
                4,
                format!(
                    "第四部分“{group}”：四项结果之和为{sum}，总计填写为{}",
                    cells[4]
                ),
            );
        }
    }

    // Narrative (C8, D-8, C11).
    for (n, text) in [(1u8, &r.section1), (5, &r.section5), (6, &r.section6)] {
        if paragraphs(text).next().is_none() {
            push(
                "EMPTY_SECTION",
                Severity::Error,
                n,
                format!("第{}部分没有内容", fmt.sections[usize::from(n) - 1].numeral),
            );
        }
    }
    for (n, text) in [
        (0u8, &r.preamble),
        (1, &r.section1),
        (5, &r.section5),
        (6, &r.section6),
    ] {
        if let Some(debris) = markup_debris(text) {
            push(
                "MARKUP",
                Severity::Error,
                n,
                format!("正文含有网页标记残留“{debris}”，请删除"),
            );
        }
        if text.contains("（请补充") {
            push(
                "DRAFT_PROMPT",
                Severity::Warning,
                n,
                "正文中仍有“（请补充……）”草稿提示语，请补充内容后删除".into(),
            );
        }
        for y in years_mentioned(text) {
            if y < r.year - 1 || y > r.year + 1 {
                push(
                    "YEAR_MENTION",
                    Severity::Warning,
                    n,
                    format!("正文提到“{y}年”，本报告是{}年度报告，请确认", r.year),
                );
            }
        }
    }
    for Mismatch {
        section,
        quoted,
        expected,
        what,
    } in check_figures(r)
    {
        push(
            "NARRATIVE_FIGURE",
            Severity::Error,
            section,
            format!("正文中的{what}为{quoted}，与统计数据{expected}不一致"),
        );
    }
    let f = &r.figures;
    if (f.fee_notices > 0 || f.fees_collected_fen > 0) && !r.section6.contains("信息处理费") {
        push(
            "C11",
            Severity::Warning,
            6,
            "本年度发出过信息处理费收费通知，第六部分应报告信息处理费的收取情况".into(),
        );
    }

    // C10: similarity and the deadline.
    if let Some(prev) = ctx.previous {
        let s = similarity(&r.narrative_text(), &prev.narrative_text());
        if s >= SIMILARITY_WARNING {
            push(
                "C10_SIMILAR",
                Severity::Warning,
                0,
                format!(
                    "正文与{}年度报告的相似度为{:.0}%，请避免内容雷同",
                    prev.year,
                    s * 100.0
                ),
            );
        }
    }
    // Only a report of which no revision has been published yet can still become late; a
    // correction is measured against its own publication, not the original deadline.
    if ctx.first_published.is_none() && ctx.today > ctx.deadline {
        push(
            "C10_LATE",
            Severity::Warning,
            0,
            format!(
                "已超过发布期限（{}），发布后将记为逾期发布",
                ctx.deadline.format("%Y年%-m月%-d日")
            ),
        );
    }

    out.sort_by_key(|f| (f.severity, f.section));
    out
}

/// The first piece of HTML/markup debris in a text, if any.
pub fn markup_debris(text: &str) -> Option<String> {
    let bytes: Vec<char> = text.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        if *c == '<' {
            let rest: String = bytes[i + 1..].iter().take(12).collect();
            let tag = rest.trim_start_matches('/');
            if tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && rest.contains('>') {
                let end = rest.find('>').unwrap_or(rest.len());
                return Some(format!("<{}>", &rest[..end]));
            }
        }
        if *c == '&' {
            let rest: String = bytes[i + 1..].iter().take(8).collect();
            if let Some(end) = rest.find(';') {
                let name = &rest[..end];
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '#') {
                    return Some(format!("&{name};"));
                }
            }
        }
        if *c == '\u{FFFD}' {
            return Some("\u{FFFD}".into());
        }
    }
    None
}

fn years_mentioned(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 < chars.len() {
        let before_digit = i > 0 && chars[i - 1].is_ascii_digit();
        if !before_digit
            && chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && chars[i + 4] == '年'
        {
            let s: String = chars[i..i + 4].iter().collect();
            if let Ok(y) = s.parse::<i32>() {
                if (1990..=2100).contains(&y) && !out.contains(&y) {
                    out.push(y);
                }
            }
            i += 5;
        } else {
            i += 1;
        }
    }
    out
}

/// Similarity of two texts in [0, 1]: the Dice coefficient of their character bigrams, with
/// digits folded (so that changing the year and figures alone does not make a text new) and
/// punctuation and spaces ignored.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> HashMap<(char, char), u32> {
        let chars: Vec<char> = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
        let mut m = HashMap::new();
        for w in chars.windows(2) {
            *m.entry((w[0], w[1])).or_insert(0) += 1;
        }
        m
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let total: u32 = x.values().sum::<u32>() + y.values().sum::<u32>();
    if total == 0 {
        return 0.0;
    }
    let common: u32 = x
        .iter()
        .map(|(k, n)| (*n).min(y.get(k).copied().unwrap_or(0)))
        .sum();
    f64::from(2 * common) / f64::from(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_is_found() {
        assert_eq!(markup_debris("（2）通过公开栏进行公开"), None);
        assert_eq!(
            markup_debris("?。?</span>2）通过公开栏"),
            Some("</span>".into())
        );
        assert_eq!(markup_debris("公开&nbsp;信息"), Some("&nbsp;".into()));
        assert_eq!(markup_debris("A&B; 公司"), Some("&B;".into()));
        assert_eq!(markup_debris("数量<5件"), None);
    }

    #[test]
    fn years() {
        assert_eq!(
            years_mentioned("2023年，我镇……2024年将……12023年"),
            vec![2023, 2024]
        );
    }

    #[test]
    fn similarity_bounds() {
        assert!((similarity("政府信息公开工作", "政府信息公开工作") - 1.0).abs() < 1e-9);
        assert!((similarity("2022年公开66条", "2023年公开70条") - 1.0).abs() < 1e-9);
        assert!(similarity("政府信息公开", "乡村振兴项目") < 0.01);
        assert_eq!(similarity("", ""), 0.0);
    }
}
