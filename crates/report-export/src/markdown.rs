//! Markdown: headings, paragraphs and the tables as GitHub pipe tables, readable in a plain
//! text editor. Pipe tables cannot merge cells, so each grid is flattened: a row spanning the
//! whole table (a section 二 block title) becomes a bold line starting a new table; columns
//! that only ever hold the same merged cell, or only labels, are joined into one column whose
//! text is the full label path ("三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密").

use std::fmt::Write as _;

use gongkai_domain::annual_report::AnnualReport;

use crate::layout::{Grid, Placed};
use crate::script::Script;
use crate::text::{outline, Para};

const PATH_SEPARATOR: &str = " / ";

/// The report as a Markdown document.
pub(crate) fn to_markdown(report: &AnnualReport, script: Script) -> String {
    let o = outline(report, script);
    let mut out = String::with_capacity(16 * 1024);
    let _ = writeln!(out, "# {}\n", inline(&o.title));
    paragraphs_md(&mut out, &o.preamble);
    for s in &o.sections {
        let _ = writeln!(out, "## {}\n", inline(&s.heading));
        paragraphs_md(&mut out, &s.paragraphs);
        if let Some(grid) = &s.table {
            out.push_str(&grid_markdown(grid));
        }
    }
    let _ = writeln!(out, "{}", paragraph(&o.signature));
    if let Some(d) = &o.date {
        let _ = writeln!(out, "\n{}", paragraph(d));
    }
    out
}

fn paragraphs_md(out: &mut String, paras: &[Para]) {
    for p in paras {
        if p.subheading {
            let _ = writeln!(out, "### {}\n", inline(&p.text));
        } else {
            let _ = writeln!(out, "{}\n", paragraph(&p.text));
        }
    }
}

/// Text on one line.
fn inline(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A paragraph that Markdown will not read as a heading, quote, list or rule.
fn paragraph(text: &str) -> String {
    let t = inline(text);
    match t.chars().next() {
        Some('#' | '>' | '-' | '+' | '*' | '=' | '|') => format!("\\{t}"),
        _ => t,
    }
}

fn cell_text(text: &str) -> String {
    inline(text).replace('\\', "\\\\").replace('|', "\\|")
}

/// A grid as one or more pipe tables (see the module documentation).
pub(crate) fn grid_markdown(grid: &Grid) -> String {
    let placed = grid.placed();
    let cover = grid.cover();
    let mut out = String::new();
    let mut start = 0;
    let n = grid.rows.len();
    while start < n {
        if let Some(title) = title_row(grid, &placed, &cover, start) {
            let _ = writeln!(out, "**{}**\n", cell_text(&title.cell.text));
            start += 1;
            continue;
        }
        let mut end = start;
        while end < n && title_row(grid, &placed, &cover, end).is_none() {
            end += 1;
        }
        out.push_str(&sub_table(grid.columns, &placed, &cover[start..end]));
        out.push('\n');
        start = end;
    }
    out
}

/// The cell of row `r` when it is a single heading spanning the whole table.
fn title_row<'a>(
    grid: &Grid,
    placed: &[Placed<'a>],
    cover: &[Vec<Option<usize>>],
    r: usize,
) -> Option<Placed<'a>> {
    let first = cover[r].first().copied().flatten()?;
    let p = placed[first];
    let whole = cover[r].iter().all(|s| *s == Some(first));
    (whole && p.row == r && p.cell.rowspan == 1 && p.cell.header && grid.columns > 1).then_some(p)
}

fn sub_table(columns: usize, placed: &[Placed<'_>], cover: &[Vec<Option<usize>>]) -> String {
    let is_header = |row: &Vec<Option<usize>>| {
        row.iter()
            .all(|s| s.is_some_and(|i| placed[i].cell.header))
    };
    let is_number = |s: Option<usize>| s.is_some_and(|i| placed[i].cell.number.is_some());
    let mut header_rows = cover.iter().take_while(|r| is_header(r)).count();
    if header_rows == cover.len() {
        header_rows = header_rows.min(1);
    }
    // Segments of columns printed as one Markdown column.
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut seg_start = 0;
    for c in 0..columns {
        let last = c + 1 == columns;
        let merge_next = !last
            && cover.iter().enumerate().all(|(i, row)| {
                row[c] == row[c + 1]
                    || (i >= header_rows && !is_number(row[c]) && !is_number(row[c + 1]))
            });
        if !merge_next {
            segments.push((seg_start, c + 1));
            seg_start = c + 1;
        }
    }
    let texts = |rows: &[Vec<Option<usize>>], (a, b): (usize, usize)| -> String {
        let mut seen: Vec<usize> = Vec::new();
        for row in rows {
            for s in row[a..b].iter().flatten() {
                if !seen.contains(s) {
                    seen.push(*s);
                }
            }
        }
        seen.iter()
            .map(|i| cell_text(&placed[*i].cell.text))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(PATH_SEPARATOR)
    };
    let mut out = String::new();
    let (head, body) = cover.split_at(header_rows);
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(segments.iter().map(|s| texts(head, *s)).collect()));
    out.push_str(&line(
        segments
            .iter()
            .map(|(a, b)| {
                let numeric = body.iter().any(|r| r[*a..*b].iter().any(|s| is_number(*s)));
                if numeric { "---:" } else { "---" }.to_string()
            })
            .collect(),
    ));
    for row in body {
        out.push_str(&line(
            segments
                .iter()
                .map(|s| texts(std::slice::from_ref(row), *s))
                .collect(),
        ));
    }
    out
}
