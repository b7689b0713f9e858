//! Personal-data guard (个人信息保护): finds citizens' personal data in text
//! about to be published — 居民身份证号 (with its check character), mobile and
//! landline numbers, bank card numbers (Luhn), passport and 港澳通行证 numbers,
//! detailed residential addresses and personal names next to any of those —
//! and masks it for public display. Plain Rust, no I/O.
//!
//! Positions are **character** offsets (not bytes) into the scanned text, so
//! that a page can show each finding at its place.
//!
//! Rules, chosen for precision on government texts:
//! - numbers must stand alone (no ASCII letter or digit directly before or
//!   after), so 索引号, 统一社会信用代码 and file numbers are not taken;
//! - an 18-character number counts as an ID number only with a valid province
//!   code, birth date and check character; 15-digit first-generation numbers
//!   need a valid province and date;
//! - a bank card number has 16–19 digits and a valid Luhn digit;
//! - a landline needs an area code (`0571-88886666`, `(0571)88886666`,
//!   `057188886666`) or a phone label (`电话：8888 6666`);
//! - an address counts as detailed (a person's home) when it goes below the
//!   house number (幢/栋/单元/室/楼) or names a village group (村…组): an office
//!   address such as `人民路1号` is not personal data;
//! - a name is reported after `姓名`/`申请人`/`联系人`… labels, or when a common
//!   surname starts a 2–3 character word within a few characters before
//!   another finding.

use serde::{Deserialize, Serialize};

use crate::id_check::id_card_check_char;

/// What kind of personal data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    IdCard,
    Mobile,
    Landline,
    BankCard,
    Passport,
    HkMacauPermit,
    Address,
    Name,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::IdCard,
        FindingKind::Mobile,
        FindingKind::Landline,
        FindingKind::BankCard,
        FindingKind::Passport,
        FindingKind::HkMacauPermit,
        FindingKind::Address,
        FindingKind::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::IdCard => "id_card",
            FindingKind::Mobile => "mobile",
            FindingKind::Landline => "landline",
            FindingKind::BankCard => "bank_card",
            FindingKind::Passport => "passport",
            FindingKind::HkMacauPermit => "hk_macau_permit",
            FindingKind::Address => "address",
            FindingKind::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese label for reviewers.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::IdCard => "居民身份证号",
            FindingKind::Mobile => "手机号码",
            FindingKind::Landline => "固定电话号码",
            FindingKind::BankCard => "银行卡号",
            FindingKind::Passport => "护照号码",
            FindingKind::HkMacauPermit => "港澳通行证号码",
            FindingKind::Address => "详细住址",
            FindingKind::Name => "姓名",
        }
    }
}

/// One piece of personal data found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Character offset of the first character.
    pub start: usize,
    /// Character offset one past the last character.
    pub end: usize,
    /// The text found (personal data: never log it).
    pub value: String,
}

impl Finding {
    /// The value masked for display to staff and the public.
    pub fn masked(&self) -> String {
        mask_value(self.kind, &self.value)
    }

    /// The value with separators removed, for acknowledgement keys
    /// (`138-1234-5678` and `13812345678` are the same number).
    pub fn normalised(&self) -> String {
        normalise(&self.value)
    }

    /// The finding in its surrounding text (`context` characters either side),
    /// with the value itself masked: `…申请人住址：[杭州市**********]，电话…`.
    /// Other personal data in the context is masked too (masks keep the length).
    pub fn excerpt(&self, text: &str, context: usize) -> String {
        let chars: Vec<char> = mask_text(text).chars().collect();
        let from = self.start.saturating_sub(context);
        let to = (self.end + context).min(chars.len());
        let before: String = chars[from..self.start.min(chars.len())].iter().collect();
        let after: String = chars[self.end.min(chars.len())..to].iter().collect();
        format!(
            "{}{}【{}】{}{}",
            if from > 0 { "…" } else { "" },
            before.replace(['\n', '\r'], " "),
            self.masked(),
            after.replace(['\n', '\r'], " "),
            if to < chars.len() { "…" } else { "" }
        )
    }
}

