//! Paragraphs ↔ the escaped `<p>…</p>` HTML the back office stores, and the printable
//! `<article class="letter">` fragment. No inline style anywhere (the site's CSP).

use chrono::NaiveDate;
use gongkai_domain::model::DisclosureOffice;

use crate::{clean_text, format_date_cn, office_contact_line, LetterDocument, LetterDraft};

/// Escape text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in clean_text(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// One paragraph's escaped content; line breaks inside a paragraph become `<br>`.
fn paragraph_inner(p: &str) -> String {
    escape(p.trim()).replace('\n', "<br>")
}

/// Paragraphs → `<p>…</p>` per paragraph, escaped, one per line.
pub fn to_html(d: &LetterDraft) -> String {
    d.paragraphs
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", paragraph_inner(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tags that end a paragraph (opening or closing).
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "hr",
];
/// Tags whose content is never text.
const SKIPPED_TAGS: &[&str] = &["script", "style", "template", "head", "title"];

/// Stored or edited HTML → plain-text paragraphs. Tolerant: strips tags (and the content
/// of `script`/`style`), splits on paragraph-ending tags (`</p>`, `<br>`, `</div>`, …) and
/// newlines, unescapes entities, trims, and drops empty paragraphs.
pub fn paragraphs_from_html(body_html: &str) -> Vec<String> {
    let mut segments: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut rest = body_html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(after) = rest.strip_prefix("<!--") {
                    rest = after.find("-->").map_or("", |i| &after[i + 3..]);
                    continue;
                }
                let Some(end) = rest.find('>') else {
                    // A lone '<' with no closing '>': keep it as text.
                    current.push('<');
                    rest = &rest[1..];
                    continue;
                };
                let tag = &rest[1..end];
                rest = &rest[end + 1..];
                let closing = tag.starts_with('/');
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if name.is_empty() {
                    // Not a tag (e.g. "< 5>"): keep it as text.
                    current.push('<');
                    current.push_str(tag);
                    current.push('>');
                    continue;
                }
                if !closing && !tag.ends_with('/') && SKIPPED_TAGS.contains(&name.as_str()) {
                    let close = format!("</{name}");
                    let lower = rest.to_ascii_lowercase();
                    rest = match lower.find(&close) {
                        Some(i) => {
                            let after = &rest[i..];
                            after.find('>').map_or("", |j| &after[j + 1..])
                        }
                        None => "",
                    };
                    continue;
                }
                if BLOCK_TAGS.contains(&name.as_str()) {
                    segments.push(std::mem::take(&mut current));
                }
            }
            '\n' | '\r' => {
                segments.push(std::mem::take(&mut current));
                rest = &rest[1..];
            }
            _ => {
                current.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    segments.push(current);
    segments
        .iter()
        .map(|s| unescape(s).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Decode HTML character references; unknown ones are kept literally.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest
            .find(';')
            .filter(|&j| j <= 12)
            .and_then(|j| decode_entity(&rest[1..j]).map(|c| (c, j)));
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|c| *c == '\t' || *c == '\n' || !c.is_control());
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "middot" => '·',
        "times" => '×',
        "yen" => '¥',
        _ => return None,
    })
}

/// The printable letter: `<article class="letter">` with the letterhead (organisation
/// name), the 文书编号 when there is one, title, body, signature block (organisation and
/// date, e.g. 2024年1月17日) and the office contact line. Class names only, no inline
/// style (the site's CSP; `site.css` styles `.letter` after GB/T 9704).
pub fn to_html_fragment(
    title: &str,
    paragraphs: &[String],
    org_name: &str,
    issue_date: NaiveDate,
    office: &DisclosureOffice,
) -> String {
    LetterDocument::new(title, paragraphs, org_name, issue_date, office).html_fragment()
}

/// The CSS class of a body paragraph: salutation, headings of level 1 ("一、") and 2
/// ("（一）"), the closing formula, or none.
fn paragraph_class(i: usize, p: &str) -> Option<&'static str> {
    match paragraph_role(i, p) {
        Role::Salutation => Some("letter-salutation"),
        Role::Heading1 => Some("letter-h1"),
        Role::Heading2 => Some("letter-h2"),
        Role::Closing => Some("letter-closing"),
        Role::Body => None,
    }
}

