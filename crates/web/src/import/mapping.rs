//! The column mapping of a site copy: which catalog node each source column (栏目) goes to.
//! A file of two columns (tab- or comma-separated): source column name, catalog node name
//! (or “上级/名称” or the node's number). `#` starts a comment. A suggestion is made from the
//! names by similarity.

use std::collections::{BTreeMap, HashSet};

use gongkai_domain::model::CatalogNode;

use super::ImportError;

/// Parse a mapping file. Errors name the line.
pub fn parse(name: &str, data: &[u8]) -> Result<BTreeMap<String, String>, ImportError> {
    let text = super::text::decode(data, None).ok_or_else(|| ImportError::Input(format!("对应表“{name}”既不是 UTF-8 也不是 GBK 编码")))?;
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (from, to) = line
            .split_once('\t')
            .or_else(|| line.split_once(','))
            .or_else(|| line.split_once('，'))
            .ok_or_else(|| ImportError::Input(format!("对应表“{name}”第 {} 行应为“来源栏目<Tab>目录栏目”两列：{line}", i + 1)))?;
        let (from, to) = (from.trim().trim_matches('"'), to.trim().trim_matches('"'));
        if from.is_empty() || to.is_empty() {
            return Err(ImportError::Input(format!("对应表“{name}”第 {} 行有空的栏目名", i + 1)));
        }
        if from == "来源栏目" && i == 0 {
            continue;
        }
        if map.insert(from.to_string(), to.to_string()).is_some() {
            return Err(ImportError::Input(format!("对应表“{name}”第 {} 行：来源栏目“{from}”重复", i + 1)));
        }
    }
    Ok(map)
}

/// Similarity of two names: shared characters (Dice coefficient), 1.0 when equal.
fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let sa: HashSet<char> = a.chars().filter(|c| !c.is_whitespace()).collect();
    let sb: HashSet<char> = b.chars().filter(|c| !c.is_whitespace()).collect();
    if sa.is_empty() || sb.is_empty() {
        return 0.0;
    }
    let shared = sa.intersection(&sb).count() as f64;
    let mut s = 2.0 * shared / (sa.len() + sb.len()) as f64;
    if a.contains(b) || b.contains(a) {
        s = s.max(0.8);
    }
    s
}

/// The catalog node most like `column`, if any is alike enough.
pub fn suggest<'a>(catalog: &'a [CatalogNode], column: &str) -> Option<&'a CatalogNode> {
    catalog
        .iter()
        .map(|n| (similarity(column, &n.name), n))
        .filter(|(s, _)| *s >= 0.4)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// A mapping file suggesting a node for each column (commented out where none is alike).
pub fn suggestion_file(catalog: &[CatalogNode], columns: &[String]) -> String {
    let mut out = String::from("# 来源栏目\t目录栏目（可写栏目名称或编号；请核对后保存为对应表）\n");
    for c in columns {
        match suggest(catalog, c) {
            Some(n) => out.push_str(&format!("{c}\t{}\n", n.name)),
            None => out.push_str(&format!("# {c}\t（没有相近的栏目，请填写）\n")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_reject() {
        let m = parse("m.tsv", "来源栏目\t目录栏目\n通知公告\t通知公告\n# x\n政策文件,规范性文件\n".as_bytes()).expect("parse");
        assert_eq!(m.get("政策文件").map(String::as_str), Some("规范性文件"));
        let e = parse("m.tsv", "只有一列\n".as_bytes()).expect_err("one column");
        assert!(e.to_string().contains("第 1 行"));
    }

    #[test]
    fn similar_names() {
        assert!(similarity("通知公告", "通知公告") > similarity("通知公告", "规划计划"));
        assert!(similarity("政策文件", "政策文件及解读") >= 0.8);
    }
}
