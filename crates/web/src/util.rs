//! Small helpers shared by the handlers.

use chrono::{FixedOffset, NaiveDate, Offset, Utc};

/// China Standard Time (UTC+8), the time zone staff and citizens live in.
pub fn cst() -> FixedOffset {
    // 8 h is within the valid range, so the fallback to UTC is never taken.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Today's date in China Standard Time, the date staff and citizens see.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&cst()).date_naive()
}

/// Percent-encode a string for use in a query value or path segment.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Paging over `total` rows, `per_page` a page; pages are 1-based.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paging {
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
    pub total: i64,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

impl Paging {
    pub fn new(page: i64, per_page: i64, total: i64) -> Paging {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        Paging {
            page,
            pages,
            per_page,
            total,
            prev: (page > 1).then_some(page - 1),
            next: (page < pages).then_some(page + 1),
        }
    }
}

/// Parse an optional positive page number from a query string value.
pub fn parse_page(raw: Option<&str>) -> Result<i64, crate::AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| crate::AppError::BadRequest(format!("页码“{s}”无效：应为正整数"))),
    }
}

/// Parse an optional year (2000–2100) from a query string value.
pub fn parse_year(raw: Option<&str>) -> Result<Option<i32>, crate::AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| crate::AppError::BadRequest(format!("年份“{s}”无效：应为 2000—2100 之间的四位数字"))),
    }
}

/// Parse an optional id from a query value.
pub fn parse_id(raw: Option<&str>, label: &str) -> Result<Option<i64>, crate::AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .map(Some)
            .ok_or_else(|| crate::AppError::BadRequest(format!("{label}“{s}”无效"))),
    }
}

/// Convert staff-entered 正文 into sanitised HTML: text without tags becomes
/// paragraphs; HTML is cleaned to a small allow-list (no scripts, styles,
/// images from elsewhere, or event handlers).
pub fn sanitise_body(input: &str) -> String {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    let looks_like_html = trimmed.contains('<') && trimmed.contains('>');
    if !looks_like_html {
        return trimmed
            .split("\n\n")
            .flat_map(|block| block.split('\n'))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| format!("<p>{}</p>", ammonia::clean_text(p)))
            .collect::<Vec<_>>()
            .join("\n");
    }
    let tags: std::collections::HashSet<&str> = [
        "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "table", "thead", "tbody",
        "tr", "th", "td", "blockquote", "a", "span", "div",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(trimmed)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_text_becomes_paragraphs_and_html_is_cleaned() {
        assert_eq!(sanitise_body("第一段\n\n第二段<"), "<p>第一段</p>\n<p>第二段&lt;</p>");
        let dirty = "<p onclick=\"x()\">正文<script>alert(1)</script><img src=\"http://evil/x.png\"></p>";
        let clean = sanitise_body(dirty);
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("img"));
        assert!(clean.contains("正文"));
    }

    #[test]
    fn paging_clamps() {
        let p = Paging::new(9, 20, 66);
        assert_eq!((p.page, p.pages, p.prev, p.next), (4, 4, Some(3), None));
        assert_eq!(Paging::new(1, 20, 0).pages, 1);
    }

    #[test]
    fn query_values_are_checked() {
        assert!(parse_page(Some("abc")).is_err());
        assert!(parse_page(Some("0")).is_err());
        assert_eq!(parse_page(None).ok(), Some(1));
        assert!(parse_year(Some("1999")).is_err());
        assert_eq!(parse_year(Some("2023")).ok(), Some(Some(2023)));
    }
}
