//! Text normalisation: script conversion (Traditional → Simplified), width folding, the line
//! model shared by the parsers, and cell tokenisation of table lines.

use crate::report::Value;
use ferrous_opencc::{config::BuiltinConfig, OpenCC};
use std::collections::HashSet;
use std::sync::OnceLock;

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in the extracted text.
    pub no: usize,
    /// The line as extracted (original script).
    pub raw: String,
    /// Simplified script, ASCII digits/letters/space, trimmed.
    pub text: String,
    /// `text` without whitespace and punctuation (letters, digits and Han only).
    pub compact: String,
    /// A page marker such as "- 3 -" or "第 3 页 共 6 页".
    pub page_marker: bool,
}

impl Line {
    /// True when the line carries no content (blank or a page marker).
    pub fn is_blank(&self) -> bool {
        self.page_marker || self.compact.is_empty()
    }
}

struct Converters {
    t2s: Option<OpenCC>,
    /// Characters that the t2s table changes (Traditional-only characters), U+3400..=U+9FFF.
    trad: CharSet,
    /// Characters that the s2t table changes (Simplified-only characters).
    simp: CharSet,
}

const SET_BASE: u32 = 0x3400;
const SET_LEN: usize = (0x9FFF - 0x3400 + 1) as usize;

/// A bitset over the BMP Han block.
struct CharSet(Vec<u64>);

impl CharSet {
    fn from(set: &HashSet<char>) -> Self {
        let mut bits = vec![0u64; SET_LEN.div_ceil(64)];
        for c in set {
            let i = (*c as u32).wrapping_sub(SET_BASE) as usize;
            if i < SET_LEN {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        CharSet(bits)
    }
    #[inline]
    fn contains(&self, c: char) -> bool {
        let i = (c as u32).wrapping_sub(SET_BASE) as usize;
        i < SET_LEN && self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

fn converters() -> &'static Converters {
    static C: OnceLock<Converters> = OnceLock::new();
    C.get_or_init(|| {
        let t2s = OpenCC::from_config(BuiltinConfig::T2s).ok();
        let s2t = OpenCC::from_config(BuiltinConfig::S2t).ok();
        // Classify every BMP Han character once by converting it on its own.
        let all: Vec<char> = (0x3400u32..=0x9FFF).filter_map(char::from_u32).collect();
        let mut joined = String::with_capacity(all.len() * 4);
        for c in &all {
            joined.push(*c);
            joined.push('\n');
        }
        let classify = |cv: &Option<OpenCC>| -> HashSet<char> {
            let mut set = HashSet::new();
            if let Some(cv) = cv {
                let out = cv.convert(&joined);
                for (orig, conv) in all.iter().zip(out.split('\n')) {
                    let mut it = conv.chars();
                    let same = it.next() == Some(*orig) && it.next().is_none();
                    if !same {
                        set.insert(*orig);
                    }
                }
            }
            set
        };
        let trad = classify(&t2s);
        let simp = classify(&s2t);
        // Characters that both tables change are ambiguous; keep them out of both sets.
        let both: Vec<char> = trad.intersection(&simp).copied().collect();
        let (mut trad, mut simp) = (trad, simp);
        for c in both {
            trad.remove(&c);
            simp.remove(&c);
        }
        Converters { t2s, trad: CharSet::from(&trad), simp: CharSet::from(&simp) }
    })
}

/// Counts of script-specific characters in a text.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScriptStats {
    pub traditional: usize,
    pub simplified: usize,
}

pub fn script_stats(text: &str) -> ScriptStats {
    let c = converters();
    let mut st = ScriptStats::default();
    for ch in text.chars() {
        if (ch as u32) < 0x3400 {
            continue;
        }
        if c.trad.contains(ch) {
            st.traditional += 1;
        } else if c.simp.contains(ch) {
            st.simplified += 1;
        }
    }
    st
}

/// Converts Traditional script to Simplified (identity when the converter is unavailable).
pub fn to_simplified(text: &str) -> String {
    match &converters().t2s {
        Some(cv) => cv.convert(text),
        None => text.to_string(),
    }
}

/// Folds full-width ASCII variants, ideographic space and NBSP.
pub fn fold_width(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let c = ch as u32;
        let mapped = match ch {
            '\u{3000}' | '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{200B}' => ' ',
            '\u{FEFF}' => continue,
            // Keep the full-width punctuation that statutory labels use.
            '（' | '）' | '，' | '：' | '；' => ch,
            _ if (0xFF10..=0xFF19).contains(&c) || (0xFF21..=0xFF3A).contains(&c) || (0xFF41..=0xFF5A).contains(&c) => {
                char::from_u32(c - 0xFEE0).unwrap_or(ch)
            }
            '．' => '.',
            '／' => '/',
            '－' => '-',
            '｜' => '|',
            _ => ch,
        };
        out.push(mapped);
    }
    out
}

/// Letters, digits and Han only.
pub fn compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            let u = c as u32;
            (0x4E00..=0x9FFF).contains(&u) || (0x3400..=0x4DBF).contains(&u) || (!(0x2000..=0x206F).contains(&u) && !(0xFF00..=0xFF0F).contains(&u) && c.is_alphanumeric())
        };
        if keep {
            out.push(c);
        }
    }
    out
}

