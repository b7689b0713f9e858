//! The submission package (报送包) sent to the upper-level portal: one JSON
//! document with the items, their attachments in base64 and SHA-256
//! checksums. See `docs/submission-package.md` for the format.
//!
//! Reading a package checks everything before anything is stored: the format
//! name and version, the checksum of the `items` array, every attachment's
//! size and checksum, dates, and duplicate 索引号. Every problem is reported in
//! Chinese.

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use gongkai_domain::model::{Attachment, CatalogNode, Item, Organisation};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// The `format` member of every package.
pub const FORMAT: &str = "gongkai-submission";
/// The version this code writes and reads.
pub const VERSION: u32 = 1;
/// Most items in one package.
pub const MAX_ITEMS: usize = 1000;

/// Who sent the package.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = PackageSource)]
pub struct Source {
    /// 机关名称
    pub name: String,
    /// 统一社会信用代码 or 组织机构代码
    pub org_code: String,
    /// The organisation's slug on the sending installation.
    pub slug: String,
    /// The sending portal's address, e.g. `https://town.example.cn` (may be empty).
    pub site: String,
}

/// One attachment, content in standard base64.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PackageAttachment {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the decoded content, lower-case hex.
    pub sha256: String,
    pub content_base64: String,
}

/// One published item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PackageItem {
    pub index_no: String,
    pub title: String,
    pub doc_number: Option<String>,
    pub publisher: String,
    /// `YYYY-MM-DD`
    pub formed_date: String,
    /// `YYYY-MM-DD`
    pub publish_date: String,
    pub catalog: String,
    pub topic: String,
    pub genre: String,
    pub keywords: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body_html: String,
    pub statutory_category: Option<String>,
    /// `regulation`, `normative_document` or `other`.
    pub doc_type: String,
    /// `valid`, `amended`, `repealed` or `expired`.
    pub validity: String,
    /// Address of the item on the sending portal (absolute if `source.site` is known).
    pub url: String,
    pub attachments: Vec<PackageAttachment>,
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'static str,
    version: u32,
    package_id: &'a str,
    created_at: String,
    source: &'a Source,
    item_count: usize,
    items_sha256: String,
    items: &'a RawValue,
}

#[derive(Deserialize)]
struct EnvelopeIn<'a> {
    format: String,
    version: u32,
    package_id: String,
    created_at: String,
    source: Source,
    item_count: usize,
    items_sha256: String,
    #[serde(borrow)]
    items: &'a RawValue,
}

/// A package read and fully checked.
#[derive(Debug, Clone)]
pub struct Package {
    pub package_id: String,
    pub created_at: DateTime<Utc>,
    pub source: Source,
    pub items: Vec<PackageItem>,
    /// SHA-256 of the whole package file.
    pub sha256: String,
}

/// A package written: the bytes and their SHA-256.
#[derive(Debug, Clone)]
pub struct Written {
    pub package_id: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Why a package was refused.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("报送包不是有效的 JSON：{0}")]
    Json(String),
    #[error("不是报送包（format 应为 “{FORMAT}”，实际为 “{0}”）")]
    Format(String),
    #[error("不支持的报送包版本 {0}（本系统支持版本 {VERSION}）")]
    Version(u32),
    #[error("报送包有误：{0}")]
    Invalid(String),
    #[error("报送包内容校验值不符：items 的 SHA-256 应为 {expected}，实际为 {actual}（文件可能在传输中损坏或被修改）")]
    Checksum { expected: String, actual: String },
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A fresh package id: `<org_code>-<UTC timestamp>-<random>`.
pub fn new_package_id(org_code: &str, now: DateTime<Utc>) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    let code = if org_code.trim().is_empty() { "ORG" } else { org_code.trim() };
    format!("{code}-{}-{tail}", now.format("%Y%m%d%H%M%S"))
}

/// An item as it goes into a package.
pub fn package_item(item: &Item, catalog: Option<&CatalogNode>, site: &str, attachments: &[(Attachment, Vec<u8>)]) -> PackageItem {
    let f = &item.fields;
    PackageItem {
        index_no: item.index_no.clone().unwrap_or_default(),
        title: f.title.clone(),
        doc_number: f.doc_number.clone(),
        publisher: f.publisher.clone(),
        formed_date: f.formed_date.to_string(),
        publish_date: item.publish_date.map(|d| d.to_string()).unwrap_or_default(),
        catalog: catalog.map(|c| c.name.clone()).unwrap_or_default(),
        topic: f.topic.clone(),
        genre: f.genre.clone(),
        keywords: f.keywords.clone(),
        summary: f.summary.clone(),
        body_html: f.body_html.clone(),
        statutory_category: f.statutory_category.clone(),
        doc_type: f.doc_type.as_str().into(),
        validity: item.validity.as_str().into(),
        url: format!("{}/item/{}", site.trim_end_matches('/'), item.id),
        attachments: attachments
            .iter()
            .map(|(a, bytes)| PackageAttachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
                content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            })
            .collect(),
    }
}