fn normalise(value: &str) -> String {
    value
        .chars()
        .map(fold_width)
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）' | '\u{3000}'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Fullwidth digits and letters to ASCII.
fn fold_width(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Mask a value of the given kind (keeps enough to recognise it, never enough to use it).
pub fn mask_value(kind: FindingKind, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let keep = |head: usize, tail: usize| -> String {
        let mut digits_seen = 0;
        let significant = chars.iter().filter(|c| c.is_alphanumeric()).count();
        chars
            .iter()
            .map(|c| {
                if !c.is_alphanumeric() {
                    return *c;
                }
                digits_seen += 1;
                if digits_seen <= head || digits_seen > significant.saturating_sub(tail) {
                    *c
                } else {
                    '*'
                }
            })
            .collect()
    };
    match kind {
        FindingKind::IdCard => keep(4, 4),
        FindingKind::Mobile => keep(3, 4),
        FindingKind::Landline => keep(4, 2),
        FindingKind::BankCard => keep(4, 4),
        FindingKind::Passport | FindingKind::HkMacauPermit => keep(1, 2),
        FindingKind::Name => {
            if n == 0 {
                String::new()
            } else {
                std::iter::once(chars[0]).chain(std::iter::repeat_n('*', n - 1)).collect()
            }
        }
        FindingKind::Address => {
            // Keep the first three characters (the city or county), mask the rest.
            chars.iter().enumerate().map(|(i, c)| if i < 3 { *c } else { '*' }).collect()
        }
    }
}

/// Replace every finding in `text` by its masked form (same length in characters).
pub fn mask_text(text: &str) -> String {
    let findings = scan(text);
    if findings.is_empty() {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in &findings {
        if f.start < at {
            continue;
        }
        out.extend(&chars[at..f.start]);
        out.push_str(&f.masked());
        at = f.end;
    }
    out.extend(&chars[at.min(chars.len())..]);
    out
}

/// Find the personal data in `text`, ordered by position, non-overlapping.
pub fn scan(text: &str) -> Vec<Finding> {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = chars.iter().map(|c| fold_width(*c)).collect();
    let mut found = Vec::new();
    scan_numbers(&chars, &folded, &mut found);
    scan_documents(&chars, &folded, &mut found);
    scan_addresses(&chars, &mut found);
    scan_names(&chars, &mut found);
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        if out.last().is_some_and(|l| f.start < l.end) {
            continue;
        }
        out.push(f);
    }
    out
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn push(found: &mut Vec<Finding>, chars: &[char], kind: FindingKind, start: usize, end: usize) {
    found.push(Finding { kind, start, end, value: chars[start..end].iter().collect() });
}

/// Digit groups: a run of digits, optionally split by single spaces or hyphens
/// (`6222 0212 3456 7890`, `138-1234-5678`), optionally with a trailing `X`.
fn scan_numbers(chars: &[char], f: &[char], found: &mut Vec<Finding>) {
    let n = f.len();
    let mut i = 0;
    while i < n {
        let c = f[i];
        let paren_area = c == '(' || c == '（';
        if !(c.is_ascii_digit() || paren_area) || (i > 0 && (is_alnum(f[i - 1]) || f[i - 1] == '+' && !c.is_ascii_digit())) {
            i += 1;
            continue;
        }
        // `(0571)88886666`: an area code in brackets.
        if paren_area {
            let mut j = i + 1;
            while j < n && f[j].is_ascii_digit() {
                j += 1;
            }
            let area: String = f[i + 1..j].iter().collect();
            if (3..=4).contains(&area.len()) && area.starts_with('0') && j < n && (f[j] == ')' || f[j] == '）') {
                let mut k = j + 1;
                while k < n && f[k].is_ascii_digit() {
                    k += 1;
                }
                if (7..=8).contains(&(k - j - 1)) && (k >= n || !is_alnum(f[k])) {
                    push(found, chars, FindingKind::Landline, i, k);
                    i = k;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        // Collect groups.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        loop {
            let s = j;
            while j < n && f[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((s, j));
            if j + 1 < n && (f[j] == ' ' || f[j] == '-') && f[j + 1].is_ascii_digit() && groups.len() < 6 {
                j += 1;
                continue;
            }
            break;
        }
        let mut end = j;
        let mut x_tail = false;
        if end < n && (f[end] == 'X' || f[end] == 'x') && !(end + 1 < n && is_alnum(f[end + 1])) {
            x_tail = true;
        }
        let after_ok = |e: usize| e >= n || !is_alnum(f[e]);
        let digits: String = groups.iter().flat_map(|(s, e)| f[*s..*e].iter()).collect();
        // Try the whole run first, then the first group alone.
        let whole_end = if x_tail { end + 1 } else { end };
        let mut candidate = digits.clone();
        if x_tail {
            candidate.push('X');
        }
        if after_ok(whole_end) {
            if let Some(kind) = classify(&candidate, groups.len(), &groups, f) {
                push(found, chars, kind, i, whole_end);
                i = whole_end;
                continue;
            }
        }
        if groups.len() > 1 {
            // `电话 0571-8888 6666 转 12` or a number followed by a date: try prefixes.
            for g in (1..groups.len()).rev() {
                let e = groups[g - 1].1;
                let d: String = groups[..g].iter().flat_map(|(s, e)| f[*s..*e].iter()).collect();
                if let Some(kind) = classify(&d, g, &groups[..g], f) {
                    push(found, chars, kind, i, e);
                    end = e;
                    break;
                }
            }
        } else if let Some(label_kind) = labelled_local_number(&digits, i, f) {
            if after_ok(end) {
                push(found, chars, label_kind, i, end);
            }
        }
        i = end.max(i + 1);
    }
}

/// A 7–8 digit local number counts as a landline only after a phone label.
fn labelled_local_number(digits: &str, start: usize, f: &[char]) -> Option<FindingKind> {
    if !(7..=8).contains(&digits.len()) || digits.starts_with('0') {
        return None;
    }
    let before: String = f[start.saturating_sub(6)..start].iter().collect();
    ["电话", "手机", "座机", "Tel", "TEL", "tel", "号码"].iter().any(|l| before.contains(l)).then_some(FindingKind::Landline)
}

fn classify(d: &str, group_count: usize, groups: &[(usize, usize)], f: &[char]) -> Option<FindingKind> {
    let len = d.len();
    let all_digits = d.bytes().all(|b| b.is_ascii_digit());
    if len == 18 && valid_id18(d) {
        return Some(FindingKind::IdCard);
    }
    if len == 18 && looks_like_id18(d) {
        // An ID-shaped number with a wrong check character is not taken for a bank card.
        return None;
    }
    if !all_digits {
        return None;
    }
    if len == 15 && group_count == 1 && valid_id15(d) {
        return Some(FindingKind::IdCard);
    }
    if len == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9') && mobile_grouping(groups) {
        return Some(FindingKind::Mobile);
    }
    if len == 13 && d.starts_with("861") && matches!(d.as_bytes()[3], b'3'..=b'9') {
        let start = groups[0].0;
        if start > 0 && f[start - 1] == '+' {
            return Some(FindingKind::Mobile);
        }
    }
    if d.starts_with('0') && d.as_bytes().get(1).is_some_and(|b| *b != b'0') {
        if group_count >= 2 {
            let area = groups[0].1 - groups[0].0;
            let local: usize = groups[1..].iter().map(|(s, e)| e - s).sum();
            if (3..=4).contains(&area) && (7..=8).contains(&local) {
                return Some(FindingKind::Landline);
            }
        } else if (11..=12).contains(&len) {
            return Some(FindingKind::Landline);
        }
    }
    if (16..=19).contains(&len) && luhn(d) && card_grouping(groups) {
        return Some(FindingKind::BankCard);
    }
    None
}

/// 11 digits as one group or as 3-4-4 / 3-8.
fn mobile_grouping(groups: &[(usize, usize)]) -> bool {
    let lens: Vec<usize> = groups.iter().map(|(s, e)| e - s).collect();
    matches!(lens.as_slice(), [11] | [3, 4, 4] | [3, 8])
}

/// Card numbers are written in one run or in groups of four (the last group 1–4).
fn card_grouping(groups: &[(usize, usize)]) -> bool {
    let lens: Vec<usize> = groups.iter().map(|(s, e)| e - s).collect();
    lens.len() == 1 || lens[..lens.len() - 1].iter().all(|l| *l == 4) || matches!(lens.as_slice(), [6, _])
}

const PROVINCES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some() && (1900..=2100).contains(&y)
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

/// An 18-character 居民身份证号 with valid province, birth date and check character.
pub fn valid_id18(d: &str) -> bool {
    if d.len() != 18 || !d[..17].bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if !PROVINCES.contains(&num(&d[..2])) || !valid_date(num(&d[6..10]), num(&d[10..12]), num(&d[12..14])) {
        return false;
    }
    let last = d.as_bytes()[17].to_ascii_uppercase() as char;
    id_card_check_char(&d[..17]) == Some(last)
}

fn looks_like_id18(d: &str) -> bool {
    d[..17].bytes().all(|b| b.is_ascii_digit()) && PROVINCES.contains(&num(&d[..2])) && valid_date(num(&d[6..10]), num(&d[10..12]), num(&d[12..14]))
}

fn valid_id15(d: &str) -> bool {
    PROVINCES.contains(&num(&d[..2])) && valid_date(1900 + num(&d[6..8]), num(&d[8..10]), num(&d[10..12]))
}

/// The Luhn check (ISO/IEC 7812) used by bank card numbers.
pub fn luhn(d: &str) -> bool {
    let mut sum = 0;
    for (i, b) in d.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut v = u32::from(b - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// Passport (`E12345678`, `EA1234567`, `G12345678`) and 港澳通行证
/// (`C12345678`, `CA1234567`, `W12345678`, 回乡证 `H1234567801`).
fn scan_documents(chars: &[char], f: &[char], found: &mut Vec<Finding>) {
    let n = f.len();
    for i in 0..n {
        let c = f[i];
        if !matches!(c, 'E' | 'G' | 'D' | 'S' | 'P' | 'C' | 'W' | 'H' | 'M') || (i > 0 && is_alnum(f[i - 1])) {
            continue;
        }
        let mut j = i + 1;
        while j < n && is_alnum(f[j]) {
            j += 1;
        }
        let body: String = f[i + 1..j].iter().collect();
        let bytes = body.as_bytes();
        let digits_after = |k: usize| bytes[k..].iter().all(|b| b.is_ascii_digit());
        let second_letter = !bytes.is_empty() && bytes[0].is_ascii_uppercase() && !matches!(bytes[0], b'I' | b'O');
        let kind = match (c, body.len()) {
            ('E', 8) if digits_after(0) || (second_letter && digits_after(1)) => Some(FindingKind::Passport),
            ('G' | 'D' | 'S' | 'P', 8) if digits_after(0) => Some(FindingKind::Passport),
            ('C', 8) if digits_after(0) || (second_letter && digits_after(1)) => Some(FindingKind::HkMacauPermit),
            ('W', 8) if digits_after(0) => Some(FindingKind::HkMacauPermit),
            ('H' | 'M', 8 | 10) if digits_after(0) => Some(FindingKind::HkMacauPermit),
            _ => None,
        };
        if let Some(kind) = kind {
            push(found, chars, kind, i, j);
        }
    }
}

const ROAD_SUFFIXES: [char; 6] = ['路', '街', '巷', '弄', '道', '里'];
const DETAIL_UNITS: [char; 6] = ['幢', '栋', '室', '楼', '号', '组'];

fn is_cn_or_digit(c: char) -> bool {
    c.is_ascii_digit() || "〇零一二三四五六七八九十百".contains(c) || c == '-'
}

/// Detailed residential addresses: `…路12号3幢2单元501室`, `…村5组12号`, `…小区3栋1201`.
fn scan_addresses(chars: &[char], found: &mut Vec<Finding>) {
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let is_anchor = ROAD_SUFFIXES.contains(&c) || c == '村' || is_estate_end(chars, i);
        if !is_anchor {
            i += 1;
            continue;
        }
        // Walk forward over number+unit pairs.
        let mut j = i + 1;
        let mut units: Vec<char> = Vec::new();
        loop {
            let s = j;
            while j < n && is_cn_or_digit(chars[j]) {
                j += 1;
            }
            if j == s || j >= n {
                // `…小区3栋1201` ends with a bare room number
                if j > s && !units.is_empty() {
                    units.push('室');
                }
                break;
            }
            let u = chars[j];
            if u == '单' && j + 1 < n && chars[j + 1] == '元' {
                units.push('单');
                j += 2;
            } else if DETAIL_UNITS.contains(&u) || u == '层' {
                units.push(u);
                j += 1;
            } else {
                if !units.is_empty() && j - s >= 3 && !is_han(u) {
                    units.push('室');
                } else {
                    j = s;
                }
                break;
            }
        }
        let residential = units.iter().any(|u| matches!(u, '幢' | '栋' | '单' | '室' | '层'))
            || (c == '村' && units.contains(&'组'));
        if residential {
            // Back to the start of the place name: up to 12 Han characters.
            let mut s = i;
            while s > 0 && i - s < 12 && is_han(chars[s - 1]) && !"住址地址在于是为和与及或的了：:，,。".contains(chars[s - 1]) {
                s -= 1;
            }
            while s < i && "住址系居家".contains(chars[s]) {
                s += 1;
            }
            push(found, chars, FindingKind::Address, s, j);
            i = j;
        } else {
            i += 1;
        }
    }
}

fn is_estate_end(chars: &[char], i: usize) -> bool {
    let two = |a: char, b: char| i > 0 && chars[i - 1] == a && chars[i] == b;
    two('小', '区') || two('花', '园') || two('新', '村') || two('公', '寓') || chars[i] == '苑'
}

/// Common surnames (single character), enough to recognise most names.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const NAME_LABELS: [&str; 16] = [
    "姓名", "申请人", "联系人", "当事人", "户主", "举报人", "投诉人", "咨询人", "收件人", "经办人", "对象", "村民", "居民", "受助人", "申报人", "本人",
];

fn scan_names(chars: &[char], found: &mut Vec<Finding>) {
    let n = chars.len();
    let others: Vec<(usize, usize)> = found.iter().map(|f| (f.start, f.end)).collect();
    let mut names = Vec::new();
    // After a label: `姓名：张三`, `申请人李四`.
    let text: String = chars.iter().collect();
    for label in NAME_LABELS {
        for (byte_at, _) in text.match_indices(label) {
            let mut at = text[..byte_at].chars().count() + label.chars().count();
            while at < n && matches!(chars[at], '：' | ':' | ' ' | '\u{3000}' | '为') {
                at += 1;
            }
            if let Some(end) = name_at(chars, at) {
                names.push((at, end));
            }
        }
    }
    // A surname-led word just before another finding: `张三，身份证号…`, `张三 13812345678`.
    for (s, _) in &others {
        let window_start = s.saturating_sub(12);
        for at in window_start..*s {
            if at > 0 && is_han(chars[at - 1]) {
                continue;
            }
            if let Some(end) = name_at(chars, at) {
                let gap: String = chars[end..*s].iter().collect();
                if gap.chars().count() <= 8 && gap.chars().all(|c| !"。；;".contains(c)) {
                    names.push((at, end));
                }
            }
        }
    }
    for (s, e) in names {
        if !others.iter().any(|(os, oe)| s < *oe && *os < e) {
            push(found, chars, FindingKind::Name, s, e);
        }
    }
}

/// A 2–3 character name starting with a common surname at `at`, followed by a non-Han character
/// or by a word that commonly follows a name.
fn name_at(chars: &[char], at: usize) -> Option<usize> {
    let n = chars.len();
    if at >= n || !SURNAMES.contains(chars[at]) {
        return None;
    }
    for len in [3, 2] {
        let end = at + len;
        if end > n || !chars[at..end].iter().all(|c| is_han(*c)) {
            continue;
        }
        if chars[at + 1..end].iter().any(|c| "的了和与在是为，。、市县区镇乡村街路号省局委办".contains(*c)) {
            continue;
        }
        let next_ok = end >= n || !is_han(chars[end]) || {
            let rest: String = chars[end..(end + 2).min(n)].iter().collect();
            ["身份", "电话", "手机", "联系", "住址", "家住", "同志", "先生", "女士", "证件", "护照"].iter().any(|w| rest.starts_with(w))
        };
        if next_ok {
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests;
