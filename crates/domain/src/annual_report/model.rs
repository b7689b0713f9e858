//! The annual report (政府信息公开工作年度报告) as a document: six sections, the three tables,
//! the narrative and the figures the narrative was drafted from.
//!
//! The structure is owned data (serde round-trips it) so that a stored draft, a published
//! revision and the machine-readable JSON export are the same value. Labels are copied from the
//! versioned format data in [`crate::report_format`] when a report is generated, so a report
//! keeps the wording of the format it was written in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::OrgLevel;
use crate::report_format::{format, CellKind, FormatVersion, ReportFormat, RowRole};

/// Version of gongkai's report document (and of its JSON Schema).
pub const SCHEMA_VERSION: u32 = 1;

/// The organisation a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOrg {
    pub id: i64,
    /// Full name, e.g. "清远市清城区源潭镇人民政府".
    pub name: String,
    /// The organisation's code (统一社会信用代码 or 组织机构代码), empty when unknown.
    pub code: String,
    pub level: OrgLevel,
}

/// One number of the section 二 table.
///
/// Counts hold the count in `value`; an amount in 万元 holds millionths of 万元 (that is, fen),
/// so that decimals entered by staff are kept exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub kind: CellKind,
    pub value: i64,
}

/// Millionths of 万元 per 万元 (one unit is one fen).
pub const AMOUNT_SCALE: i64 = 1_000_000;

impl Cell {
    pub fn count(value: u64) -> Cell {
        Cell {
            kind: CellKind::Count,
            value: i64::try_from(value).unwrap_or(i64::MAX),
        }
    }

    pub fn zero(kind: CellKind) -> Cell {
        Cell { kind, value: 0 }
    }

    /// The value as a plain number (万元 for amounts).
    pub fn as_f64(self) -> f64 {
        match self.kind {
            CellKind::Amount => self.value as f64 / AMOUNT_SCALE as f64,
            _ => self.value as f64,
        }
    }

    /// The value as printed: integers as they are, amounts with the decimals they carry
    /// (at most six, trailing zeros dropped), e.g. "0", "-3", "12.35".
    pub fn display(self) -> String {
        match self.kind {
            CellKind::Amount => format_amount(self.value),
            _ => self.value.to_string(),
        }
    }

    /// Parse what staff typed into a cell of `kind`. Accepts half- and full-width digits,
    /// thousands separators and surrounding spaces; an empty string is an error.
    pub fn parse(kind: CellKind, text: &str) -> Result<Cell, CellError> {
        let t: String = text
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '－' | '−' => '-',
                _ => c,
            })
            .collect();
        if t.is_empty() {
            return Err(CellError::Empty);
        }
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let bad = || CellError::NotANumber(text.trim().to_string());
        let value = match kind {
            CellKind::Count | CellKind::SignedCount => {
                if digits.contains('.') {
                    return Err(CellError::NotAnInteger(text.trim().to_string()));
                }
                if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                let v: i64 = digits.parse().map_err(|_| CellError::TooLarge)?;
                if v > MAX_FIGURE {
                    return Err(CellError::TooLarge);
                }
                v
            }
            CellKind::Amount => {
                let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
                if int.is_empty() && frac.is_empty()
                    || !int.chars().all(|c| c.is_ascii_digit())
                    || !frac.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(bad());
                }
                if frac.len() > 6 {
                    return Err(CellError::TooPrecise);
                }
                let int_v: i64 = if int.is_empty() {
                    0
                } else {
                    int.parse().map_err(|_| CellError::TooLarge)?
                };
                if int_v > MAX_FIGURE {
                    return Err(CellError::TooLarge);
                }
                let frac_v: i64 = if frac.is_empty() {
                    0
                } else {
                    format!("{frac:0<6}").parse().map_err(|_| bad())?
                };
                int_v * AMOUNT_SCALE + frac_v
            }
        };
        if negative && kind != CellKind::SignedCount {
            return Err(CellError::Negative);
        }
        Ok(Cell {
            kind,
            value: if negative { -value } else { value },
        })
    }
}

/// Figures above this are refused as typing errors (no disclosure office counts a trillion).
pub const MAX_FIGURE: i64 = 1_000_000_000_000;

/// Why a typed cell was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error("未填写")]
    Empty,
    #[error("“{0}”不是数字")]
    NotANumber(String),
    #[error("“{0}”不是整数（件数只能填整数）")]
    NotAnInteger(String),
    #[error("不能为负数")]
    Negative,
    #[error("数值过大")]
    TooLarge,
    #[error("小数位数过多（最多6位）")]
    TooPrecise,
}

