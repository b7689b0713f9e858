//! Records → report. Every figure of the tables is derived here from what gongkai holds:
//!
//! - section 二, 第二十条第（一）项: from published items' document type (规章, 行政规范性文件),
//!   成文日期 and 有效性 (2021: 本年制发 = formed in the year; 本年废止 = repealed or expired in the
//!   year; 现行有效 = formed by 31 December and not repealed or expired by then. 2019 trial
//!   format: 本年新制作 = formed in the year, 本年新公开 = published in the year, 对外公开总数 =
//!   published by 31 December);
//! - every other section 二 cell: entered by staff (figures that live in other systems);
//! - section 三: [`section3_statistics`] over the applications;
//! - section 四: [`section4_statistics`] over the appeal register;
//! - the narrative figures: items published per catalog column, fees, late publications.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::model::{
    AnnualReport, CategoryCount, Cell, ReportOrg, Section2Block, Section2Row, Section3Row,
    SourceFigures, SCHEMA_VERSION,
};
use super::narrative;
use crate::appeal::{section4_statistics, AppealRecord};
use crate::application::{section3_statistics, CaseRecord};
use crate::calendar::Calendar;
use crate::model::{CatalogKind, DocType, Validity};
use crate::report_format::{format, format_for_year, CellKind, FormatVersion};

/// Working days within which an item must be published after it is formed (Art. 26).
pub const PUBLISH_WITHIN_WORKING_DAYS: u32 = 20;

/// A published information item as the report needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRecord {
    /// The top-level catalog column it was published in (e.g. "通知公告").
    pub category: String,
    pub kind: CatalogKind,
    pub doc_type: DocType,
    /// 成文日期.
    pub formed: NaiveDate,
    /// 发布日期.
    pub published: NaiveDate,
    pub validity: Validity,
    pub validity_date: Option<NaiveDate>,
}

impl PublishedRecord {
    /// Whether the item can count in `year`'s report: published in the year, a regulation or
    /// normative document (the section 二 counts of those in force span every year), or its
    /// validity changed in the year. What the storage must at least read for a year.
    pub fn may_count_in(&self, year: i32) -> bool {
        self.published.year() == year || self.doc_type != DocType::Other || self.validity_date.is_some_and(|d| d.year() == year)
    }
}

/// Section 二 figures entered by staff, keyed by [`entered_key`].
pub type EnteredFigures = BTreeMap<String, Cell>;

/// The key of an entered section 二 cell: "<Art. 20 item>/<row>/<column>",
/// e.g. "5/行政许可/本年处理决定数量".
pub fn entered_key(article_item: u8, row: &str, column: &str) -> String {
    format!("{article_item}/{row}/{column}")
}

/// Whether a section 二 block is derived from the catalog (Art. 20 (一), 规章 and 规范性文件,
/// in both formats) rather than entered by staff.
pub fn is_derived(article_item: u8) -> bool {
    article_item == 1
}

/// Everything a report is generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInputs {
    pub year: i32,
    pub organisation: ReportOrg,
    /// The channel named in the narrative, e.g. "区政府门户网站".
    pub portal_name: String,
    /// The organisation's top-level catalog columns in order (for category counts).
    pub categories: Vec<String>,
    /// The organisation's published items the year can count: at least those published in
    /// the year, its regulations and normative documents of every year, and those whose
    /// validity changed in the year. Other items may be given; they change nothing.
    pub items: Vec<PublishedRecord>,
    /// Section 二 figures entered by staff.
    pub entered: EnteredFigures,
    /// Every application of the organisation.
    pub cases: Vec<CaseRecord>,
    /// Applications decided after their reply deadline, in the year.
    pub late_replies: u64,
    /// Every appeal of the organisation.
    pub appeals: Vec<AppealRecord>,
    /// Fee notices issued in the year, their total and what was collected (fen).
    pub fee_notices: u64,
    pub fees_noticed_fen: i64,
    pub fees_collected_fen: i64,
    /// Art. 44 assessments of repeated applications in the year.
    pub art44: crate::art44::Art44Figures,
}

/// Generate a complete report with a drafted narrative.
pub fn generate(inputs: &ReportInputs, calendar: &Calendar) -> AnnualReport {
    let mut report = tables_only(inputs, calendar);
    report.preamble = narrative::draft_preamble(&report);
    report.section1 = narrative::draft_section1(&report);
    report.section5 = narrative::draft_section5(&report);
    report.section6 = narrative::draft_section6(&report);
    report
}