fn is_page_marker(t: &str) -> bool {
    let t = t.trim();
    if t.is_empty() {
        return false;
    }
    let inner = t.trim_matches(|c: char| c == '-' || c == '—' || c == '–' || c.is_whitespace());
    if inner.len() < t.len() && !inner.is_empty() && inner.len() <= 4 && inner.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // 第 3 页 / 第3页 共6页
    if !t.contains('页') || t.len() > 40 {
        return false;
    }
    let c = compact(t);
    if let Some(rest) = c.strip_prefix('第') {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() {
            let after = &rest[digits.len()..];
            if after == "页" || (after.starts_with("页共") && after.ends_with('页')) {
                return true;
            }
        }
    }
    false
}

/// The result of normalising a whole text.
pub struct Normalized {
    pub lines: Vec<Line>,
    pub stats: ScriptStats,
}

/// Splits the text into lines and normalises each (script conversion only when Traditional
/// characters are present).
pub fn normalize(text: &str) -> Normalized {
    let stats = script_stats(text);
    let raw_lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let converted: Option<Vec<String>> = if stats.traditional > 0 {
        let joined = to_simplified(text);
        let conv: Vec<String> =
            joined.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()).collect();
        if conv.len() == raw_lines.len() {
            Some(conv)
        } else {
            Some(raw_lines.iter().map(|l| to_simplified(l)).collect())
        }
    } else {
        None
    };
    let mut lines = Vec::with_capacity(raw_lines.len());
    for (i, raw) in raw_lines.iter().enumerate() {
        let simp = match &converted {
            Some(c) => c.get(i).map(String::as_str).unwrap_or(raw),
            None => raw,
        };
        let text = fold_width(simp).trim().to_string();
        let compact = compact(&text);
        let page_marker = is_page_marker(&text);
        lines.push(Line { no: i + 1, raw: (*raw).to_string(), text, compact, page_marker });
    }
    Normalized { lines, stats }
}

// ---------------------------------------------------------------------------------------------
// Cell tokenisation
// ---------------------------------------------------------------------------------------------

/// A cell token with its raw text.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub value: Value,
    pub raw: String,
}

/// A line split into a label part and trailing cells.
#[derive(Debug, Clone, Default)]
pub struct RowLine {
    pub label: String,
    pub cells: Vec<Tok>,
}

fn is_blank_marker(s: &str) -> bool {
    matches!(s, "/" | "\\" | "-" | "—" | "–" | "——" | "－" | "--" | "―")
}

