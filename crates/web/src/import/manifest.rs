//! The manifest: one row per item in a CSV (UTF-8 or GB18030) or XLSX file, with Chinese
//! column headings (common synonyms accepted), plus a folder holding body and attachment
//! files named in the rows. Whole-file faults (not a table, unknown or missing columns) are
//! errors; faults of one row are problems naming the row and the column.

use std::path::{Component, Path};

use super::text::{decode, parse_date, parse_validity};
use super::{Draft, ImportError, MAX_ATTACHMENT_BYTES};
use gongkai_store::import::ImportedAttachment;

/// The manifest's fields and the headings accepted for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    IndexNo,
    DocNumber,
    Publisher,
    Formed,
    Published,
    Column,
    Topic,
    Validity,
    Body,
    Attachments,
}

const HEADINGS: &[(Field, &[&str])] = &[
    (Field::Title, &["标题", "名称", "信息名称", "题名", "title"]),
    (Field::IndexNo, &["索引号", "index_no"]),
    (Field::DocNumber, &["文号", "发文字号", "发文文号", "doc_number"]),
    (Field::Publisher, &["发布机构", "发文机关", "发文机构", "发布单位", "publisher"]),
    (Field::Formed, &["成文日期", "印发日期", "formed_date"]),
    (Field::Published, &["发布日期", "公开日期", "发布时间", "publish_date"]),
    (Field::Column, &["栏目", "所属栏目", "目录", "信息类别", "column"]),
    (Field::Topic, &["主题分类", "主题", "topic"]),
    (Field::Validity, &["有效性", "效力状态", "validity"]),
    (Field::Body, &["正文", "正文文件", "内容", "body"]),
    (Field::Attachments, &["附件", "附件文件", "attachments"]),
];

fn field_of(heading: &str) -> Option<Field> {
    let h = super::text::label_key(heading).to_lowercase();
    HEADINGS.iter().find(|(_, names)| names.iter().any(|n| *n == h)).map(|(f, _)| *f)
}

fn heading_name(f: Field) -> &'static str {
    HEADINGS.iter().find(|(g, _)| *g == f).map_or("", |(_, n)| n[0])
}

/// Rows of a CSV (UTF-8 or GB18030) or of the first sheet of an XLSX file.
pub fn table_rows(name: &str, data: &[u8]) -> Result<Vec<Vec<String>>, ImportError> {
    if data.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".xlsx") {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(data.to_vec()))
            .map_err(|e| ImportError::Input(format!("清单“{name}”无法作为 Excel 文件读取：{e}")))?;
        let sheet = book
            .worksheet_range_at(0)
            .ok_or_else(|| ImportError::Input(format!("清单“{name}”中没有工作表")))?
            .map_err(|e| ImportError::Input(format!("清单“{name}”的工作表无法读取：{e}")))?;
        return Ok(sheet
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                        Data::DateTime(d) => excel_date(d.as_f64()).map_or_else(|| d.to_string(), |x| x.to_string()),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect());
    }
    let text = decode(data, None)
        .ok_or_else(|| ImportError::Input(format!("清单“{name}”既不是 UTF-8 也不是 GB18030 编码的 CSV，也不是 Excel（.xlsx）文件")))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ImportError::Input(format!("清单“{name}”第 {} 行不是有效的 CSV：{e}", i + 1)))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// A date cell's serial number (days since 1899-12-30) as a date.
fn excel_date(serial: f64) -> Option<chrono::NaiveDate> {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
}

/// A path named in a row, inside the files folder (no absolute paths, no `..`).
fn inside(files: &Path, named: &str) -> Option<std::path::PathBuf> {
    let rel = Path::new(named.trim());
    if rel.as_os_str().is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(files.join(rel))
}

/// Read and check one attachment file (type by content, no active content).
pub fn read_attachment(path: &Path, shown: &str) -> Result<ImportedAttachment, String> {
    let bytes = std::fs::read(path).map_err(|_| format!("附件文件“{shown}”不存在或无法读取"))?;
    let filename = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| shown.to_string());
    let content_type = crate::upload::check_file(&filename, &bytes, MAX_ATTACHMENT_BYTES).map_err(|e| format!("附件文件“{shown}”：{e}"))?;
    Ok(ImportedAttachment { filename, content_type: content_type.to_string(), bytes })
}