pub fn source_of(org: &Organisation, site: &str) -> Source {
    Source { name: org.name.clone(), org_code: org.org_code.clone(), slug: org.slug.clone(), site: site.trim_end_matches('/').to_string() }
}

/// Write a package.
pub fn write(package_id: &str, source: &Source, items: &[PackageItem], now: DateTime<Utc>) -> Result<Written, PackageError> {
    let items_json = serde_json::to_string(items).map_err(|e| PackageError::Json(e.to_string()))?;
    let items_sha256 = sha256_hex(items_json.as_bytes());
    let raw = RawValue::from_string(items_json).map_err(|e| PackageError::Json(e.to_string()))?;
    let env = EnvelopeOut {
        format: FORMAT,
        version: VERSION,
        package_id,
        created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        source,
        item_count: items.len(),
        items_sha256,
        items: &raw,
    };
    let bytes = serde_json::to_vec(&env).map_err(|e| PackageError::Json(e.to_string()))?;
    let sha256 = sha256_hex(&bytes);
    Ok(Written { package_id: package_id.to_string(), bytes, sha256 })
}

fn bad(msg: impl Into<String>) -> PackageError {
    PackageError::Invalid(msg.into())
}

fn check_date(s: &str, what: &str, n: usize) -> Result<NaiveDate, PackageError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad(format!("第 {n} 条信息的{what}“{s}”格式有误，应为 YYYY-MM-DD")))
}

/// Read and check a package; nothing is trusted until this returns Ok.
pub fn read(bytes: &[u8]) -> Result<Package, PackageError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("文件为空"));
    }
    let env: EnvelopeIn = serde_json::from_slice(bytes).map_err(|e| {
        PackageError::Json(format!("第 {} 行第 {} 列附近：{}", e.line(), e.column(), match e.classify() {
            serde_json::error::Category::Data => "缺少必需的字段或字段类型不对",
            serde_json::error::Category::Eof => "文件不完整",
            _ => "语法错误",
        }))
    })?;
    if env.format != FORMAT {
        return Err(PackageError::Format(env.format));
    }
    if env.version != VERSION {
        return Err(PackageError::Version(env.version));
    }
    // NUL and other control characters would be stored (or break PostgreSQL): refused.
    if crate::security::json_has_control(&String::from_utf8_lossy(bytes)) {
        return Err(bad("含有不可见的控制字符（如空字符）"));
    }
    let pid = env.package_id.trim();
    if pid.is_empty() || pid.len() > 100 || !pid.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(bad(format!("报送包编号“{}”无效：只能由字母、数字和 - _ . 组成，不超过 100 个字符", env.package_id.chars().take(100).collect::<String>())));
    }
    let created_at = DateTime::parse_from_rfc3339(&env.created_at)
        .map_err(|_| bad(format!("生成时间“{}”格式有误", env.created_at)))?
        .with_timezone(&Utc);
    if env.source.name.trim().is_empty() {
        return Err(bad("缺少报送机关名称（source.name）"));
    }
    if env.source.org_code.trim().is_empty() {
        return Err(bad("缺少报送机关的机构代码（source.org_code）"));
    }
    let actual = sha256_hex(env.items.get().as_bytes());
    if !actual.eq_ignore_ascii_case(env.items_sha256.trim()) {
        return Err(PackageError::Checksum { expected: env.items_sha256, actual });
    }
    let items: Vec<PackageItem> = serde_json::from_str(env.items.get()).map_err(|e| bad(format!("信息列表（items）格式有误：第 {} 列附近缺少字段或类型不对", e.column())))?;
    if items.len() != env.item_count {
        return Err(bad(format!("信息条数不符：item_count 为 {}，实际有 {} 条", env.item_count, items.len())));
    }
    if items.is_empty() {
        return Err(bad("报送包中没有信息"));
    }
    if items.len() > MAX_ITEMS {
        return Err(bad(format!("一个报送包最多 {MAX_ITEMS} 条信息")));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        if item.index_no.trim().is_empty() {
            return Err(bad(format!("第 {n} 条信息缺少索引号")));
        }
        if !seen.insert(item.index_no.as_str()) {
            return Err(bad(format!("索引号“{}”在报送包中出现了不止一次", item.index_no)));
        }
        if item.title.trim().is_empty() {
            return Err(bad(format!("第 {n} 条信息（{}）缺少名称", item.index_no)));
        }
        check_date(&item.formed_date, "成文日期", n)?;
        check_date(&item.publish_date, "发布日期", n)?;
        for a in &item.attachments {
            let content = base64::engine::general_purpose::STANDARD
                .decode(a.content_base64.as_bytes())
                .map_err(|_| bad(format!("第 {n} 条信息的附件“{}”内容不是有效的 base64", a.filename)))?;
            if content.len() as u64 != a.size {
                return Err(bad(format!("第 {n} 条信息的附件“{}”大小不符：声明 {} 字节，实际 {} 字节", a.filename, a.size, content.len())));
            }
            let sum = sha256_hex(&content);
            if !sum.eq_ignore_ascii_case(a.sha256.trim()) {
                return Err(bad(format!("第 {n} 条信息的附件“{}”校验值不符（SHA-256 应为 {}，实际为 {sum}）", a.filename, a.sha256)));
            }
            if a.filename.trim().is_empty() || a.filename.contains(['/', '\\']) {
                return Err(bad(format!("第 {n} 条信息有附件文件名无效")));
            }
        }
    }
    Ok(Package { package_id: pid.to_string(), created_at, source: env.source, items, sha256: sha256_hex(bytes) })
}

