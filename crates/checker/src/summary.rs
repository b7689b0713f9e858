//! The supervisor's workbook (汇总表): one row per report with its agency, year, format, how
//! many table cells were read, ambiguous or unread, counts of findings by code and headline
//! figures; the findings on a second sheet. Written by `gongkai report check --xlsx` and
//! offered by the back-office 年报体检 page.

use crate::report::{CheckReport, Severity, Value};
use crate::tables::{S3_CARRIED_IN, S3_CARRIED_OUT, S3_RECEIVED, S3_TOTAL};
use gongkai_domain::report_format::{format, FormatVersion};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Table cells of a report by how they were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellCounts {
    /// Cells the format's tables have (sections 二, 三 and 四).
    pub expected: usize,
    /// Cells read to a figure (blank cells, read as 0, included).
    pub read: usize,
    /// Cells left open because digits run together split more than one way.
    pub ambiguous: usize,
    /// Cells not read at all (rows or tables missing, rows too short, text cut off).
    pub unread: usize,
}

impl CheckReport {
    /// How many table cells were read, left ambiguous or not read.
    pub fn cell_counts(&self) -> CellCounts {
        let version = match self.format_version {
            Some("2019") => FormatVersion::Trial2019,
            _ => FormatVersion::V2021,
        };
        let fmt = format(version);
        let s2_expected: usize = fmt.section2_rows().map(|(b, _)| b.columns.len()).sum();
        let expected = s2_expected + fmt.section3_rows.len() * 7 + 15;
        let flagged = |code: &str, sec: u8, row: Option<&str>| {
            self.findings.iter().any(|f| {
                f.code == code && f.location.section == Some(sec) && (row.is_none() || f.location.row.as_deref() == row)
            })
        };
        let (mut read, mut ambiguous) = (0usize, 0usize);
        let mut count_row = |sec: u8, label: &str, values: &[Value]| {
            let amb = flagged("TABLE_AMBIGUOUS", sec, Some(label));
            let short = flagged("ROW_WIDTH", sec, Some(label));
            for v in values {
                match v {
                    Value::Blank if amb => ambiguous += 1,
                    Value::Blank if short => {}
                    _ => read += 1,
                }
            }
        };
        for r in &self.tables.section2.rows {
            count_row(2, &r.label, &r.values);
        }
        for r in &self.tables.section3 {
            count_row(3, &r.label, &r.values);
        }
        let s4_amb = flagged("TABLE_AMBIGUOUS", 4, None);
        let s4_short = flagged("TABLE_INCOMPLETE", 4, None);
        for v in &self.tables.section4 {
            match v {
                Value::Blank if s4_amb => ambiguous += 1,
                Value::Blank if s4_short => {}
                _ => read += 1,
            }
        }
        let read = read.min(expected);
        let ambiguous = ambiguous.min(expected - read);
        CellCounts { expected, read, ambiguous, unread: expected - read - ambiguous }
    }
}

/// One file of a batch: its name and its report, or why it could not be read.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub file: String,
    pub result: Result<CheckReport, String>,
}

impl SummaryItem {
    /// The exit code of this file: 0 no errors, 1 error findings, 2 unreadable.
    pub fn exit_code(&self) -> i32 {
        match &self.result {
            Ok(r) if r.has_errors() => 1,
            Ok(_) => 0,
            Err(_) => 2,
        }
    }
}

fn total(r: &CheckReport, id: &str) -> Option<f64> {
    r.tables.section3_row(id).and_then(|v| v.get(6)).filter(|v| !v.is_blank()).map(|v| v.or_zero())
}

fn format_name(v: Option<&str>) -> &'static str {
    match v {
        Some("2019") => "2019年试行格式",
        Some("2021") => "2021年格式",
        _ => "未能判断",
    }
}