/// The body of a row: a file in the folder (.html/.htm/.txt/.docx) or the text itself.
fn read_body(files: Option<&Path>, value: &str) -> Result<String, String> {
    let v = value.trim();
    let lower = v.to_lowercase();
    let is_file = [".html", ".htm", ".txt", ".docx"].iter().any(|e| lower.ends_with(e)) && !v.contains('\n');
    if !is_file {
        return Ok(crate::body::clean_body(v));
    }
    let files = files.ok_or_else(|| format!("正文文件“{v}”：未指定文件目录（--files）"))?;
    let path = inside(files, v).ok_or_else(|| format!("正文文件“{v}”的路径不允许"))?;
    let bytes = std::fs::read(&path).map_err(|_| format!("正文文件“{v}”不存在或无法读取"))?;
    if lower.ends_with(".docx") {
        return crate::body::docx::docx_to_html(v, &bytes).map_err(|e| format!("正文文件“{v}”：{e}"));
    }
    let text = decode(&bytes, None).ok_or_else(|| format!("正文文件“{v}”既不是 UTF-8 也不是 GBK 编码"))?;
    Ok(crate::body::clean_body(&text))
}

/// Read a manifest into drafts and row problems.
pub fn read(name: &str, data: &[u8], files: Option<&Path>) -> Result<(Vec<super::Draft>, Vec<String>), ImportError> {
    let rows = table_rows(name, data)?;
    let Some((header, body)) = rows.split_first() else {
        return Err(ImportError::Input(format!("清单“{name}”是空的")));
    };
    let mut columns: Vec<Option<Field>> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            columns.push(None);
            continue;
        }
        let f = field_of(h).ok_or_else(|| {
            ImportError::Input(format!(
                "清单“{name}”第 1 行第 {} 列“{}”不是可识别的列名；可用的列名：{}",
                i + 1,
                h.trim(),
                HEADINGS.iter().map(|(_, n)| n[0]).collect::<Vec<_>>().join("、")
            ))
        })?;
        if columns.contains(&Some(f)) {
            return Err(ImportError::Input(format!("清单“{name}”第 1 行第 {} 列“{}”与前面的列重复", i + 1, h.trim())));
        }
        columns.push(Some(f));
    }
    for required in [Field::Title, Field::Published, Field::Column] {
        if !columns.contains(&Some(required)) {
            return Err(ImportError::Input(format!("清单“{name}”缺少必需的列“{}”", heading_name(required))));
        }
    }
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    for (r, row) in body.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = r + 2;
        let source = format!("清单第 {line} 行");
        let mut d = Draft { source: source.clone(), ..Draft::default() };
        let mut bad: Vec<String> = Vec::new();
        for (c, value) in row.iter().enumerate() {
            let Some(Some(f)) = columns.get(c) else { continue };
            let v = value.trim();
            let at = format!("“{}”列", header[c].trim());
            match f {
                Field::Title => d.title = v.to_string(),
                Field::IndexNo => d.index_no = (!v.is_empty()).then(|| v.to_string()),
                Field::DocNumber => d.doc_number = (!v.is_empty()).then(|| v.to_string()),
                Field::Publisher => d.publisher = v.to_string(),
                Field::Formed | Field::Published => {
                    if v.is_empty() {
                        continue;
                    }
                    match parse_date(v) {
                        Some(date) if *f == Field::Formed => d.formed_date = Some(date),
                        Some(date) => d.publish_date = Some(date),
                        None => bad.push(format!("{at}的日期“{v}”无法识别（应为 2021-03-05、2021年3月5日 或 2021/3/5）")),
                    }
                }
                Field::Column => d.column = v.to_string(),
                Field::Topic => d.topic = v.to_string(),
                Field::Validity => match parse_validity(v) {
                    Some(x) => d.validity = Some(x),
                    None => bad.push(format!("{at}的有效性“{v}”无法识别（有效、已修改、已废止、已失效）")),
                },
                Field::Body => match read_body(files, v) {
                    Ok(html) => d.body_html = html,
                    Err(m) => bad.push(format!("{at}：{m}")),
                },
                Field::Attachments => {
                    for named in v.split([';', '；', '|', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
                        let Some(dir) = files else {
                            bad.push(format!("{at}：附件“{named}”需要文件目录（--files）"));
                            continue;
                        };
                        match inside(dir, named) {
                            None => bad.push(format!("{at}：附件路径“{named}”不允许")),
                            Some(p) => match read_attachment(&p, named) {
                                Ok(a) => d.attachments.push(a),
                                Err(m) => bad.push(format!("{at}：{m}")),
                            },
                        }
                    }
                }
            }
        }
        if d.title.is_empty() {
            bad.push("“标题”列为空".into());
        }
        if d.publish_date.is_none() && !bad.iter().any(|b| b.contains("日期")) {
            bad.push("“发布日期”列为空".into());
        }
        if bad.is_empty() {
            drafts.push(d);
        } else {
            problems.push(format!("{source}：{}", bad.join("；")));
        }
    }
    Ok((drafts, problems))
}
