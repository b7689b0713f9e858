//! The letter as an OOXML (.docx) document after GB/T 9704-2012 (spec
//! `documents-and-web.md` §1): A4 with 37 mm top and 28 mm left margins and a 156 × 225 mm
//! type area; 22 lines of 三号 仿宋_GB2312 on the document grid; the title in 二号 小标宋
//! (方正小标宋简体), centred; headings "一、" in 黑体 and "（一）" in 楷体_GB2312; the
//! signature and date right-aligned four characters in from the edge; page numbers
//! "— 1 —" in 四号 宋体, odd pages right and even pages left, one character in.
//!
//! Fonts are named as east-Asian fonts so WPS and Word pick them where installed;
//! elsewhere (LibreOffice with Noto CJK) the system's CJK fallback prints them legibly.

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, BreakType, DocGrid, DocGridType, Docx, Footer, LineSpacing, PageMargin, PageNum,
    Paragraph, Run, RunFonts, SpecialIndentType,
};

use crate::html::{paragraph_role, Role};
use crate::{clean_text, format_date_cn, office_contact_line, LetterDocument, LetterError};

/// A4 in twips (210 mm × 297 mm).
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// Margins in twips: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area
/// 156 mm × 225 mm).
const MARGIN_TOP: i32 = 2098;
const MARGIN_BOTTOM: i32 = 1984;
const MARGIN_LEFT: i32 = 1588;
const MARGIN_RIGHT: i32 = 1474;
/// Distance of the page-number line from the bottom edge: its top 7 mm below the type area.
const FOOTER_DISTANCE: i32 = 1304;
/// Font sizes in half-points: 二号 (22pt), 小二 (18pt), 三号 (16pt), 四号 (14pt), 小四 (12pt).
pub(crate) const SIZE_TITLE: usize = 44;
const SIZE_LETTERHEAD: usize = 36;
pub(crate) const SIZE_BODY: usize = 32;
const SIZE_PAGE_NUMBER: usize = 28;
const SIZE_CONTACT: usize = 24;
/// One character of 三号 (16pt) in twips; the first-line indent is two.
const CHAR_BODY: i32 = 320;
const INDENT_TWO_CHARS: i32 = 2 * CHAR_BODY;
/// One character of 四号 (14pt): the page number's distance from the edge.
const CHAR_PAGE_NUMBER: i32 = 280;
/// The line pitch of 22 lines in the 225 mm type area, in twips (≈ 28.95 pt).
pub(crate) const LINE_PITCH: i32 = 579;

/// The typefaces of GB/T 9704, named for WPS and Word.
pub(crate) const FONT_TITLE: &str = "方正小标宋简体";
pub(crate) const FONT_BODY: &str = "仿宋_GB2312";
pub(crate) const FONT_HEADING_1: &str = "黑体";
pub(crate) const FONT_HEADING_2: &str = "楷体_GB2312";
pub(crate) const FONT_PAGE_NUMBER: &str = "宋体";
const FONT_LATIN: &str = "Times New Roman";

pub(crate) fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .ascii(FONT_LATIN)
        .hi_ansi(FONT_LATIN)
        .east_asia(east_asia)
        .cs(FONT_LATIN)
        .hint("eastAsia")
}

/// A run of text; line breaks inside become soft breaks.
fn run(text: &str, size: usize, font: &str) -> Run {
    let text = clean_text(text);
    let mut r = Run::new().fonts(fonts(font)).size(size);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line.trim_end_matches('\r'));
    }
    r
}

/// Exact line height on the grid.
fn on_grid() -> LineSpacing {
    LineSpacing::new()
        .line(LINE_PITCH)
        .line_rule(docx_rs::LineSpacingType::Exact)
}

/// An empty line of the grid.
fn blank_line() -> Paragraph {
    Paragraph::new()
        .line_spacing(on_grid())
        .add_run(Run::new().fonts(fonts(FONT_BODY)).size(SIZE_BODY))
}

/// Width of a line of 三号 text in twips: full-width characters one em, others half.
fn text_width(s: &str) -> i32 {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                CHAR_BODY / 2
            } else {
                CHAR_BODY
            }
        })
        .sum()
}