/// The decoded content of an attachment already checked by [`read`].
pub fn decode(a: &PackageAttachment) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(a.content_base64.as_bytes()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Source, Vec<PackageItem>) {
        let source = Source { name: "测试镇人民政府".into(), org_code: "11441802007183516B".into(), slug: "town".into(), site: "http://town.example".into() };
        let content = "附件内容".as_bytes();
        let item = PackageItem {
            index_no: "11441802007183516B/2024-00001".into(),
            title: "关于某事项的通知".into(),
            doc_number: None,
            publisher: "测试镇人民政府".into(),
            formed_date: "2024-09-27".into(),
            publish_date: "2024-09-30".into(),
            catalog: "通知公告".into(),
            topic: String::new(),
            genre: String::new(),
            keywords: String::new(),
            summary: String::new(),
            body_html: "<p>正文</p>".into(),
            statutory_category: None,
            doc_type: "other".into(),
            validity: "valid".into(),
            url: "http://town.example/item/1".into(),
            attachments: vec![PackageAttachment {
                filename: "a.txt".into(),
                content_type: "text/plain".into(),
                size: content.len() as u64,
                sha256: sha256_hex(content),
                content_base64: base64::engine::general_purpose::STANDARD.encode(content),
            }],
        };
        (source, vec![item])
    }

    #[test]
    fn round_trip() {
        let (source, items) = sample();
        let w = write("PKG-1", &source, &items, Utc::now()).expect("write");
        let p = read(&w.bytes).expect("read");
        assert_eq!(p.items, items);
        assert_eq!(p.source, source);
        assert_eq!(p.sha256, w.sha256);
        assert_eq!(decode(&p.items[0].attachments[0]), "附件内容".as_bytes());
    }

    #[test]
    fn tampering_is_caught() {
        let (source, items) = sample();
        let w = write("PKG-1", &source, &items, Utc::now()).expect("write");
        let text = String::from_utf8(w.bytes).expect("utf8");
        let changed = text.replace("关于某事项的通知", "关于另一事项的通知");
        assert!(matches!(read(changed.as_bytes()), Err(PackageError::Checksum { .. })));
        assert!(matches!(read(b"{not json"), Err(PackageError::Json(_))));
        assert!(crate::security::json_has_control("{\"a\":\"x\\u0000y\"}"));
        assert!(matches!(read(text.replace(FORMAT, "other").as_bytes()), Err(PackageError::Format(_))));
        assert!(read(b"  ").is_err());
        // A wrong attachment checksum inside consistent items.
        let mut bad_items = items.clone();
        bad_items[0].attachments[0].sha256 = "00".repeat(32);
        let w = write("PKG-2", &source, &bad_items, Utc::now()).expect("write");
        let e = read(&w.bytes).expect_err("bad attachment");
        assert!(e.to_string().contains("校验值不符"), "{e}");
        let mut dup = items.clone();
        dup.push(items[0].clone());
        let w = write("PKG-3", &source, &dup, Utc::now()).expect("write");
        assert!(read(&w.bytes).expect_err("dup").to_string().contains("不止一次"));
    }
}
