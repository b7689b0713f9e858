//! DOCX (Office Open XML) as Chinese offices lay out a report: A4 portrait, title in 宋体 二号
//! centred, section headings in 黑体, numbered sub-headings in 楷体_GB2312, body in 仿宋_GB2312
//! 三号 with a two-character first-line indent, the three tables with borders and real merged
//! cells (`gridSpan`, `vMerge`), figures centred, signature and date right-aligned. Fonts are
//! written with `w:eastAsia` so Chinese text uses them in Word, WPS and LibreOffice.
//!
//! Page numbers "— 1 —" in 四号 宋体 sit in the footer, odd pages right and even pages left
//! (GB/T 9704). The heading rows of each table repeat on every page the table crosses: docx-rs
//! has no setter for `w:tblHeader`, so heading rows are built with a marker row height and the
//! marker is replaced by `<w:tblHeader/>` in `word/document.xml` before packing.

use docx_rs::{
    AlignmentType, Docx, Footer, HeightRule, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell, TableLayoutType, TableRow,
    VAlignType, VMergeType, WidthType,
};
use gongkai_domain::annual_report::AnnualReport;

use crate::layout::{Grid, TableKind};
use crate::script::Script;
use crate::text::{outline, xml_clean, Para};
use crate::ExportError;

/// A4 in twips (210 mm × 297 mm) and the usual margins of official documents.
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
const MARGIN_LEFT: i32 = 1588;
const MARGIN_RIGHT: i32 = 1474;
/// The text width: what the tables fill.
const TEXT_WIDTH: usize = (A4_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// Font sizes in half-points: 二号 22pt, 三号 16pt, 五号 10.5pt, 小五 9pt.
const SIZE_TITLE: usize = 44;
const SIZE_BODY: usize = 32;
const SIZE_TABLE: usize = 21;
const SIZE_TABLE_SMALL: usize = 18;
/// Two characters of 三号 in twips.
const INDENT_TWO_CHARS: i32 = 640;
/// Fixed line height of 28pt for body text, in twips.
const LINE_EXACT: i32 = 560;

pub(crate) const FONT_BODY: &str = "仿宋_GB2312";
pub(crate) const FONT_HEADING: &str = "黑体";
pub(crate) const FONT_SUBHEADING: &str = "楷体_GB2312";
/// 二号 小标宋 for the title (GB/T 9704).
pub(crate) const FONT_TITLE: &str = "方正小标宋简体";
const FONT_PAGE_NUMBER: &str = "宋体";
/// 四号 (14pt) page numbers, one character in from the edge.
const SIZE_PAGE_NUMBER: usize = 28;
const CHAR_PAGE_NUMBER: i32 = 280;
/// The marker row height (twips) of table heading rows, replaced by `w:tblHeader`.
const HEADER_ROW_MARK: f32 = 397.0;
const HEADER_ROW_MARK_XML: &str = "<w:trHeight w:val=\"397\" w:hRule=\"atLeast\" />";
const HEADER_ROW_XML: &str = "<w:tblHeader /><w:trHeight w:val=\"397\" w:hRule=\"atLeast\" />";
pub(crate) const FONT_TABLE: &str = "宋体";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .east_asia(east_asia)
        .cs("Times New Roman")
        .hint("eastAsia")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new()
        .fonts(fonts(font))
        .size(size)
        .add_text(xml_clean(text))
}

fn body_spacing() -> LineSpacing {
    LineSpacing::new()
        .line(LINE_EXACT)
        .line_rule(LineSpacingType::Exact)
}

fn indented(p: Paragraph) -> Paragraph {
    p.indent(
        None,
        Some(SpecialIndentType::FirstLine(INDENT_TWO_CHARS)),
        None,
        None,
    )
}

fn narrative(doc: Docx, paras: &[Para]) -> Docx {
    paras.iter().fold(doc, |doc, p| {
        let font = if p.subheading { FONT_SUBHEADING } else { FONT_BODY };
        let r = run(&p.text, font, SIZE_BODY);
        doc.add_paragraph(
            indented(Paragraph::new())
                .align(AlignmentType::Both)
                .line_spacing(body_spacing())
                .add_run(r),
        )
    })
}

/// Column widths in twips for a table, filling the text width.
fn widths(grid: &Grid) -> Vec<usize> {
    let n = grid.columns.max(1);
    let mut w = match grid.kind {
        TableKind::Section2 if n == 4 => vec![2844, 2000, 2000, 2000],
        TableKind::Section3 if n == 10 => {
            let mut v = vec![440, 1100, 2400];
            v.extend(std::iter::repeat_n(700, 7));
            v
        }
        _ => vec![TEXT_WIDTH / n; n],
    };
    // Give any rounding remainder to the widest label column so the table fills the width.
    let total: usize = w.iter().sum();
    if total < TEXT_WIDTH {
        if let Some(widest) = w.iter_mut().max() {
            *widest += TEXT_WIDTH - total;
        }
    }
    w
}

fn cell_paragraph(text: &str, size: usize, align: AlignmentType) -> Paragraph {
    Paragraph::new()
        .align(align)
        .line_spacing(LineSpacing::new().before(0).after(0))
        .add_run(run(text, FONT_TABLE, size))
}

