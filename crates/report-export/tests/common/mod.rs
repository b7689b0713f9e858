//! Test reports built by hand (no database): a blank report of any year's format and a
//! realistic 2023 township report.
#![allow(dead_code)]

use chrono::NaiveDate;
use gongkai_domain::annual_report::narrative::{
    draft_preamble, draft_section1, draft_section5, draft_section6,
};
use gongkai_domain::annual_report::{
    AnnualReport, CategoryCount, Cell, ReportOrg, Section2Block, Section2Row, Section3Row,
    SourceFigures, SCHEMA_VERSION,
};
use gongkai_domain::model::OrgLevel;
use gongkai_domain::report_format::{format, format_for_year, RowRole};

pub const ORG: &str = "清远市清城区源潭镇人民政府";

/// A report of `year`'s format with every figure 0 and no narrative.
pub fn blank(year: i32) -> AnnualReport {
    let version = format_for_year(year);
    let fmt = format(version);
    AnnualReport {
        schema_version: SCHEMA_VERSION,
        format: version,
        year,
        organisation: ReportOrg {
            id: 7,
            name: ORG.into(),
            code: "11441802007218345X".into(),
            level: OrgLevel::Township,
        },
        title: format!("{ORG}{year}年政府信息公开工作年度报告"),
        preamble: String::new(),
        section1: String::new(),
        section2: fmt
            .section2
            .iter()
            .map(|b| Section2Block {
                item: b.item.into(),
                article_item: b.article_item,
                columns: b.columns.iter().map(|c| c.to_string()).collect(),
                rows: b
                    .rows
                    .iter()
                    .map(|r| Section2Row {
                        label: r.to_string(),
                        cells: b.kinds.iter().map(|k| Cell::zero(*k)).collect(),
                    })
                    .collect(),
            })
            .collect(),
        section3: fmt
            .section3_rows
            .iter()
            .map(|r| Section3Row {
                id: r.id.into(),
                label: r.label.into(),
                group: r.group.map(str::to_string),
                role: r.role,
                cells: [0; 7],
            })
            .collect(),
        section4: [0; 15],
        section5: String::new(),
        section6: String::new(),
        signature: ORG.into(),
        date: None,
        figures: SourceFigures {
            portal_name: "清城区人民政府门户网站".into(),
            self_reference: "我镇".into(),
            ..SourceFigures::default()
        },
    }
}

pub fn set_s2(r: &mut AnnualReport, item: u8, row: &str, col: usize, cell: Cell) {
    let block = r
        .section2
        .iter_mut()
        .find(|b| b.article_item == item)
        .expect("block");
    let row = block.rows.iter_mut().find(|x| x.label == row).expect("row");
    row.cells[col] = cell;
}

/// Set a section 三 row's cells from the six applicant columns; the 总计 column is their sum.
pub fn set_s3(r: &mut AnnualReport, id: &str, six: [u64; 6]) {
    let row = r.section3.iter_mut().find(|x| x.id == id).expect("row id");
    row.cells[..6].copy_from_slice(&six);
    row.cells[6] = six.iter().sum();
}

/// Recompute （七）总计 from the result rows.
pub fn total_results(r: &mut AnnualReport) {
    let mut total = [0u64; 7];
    for row in r.section3.iter().filter(|x| x.role == RowRole::Result) {
        for (t, v) in total.iter_mut().zip(row.cells) {
            *t += v;
        }
    }
    if let Some(row) = r.section3.iter_mut().find(|x| x.role == RowRole::ResultTotal) {
        row.cells = total;
    }
}

/// A realistic 2023 report of a township: a few applications with outcomes, one
/// reconsideration, a fee amount with decimals, and the drafted narrative.
pub fn sample() -> AnnualReport {
    let mut r = blank(2023);
    set_s2(&mut r, 1, "行政规范性文件", 0, Cell::count(2));
    set_s2(&mut r, 1, "行政规范性文件", 1, Cell::count(1));
    set_s2(&mut r, 1, "行政规范性文件", 2, Cell::count(5));
    set_s2(&mut r, 5, "行政许可", 0, Cell::count(126));
    set_s2(&mut r, 6, "行政处罚", 0, Cell::count(14));
    set_s2(
        &mut r,
        8,
        "行政事业性收费",
        0,
        Cell {
            kind: gongkai_domain::report_format::CellKind::Amount,
            value: 12_350_000,
        },
    );
    set_s3(&mut r, "一、本年新收政府信息公开申请数量", [5, 1, 0, 0, 0, 0]);
    set_s3(&mut r, "二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0]);
    set_s3(&mut r, "（一）予以公开", [3, 0, 0, 0, 0, 0]);
    set_s3(
        &mut r,
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        [0, 1, 0, 0, 0, 0],
    );
    set_s3(&mut r, "不予公开/4.保护第三方合法权益", [1, 0, 0, 0, 0, 0]);
    set_s3(&mut r, "无法提供/1.本机关不掌握相关政府信息", [1, 0, 0, 0, 0, 0]);
    total_results(&mut r);
    set_s3(&mut r, "四、结转下年度继续办理", [1, 0, 0, 0, 0, 0]);
    r.section4[0] = 1;
    r.section4[4] = 1;
    r.figures.items_published = 66;
    r.figures.categories = [
        ("通知公告", 30),
        ("政策文件", 12),
        ("财政预决算", 8),
        ("人事信息", 6),
        ("政务动态", 10),
        ("规划计划", 0),
    ]
    .iter()
    .map(|(n, c)| CategoryCount {
        name: n.to_string(),
        count: *c,
    })
    .collect();
    r.figures.guide_updates = 1;
    r.figures.validity_marked = 3;
    r.figures.fee_notices = 0;
    r.preamble = draft_preamble(&r);
    r.section1 = draft_section1(&r);
    r.section5 = draft_section5(&r);
    r.section6 = draft_section6(&r);
    r.date = NaiveDate::from_ymd_opt(2024, 1, 20);
    r
}

/// A 2020 report in the 2019 trial format, with a single （六）其他处理 row in use.
pub fn sample_2019() -> AnnualReport {
    let mut r = blank(2020);
    set_s3(&mut r, "一、本年新收政府信息公开申请数量", [2, 0, 0, 0, 1, 0]);
    set_s3(&mut r, "（一）予以公开", [1, 0, 0, 0, 1, 0]);
    set_s3(&mut r, "（六）其他处理", [1, 0, 0, 0, 0, 0]);
    total_results(&mut r);
    r.preamble = draft_preamble(&r);
    r.section1 = draft_section1(&r);
    r.date = NaiveDate::from_ymd_opt(2021, 1, 25);
    r
}
