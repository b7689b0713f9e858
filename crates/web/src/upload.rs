//! Attachment uploads: size limit, and the type decided from the content
//! (magic bytes), never from the file name alone.

use axum::extract::Multipart;
use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
#[allow(dead_code)] // `Csrf` is raised by single-file forms read with `read_upload`.
pub enum UploadError {
    #[error("表单已过期，请刷新页面后重试")]
    Csrf,
    #[error("没有选择要上传的文件")]
    NoFile,
    #[error("文件为空")]
    Empty,
    #[error("附件“{name}”过大：{size_mb:.1} MB，最大允许 {max_mb} MB")]
    TooLarge { name: String, size_mb: f64, max_mb: usize },
    #[error("附件“{0}”的类型不允许上传：只接受 PDF、DOC/DOCX、XLS/XLSX、OFD、JPG、PNG 文件")]
    Forbidden(String),
    #[error("附件“{name}”的内容是 {detected}，与文件扩展名 .{ext} 不符")]
    Mismatch { name: String, detected: &'static str, ext: String },
    #[error("附件“{name}”{reason}，为安全起见不能上传：请另存为不含宏、控件和外部链接的普通文档或 PDF 后再上传")]
    Dangerous { name: String, reason: String },
    #[error("附件“{name}”{refusal}")]
    Scan { name: String, refusal: crate::malware_scan::ScanRefusal },
    #[error("文件名不能为空或超过 200 字")]
    BadName,
    #[error("上传数据不完整：{0}")]
    Malformed(String),
}

impl UploadError {
    pub fn status(&self) -> StatusCode {
        match self {
            UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            UploadError::Csrf => StatusCode::FORBIDDEN,
            UploadError::Forbidden(_) | UploadError::Mismatch { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UploadError::Scan { refusal: crate::malware_scan::ScanRefusal::Unavailable(_), .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// An accepted upload.
#[allow(dead_code)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub csrf: String,
}

/// The kinds of file accepted, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Doc,
    Xls,
    Docx,
    Xlsx,
    Ofd,
    Jpeg,
    Png,
}

impl Kind {
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Doc => "application/msword",
            Kind::Xls => "application/vnd.ms-excel",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Ofd => "application/ofd",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF 文档",
            Kind::Doc => "Word 97-2003 文档",
            Kind::Xls => "Excel 97-2003 表格",
            Kind::Docx => "Word 文档",
            Kind::Xlsx => "Excel 表格",
            Kind::Ofd => "OFD 版式文档",
            Kind::Jpeg => "JPEG 图片",
            Kind::Png => "PNG 图片",
        }
    }
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Pdf => &["pdf"],
            Kind::Doc => &["doc"],
            Kind::Xls => &["xls"],
            Kind::Docx => &["docx"],
            Kind::Xlsx => &["xlsx"],
            Kind::Ofd => &["ofd"],
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Png => &["png"],
        }
    }
}

/// Decide the kind of a file from its bytes; `ext` disambiguates the two
/// legacy Office formats, which share one container.
pub fn sniff(bytes: &[u8], ext: &str) -> Option<Kind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(Kind::Png);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // OLE compound file: Word or Excel 97-2003.
        return match ext {
            "xls" => Some(Kind::Xls),
            _ => Some(Kind::Doc),
        };
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match infer::get(bytes).map(|t| t.mime_type()) {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document") => Some(Kind::Docx),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") => Some(Kind::Xlsx),
            _ if contains(bytes, b"OFD.xml") => Some(Kind::Ofd),
            _ if contains(bytes, b"word/") => Some(Kind::Docx),
            _ if contains(bytes, b"xl/") => Some(Kind::Xlsx),
            _ => None,
        };
    }
    None
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Check one file and return its MIME type.
pub fn check_file(filename: &str, bytes: &[u8], max: usize) -> Result<&'static str, UploadError> {
    let name = filename.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\', '\0']) {
        return Err(UploadError::BadName);
    }
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > max {
        return Err(UploadError::TooLarge { name: name.into(), size_mb: bytes.len() as f64 / 1048576.0, max_mb: max / 1048576 });
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let kind = sniff(bytes, &ext).ok_or_else(|| UploadError::Forbidden(name.into()))?;
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(UploadError::Mismatch { name: name.into(), detected: kind.label(), ext });
    }
    // What the type may not carry inside (macros, embedded programs, external links, PDF actions).
    let inspected = match kind {
        Kind::Docx | Kind::Xlsx | Kind::Ofd => crate::upload_inspect::inspect_package(bytes),
        Kind::Doc | Kind::Xls => crate::upload_inspect::inspect_compound(bytes),
        Kind::Pdf => crate::upload_inspect::inspect_pdf(bytes),
        Kind::Jpeg | Kind::Png => Ok(()),
    };
    if let Err(reason) = inspected {
        return Err(UploadError::Dangerous { name: name.into(), reason });
    }
    Ok(kind.mime())
}

