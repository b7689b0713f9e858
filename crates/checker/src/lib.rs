//! gongkai-checker: the annual-report checker (年报体检).
//!
//! Reads a published 政府信息公开工作年度报告 — plain text, HTML, DOCX or PDF (text layer), in
//! UTF-8 or GB18030/GBK, Simplified or Traditional script — finds its title, six sections,
//! signature and date, extracts the tables of sections 二, 三 and 四 from the usual flattenings,
//! and lists its defects, each with a stable code, a severity, a Chinese message and a location.
//!
//! Library entry points: [`check_bytes`] (any file) and [`check_text`] (text already decoded).
//! The CLI front end is [`cli`].

pub mod cli;
mod checks;
mod codes;
mod damage;
mod input;
mod parse;
mod repair;
mod report;
mod solve;
mod summary;
mod tables;
mod text;

pub use codes::{code_info, CodeInfo, CODES};
pub use input::{decode_bytes, InputKind};
pub use summary::{summary_workbook, CellCounts, SummaryItem};
pub use report::{
    Breakdown, CheckReport, Finding, Location, SectionInfo, Section2Row, Section3Row, Severity,
    Tables, Value,
};

use chrono::NaiveDate;
use thiserror::Error;

/// Inputs larger than this are refused by [`check_bytes`] ([`CheckError::TooLarge`]).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Only the first this many characters of extracted text are analysed; a warning says so.
pub const MAX_TEXT_CHARS: usize = 2 * 1024 * 1024;

/// Options for a check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The text of the same agency's previous annual report (for rule C5 and 雷同).
    pub previous: Option<String>,
    /// "Today", for date plausibility checks; `None` means not checked against today.
    pub today: Option<NaiveDate>,
}

/// Why a file could not be read at all.
#[derive(Debug, Error)]
pub enum CheckError {
    #[error("文件过大（{size} 字节，上限 {limit} 字节）")]
    TooLarge { size: usize, limit: usize },
    #[error("文件为空")]
    Empty,
    #[error("无法读取 DOCX 文件：{0}")]
    Docx(String),
    #[error("无法读取 PDF 文件：{0}")]
    Pdf(String),
    #[error("无法识别的文件格式：{0}")]
    Unsupported(String),
    #[error("读取文件失败：{0}")]
    Io(#[from] std::io::Error),
}

/// Checks a file's bytes. `filename_hint` (e.g. "report.docx") helps choose the reader.
pub fn check_bytes(
    bytes: &[u8],
    filename_hint: Option<&str>,
    opts: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    let decoded = input::decode_bytes(bytes, filename_hint)?;
    let mut report = check_text(&decoded.text, opts);
    if let Some(note) = decoded.note {
        report.findings.insert(0, note);
    }
    report.input_kind = Some(decoded.kind.as_str());
    Ok(report)
}

/// The text of an HTML fragment or page (block elements break lines, table cells are
/// separated by tabs), as the checker reads it; used by the search index for 正文.
pub fn html_to_text(html: &str) -> String {
    input::html_text(&input::limit_nesting(html))
}

/// Checks a report given as text (any script; markup debris is reported, not removed).
pub fn check_text(text: &str, opts: &CheckOptions) -> CheckReport {
    checks::run(text, opts)
}
