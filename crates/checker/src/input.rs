//! Readers: plain text (UTF-8, UTF-16, GB18030/GBK, Big5 detected), HTML, DOCX and PDF text
//! layers, all turned into text lines. Table rows become one line with cells separated by tabs.

use crate::report::{Finding, Location, Severity};
use crate::{CheckError, MAX_INPUT_BYTES};
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

/// Which reader produced the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Text,
    Html,
    Docx,
    Pdf,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Text => "text",
            InputKind::Html => "html",
            InputKind::Docx => "docx",
            InputKind::Pdf => "pdf",
        }
    }
}

/// Decoded input.
pub struct Decoded {
    pub kind: InputKind,
    pub text: String,
    /// A finding about the decoding itself (e.g. replacement characters inserted).
    pub note: Option<Finding>,
}

/// HTML larger than this is refused (the HTML tree costs far more memory than its text).
const MAX_HTML_BYTES: usize = 16 * 1024 * 1024;
/// Uncompressed size limit of word/document.xml.
const MAX_DOCX_XML_BYTES: u64 = 64 * 1024 * 1024;
/// Time limit for PDF text extraction.
const PDF_TIMEOUT: Duration = Duration::from_secs(20);

/// The PDF time limit; `GONGKAI_CHECKER_PDF_TIMEOUT_SECS` raises it (unoptimised test
/// builds on a loaded machine extract far slower than a release build).
fn pdf_timeout() -> Duration {
    std::env::var("GONGKAI_CHECKER_PDF_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .map(Duration::from_secs)
        .unwrap_or(PDF_TIMEOUT)
}
/// Bracket nesting depth above which a PDF is refused (the PDF parser recurses).
const MAX_PDF_NESTING: usize = 256;

/// Detects the kind and encoding of `bytes` and extracts the text.
pub fn decode_bytes(bytes: &[u8], filename_hint: Option<&str>) -> Result<Decoded, CheckError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(CheckError::TooLarge { size: bytes.len(), limit: MAX_INPUT_BYTES });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CheckError::Empty);
    }
    let ext = filename_hint
        .and_then(|n| n.rsplit('.').next())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"%PDF") || (ext == "pdf" && find(head, b"%PDF").is_some()) {
        return Ok(Decoded { kind: InputKind::Pdf, text: pdf_text(bytes)?, note: None });
    }
    if bytes.starts_with(b"PK\x03\x04") || ext == "docx" {
        return Ok(Decoded { kind: InputKind::Docx, text: docx_text(bytes)?, note: None });
    }
    if ext == "doc" || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(CheckError::Unsupported("旧版 Word（.doc）文件，请另存为 .docx 或 PDF".into()));
    }
    let (text, had_errors) = decode_text(bytes);
    let note = had_errors.then(|| {
        Finding::new(
            "DEBRIS_REPLACEMENT_CHAR",
            Severity::Warning,
            "文件中有无法按所识别编码解码的字节，已替换为“�”",
            Location::default(),
        )
    });
    let is_html = matches!(ext.as_str(), "htm" | "html" | "shtml" | "xhtml" | "asp" | "aspx" | "jsp" | "php")
        || looks_like_html(&text);
    if is_html {
        if bytes.len() > MAX_HTML_BYTES {
            return Err(CheckError::TooLarge { size: bytes.len(), limit: MAX_HTML_BYTES });
        }
        return Ok(Decoded { kind: InputKind::Html, text: html_text(&limit_nesting(&text)), note });
    }
    Ok(Decoded { kind: InputKind::Text, text, note })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes text bytes: BOM, valid UTF-8, else detection (GB18030, Big5, …).
