//! XLSX: the report's identity on a first sheet, then one sheet per table laid out as in the
//! report (merged heading ranges, figures as numbers, amounts with their decimals), with
//! borders, column widths and A4 print settings.

use gongkai_domain::annual_report::AnnualReport;
use rust_xlsxwriter::{
    DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::layout::{self, Grid, TableKind};
use crate::script::Script;
use crate::text::date_cn;
use crate::ExportError;

/// Row where each table starts on its sheet (row 0 holds the section heading).
pub(crate) const GRID_FIRST_ROW: u32 = 2;
/// Paper size code for A4.
const PAPER_A4: u8 = 9;

fn err(e: XlsxError) -> ExportError {
    ExportError::Xlsx(e.to_string())
}

/// The sheet names (Simplified): identity, then sections 二, 三, 四.
pub(crate) const SHEET_NAMES: [&str; 4] = ["报告信息", "二、主动公开", "三、依申请公开", "四、复议诉讼"];

struct Formats {
    title: Format,
    heading: Format,
    vertical: Format,
    label: Format,
    number: Format,
    plain: Format,
    key: Format,
}

fn formats() -> Formats {
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let boxed = base.clone().set_border(FormatBorder::Thin);
    Formats {
        title: base
            .clone()
            .set_font_name("黑体")
            .set_font_size(14)
            .set_align(FormatAlign::Left),
        heading: boxed.clone().set_align(FormatAlign::Center).set_bold(),
        vertical: boxed
            .clone()
            .set_align(FormatAlign::Center)
            .set_bold()
            .set_rotation(255),
        label: boxed.clone().set_align(FormatAlign::Left),
        number: boxed.set_align(FormatAlign::Center).set_num_format("General"),
        plain: base.clone().set_align(FormatAlign::Left),
        key: base.set_bold().set_align(FormatAlign::Left),
    }
}

fn column_widths(grid: &Grid) -> Vec<f64> {
    match grid.kind {
        TableKind::Section2 => vec![24.0, 18.0, 18.0, 18.0],
        TableKind::Section3 => {
            let mut w = vec![5.0, 12.0, 34.0];
            w.extend(std::iter::repeat_n(10.0, 7));
            w
        }
        TableKind::Section4 => vec![9.0; grid.columns],
    }
}

/// Height of one line of 10.5pt 宋体 in points, and the cell padding.
const LINE_HEIGHT_PT: f64 = 14.0;
const ROW_PADDING_PT: f64 = 4.0;

/// The width of a text in column-width units (the width of "0"): a Chinese character takes
/// about two, other characters about one.
fn text_units(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 1.1 } else { 2.0 }).sum()
}

/// Lines a text wraps to in a cell `width` units wide.
fn wrapped_lines(text: &str, width: f64) -> usize {
    let usable = (width - 1.5).max(1.0);
    text.split('\n')
        .map(|line| ((text_units(line) / usable).ceil() as usize).max(1))
        .sum()
}

/// Row heights in points so that every cell's text fits when wrapped (Excel and WPS do not
/// grow rows for merged cells by themselves, and LibreOffice overprints long labels):
/// single-row cells set their row's height, a cell spanning rows spreads what it lacks over
/// them; stacked vertical text needs one line per character.
pub(crate) fn row_heights(grid: &Grid) -> Vec<f64> {
    let widths = column_widths(grid);
    let mut heights = vec![LINE_HEIGHT_PT + ROW_PADDING_PT; grid.rows.len()];
    let need = |p: &crate::layout::Placed| -> f64 {
        let lines = if p.cell.vertical {
            p.cell.text.chars().count()
        } else {
            let width: f64 = widths.iter().skip(p.col).take(p.cell.colspan.max(1)).sum();
            wrapped_lines(&p.cell.text, width)
        };
        lines as f64 * LINE_HEIGHT_PT + ROW_PADDING_PT
    };
    let placed = grid.placed();
    for p in placed.iter().filter(|p| p.cell.rowspan <= 1) {
        heights[p.row] = heights[p.row].max(need(p));
    }
    for p in placed.iter().filter(|p| p.cell.rowspan > 1) {
        let rows = p.row..(p.row + p.cell.rowspan).min(heights.len());
        let have: f64 = heights[rows.clone()].iter().sum();
        let lacking = need(p) - have;
        if lacking > 0.0 {
            let each = lacking / rows.len() as f64;
            for h in &mut heights[rows] {
                *h += each;
            }
        }
    }
    heights.iter().map(|h| (h * 4.0).ceil() / 4.0).collect()
}

