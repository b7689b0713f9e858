//! The annual-report formats (政府信息公开工作年度报告格式) as versioned data.
//!
//! Two formats are in use since the 2019 revision of the Regulations:
//!
//! - [`FormatVersion::Trial2019`]: 国办公开办函〔2019〕60号, the trial format issued after the
//!   revised Regulations took effect on 2019-05-15 (spec §1.7). It was used for the 2019 and
//!   2020 annual reports.
//! - [`FormatVersion::V2021`]: 国办公开办函〔2021〕30号, dated 2021-09-26 (spec §1.1). Issued in
//!   the autumn of 2021, it applied to the reports written in January 2022 about the year 2021,
//!   and to every later report. [`format_for_year`] therefore maps report years 2021 and later to
//!   `V2021`, and earlier years to `Trial2019` (reports before 2019 followed the older, pre-2019
//!   layout for which there is no table data here; the trial format is the closest known).
//!
//! Everything here is plain data with accessors, so that the report generator and the report
//! checker share one definition. Labels are the exact statutory wording of spec §1.3–§1.5 in
//! Simplified script. Section 三 row ids are stable strings: top-level rows use their full label
//! (e.g. `"一、本年新收政府信息公开申请数量"`), sub-rows are `"<group>/<label>"`
//! (e.g. `"不予公开/1.属于国家秘密"`).

use serde::{Deserialize, Serialize};

/// Which annual-report format a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormatVersion {
    /// 国办公开办函〔2019〕60号 (trial format; 2019 and 2020 reports).
    Trial2019,
    /// 国办公开办函〔2021〕30号 (2021 reports onward).
    V2021,
}

impl FormatVersion {
    /// Short stable name: `"2019"` or `"2021"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FormatVersion::Trial2019 => "2019",
            FormatVersion::V2021 => "2021",
        }
    }

    /// Chinese display name.
    pub fn display_name(self) -> &'static str {
        match self {
            FormatVersion::Trial2019 => "2019年试行格式（国办公开办函〔2019〕60号）",
            FormatVersion::V2021 => "2021年格式（国办公开办函〔2021〕30号）",
        }
    }
}

/// The format a report about `year` must follow (see the module documentation).
pub fn format_for_year(year: i32) -> FormatVersion {
    if year >= 2021 {
        FormatVersion::V2021
    } else {
        FormatVersion::Trial2019
    }
}

/// One of the six sections of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SectionSpec {
    /// Position, 1–6.
    pub number: u8,
    /// The Chinese ordinal as written before the heading: "一" … "六".
    pub numeral: &'static str,
    /// The heading without its numbering, e.g. "总体情况".
    pub heading: &'static str,
    /// Distinctive words that identify the section's heading in variants and older wordings
    /// (after removing spaces and punctuation). Any one of them is enough.
    pub keywords: &'static [&'static str],
}

impl SectionSpec {
    /// The heading as written in the format, e.g. "一、总体情况".
    pub fn full_heading(&self) -> String {
        format!("{}、{}", self.numeral, self.heading)
    }
}

/// What the cells of a section 二 row hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellKind {
    /// A non-negative integer count.
    Count,
    /// A signed integer (the 2019 本年增/减 columns).
    SignedCount,
    /// An amount that may carry decimals (万元).
    Amount,
}

/// A block of the section 二 table (one item of Art. 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Section2Block {
    /// The block heading, e.g. "第二十条第（一）项".
    pub item: &'static str,
    /// The Art. 20 item number (1, 5, 6, 8, 9).
    pub article_item: u8,
    /// Column headings after 信息内容.
    pub columns: &'static [&'static str],
    /// What each column holds (same length as `columns`).
    pub kinds: &'static [CellKind],
    /// Row labels (信息内容).
    pub rows: &'static [&'static str],
}

/// A row of the section 三 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Section3Row {
    /// Stable id; also the label used in JSON output (see the module documentation).
    pub id: &'static str,
    /// The statutory label of the row itself, e.g. "1.属于国家秘密".
    pub label: &'static str,
    /// The heading the row sits under, without its numbering (e.g. "不予公开"), if any.
    pub group: Option<&'static str>,
    /// The row's role in the table arithmetic.
    pub role: RowRole,
}

