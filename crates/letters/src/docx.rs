//! The letter as an OOXML (.docx) document: A4, SimSun (宋体) font hints, letterhead
//! (organisation, bold, centred), title (centred, larger), body paragraphs with a
//! first-line indent of two characters, signature and date right-aligned, contact line.

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType,
};
use gongkai_domain::model::DisclosureOffice;

use crate::html::is_salutation;
use crate::{clean_text, format_date_cn, office_contact_line, LetterError};

/// A4 in twips (210 mm × 297 mm).
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// Font sizes in half-points: 小二 (18pt), 二号 (22pt), 三号 (16pt), 小四 (12pt).
const SIZE_LETTERHEAD: usize = 36;
const SIZE_TITLE: usize = 44;
const SIZE_BODY: usize = 32;
const SIZE_CONTACT: usize = 24;
/// Two characters of 三号 (16pt) in twips (docx-rs writes no `w:firstLineChars`).
const INDENT_TWO_CHARS: i32 = 640;
/// Fixed line height of 28pt, in twips.
const LINE_EXACT: i32 = 560;

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("SimSun")
        .hi_ansi("SimSun")
        .east_asia("宋体")
        .cs("SimSun")
        .hint("eastAsia")
}

/// A run of text; line breaks inside become soft breaks.
fn run(text: &str, size: usize) -> Run {
    let text = clean_text(text);
    let mut r = Run::new().fonts(fonts()).size(size);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line.trim_end_matches('\r'));
    }
    r
}

fn spacing() -> LineSpacing {
    LineSpacing::new()
        .line(LINE_EXACT)
        .line_rule(docx_rs::LineSpacingType::Exact)
}

/// A valid OOXML .docx of the letter.
pub fn to_docx(
    title: &str,
    paragraphs: &[String],
    org_name: &str,
    issue_date: NaiveDate,
    office: &DisclosureOffice,
) -> Result<Vec<u8>, LetterError> {
    let stamp = format!("{}T00:00:00Z", issue_date.format("%Y-%m-%d"));
    let mut doc = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1588)
                .right(1474)
                .header(851)
                .footer(992),
        )
        .default_fonts(fonts())
        .default_size(SIZE_BODY)
        .created_at(&stamp)
        .updated_at(&stamp);

    doc = doc.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(org_name.trim(), SIZE_LETTERHEAD).bold()),
    );
    doc = doc.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(240).after(240))
            .add_run(run(title.trim(), SIZE_TITLE).bold()),
    );

    let body: Vec<&String> = paragraphs.iter().filter(|p| !p.trim().is_empty()).collect();
    for (i, p) in body.iter().enumerate() {
        let mut para = Paragraph::new()
            .align(AlignmentType::Both)
            .line_spacing(spacing());
        if !(i == 0 && is_salutation(p)) {
            para = para.indent(
                None,
                Some(SpecialIndentType::FirstLine(INDENT_TWO_CHARS)),
                None,
                None,
            );
        }
        doc = doc.add_paragraph(para.add_run(run(p.trim(), SIZE_BODY)));
    }

    // Signature block: an empty line, then organisation and date, right-aligned.
    doc = doc.add_paragraph(Paragraph::new().line_spacing(spacing()));
    for line in [org_name.trim().to_string(), format_date_cn(issue_date)] {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(spacing())
                .add_run(run(&line, SIZE_BODY)),
        );
    }

    let contact = office_contact_line(office);
    if !contact.is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .line_spacing(LineSpacing::new().before(480))
                .add_run(run(&contact, SIZE_CONTACT)),
        );
    }

    let mut cursor = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut cursor)
        .map_err(|e| LetterError::Docx(e.to_string()))?;
    Ok(cursor.into_inner())
}
