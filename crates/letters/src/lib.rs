//! gongkai-letters: the letters of an application for disclosure (依申请公开, issue 3 item 5),
//! as pure functions with no I/O.
//!
//! - [`draft`] turns a [`LetterContext`] (the case data and the step the letter belongs to)
//!   into a [`LetterDraft`]: a title and plain-text paragraphs in formal Chinese.
//! - [`to_html`] / [`paragraphs_from_html`] convert paragraphs to and from the escaped
//!   `<p>…</p>` HTML the back office stores and lets staff edit before issue.
//! - [`to_html_fragment`] renders the printable `<article class="letter">` (no inline
//!   style: the site's CSP forbids it; `site.css` styles the class names).
//! - [`to_docx`] renders an A4 OOXML document after GB/T 9704-2012: 小标宋 title,
//!   仿宋_GB2312 三号 body on a 22-line grid, 黑体/楷体 headings, right-aligned 落款 and
//!   date, page numbers "— 1 —" (odd pages right, even pages left).
//! - [`LetterDocument`] carries the optional 文书编号 into both renderers.
//!
//! Letters issued to the applicant never quote the applicant's identity document or
//! contacts; the consultation letter (征求意见函) does not even name the applicant.

mod docx;
mod draft;
mod html;

use chrono::{Datelike, NaiveDate};
use gongkai_domain::application::{ApplicantKind, Step};
use gongkai_domain::model::DisclosureOffice;
use serde::{Deserialize, Serialize};

pub use docx::to_docx;
pub use draft::{address_form, draft, draft_fee_notice_with_quote, CLOSING, CLOSING_CONSULTATION};
pub use html::{paragraphs_from_html, to_html, to_html_fragment};

/// The letters issued along an application's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// 登记回执
    Receipt,
    /// 补正告知书 (Art. 30)
    Correction,
    /// 延期告知书 (Art. 33)
    Extension,
    /// 征求意见函, to the third party (Art. 32) or the other agency (Art. 34)
    Consultation,
    /// 收费通知书 (fee measure 国办函〔2020〕109号)
    FeeNotice,
    /// 答复告知书: one text per [`gongkai_domain::application::Outcome`]
    Reply,
}

impl LetterKind {
    pub const ALL: [LetterKind; 6] = [
        LetterKind::Receipt,
        LetterKind::Correction,
        LetterKind::Extension,
        LetterKind::Consultation,
        LetterKind::FeeNotice,
        LetterKind::Reply,
    ];

    /// Stable code, e.g. `fee_notice`.
    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::Receipt => "receipt",
            LetterKind::Correction => "correction",
            LetterKind::Extension => "extension",
            LetterKind::Consultation => "consultation",
            LetterKind::FeeNotice => "fee_notice",
            LetterKind::Reply => "reply",
        }
    }

    pub fn parse(s: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese name, e.g. `补正告知书`.
    pub fn label(self) -> &'static str {
        match self {
            LetterKind::Receipt => "登记回执",
            LetterKind::Correction => "补正告知书",
            LetterKind::Extension => "延期告知书",
            LetterKind::Consultation => "征求意见函",
            LetterKind::FeeNotice => "收费通知书",
            LetterKind::Reply => "答复告知书",
        }
    }
}

/// Everything a letter may quote. Strings are plain text (not HTML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterContext {
    /// The organisation's name (letterhead and signature).
    pub org_name: String,
    pub office: DisclosureOffice,
    /// 查询码
    pub tracking_code: String,
    /// Applicant's name or entity name.
    pub applicant_name: String,
    /// Natural person or organisation: decides how the letter addresses the applicant
    /// (您 or 贵单位, see [`address_form`]).
    pub applicant_kind: ApplicantKind,
    /// Description of the information sought.
    pub description: String,
    /// Day the applicant submitted the application.
    pub submitted_on: NaiveDate,
    /// Art. 31 receipt date (收到申请之日).
    pub received: NaiveDate,
    /// Current reply due date (after an extension: the extended one), derived by the caller.
    pub reply_due: Option<NaiveDate>,
    /// Date of the letter (落款日期).
    pub issue_date: NaiveDate,
    /// The step the letter belongs to (defects, deadline, extension days, consult party
    /// and addressee, fee amount and method, outcome and basis …).
    pub step: Option<Step>,
    /// Free text staff add (e.g. where to collect the information); one paragraph per line.
    pub extra: Option<String>,
}