/// The role of a section 三 row in the arithmetic of spec §2 (C1, C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowRole {
    /// 一、本年新收.
    Received,
    /// 二、上年结转.
    CarriedIn,
    /// One of the result rows summed into （七）总计.
    Result,
    /// （七）总计.
    ResultTotal,
    /// 四、结转下年度继续办理.
    CarriedOut,
}

/// A cell of the section 四 row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Section4Cell {
    /// "行政复议", "行政诉讼/未经复议直接起诉" or "行政诉讼/复议后起诉".
    pub group: &'static str,
    /// "结果维持", "结果纠正", "其他结果", "尚未审结" or "总计".
    pub column: &'static str,
}

/// A complete report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportFormat {
    pub version: FormatVersion,
    /// The document that sets the format.
    pub document: &'static str,
    /// The six sections in order.
    pub sections: &'static [SectionSpec; 6],
    /// Section 二 blocks in order.
    pub section2: &'static [Section2Block],
    /// The header note of the section 三 table.
    pub section3_note: &'static str,
    /// The 7 numeric columns of section 三.
    pub section3_columns: &'static [&'static str; 7],
    /// Section 三 rows in table order (only rows that carry cells; headings such as
    /// "三、本年度办理结果" or "（三）不予公开" have none).
    pub section3_rows: &'static [Section3Row],
    /// Section 三 group headings: (group name as used in row ids, heading as written).
    pub section3_groups: &'static [(&'static str, &'static str)],
    /// The 15 cells of the section 四 row in order.
    pub section4: &'static [Section4Cell; 15],
}

impl ReportFormat {
    /// The section spec for position `number` (1–6).
    pub fn section(&self, number: u8) -> Option<&'static SectionSpec> {
        self.sections.iter().find(|s| s.number == number)
    }

    /// Index of a section 三 row by id.
    pub fn section3_index(&self, id: &str) -> Option<usize> {
        self.section3_rows.iter().position(|r| r.id == id)
    }

    /// A section 三 row by id.
    pub fn section3_row(&self, id: &str) -> Option<&'static Section3Row> {
        self.section3_rows.iter().find(|r| r.id == id)
    }

    /// The ids of the rows summed into （七）总计 (rule C3), in table order.
    pub fn section3_result_rows(&self) -> impl Iterator<Item = &'static Section3Row> {
        self.section3_rows.iter().filter(|r| r.role == RowRole::Result)
    }

    /// The unique row with the given role (Received, CarriedIn, ResultTotal, CarriedOut).
    pub fn section3_row_with_role(&self, role: RowRole) -> Option<&'static Section3Row> {
        self.section3_rows.iter().find(|r| r.role == role)
    }

    /// A section 二 block by Art. 20 item number.
    pub fn section2_block(&self, article_item: u8) -> Option<&'static Section2Block> {
        self.section2.iter().find(|b| b.article_item == article_item)
    }

    /// All section 二 row labels with their block, in order.
    pub fn section2_rows(&self) -> impl Iterator<Item = (&'static Section2Block, &'static str)> {
        self.section2.iter().flat_map(|b| b.rows.iter().map(move |r| (b, *r)))
    }

    /// Index of the section 四 cell for `group` and `column`.
    pub fn section4_index(&self, group: &str, column: &str) -> Option<usize> {
        self.section4.iter().position(|c| c.group == group && c.column == column)
    }

    /// The three section 四 groups in order.
    pub fn section4_groups(&self) -> [&'static str; 3] {
        SECTION4_GROUPS
    }
}

/// The format data for a version.
pub fn format(v: FormatVersion) -> &'static ReportFormat {
    match v {
        FormatVersion::Trial2019 => &TRIAL_2019,
        FormatVersion::V2021 => &V2021,
    }
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

