//! DOCX (Word 2007+ and WPS-saved .docx) → 正文 HTML: paragraphs, headings (by style name or
//! outline level, whatever the style ids — WPS numbers them) and tables (merged cells and
//! heading rows kept) survive; fonts, sizes, colours, spacing and every other styling are
//! dropped. Text boxes' fallback copies, deleted revisions and field codes are skipped.
//!
//! The file is untrusted: the ZIP's entry count and every part's unpacked size are capped
//! while reading (the sizes in the ZIP headers are not trusted), so a ZIP bomb is refused
//! without being unpacked.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::escape;

/// Most entries a DOCX may have.
const MAX_ENTRIES: usize = 5_000;
/// Most bytes `word/document.xml` may unpack to.
const MAX_DOCUMENT: u64 = 32 * 1024 * 1024;
/// Most bytes `word/styles.xml` may unpack to.
const MAX_STYLES: u64 = 8 * 1024 * 1024;
/// Deepest nesting of tables inside table cells.
const MAX_TABLE_DEPTH: usize = 16;
/// A part that unpacks to more than this many times its packed size is a ZIP bomb
/// (ordinary Word XML compresses 5–30×).
const MAX_RATIO: u64 = 200;

/// Why a file could not be imported; the messages are for the form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("没有选择要导入的 Word 文档")]
    Empty,
    #[error("“{0}”是 Word 97-2003 格式（.doc），请在 WPS 或 Word 中“另存为”.docx 后再导入")]
    LegacyDoc(String),
    #[error("“{0}”不是 Word 文档（DOCX），无法导入正文")]
    NotDocx(String),
    #[error("“{0}”解压后过大或压缩比异常（可能是压缩炸弹），已拒绝导入")]
    Bomb(String),
    #[error("“{name}”已损坏，无法读取：{detail}")]
    Corrupt { name: String, detail: String },
    #[error("“{0}”中没有可导入的正文")]
    NoText(String),
}

/// Convert a DOCX to clean 正文 HTML. `name` is the file name, for messages.
pub fn docx_to_html(name: &str, bytes: &[u8]) -> Result<String, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(ImportError::LegacyDoc(name.into()));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportError::NotDocx(name.into()));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportError::NotDocx(name.into()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(ImportError::Bomb(name.into()));
    }
    let document = read_part(&mut zip, name, "word/document.xml", MAX_DOCUMENT)?.ok_or_else(|| ImportError::NotDocx(name.into()))?;
    let styles = read_part(&mut zip, name, "word/styles.xml", MAX_STYLES)?.unwrap_or_default();
    let headings = heading_styles(&styles);
    let blocks = parse_document(&document, &headings).map_err(|detail| ImportError::Corrupt { name: name.into(), detail })?;
    let html = render(&blocks);
    let clean = super::clean_html(&html);
    if clean.is_empty() {
        return Err(ImportError::NoText(name.into()));
    }
    Ok(clean)
}

/// One part's bytes, None when absent; refuses parts that unpack beyond `max` or beyond
/// [`MAX_RATIO`] times their packed size.
fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str, part: &str, max: u64) -> Result<Option<Vec<u8>>, ImportError> {
    let file = match zip.by_name(part) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ImportError::Corrupt { name: name.into(), detail: e.to_string() }),
    };
    let packed = file.compressed_size().max(1);
    if file.size() > max || file.size() / packed > MAX_RATIO {
        return Err(ImportError::Bomb(name.into()));
    }
    // The header may lie: cap what is actually unpacked as well.
    let cap = max.min(packed.saturating_mul(MAX_RATIO));
    let mut out = Vec::new();
    file.take(cap + 1).read_to_end(&mut out).map_err(|e| ImportError::Corrupt { name: name.into(), detail: e.to_string() })?;
    if out.len() as u64 > cap {
        return Err(ImportError::Bomb(name.into()));
    }
    Ok(Some(out))
}

fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).and_then(|a| quick_xml::escape::unescape(&String::from_utf8_lossy(&a.value)).ok().map(|v| v.into_owned()))
}

