//! The table layouts: grid shapes against the official format, and golden files of the
//! tables as rendered to HTML and of the whole Markdown export.
//!
//! Run with `UPDATE_GOLDEN=1` to rewrite the golden files after an intended change, then
//! review the diff.

mod common;

use std::path::PathBuf;

use gongkai_report_export::layout::{section2_grid, section3_grid, section4_grid, Grid};
use gongkai_report_export::{export, html_fragment, ExportFormat, Script};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{name} differs from the golden file at line {}:\nexpected: {:?}\nactual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The `<table class="report-table report-table-sN">…</table>` of the HTML fragment.
fn table_html(html: &str, slug: &str) -> String {
    let start = html
        .find(&format!("<table class=\"report-table report-table-{slug}\">"))
        .expect("table present");
    let end = html[start..].find("</table>").expect("table closed") + start + "</table>".len();
    format!("{}\n", &html[start..end])
}

fn spans(grid: &Grid, text: &str) -> Vec<(usize, usize, usize, usize)> {
    grid.placed()
        .iter()
        .filter(|p| p.cell.text == text)
        .map(|p| (p.row, p.col, p.cell.rowspan, p.cell.colspan))
        .collect()
}

#[test]
fn every_grid_is_rectangular_in_both_formats_and_scripts() {
    for r in [common::sample(), common::sample_2019()] {
        for s in [Script::Hans, Script::Hant] {
            for g in [section2_grid(&r, s), section3_grid(&r, s), section4_grid(&r, s)] {
                assert!(g.is_rectangular(), "{:?} {} {:?}", g.kind, r.year, s);
            }
        }
    }
}

#[test]
fn section2_blocks_have_title_heading_and_spanned_single_columns() {
    let r = common::sample();
    let g = section2_grid(&r, Script::Hans);
    assert_eq!(g.columns, 4);
    assert_eq!(spans(&g, "第二十条第（一）项"), vec![(0, 0, 1, 4)]);
    assert_eq!(spans(&g, "本年制发件数"), vec![(1, 1, 1, 1)]);
    // One value column spans the three value columns, in the heading and in every row.
    assert_eq!(spans(&g, "本年处理决定数量"), vec![(5, 1, 1, 3), (8, 1, 1, 3)]);
    assert_eq!(spans(&g, "126"), vec![(6, 1, 1, 3)]);
    assert_eq!(spans(&g, "12.35"), vec![(13, 1, 1, 3)]);
    assert_eq!(g.rows.len(), 14);
    // 2019: two value columns, the second spanning the rest.
    let g = section2_grid(&common::sample_2019(), Script::Hans);
    assert_eq!(spans(&g, "采购总金额"), vec![(g.rows.len() - 2, 2, 1, 2)]);
}

#[test]
fn section3_follows_the_2021_format() {
    let r = common::sample();
    let g = section3_grid(&r, Script::Hans);
    assert_eq!((g.columns, g.header_rows, g.rows.len()), (10, 3, 28));
    let note = r.format_data().section3_note;
    assert_eq!(spans(&g, note), vec![(0, 0, 3, 3)]);
    assert_eq!(spans(&g, "申请人情况"), vec![(0, 3, 1, 7)]);
    assert_eq!(spans(&g, "自然人"), vec![(1, 3, 2, 1)]);
    assert_eq!(spans(&g, "法人或其他组织"), vec![(1, 4, 1, 5)]);
    assert_eq!(spans(&g, "总计"), vec![(1, 9, 2, 1)]);
    assert_eq!(spans(&g, "商业企业"), vec![(2, 4, 1, 1)]);
    assert_eq!(spans(&g, "其他"), vec![(2, 8, 1, 1)]);
    assert_eq!(spans(&g, "一、本年新收政府信息公开申请数量"), vec![(3, 0, 1, 3)]);
    assert_eq!(spans(&g, "二、上年结转政府信息公开申请数量"), vec![(4, 0, 1, 3)]);
    // 三、本年度办理结果: vertical, over every result row down to （七）总计.
    assert_eq!(spans(&g, "三、本年度办理结果"), vec![(5, 0, 22, 1)]);
    assert!(g.placed().iter().any(|p| p.cell.vertical && p.cell.text == "三、本年度办理结果"));
    assert_eq!(spans(&g, "（一）予以公开"), vec![(5, 1, 1, 2)]);
    assert_eq!(spans(&g, "（三）不予公开"), vec![(7, 1, 8, 1)]);
    assert_eq!(spans(&g, "1.属于国家秘密"), vec![(7, 2, 1, 1)]);
    assert_eq!(spans(&g, "（四）无法提供"), vec![(15, 1, 3, 1)]);
    assert_eq!(spans(&g, "（五）不予处理"), vec![(18, 1, 5, 1)]);
    assert_eq!(spans(&g, "（六）其他处理"), vec![(23, 1, 3, 1)]);
    assert_eq!(spans(&g, "3.其他"), vec![(25, 2, 1, 1)]);
    assert_eq!(spans(&g, "（七）总计"), vec![(26, 1, 1, 2)]);
    assert_eq!(spans(&g, "四、结转下年度继续办理"), vec![(27, 0, 1, 3)]);
    // Figures: 7 per body row, as numbers.
    assert_eq!(g.numbers().len(), 25 * 7);
    let received: Vec<f64> = g.placed().iter().filter(|p| p.row == 3).filter_map(|p| p.cell.number).collect();
    assert_eq!(received, vec![5.0, 1.0, 0.0, 0.0, 0.0, 0.0, 6.0]);
}