/// Writes the workbook for a batch of reports.
pub fn summary_workbook(items: &[SummaryItem]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    // Codes that occur in the batch, in the order of the code list.
    let used: Vec<&crate::codes::CodeInfo> = crate::codes::CODES
        .iter()
        .filter(|c| items.iter().any(|i| i.result.as_ref().is_ok_and(|r| r.findings.iter().any(|f| f.code == c.code))))
        .collect();
    {
        let ws = wb.add_worksheet();
        ws.set_name("报告汇总")?;
        let mut head: Vec<String> = [
            "文件", "机关", "年度", "格式版本", "读取方式", "发布日期", "表格应有格数", "已读格数", "有歧义格数", "未读格数",
            "错误", "警告", "提示", "退出码", "本年新收", "上年结转", "办理结果总计", "结转下年度", "行政复议", "行政诉讼",
            "无法读取的原因",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        head.extend(used.iter().map(|c| format!("{} {}", c.code, c.name)));
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (i, item) in items.iter().enumerate() {
            let row = (i + 1) as u32;
            ws.write_string(row, 0, &item.file)?;
            ws.write_number(row, 13, f64::from(item.exit_code()))?;
            let r = match &item.result {
                Ok(r) => r,
                Err(e) => {
                    ws.write_string(row, 20, e)?;
                    continue;
                }
            };
            ws.write_string(row, 1, r.agency.as_deref().unwrap_or(""))?;
            if let Some(y) = r.year {
                ws.write_number(row, 2, f64::from(y))?;
            }
            ws.write_string(row, 3, format_name(r.format_version))?;
            ws.write_string(row, 4, r.input_kind.unwrap_or("text"))?;
            ws.write_string(row, 5, r.published.as_deref().unwrap_or(""))?;
            let cc = r.cell_counts();
            for (c, n) in [(6u16, cc.expected), (7, cc.read), (8, cc.ambiguous), (9, cc.unread)] {
                ws.write_number(row, c, n as f64)?;
            }
            for (c, sev) in [(10u16, Severity::Error), (11, Severity::Warning), (12, Severity::Info)] {
                ws.write_number(row, c, r.count(sev) as f64)?;
            }
            for (c, id) in [(14u16, S3_RECEIVED), (15, S3_CARRIED_IN), (16, S3_TOTAL), (17, S3_CARRIED_OUT)] {
                if let Some(v) = total(r, id) {
                    ws.write_number(row, c, v)?;
                }
            }
            let s4 = &r.tables.section4;
            if s4.len() == 15 {
                ws.write_number(row, 18, s4[4].or_zero())?;
                ws.write_number(row, 19, s4[9].or_zero() + s4[14].or_zero())?;
            }
            for (k, c) in used.iter().enumerate() {
                let n = r.findings.iter().filter(|f| f.code == c.code).count();
                if n > 0 {
                    ws.write_number(row, 21 + k as u16, n as f64)?;
                }
            }
        }
        ws.set_freeze_panes(1, 1)?;
        ws.set_column_width(0, 28)?;
        ws.set_column_width(1, 24)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("问题清单")?;
        let head = ["文件", "机关", "年度", "代码", "名称", "严重程度", "部分", "表格行", "列", "行号", "说明", "建议"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let mut row = 1u32;
        for item in items {
            let Ok(r) = &item.result else {
                ws.write_string(row, 0, &item.file)?;
                ws.write_string(row, 5, "无法读取")?;
                if let Err(e) = &item.result {
                    ws.write_string(row, 10, e)?;
                }
                row += 1;
                continue;
            };
            for f in &r.findings {
                ws.write_string(row, 0, &item.file)?;
                ws.write_string(row, 1, r.agency.as_deref().unwrap_or(""))?;
                if let Some(y) = r.year {
                    ws.write_number(row, 2, f64::from(y))?;
                }
                ws.write_string(row, 3, f.code)?;
                ws.write_string(row, 4, f.name())?;
                ws.write_string(row, 5, f.severity.label())?;
                if let Some(s) = f.location.section {
                    ws.write_string(row, 6, format!("第{}部分", crate::report::numeral(s)))?;
                }
                ws.write_string(row, 7, f.location.row.as_deref().unwrap_or(""))?;
                ws.write_string(row, 8, f.location.column.as_deref().unwrap_or(""))?;
                if let Some(l) = f.location.line {
                    ws.write_number(row, 9, l as f64)?;
                }
                ws.write_string(row, 10, &f.message)?;
                ws.write_string(row, 11, f.advice())?;
                row += 1;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.set_column_width(10, 80)?;
        ws.set_column_width(11, 50)?;
    }
    wb.save_to_buffer()
}
