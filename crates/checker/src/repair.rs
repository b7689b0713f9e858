//! Repairs applied to the text before it is parsed, so that reports as they are found in the
//! wild read like clean ones: Kangxi radicals and compatibility ideographs of PDF text layers
//! (NFKC), pinyin annotations inserted after characters, units written after table values,
//! lone pipes of one-cell-per-line tables, headings run into the text around them (a report
//! flattened to one line) and table rows run together (labels glued to the digits of the row
//! before them).
//!
//! Every repair only inserts line breaks or removes characters that are not part of the
//! report's content; each is cheap to rule out with a byte test, so clean text is returned
//! borrowed and unchanged.

use crate::report::{Finding, Location, Severity};
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// The repaired text and the findings the repairs themselves raise (e.g. pinyin removed).
pub struct Repaired<'a> {
    pub text: Cow<'a, str>,
    pub notes: Vec<Finding>,
    /// When lines were split: for each line of `text` (0-based), its line in the input.
    pub line_map: Option<Vec<usize>>,
}

impl Repaired<'_> {
    /// The 1-based input line of a 1-based line of the repaired text.
    pub fn source_line(&self, line: usize) -> usize {
        match &self.line_map {
            Some(m) if line >= 1 => m.get(line - 1).map(|l| l + 1).unwrap_or(line),
            _ => line,
        }
    }
}

/// Composes line maps: `outer` maps lines of the newest text to the text before it.
fn compose(inner: Option<Vec<usize>>, outer: Vec<usize>) -> Vec<usize> {
    match inner {
        None => outer,
        Some(inner) => outer.into_iter().map(|l| inner.get(l).copied().unwrap_or(l)).collect(),
    }
}

/// Applies all repairs in order.
pub fn repair(text: &str) -> Repaired<'_> {
    let mut notes = Vec::new();
    let mut cur: Cow<str> = Cow::Borrowed(text);
    if let Some(t) = fold_radicals(&cur) {
        cur = Cow::Owned(t);
    }
    if let Some((t, n, example)) = remove_pinyin(&cur) {
        notes.push(Finding::new(
            "DEBRIS_PINYIN",
            Severity::Warning,
            format!("汉字后插入了拼音注音（共 {n} 处，如“{example}”），已删除后再检查"),
            Location::default(),
        ));
        cur = Cow::Owned(t);
    }
    if let Some(t) = strip_units(&cur) {
        cur = Cow::Owned(t);
    }
    if let Some(t) = strip_lone_pipes(&cur) {
        cur = Cow::Owned(t);
    }
    let mut line_map = None;
    if let Some((t, map)) = cut_headings(&cur) {
        cur = Cow::Owned(t);
        line_map = Some(map);
    }
    if let Some((t, map)) = cut_table_rows(&cur) {
        cur = Cow::Owned(t);
        line_map = Some(compose(line_map, map));
    }
    Repaired { text: cur, notes, line_map }
}

// ---------------------------------------------------------------------------------------------
// Characters
// ---------------------------------------------------------------------------------------------

/// Characters that NFKC maps to ordinary Han: Kangxi radicals (U+2F00–U+2FDF), the CJK
/// radicals supplement (U+2E80–U+2EFF) and CJK compatibility ideographs (U+F900–U+FAFF).
fn is_compat_han(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x2EFF | 0x2F00..=0x2FDF | 0xF900..=0xFAFF)
}

