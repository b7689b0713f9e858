//! The layout of the three report tables as grids of merged cells, built once per table from
//! the report. HTML, DOCX, XLSX and Markdown all render these grids, so every export has the
//! same rows, columns and merges (the official 2021 format; the 2019 trial format lays out the
//! same way with its own rows).
//!
//! A [`Grid`] lists, for each row, the cells that *start* in that row, left to right, as an
//! HTML table does. [`Grid::placed`] gives every cell with its absolute position, and
//! [`Grid::cover`] says which cell covers each slot, for renderers that need them (DOCX writes
//! continuation cells for vertical merges, XLSX writes merge ranges).

use gongkai_domain::annual_report::AnnualReport;
use gongkai_domain::report_format::RowRole;

use crate::script::Script;

/// One cell of a table grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// The text as printed (already in the requested script; numbers as printed).
    pub text: String,
    /// Rows the cell spans (at least 1).
    pub rowspan: usize,
    /// Columns the cell spans (at least 1).
    pub colspan: usize,
    /// A heading cell (column heading, block title or row label) rather than a figure.
    pub header: bool,
    /// The figure of a number cell (万元 for amounts); `None` for text cells.
    pub number: Option<f64>,
    /// Written top to bottom in a narrow column ("三、本年度办理结果").
    pub vertical: bool,
}

impl GridCell {
    fn heading(text: String) -> GridCell {
        GridCell {
            text,
            rowspan: 1,
            colspan: 1,
            header: true,
            number: None,
            vertical: false,
        }
    }

    fn value(text: String, number: f64) -> GridCell {
        GridCell {
            text,
            rowspan: 1,
            colspan: 1,
            header: false,
            number: Some(number),
            vertical: false,
        }
    }

    fn count(n: u64) -> GridCell {
        GridCell::value(n.to_string(), n as f64)
    }

    fn span(mut self, rowspan: usize, colspan: usize) -> GridCell {
        self.rowspan = rowspan.max(1);
        self.colspan = colspan.max(1);
        self
    }

    fn vertical(mut self) -> GridCell {
        self.vertical = true;
        self
    }
}

/// Which table a grid is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// 二、主动公开政府信息情况.
    Section2,
    /// 三、收到和处理政府信息公开申请情况.
    Section3,
    /// 四、政府信息公开行政复议、行政诉讼情况.
    Section4,
}

impl TableKind {
    /// A short stable name used in class names and file names: "s2", "s3", "s4".
    pub fn slug(self) -> &'static str {
        match self {
            TableKind::Section2 => "s2",
            TableKind::Section3 => "s3",
            TableKind::Section4 => "s4",
        }
    }

    /// The section number (2, 3 or 4).
    pub fn section(self) -> u8 {
        match self {
            TableKind::Section2 => 2,
            TableKind::Section3 => 3,
            TableKind::Section4 => 4,
        }
    }
}

/// A table as rows of merged cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub kind: TableKind,
    /// Number of columns.
    pub columns: usize,
    /// Leading rows that form the column heading (repeated on each printed page; `<thead>`).
    pub header_rows: usize,
    /// For each row, the cells that start in it, left to right.
    pub rows: Vec<Vec<GridCell>>,
}

/// A cell with its absolute position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed<'a> {
    pub row: usize,
    pub col: usize,
    pub cell: &'a GridCell,
}