/// Parses one cell token. `allow_empty` makes "" a blank cell (tab/Markdown rows).
pub fn parse_cell(s: &str, allow_empty: bool) -> Option<Value> {
    let s = s.trim();
    if s.is_empty() {
        return if allow_empty { Some(Value::Blank) } else { None };
    }
    if is_blank_marker(s) {
        return Some(Value::Blank);
    }
    let (neg, body) = match s.strip_prefix('-').or_else(|| s.strip_prefix('+')) {
        Some(b) => (s.starts_with('-'), b),
        None => (false, s),
    };
    if body.is_empty() || body.len() > 24 {
        return None;
    }
    // thousands separators: 3,119 / 1,234,567
    let digits: String = if body.contains(',') {
        let groups: Vec<&str> = body.split(',').collect();
        let ok = groups.len() > 1
            && !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().enumerate().all(|(i, g)| {
                let last = i == groups.len() - 2;
                let int_part = if last { g.split('.').next().unwrap_or("") } else { g };
                int_part.len() == 3
            });
        if !ok {
            return None;
        }
        groups.concat()
    } else {
        body.to_string()
    };
    let mut dot = 0;
    for c in digits.chars() {
        if c == '.' {
            dot += 1;
        } else if !c.is_ascii_digit() {
            return None;
        }
    }
    if dot > 1 || digits.starts_with('.') || digits.ends_with('.') {
        return None;
    }
    if dot == 0 {
        let v: i64 = digits.parse().ok()?;
        Some(Value::Int(if neg { -v } else { v }))
    } else {
        let v: f64 = digits.parse().ok()?;
        Some(Value::Dec(if neg { -v } else { v }))
    }
}

