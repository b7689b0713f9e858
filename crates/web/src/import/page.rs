//! One saved page of an existing 政府信息公开 column: its charset, whether it is an item page
//! (a metadata table or list with 索引号/发布机构/成文日期/文号/主题分类…, and/or the
//! government-site `<meta name="ArticleTitle|PubDate|ContentSource|ColumnName">` tags), its
//! metadata, its main content and the links on it.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};

use super::text::{decode, label_key, squash};

/// The metadata labels recognised, each with the canonical label it stands for.
const LABELS: &[(&str, &[&str])] = &[
    ("索引号", &["索引号", "索取号"]),
    ("标题", &["标题", "名称", "信息名称", "文件名称"]),
    ("发布机构", &["发布机构", "发文机关", "发文机构", "发布单位", "信息来源", "来源"]),
    ("成文日期", &["成文日期", "生成日期", "印发日期"]),
    ("发布日期", &["发布日期", "公开日期", "发布时间"]),
    ("文号", &["文号", "发文字号", "发文文号"]),
    ("主题分类", &["主题分类", "主题"]),
    ("有效性", &["有效性", "效力状态"]),
    ("栏目", &["所属栏目", "栏目", "信息类别"]),
];

/// The canonical label of a metadata label as written on a page.
pub fn canonical(label: &str) -> Option<&'static str> {
    let k = label_key(label);
    LABELS.iter().find(|(_, names)| names.contains(&k.as_str())).map(|(c, _)| *c)
}

/// What a page is.
#[derive(Debug, Clone)]
pub struct Page {
    /// `<title>` (or the first heading).
    pub title: String,
    /// Metadata by canonical label (from the metadata table/list first, then the meta tags).
    pub meta: HashMap<&'static str, String>,
    /// `<meta name="ColumnName">`.
    pub column: Option<String>,
    /// Whether it carries item metadata (索引号, or an ArticleTitle with a PubDate, or a
    /// metadata block with at least two labels).
    pub is_item: bool,
    /// The main content, as found (not yet cleaned).
    pub body_html: String,
    /// Every link: (href, link text).
    pub links: Vec<(String, String)>,
}

/// The charset a page declares in its first bytes, if any.
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let rest = head[at..].trim_start_matches(['"', '\'']);
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

fn sel(s: &str) -> Selector {
    // Only the fixed selectors below are parsed; they are valid.
    Selector::parse(s).unwrap_or_else(|_| Selector::parse("*").expect("the universal selector parses"))
}

fn text_of(e: ElementRef<'_>) -> String {
    squash(&e.text().collect::<String>())
}