fn format_amount(millionths: i64) -> String {
    let sign = if millionths < 0 { "-" } else { "" };
    let abs = millionths.unsigned_abs();
    let int = abs / AMOUNT_SCALE as u64;
    let frac = abs % AMOUNT_SCALE as u64;
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// One row of a section 二 block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section2Row {
    /// 信息内容, e.g. "行政规范性文件".
    pub label: String,
    pub cells: Vec<Cell>,
}

/// One block of the section 二 table (an item of Art. 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section2Block {
    /// e.g. "第二十条第（一）项".
    pub item: String,
    pub article_item: u8,
    /// Column headings after 信息内容.
    pub columns: Vec<String>,
    pub rows: Vec<Section2Row>,
}

/// One row of the section 三 table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section3Row {
    /// Stable id from the format data.
    pub id: String,
    /// The statutory label, e.g. "1.属于国家秘密".
    pub label: String,
    /// The heading the row sits under (without numbering), if any.
    pub group: Option<String>,
    pub role: RowRole,
    /// 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
    pub cells: [u64; 7],
}

/// A category count for the narrative and the chart (items published in the year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub name: String,
    pub count: u64,
}

/// Figures gongkai took from its records when drafting; the narrative is checked against
/// them and the charts are drawn from them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceFigures {
    /// Items published in the year (all catalog columns).
    pub items_published: u64,
    /// Items published per catalog column, in catalog order.
    pub categories: Vec<CategoryCount>,
    /// 信息公开指南 items published in the year.
    pub guide_updates: u64,
    /// Items whose validity (有效性) was marked in the year.
    pub validity_marked: u64,
    /// Items published later than 20 working days after they were formed (Art. 26).
    pub late_publications: u64,
    /// Applications decided later than their reply deadline.
    pub late_replies: u64,
    /// Fee notices (收费通知) issued in the year.
    pub fee_notices: u64,
    /// Their total, in fen.
    pub fees_noticed_fen: i64,
    /// Fees actually collected in the year, in fen.
    pub fees_collected_fen: i64,
    /// The channel named in the narrative, e.g. "区政府门户网站".
    pub portal_name: String,
    /// How the organisation names itself in the narrative, e.g. "我镇".
    pub self_reference: String,
    /// Section 二 cells staff have not entered (counted as 0), by entered-figure key.
    #[serde(default)]
    pub unentered: Vec<String>,
    /// Art. 44 assessments of repeated applications in the year (see [`crate::art44`]).
    #[serde(default)]
    pub art44: crate::art44::Art44Figures,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualReport {
    pub schema_version: u32,
    pub format: FormatVersion,
    pub year: i32,
    pub organisation: ReportOrg,
    /// e.g. "清远市清城区源潭镇人民政府2023年政府信息公开工作年度报告".
    pub title: String,
    /// The opening paragraph before 一、总体情况.
    pub preamble: String,
    /// 一、总体情况 (paragraphs separated by line breaks).
    pub section1: String,
    /// 二、主动公开政府信息情况.
    pub section2: Vec<Section2Block>,
    /// 三、收到和处理政府信息公开申请情况, every row of the format in table order.
    pub section3: Vec<Section3Row>,
    /// 四、政府信息公开行政复议、行政诉讼情况: the 15 cells in statutory order.
    pub section4: [u64; 15],
    /// 五、存在的主要问题及改进情况.
    pub section5: String,
    /// 六、其他需要报告的事项.
    pub section6: String,
    /// The signature line (the organisation's name).
    pub signature: String,
    /// The date under the signature; set when the report is published.
    pub date: Option<NaiveDate>,
    /// What the draft was generated from.
    pub figures: SourceFigures,
}

