//! The report as an outline in the requested script, shared by the HTML, DOCX and Markdown
//! renderers: title, preamble, six sections (narrative paragraphs or a table), signature and
//! date.

use chrono::{Datelike, NaiveDate};
use gongkai_domain::annual_report::{is_subheading, paragraphs, AnnualReport};

use crate::layout::{self, Grid};
use crate::script::Script;

/// A narrative paragraph.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Para {
    pub text: String,
    /// A numbered sub-heading such as "（一）主动公开".
    pub subheading: bool,
}

/// One of the six sections.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    pub number: u8,
    /// The heading as written, e.g. "一、总体情况".
    pub heading: String,
    pub paragraphs: Vec<Para>,
    pub table: Option<Grid>,
}

/// The whole report, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outline {
    pub title: String,
    pub preamble: Vec<Para>,
    pub sections: Vec<Section>,
    pub signature: String,
    /// The date as written under the signature, e.g. "2024年1月20日".
    pub date: Option<String>,
}

/// A date as written in Chinese documents: "2024年1月20日".
pub(crate) fn date_cn(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

pub(crate) fn paras(text: &str, script: Script) -> Vec<Para> {
    paragraphs(text)
        .map(|p| Para {
            text: script.convert(p),
            subheading: is_subheading(p),
        })
        .collect()
}

pub(crate) fn outline(report: &AnnualReport, script: Script) -> Outline {
    let fmt = report.format_data();
    let [s2, s3, s4] = layout::grids(report, script);
    let mut tables = [Some(s2), Some(s3), Some(s4)];
    let sections = fmt
        .sections
        .iter()
        .map(|spec| {
            let n = spec.number;
            Section {
                number: n,
                heading: script.convert(&spec.full_heading()),
                paragraphs: report.narrative(n).map(|t| paras(t, script)).unwrap_or_default(),
                table: match n {
                    2..=4 => tables[usize::from(n) - 2].take(),
                    _ => None,
                },
            }
        })
        .collect();
    Outline {
        title: script.convert(report.title.trim()),
        preamble: paras(&report.preamble, script),
        sections,
        signature: script.convert(report.signature.trim()),
        date: report.date.map(date_cn),
    }
}

/// Escape text for HTML and XML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Remove characters XML 1.0 cannot carry (control characters other than tab and newline).
pub(crate) fn xml_clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}