/// Stream an accepted file to the configured virus scanner (nothing happens when none is
/// configured); an infected file, or no verdict, refuses the upload.
pub async fn scan(scanner: &crate::malware_scan::Scanner, filename: &str, bytes: &[u8]) -> Result<(), UploadError> {
    scanner.scan(bytes).await.map_err(|refusal| {
        if let crate::malware_scan::ScanRefusal::Infected(signature) = &refusal {
            tracing::warn!(%signature, size = bytes.len(), "upload refused by the virus scanner");
        }
        UploadError::Scan { name: filename.trim().to_string(), refusal }
    })
}

/// One part of a multipart form, read whole.
pub(crate) struct Part {
    pub name: String,
    /// Empty for a text field.
    pub filename: String,
    pub data: Vec<u8>,
}

/// Why a part could not be read.
pub(crate) enum PartError {
    /// The named part is longer than its limit.
    TooLarge(String),
    Malformed(String),
}

impl PartError {
    /// A Chinese message; `too_large` words the size refusal for the part named.
    pub(crate) fn message(self, too_large: impl FnOnce(&str) -> String) -> String {
        match self {
            PartError::TooLarge(name) => too_large(&name),
            PartError::Malformed(m) => format!("上传数据不完整：{m}"),
        }
    }
}

/// The next part of `multipart`, at most `limit(name)` bytes long; `None` at the end.
pub(crate) async fn next_part(multipart: &mut Multipart, limit: impl Fn(&str) -> usize) -> Result<Option<Part>, PartError> {
    let mut field = match multipart.next_field().await {
        Ok(Some(f)) => f,
        Ok(None) => return Ok(None),
        Err(e) => return Err(PartError::Malformed(e.body_text())),
    };
    let name = field.name().unwrap_or("").to_string();
    let filename = field.file_name().unwrap_or("").to_string();
    let max = limit(&name);
    let mut data = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if data.len() + chunk.len() > max {
                    return Err(PartError::TooLarge(name));
                }
                data.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(PartError::Malformed(e.body_text())),
        }
    }
    Ok(Some(Part { name, filename, data }))
}

/// Read a multipart upload: a `file` part and the `_csrf` field.
#[allow(dead_code)] // single-file upload forms; the item forms read every part (admin::item_submit)
pub async fn read_upload(mut multipart: Multipart, max: usize) -> Result<Upload, UploadError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(UploadError::TooLarge { name: "上传文件".into(), size_mb: max as f64 / 1048576.0 + 1.0, max_mb: max / 1048576 });
                }
                return Err(UploadError::Malformed(e.body_text()));
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(|e| UploadError::Malformed(e.body_text()))?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut field = field;
                let mut data = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if data.len() + chunk.len() > max {
                                return Err(UploadError::TooLarge { name, size_mb: (data.len() + chunk.len()) as f64 / 1048576.0, max_mb: max / 1048576 });
                            }
                            data.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) => return Err(UploadError::Malformed(e.body_text())),
                    }
                }
                if name.is_empty() && data.is_empty() {
                    continue;
                }
                file = Some((name, data));
            }
            _ => {}
        }
    }
    if csrf.is_empty() {
        return Err(UploadError::Csrf);
    }
    let (filename, bytes) = file.ok_or(UploadError::NoFile)?;
    let content_type = check_file(&filename, &bytes, max)?;
    Ok(Upload { filename: filename.trim().to_string(), content_type: content_type.into(), bytes, csrf })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_type() {
        assert_eq!(check_file("a.pdf", b"%PDF-1.7\n...", 100).ok(), Some("application/pdf"));
        assert!(matches!(check_file("a.pdf", b"MZ\x90\x00exe", 100), Err(UploadError::Forbidden(_))));
        assert!(matches!(check_file("a.png", b"%PDF-1.7", 100), Err(UploadError::Mismatch { .. })));
        assert!(matches!(check_file("a.pdf", &[b'%'; 200], 100), Err(UploadError::TooLarge { .. })));
        assert!(matches!(check_file("a.pdf", b"", 100), Err(UploadError::Empty)));
        assert!(matches!(check_file("../a.pdf", b"%PDF-", 100), Err(UploadError::BadName)));
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(check_file("图.PNG", &png, 100).ok(), Some("image/png"));
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(check_file("表.xls", &ole, 100).ok(), Some("application/vnd.ms-excel"));
        assert_eq!(check_file("文.doc", &ole, 100).ok(), Some("application/msword"));
        assert!(matches!(check_file("a.html", b"<script>", 100), Err(UploadError::Forbidden(_))));
    }
}