impl Grid {
    /// Every cell with the row and column where it starts, in reading order.
    ///
    /// Cells are placed left to right into the first slot not already covered by a cell
    /// spanning down from an earlier row, as in HTML table layout.
    pub fn placed(&self) -> Vec<Placed<'_>> {
        let mut taken = vec![vec![false; self.columns]; self.rows.len()];
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let mut c = 0;
            for cell in row {
                while c < self.columns && taken[r][c] {
                    c += 1;
                }
                for row in taken.iter_mut().skip(r).take(cell.rowspan) {
                    for slot in row.iter_mut().skip(c).take(cell.colspan) {
                        *slot = true;
                    }
                }
                out.push(Placed { row: r, col: c, cell });
                c += cell.colspan;
            }
        }
        out
    }

    /// For every slot (row, column), the index into [`Grid::placed`] of the cell covering it.
    pub fn cover(&self) -> Vec<Vec<Option<usize>>> {
        let mut cover = vec![vec![None; self.columns]; self.rows.len()];
        for (i, p) in self.placed().iter().enumerate() {
            for row in cover.iter_mut().skip(p.row).take(p.cell.rowspan) {
                for slot in row.iter_mut().skip(p.col).take(p.cell.colspan) {
                    *slot = Some(i);
                }
            }
        }
        cover
    }

    /// Whether every slot is covered by exactly one cell and no cell runs off the grid.
    pub fn is_rectangular(&self) -> bool {
        let mut count = vec![vec![0u32; self.columns]; self.rows.len()];
        for p in self.placed() {
            if p.row + p.cell.rowspan > self.rows.len() || p.col + p.cell.colspan > self.columns {
                return false;
            }
            for row in count.iter_mut().skip(p.row).take(p.cell.rowspan) {
                for slot in row.iter_mut().skip(p.col).take(p.cell.colspan) {
                    *slot += 1;
                }
            }
        }
        count.iter().flatten().all(|n| *n == 1)
    }

    /// The figures of the grid in reading order.
    pub fn numbers(&self) -> Vec<f64> {
        self.placed().iter().filter_map(|p| p.cell.number).collect()
    }
}

/// The section 二 table: four columns (信息内容 and three value columns). Each block has a
/// title row spanning the table, a heading row and its rows; a block with fewer than three
/// value columns lets its last column span the rest.
pub fn section2_grid(report: &AnnualReport, script: Script) -> Grid {
    const VALUE_COLUMNS: usize = 3;
    let t = |s: &str| script.convert(s);
    let mut rows = Vec::new();
    for block in &report.section2 {
        rows.push(vec![GridCell::heading(t(&block.item)).span(1, VALUE_COLUMNS + 1)]);
        let n = block.columns.len().clamp(1, VALUE_COLUMNS);
        let widths = |i: usize| if i + 1 == n { VALUE_COLUMNS - (n - 1) } else { 1 };
        let mut head = vec![GridCell::heading(t("信息内容"))];
        for (i, c) in block.columns.iter().take(n).enumerate() {
            head.push(GridCell::heading(t(c)).span(1, widths(i)));
        }
        if block.columns.is_empty() {
            head.push(GridCell::heading(String::new()).span(1, VALUE_COLUMNS));
        }
        rows.push(head);
        for r in &block.rows {
            let mut row = vec![GridCell::heading(t(&r.label))];
            for i in 0..n {
                let cell = match r.cells.get(i) {
                    Some(c) => GridCell::value(c.display(), c.as_f64()),
                    None => GridCell::value("0".into(), 0.0),
                };
                row.push(cell.span(1, widths(i)));
            }
            rows.push(row);
        }
    }
    Grid {
        kind: TableKind::Section2,
        columns: VALUE_COLUMNS + 1,
        header_rows: 0,
        rows,
    }
}