/// Read a page. Errors name what is wrong (undecodable text).
pub fn read(bytes: &[u8]) -> Result<Page, String> {
    let charset = declared_charset(bytes);
    let text = decode(bytes, charset.as_deref()).ok_or("既不是 UTF-8 也不是 GBK/GB18030 编码的文本")?;
    let doc = Html::parse_document(&text);
    let mut meta: HashMap<&'static str, String> = HashMap::new();
    let mut labelled = 0;
    let put = |meta: &mut HashMap<&'static str, String>, label: &str, value: String| {
        if let Some(c) = canonical(label) {
            if !value.is_empty() && !meta.contains_key(c) {
                meta.insert(c, value);
                return true;
            }
        }
        false
    };
    // Table style: label and value cells side by side (several pairs a row).
    for row in doc.select(&sel("tr")) {
        let cells: Vec<ElementRef> = row.children().filter_map(ElementRef::wrap).filter(|c| matches!(c.value().name(), "td" | "th")).collect();
        let mut i = 0;
        while i + 1 < cells.len() {
            let label = text_of(cells[i]);
            if canonical(&label).is_some() && label.chars().count() <= 8 {
                if put(&mut meta, &label, text_of(cells[i + 1])) {
                    labelled += 1;
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    // List style: <dt>label</dt><dd>value</dd>.
    for dt in doc.select(&sel("dt")) {
        let label = text_of(dt);
        let dd = dt.next_siblings().filter_map(ElementRef::wrap).next().filter(|e| e.value().name() == "dd");
        if let Some(dd) = dd {
            if put(&mut meta, &label, text_of(dd)) {
                labelled += 1;
            }
        }
    }
    // Text style: “索引号：…” in list items, paragraphs or spans.
    for e in doc.select(&sel("li, p, span, div, td")) {
        if e.children().filter_map(ElementRef::wrap).any(|c| matches!(c.value().name(), "li" | "p" | "div" | "table" | "span")) {
            continue;
        }
        let t = text_of(e);
        if let Some((label, value)) = t.split_once(['：', ':']) {
            if label.chars().count() <= 8 && put(&mut meta, label, squash(value)) {
                labelled += 1;
            }
        }
    }
    // The government-site meta tags.
    let mut column = None;
    let mut has_article_title = false;
    for m in doc.select(&sel("meta[name]")) {
        let (Some(name), Some(content)) = (m.value().attr("name"), m.value().attr("content")) else { continue };
        let content = squash(content);
        match name.to_ascii_lowercase().as_str() {
            "articletitle" => {
                has_article_title = !content.is_empty();
                put(&mut meta, "标题", content);
            }
            "pubdate" => {
                put(&mut meta, "发布日期", content);
            }
            "contentsource" => {
                put(&mut meta, "发布机构", content);
            }
            "columnname" if !content.is_empty() => column = Some(content),
            _ => {}
        }
    }
    let title = doc
        .select(&sel("title"))
        .next()
        .map(text_of)
        .filter(|t| !t.is_empty())
        .or_else(|| doc.select(&sel("h1, h2")).next().map(text_of))
        .unwrap_or_default();
    let is_item = meta.contains_key("索引号") || (has_article_title && meta.contains_key("发布日期")) || labelled >= 2;
    let links = doc
        .select(&sel("a[href]"))
        .filter_map(|a| a.value().attr("href").map(|h| (h.trim().to_string(), text_of(a))))
        .collect();
    Ok(Page { title, meta, column, is_item, body_html: main_content(&doc), links })
}

/// The main content container: the first of the usual content classes with text, else the
/// innermost `div` with the most text that holds no metadata labels.
fn main_content(doc: &Html) -> String {
    for s in [".TRS_Editor", "#zoom", ".zoom", ".article-content", "#UCAP-CONTENT", ".article", "#content", ".content", "article", ".bt_content"] {
        if let Some(e) = doc.select(&sel(s)).find(|e| !text_of(*e).is_empty()) {
            return e.inner_html();
        }
    }
    let mut best: Option<(usize, ElementRef)> = None;
    for div in doc.select(&sel("div")) {
        if div.select(&sel("div, table, dl")).next().is_some() {
            continue;
        }
        let t = text_of(div);
        if t.contains("索引号") {
            continue;
        }
        let n = t.chars().count();
        if best.is_none_or(|(m, _)| n > m) {
            best = Some((n, div));
        }
    }
    best.map(|(_, e)| e.inner_html()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_style_page() {
        let html = r#"<html><head><meta charset="utf-8"><title>关于春耕的通知</title><meta name="ColumnName" content="通知公告"></head><body>
            <table><tr><th>索 引 号：</th><td>11441802MB2C92109Q/2021-00001</td><th>主题分类：</th><td>农业</td></tr>
            <tr><th>发布机构：</th><td>源潭镇人民政府</td><th>成文日期：</th><td>2021年3月1日</td></tr>
            <tr><th>文号：</th><td>源府〔2021〕1号</td><th>发布日期：</th><td>2021-03-05</td></tr></table>
            <div class="TRS_Editor"><p style="color:red">各村：请做好春耕。</p></div><a href="fj/a.pdf">附件</a></body></html>"#;
        let p = read(html.as_bytes()).expect("page");
        assert!(p.is_item);
        assert_eq!(p.meta.get("索引号").map(String::as_str), Some("11441802MB2C92109Q/2021-00001"));
        assert_eq!(p.meta.get("文号").map(String::as_str), Some("源府〔2021〕1号"));
        assert_eq!(p.column.as_deref(), Some("通知公告"));
        assert!(p.body_html.contains("请做好春耕"));
        assert_eq!(p.links[0].0, "fj/a.pdf");
    }

    #[test]
    fn list_page_is_not_an_item() {
        let html = "<html><head><title>通知公告</title></head><body><ul><li><a href='a.html'>一</a></li><li><a href='b.html'>二</a></li></ul></body></html>";
        let p = read(html.as_bytes()).expect("page");
        assert!(!p.is_item);
    }
}