/// The page-number footer: "— N —" in 四号 宋体, right (odd) or left (even), one
/// character in from the edge of the type area.
pub(crate) fn page_number_footer(odd: bool) -> Footer {
    let f = fonts(FONT_PAGE_NUMBER);
    let mut p = Paragraph::new()
        .add_run(
            Run::new()
                .fonts(f.clone())
                .size(SIZE_PAGE_NUMBER)
                .add_text("— "),
        )
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

/// A4, GB/T 9704 margins, 22-line grid, page numbers on odd and even pages.
pub(crate) fn official_document() -> Docx {
    let mut doc = Docx::new();
    doc.document = doc.document.doc_grid(
        DocGrid::with_empty()
            .grid_type(DocGridType::Lines)
            .line_pitch(LINE_PITCH as usize),
    );
    doc.page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(FOOTER_DISTANCE),
        )
        .default_fonts(fonts(FONT_BODY))
        .default_size(SIZE_BODY)
        .footer(page_number_footer(true))
        .even_footer(page_number_footer(false))
}

/// A valid OOXML .docx of the letter (no 文书编号; see [`LetterDocument::docx`]).
pub fn to_docx(
    title: &str,
    paragraphs: &[String],
    org_name: &str,
    issue_date: NaiveDate,
    office: &gongkai_domain::model::DisclosureOffice,
) -> Result<Vec<u8>, LetterError> {
    LetterDocument::new(title, paragraphs, org_name, issue_date, office).docx()
}

impl LetterDocument {
    /// A valid OOXML .docx of the letter with the GB/T 9704 typography.
    pub fn docx(&self) -> Result<Vec<u8>, LetterError> {
        let stamp = format!("{}T00:00:00Z", self.issue_date.format("%Y-%m-%d"));
        let org_name = self.org_name.trim();
        let mut doc = official_document().created_at(&stamp).updated_at(&stamp);

        // 版头: the organisation, then the 文书编号, centred.
        doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            org_name,
            SIZE_LETTERHEAD,
            FONT_TITLE,
        )));
        if let Some(number) = self.doc_number() {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(on_grid())
                    .add_run(run(number, SIZE_BODY, FONT_BODY)),
            );
        }
        // Title, with an empty line above and below.
        doc = doc.add_paragraph(blank_line());
        doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            self.title.trim(),
            SIZE_TITLE,
            FONT_TITLE,
        )));
        doc = doc.add_paragraph(blank_line());

        let body: Vec<&String> = self
            .paragraphs
            .iter()
            .filter(|p| !p.trim().is_empty())
            .collect();
        for (i, p) in body.iter().enumerate() {
            let role = paragraph_role(i, p);
            let mut para = Paragraph::new()
                .align(AlignmentType::Both)
                .line_spacing(on_grid());
            if role != Role::Salutation {
                para = para.indent(
                    None,
                    Some(SpecialIndentType::FirstLine(INDENT_TWO_CHARS)),
                    None,
                    None,
                );
            }
            let font = match role {
                Role::Heading1 => FONT_HEADING_1,
                Role::Heading2 => FONT_HEADING_2,
                _ => FONT_BODY,
            };
            doc = doc.add_paragraph(para.add_run(run(p.trim(), SIZE_BODY, font)));
        }

        // 落款: two empty lines, the organisation centred over the date, the date four
        // characters in from the right edge.
        doc = doc.add_paragraph(blank_line());
        doc = doc.add_paragraph(blank_line());
        let date = format_date_cn(self.issue_date);
        let date_indent = 4 * CHAR_BODY;
        let org_indent = (date_indent + (text_width(&date) - text_width(org_name)) / 2).max(0);
        for (line, indent) in [(org_name.to_string(), org_indent), (date, date_indent)] {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .indent(None, None, Some(indent), None)
                    .line_spacing(on_grid())
                    .add_run(run(&line, SIZE_BODY, FONT_BODY)),
            );
        }

        let contact = office_contact_line(&self.office);
        if !contact.is_empty() {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .line_spacing(LineSpacing::new().before(480))
                    .add_run(run(&contact, SIZE_CONTACT, FONT_BODY)),
            );
        }

        let mut cursor = std::io::Cursor::new(Vec::new());
        doc.build()
            .pack(&mut cursor)
            .map_err(|e| LetterError::Docx(e.to_string()))?;
        Ok(cursor.into_inner())
    }
}