/// CJK radicals supplement characters that NFKC leaves alone (only U+2E9F and U+2EF3 have
/// decompositions) but browsers' PDF text layers use for ordinary characters ("⻘" for 青,
/// "⺠" for 民): their equivalent unified ideographs (Unicode EquivalentUnifiedIdeograph).
const RADICAL_EQUIVALENTS: &[(char, char)] = &[
    ('\u{2E84}', '乙'),
    ('\u{2E85}', '亻'),
    ('\u{2E86}', '冂'),
    ('\u{2E87}', '几'),
    ('\u{2E8A}', '卜'),
    ('\u{2E8C}', '小'),
    ('\u{2E8D}', '小'),
    ('\u{2E8E}', '兀'),
    ('\u{2E90}', '尢'),
    ('\u{2E92}', '巳'),
    ('\u{2E93}', '幺'),
    ('\u{2E94}', '彑'),
    ('\u{2E95}', '彐'),
    ('\u{2E96}', '忄'),
    ('\u{2E97}', '心'),
    ('\u{2E98}', '扌'),
    ('\u{2E99}', '攵'),
    ('\u{2E9B}', '旡'),
    ('\u{2E9C}', '日'),
    ('\u{2E9D}', '月'),
    ('\u{2E9E}', '歺'),
    ('\u{2EA0}', '民'),
    ('\u{2EA1}', '氵'),
    ('\u{2EA2}', '氺'),
    ('\u{2EA3}', '灬'),
    ('\u{2EA4}', '爫'),
    ('\u{2EA5}', '爫'),
    ('\u{2EA6}', '丬'),
    ('\u{2EA7}', '牛'),
    ('\u{2EA8}', '犭'),
    ('\u{2EA9}', '王'),
    ('\u{2EAA}', '疋'),
    ('\u{2EAB}', '罒'),
    ('\u{2EAC}', '示'),
    ('\u{2EAD}', '礻'),
    ('\u{2EAE}', '竹'),
    ('\u{2EAF}', '糸'),
    ('\u{2EB0}', '纟'),
    ('\u{2EB1}', '罒'),
    ('\u{2EB2}', '罒'),
    ('\u{2EB5}', '罒'),
    ('\u{2EB6}', '羊'),
    ('\u{2EB7}', '羊'),
    ('\u{2EB9}', '耂'),
    ('\u{2EBA}', '肀'),
    ('\u{2EBB}', '聿'),
    ('\u{2EBC}', '月'),
    ('\u{2EBD}', '臼'),
    ('\u{2EBE}', '艹'),
    ('\u{2EBF}', '艹'),
    ('\u{2EC0}', '艹'),
    ('\u{2EC1}', '虎'),
    ('\u{2EC2}', '衤'),
    ('\u{2EC3}', '覀'),
    ('\u{2EC4}', '西'),
    ('\u{2EC5}', '见'),
    ('\u{2EC6}', '角'),
    ('\u{2EC8}', '讠'),
    ('\u{2EC9}', '贝'),
    ('\u{2ECB}', '车'),
    ('\u{2ECC}', '辶'),
    ('\u{2ECD}', '辶'),
    ('\u{2ECE}', '辶'),
    ('\u{2ECF}', '阝'),
    ('\u{2ED0}', '钅'),
    ('\u{2ED1}', '長'),
    ('\u{2ED2}', '镸'),
    ('\u{2ED3}', '长'),
    ('\u{2ED4}', '门'),
    ('\u{2ED6}', '阝'),
    ('\u{2ED7}', '雨'),
    ('\u{2ED8}', '青'),
    ('\u{2ED9}', '韦'),
    ('\u{2EDA}', '页'),
    ('\u{2EDB}', '风'),
    ('\u{2EDC}', '飞'),
    ('\u{2EDD}', '食'),
    ('\u{2EDF}', '飠'),
    ('\u{2EE0}', '饣'),
    ('\u{2EE2}', '马'),
    ('\u{2EE3}', '骨'),
    ('\u{2EE4}', '鬼'),
    ('\u{2EE5}', '鱼'),
    ('\u{2EE6}', '鸟'),
    ('\u{2EE7}', '卤'),
    ('\u{2EE8}', '麦'),
    ('\u{2EE9}', '黄'),
    ('\u{2EEA}', '黾'),
    ('\u{2EEB}', '斉'),
    ('\u{2EEC}', '齐'),
    ('\u{2EED}', '歯'),
    ('\u{2EEE}', '齿'),
    ('\u{2EEF}', '竜'),
    ('\u{2EF0}', '龙'),
    ('\u{2EF1}', '龜'),
    ('\u{2EF2}', '亀'),
];

fn fold_one(c: char, out: &mut String) {
    if let Ok(i) = RADICAL_EQUIVALENTS.binary_search_by_key(&c, |(r, _)| *r) {
        out.push(RADICAL_EQUIVALENTS[i].1);
    } else {
        unicode_normalization::char::decompose_compatible(c, |d| out.push(d));
    }
}

