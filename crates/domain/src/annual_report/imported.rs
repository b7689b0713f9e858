//! Past annual reports (往年年度报告) imported from a published file: the figures the report
//! checker read from it, kept with the source file, and their conversion into an
//! [`AnnualReport`] so that the next generated report's continuity checks (C5 carry-over,
//! C7 现行有效 continuity, C10 雷同) can compare against it.
//!
//! Reading the file is the checker's job (`gongkai_checker`); this module only holds what was
//! read, in a form that serialises to the JSON stored with the imported report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{
    AnnualReport, Cell, ReportOrg, Section2Block, Section2Row, Section3Row, SourceFigures, AMOUNT_SCALE,
    SCHEMA_VERSION,
};
use crate::report_format::{format, CellKind, FormatVersion, RowRole};

/// A section 二 row as read: the statutory row label and its cells (`None`: not read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedSection2Row {
    /// e.g. "第二十条第（一）项".
    pub block: String,
    /// e.g. "行政规范性文件".
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// A section 三 row as read: the row id of the format data and its 7 cells (`None`: not read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedSection3Row {
    /// Stable id of [`crate::report_format`], e.g. "四、结转下年度继续办理".
    pub id: String,
    pub values: Vec<Option<u64>>,
}

/// The narrative of the imported report (for the 雷同 check against the next year).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportedNarrative {
    /// Text before 一、总体情况 (title and preamble).
    pub preamble: String,
    pub section1: String,
    pub section5: String,
    pub section6: String,
}

/// Everything read from an imported past report (stored as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedFigures {
    /// The format the tables were read in.
    pub format: FormatVersion,
    /// The agency named in the report's title, as read.
    pub agency: Option<String>,
    /// The publication date under the signature, as read.
    pub published: Option<NaiveDate>,
    pub section2: Vec<ImportedSection2Row>,
    pub section3: Vec<ImportedSection3Row>,
    /// The 15 cells of section 四 in statutory order (empty when the table was not read).
    pub section4: Vec<Option<u64>>,
    #[serde(default)]
    pub narrative: ImportedNarrative,
}

/// One of the checker's findings on the imported file, kept as a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFinding {
    pub code: String,
    /// "error", "warning" or "info".
    pub severity: String,
    pub message: String,
}

impl ImportedFigures {
    /// A section 三 cell (column 0–6) as read.
    pub fn section3_cell(&self, id: &str, column: usize) -> Option<u64> {
        self.section3.iter().find(|r| r.id == id).and_then(|r| r.values.get(column).copied().flatten())
    }

    /// The 结转下年度继续办理 row as read (each of the 7 columns, `None` when not read).
    pub fn carried_out(&self) -> [Option<u64>; 7] {
        let id = format(self.format).section3_row_with_role(RowRole::CarriedOut).map_or("", |r| r.id);
        std::array::from_fn(|c| self.section3_cell(id, c))
    }

    /// A section 二 cell as read, by row label (the 2019 "规范性文件" and the 2021
    /// "行政规范性文件" are the same row) and column index.
    pub fn section2_cell(&self, label: &str, column: usize) -> Option<f64> {
        self.section2
            .iter()
            .find(|r| r.label == label || (label.ends_with("规范性文件") && r.label.ends_with("规范性文件")))
            .and_then(|r| r.values.get(column).copied().flatten())
    }

    /// The title of the report: "<agency><year>年政府信息公开工作年度报告", with the agency as
    /// read or, failing that, the organisation's name.
    pub fn title(&self, org_name: &str, year: i32) -> String {
        let agency = self.agency.as_deref().map(str::trim).filter(|a| !a.is_empty()).unwrap_or(org_name);
        format!("{agency}{year}年政府信息公开工作年度报告")
    }