#[test]
fn section3_lays_out_the_2019_trial_format() {
    let g = section3_grid(&common::sample_2019(), Script::Hans);
    assert!(g.is_rectangular());
    assert_eq!(g.rows.len(), 26);
    assert_eq!(spans(&g, "三、本年度办理结果"), vec![(5, 0, 20, 1)]);
    // The single 其他处理 row sits directly under the top group, like （一）.
    assert_eq!(spans(&g, "（六）其他处理"), vec![(23, 1, 1, 2)]);
    assert_eq!(spans(&g, "（七）总计"), vec![(24, 1, 1, 2)]);
    assert_eq!(spans(&g, "四、结转下年度继续办理"), vec![(25, 0, 1, 3)]);
}

#[test]
fn section4_has_three_heading_rows_and_fifteen_figures() {
    let r = common::sample();
    let g = section4_grid(&r, Script::Hans);
    assert_eq!((g.columns, g.header_rows, g.rows.len()), (15, 3, 4));
    assert_eq!(spans(&g, "行政复议"), vec![(0, 0, 1, 5)]);
    assert_eq!(spans(&g, "行政诉讼"), vec![(0, 5, 1, 10)]);
    assert_eq!(spans(&g, "未经复议直接起诉"), vec![(1, 5, 1, 5)]);
    assert_eq!(spans(&g, "复议后起诉"), vec![(1, 10, 1, 5)]);
    assert_eq!(
        spans(&g, "结果维持"),
        vec![(1, 0, 2, 1), (2, 5, 1, 1), (2, 10, 1, 1)]
    );
    assert_eq!(g.rows[3].len(), 15);
    assert_eq!(g.numbers()[0], 1.0);
    assert_eq!(g.numbers()[4], 1.0);
}

#[test]
fn html_tables_match_golden_files() {
    let html = html_fragment(&common::sample(), Script::Hans);
    golden("section2-2021.html", &table_html(&html, "s2"));
    golden("section3-2021.html", &table_html(&html, "s3"));
    golden("section4-2021.html", &table_html(&html, "s4"));
    let html = html_fragment(&common::sample_2019(), Script::Hans);
    golden("section2-2019.html", &table_html(&html, "s2"));
    golden("section3-2019.html", &table_html(&html, "s3"));
    let hant = html_fragment(&common::sample(), Script::Hant);
    golden("section3-2021-hant.html", &table_html(&hant, "s3"));
}

#[test]
fn markdown_matches_golden_files() {
    for (name, r, s) in [
        ("sample-2023.md", common::sample(), Script::Hans),
        ("sample-2023-hant.md", common::sample(), Script::Hant),
        ("sample-2020.md", common::sample_2019(), Script::Hans),
    ] {
        let md = export(&r, ExportFormat::Md, s).expect("markdown");
        golden(name, &String::from_utf8(md).expect("utf-8"));
    }
}

#[test]
fn markdown_flattens_merged_cells_into_label_paths() {
    let md = String::from_utf8(export(&common::sample(), ExportFormat::Md, Script::Hans).expect("md"))
        .expect("utf-8");
    assert!(md.contains("| 三、本年度办理结果 / （三）不予公开 / 4.保护第三方合法权益 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |"));
    assert!(md.contains("| 一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |"));
    assert!(md.contains("| 行政事业性收费 | 12.35 |"));
    assert!(md.contains("行政诉讼 / 复议后起诉 / 总计"));
    assert!(md.contains("**第二十条第（一）项**"));
    // Every table line has the same number of columns as its heading.
    for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
        let widths: Vec<usize> = table.lines().map(|l| l.matches(" | ").count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table}");
    }
}
