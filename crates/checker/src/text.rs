//! Text normalisation: script conversion (Traditional → Simplified), width folding, the line
//! model shared by the parsers, and cell tokenisation of table lines.

use crate::report::Value;
use ferrous_opencc::{config::BuiltinConfig, OpenCC};
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

/// One line of the report. The strings borrow from the input and from [`Normalized`].
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number in the extracted text.
    pub no: usize,
    /// The line as extracted (original script).
    pub raw: &'a str,
    /// Simplified script, ASCII digits/letters/space, trimmed.
    pub text: &'a str,
    /// `text` without whitespace and punctuation (letters, digits and Han only).
    pub compact: &'a str,
    /// A page marker such as "- 3 -" or "第 3 页 共 6 页".
    pub page_marker: bool,
}

impl Line<'_> {
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
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        // U+3400..=U+9FFF are three-byte sequences led by 0xE3..=0xE9; step over all others.
        if !(0xE3..=0xE9).contains(&lead) {
            i += utf8_len(lead);
            continue;
        }
        let (Some(&b1), Some(&b2)) = (b.get(i + 1), b.get(i + 2)) else { break };
        let u = (u32::from(lead & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
        i += 3;
        let Some(ch) = char::from_u32(u) else { continue };
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

/// What width folding does to one character (`None`: dropped): full-width ASCII variants,
/// ideographic space and NBSP become ASCII.
#[inline]
fn fold_char(ch: char) -> Option<char> {
    let c = ch as u32;
    Some(match ch {
        '\u{3000}' | '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{200B}' => ' ',
        '\u{FEFF}' => return None,
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
    })
}

/// Appends `s` width-folded (see [`fold_char`]) to `out`, copying unchanged runs as they are.
pub fn fold_width_into(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        // Every folded character is led by 0xC2 (NBSP), 0xE2 (U+2000 block), 0xE3 (U+3000)
        // or 0xEF (U+FExx/U+FFxx); other bytes pass unchanged.
        let lead = b[i];
        if !matches!(lead, 0xC2 | 0xE2 | 0xE3 | 0xEF) {
            i += utf8_len(lead);
            continue;
        }
        let Some(ch) = s.get(i..).and_then(|r| r.chars().next()) else { break };
        let len = ch.len_utf8();
        let mapped = fold_char(ch);
        if mapped != Some(ch) {
            out.push_str(&s[copied..i]);
            if let Some(m) = mapped {
                out.push(m);
            }
            copied = i + len;
        }
        i += len;
    }
    out.push_str(&s[copied..]);
}

/// Letters, digits and Han only.
pub fn compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    compact_into(s, &mut out);
    out
}

/// Whether [`compact`] keeps a character.
#[inline]
fn compact_keeps(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let u = c as u32;
    if (0x4E00..=0x9FFF).contains(&u) || (0x3400..=0x4DBF).contains(&u) {
        return true;
    }
    // Common CJK punctuation, none of it alphanumeric: skip the Unicode table look-up.
    if (0x3000..=0x3004).contains(&u) || (0x3008..=0x3020).contains(&u) || (0xFF1A..=0xFF20).contains(&u) {
        return false;
    }
    !(0x2000..=0x206F).contains(&u) && !(0xFF00..=0xFF0F).contains(&u) && c.is_alphanumeric()
}