/// A Markdown table alignment row such as `|---|:--:|`.
pub fn is_markdown_rule(t: &str) -> bool {
    let t = t.trim();
    t.contains('-')
        && t.contains('|')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// Splits a table line into its label and trailing cells.
pub fn split_row(text: &str) -> RowLine {
    let t = text.trim();
    if t.is_empty() || is_markdown_rule(t) {
        return RowLine::default();
    }
    let (fields, allow_empty): (Vec<String>, bool) = if t.contains('|') && t.matches('|').count() >= 2 {
        let inner = t.trim_matches('|');
        (inner.split('|').map(|f| f.trim().to_string()).collect(), true)
    } else if t.contains('\t') {
        (t.split('\t').map(|f| f.trim().to_string()).collect(), true)
    } else {
        (t.split_whitespace().map(str::to_string).collect(), false)
    };
    // Expand fields that hold several space-separated cells ("0 0 0").
    let mut expanded: Vec<(String, bool)> = Vec::with_capacity(fields.len());
    for f in fields {
        let parts: Vec<&str> = f.split_whitespace().collect();
        if parts.len() > 1 && parts.iter().all(|p| parse_cell(p, false).is_some()) {
            for p in parts {
                expanded.push((p.to_string(), false));
            }
        } else {
            expanded.push((f, allow_empty));
        }
    }
    let mut cells_rev: Vec<Tok> = Vec::new();
    let mut cut = expanded.len();
    while cut > 0 {
        let (f, empty_ok) = &expanded[cut - 1];
        match parse_cell(f, *empty_ok) {
            Some(v) => {
                cells_rev.push(Tok { value: v, raw: f.clone() });
                cut -= 1;
            }
            None => break,
        }
    }
    // Trailing empty fields of a tab row with no numbers at all are not cells.
    if cells_rev.iter().all(|t| t.raw.is_empty()) {
        cut = expanded.len();
        cells_rev.clear();
    }
    let mut label_fields: Vec<String> = expanded[..cut].iter().map(|(f, _)| f.clone()).collect();
    // A label run together with its first number: "予以公开5".
    if let Some(last) = label_fields.last_mut() {
        let mut digits: String = last.chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        while digits.ends_with('.') {
            digits.pop();
        }
        if !digits.is_empty() && digits.len() < last.len() && digits.chars().any(|c| c.is_ascii_digit()) {
            let head_len = last.len() - digits.len();
            let head = &last[..head_len];
            let prev = head.chars().last();
            let han_before = prev.is_some_and(|c| !c.is_ascii() && c.is_alphabetic() || matches!(c, '）' | ')' | '”'));
            if han_before {
                let num: String = digits.chars().rev().collect();
                if let Some(v) = parse_cell(&num, false) {
                    cells_rev.push(Tok { value: v, raw: num });
                    *last = head.to_string();
                }
            }
        }
    }
    cells_rev.reverse();
    let label = label_fields.iter().filter(|f| !f.is_empty()).cloned().collect::<Vec<_>>().join(" ");
    RowLine { label, cells: cells_rev }
}

/// Splits a run of digits into `n` numbers whose first `n-1` add up to the last, when exactly
/// one such split exists (cells run together by a converter: "5000005").
pub fn split_run_together(digits: &str, n: usize) -> Option<Vec<i64>> {
    let b = digits.as_bytes();
    if b.len() < n || b.len() > 20 || !b.iter().all(u8::is_ascii_digit) || n < 2 {
        return None;
    }
    let mut found: Option<Vec<i64>> = None;
    let mut count = 0usize;
    let mut cur: Vec<i64> = Vec::with_capacity(n);
    fn rec(b: &[u8], pos: usize, n: usize, cur: &mut Vec<i64>, found: &mut Option<Vec<i64>>, count: &mut usize) {
        if *count > 1 {
            return;
        }
        let left = n - cur.len();
        if left == 0 {
            if pos == b.len() {
                let (last, head) = match cur.split_last() {
                    Some(x) => x,
                    None => return,
                };
                if head.iter().sum::<i64>() == *last {
                    *count += 1;
                    *found = Some(cur.clone());
                }
            }
            return;
        }
        let remaining = b.len() - pos;
        if remaining < left {
            return;
        }
        let max_len = (remaining - (left - 1)).min(9);
        for len in 1..=max_len {
            let part = &b[pos..pos + len];
            if len > 1 && part[0] == b'0' {
                break;
            }
            let v = part.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0'));
            cur.push(v);
            rec(b, pos + len, n, cur, found, count);
            cur.pop();
        }
    }
    rec(b, 0, n, &mut cur, &mut found, &mut count);
    if count == 1 {
        found
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(parse_cell("3,119", false), Some(Value::Int(3119)));
        assert_eq!(parse_cell("96171.6", false), Some(Value::Dec(96171.6)));
        assert_eq!(parse_cell("-8", false), Some(Value::Int(-8)));
        assert_eq!(parse_cell("/", false), Some(Value::Blank));
        assert_eq!(parse_cell("2023年", false), None);
        assert_eq!(parse_cell("1.", false), None);
    }

    #[test]
    fn rows() {
        let r = split_row("一、本年新收政府信息公开申请数量 3001 53 0 0 61 4 3119");
        assert_eq!(r.cells.len(), 7);
        assert_eq!(r.label, "一、本年新收政府信息公开申请数量");
        let r = split_row("1.属于国家秘密");
        assert!(r.cells.is_empty());
        let r = split_row("| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |");
        assert_eq!(r.cells.len(), 7);
        let r = split_row("（一）予以公开5 0 0 0 0 0 5");
        assert_eq!(r.cells.len(), 7);
        assert_eq!(r.label, "（一）予以公开");
        let r = split_row("规章\t1\t\t11");
        assert_eq!(r.cells.len(), 3);
        assert!(r.cells[1].value.is_blank());
        assert!(split_row("|---|---|").cells.is_empty());
    }

    #[test]
    fn run_together() {
        assert_eq!(split_run_together("5000005", 7), Some(vec![5, 0, 0, 0, 0, 0, 5]));
        assert_eq!(split_run_together("121000013", 7), None); // 12,1,…,13 and 1,2,10,…,13 both fit
        assert_eq!(split_run_together("3000003", 7), Some(vec![3, 0, 0, 0, 0, 0, 3]));
        assert_eq!(split_run_together("1", 7), None);
    }

    #[test]
    fn page_markers() {
        assert!(is_page_marker("- 3 -"));
        assert!(is_page_marker("第 3 页 共 6 页"));
        assert!(!is_page_marker("3"));
    }
}