fn write_grid(ws: &mut Worksheet, grid: &Grid, heading: &str, f: &Formats) -> Result<(), XlsxError> {
    let last_col = u16::try_from(grid.columns.saturating_sub(1)).unwrap_or(u16::MAX);
    if last_col > 0 {
        ws.merge_range(0, 0, 0, last_col, heading, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, heading, &f.title)?;
    }
    ws.set_row_height(0, 24)?;
    for (c, w) in column_widths(grid).into_iter().enumerate() {
        ws.set_column_width(u16::try_from(c).unwrap_or(u16::MAX), w)?;
    }
    let heading_rows: Vec<bool> = grid
        .rows
        .iter()
        .map(|row| row.iter().all(|c| c.header))
        .collect();
    for p in grid.placed() {
        let row = GRID_FIRST_ROW + u32::try_from(p.row).unwrap_or(u32::MAX - GRID_FIRST_ROW);
        let col = u16::try_from(p.col).unwrap_or(u16::MAX);
        let last_row = row + u32::try_from(p.cell.rowspan.max(1) - 1).unwrap_or(0);
        let last_col = col + u16::try_from(p.cell.colspan.max(1) - 1).unwrap_or(0);
        let format = if p.cell.number.is_some() {
            &f.number
        } else if p.cell.vertical {
            &f.vertical
        } else if heading_rows[p.row] {
            &f.heading
        } else {
            &f.label
        };
        if last_row > row || last_col > col {
            // A merged range is written as text; a figure then replaces its first cell.
            let text = if p.cell.number.is_some() { "" } else { p.cell.text.as_str() };
            ws.merge_range(row, col, last_row, last_col, text, format)?;
        }
        match p.cell.number {
            Some(n) => {
                ws.write_number_with_format(row, col, n, format)?;
            }
            None if last_row == row && last_col == col => {
                ws.write_string_with_format(row, col, &p.cell.text, format)?;
            }
            None => {}
        }
    }
    for (r, h) in row_heights(grid).into_iter().enumerate() {
        ws.set_row_height(GRID_FIRST_ROW + u32::try_from(r).unwrap_or(0), h)?;
    }
    if grid.header_rows > 0 {
        let last = GRID_FIRST_ROW + u32::try_from(grid.header_rows - 1).unwrap_or(0);
        ws.set_repeat_rows(GRID_FIRST_ROW, last)?;
    }
    ws.set_paper_size(PAPER_A4);
    if grid.kind != TableKind::Section2 {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn build(report: &AnnualReport, script: Script) -> Result<Vec<u8>, XlsxError> {
    let t = |s: &str| script.convert(s);
    let f = formats();
    let fmt = report.format_data();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(t(report.title.trim()))
            .set_author(t(report.organisation.name.trim()))
            .set_subject(t("政府信息公开工作年度报告")),
    );

    let ws = wb.add_worksheet();
    ws.set_name(t(SHEET_NAMES[0]))?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 60)?;
    let date = report.date.map(date_cn).unwrap_or_else(|| t("（未发布）"));
    let identity: [(String, String); 8] = [
        (t("标题"), t(report.title.trim())),
        (t("机关名称"), t(report.organisation.name.trim())),
        (t("统一社会信用代码"), report.organisation.code.clone()),
        (t("报告年度"), report.year.to_string()),
        (t("报告格式"), t(report.format.display_name())),
        (t("落款"), t(report.signature.trim())),
        (t("发布日期"), date),
        (t("文字"), script.label().to_string()),
    ];
    for (i, (k, v)) in identity.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(0);
        ws.write_string_with_format(r, 0, k, &f.key)?;
        if k == &t("报告年度") {
            ws.write_number_with_format(r, 1, f64::from(report.year), &f.plain)?;
        } else {
            ws.write_string_with_format(r, 1, v, &f.plain)?;
        }
    }

    let grids = layout::grids(report, script);
    for (i, grid) in grids.iter().enumerate() {
        let heading = fmt
            .section(grid.kind.section())
            .map(|s| t(&s.full_heading()))
            .unwrap_or_default();
        let ws = wb.add_worksheet();
        ws.set_name(t(SHEET_NAMES[i + 1]))?;
        write_grid(ws, grid, &heading, &f)?;
    }
    wb.save_to_buffer()
}

/// The report as an .xlsx file.
pub(crate) fn to_xlsx(report: &AnnualReport, script: Script) -> Result<Vec<u8>, ExportError> {
    build(report, script).map_err(err)
}