static SECTIONS: [SectionSpec; 6] = [
    SectionSpec {
        number: 1,
        numeral: "一",
        heading: "总体情况",
        keywords: &["总体情况", "概述", "基本情况"],
    },
    SectionSpec {
        number: 2,
        numeral: "二",
        heading: "主动公开政府信息情况",
        keywords: &["主动公开"],
    },
    SectionSpec {
        number: 3,
        numeral: "三",
        heading: "收到和处理政府信息公开申请情况",
        keywords: &["收到和处理", "依申请公开", "公开申请情况", "申请公开"],
    },
    SectionSpec {
        number: 4,
        numeral: "四",
        heading: "政府信息公开行政复议、行政诉讼情况",
        keywords: &["行政复议", "行政诉讼"],
    },
    SectionSpec {
        number: 5,
        numeral: "五",
        heading: "存在的主要问题及改进情况",
        keywords: &["存在的主要问题", "存在问题", "主要问题", "改进情况", "改进措施"],
    },
    SectionSpec {
        number: 6,
        numeral: "六",
        heading: "其他需要报告的事项",
        keywords: &["其他需要报告", "其他事项", "需要报告的事项"],
    },
];

const COUNT1: &[CellKind] = &[CellKind::Count];
const COUNT3: &[CellKind] = &[CellKind::Count, CellKind::Count, CellKind::Count];

static SECTION2_2021: [Section2Block; 4] = [
    Section2Block {
        item: "第二十条第（一）项",
        article_item: 1,
        columns: &["本年制发件数", "本年废止件数", "现行有效件数"],
        kinds: COUNT3,
        rows: &["规章", "行政规范性文件"],
    },
    Section2Block {
        item: "第二十条第（五）项",
        article_item: 5,
        columns: &["本年处理决定数量"],
        kinds: COUNT1,
        rows: &["行政许可"],
    },
    Section2Block {
        item: "第二十条第（六）项",
        article_item: 6,
        columns: &["本年处理决定数量"],
        kinds: COUNT1,
        rows: &["行政处罚", "行政强制"],
    },
    Section2Block {
        item: "第二十条第（八）项",
        article_item: 8,
        columns: &["本年收费金额（单位：万元）"],
        kinds: &[CellKind::Amount],
        rows: &["行政事业性收费"],
    },
];