/// Recompute the tables and figures of `existing` from the records, keeping the narrative
/// staff wrote (and the date).
pub fn refresh_figures(
    existing: &AnnualReport,
    inputs: &ReportInputs,
    calendar: &Calendar,
) -> AnnualReport {
    let mut report = tables_only(inputs, calendar);
    report.preamble = existing.preamble.clone();
    report.section1 = existing.section1.clone();
    report.section5 = existing.section5.clone();
    report.section6 = existing.section6.clone();
    report.date = existing.date;
    report
}

fn tables_only(inputs: &ReportInputs, calendar: &Calendar) -> AnnualReport {
    let year = inputs.year;
    let version = format_for_year(year);
    let fmt = format(version);
    let (section2, unentered) = section2(inputs, version);
    let s3 = section3_statistics(&inputs.cases, year);
    let section3 = s3
        .lines
        .iter()
        .map(|l| {
            let group = fmt
                .section3_row(l.id)
                .and_then(|r| r.group)
                .map(str::to_string);
            Section3Row {
                id: l.id.to_string(),
                label: l.label.to_string(),
                group,
                role: l.role,
                cells: l.cells,
            }
        })
        .collect();
    let section4 = section4_statistics(&inputs.appeals, year);
    let figures = figures(inputs, calendar, unentered);
    AnnualReport {
        schema_version: SCHEMA_VERSION,
        format: version,
        year,
        organisation: inputs.organisation.clone(),
        title: format!(
            "{}{}年政府信息公开工作年度报告",
            inputs.organisation.name, year
        ),
        preamble: String::new(),
        section1: String::new(),
        section2,
        section3,
        section4,
        section5: String::new(),
        section6: String::new(),
        signature: inputs.organisation.name.clone(),
        date: None,
        figures,
    }
}