/// Length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte,
/// which valid `str` data never has at a character boundary).
#[inline]
pub fn utf8_len(lead: u8) -> usize {
    match lead {
        0..=0xDF if lead < 0xC0 => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Appends the letters, digits and Han of `s` to `out`, copying kept runs as they are.
pub fn compact_into(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        let (keep, len) = if lead < 0x80 {
            (lead.is_ascii_alphanumeric(), 1)
        } else if (0xE5..=0xE9).contains(&lead) {
            // U+5000..=U+9FFF: all Han.
            (true, 3)
        } else {
            let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else { break };
            (compact_keeps(c), c.len_utf8())
        };
        match (keep, run) {
            (true, None) => run = Some(i),
            (false, Some(r)) => {
                out.push_str(&s[r..i]);
                run = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(r) = run {
        out.push_str(&s[r..i.min(s.len())]);
    }
}

fn is_page_marker(t: &str) -> bool {
    let t = t.trim();
    if t.is_empty() {
        return false;
    }
    const DASHES: [char; 3] = ['-', '—', '–'];
    // "- 3 -": the trimmed line starts and ends with a dash (cheap test first); "-3" alone is
    // a value (a negative change in the 2019 format's 本年增/减 column), not a page marker.
    if t.starts_with(DASHES) && t.ends_with(DASHES) {
        let inner = t.trim_matches(|c: char| DASHES.contains(&c) || c.is_whitespace());
        if inner.len() < t.len() && !inner.is_empty() && inner.len() <= 4 && inner.bytes().all(|c| c.is_ascii_digit()) {
            return true;
        }
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

/// Byte ranges of one line in the buffers of [`Normalized`].
#[derive(Debug, Clone)]
struct Spans {
    raw: Range<usize>,
    text: Range<usize>,
    compact: Range<usize>,
    page_marker: bool,
}

/// The result of normalising a whole text: the normalised text and its compact form are held
/// in two buffers, and [`Normalized::lines`] hands out borrowed lines.
pub struct Normalized<'t> {
    source: &'t str,
    text: String,
    compact: String,
    spans: Vec<Spans>,
    pub stats: ScriptStats,
}

impl Normalized<'_> {
    /// The lines, borrowing from the input and from `self`.
    pub fn lines(&self) -> Vec<Line<'_>> {
        self.spans
            .iter()
            .enumerate()
            .map(|(i, s)| Line {
                no: i + 1,
                raw: self.source.get(s.raw.clone()).unwrap_or_default(),
                text: self.text.get(s.text.clone()).unwrap_or_default(),
                compact: self.compact.get(s.compact.clone()).unwrap_or_default(),
                page_marker: s.page_marker,
            })
            .collect()
    }
}

fn strip_cr(l: &str) -> &str {
    l.strip_suffix('\r').unwrap_or(l)
}

/// Splits the text into lines and normalises each (script conversion only when Traditional
/// characters are present).
pub fn normalize(text: &str) -> Normalized<'_> {
    let stats = script_stats(text);
    let mut raw_ranges: Vec<Range<usize>> = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for l in text.split('\n') {
        raw_ranges.push(start..start + strip_cr(l).len());
        start += l.len() + 1;
    }
    let raw_line = |r: &Range<usize>| text.get(r.clone()).unwrap_or_default();
    // Simplified-script source of each line.
    let converted: Option<String> = (stats.traditional > 0).then(|| to_simplified(text));
    let per_line: Option<Vec<String>> = match &converted {
        Some(c) if c.split('\n').count() != raw_ranges.len() => {
            Some(raw_ranges.iter().map(|r| to_simplified(raw_line(r))).collect())
        }
        _ => None,
    };
    let simplified: Vec<&str> = match (&per_line, &converted) {
        (Some(p), _) => p.iter().map(String::as_str).collect(),
        (None, Some(c)) => c.split('\n').map(strip_cr).collect(),
        (None, None) => raw_ranges.iter().map(raw_line).collect(),
    };
    let mut norm_text = String::with_capacity(text.len());
    let mut compact_buf = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(raw_ranges.len());
    for (raw, simp) in raw_ranges.into_iter().zip(simplified) {
        let begin = norm_text.len();
        fold_width_into(simp, &mut norm_text);
        let folded = &norm_text[begin..];
        let lead = folded.len() - folded.trim_start().len();
        let trimmed_len = folded.trim().len();
        let text_range = begin + lead..begin + lead + trimmed_len;
        norm_text.truncate(text_range.end);
        let line_text = &norm_text[text_range.clone()];
        let c_begin = compact_buf.len();
        compact_into(line_text, &mut compact_buf);
        let page_marker = is_page_marker(line_text);
        spans.push(Spans { raw, text: text_range, compact: c_begin..compact_buf.len(), page_marker });
    }
    Normalized { source: text, text: norm_text, compact: compact_buf, spans, stats }
}

// ---------------------------------------------------------------------------------------------
// Cell tokenisation
// ---------------------------------------------------------------------------------------------

/// A cell token with its raw text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tok<'a> {
    pub value: Value,
    pub raw: &'a str,
}

/// A line split into a label part and trailing cells.
#[derive(Debug, Clone, Default)]
pub struct RowLine<'a> {
    pub label: Cow<'a, str>,
    pub cells: Vec<Tok<'a>>,
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
    let digits: Cow<str> = if body.contains(',') {
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
        Cow::Owned(groups.concat())
    } else {
        Cow::Borrowed(body)
    };
    let mut dot = 0;
    for c in digits.bytes() {
        if c == b'.' {
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

/// `f` holds several space-separated cells ("0 0 0").
fn is_multi_cell(f: &str) -> bool {
    let mut n = 0;
    for p in f.split_whitespace() {
        if parse_cell(p, false).is_none() {
            return false;
        }
        n += 1;
    }
    n > 1
}

/// Splits a table line into its label and trailing cells.
pub fn split_row(text: &str) -> RowLine<'_> {
    let t = text.trim();
    if t.is_empty() || is_markdown_rule(t) {
        return RowLine::default();
    }
    // (field, empty field allowed as a blank cell)
    let mut expanded: Vec<(&str, bool)> = Vec::with_capacity(16);
    if t.bytes().filter(|&b| b == b'|').nth(1).is_some() {
        for f in t.trim_matches('|').split('|') {
            expand_field(f.trim(), true, &mut expanded);
        }
    } else if t.contains('\t') {
        for f in t.split('\t') {
            expand_field(f.trim(), true, &mut expanded);
        }
    } else {
        // Whitespace-separated fields hold no further whitespace: nothing to expand.
        expanded.extend(t.split_whitespace().map(|f| (f, false)));
    }
    let mut cells_rev: Vec<Tok> = Vec::with_capacity(expanded.len());
    let mut cut = expanded.len();
    while cut > 0 {
        let (f, empty_ok) = expanded[cut - 1];
        match parse_cell(f, empty_ok) {
            Some(v) => {
                cells_rev.push(Tok { value: v, raw: f });
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
    let label_fields = &mut expanded[..cut];
    // A label run together with its first number: "予以公开5".
    if let Some((last, _)) = label_fields.last_mut() {
        // Trailing digits and dots, without leading dots.
        let tail_len = last.bytes().rev().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let num = last[last.len() - tail_len..].trim_start_matches('.');
        if !num.is_empty() && num.len() < last.len() {
            let head = &last[..last.len() - num.len()];
            let prev = head.chars().last();
            let han_before = prev.is_some_and(|c| !c.is_ascii() && c.is_alphabetic() || matches!(c, '）' | ')' | '”'));
            if han_before {
                if let Some(v) = parse_cell(num, false) {
                    cells_rev.push(Tok { value: v, raw: num });
                    *last = head;
                }
            }
        }
    }
    cells_rev.reverse();
    let mut nonempty = label_fields.iter().map(|(f, _)| *f).filter(|f| !f.is_empty());
    let label = match (nonempty.next(), nonempty.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(one), None) => Cow::Borrowed(one),
        (Some(a), Some(b)) => {
            let mut joined = String::with_capacity(t.len());
            joined.push_str(a);
            for f in std::iter::once(b).chain(nonempty) {
                joined.push(' ');
                joined.push_str(f);
            }
            Cow::Owned(joined)
        }
    };
    RowLine { label, cells: cells_rev }
}

/// Pushes a `|`/tab field, expanded into its cells when it holds several ("0 0 0").
fn expand_field<'a>(f: &'a str, allow_empty: bool, expanded: &mut Vec<(&'a str, bool)>) {
    if f.bytes().any(|b| b.is_ascii_whitespace() || b >= 0x80) && is_multi_cell(f) {
        expanded.extend(f.split_whitespace().map(|p| (p, false)));
    } else {
        expanded.push((f, allow_empty));
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

    /// The byte-level fast paths agree with the plain per-character definitions.
    #[test]
    fn fast_paths_match_reference() {
        fn compact_ref(s: &str) -> String {
            s.chars()
                .filter(|&c| {
                    if c.is_ascii() {
                        c.is_ascii_alphanumeric()
                    } else {
                        let u = c as u32;
                        (0x4E00..=0x9FFF).contains(&u)
                            || (0x3400..=0x4DBF).contains(&u)
                            || (!(0x2000..=0x206F).contains(&u) && !(0xFF00..=0xFF0F).contains(&u) && c.is_alphanumeric())
                    }
                })
                .collect()
        }
        let mut all = String::new();
        for u in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(u) {
                all.push(c);
                let one = c.to_string();
                assert_eq!(compact(&one), compact_ref(&one), "U+{u:04X}");
                let mut folded = String::new();
                fold_width_into(&one, &mut folded);
                let want: String = fold_char(c).map(String::from).unwrap_or_default();
                assert_eq!(folded, want, "U+{u:04X}");
            }
        }
        assert_eq!(compact(&all), compact_ref(&all));
        let c = converters();
        let sample = format!("國家秘密 国家 abc{all}");
        let (mut t, mut s) = (0, 0);
        for ch in sample.chars() {
            if c.trad.contains(ch) {
                t += 1;
            } else if c.simp.contains(ch) {
                s += 1;
            }
        }
        let st = script_stats(&sample);
        assert_eq!((st.traditional, st.simplified), (t, s));
    }

    #[test]
    fn page_markers() {
        assert!(is_page_marker("- 3 -"));
        assert!(is_page_marker("第 3 页 共 6 页"));
        assert!(!is_page_marker("3"));
        assert!(!is_page_marker("-8"));
        assert!(is_page_marker("- 8 -"));
    }
}