pub fn decode_text(bytes: &[u8]) -> (String, bool) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (cow, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (cow.into_owned(), had_errors);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), false);
    }
    // A <meta charset> declaration wins when present.
    let head = &bytes[..bytes.len().min(4096)];
    let head_l = String::from_utf8_lossy(head).to_ascii_lowercase();
    if let Some(pos) = head_l.find("charset=") {
        let rest = &head_l[pos + 8..];
        let label: String = rest
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
            let enc = if enc == encoding_rs::GBK { encoding_rs::GB18030 } else { enc };
            let (cow, _, had_errors) = enc.decode(bytes);
            return (cow.into_owned(), had_errors);
        }
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let mut enc = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if enc == encoding_rs::GBK {
        enc = encoding_rs::GB18030;
    }
    let (cow, _, had_errors) = enc.decode(bytes);
    (cow.into_owned(), had_errors)
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(65536).collect::<String>().to_ascii_lowercase();
    let trimmed = head.trim_start();
    trimmed.starts_with("<!doctype")
        || trimmed.starts_with("<html")
        || head.contains("<html")
        || head.contains("<body")
        || head.contains("<table")
        || (trimmed.starts_with('<') && (head.contains("<p>") || head.contains("<div") || head.contains("<p ")))
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

/// Nesting depth of elements above which further opening tags are dropped (the HTML tree
/// builder is quadratic in depth).
const MAX_HTML_DEPTH: usize = 256;

/// Drops opening tags nested deeper than [`MAX_HTML_DEPTH`] (an estimate: elements whose end
/// tag is optional or that are void are not counted). Text is kept.
pub fn limit_nesting(html: &str) -> std::borrow::Cow<'_, str> {
    const UNCOUNTED: &[&str] = &[
        "p", "li", "td", "th", "tr", "dt", "dd", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup",
        "rb", "rt", "rp", "br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base", "source",
        "track", "embed", "param", "!doctype", "html", "head", "body",
    ];
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut i = 0usize;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + off;
        let Some(end_off) = bytes[start..].iter().position(|&b| b == b'>') else { break };
        let end = start + end_off + 1;
        let tag = &html[start + 1..end - 1];
        let closing = tag.starts_with('/');
        let after_slash = tag.trim_start_matches('/');
        let name_len = after_slash.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'!').count();
        let name = &after_slash[..name_len];
        i = end;
        if name.is_empty() || name.starts_with("!--") || UNCOUNTED.iter().any(|u| u.eq_ignore_ascii_case(name)) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with('/') {
            depth += 1;
            if depth > MAX_HTML_DEPTH {
                let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
                o.push_str(&html[copied..start]);
                copied = end;
            }
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&html[copied..]);
            std::borrow::Cow::Owned(o)
        }
        None => std::borrow::Cow::Borrowed(html),
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div" | "br" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "table"
            | "section" | "article" | "header" | "footer" | "blockquote" | "pre" | "dd" | "dt" | "dl"
            | "hr" | "nav" | "form" | "center" | "title" | "tbody" | "thead" | "caption"
    )
}

fn is_skipped(name: &str) -> bool {
    matches!(name, "script" | "style" | "noscript" | "template" | "head" | "svg" | "iframe" | "object" | "select")
}