fn year_end(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

fn ended_by(item: &PublishedRecord, end: NaiveDate) -> bool {
    matches!(item.validity, Validity::Repealed | Validity::Expired)
        && item.validity_date.is_none_or(|d| d <= end)
}

fn derived_cell(inputs: &ReportInputs, version: FormatVersion, row: &str, column: usize) -> u64 {
    let year = inputs.year;
    let Some(end) = year_end(year) else { return 0 };
    let doc_type = match row {
        "规章" => DocType::Regulation,
        _ => DocType::NormativeDocument,
    };
    let docs = inputs.items.iter().filter(|i| i.doc_type == doc_type);
    let n = match (version, column) {
        (FormatVersion::V2021, 0) | (FormatVersion::Trial2019, 0) => {
            docs.filter(|i| i.formed.year() == year).count()
        }
        (FormatVersion::V2021, 1) => docs
            .filter(|i| matches!(i.validity, Validity::Repealed | Validity::Expired))
            .filter(|i| i.validity_date.is_some_and(|d| d.year() == year))
            .count(),
        (FormatVersion::V2021, _) => docs
            .filter(|i| i.formed <= end && !ended_by(i, end))
            .count(),
        (FormatVersion::Trial2019, 1) => docs.filter(|i| i.published.year() == year).count(),
        (FormatVersion::Trial2019, _) => docs.filter(|i| i.published <= end).count(),
    };
    n as u64
}

fn section2(inputs: &ReportInputs, version: FormatVersion) -> (Vec<Section2Block>, Vec<String>) {
    let fmt = format(version);
    let mut unentered = Vec::new();
    let blocks = fmt
        .section2
        .iter()
        .map(|b| Section2Block {
            item: b.item.to_string(),
            article_item: b.article_item,
            columns: b.columns.iter().map(|c| c.to_string()).collect(),
            rows: b
                .rows
                .iter()
                .map(|row| Section2Row {
                    label: row.to_string(),
                    cells: b
                        .columns
                        .iter()
                        .zip(b.kinds)
                        .enumerate()
                        .map(|(i, (column, kind))| {
                            if is_derived(b.article_item) {
                                Cell::count(derived_cell(inputs, version, row, i))
                            } else {
                                let key = entered_key(b.article_item, row, column);
                                match inputs.entered.get(&key) {
                                    Some(c) if c.kind == *kind => *c,
                                    _ => {
                                        unentered.push(key);
                                        Cell::zero(*kind)
                                    }
                                }
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    (blocks, unentered)
}

fn figures(inputs: &ReportInputs, calendar: &Calendar, unentered: Vec<String>) -> SourceFigures {
    let year = inputs.year;
    let in_year: Vec<&PublishedRecord> = inputs
        .items
        .iter()
        .filter(|i| i.published.year() == year)
        .collect();
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for i in &in_year {
        *counts.entry(i.category.as_str()).or_default() += 1;
    }
    let mut categories: Vec<CategoryCount> = inputs
        .categories
        .iter()
        .filter_map(|c| {
            counts.remove(c.as_str()).map(|n| CategoryCount {
                name: c.clone(),
                count: n,
            })
        })
        .collect();
    // Columns no longer in the catalog keep their counts, after the others.
    categories.extend(counts.into_iter().map(|(c, n)| CategoryCount {
        name: c.to_string(),
        count: n,
    }));
    let late_publications = in_year
        .iter()
        .filter(|i| {
            i.published > calendar.working_day_due(i.formed, PUBLISH_WITHIN_WORKING_DAYS)
        })
        .count() as u64;
    SourceFigures {
        items_published: in_year.len() as u64,
        categories,
        guide_updates: in_year
            .iter()
            .filter(|i| i.kind == CatalogKind::Guide)
            .count() as u64,
        validity_marked: inputs
            .items
            .iter()
            .filter(|i| {
                i.validity != Validity::Valid && i.validity_date.is_some_and(|d| d.year() == year)
            })
            .count() as u64,
        late_publications,
        late_replies: inputs.late_replies,
        fee_notices: inputs.fee_notices,
        fees_noticed_fen: inputs.fees_noticed_fen,
        fees_collected_fen: inputs.fees_collected_fen,
        portal_name: inputs.portal_name.clone(),
        art44: inputs.art44.clone(),
        self_reference: narrative::self_reference(&inputs.organisation.name),
        unentered,
    }
}

/// The channel name for the narrative: a township or department publishes through its
/// parent government's portal ("区政府门户网站" under a 区人民政府), a government through its own.
pub fn portal_name(own_name: &str, parent_name: Option<&str>) -> String {
    let government = |name: &str| -> Option<&'static str> {
        ["区", "县", "市", "旗", "州", "省"]
            .into_iter()
            .find(|k| name.ends_with(&format!("{k}人民政府")))
    };
    match parent_name
        .and_then(government)
        .or_else(|| government(own_name))
    {
        Some(k) => format!("{k}政府门户网站"),
        None => "政府信息公开专栏".to_string(),
    }
}

/// The `CellKind` of an entered cell, by key (None for an unknown key or a derived cell).
pub fn entered_kind(version: FormatVersion, key: &str) -> Option<CellKind> {
    let fmt = format(version);
    fmt.section2
        .iter()
        .filter(|b| !is_derived(b.article_item))
        .find_map(|b| {
            b.rows.iter().find_map(|row| {
                b.columns
                    .iter()
                    .zip(b.kinds)
                    .find(|(column, _)| entered_key(b.article_item, row, column) == key)
                    .map(|(_, kind)| *kind)
            })
        })
}

/// Every entered cell of a format: (key, block item, row, column, kind), in table order.
pub fn entered_cells(
    version: FormatVersion,
) -> Vec<(String, &'static str, &'static str, &'static str, CellKind)> {
    let fmt = format(version);
    let mut out = Vec::new();
    for b in fmt
        .section2
        .iter()
        .filter(|b| !is_derived(b.article_item))
    {
        for row in b.rows {
            for (column, kind) in b.columns.iter().zip(b.kinds) {
                out.push((
                    entered_key(b.article_item, row, column),
                    b.item,
                    *row,
                    *column,
                    *kind,
                ));
            }
        }
    }
    out
}

/// The combined tables of several organisations' reports of one year (the district roll-up):
/// every cell summed. Reports in another format than the first are skipped and returned in the
/// second value. The result carries `organisation` and an empty narrative.
pub fn combine(organisation: ReportOrg, year: i32, reports: &[&AnnualReport]) -> (AnnualReport, Vec<String>) {
    let version = format_for_year(year);
    let fmt = format(version);
    let mut skipped = Vec::new();
    let empty = ReportInputs {
        year,
        organisation: organisation.clone(),
        portal_name: String::new(),
        categories: Vec::new(),
        items: Vec::new(),
        entered: EnteredFigures::new(),
        cases: Vec::new(),
        late_replies: 0,
        appeals: Vec::new(),
        fee_notices: 0,
        fees_noticed_fen: 0,
        fees_collected_fen: 0,
        art44: Default::default(),
    };
    let (section2, _) = section2(&empty, version);
    let mut out = AnnualReport {
        schema_version: SCHEMA_VERSION,
        format: version,
        year,
        title: format!("{}所属机关{}年政府信息公开工作年度报告汇总", organisation.name, year),
        signature: organisation.name.clone(),
        organisation,
        preamble: String::new(),
        section1: String::new(),
        section2,
        section3: fmt
            .section3_rows
            .iter()
            .map(|r| Section3Row {
                id: r.id.to_string(),
                label: r.label.to_string(),
                group: r.group.map(str::to_string),
                role: r.role,
                cells: [0; 7],
            })
            .collect(),
        section4: [0; 15],
        section5: String::new(),
        section6: String::new(),
        date: None,
        figures: SourceFigures::default(),
    };
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    for r in reports {
        if r.format != version || r.year != year {
            skipped.push(r.organisation.name.clone());
            continue;
        }
        for (block, theirs) in out.section2.iter_mut().zip(&r.section2) {
            for (row, their_row) in block.rows.iter_mut().zip(&theirs.rows) {
                for (cell, their_cell) in row.cells.iter_mut().zip(&their_row.cells) {
                    cell.value = cell.value.saturating_add(their_cell.value);
                }
            }
        }
        for (row, their_row) in out.section3.iter_mut().zip(&r.section3) {
            for (c, t) in row.cells.iter_mut().zip(their_row.cells) {
                *c += t;
            }
        }
        for (c, t) in out.section4.iter_mut().zip(r.section4) {
            *c += t;
        }
        let f = &mut out.figures;
        f.items_published += r.figures.items_published;
        f.fee_notices += r.figures.fee_notices;
        f.fees_noticed_fen += r.figures.fees_noticed_fen;
        f.fees_collected_fen += r.figures.fees_collected_fen;
        f.late_publications += r.figures.late_publications;
        f.late_replies += r.figures.late_replies;
        for c in &r.figures.categories {
            *categories.entry(c.name.clone()).or_default() += c.count;
        }
    }
    out.figures.categories = categories.into_iter().map(|(name, count)| CategoryCount { name, count }).collect();
    (out, skipped)
}

/// The header of a section 二 figures file (CSV or the first sheet of an XLSX workbook).
pub const FIGURES_HEADER: [&str; 3] = ["信息内容", "统计项", "数值"];

/// Read a section 二 figures table (rows of cells as text, header first) for a report year's
/// format. Every problem is reported, one Chinese message per cell or row, and then nothing is
/// returned: an import is all or nothing. Blank lines are skipped.
pub fn parse_figures_table(version: FormatVersion, rows: &[Vec<String>]) -> Result<Vec<(String, Cell)>, Vec<String>> {
    let mut errors = Vec::new();
    let mut out: Vec<(String, Cell)> = Vec::new();
    let clean = |s: &str| s.trim().trim_start_matches('\u{feff}').trim().to_string();
    let header: Vec<String> = rows.first().map(|r| r.iter().map(|c| clean(c)).collect()).unwrap_or_default();
    let header_trimmed: Vec<&str> = header.iter().map(String::as_str).filter(|c| !c.is_empty()).collect();
    if header_trimmed != FIGURES_HEADER {
        return Err(vec![format!(
            "第1行应为表头“{}”，实际为“{}”",
            FIGURES_HEADER.join("，"),
            header_trimmed.join("，")
        )]);
    }
    let cells = entered_cells(version);
    for (i, row) in rows.iter().enumerate().skip(1) {
        let line = i + 1;
        let values: Vec<String> = row.iter().map(|c| clean(c)).collect();
        if values.iter().all(String::is_empty) {
            continue;
        }
        if values.iter().skip(3).any(|c| !c.is_empty()) {
            errors.push(format!("第{line}行：多出了第4列及以后的内容，每行只应有“信息内容、统计项、数值”三列"));
            continue;
        }
        let get = |k: usize| values.get(k).cloned().unwrap_or_default();
        let (label, column, value) = (get(0), get(1), get(2));
        let Some((key, .., kind)) = cells.iter().find(|(_, _, r, c, _)| *r == label && *c == column) else {
            let known: Vec<String> = cells.iter().map(|(_, _, r, c, _)| format!("{r}/{c}")).collect();
            errors.push(format!(
                "第{line}行：“{label}/{column}”不是{}年度报告需要填写的数据（可填写：{}）",
                version.as_str(),
                known.join("、")
            ));
            continue;
        };
        if out.iter().any(|(k, _)| k == key) {
            errors.push(format!("第{line}行：“{label}/{column}”重复出现"));
            continue;
        }
        match Cell::parse(*kind, &value) {
            Ok(cell) => out.push((key.clone(), cell)),
            Err(e) => errors.push(format!("第{line}行“数值”列：{e}")),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