/// NFKC of the compatibility Han characters only (full NFKC would also fold the full-width
/// punctuation that statutory labels use). `None` when there are none.
fn fold_radicals(s: &str) -> Option<String> {
    let b = s.as_bytes();
    // U+2E80..=U+2FFF are led by E2 BA..=BF; U+F900..=U+FAFF by EF A4..=AB.
    let maybe = b.windows(2).any(|w| (w[0] == 0xE2 && (0xBA..=0xBF).contains(&w[1])) || (w[0] == 0xEF && (0xA4..=0xAB).contains(&w[1])));
    if !maybe || !s.chars().any(is_compat_han) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_compat_han(c) {
            fold_one(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

static PINYIN_ANNOT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han})[ \t]?[(（]([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüń ]{1,24})[)）]").expect("regex")
});

fn has_tone_mark(s: &str) -> bool {
    s.chars().any(|c| "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜń".contains(c))
}

/// Removes pinyin annotations in brackets after Han characters ("報(bào)告" → "報告").
/// Returns the text, how many were removed and the first one.
fn remove_pinyin(s: &str) -> Option<(String, usize, String)> {
    // The tone-marked vowels are U+00E0..=U+01DC (two-byte sequences led by C3..=C7).
    if !s.bytes().any(|b| (0xC3..=0xC7).contains(&b)) {
        return None;
    }
    let mut n = 0;
    let mut example = String::new();
    let out = PINYIN_ANNOT_RE.replace_all(s, |c: &regex::Captures| {
        let whole = c.get(0).map(|m| m.as_str()).unwrap_or_default();
        let han = c.get(1).map(|m| m.as_str()).unwrap_or_default();
        let py = c.get(2).map(|m| m.as_str()).unwrap_or_default();
        if has_tone_mark(py) {
            n += 1;
            if example.is_empty() {
                example = whole.to_string();
            }
            han.to_string()
        } else {
            whole.to_string()
        }
    });
    (n > 0).then(|| (out.into_owned(), n, example))
}

/// Removes 元/万元 written after a number that stands as a table cell ("1.25万元" before a
/// cell boundary or the end of the line); the unit of the column is in its header.
fn strip_units(s: &str) -> Option<String> {
    if !s.contains('元') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut rest = s;
    while let Some(p) = rest.find('元') {
        let before = &rest[..p];
        let after = &rest[p + '元'.len_utf8()..];
        let (head, unit_start) = match before.strip_suffix('万') {
            Some(h) => (h, h.len()),
            None => (before, before.len()),
        };
        let head_trim = head.trim_end_matches(' ');
        let next = after.chars().next();
        let boundary = matches!(next, None | Some('\n' | '\r' | '\t' | ' ' | '|' | '\u{3000}'));
        if boundary && head_trim.ends_with(|c: char| c.is_ascii_digit()) {
            out.push_str(head_trim);
            let _ = unit_start;
            changed = true;
        } else {
            out.push_str(&rest[..p + '元'.len_utf8()]);
        }
        rest = after;
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// A line with a single `|` at its start or end ("规章 |", "0 |"): the pipe is a cell
/// border of a one-cell-per-line table, not content.
fn strip_lone_pipes(s: &str) -> Option<String> {
    if !s.contains('|') {
        return None;
    }
    let mut changed = false;
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let t = line.trim_end_matches('\r').trim();
        if t.bytes().filter(|&b| b == b'|').count() == 1 && (t.starts_with('|') || t.ends_with('|')) {
            out.push_str(t.trim_matches('|').trim());
            changed = true;
        } else {
            out.push_str(line);
        }
    }
    changed.then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Line structure
// ---------------------------------------------------------------------------------------------

/// The six headings and their usual variants (older formats included), longest first.
const HEADINGS: &str = concat!(
    r"(?:政府信息公开工作的?)?(?:总体情况|基本概况|基本情况|概述)",
    r"|主动公开政府信息的?情况|主动公开情况",
    r"|收到和处理政府信息公开申请的?情况|依申请公开政府信息的?情况",
    r"|(?:政府信息公开|因政府信息公开申请提起的?)?行政复议[、和及与]\s*行政诉讼的?情况",
    r"|存在的主要问题(?:及|和|与)\s*改进(?:情况|措施)|存在的主要问题|存在的问题及改进(?:情况|措施)",
    r"|其他需要报告的事项",
);

static HEADING_CUT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:[一二三四五六]\s*、\s*)(?:{HEADINGS})")).expect("regex")
});

