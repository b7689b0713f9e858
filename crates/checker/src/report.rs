//! The check result: tables read from the report and the findings.

use serde::{Serialize, Serializer};
use std::fmt::Write as _;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// Where a finding is: section (1–6), row and column labels, and 1-based line of the text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    pub section: Option<u8>,
    pub row: Option<String>,
    pub column: Option<String>,
    pub line: Option<usize>,
}

impl Location {
    pub fn line(line: usize) -> Self {
        Location { line: Some(line), ..Default::default() }
    }
    pub fn section(section: u8) -> Self {
        Location { section: Some(section), ..Default::default() }
    }
    pub fn with_line(mut self, line: Option<usize>) -> Self {
        if line.is_some() {
            self.line = line;
        }
        self
    }
    pub fn with_section(mut self, section: u8) -> Self {
        if section > 0 {
            self.section = Some(section);
        }
        self
    }
    pub fn with_row(mut self, row: impl Into<String>) -> Self {
        self.row = Some(row.into());
        self
    }
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.section {
            parts.push(format!("第{}部分", numeral(s)));
        }
        if let Some(r) = &self.row {
            parts.push(format!("行“{r}”"));
        }
        if let Some(c) = &self.column {
            parts.push(format!("列“{c}”"));
        }
        if let Some(l) = self.line {
            parts.push(format!("第{l}行"));
        }
        parts.join("，")
    }
}

pub(crate) fn numeral(n: u8) -> &'static str {
    ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].get(n as usize).copied().unwrap_or("?")
}

/// One defect found in a report. Serialises with its code's Chinese `name` and `advice`.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Stable code, e.g. "ARITH_C1" (see the crate README for the list).
    pub code: &'static str,
    pub severity: Severity,
    /// Chinese message naming the cells and the expected value where applicable.
    pub message: String,
    pub location: Location,
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Finding", 6)?;
        st.serialize_field("code", self.code)?;
        st.serialize_field("name", self.name())?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("advice", self.advice())?;
        st.serialize_field("location", &self.location)?;
        st.end()
    }
}

impl Finding {
    /// The Chinese name of the code (the code itself when it has none).
    pub fn name(&self) -> &'static str {
        crate::codes::code_info(self.code).map(|c| c.name).unwrap_or(self.code)
    }
    /// One line on how to correct the report.
    pub fn advice(&self) -> &'static str {
        crate::codes::code_info(self.code).map(|c| c.advice).unwrap_or("")
    }

    pub(crate) fn new(code: &'static str, severity: Severity, message: impl Into<String>, location: Location) -> Self {
        Finding { code, severity, message: message.into(), location }
    }
}

/// A table cell: a number or blank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i64),
    Dec(f64),
    Blank,
}

impl Value {
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(v),
            _ => None,
        }
    }
    /// Numeric value, blank as 0 (how blank cells are read for arithmetic).
    pub fn or_zero(self) -> f64 {
        match self {
            Value::Int(v) => v as f64,
            Value::Dec(v) => v,
            Value::Blank => 0.0,
        }
    }
    pub fn is_blank(self) -> bool {
        matches!(self, Value::Blank)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Int(v) => s.serialize_i64(v),
            Value::Dec(v) if v.is_finite() => s.serialize_f64(v),
            _ => s.serialize_none(),
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Dec(v) => write!(f, "{v}"),
            Value::Blank => write!(f, "空"),
        }
    }
}

/// A section heading found in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionInfo {
    /// Statutory position 1–6.
    pub number: u8,
    /// The heading as written (Simplified script).
    pub heading: String,
    /// The section has a heading but no content.
    pub empty: bool,
    #[serde(skip)]
    pub line: usize,
    #[serde(skip)]
    pub end_line: usize,
}

/// A section 二 row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section2Row {
    pub block: String,
    pub label: String,
    pub values: Vec<Value>,
    #[serde(skip)]
    pub line: usize,
}

/// A section 三 row: statutory label and the 7 column values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section3Row {
    pub label: String,
    pub values: Vec<Value>,
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Section2 {
    pub rows: Vec<Section2Row>,
}

