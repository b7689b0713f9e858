//! What an accepted file type may not carry inside: macros, ActiveX controls, embedded
//! executables, links that make the document fetch other files when opened, script or
//! launch actions in a PDF, and archives that expand out of all proportion. Published
//! attachments are opened by citizens on their own computers; a government site must not
//! hand them active content.

use std::io::Read;

/// Why a file is refused (Chinese, completes "附件“…”…").
pub type Finding = String;

/// Executable and script file endings refused wherever they are found inside a file.
const EXECUTABLE_ENDINGS: &[&str] = &[".exe", ".dll", ".bat", ".cmd", ".com", ".scr", ".pif", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".ps1", ".msi", ".jar", ".hta", ".lnk", ".cpl", ".sh"];

/// The only relationship kind allowed to point outside the package: a hyperlink, which
/// opens only when the reader follows it.
const HYPERLINK_REL: &str = "/relationships/hyperlink";

/// Largest sum of uncompressed entry sizes of an Office (zip) file, and most entries.
const MAX_EXPANDED: u64 = 512 * 1024 * 1024;
const MAX_ENTRIES: usize = 20_000;

/// Inspect an OOXML or OFD package (zip).
pub fn inspect_package(bytes: &[u8]) -> Result<(), Finding> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| "已损坏，无法作为 Office 文档打开".to_string())?;
    if zip.len() > MAX_ENTRIES {
        return Err(format!("包含的部件过多（{} 个）", zip.len()));
    }
    let mut expanded: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| "已损坏，无法作为 Office 文档打开".to_string())?;
        let name = entry.name().to_ascii_lowercase();
        expanded = expanded.saturating_add(entry.size());
        if expanded > MAX_EXPANDED {
            return Err("解压后体积异常巨大（可能是“压缩炸弹”）".into());
        }
        let base = name.rsplit('/').next().unwrap_or(&name);
        if base.starts_with("vbaproject") || base == "vbadata.xml" {
            return Err("含有宏（VBA 代码）".into());
        }
        if name.contains("activex/") {
            return Err("含有 ActiveX 控件".into());
        }
        if name.contains("/externallinks/") {
            return Err("引用了外部工作簿（打开时会读取其他文件）".into());
        }
        if EXECUTABLE_ENDINGS.iter().any(|e| base.ends_with(e)) {
            return Err(format!("内嵌了可执行文件或脚本（{base}）"));
        }
        // Small parts that may carry what is refused: relationships, content types,
        // embedded objects. Read at most 16 MiB of each.
        let is_rels = name.ends_with(".rels");
        let is_types = name == "[content_types].xml";
        let is_embedding = name.contains("embeddings/") || name.contains("/oleobject");
        if !(is_rels || is_types || is_embedding) {
            continue;
        }
        let mut data = Vec::new();
        (&mut entry).take(16 * 1024 * 1024).read_to_end(&mut data).map_err(|_| "已损坏，无法作为 Office 文档打开".to_string())?;
        if is_types {
            let text = String::from_utf8_lossy(&data).to_ascii_lowercase();
            if text.contains("macroenabled") || text.contains("vbaproject") {
                return Err("是启用宏的文档".into());
            }
        }
        if is_rels {
            if let Some(kind) = external_non_hyperlink(&String::from_utf8_lossy(&data)) {
                return Err(format!("引用了外部文件（{kind}），打开时会从其他位置读取内容"));
            }
        }
        if is_embedding {
            if data.starts_with(b"MZ") {
                return Err("内嵌了可执行程序".into());
            }
            if let Some(found) = ole_package_executable(&data) {
                return Err(format!("内嵌了可执行文件或脚本（{found}）"));
            }
        }
    }
    Ok(())
}

/// The type of the first relationship that points outside the package and is not a
/// hyperlink, if any.
fn external_non_hyperlink(rels: &str) -> Option<String> {
    for part in rels.split("<Relationship").skip(1) {
        let tag = part.split('>').next().unwrap_or("");
        if !tag.contains("TargetMode=\"External\"") && !tag.contains("TargetMode='External'") {
            continue;
        }
        let kind = attr(tag, "Type").unwrap_or_default();
        if !kind.ends_with(HYPERLINK_REL) {
            return Some(kind.rsplit('/').next().unwrap_or("未知").to_string());
        }
    }
    None
}

fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let key = format!("{name}={quote}");
        if let Some(i) = tag.find(&key) {
            return tag[i + key.len()..].split(quote).next().map(str::to_string);
        }
    }
    None
}

/// An OLE "Package" object (how Office embeds arbitrary files) holding an executable:
/// the file name it carries, if it ends like one.
fn ole_package_executable(data: &[u8]) -> Option<String> {
    let lower: Vec<u8> = data.iter().map(u8::to_ascii_lowercase).collect();
    for ending in EXECUTABLE_ENDINGS {
        // Names in an Ole10Native stream are NUL-terminated ANSI strings.
        let needle: Vec<u8> = ending.bytes().chain(std::iter::once(0)).collect();
        if lower.windows(needle.len()).any(|w| w == needle.as_slice()) {
            return Some(ending.trim_start_matches('.').to_string());
        }
    }
    // An executable stored inside the object.
    if data.windows(4).any(|w| w == b"MZ\x90\x00") && contains(data, b"This program cannot be run in DOS mode") {
        return Some("exe".into());
    }
    None
}

