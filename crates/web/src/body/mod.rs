//! 正文 (an item's body) as clean, sanitised HTML: text typed or pasted from Word/WPS (the
//! Office styling, comments and wrappers dropped, headings and tables kept), a table written
//! in the back-office rows/cells form, or a DOCX imported by [`docx`].

pub mod docx;

use std::collections::{HashMap, HashSet};

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Replace `<tag` / `</tag` (ASCII case-insensitive) by another tag name.
fn rename_tag(html: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < html.len() {
        let rest = &lower[i..];
        let (open, close) = (format!("<{from}"), format!("</{from}"));
        let hit = if rest.starts_with(&close) {
            Some((close.len(), format!("</{to}")))
        } else if rest.starts_with(&open) {
            Some((open.len(), format!("<{to}")))
        } else {
            None
        };
        if let Some((len, replacement)) = hit {
            // Only a whole tag name: the next byte ends the name.
            let next = bytes.get(i + len).copied().unwrap_or(b'>');
            if next == b'>' || next == b'/' || next.is_ascii_whitespace() {
                out.push_str(&replacement);
                i += len;
                continue;
            }
        }
        let ch = html[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Remove paragraphs and list items that hold nothing visible (Word's `<p>&nbsp;</p>`).
fn drop_empty_blocks(html: &str) -> String {
    let mut s = html.to_string();
    loop {
        let before = s.len();
        for empty in ["<p></p>", "<p>\u{a0}</p>", "<p>&nbsp;</p>", "<p> </p>", "<p><br></p>", "<div></div>", "<strong></strong>", "<b></b>", "<em></em>", "<i></i>", "<u></u>"] {
            s = s.replace(empty, "");
        }
        if s.len() == before {
            break;
        }
    }
    s.trim().to_string()
}

/// Clean HTML as pasted from Word, WPS or a web page, or produced by the DOCX import: only
/// structure is kept (paragraphs, headings h2–h4, lists, emphasis, links and tables with their
/// spans); classes, styles, fonts, `lang`, Office namespaces (`<o:p>`), comments and
/// conditional comments are dropped. `<h1>` becomes `<h2>` (the page title is the item's).
pub fn clean_html(input: &str) -> String {
    let mut html = rename_tag(input, "h1", "h2");
    for h in ["h5", "h6"] {
        html = rename_tag(&html, h, "h4");
    }
    let tags: HashSet<&str> = [
        "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "ul", "ol", "li", "h2", "h3", "h4", "table", "caption",
        "thead", "tbody", "tfoot", "tr", "th", "td", "blockquote", "a", "div",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert("a", ["href"].into_iter().collect());
    attrs.insert("td", ["colspan", "rowspan"].into_iter().collect());
    attrs.insert("th", ["colspan", "rowspan", "scope"].into_iter().collect());
    attrs.insert("ol", ["start"].into_iter().collect());
    let cleaned = ammonia::Builder::default()
        .tags(tags)
        .tag_attributes(attrs)
        .generic_attributes(HashSet::new())
        .clean_content_tags(["script", "style", "xml", "title", "template", "noscript", "textarea", "select"].into_iter().collect())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string();
    drop_empty_blocks(&cleaned)
}

/// The submitted 正文: plain text becomes paragraphs (one per line), HTML is cleaned by
/// [`clean_html`].
pub fn clean_body(input: &str) -> String {
    let trimmed = input.trim();
    if trimmed.contains('<') && trimmed.contains('>') {
        clean_html(trimmed)
    } else {
        crate::util::sanitise_body(trimmed)
    }
}

/// Most rows and columns a table written in the rows/cells form may have.
pub const MAX_TABLE_ROWS: usize = 500;
pub const MAX_TABLE_COLS: usize = 30;

/// A table from the rows/cells form: one row per line, cells separated by tabs (as copied
/// from Excel or WPS 表格) or by `|`/`｜`. With `header`, the first row is the heading row.
/// Rows with fewer cells are padded. Errors are Chinese messages for the form.
pub fn table_from_rows(rows_text: &str, header: bool, caption: &str) -> Result<String, String> {
    let lines: Vec<&str> = rows_text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err("表格内容为空：每行一行表格，单元格之间用制表符或竖线“|”分隔".into());
    }
    if lines.len() > MAX_TABLE_ROWS {
        return Err(format!("表格最多 {MAX_TABLE_ROWS} 行，实际 {} 行", lines.len()));
    }
    let split = |l: &str| -> Vec<String> {
        let cells: Vec<&str> = if l.contains('\t') { l.split('\t').collect() } else { l.split(['|', '｜']).collect() };
        let mut cells: Vec<String> = cells.into_iter().map(|c| c.trim().to_string()).collect();
        // "| a | b |" has empty cells at both ends.
        if !l.contains('\t') && cells.len() > 1 {
            if cells.first().is_some_and(String::is_empty) {
                cells.remove(0);
            }
            if cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
        }
        cells
    };
    let rows: Vec<Vec<String>> = lines.iter().map(|l| split(l)).collect();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(1);
    if cols > MAX_TABLE_COLS {
        return Err(format!("表格最多 {MAX_TABLE_COLS} 列，实际 {cols} 列"));
    }
    let mut out = String::from("<table>");
    let caption = caption.trim();
    if !caption.is_empty() {
        out.push_str(&format!("<caption>{}</caption>", escape(caption)));
    }
    let row_html = |cells: &[String], tag: &str| -> String {
        let mut s = String::from("<tr>");
        for i in 0..cols {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            let scope = if tag == "th" { " scope=\"col\"" } else { "" };
            s.push_str(&format!("<{tag}{scope}>{}</{tag}>", escape(text)));
        }
        s.push_str("</tr>");
        s
    };
    let mut body_rows = rows.as_slice();
    if header {
        out.push_str("<thead>");
        out.push_str(&row_html(&rows[0], "th"));
        out.push_str("</thead>");
        body_rows = &rows[1..];
    }
    out.push_str("<tbody>");
    for r in body_rows {
        out.push_str(&row_html(r, "td"));
    }
    out.push_str("</tbody></table>");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_paste_is_cleaned() {
        let pasted = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{font-family:宋体}</style><!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]--></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><div class=WordSection1>
<h1 style='mso-list:l0'><span lang=EN-US>一、</span>总体情况</h1>
<p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:仿宋_GB2312'>正文第一段<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<table class=MsoTableGrid border=1 style='border-collapse:collapse'><tr><td width=100 colspan=2 style='border:solid'><p class=MsoNormal>姓名</p></td></tr>
<tr><td rowspan=2 onclick="x()">张</td><td>李</td></tr></table>
<p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">链接</a></p>
</div></body></html>"#;
        let clean = clean_html(pasted);
        for bad in ["style", "class", "lang", "mso", "o:p", "font", "script", "img", "onclick", "javascript", "WordDocument", "<h1", "<span", "width", "border"] {
            assert!(!clean.contains(bad), "{bad} left in {clean}");
        }
        assert!(clean.contains("<h2>一、总体情况</h2>"), "{clean}");
        assert!(clean.contains("<p>正文第一段</p>"), "{clean}");
        assert!(clean.contains("<td colspan=\"2\"><p>姓名</p></td>"), "{clean}");
        assert!(clean.contains("<td rowspan=\"2\">张</td>"), "{clean}");
        assert!(!clean.contains("<p>\u{a0}</p>") && !clean.contains("<p></p>"), "{clean}");
    }

    #[test]
    fn plain_text_stays_paragraphs() {
        assert_eq!(clean_body("第一段\n第二段"), "<p>第一段</p>\n<p>第二段</p>");
    }

    #[test]
    fn rows_form_builds_a_table() {
        let t = table_from_rows("序号\t姓名\t金额（元）\n1\t张三\t3000\n2\t李<四>", true, "2024年补助名单").unwrap();
        assert_eq!(
            t,
            "<table><caption>2024年补助名单</caption><thead><tr><th scope=\"col\">序号</th><th scope=\"col\">姓名</th><th scope=\"col\">金额（元）</th></tr></thead>\
             <tbody><tr><td>1</td><td>张三</td><td>3000</td></tr><tr><td>2</td><td>李&lt;四&gt;</td><td></td></tr></tbody></table>"
        );
        assert_eq!(
            table_from_rows("| a | b |\n| c | d |", false, "").unwrap(),
            "<table><tbody><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></tbody></table>"
        );
        assert!(table_from_rows("  \n", true, "").unwrap_err().contains("为空"));
        assert!(table_from_rows(&"a|".repeat(40), false, "").unwrap_err().contains("最多 30 列"));
        // The cleaner keeps what the form produced.
        assert_eq!(clean_html(&t), t);
    }
}