    /// The imported report as an [`AnnualReport`] of `org` about `year`, the minimal structure
    /// the validators compare with: every table cell of the format, unread cells as 0 (the
    /// import refuses a file whose continuity cells were not read), the narrative as read.
    pub fn to_report(&self, org: ReportOrg, year: i32) -> AnnualReport {
        let fmt = format(self.format);
        let section2 = fmt
            .section2
            .iter()
            .map(|b| Section2Block {
                item: b.item.to_string(),
                article_item: b.article_item,
                columns: b.columns.iter().map(|c| c.to_string()).collect(),
                rows: b
                    .rows
                    .iter()
                    .map(|label| Section2Row {
                        label: label.to_string(),
                        cells: b
                            .kinds
                            .iter()
                            .enumerate()
                            .map(|(c, kind)| cell_of(*kind, self.section2_cell(label, c)))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let section3 = fmt
            .section3_rows
            .iter()
            .map(|r| Section3Row {
                id: r.id.to_string(),
                label: r.label.to_string(),
                group: r.group.map(str::to_string),
                role: r.role,
                cells: std::array::from_fn(|c| self.section3_cell(r.id, c).unwrap_or(0)),
            })
            .collect();
        let section4 = std::array::from_fn(|i| self.section4.get(i).copied().flatten().unwrap_or(0));
        let n = &self.narrative;
        AnnualReport {
            schema_version: SCHEMA_VERSION,
            format: self.format,
            year,
            title: self.title(&org.name, year),
            signature: org.name.clone(),
            organisation: org,
            preamble: n.preamble.clone(),
            section1: n.section1.clone(),
            section2,
            section3,
            section4,
            section5: n.section5.clone(),
            section6: n.section6.clone(),
            date: self.published,
            figures: SourceFigures::default(),
        }
    }
}

/// A read figure as a cell of `kind` (unread: 0). Counts are rounded to whole numbers;
/// amounts keep six decimals of 万元.
fn cell_of(kind: CellKind, value: Option<f64>) -> Cell {
    let v = value.filter(|v| v.is_finite()).unwrap_or(0.0);
    let value = match kind {
        CellKind::Amount => (v * AMOUNT_SCALE as f64).round(),
        CellKind::Count => v.round().max(0.0),
        CellKind::SignedCount => v.round(),
    };
    // `as` saturates for out-of-range floats; figures that large were refused when read.
    Cell { kind, value: value as i64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annual_report::validate::{validate, ValidationContext};
    use crate::model::OrgLevel;

    fn org() -> ReportOrg {
        ReportOrg { id: 7, name: "测试镇人民政府".into(), code: String::new(), level: OrgLevel::Township }
    }

    /// A 2023 report as the checker reads it: 结转下年度继续办理 3 (自然人 2, 法人 1),
    /// 行政规范性文件 现行有效 12, 规章 现行有效 0.
    fn imported() -> ImportedFigures {
        let fmt = format(FormatVersion::V2021);
        let section3 = fmt
            .section3_rows
            .iter()
            .map(|r| {
                let values = match r.role {
                    RowRole::CarriedOut => vec![Some(2), Some(1), Some(0), Some(0), Some(0), Some(0), Some(3)],
                    _ => vec![Some(0); 7],
                };
                ImportedSection3Row { id: r.id.to_string(), values }
            })
            .collect();
        ImportedFigures {
            format: FormatVersion::V2021,
            agency: Some("测试镇人民政府".into()),
            published: NaiveDate::from_ymd_opt(2024, 1, 20),
            section2: vec![
                ImportedSection2Row { block: "第二十条第（一）项".into(), label: "规章".into(), values: vec![Some(0.0); 3] },
                ImportedSection2Row {
                    block: "第二十条第（一）项".into(),
                    label: "行政规范性文件".into(),
                    values: vec![Some(2.0), Some(1.0), Some(12.0)],
                },
                ImportedSection2Row {
                    block: "第二十条第（八）项".into(),
                    label: "行政事业性收费".into(),
                    values: vec![Some(12.35)],
                },
            ],
            section3,
            section4: vec![Some(1), Some(0), Some(0), Some(0), Some(1), None, None, None, None, None],
            narrative: ImportedNarrative {
                preamble: "测试镇人民政府2023年政府信息公开工作年度报告".into(),
                section1: "2023年，我镇认真贯彻落实《条例》。".into(),
                section5: "一是公开内容不够全面。".into(),
                section6: "本年度未收取信息处理费。".into(),
            },
        }
    }

    #[test]
    fn conversion_keeps_every_cell_of_the_format() {
        let r = imported().to_report(org(), 2023);
        assert_eq!(r.year, 2023);
        assert_eq!(r.title, "测试镇人民政府2023年政府信息公开工作年度报告");
        assert_eq!(r.signature, "测试镇人民政府");
        assert_eq!(r.section3.len(), 25);
        assert_eq!(r.section3_role(RowRole::CarriedOut).map(|x| x.cells), Some([2, 1, 0, 0, 0, 0, 3]));
        assert_eq!(r.section2_cell(1, "行政规范性文件", 2).map(|c| c.value), Some(12));
        assert_eq!(r.section2_cell(8, "行政事业性收费", 0).map(Cell::display).as_deref(), Some("12.35"));
        // Rows not read are zero, of the format's kind.
        assert_eq!(r.section2_cell(5, "行政许可", 0), Some(Cell::zero(CellKind::Count)));
        assert_eq!(&r.section4[..5], &[1, 0, 0, 0, 1]);
        assert_eq!(&r.section4[5..], &[0; 10]);
        assert!(r.narrative_text().contains("认真贯彻落实"));
        // The structure round-trips through the stored JSON.
        let json = serde_json::to_string(&imported()).expect("json");
        assert_eq!(serde_json::from_str::<ImportedFigures>(&json).expect("back"), imported());
    }

    #[test]
    fn the_2019_row_name_matches_the_2021_one() {
        let mut f = imported();
        f.section2[1].label = "规范性文件".into();
        assert_eq!(f.section2_cell("行政规范性文件", 2), Some(12.0));
        assert_eq!(f.carried_out()[6], Some(3));
        assert_eq!(f.title("别名", 2023), "测试镇人民政府2023年政府信息公开工作年度报告");
        f.agency = None;
        assert_eq!(f.title("别名", 2023), "别名2023年政府信息公开工作年度报告");
    }

    #[test]
    fn the_next_years_continuity_checks_compare_with_the_imported_figures() {
        let prev = imported().to_report(org(), 2023);
        // Next year's report: the same shape, 上年结转 0 and 现行有效 0 (nothing carried over).
        let mut next = prev.clone();
        next.year = 2024;
        next.title = "测试镇人民政府2024年政府信息公开工作年度报告".into();
        for row in &mut next.section3 {
            row.cells = [0; 7];
        }
        for b in &mut next.section2 {
            for row in &mut b.rows {
                for c in &mut row.cells {
                    c.value = 0;
                }
            }
        }
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let ctx = ValidationContext { previous: Some(&prev), today: d(2025, 1, 10), deadline: d(2025, 1, 31), first_published: None };
        let findings = validate(&next, &ctx);
        let c5: Vec<&str> = findings.iter().filter(|f| f.code == "C5").map(|f| f.message.as_str()).collect();
        assert_eq!(c5.len(), 3, "自然人, 商业企业 and 总计 differ: {c5:?}");
        assert!(c5.iter().any(|m| m.contains("“总计”列：上年结转0与2023年度报告的结转下年度继续办理3不一致")), "{c5:?}");
        let c7: Vec<&str> = findings.iter().filter(|f| f.code == "C7_CONTINUITY").map(|f| f.message.as_str()).collect();
        assert_eq!(c7.len(), 1, "{c7:?}");
        assert!(c7[0].contains("按上年现行有效12件"), "{c7:?}");

        // Matching figures: no continuity warning.
        for row in &mut next.section3 {
            match row.role {
                RowRole::CarriedIn | RowRole::Received => row.cells = [2, 1, 0, 0, 0, 0, 3],
                RowRole::Result => {}
                RowRole::ResultTotal | RowRole::CarriedOut => {}
            }
        }
        if let Some(row) = next.section3.iter_mut().find(|r| r.id == "（一）予以公开") {
            row.cells = [4, 2, 0, 0, 0, 0, 6];
        }
        if let Some(row) = next.section3.iter_mut().find(|r| r.role == RowRole::ResultTotal) {
            row.cells = [4, 2, 0, 0, 0, 0, 6];
        }
        if let Some(row) = next.section2.iter_mut().flat_map(|b| b.rows.iter_mut()).find(|r| r.label == "行政规范性文件") {
            row.cells[2].value = 12;
        }
        let findings = validate(&next, &ctx);
        assert!(!findings.iter().any(|f| f.code == "C5" || f.code == "C7_CONTINUITY"), "{findings:#?}");
    }

    #[test]
    fn cells_are_converted_by_kind() {
        assert_eq!(cell_of(CellKind::Count, Some(3.0)).value, 3);
        assert_eq!(cell_of(CellKind::Count, None).value, 0);
        assert_eq!(cell_of(CellKind::Count, Some(-2.0)).value, 0);
        assert_eq!(cell_of(CellKind::SignedCount, Some(-2.0)).value, -2);
        assert_eq!(cell_of(CellKind::Amount, Some(0.5)).value, 500_000);
        assert_eq!(cell_of(CellKind::Amount, Some(f64::NAN)).value, 0);
    }
}