/// The heading level (1–3) of each paragraph style id, from its name ("heading 2", "标题 2",
/// "Title") or outline level; styles based on a heading style inherit its level.
fn heading_styles(xml: &[u8]) -> HashMap<String, u8> {
    #[derive(Default)]
    struct Style {
        name: String,
        outline: Option<u8>,
        based_on: Option<String>,
    }
    let mut styles: HashMap<String, Style> = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut current: Option<(String, Style)> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"style" => {
                    if let Some((id, s)) = current.take() {
                        styles.insert(id, s);
                    }
                    current = attr(&e, b"styleId").map(|id| (id, Style::default()));
                }
                b"name" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.name = attr(&e, b"val").unwrap_or_default().to_lowercase();
                    }
                }
                b"basedOn" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.based_on = attr(&e, b"val");
                    }
                }
                b"outlineLvl" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.outline = attr(&e, b"val").and_then(|v| v.parse::<u8>().ok());
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"style" => {
                if let Some((id, s)) = current.take() {
                    styles.insert(id, s);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    let own = |s: &Style| -> Option<u8> {
        let n = s.name.trim();
        if n == "title" || n == "标题" {
            return Some(1);
        }
        for prefix in ["heading ", "标题 ", "heading", "标题"] {
            if let Some(d) = n.strip_prefix(prefix).and_then(|d| d.trim().parse::<u8>().ok()) {
                return Some(d.clamp(1, 9));
            }
        }
        s.outline.filter(|o| *o < 9).map(|o| o + 1)
    };
    let mut out = HashMap::new();
    for id in styles.keys() {
        let mut cur = styles.get(id);
        for _ in 0..10 {
            let Some(s) = cur else { break };
            if let Some(level) = own(s) {
                out.insert(id.clone(), level);
                break;
            }
            cur = s.based_on.as_ref().and_then(|b| styles.get(b));
        }
    }
    out
}

#[derive(Debug)]
enum Block {
    Para { level: u8, html: String },
    Table(Vec<Row>),
}

#[derive(Debug, Default)]
struct Row {
    header: bool,
    cells: Vec<Cell>,
}

#[derive(Debug, Default)]
struct Cell {
    span: usize,
    /// None: not merged; Some(true): starts a vertical merge; Some(false): continues one.
    vmerge: Option<bool>,
    blocks: Vec<Block>,
    rowspan: usize,
}

#[derive(Default)]
struct Para {
    style: Option<String>,
    outline: Option<u8>,
    html: String,
}

fn parse_document(xml: &[u8], headings: &HashMap<String, u8>) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    // Block containers: the body, then one per open table cell.
    let mut dest: Vec<Vec<Block>> = vec![Vec::new()];
    let mut tables: Vec<Vec<Row>> = Vec::new();
    let mut cells: Vec<Cell> = Vec::new();
    let mut paras: Vec<Para> = Vec::new();
    let mut in_text = false;
    // Depth inside parts whose content is skipped (fallback copies, deleted text).
    let mut skip = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| format!("XML 错误：{e}"))?;
        match event {
            Event::Start(e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if skip > 0 {
                    skip += 1;
                } else {
                    match name {
                        b"Fallback" | b"del" | b"instrText" | b"delText" => skip = 1,
                        b"p" => paras.push(Para::default()),
                        b"t" => in_text = true,
                        b"tbl" => {
                            if tables.len() >= MAX_TABLE_DEPTH {
                                return Err(format!("表格嵌套超过 {MAX_TABLE_DEPTH} 层"));
                            }
                            tables.push(Vec::new());
                        }
                        b"tr" => {
                            if let Some(t) = tables.last_mut() {
                                t.push(Row::default());
                            }
                        }
                        b"tc" => {
                            cells.push(Cell { span: 1, rowspan: 1, ..Default::default() });
                            dest.push(Vec::new());
                        }
                        b"vMerge" => set_vmerge(&mut cells, &e),
                        _ => {}
                    }
                }
            }
            Event::Empty(e) => {
                if skip > 0 {
                    buf.clear();
                    continue;
                }
                match e.local_name().as_ref() {
                    b"pStyle" => {
                        if let Some(p) = paras.last_mut() {
                            p.style = attr(&e, b"val");
                        }
                    }
                    b"outlineLvl" => {
                        if let Some(p) = paras.last_mut() {
                            p.outline = attr(&e, b"val").and_then(|v| v.parse::<u8>().ok());
                        }
                    }
                    b"br" | b"cr" => {
                        // Page and column breaks are layout, not content.
                        if attr(&e, b"type").is_none_or(|t| t == "textWrapping") {
                            if let Some(p) = paras.last_mut() {
                                p.html.push_str("<br>");
                            }
                        }
                    }
                    b"tab" => {
                        if let Some(p) = paras.last_mut() {
                            if !p.html.is_empty() {
                                p.html.push(' ');
                            }
                        }
                    }
                    b"noBreakHyphen" => {
                        if let Some(p) = paras.last_mut() {
                            p.html.push('-');
                        }
                    }
                    b"gridSpan" => {
                        if let Some(c) = cells.last_mut() {
                            c.span = attr(&e, b"val").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).clamp(1, 64);
                        }
                    }
                    b"vMerge" => set_vmerge(&mut cells, &e),
                    b"tblHeader" => {
                        let on = attr(&e, b"val").is_none_or(|v| v != "0" && v != "false");
                        if let Some(r) = tables.last_mut().and_then(|t| t.last_mut()) {
                            r.header = on;
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if in_text && skip == 0 {
                    let text = t.unescape().map_err(|e| format!("XML 错误：{e}"))?;
                    if let Some(p) = paras.last_mut() {
                        p.html.push_str(&escape(&text));
                    }
                }
            }
            Event::CData(t) => {
                if in_text && skip == 0 {
                    if let Some(p) = paras.last_mut() {
                        p.html.push_str(&escape(&String::from_utf8_lossy(&t)));
                    }
                }
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                    buf.clear();
                    continue;
                }
                match e.local_name().as_ref() {
                    b"t" => in_text = false,
                    b"p" => {
                        if let Some(p) = paras.pop() {
                            let level = p.style.as_ref().and_then(|s| headings.get(s).copied()).or(p.outline.filter(|o| *o < 9).map(|o| o + 1)).unwrap_or(0);
                            let html = p.html.trim().to_string();
                            if let Some(d) = dest.last_mut() {
                                d.push(Block::Para { level, html });
                            }
                        }
                    }
                    b"tc" => {
                        let blocks = if dest.len() > 1 { dest.pop().unwrap_or_default() } else { Vec::new() };
                        if let Some(mut c) = cells.pop() {
                            c.blocks = blocks;
                            if let Some(r) = tables.last_mut().and_then(|t| t.last_mut()) {
                                r.cells.push(c);
                            }
                        }
                    }
                    b"tbl" => {
                        if let Some(mut rows) = tables.pop() {
                            merge_rows(&mut rows);
                            if let Some(d) = dest.last_mut() {
                                d.push(Block::Table(rows));
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(dest.into_iter().next().unwrap_or_default())
}

fn set_vmerge(cells: &mut [Cell], e: &BytesStart) {
    if let Some(c) = cells.last_mut() {
        c.vmerge = Some(attr(e, b"val").is_some_and(|v| v == "restart"));
    }
}

/// Turn vertical merges into row spans: a continuing cell adds one to the span of the cell
/// above it that starts the merge (by grid column) and is dropped.
fn merge_rows(rows: &mut [Row]) {
    // (row, cell index) of the merge owner at each grid column.
    let mut owner: HashMap<usize, (usize, usize)> = HashMap::new();
    for r in 0..rows.len() {
        let mut col = 0;
        let mut keep = Vec::new();
        for (i, cell) in rows[r].cells.iter().enumerate() {
            match cell.vmerge {
                Some(false) => {
                    if let Some(&(or, oi)) = owner.get(&col) {
                        keep.push((i, false, Some((or, oi))));
                    } else {
                        keep.push((i, true, None));
                    }
                }
                Some(true) => {
                    owner.insert(col, (r, i));
                    keep.push((i, true, None));
                }
                None => {
                    owner.remove(&col);
                    keep.push((i, true, None));
                }
            }
            col += cell.span;
        }
        for (_, _, grow) in &keep {
            if let Some((or, oi)) = grow {
                rows[*or].cells[*oi].rowspan += 1;
            }
        }
        let dropped: Vec<usize> = keep.iter().filter(|(_, k, _)| !k).map(|(i, _, _)| *i).collect();
        for i in dropped.into_iter().rev() {
            rows[r].cells.remove(i);
        }
    }
}

fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Para { html, .. } if html.is_empty() => {}
            Block::Para { level: 0, html } => out.push_str(&format!("<p>{html}</p>\n")),
            Block::Para { level, html } => {
                let h = (level + 1).min(4);
                out.push_str(&format!("<h{h}>{html}</h{h}>\n"));
            }
            Block::Table(rows) => {
                out.push_str("<table>");
                let head: Vec<&Row> = rows.iter().take_while(|r| r.header).collect();
                if !head.is_empty() {
                    out.push_str("<thead>");
                    for r in &head {
                        render_row(&mut out, r, "th");
                    }
                    out.push_str("</thead>");
                }
                out.push_str("<tbody>");
                for r in &rows[head.len()..] {
                    render_row(&mut out, r, "td");
                }
                out.push_str("</tbody></table>\n");
            }
        }
    }
    out
}

fn render_row(out: &mut String, row: &Row, tag: &str) {
    out.push_str("<tr>");
    for c in &row.cells {
        out.push('<');
        out.push_str(tag);
        if c.span > 1 {
            out.push_str(&format!(" colspan=\"{}\"", c.span));
        }
        if c.rowspan > 1 {
            out.push_str(&format!(" rowspan=\"{}\"", c.rowspan));
        }
        out.push('>');
        let paras: Vec<&Block> = c.blocks.iter().filter(|b| !matches!(b, Block::Para { html, .. } if html.is_empty())).collect();
        match paras.as_slice() {
            [Block::Para { html, .. }] => out.push_str(html),
            _ => out.push_str(&render(&c.blocks)),
        }
        out.push_str(&format!("</{tag}>"));
    }
    out.push_str("</tr>");
}

/// Build a small DOCX (for tests): `document` is the body XML inside `<w:body>`, `styles`
/// the styles inside `<w:styles>`.
#[doc(hidden)]
pub fn build_test_docx(document_body: &str, styles: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;
        let parts = [
            ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#.to_string()),
            ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string()),
            ("word/document.xml", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body>{document_body}<w:sectPr/></w:body></w:document>"#)),
            ("word/styles.xml", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {ns}>{styles}</w:styles>"#)),
        ];
        for (name, content) in parts {
            if z.start_file(name, opts).is_ok() {
                let _ = z.write_all(content.as_bytes());
            }
        }
        let _ = z.finish();
    }
    out.into_inner()
}

/// A DOCX whose document.xml unpacks to `size` bytes of padding.
#[doc(hidden)]
pub fn build_test_zip_bomb(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("word/document.xml", opts).expect("zip in memory");
        z.write_all(b"<w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>").expect("zip in memory");
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..size / chunk.len() {
            z.write_all(&chunk).expect("zip in memory");
        }
        z.write_all(b"</w:t></w:r></w:p></w:body></w:document>").expect("zip in memory");
        z.finish().expect("zip in memory");
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WPS numbers its style ids ("2" = 标题 1) and writes fonts on every run.
    const WPS_STYLES: &str = r#"<w:style w:type="paragraph" w:default="1" w:styleId="1"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 1"/><w:basedOn w:val="1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="9"><w:name w:val="标题 2"/></w:style>"#;

    fn body() -> String {
        r#"<w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="方正小标宋简体" w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/></w:rPr><w:t>2024年农村危房改造补助名单</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="9"/></w:pPr><w:r><w:t>一、补助对象</w:t></w:r></w:p>
<w:p><w:pPr><w:ind w:firstLine="640"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:color w:val="FF0000"/></w:rPr><w:t xml:space="preserve">经村委会评议、镇政府审核，</w:t></w:r><w:r><w:t>现将名单公示如下&amp;说明。</w:t></w:r><w:del><w:r><w:delText>删除的文字</w:delText></w:r></w:del></w:p>
<w:p/>
<w:tbl><w:tblPr><w:tblStyle w:val="a3"/></w:tblPr>
<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>村（居）</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>姓名</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>源潭村</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>张某某</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>李某某</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>合计</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2户</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>框</w:t></mc:Choice><mc:Fallback><w:t>重复</w:t></mc:Fallback></mc:AlternateContent></w:r><w:r><w:br w:type="page"/><w:t>落款</w:t><w:br/><w:t>2024年3月1日</w:t></w:r></w:p>"#
            .to_string()
    }

    #[test]
    fn wps_docx_becomes_clean_html() {
        let docx = build_test_docx(&body(), WPS_STYLES);
        let html = docx_to_html("名单.docx", &docx).unwrap();
        assert!(html.starts_with("<h2>2024年农村危房改造补助名单</h2>"), "{html}");
        assert!(html.contains("<h3>一、补助对象</h3>"), "{html}");
        assert!(html.contains("<p>经村委会评议、镇政府审核，现将名单公示如下&amp;说明。</p>"), "{html}");
        assert!(html.contains("<thead><tr><th>序号</th><th>村（居）</th><th>姓名</th></tr></thead>"), "{html}");
        assert!(html.contains("<td rowspan=\"2\">源潭村</td>"), "{html}");
        assert!(html.contains("<tr><td>2</td><td>李某某</td></tr>"), "{html}");
        assert!(html.contains("<td colspan=\"2\">合计</td>"), "{html}");
        assert!(html.contains("<p>框落款<br>2024年3月1日</p>"), "{html}");
        for gone in ["删除的文字", "重复", "仿宋", "FF0000", "font", "style", "<p></p>"] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
    }

    #[test]
    fn bad_files_are_refused_with_reasons() {
        assert_eq!(docx_to_html("a.docx", b""), Err(ImportError::Empty));
        assert!(matches!(docx_to_html("a.docx", b"%PDF-1.7 not a docx"), Err(ImportError::NotDocx(_))));
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert!(matches!(docx_to_html("旧.doc", &ole), Err(ImportError::LegacyDoc(_))));
        // A ZIP that is not a Word document (e.g. an XLSX).
        let mut out = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut out);
            z.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut z, b"<workbook/>").unwrap();
            z.finish().unwrap();
        }
        assert!(matches!(docx_to_html("表.docx", out.get_ref()), Err(ImportError::NotDocx(_))));
        // Tables nested beyond any real document.
        let nested = format!("{}<w:p/>{}", "<w:tbl><w:tr><w:tc>".repeat(40), "</w:tc></w:tr></w:tbl>".repeat(40));
        let out = docx_to_html("套娃.docx", &build_test_docx(&nested, ""));
        assert!(matches!(&out, Err(ImportError::Corrupt { detail, .. }) if detail.contains("嵌套")), "{out:?}");
        // Truncated ZIP.
        let docx = build_test_docx(&body(), WPS_STYLES);
        assert!(docx_to_html("坏.docx", &docx[..docx.len() / 2]).is_err());
    }

    #[test]
    fn zip_bomb_is_refused_without_unpacking() {
        let bomb = build_test_zip_bomb(40 * 1024 * 1024);
        assert!(bomb.len() < 200 * 1024, "{}", bomb.len());
        assert!(matches!(docx_to_html("炸弹.docx", &bomb), Err(ImportError::Bomb(_))));
    }

    /// A DOCX written by a real word processor (LibreOffice, saving in Word 2007 format).
    #[test]
    fn libreoffice_docx_imports() {
        let Some(soffice) = ["/usr/bin/soffice", "/usr/bin/libreoffice"].into_iter().find(|p| std::path::Path::new(p).exists()) else {
            assert!(std::env::var("CI").map_or(true, |v| v != "true"), "soffice is required under CI");
            eprintln!("NOT RUN: LibreOffice (soffice) is not installed, so no word-processor DOCX could be made");
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let html = r#"<html><head><meta charset="utf-8"><style>p{font-family:仿宋;color:red}</style></head><body>
<h1>关于公布2024年补助对象的公示</h1><p style="text-indent:2em">经村委会评议、镇政府审核，现将补助对象公示如下。</p><h2>一、补助对象</h2>
<table border="1"><thead><tr><th>序号</th><th>村（居）</th><th>户主</th></tr></thead><tbody><tr><td>1</td><td rowspan="2">源潭村</td><td>张某某</td></tr>
<tr><td>2</td><td>李某某</td></tr><tr><td colspan="2">合计</td><td>2户</td></tr></tbody></table><p>源潭镇人民政府</p></body></html>"#;
        std::fs::write(dir.path().join("t.html"), html).expect("write");
        let status = std::process::Command::new(soffice)
            .args(["--headless", &format!("-env:UserInstallation=file://{}/profile", dir.path().display()), "--convert-to", "docx:MS Word 2007 XML", "--outdir"])
            .arg(dir.path())
            .arg(dir.path().join("t.html"))
            .output()
            .expect("run soffice");
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        let bytes = std::fs::read(dir.path().join("t.docx")).expect("docx written");
        let out = docx_to_html("t.docx", &bytes).expect("imports");
        assert!(out.contains(">关于公布2024年补助对象的公示</h"), "{out}");
        assert!(out.contains("<p>经村委会评议、镇政府审核，现将补助对象公示如下。</p>"), "{out}");
        assert!(out.contains("源潭村</td>") && out.contains("rowspan=\"2\"") && out.contains("colspan=\"2\""), "{out}");
        assert!(!out.contains("仿宋") && !out.contains("style") && !out.contains("class"), "{out}");
    }
}