/// Extracts text lines from HTML: block elements break lines; innermost tables are laid out
/// on a grid (rowspan/colspan) and written one row per line, cells separated by tabs.
pub fn html_text(html: &str) -> String {
    use scraper::{Html, Node};
    let doc = Html::parse_document(html);
    let nested = tables_with_nested_tables(&doc);
    let mut out = String::new();
    // Iterative walk: (node id, entering?)
    let root = doc.tree.root();
    let mut stack: Vec<(ego_tree::NodeId, bool)> = vec![(root.id(), true)];
    while let Some((id, entering)) = stack.pop() {
        let Some(node) = doc.tree.get(id) else { continue };
        match node.value() {
            Node::Text(t) => {
                if entering {
                    push_inline(&mut out, t);
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if is_skipped(name) {
                    continue;
                }
                if entering {
                    if name == "table" && !nested.contains(&id) {
                        newline(&mut out);
                        for row in table_rows(node) {
                            out.push_str(&row.join("\t"));
                            out.push('\n');
                        }
                        continue;
                    }
                    if is_block(name) {
                        newline(&mut out);
                    }
                    if name == "td" || name == "th" {
                        out.push(' ');
                    }
                    stack.push((id, false));
                    let children: Vec<_> = node.children().map(|c| c.id()).collect();
                    for c in children.into_iter().rev() {
                        stack.push((c, true));
                    }
                } else if is_block(name) {
                    newline(&mut out);
                }
            }
            _ => {
                if entering {
                    let children: Vec<_> = node.children().map(|c| c.id()).collect();
                    for c in children.into_iter().rev() {
                        stack.push((c, true));
                    }
                }
            }
        }
    }
    out
}

fn newline(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn push_inline(out: &mut String, t: &str) {
    let mut last_space = out.ends_with(' ') || out.ends_with('\n') || out.is_empty();
    // Runs of non-space characters are copied whole; each run of whitespace becomes one space.
    let mut run: Option<usize> = None;
    let b = t.as_bytes();
    let mut i = 0;
    while let Some(&lead) = b.get(i) {
        // Unicode White_Space outside ASCII is led by 0xC2 (U+0085, U+00A0), 0xE1 (U+1680),
        // 0xE2 (U+2000 block) or 0xE3 (U+3000, kept); decode only those.
        let (space, len) = match lead {
            0..=0x7F => (lead.is_ascii_whitespace() || lead == 0x0B, 1),
            0xC2 | 0xE1 | 0xE2 => match t.get(i..).and_then(|r| r.chars().next()) {
                Some(ch) => (ch.is_whitespace(), ch.len_utf8()),
                None => break,
            },
            _ => (false, crate::text::utf8_len(lead)),
        };
        let at = i;
        i += len;
        if space {
            if let Some(r) = run.take() {
                out.push_str(&t[r..at]);
                last_space = false;
            }
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else if run.is_none() {
            run = Some(at);
        }
    }
    if let Some(r) = run {
        out.push_str(&t[r..]);
    }
}

/// Tables that contain another table (layout tables): one pass, each table marks its nearest
/// table ancestor.
fn tables_with_nested_tables(doc: &scraper::Html) -> std::collections::HashSet<ego_tree::NodeId> {
    let is_table = |n: &ego_tree::NodeRef<'_, scraper::Node>| matches!(n.value(), scraper::Node::Element(e) if e.name() == "table");
    let mut set = std::collections::HashSet::new();
    for n in doc.tree.root().descendants() {
        if is_table(&n) {
            if let Some(a) = n.ancestors().find(|a| is_table(a)) {
                set.insert(a.id());
            }
        }
    }
    set
}

fn cell_text(node: ego_tree::NodeRef<'_, scraper::Node>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        match d.value() {
            scraper::Node::Text(t) => push_inline(&mut s, t),
            scraper::Node::Element(e) if matches!(e.name(), "br" | "p" | "div") && !s.ends_with(' ') => s.push(' '),
            _ => {}
        }
    }
    s.trim().replace('\t', " ")
}

fn span_attr(e: &scraper::node::Element, name: &str) -> usize {
    e.attr(name).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, 64)
}