/// The section 三 table: three label columns and the seven figures.
pub fn section3_grid(report: &AnnualReport, script: Script) -> Grid {
    let fmt = report.format_data();
    let t = |s: &str| script.convert(s);
    let cols = fmt.section3_columns;
    let mut rows = Vec::new();

    // Heading: note | 申请人情况 / 自然人 | 法人或其他组织 (five) | 总计.
    rows.push(vec![
        GridCell::heading(t(fmt.section3_note)).span(3, 3),
        GridCell::heading(t("申请人情况")).span(1, 7),
    ]);
    rows.push(vec![
        GridCell::heading(t(cols[0])).span(2, 1),
        GridCell::heading(t("法人或其他组织")).span(1, 5),
        GridCell::heading(t(cols[6])).span(2, 1),
    ]);
    rows.push(cols[1..6].iter().map(|c| GridCell::heading(t(c))).collect());

    // The group of （七）总计 is the top group ("本年度办理结果"); other groups are sub-groups.
    let top_group = report
        .section3_role(RowRole::ResultTotal)
        .and_then(|r| r.group.clone());
    let heading_of = |group: &str| -> String {
        fmt.section3_groups
            .iter()
            .find(|(name, _)| *name == group)
            .map_or_else(|| group.to_string(), |(_, heading)| heading.to_string())
    };

    let body = &report.section3;
    let mut i = 0;
    while i < body.len() {
        let r = &body[i];
        let mut row = Vec::new();
        match &r.group {
            None => row.push(GridCell::heading(t(&r.label)).span(1, 3)),
            Some(group) => {
                // First grouped row of a run: the vertical top-group cell.
                if i == 0 || body[i - 1].group.is_none() {
                    let run = body[i..].iter().take_while(|x| x.group.is_some()).count();
                    let top = top_group.as_deref().unwrap_or(group.as_str());
                    row.push(GridCell::heading(t(&heading_of(top))).span(run, 1).vertical());
                }
                if Some(group) == top_group.as_ref() {
                    row.push(GridCell::heading(t(&r.label)).span(1, 2));
                } else {
                    if i == 0 || body[i - 1].group.as_ref() != Some(group) {
                        let run = body[i..]
                            .iter()
                            .take_while(|x| x.group.as_ref() == Some(group))
                            .count();
                        row.push(GridCell::heading(t(&heading_of(group))).span(run, 1));
                    }
                    row.push(GridCell::heading(t(&r.label)));
                }
            }
        }
        row.extend(r.cells.iter().map(|n| GridCell::count(*n)));
        rows.push(row);
        i += 1;
    }
    Grid {
        kind: TableKind::Section3,
        columns: 10,
        header_rows: 3,
        rows,
    }
}

/// The section 四 table: 行政复议 (five columns) and 行政诉讼 (two groups of five).
pub fn section4_grid(report: &AnnualReport, script: Script) -> Grid {
    let fmt = report.format_data();
    let t = |s: &str| script.convert(s);
    let groups = fmt.section4_groups();
    let columns_of = |group: &str| -> Vec<&'static str> {
        fmt.section4
            .iter()
            .filter(|c| c.group == group)
            .map(|c| c.column)
            .collect()
    };

    // Row 1: top-level groups ("行政复议", "行政诉讼"), merging groups that share a prefix.
    let mut top: Vec<(String, usize)> = Vec::new();
    for g in groups {
        let name = g.split('/').next().unwrap_or(g).to_string();
        let width = columns_of(g).len();
        match top.last_mut() {
            Some((last, w)) if *last == name => *w += width,
            _ => top.push((name, width)),
        }
    }
    let mut row1 = Vec::new();
    let mut row2 = Vec::new();
    let mut row3 = Vec::new();
    for g in groups {
        match g.split_once('/') {
            // A group without sub-groups: its columns span rows 2 and 3.
            None => {
                for c in columns_of(g) {
                    row2.push(GridCell::heading(t(c)).span(2, 1));
                }
            }
            Some((_, sub)) => {
                let cs = columns_of(g);
                row2.push(GridCell::heading(t(sub)).span(1, cs.len()));
                for c in cs {
                    row3.push(GridCell::heading(t(c)));
                }
            }
        }
    }
    for (name, width) in top {
        row1.push(GridCell::heading(t(&name)).span(1, width));
    }
    let values: Vec<GridCell> = report.section4.iter().map(|n| GridCell::count(*n)).collect();
    Grid {
        kind: TableKind::Section4,
        columns: fmt.section4.len(),
        header_rows: 3,
        rows: vec![row1, row2, row3, values],
    }
}

/// The three grids of a report in order.
pub fn grids(report: &AnnualReport, script: Script) -> [Grid; 3] {
    [
        section2_grid(report, script),
        section3_grid(report, script),
        section4_grid(report, script),
    ]
}