/// Section number of a line that starts with a heading (numbered, or "、…" that lost it).
fn heading_topic(line: &str) -> Option<u8> {
    let t = line.trim_start_matches(|c: char| c.is_whitespace() || c == '#' || c == '*');
    let first = t.chars().next()?;
    if !("一二三四五六、".contains(first)) {
        return None;
    }
    let mut end = t.len().min(120);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    let c = crate::text::compact(&t[..end]);
    let body = c.trim_start_matches(|ch: char| "一二三四五六".contains(ch));
    const KEYS: [(&str, u8); 9] = [
        ("收到和处理", 3),
        ("依申请公开政府信息", 3),
        ("行政复议", 4),
        ("存在的", 5),
        ("其他需要报告", 6),
        ("主动公开", 2),
        ("总体情况", 1),
        ("基本概况", 1),
        ("基本情况", 1),
    ];
    let head: String = body.chars().take(20).collect();
    KEYS.iter().find(|(k, _)| head.contains(k)).map(|(_, n)| *n)
}

/// Puts numbered section headings that stand inside a line (a report copied as one line) on
/// lines of their own, and the content after them on the next line.
fn cut_headings(s: &str) -> Option<(String, Vec<usize>)> {
    if !s.contains('、') {
        return None;
    }
    let mut cuts: Vec<usize> = Vec::new();
    for m in HEADING_CUT_RE.find_iter(s) {
        let before = &s[..m.start()];
        let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
        if !s[line_start..m.start()].trim().is_empty() {
            // Mid-line: only after a sentence or cell boundary, not inside a sentence.
            let prev = before.chars().next_back();
            if prev.is_some_and(|c| c.is_whitespace() || "。；;|：:".contains(c) || c.is_ascii_digit()) {
                cuts.push(m.start());
            } else {
                continue;
            }
        }
        let after = &s[m.end()..];
        let next = after.chars().next();
        let rest_of_line = after.split('\n').next().unwrap_or("").trim();
        if !rest_of_line.is_empty()
            && next.is_some_and(|c| (c.is_whitespace() && c != '\n') || c == '：' || c == ':' || c.is_ascii_digit())
        {
            cuts.push(m.end());
        }
    }
    apply_cuts(s, &cuts)
}

/// Inserts a line break at each cut; returns the text and, for each of its lines, the line of
/// `s` it comes from.
fn apply_cuts(s: &str, cuts: &[usize]) -> Option<(String, Vec<usize>)> {
    if cuts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(s.len() + cuts.len());
    let mut map = Vec::new();
    let mut last = 0;
    let mut src_line = 0usize;
    for &c in cuts {
        if c < last || !s.is_char_boundary(c) {
            continue;
        }
        let piece = &s[last..c];
        for _ in 0..piece.matches('\n').count() {
            map.push(src_line);
            src_line += 1;
        }
        map.push(src_line);
        out.push_str(piece.trim_end_matches([' ', '\t']));
        out.push('\n');
        last = c;
        // Drop the separator after the cut.
        while s[last..].starts_with([' ', '\t', '：', ':']) {
            last += s[last..].chars().next().map(char::len_utf8).unwrap_or(1);
        }
    }
    for _ in 0..s[last..].matches('\n').count() {
        map.push(src_line);
        src_line += 1;
    }
    map.push(src_line);
    out.push_str(&s[last..]);
    Some((out, map))
}