/// A letter ready to print or download: the stored title and paragraphs with the
/// organisation, the date of the letter and, once issued, its 文书编号 (allocated by the
/// caller; `None` prints no number line). Renders to the print view
/// ([`LetterDocument::html_fragment`]) and to DOCX ([`LetterDocument::docx`]) with the
/// GB/T 9704 typography.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterDocument {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub org_name: String,
    /// Date of the letter (落款日期).
    pub issue_date: NaiveDate,
    pub office: DisclosureOffice,
    /// 文书编号, e.g. `源潭府信公〔2026〕第7号`.
    #[serde(default)]
    pub doc_number: Option<String>,
}

impl LetterDocument {
    pub fn new(
        title: &str,
        paragraphs: &[String],
        org_name: &str,
        issue_date: NaiveDate,
        office: &DisclosureOffice,
    ) -> LetterDocument {
        LetterDocument {
            title: title.to_string(),
            paragraphs: paragraphs.to_vec(),
            org_name: org_name.to_string(),
            issue_date,
            office: office.clone(),
            doc_number: None,
        }
    }

    /// Set (or clear) the 文书编号.
    pub fn with_doc_number(mut self, doc_number: Option<&str>) -> LetterDocument {
        self.doc_number = doc_number.map(str::to_string);
        self
    }

    /// The 文书编号 to print: trimmed, on one line, `None` when blank.
    pub fn doc_number(&self) -> Option<&str> {
        self.doc_number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }
}

/// A drafted letter: title and plain-text paragraphs (the signature block and the office
/// contact line are added by the renderers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterDraft {
    pub kind: LetterKind,
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// Why a letter cannot be drafted or rendered. Messages are in Chinese for staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    #[error("生成{letter}缺少{what}")]
    Missing {
        letter: &'static str,
        what: &'static str,
    },
    #[error("生成{letter}需要“{expected}”环节的记录，当前提供的是“{found}”环节")]
    WrongStep {
        letter: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{letter}的内容有误：{reason}")]
    Invalid {
        letter: &'static str,
        reason: String,
    },
    #[error("生成 DOCX 文件失败：{0}")]
    Docx(String),
}

/// A date in letter style: `2024年1月17日`.
pub fn format_date_cn(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// An amount in fen as yuan with thousands separators and two decimals: `1,200.00元`.
pub fn format_yuan_letter(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let (yuan, rest) = (abs / 100, abs % 100);
    let digits = yuan.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{rest:02}元")
}

/// The office contact line, e.g. `联系机构：…；地址：…；电话：…`, skipping empty fields.
/// Empty when the office has no contact data.
pub fn office_contact_line(office: &DisclosureOffice) -> String {
    let fields = [
        ("联系机构", &office.name),
        ("地址", &office.address),
        ("办公时间", &office.hours),
        ("电话", &office.phone),
        ("传真", &office.fax),
        ("电子邮箱", &office.email),
        ("网址", &office.website),
    ];
    fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}：{}", v.trim()))
        .collect::<Vec<_>>()
        .join("；")
}

/// Remove characters that are not allowed in XML 1.0 (control characters other than tab,
/// newline and carriage return); they could come from pasted text.
pub(crate) fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\t' || c == '\n' || c == '\r' || !c.is_control())
        .filter(|&c| c != '\u{FFFE}' && c != '\u{FFFF}')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in LetterKind::ALL {
            assert_eq!(LetterKind::parse(k.as_str()), Some(k));
            assert!(!k.label().is_empty());
        }
        assert_eq!(LetterKind::parse("fee_notice"), Some(LetterKind::FeeNotice));
        assert_eq!(LetterKind::parse("nope"), None);
    }

    #[test]
    fn yuan_and_dates() {
        assert_eq!(format_yuan_letter(120_000), "1,200.00元");
        assert_eq!(format_yuan_letter(470_000), "4,700.00元");
        assert_eq!(format_yuan_letter(5), "0.05元");
        assert_eq!(format_yuan_letter(123_456_789), "1,234,567.89元");
        assert_eq!(format_yuan_letter(-100_000), "-1,000.00元");
        assert_eq!(format_yuan_letter(99_900), "999.00元");
        let d = NaiveDate::from_ymd_opt(2024, 1, 17).expect("date");
        assert_eq!(format_date_cn(d), "2024年1月17日");
    }

    #[test]
    fn contact_line_skips_empty_fields() {
        let office = DisclosureOffice {
            name: "办公室".into(),
            phone: "0571-1234567".into(),
            ..Default::default()
        };
        assert_eq!(
            office_contact_line(&office),
            "联系机构：办公室；电话：0571-1234567"
        );
        assert_eq!(office_contact_line(&DisclosureOffice::default()), "");
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(clean_text("a\u{0}b\u{1b}c\nd\te"), "abc\nd\te");
    }
}