/// Rows of an innermost table: rowspan label cells repeat on the rows they cover, numeric
/// spanned cells and colspan copies are written once.
fn table_rows(table: ego_tree::NodeRef<'_, scraper::Node>) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    // pending rowspans: column -> (remaining rows, text)
    let mut pending: Vec<Option<(usize, String)>> = Vec::new();
    for tr in table.descendants() {
        let scraper::Node::Element(e) = tr.value() else { continue };
        if e.name() != "tr" {
            continue;
        }
        if rows.len() >= 10_000 {
            break;
        }
        let mut row: Vec<String> = Vec::new();
        let mut col = 0usize;
        let mut cells = tr.children().filter(|c| {
            matches!(c.value(), scraper::Node::Element(e) if e.name() == "td" || e.name() == "th")
        });
        let mut next_cell = cells.next();
        loop {
            // Fill columns covered by rowspans from rows above.
            if let Some(Some((left, text))) = pending.get_mut(col) {
                if *left > 0 {
                    *left -= 1;
                    let text = text.clone();
                    if pending.get(col).is_some_and(|p| p.as_ref().is_some_and(|(l, _)| *l == 0)) {
                        pending[col] = None;
                    }
                    row.push(text);
                    col += 1;
                    continue;
                }
            }
            let Some(cell) = next_cell else { break };
            next_cell = cells.next();
            let scraper::Node::Element(ce) = cell.value() else { continue };
            let text = cell_text(cell);
            let rs = span_attr(ce, "rowspan");
            let cs = span_attr(ce, "colspan");
            let numeric = crate::text::parse_cell(&text, false).is_some();
            if rs > 1 && !numeric && !text.is_empty() {
                for k in 0..cs {
                    let c = col + k;
                    if pending.len() <= c {
                        pending.resize(c + 1, None);
                    }
                    pending[c] = Some((rs - 1, text.clone()));
                }
            } else if rs > 1 {
                for k in 0..cs {
                    let c = col + k;
                    if pending.len() <= c {
                        pending.resize(c + 1, None);
                    }
                    pending[c] = Some((rs - 1, String::new()));
                }
            }
            row.push(text);
            col += cs;
            if col > 256 {
                break;
            }
        }
        rows.push(row);
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// DOCX
// ---------------------------------------------------------------------------------------------

/// Text of a DOCX body: paragraphs as lines, table rows as tab-separated lines.
pub fn docx_text(bytes: &[u8]) -> Result<String, CheckError> {
    let reader = std::io::Cursor::new(bytes);
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| CheckError::Docx(e.to_string()))?;
    let mut xml = Vec::new();
    {
        let file = zip.by_name("word/document.xml").map_err(|e| CheckError::Docx(e.to_string()))?;
        file.take(MAX_DOCX_XML_BYTES)
            .read_to_end(&mut xml)
            .map_err(|e| CheckError::Docx(e.to_string()))?;
    }
    docx_xml_text(&xml)
}

fn docx_xml_text(xml: &[u8]) -> Result<String, CheckError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = String::new();
    let mut buf = Vec::new();
    let mut table_depth = 0usize;
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut para = String::new();
    let mut in_text = false;
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(|e| CheckError::Docx(e.to_string()))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if true => {
                let name = e.local_name();
                let name = name.as_ref();
                let is_empty_tag = false;
                let _ = is_empty_tag;
                match name {
                    b"tbl" => {
                        table_depth += 1;
                    }
                    b"tr" if table_depth == 1 => row.clear(),
                    b"tc" if table_depth == 1 => cell.clear(),
                    b"t" => in_text = true,
                    b"tab" => para.push('\t'),
                    b"br" | b"cr" => para.push('\n'),
                    _ => {}
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    b"t" => in_text = false,
                    b"p" => {
                        if table_depth == 0 {
                            out.push_str(&para);
                            out.push('\n');
                        } else {
                            if !cell.is_empty() && !para.is_empty() {
                                cell.push(' ');
                            }
                            cell.push_str(&para.replace(['\t', '\n'], " "));
                        }
                        para.clear();
                    }
                    b"tc" if table_depth == 1 => row.push(std::mem::take(&mut cell).trim().to_string()),
                    b"tr" if table_depth == 1 => {
                        out.push_str(&row.join("\t"));
                        out.push('\n');
                        row.clear();
                    }
                    b"tbl" => table_depth = table_depth.saturating_sub(1),
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                let s = t.unescape().map(|c| c.into_owned()).unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                para.push_str(&s);
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/// Maximum bracket nesting outside streams (a guard against parser recursion).
fn pdf_nesting(bytes: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b's' && bytes[i..].starts_with(b"stream") && !bytes[..i].ends_with(b"end") {
            match find(&bytes[i..], b"endstream") {
                Some(p) => {
                    i += p + 9;
                    continue;
                }
                None => break,
            }
        }
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => {}
        }
        max = max.max(depth);
        i += 1;
    }
    max
}

/// Text layer of a PDF. The extractor runs on its own thread with a large stack and a time
/// limit; a panic inside it becomes an error.
pub fn pdf_text(bytes: &[u8]) -> Result<String, CheckError> {
    if pdf_nesting(bytes) > MAX_PDF_NESTING {
        return Err(CheckError::Pdf("对象嵌套过深，疑似损坏".into()));
    }
    let data = bytes.to_vec();
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("pdf-extract".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(move || {
            let r = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&data));
            let msg = match r {
                Ok(Ok(s)) => Ok(s),
                Ok(Err(e)) => Err(format!("{e:?}")),
                Err(_) => Err("PDF 解析器内部错误".to_string()),
            };
            let _ = tx.send(msg);
        })
        .map_err(|e| CheckError::Pdf(e.to_string()))?;
    match rx.recv_timeout(pdf_timeout()) {
        Ok(Ok(s)) => {
            let _ = handle.join();
            if s.trim().is_empty() {
                Err(CheckError::Pdf("没有文字层（可能是扫描件）".into()))
            } else {
                Ok(s)
            }
        }
        Ok(Err(e)) => Err(CheckError::Pdf(e)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(CheckError::Pdf("提取文字超时".into())),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(CheckError::Pdf("PDF 解析器内部错误".into())),
    }
}

#[cfg(test)]
mod tests {
    /// The byte-level `push_inline` agrees with collapsing `char::is_whitespace` (except
    /// U+3000) character by character.
    #[test]
    fn push_inline_matches_reference() {
        fn reference(out: &mut String, t: &str) {
            let mut last_space = out.ends_with(' ') || out.ends_with('\n') || out.is_empty();
            for ch in t.chars() {
                if ch.is_whitespace() && ch != '\u{3000}' {
                    if !last_space {
                        out.push(' ');
                        last_space = true;
                    }
                } else {
                    out.push(ch);
                    last_space = false;
                }
            }
        }
        let mut all = String::new();
        for u in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(u) {
                all.push(c);
                all.push('x');
                if u % 7 == 0 {
                    all.push_str(" \t");
                }
            }
        }
        for prefix in ["", "a", "a ", "a\n"] {
            let (mut got, mut want) = (prefix.to_string(), prefix.to_string());
            super::push_inline(&mut got, &all);
            reference(&mut want, &all);
            assert!(got == want, "prefix {prefix:?}");
            let (mut got, mut want) = (prefix.to_string(), prefix.to_string());
            super::push_inline(&mut got, "  \u{3000}甲 \u{00A0}\u{2028}乙\u{1680}");
            reference(&mut want, "  \u{3000}甲 \u{00A0}\u{2028}乙\u{1680}");
            assert_eq!(got, want);
        }
    }

    use super::*;

    #[test]
    fn html_table_grid() {
        let html = "<html><body><p>标题</p><table><tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td></tr><tr><td>2.其他</td><td>1</td></tr></table></body></html>";
        let t = html_text(html);
        assert!(t.contains("（三）不予公开\t1.属于国家秘密\t0"), "{t}");
        assert!(t.contains("（三）不予公开\t2.其他\t1"), "{t}");
    }

    #[test]
    fn gbk_detected() {
        let (bytes, _, _) = encoding_rs::GBK.encode("一、总体情况\n二、主动公开政府信息情况\n本机关2023年主动公开政府信息");
        let (s, err) = decode_text(&bytes);
        assert!(!err);
        assert!(s.contains("总体情况"), "{s}");
    }
}