impl LetterDocument {
    /// The printable `<article class="letter">` fragment.
    pub fn html_fragment(&self) -> String {
        let mut out = String::new();
        out.push_str("<article class=\"letter\">\n");
        out.push_str(&format!(
            "<header class=\"letter-head\"><p class=\"letter-org\">{}</p>",
            escape(self.org_name.trim())
        ));
        if let Some(n) = self.doc_number() {
            out.push_str(&format!("<p class=\"letter-number\">{}</p>", escape(n)));
        }
        out.push_str("</header>\n");
        out.push_str(&format!(
            "<h1 class=\"letter-title\">{}</h1>\n",
            escape(self.title.trim())
        ));
        out.push_str("<div class=\"letter-body\">\n");
        let body: Vec<&String> = self
            .paragraphs
            .iter()
            .filter(|p| !p.trim().is_empty())
            .collect();
        for (i, p) in body.iter().enumerate() {
            let class = paragraph_class(i, p)
                .map(|c| format!(" class=\"{c}\""))
                .unwrap_or_default();
            out.push_str(&format!("<p{class}>{}</p>\n", paragraph_inner(p)));
        }
        out.push_str("</div>\n");
        out.push_str("<footer class=\"letter-sign\">\n");
        out.push_str(&format!(
            "<p class=\"letter-sign-org\">{}</p>\n",
            escape(self.org_name.trim())
        ));
        out.push_str(&format!(
            "<p class=\"letter-sign-date\"><time datetime=\"{}\">{}</time></p>\n",
            self.issue_date.format("%Y-%m-%d"),
            format_date_cn(self.issue_date)
        ));
        out.push_str("</footer>\n");
        let contact = office_contact_line(&self.office);
        if !contact.is_empty() {
            out.push_str(&format!(
                "<p class=\"letter-contact\">{}</p>\n",
                escape(&contact)
            ));
        }
        out.push_str("</article>\n");
        out
    }
}

/// What a body paragraph is, for typography (GB/T 9704: headings 黑体 / 楷体).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Salutation,
    Heading1,
    Heading2,
    Closing,
    Body,
}

pub(crate) fn paragraph_role(i: usize, p: &str) -> Role {
    let t = p.trim();
    if i == 0 && is_salutation(t) {
        return Role::Salutation;
    }
    if t == crate::CLOSING || t == crate::CLOSING_CONSULTATION {
        return Role::Closing;
    }
    const NUMERALS: &str = "一二三四五六七八九十";
    let short = t.chars().count() <= 40;
    let lead: String = t.chars().take_while(|c| NUMERALS.contains(*c)).collect();
    if short && !lead.is_empty() && t[lead.len()..].starts_with('、') {
        return Role::Heading1;
    }
    if short {
        if let Some(rest) = t.strip_prefix('（') {
            let lead: String = rest.chars().take_while(|c| NUMERALS.contains(*c)).collect();
            if !lead.is_empty() && rest[lead.len()..].starts_with('）') {
                return Role::Heading2;
            }
        }
    }
    Role::Body
}

/// A first paragraph like `张三：` (the addressee line) is not indented.
pub(crate) fn is_salutation(p: &str) -> bool {
    let t = p.trim();
    t.ends_with('：') && t.chars().count() <= 60 && !t.contains('。')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_parsing() {
        let html =
            "<p>第一段&amp;<b>加粗</b></p><p>第二段<br>第三段</p>\n第四段<script>alert(1)</script>\
                    <div>&lt;script&gt;&#x4e2d;&#25991;</div><!-- note --><p>  </p>a &foo; b < c";
        assert_eq!(
            paragraphs_from_html(html),
            vec![
                "第一段&加粗",
                "第二段",
                "第三段",
                "第四段",
                "<script>中文",
                "a &foo; b < c"
            ]
        );
    }

    #[test]
    fn uppercase_and_attributes() {
        let html = "<P class=\"x\">甲</P><BR/>乙<STYLE>p{}</STYLE><p>丙</p>";
        assert_eq!(paragraphs_from_html(html), vec!["甲", "乙", "丙"]);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for s in [
            "<",
            "<p",
            "&",
            "&#",
            "&#x;",
            "<script>",
            "<!--",
            "<p>甲&#99999999;",
        ] {
            let _ = paragraphs_from_html(s);
        }
    }
}