static SECTION2_2019: [Section2Block; 5] = [
    Section2Block {
        item: "第二十条第（一）项",
        article_item: 1,
        columns: &["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        kinds: COUNT3,
        rows: &["规章", "规范性文件"],
    },
    Section2Block {
        item: "第二十条第（五）项",
        article_item: 5,
        columns: &["上一年项目数量", "本年增/减", "处理决定数量"],
        kinds: &[CellKind::Count, CellKind::SignedCount, CellKind::Count],
        rows: &["行政许可", "其他对外管理服务事项"],
    },
    Section2Block {
        item: "第二十条第（六）项",
        article_item: 6,
        columns: &["上一年项目数量", "本年增/减", "处理决定数量"],
        kinds: &[CellKind::Count, CellKind::SignedCount, CellKind::Count],
        rows: &["行政处罚", "行政强制"],
    },
    Section2Block {
        item: "第二十条第（八）项",
        article_item: 8,
        columns: &["上一年项目数量", "本年增/减"],
        kinds: &[CellKind::Count, CellKind::SignedCount],
        rows: &["行政事业性收费"],
    },
    Section2Block {
        item: "第二十条第（九）项",
        article_item: 9,
        columns: &["采购项目数量", "采购总金额"],
        kinds: &[CellKind::Count, CellKind::Amount],
        rows: &["政府集中采购"],
    },
];

static SECTION3_COLUMNS: [&str; 7] =
    ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"];

const SECTION3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

macro_rules! row {
    ($id:expr, $label:expr, $group:expr, $role:ident) => {
        Section3Row { id: $id, label: $label, group: $group, role: RowRole::$role }
    };
}

/// Rows shared by both formats up to and including （五）不予处理.
macro_rules! section3_common_rows {
    () => {
        [
            row!("一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量", None, Received),
            row!("二、上年结转政府信息公开申请数量", "二、上年结转政府信息公开申请数量", None, CarriedIn),
            row!("（一）予以公开", "（一）予以公开", Some("本年度办理结果"), Result),
            row!(
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                Some("本年度办理结果"),
                Result
            ),
            row!("不予公开/1.属于国家秘密", "1.属于国家秘密", Some("不予公开"), Result),
            row!("不予公开/2.其他法律行政法规禁止公开", "2.其他法律行政法规禁止公开", Some("不予公开"), Result),
            row!("不予公开/3.危及“三安全一稳定”", "3.危及“三安全一稳定”", Some("不予公开"), Result),
            row!("不予公开/4.保护第三方合法权益", "4.保护第三方合法权益", Some("不予公开"), Result),
            row!("不予公开/5.属于三类内部事务信息", "5.属于三类内部事务信息", Some("不予公开"), Result),
            row!("不予公开/6.属于四类过程性信息", "6.属于四类过程性信息", Some("不予公开"), Result),
            row!("不予公开/7.属于行政执法案卷", "7.属于行政执法案卷", Some("不予公开"), Result),
            row!("不予公开/8.属于行政查询事项", "8.属于行政查询事项", Some("不予公开"), Result),
            row!("无法提供/1.本机关不掌握相关政府信息", "1.本机关不掌握相关政府信息", Some("无法提供"), Result),
            row!("无法提供/2.没有现成信息需要另行制作", "2.没有现成信息需要另行制作", Some("无法提供"), Result),
            row!("无法提供/3.补正后申请内容仍不明确", "3.补正后申请内容仍不明确", Some("无法提供"), Result),
            row!("不予处理/1.信访举报投诉类申请", "1.信访举报投诉类申请", Some("不予处理"), Result),
            row!("不予处理/2.重复申请", "2.重复申请", Some("不予处理"), Result),
            row!("不予处理/3.要求提供公开出版物", "3.要求提供公开出版物", Some("不予处理"), Result),
            row!("不予处理/4.无正当理由大量反复申请", "4.无正当理由大量反复申请", Some("不予处理"), Result),
            row!(
                "不予处理/5.要求行政机关确认或重新出具已获取信息",
                "5.要求行政机关确认或重新出具已获取信息",
                Some("不予处理"),
                Result
            ),
        ]
    };
}

const fn concat_rows<const A: usize, const B: usize, const N: usize>(
    a: [Section3Row; A],
    b: [Section3Row; B],
) -> [Section3Row; N] {
    assert!(A + B == N);
    let mut out = [a[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = b[j];
        j += 1;
    }
    out
}

static SECTION3_2021: [Section3Row; 25] = concat_rows(
    section3_common_rows!(),
    [
        row!(
            "其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            Some("其他处理"),
            Result
        ),
        row!(
            "其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            Some("其他处理"),
            Result
        ),
        row!("其他处理/3.其他", "3.其他", Some("其他处理"), Result),
        row!("（七）总计", "（七）总计", Some("本年度办理结果"), ResultTotal),
        row!("四、结转下年度继续办理", "四、结转下年度继续办理", None, CarriedOut),
    ],
);

static SECTION3_2019: [Section3Row; 23] = concat_rows(
    section3_common_rows!(),
    [
        row!("（六）其他处理", "（六）其他处理", Some("本年度办理结果"), Result),
        row!("（七）总计", "（七）总计", Some("本年度办理结果"), ResultTotal),
        row!("四、结转下年度继续办理", "四、结转下年度继续办理", None, CarriedOut),
    ],
);

static GROUPS_2021: [(&str, &str); 5] = [
    ("本年度办理结果", "三、本年度办理结果"),
    ("不予公开", "（三）不予公开"),
    ("无法提供", "（四）无法提供"),
    ("不予处理", "（五）不予处理"),
    ("其他处理", "（六）其他处理"),
];

static GROUPS_2019: [(&str, &str); 4] = [
    ("本年度办理结果", "三、本年度办理结果"),
    ("不予公开", "（三）不予公开"),
    ("无法提供", "（四）无法提供"),
    ("不予处理", "（五）不予处理"),
];

const SECTION4_GROUPS: [&str; 3] = ["行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"];

macro_rules! s4 {
    ($g:expr) => {
        [
            Section4Cell { group: $g, column: "结果维持" },
            Section4Cell { group: $g, column: "结果纠正" },
            Section4Cell { group: $g, column: "其他结果" },
            Section4Cell { group: $g, column: "尚未审结" },
            Section4Cell { group: $g, column: "总计" },
        ]
    };
}

const fn section4_cells() -> [Section4Cell; 15] {
    let groups = [s4!(SECTION4_GROUPS[0]), s4!(SECTION4_GROUPS[1]), s4!(SECTION4_GROUPS[2])];
    let mut out = [groups[0][0]; 15];
    let mut i = 0;
    while i < 15 {
        out[i] = groups[i / 5][i % 5];
        i += 1;
    }
    out
}

static SECTION4: [Section4Cell; 15] = section4_cells();

static V2021: ReportFormat = ReportFormat {
    version: FormatVersion::V2021,
    document: "国办公开办函〔2021〕30号",
    sections: &SECTIONS,
    section2: &SECTION2_2021,
    section3_note: SECTION3_NOTE,
    section3_columns: &SECTION3_COLUMNS,
    section3_rows: &SECTION3_2021,
    section3_groups: &GROUPS_2021,
    section4: &SECTION4,
};

static TRIAL_2019: ReportFormat = ReportFormat {
    version: FormatVersion::Trial2019,
    document: "国办公开办函〔2019〕60号",
    sections: &SECTIONS,
    section2: &SECTION2_2019,
    section3_note: SECTION3_NOTE,
    section3_columns: &SECTION3_COLUMNS,
    section3_rows: &SECTION3_2019,
    section3_groups: &GROUPS_2019,
    section4: &SECTION4,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_map_to_formats() {
        assert_eq!(format_for_year(2019), FormatVersion::Trial2019);
        assert_eq!(format_for_year(2020), FormatVersion::Trial2019);
        assert_eq!(format_for_year(2021), FormatVersion::V2021);
        assert_eq!(format_for_year(2024), FormatVersion::V2021);
    }

    #[test]
    fn section3_shapes() {
        let f = format(FormatVersion::V2021);
        assert_eq!(f.section3_rows.len(), 25);
        assert_eq!(f.section3_result_rows().count(), 21);
        assert_eq!(f.section3_columns[6], "总计");
        assert_eq!(f.section3_index("不予公开/1.属于国家秘密"), Some(4));
        let t = format(FormatVersion::Trial2019);
        assert_eq!(t.section3_rows.len(), 23);
        assert_eq!(t.section3_result_rows().count(), 19);
        assert!(t.section3_row("（六）其他处理").is_some());
        assert!(f.section3_row("（六）其他处理").is_none());
        // ids are unique
        for fmt in [f, t] {
            for (i, r) in fmt.section3_rows.iter().enumerate() {
                assert_eq!(fmt.section3_index(r.id), Some(i));
            }
        }
    }

    #[test]
    fn section4_and_2() {
        let f = format(FormatVersion::V2021);
        assert_eq!(f.section4_index("行政复议", "总计"), Some(4));
        assert_eq!(f.section4_index("行政诉讼/复议后起诉", "结果维持"), Some(10));
        assert_eq!(f.section2_rows().count(), 6);
        assert!(f.section2_block(9).is_none());
        let t = format(FormatVersion::Trial2019);
        assert_eq!(t.section2_block(9).map(|b| b.rows), Some(&["政府集中采购"][..]));
        for b in t.section2.iter().chain(f.section2.iter()) {
            assert_eq!(b.columns.len(), b.kinds.len());
        }
        assert_eq!(f.section(1).map(|s| s.full_heading()), Some("一、总体情况".to_string()));
    }
}