impl AnnualReport {
    /// The format data this report follows.
    pub fn format_data(&self) -> &'static ReportFormat {
        format(self.format)
    }

    /// The narrative of section `n` (1, 5 or 6).
    pub fn narrative(&self, n: u8) -> Option<&str> {
        match n {
            1 => Some(&self.section1),
            5 => Some(&self.section5),
            6 => Some(&self.section6),
            _ => None,
        }
    }

    /// A section 三 row by role (新收, 上年结转, （七）总计, 结转下年度).
    pub fn section3_role(&self, role: RowRole) -> Option<&Section3Row> {
        self.section3.iter().find(|r| r.role == role)
    }

    /// A section 三 row by id.
    pub fn section3_row(&self, id: &str) -> Option<&Section3Row> {
        self.section3.iter().find(|r| r.id == id)
    }

    /// A section 二 cell by block, row label and column index.
    pub fn section2_cell(&self, article_item: u8, row: &str, column: usize) -> Option<Cell> {
        self.section2
            .iter()
            .find(|b| b.article_item == article_item)
            .and_then(|b| b.rows.iter().find(|r| r.label == row))
            .and_then(|r| r.cells.get(column).copied())
    }

    /// Total of a section 四 group (0 = 行政复议, 1 = 未经复议直接起诉, 2 = 复议后起诉).
    pub fn section4_total(&self, group: usize) -> u64 {
        self.section4.get(group * 5 + 4).copied().unwrap_or(0)
    }

    /// New applications received in the year (section 三 一, 总计 column).
    pub fn applications_received(&self) -> u64 {
        self.section3_role(RowRole::Received)
            .map_or(0, |r| r.cells[6])
    }

    /// The narrative text of all editable sections, for similarity checks.
    pub fn narrative_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.preamble, self.section1, self.section5, self.section6
        )
    }
}

/// Paragraphs of a narrative text: one per non-empty line, trimmed.
pub fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Whether a narrative paragraph is a sub-heading such as "（一）主动公开" or "1.公开内容":
/// short, numbered, and without a full stop.
pub fn is_subheading(paragraph: &str) -> bool {
    let p = paragraph.trim();
    let numbered = p.starts_with('（') && p.chars().nth(2) == Some('）')
        || p.chars().next().is_some_and(|c| c.is_ascii_digit()) && p.chars().nth(1) == Some('.');
    numbered && p.chars().count() <= 30 && !p.contains('。')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_parse_and_print() {
        assert_eq!(
            Cell::parse(CellKind::Count, " 12 ").map(Cell::display),
            Ok("12".into())
        );
        assert_eq!(
            Cell::parse(CellKind::Count, "１２").map(|c| c.value),
            Ok(12)
        );
        assert_eq!(
            Cell::parse(CellKind::Count, "1,234").map(|c| c.value),
            Ok(1234)
        );
        assert_eq!(Cell::parse(CellKind::Count, "-1"), Err(CellError::Negative));
        assert_eq!(
            Cell::parse(CellKind::Count, "1.5"),
            Err(CellError::NotAnInteger("1.5".into()))
        );
        assert_eq!(Cell::parse(CellKind::Count, ""), Err(CellError::Empty));
        assert_eq!(
            Cell::parse(CellKind::Count, "十二"),
            Err(CellError::NotANumber("十二".into()))
        );
        assert_eq!(
            Cell::parse(CellKind::SignedCount, "-8").map(Cell::display),
            Ok("-8".into())
        );
        assert_eq!(
            Cell::parse(CellKind::Amount, "12.35").map(Cell::display),
            Ok("12.35".into())
        );
        assert_eq!(
            Cell::parse(CellKind::Amount, "12.35").map(|c| c.value),
            Ok(12_350_000)
        );
        assert_eq!(
            Cell::parse(CellKind::Amount, ".5").map(Cell::display),
            Ok("0.5".into())
        );
        assert_eq!(
            Cell::parse(CellKind::Amount, "0.0000001"),
            Err(CellError::TooPrecise)
        );
        assert_eq!(
            Cell::parse(CellKind::Amount, "-1"),
            Err(CellError::Negative)
        );
        assert_eq!(
            Cell::parse(CellKind::Amount, "1.2.3"),
            Err(CellError::NotANumber("1.2.3".into()))
        );
        assert_eq!(
            Cell::parse(CellKind::Count, "99999999999999999999"),
            Err(CellError::TooLarge)
        );
        assert!(
            (Cell::parse(CellKind::Amount, "3.25")
                .map(Cell::as_f64)
                .unwrap_or(0.0)
                - 3.25)
                .abs()
                < 1e-9
        );
    }

    #[test]
    fn subheadings() {
        assert!(is_subheading("（一）主动公开政府信息情况"));
        assert!(is_subheading("1.公开内容"));
        assert!(!is_subheading(
            "（一）主动公开。2023年，我镇公开政府信息66条。"
        ));
        assert!(!is_subheading(
            "2023年，我镇通过区政府门户网站公开政府信息66条"
        ));
    }
}