/// Inspect a Word/Excel 97-2003 file (OLE compound document) for macros and embedded
/// executables. Storage names are UTF-16LE in the directory.
pub fn inspect_compound(bytes: &[u8]) -> Result<(), Finding> {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    for storage in ["_VBA_PROJECT", "_VBA_PROJECT_CUR", "VBA"] {
        let name = utf16(storage);
        // The directory entry name is followed by its NUL terminator.
        let with_nul: Vec<u8> = name.iter().copied().chain([0, 0]).collect();
        if contains(bytes, &with_nul) {
            return Err("含有宏（VBA 代码）".into());
        }
    }
    if contains(bytes, &utf16("\u{1}Ole10Native")) {
        if let Some(found) = ole_package_executable(bytes) {
            return Err(format!("内嵌了可执行文件或脚本（{found}）"));
        }
    }
    Ok(())
}

/// Inspect a PDF for actions that run when it is opened: JavaScript, launching programs,
/// and embedded executables.
pub fn inspect_pdf(bytes: &[u8]) -> Result<(), Finding> {
    if contains(bytes, b"/JavaScript") || contains(bytes, b"/JS ") || contains(bytes, b"/JS(") || contains(bytes, b"/JS<") {
        return Err("含有 JavaScript 脚本".into());
    }
    if contains(bytes, b"/Launch") {
        return Err("含有启动外部程序的动作".into());
    }
    if contains(bytes, b"/EmbeddedFile") {
        let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
        for ending in EXECUTABLE_ENDINGS {
            for close in [b")".as_slice(), b">".as_slice()] {
                let needle: Vec<u8> = ending.bytes().chain(close.iter().copied()).collect();
                if lower.windows(needle.len()).any(|w| w == needle.as_slice()) {
                    return Err(format!("内嵌了可执行文件或脚本（{}）", ending.trim_start_matches('.')));
                }
            }
        }
    }
    Ok(())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal DOCX-shaped package with extra parts.
    fn package(extra: &[(&str, &[u8])], types: &str) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            z.start_file("[Content_Types].xml", opts).expect("file");
            z.write_all(types.as_bytes()).expect("write");
            z.start_file("word/document.xml", opts).expect("file");
            z.write_all(b"<w:document/>").expect("write");
            for (name, data) in extra {
                z.start_file(*name, opts).expect("file");
                z.write_all(data).expect("write");
            }
            z.finish().expect("finish");
        }
        buf.into_inner()
    }

    const TYPES: &str = r#"<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

    #[test]
    fn a_plain_document_with_a_hyperlink_passes() {
        let rels = br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.gov.cn/" TargetMode="External"/></Relationships>"#;
        assert_eq!(inspect_package(&package(&[("word/_rels/document.xml.rels", rels)], TYPES)), Ok(()));
    }

    #[test]
    fn macros_activex_and_macro_enabled_types_are_refused() {
        let err = inspect_package(&package(&[("word/vbaProject.bin", b"\x00")], TYPES)).expect_err("macro");
        assert!(err.contains("宏"), "{err}");
        let types = TYPES.replace("document.main+xml", "document.macroEnabled.main+xml");
        assert!(inspect_package(&package(&[], &types)).expect_err("docm").contains("宏"));
        assert!(inspect_package(&package(&[("word/activeX/activeX1.xml", b"<x/>")], TYPES)).expect_err("activex").contains("ActiveX"));
    }

    #[test]
    fn external_templates_and_workbooks_are_refused() {
        let rels = br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.5/t.dotm" TargetMode="External"/></Relationships>"#;
        let err = inspect_package(&package(&[("word/_rels/settings.xml.rels", rels)], TYPES)).expect_err("template");
        assert!(err.contains("attachedTemplate"), "{err}");
        assert!(inspect_package(&package(&[("xl/externalLinks/externalLink1.xml", b"<x/>")], TYPES)).expect_err("link").contains("外部工作簿"));
    }

    #[test]
    fn embedded_executables_are_refused() {
        assert!(inspect_package(&package(&[("word/embeddings/oleObject1.bin", b"MZ\x90\x00...")], TYPES)).is_err());
        let mut ole = b"\x01Ole10Native\x00\x00payroll.exe\x00C:\\tmp\\payroll.exe\x00".to_vec();
        ole.extend_from_slice(&[0u8; 32]);
        assert!(inspect_package(&package(&[("word/embeddings/oleObject2.bin", &ole)], TYPES)).expect_err("package").contains("exe"));
        assert!(inspect_package(&package(&[("word/media/run.bat", b"echo")], TYPES)).is_err());
        // An embedded spreadsheet is fine.
        assert_eq!(inspect_package(&package(&[("word/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK\x03\x04")], TYPES)), Ok(()));
    }

    #[test]
    fn broken_packages_are_refused() {
        assert!(inspect_package(b"PK\x03\x04 not really a zip").is_err());
    }

    #[test]
    fn legacy_office_macros_are_refused() {
        let name: Vec<u8> = "_VBA_PROJECT".encode_utf16().flat_map(u16::to_le_bytes).chain([0, 0]).collect();
        let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        doc.extend_from_slice(&[0u8; 100]);
        assert_eq!(inspect_compound(&doc), Ok(()));
        doc.extend_from_slice(&name);
        assert!(inspect_compound(&doc).expect_err("macro").contains("宏"));
    }

    #[test]
    fn pdf_actions_are_refused() {
        assert_eq!(inspect_pdf(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj"), Ok(()));
        assert!(inspect_pdf(b"%PDF-1.7\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>").expect_err("js").contains("JavaScript"));
        assert!(inspect_pdf(b"%PDF-1.7\n<< /S /Launch /F (cmd.exe) >>").expect_err("launch").contains("启动"));
        assert!(inspect_pdf(b"%PDF-1.7\n<< /Type /EmbeddedFile >> << /F (setup.exe) >>").expect_err("embedded").contains("exe"));
        assert_eq!(inspect_pdf(b"%PDF-1.7\n<< /Type /EmbeddedFile >> << /F (data.xlsx) >>"), Ok(()));
    }
}