/// The tables read from the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tables {
    pub section2: Section2,
    pub section3: Vec<Section3Row>,
    /// 15 cells (行政复议 ×5, 未经复议直接起诉 ×5, 复议后起诉 ×5), or empty when absent.
    pub section4: Vec<Value>,
}

impl Tables {
    /// Section 三 values of a row by its label (row id).
    pub fn section3_row(&self, label: &str) -> Option<&[Value]> {
        self.section3.iter().find(|r| r.label == label).map(|r| r.values.as_slice())
    }
    pub fn section2_row(&self, label: &str) -> Option<&[Value]> {
        self.section2.rows.iter().find(|r| r.label == label).map(|r| r.values.as_slice())
    }
}

/// A "N 条，其中 a 条，b 条…" breakdown found in the text, and whether its parts add up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub line: usize,
    pub total: i64,
    pub unit: String,
    pub parts: Vec<i64>,
    pub consistent: bool,
}

/// The result of checking one report. Serialises to the JSON shape of issue 5.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckReport {
    pub agency: Option<String>,
    pub year: Option<i32>,
    /// Publication date, YYYY-MM-DD.
    pub published: Option<String>,
    /// "2019" (trial format) or "2021".
    pub format_version: Option<&'static str>,
    pub sections: Vec<SectionInfo>,
    pub tables: Tables,
    pub findings: Vec<Finding>,
    /// Narrative breakdowns that were checked (not part of the JSON).
    #[serde(skip)]
    pub breakdowns: Vec<Breakdown>,
    /// Which reader was used ("text", "html", "docx", "pdf"); not part of the JSON.
    #[serde(skip)]
    pub input_kind: Option<&'static str>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Findings with the given code.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.code == code)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// A Chinese summary for the terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let agency = self.agency.as_deref().unwrap_or("（未识别机关）");
        let year = self.year.map(|y| format!("{y}年")).unwrap_or_else(|| "（未识别年度）".into());
        let _ = writeln!(s, "年报体检：{agency} {year}政府信息公开工作年度报告");
        let _ = writeln!(
            s,
            "格式版本：{}；发布日期：{}",
            match self.format_version {
                Some("2019") => "2019年试行格式",
                Some("2021") => "2021年格式",
                _ => "未能判断",
            },
            self.published.as_deref().unwrap_or("未找到")
        );
        let secs: Vec<String> = self
            .sections
            .iter()
            .map(|x| format!("{}{}", x.heading_short(), if x.empty { "（空）" } else { "" }))
            .collect();
        let _ = writeln!(s, "章节：{}", if secs.is_empty() { "未找到".to_string() } else { secs.join("；") });
        let _ = writeln!(
            s,
            "表格：第二部分 {} 行，第三部分 {} 行，第四部分 {} 格",
            self.tables.section2.rows.len(),
            self.tables.section3.len(),
            self.tables.section4.len()
        );
        for b in &self.breakdowns {
            let parts: Vec<String> = b.parts.iter().map(|p| p.to_string()).collect();
            let _ = writeln!(
                s,
                "文中分项核对（第{}行）：{}{} = {}，{}",
                b.line,
                b.total,
                b.unit,
                parts.join("+"),
                if b.consistent { "一致" } else { "不一致" }
            );
        }
        let _ = writeln!(
            s,
            "发现问题：错误 {} 项，警告 {} 项，提示 {} 项",
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info)
        );
        for f in &self.findings {
            let loc = f.location.describe();
            if loc.is_empty() {
                let _ = writeln!(s, "[{}] {} {}：{}", f.severity.label(), f.code, f.name(), f.message);
            } else {
                let _ = writeln!(s, "[{}] {} {}（{}）：{}", f.severity.label(), f.code, f.name(), loc, f.message);
            }
            if !f.advice().is_empty() {
                let _ = writeln!(s, "    建议：{}", f.advice());
            }
        }
        s
    }
}

impl SectionInfo {
    fn heading_short(&self) -> String {
        self.heading.chars().take(30).collect()
    }
}
