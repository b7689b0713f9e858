//! Exports of the annual report (政府信息公开工作年度报告): a standalone HTML file and an HTML
//! fragment for the portal, DOCX for offices, XLSX for the figures, JSON for machines (with a
//! JSON Schema) and Markdown for plain text, each in Simplified or Traditional script, and the
//! report's charts as SVG.
//!
//! The three tables are laid out once, in [`layout`], as grids of merged cells following the
//! official format; every export renders those grids, so they all show the same table.
//! Nothing here does I/O: every function takes the report and returns bytes or text.

mod docx;
mod html;
mod json;
mod markdown;
mod script;
mod text;
mod xlsx;

pub mod charts;
pub mod layout;

use gongkai_domain::annual_report::AnnualReport;

pub use html::{grid_html, html_document, html_fragment};
pub use json::{json_schema, JSON_SCHEMA_ID};
pub use script::Script;

/// What an export can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("不支持的导出格式“{0}”，可选格式：html、docx、xlsx、json、md")]
    UnknownFormat(String),
    #[error("不支持的文字“{0}”，可选：hans（简体）、hant（繁體）")]
    UnknownScript(String),
    #[error("生成 Word 文档失败：{0}")]
    Docx(String),
    #[error("生成 Excel 表格失败：{0}")]
    Xlsx(String),
    #[error("生成 JSON 失败：{0}")]
    Json(String),
}

/// A file format the report can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Html,
    Docx,
    Xlsx,
    Json,
    Md,
}

impl ExportFormat {
    /// Every format, in the order offered to users.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Html,
        ExportFormat::Docx,
        ExportFormat::Xlsx,
        ExportFormat::Json,
        ExportFormat::Md,
    ];

    /// Parse a format name, case-insensitive: html, docx, xlsx, json, md (or markdown).
    pub fn parse(s: &str) -> Result<ExportFormat, ExportError> {
        let name = s.trim().trim_start_matches('.').to_ascii_lowercase();
        match name.as_str() {
            "html" | "htm" => Ok(ExportFormat::Html),
            "docx" => Ok(ExportFormat::Docx),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "json" => Ok(ExportFormat::Json),
            "md" | "markdown" => Ok(ExportFormat::Md),
            _ => Err(ExportError::UnknownFormat(s.trim().to_string())),
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Docx => "docx",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Json => "json",
            ExportFormat::Md => "md",
        }
    }

    /// The media type (text types carry their charset).
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Html => "text/html; charset=utf-8",
            ExportFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat::Json => "application/json",
            ExportFormat::Md => "text/markdown; charset=utf-8",
        }
    }

    /// The name shown to users, e.g. "Word 文档（.docx）".
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Html => "网页（.html）",
            ExportFormat::Docx => "Word 文档（.docx）",
            ExportFormat::Xlsx => "Excel 表格（.xlsx）",
            ExportFormat::Json => "JSON 数据（.json）",
            ExportFormat::Md => "Markdown 文本（.md）",
        }
    }
}

/// The report as a file of `format` in `script`.
pub fn export(
    report: &AnnualReport,
    format: ExportFormat,
    script: Script,
) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Html => Ok(html_document(report, script).into_bytes()),
        ExportFormat::Docx => docx::to_docx(report, script),
        ExportFormat::Xlsx => xlsx::to_xlsx(report, script),
        ExportFormat::Json => json::to_json(report, script),
        ExportFormat::Md => Ok(markdown::to_markdown(report, script).into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.extension()).ok(), Some(f));
            assert_eq!(ExportFormat::parse(&f.extension().to_uppercase()).ok(), Some(f));
        }
        assert_eq!(ExportFormat::parse("Markdown").ok(), Some(ExportFormat::Md));
        let err = ExportFormat::parse("pdf").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("pdf"), "{err}");
        for f in ExportFormat::ALL {
            assert!(err.contains(f.extension()), "{err}");
        }
    }
}