/// Section 三 row labels: group numbers and sub-row numbers before a label.
static S3_ROW_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[一二三四]\s*、\s*(?:本年新收|上年结转|本年度办理结果|结转下年度)|（[一二三四五六七]）\s*\p{Han}|\([一二三四五六七]\)\s*\p{Han}|[1-8]\s*[.．、]\s*[\p{Han}“])").expect("regex")
});
/// Section 二 row labels and block headers.
static S2_ROW_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"第二十条|信息内容|规章|行政规范性文件|规范性文件|行政许可|其他对外管理服务事项|行政处罚|行政强制|行政事业性收费|政府集中采购").expect("regex")
});

/// Within the tables of sections 二 and 三, puts each statutory row label on a line of its own
/// with the figures after it, when rows are run together on one line (flattened text, or
/// cells without separators where the next label's number is glued to the previous digits).
fn cut_table_rows(s: &str) -> Option<(String, Vec<usize>)> {
    // Cheap exit: rows run together leave a line with a label after figures; clean tables
    // have one row per line. Only lines that hold a digit and a label are looked at.
    let mut cuts: Vec<usize> = Vec::new();
    let mut section = 0u8;
    let mut offset = 0usize;
    for line in s.split('\n') {
        let start = offset;
        offset += line.len() + 1;
        if let Some(t) = heading_topic(line) {
            section = t;
            continue;
        }
        if !(section == 2 || section == 3) || line.len() < 12 {
            continue;
        }
        let re: &Regex = if section == 3 { &S3_ROW_RE } else { &S2_ROW_RE };
        let lead = line.len() - line.trim_start().len();
        for m in re.find_iter(line) {
            if m.start() <= lead {
                continue;
            }
            let before = &line[..m.start()];
            let prev = before.chars().next_back();
            // A label after a tab or pipe is already a cell of a row-per-line table.
            if before.trim_end_matches(' ').ends_with(['\t', '|']) {
                continue;
            }
            let ok = match section {
                // Section 三 labels carry their own numbering: cut wherever one starts.
                3 => true,
                // Section 二 labels are bare words: cut only after a cell boundary or a figure,
                // and not inside "行政规范性文件".
                _ => {
                    prev.is_some_and(|c| c.is_whitespace() || c == '|' || c.is_ascii_digit())
                        && !(m.as_str() == "规范性文件" && before.ends_with("行政"))
                }
            };
            if ok {
                cuts.push(start + m.start());
            }
        }
    }
    apply_cuts(s, &cuts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters() {
        assert_eq!(fold_radicals("⼀、总体情况").as_deref(), Some("一、总体情况"));
        assert!(fold_radicals("一、总体情况").is_none());
        assert_eq!(fold_radicals("⻘禾县人⺠政府").as_deref(), Some("青禾县人民政府"));
        assert!(RADICAL_EQUIVALENTS.windows(2).all(|w| w[0].0 < w[1].0));
        let (t, n, _) = remove_pinyin("報(bào)告公開(kāi)").unwrap();
        assert_eq!((t.as_str(), n), ("報告公開", 2));
        assert!(remove_pinyin("（一）予以公开").is_none());
        assert_eq!(strip_units("行政事业性收费\t1.25万元\n").as_deref(), Some("行政事业性收费\t1.25\n"));
        assert!(strip_units("收取费用0元。").is_none());
        assert_eq!(strip_lone_pipes("规章 |\n0 |").as_deref(), Some("规章\n0"));
    }

    #[test]
    fn lines() {
        let t = "标题 一、总体情况 2023年，我镇主动公开12条。 二、主动公开政府信息情况 规章 0 0 0";
        let (c, map) = cut_headings(t).unwrap();
        assert_eq!(map, vec![0, 0, 0, 0, 0]);
        assert_eq!(c, "标题\n一、总体情况\n2023年，我镇主动公开12条。\n二、主动公开政府信息情况\n规章 0 0 0");
        let t = "三、收到和处理政府信息公开申请情况\n（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000";
        let (c, map) = cut_table_rows(t).unwrap();
        assert_eq!(map, vec![0, 1, 1, 1]);
        assert_eq!(c, "三、收到和处理政府信息公开申请情况\n（三）不予公开\n1.属于国家秘密0000000\n2.其他法律行政法规禁止公开0000000");
    }
}
