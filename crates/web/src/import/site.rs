//! A saved copy of an existing 政府信息公开 column (for example a `wget --mirror` folder):
//! every .html/.htm/.shtml page is read; item pages become drafts with their metadata, their
//! cleaned body and the attachments they link to; list pages give their directory's column
//! name. Broken pages and broken attachment links are problems naming the page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::manifest::read_attachment;
use super::page;
use super::text::{parse_date, parse_validity};
use super::{Draft, ImportError};

/// Attachment types linked from item pages that are imported.
const ATTACHMENT_EXTS: &[&str] = &["pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "jpeg", "png"];

/// Most pages read from one copy.
const MAX_PAGES: usize = 20_000;

/// What a site copy holds.
#[derive(Debug, Default)]
pub struct SiteCopy {
    pub drafts: Vec<Draft>,
    pub problems: Vec<String>,
    /// The source column names found, for the mapping.
    pub columns: Vec<String>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let t = e.file_type()?;
        let p = e.path();
        if t.is_dir() {
            walk(&p, out)?;
        } else if t.is_file() {
            let ext = p.extension().map(|x| x.to_string_lossy().to_lowercase()).unwrap_or_default();
            if matches!(ext.as_str(), "html" | "htm" | "shtml") {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// `path` relative to `root`, with `/`.
fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Join `base` (a directory inside the copy) and a relative link, refusing to leave `root`.
fn join_inside(root: &Path, base: &Path, link: &str) -> Option<PathBuf> {
    let mut out = base.to_path_buf();
    for c in Path::new(link).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                if out == root || !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    out.starts_with(root).then_some(out)
}

/// Percent-decoding of a link path (file names in Chinese are usually encoded).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a link points inside the copy: relative to the page, root-relative, or absolute to
/// the same site (`hosts`: the site's host names). `None` for links elsewhere.
fn resolve_link(root: &Path, page_dir: &Path, href: &str, hosts: &BTreeSet<String>) -> Option<PathBuf> {
    let href = href.split(['#', '?']).next().unwrap_or_default();
    let href = percent_decode(href);
    if let Some(rest) = href.strip_prefix("http://").or_else(|| href.strip_prefix("https://")).or_else(|| href.strip_prefix("//")) {
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.to_lowercase();
        if !hosts.contains(&host) {
            return None;
        }
        let under_host = root.join(&host);
        if under_host.is_dir() {
            return join_inside(root, &under_host, path);
        }
        return join_inside(root, root, path);
    }
    if href.contains(':') {
        return None; // mailto:, javascript: and the like
    }
    if let Some(path) = href.strip_prefix('/') {
        // Root-relative: from the site's root, which in a `wget --mirror` copy is the
        // directory named after the host that holds the page.
        let site_root = page_dir
            .strip_prefix(root)
            .ok()
            .and_then(|r| r.components().next())
            .map(|c| c.as_os_str().to_string_lossy().to_lowercase())
            .filter(|first| hosts.contains(first))
            .map_or_else(|| root.to_path_buf(), |first| root.join(first));
        return join_inside(root, &site_root, path);
    }
    join_inside(root, page_dir, &href)
}

fn is_attachment(href: &str) -> bool {
    let path = href.split(['#', '?']).next().unwrap_or_default();
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    ATTACHMENT_EXTS.contains(&ext.as_str())
}

/// A list page's title without the site name: “通知公告_源潭镇人民政府” → “通知公告”.
fn column_from_title(title: &str) -> String {
    title.split(['_', '|', '－', '—']).next().unwrap_or(title).split(" - ").next().unwrap_or(title).trim().to_string()
}

/// Read a site copy. `site_hosts`: host names whose absolute links point into the copy
/// (directories of the copy named like a host, as `wget --mirror` makes, count too).
pub fn read(root: &Path, site_hosts: &[String]) -> Result<SiteCopy, ImportError> {
    if !root.is_dir() {
        return Err(ImportError::Input(format!("网站副本目录“{}”不存在", root.display())));
    }
    let mut files = Vec::new();
    walk(root, &mut files).map_err(|e| ImportError::Input(format!("无法读取网站副本目录“{}”：{e}", root.display())))?;
    if files.len() > MAX_PAGES {
        return Err(ImportError::Input(format!("网站副本中的页面超过 {MAX_PAGES} 个，请分栏目导入")));
    }
    let mut hosts: BTreeSet<String> = site_hosts.iter().map(|h| h.trim().to_lowercase()).filter(|h| !h.is_empty()).collect();
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_lowercase();
            if e.path().is_dir() && name.contains('.') {
                hosts.insert(name);
            }
        }
    }
    let mut copy = SiteCopy::default();
    // Column names of directories, from their list pages.
    let mut dir_columns: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut items: Vec<(PathBuf, String, page::Page)> = Vec::new();
    for path in files {
        let shown = rel(root, &path);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                copy.problems.push(format!("页面“{shown}”无法读取：{e}"));
                continue;
            }
        };
        let p = match page::read(&bytes) {
            Ok(p) => p,
            Err(m) => {
                copy.problems.push(format!("页面“{shown}”{m}"));
                continue;
            }
        };
        let dir = path.parent().unwrap_or(root).to_path_buf();
        if p.is_item {
            items.push((dir, shown, p));
        } else if !p.title.is_empty() || p.column.is_some() {
            let name = p.column.clone().unwrap_or_else(|| column_from_title(&p.title));
            let index_like = path.file_stem().is_some_and(|s| s.to_string_lossy().starts_with("index"));
            if index_like || !dir_columns.contains_key(&dir) {
                dir_columns.insert(dir, name);
            }
        }
    }
    let mut columns = BTreeSet::new();
    for (dir, shown, p) in items {
        let mut bad: Vec<String> = Vec::new();
        let title = p.meta.get("标题").cloned().unwrap_or_else(|| column_from_title(&p.title));
        if title.is_empty() {
            bad.push("找不到标题".into());
        }
        let date = |label: &str, bad: &mut Vec<String>| match p.meta.get(label) {
            None => None,
            Some(v) => {
                let d = parse_date(v);
                if d.is_none() {
                    bad.push(format!("{label}“{v}”无法识别"));
                }
                d
            }
        };
        let publish_date = date("发布日期", &mut bad);
        let formed_date = date("成文日期", &mut bad);
        if !p.meta.contains_key("发布日期") {
            bad.push("找不到发布日期（页面可能不完整）".into());
        }
        let validity = match p.meta.get("有效性") {
            Some(v) => {
                let x = parse_validity(v);
                if x.is_none() {
                    bad.push(format!("有效性“{v}”无法识别"));
                }
                x
            }
            None => None,
        };
        let column = p
            .column
            .clone()
            .or_else(|| dir_columns.get(&dir).cloned())
            .or_else(|| p.meta.get("栏目").cloned())
            .unwrap_or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let mut attachments = Vec::new();
        let mut seen = BTreeSet::new();
        for (href, _) in p.links.iter().filter(|(h, _)| is_attachment(h)) {
            let Some(target) = resolve_link(root, &dir, href, &hosts) else { continue };
            if !seen.insert(target.clone()) {
                continue;
            }
            if !target.is_file() {
                bad.push(format!("附件链接“{href}”指向的文件不存在（断链）"));
                continue;
            }
            match read_attachment(&target, &rel(root, &target)) {
                Ok(a) => attachments.push(a),
                Err(m) => bad.push(m),
            }
        }
        if !bad.is_empty() {
            copy.problems.push(format!("页面“{shown}”：{}", bad.join("；")));
            continue;
        }
        columns.insert(column.clone());
        copy.drafts.push(Draft {
            source: format!("页面“{shown}”"),
            title,
            index_no: p.meta.get("索引号").cloned(),
            doc_number: p.meta.get("文号").cloned().filter(|d| d != "无" && d != "-"),
            publisher: p.meta.get("发布机构").cloned().unwrap_or_default(),
            formed_date,
            publish_date,
            column,
            topic: p.meta.get("主题分类").cloned().unwrap_or_default(),
            validity,
            body_html: crate::body::clean_html(&p.body_html),
            attachments,
        });
    }
    copy.columns = columns.into_iter().collect();
    Ok(copy)
}