/// A grid as a Word table: merged columns with `gridSpan`, merged rows with `vMerge`
/// (a restarting cell, then one continuation cell per covered row).
fn table(grid: &Grid) -> Table {
    let size = match grid.kind {
        TableKind::Section2 => SIZE_TABLE,
        _ => SIZE_TABLE_SMALL,
    };
    let widths = widths(grid);
    let placed = grid.placed();
    let cover = grid.cover();
    let mut rows = Vec::with_capacity(grid.rows.len());
    for (r, slots) in cover.iter().enumerate() {
        let heading_row = slots
            .iter()
            .all(|s| s.is_some_and(|i| placed[i].cell.header));
        let mut cells = Vec::new();
        let mut c = 0;
        while c < grid.columns {
            let Some(i) = slots[c] else {
                cells.push(TableCell::new().add_paragraph(Paragraph::new()));
                c += 1;
                continue;
            };
            let p = placed[i];
            let width: usize = widths.iter().skip(c).take(p.cell.colspan).sum();
            let mut cell = TableCell::new()
                .width(width, WidthType::Dxa)
                .vertical_align(VAlignType::Center);
            if p.cell.colspan > 1 {
                cell = cell.grid_span(p.cell.colspan);
            }
            if p.row == r {
                if p.cell.rowspan > 1 {
                    cell = cell.vertical_merge(VMergeType::Restart);
                }
                let align = if p.cell.number.is_some() || heading_row || p.cell.vertical {
                    AlignmentType::Center
                } else {
                    AlignmentType::Left
                };
                cell = cell.add_paragraph(cell_paragraph(&p.cell.text, size, align));
            } else {
                cell = cell
                    .vertical_merge(VMergeType::Continue)
                    .add_paragraph(Paragraph::new());
            }
            cells.push(cell);
            c += p.cell.colspan.max(1);
        }
        let mut row = TableRow::new(cells).cant_split();
        if r < grid.header_rows {
            row = row.row_height(HEADER_ROW_MARK).height_rule(HeightRule::AtLeast);
        }
        rows.push(row);
    }
    Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// "— N —" in 四号 宋体: right on odd pages, left on even pages.
fn page_number_footer(odd: bool) -> Footer {
    let f = fonts(FONT_PAGE_NUMBER);
    let mut p = Paragraph::new()
        .add_run(Run::new().fonts(f.clone()).size(SIZE_PAGE_NUMBER).add_text("— "))
        .add_page_num(PageNum::new())
        .add_run(Run::new().fonts(f).size(SIZE_PAGE_NUMBER).add_text(" —"));
    p = if odd {
        p.align(AlignmentType::Right)
            .indent(None, None, Some(CHAR_PAGE_NUMBER), None)
    } else {
        p.align(AlignmentType::Left)
            .indent(Some(CHAR_PAGE_NUMBER), None, None, None)
    };
    Footer::new().add_paragraph(p)
}

/// Mark the heading rows (built with [`HEADER_ROW_MARK`]) as repeating `w:tblHeader` rows.
fn mark_header_rows(document: Vec<u8>) -> Result<Vec<u8>, ExportError> {
    let xml = String::from_utf8(document).map_err(|e| ExportError::Docx(e.to_string()))?;
    if !xml.contains(HEADER_ROW_MARK_XML) {
        return Err(ExportError::Docx("表格标题行标记缺失，无法设置标题行重复".into()));
    }
    Ok(xml.replace(HEADER_ROW_MARK_XML, HEADER_ROW_XML).into_bytes())
}

/// The report as a .docx file.
pub(crate) fn to_docx(report: &AnnualReport, script: Script) -> Result<Vec<u8>, ExportError> {
    let o = outline(report, script);
    let stamp = report.date.map_or_else(
        || format!("{}-01-01T00:00:00Z", report.year.saturating_add(1)),
        |d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")),
    );
    let mut doc = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(1304),
        )
        .default_fonts(fonts(FONT_BODY))
        .default_size(SIZE_BODY)
        .created_at(&stamp)
        .updated_at(&stamp)
        .footer(page_number_footer(true))
        .even_footer(page_number_footer(false));

    doc = doc.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(240).after(480))
            .add_run(run(&o.title, FONT_TITLE, SIZE_TITLE)),
    );
    doc = narrative(doc, &o.preamble);
    for s in o.sections {
        doc = doc.add_paragraph(
            indented(Paragraph::new())
                .line_spacing(body_spacing())
                .add_run(run(&s.heading, FONT_HEADING, SIZE_BODY)),
        );
        doc = narrative(doc, &s.paragraphs);
        if let Some(grid) = &s.table {
            doc = doc.add_table(table(grid));
            // An empty paragraph after a table keeps the next heading out of it.
            doc = doc.add_paragraph(Paragraph::new().line_spacing(body_spacing()));
        }
    }
    doc = doc.add_paragraph(Paragraph::new().line_spacing(body_spacing()));
    let mut closing = vec![o.signature.clone()];
    closing.extend(o.date.clone());
    for line in closing {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(body_spacing())
                .add_run(run(&line, FONT_BODY, SIZE_BODY)),
        );
    }

    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut xml = doc.build();
    xml.document = mark_header_rows(xml.document)?;
    xml.pack(&mut cursor)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    Ok(cursor.into_inner())
}
