//! Report structure: title (agency, year), section headings, signature and dates.

use crate::text::{compact, split_row, Line};
use chrono::NaiveDate;
use gongkai_domain::report_format::{format, FormatVersion};
use regex::Regex;
use std::sync::LazyLock;

/// A top-level heading candidate.
#[derive(Debug, Clone)]
pub struct Heading {
    /// Index into the lines.
    pub idx: usize,
    /// The number written before the heading (一 = 1 …).
    pub written: u8,
    /// The statutory section it names (1–6).
    pub topic: u8,
    /// The heading text without numbering.
    pub heading: String,
    /// Text after the heading on the same line (e.g. "一、总体情况。2023年…").
    pub inline_content: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Structure {
    pub agency: Option<String>,
    pub year: Option<i32>,
    pub title_idx: Option<usize>,
    /// Chosen headings (first occurrence of each topic), in line order.
    pub headings: Vec<Heading>,
    /// Index of the first signature line (end of the body).
    pub body_end: usize,
    pub signature_agency: Option<(String, usize)>,
    pub signature_date: Option<(NaiveDate, usize)>,
    pub meta_published: Option<(NaiveDate, usize)>,
}

impl Structure {
    /// Line index range (start, end) of the content of the section with `topic`.
    pub fn section_range(&self, topic: u8) -> Option<(usize, usize)> {
        let pos = self.headings.iter().position(|h| h.topic == topic)?;
        let h = &self.headings[pos];
        let end = self
            .headings
            .iter()
            .filter(|o| o.idx > h.idx)
            .map(|o| o.idx)
            .min()
            .unwrap_or(self.body_end)
            .min(self.body_end.max(h.idx + 1));
        Some((h.idx + 1, end.max(h.idx + 1)))
    }

    pub fn heading(&self, topic: u8) -> Option<&Heading> {
        self.headings.iter().find(|h| h.topic == topic)
    }
}

pub fn numeral_value(s: &str) -> Option<u8> {
    let digit = |c: char| -> Option<u8> {
        Some(match c {
            '一' => 1,
            '二' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', c] => digit(*c).map(|d| 10 + d),
        _ => None,
    }
}

static HEADING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[#*\s]*(?:第)?([一二三四五六七八九十]{1,2})(?:部分)?\s*[、.,，:：\s]\s*(.+)$").expect("regex")
});

/// Topic of a heading text (checked in an order that resolves overlaps).
fn heading_topic(heading_compact: &str) -> Option<u8> {
    let f = format(FormatVersion::V2021);
    // Older reports: "政府信息公开工作的基本概况".
    if heading_compact.contains("基本概况") || heading_compact == "概况" {
        return Some(1);
    }
    for n in [4u8, 5, 6, 2, 3, 1] {
        if let Some(spec) = f.section(n) {
            if spec.keywords.iter().any(|k| heading_compact.contains(k)) {
                return Some(n);
            }
        }
    }
    None
}

fn parse_heading(line: &Line, idx: usize) -> Option<Heading> {
    if line.compact.is_empty() || line.text.len() > 600 {
        return None;
    }
    let body = line.text.trim_start_matches(['#', '*', ' ']);
    let first = body.chars().next();
    if !first.is_some_and(|c| "一二三四五六七八九十第、".contains(c)) {
        return None;
    }
    // A heading that lost its numeral ("、主动公开政府信息情况"): numbered as its topic.
    let (written, rest) = if let Some(rest) = body.strip_prefix('、') {
        (0, rest.trim())
    } else {
        let caps = HEADING_RE.captures(line.text)?;
        (numeral_value(caps.get(1)?.as_str())?, caps.get(2)?.as_str().trim())
    };
    let (head, inline) = match rest.find('。') {
        Some(p) => (&rest[..p], !rest[p..].trim_start_matches('。').trim().is_empty()),
        None => (rest, false),
    };
    let hc = compact(head);
    if hc.is_empty() || hc.chars().count() > 40 {
        return None;
    }
    if !inline && !split_row(line.text).cells.is_empty() {
        return None;
    }
    let topic = heading_topic(&hc)?;
    let written = if written == 0 { topic } else { written };
    Some(Heading { idx, written, topic, heading: head.trim().to_string(), inline_content: inline })
}

static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("regex")
});
static DATE_CN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零○O0一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
        .expect("regex")
});
static DATE_NUM_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$").expect("regex"));
static META_DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布日期|发布时间|公开日期|发文日期)\s*[:：]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
        .expect("regex")
});
static TITLE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年度?").expect("regex"));

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' | 'O' | '0' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn cn_small(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', d] => cn_digit(*d).map(|v| 10 + v),
        [d, '十'] => cn_digit(*d).map(|v| v * 10),
        [d, '十', e] => Some(cn_digit(*d)? * 10 + cn_digit(*e)?),
        [d] => cn_digit(*d),
        _ => None,
    }
}

/// All dates (Arabic or Chinese numerals) in a text, with byte offsets.
pub fn find_dates(text: &str) -> Vec<(NaiveDate, usize)> {
    let mut out = Vec::new();
    for c in DATE_RE.captures_iter(text) {
        let (Some(y), Some(m), Some(d)) = (c.get(1), c.get(2), c.get(3)) else { continue };
        if let (Ok(y), Ok(m), Ok(d)) = (y.as_str().parse(), m.as_str().parse(), d.as_str().parse()) {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                out.push((date, c.get(0).map(|m| m.start()).unwrap_or(0)));
            }
        }
    }
    for c in DATE_CN_RE.captures_iter(text) {
        let (Some(y), Some(m), Some(d)) = (c.get(1), c.get(2), c.get(3)) else { continue };
        let year: Option<u32> = y.as_str().chars().try_fold(0u32, |a, ch| cn_digit(ch).map(|v| a * 10 + v));
        if let (Some(y), Some(m), Some(d)) = (year, cn_small(m.as_str()), cn_small(d.as_str())) {
            if let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d) {
                out.push((date, c.get(0).map(|m| m.start()).unwrap_or(0)));
            }
        }
    }
    out
}

/// A line that is only a date.
fn date_only(line: &Line) -> Option<NaiveDate> {
    let t = line.text.trim();
    if let Some(c) = DATE_NUM_RE.captures(t) {
        let y = c.get(1)?.as_str().parse().ok()?;
        let m = c.get(2)?.as_str().parse().ok()?;
        let d = c.get(3)?.as_str().parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let dates = find_dates(t);
    if dates.len() != 1 {
        return None;
    }
    // The line must hold nothing but the date (allow a leading "日期：").
    let c = compact(t);
    if c.chars().count() > 16 {
        return None;
    }
    Some(dates[0].0)
}

const AGENCY_SUFFIXES: &[&str] = &[
    "人民政府", "政府", "办公室", "办公厅", "局", "委员会", "委", "办事处", "街道", "中心", "院", "厅", "部",
    "署", "所", "站", "处", "队", "镇", "乡", "会", "公司", "管委会", "室", "馆", "集团",
];

fn is_agency_line(line: &Line) -> bool {
    let c = line.compact;
    let n = c.chars().count();
    (2..=40).contains(&n)
        && !line.text.contains('。')
        && !c.chars().any(|ch| ch.is_ascii_digit())
        && AGENCY_SUFFIXES.iter().any(|s| c.ends_with(s))
}

/// Finds the structure of the report.
pub fn structure(lines: &[Line]) -> Structure {
    let mut st = Structure { body_end: lines.len(), ..Default::default() };

    // Headings: first occurrence of each topic.
    let mut seen = [false; 7];
    for (i, l) in lines.iter().enumerate() {
        if let Some(h) = parse_heading(l, i) {
            let t = h.topic as usize;
            if !seen[t] {
                seen[t] = true;
                st.headings.push(h);
            }
        }
    }

    // Signature block: trailing agency / date lines.
    let last_heading = st.headings.iter().map(|h| h.idx).max();
    let mut i = lines.len();
    let mut sig_start = lines.len();
    let mut taken = 0;
    while i > 0 && taken < 4 {
        let l = &lines[i - 1];
        if last_heading.is_some_and(|h| i - 1 <= h) {
            break;
        }
        if l.is_blank() {
            i -= 1;
            continue;
        }
        if let Some(d) = date_only(l) {
            if st.signature_date.is_none() {
                st.signature_date = Some((d, i - 1));
            }
        } else if is_agency_line(l) {
            st.signature_agency = Some((l.text.trim().to_string(), i - 1));
        } else {
            break;
        }
        sig_start = i - 1;
        taken += 1;
        i -= 1;
    }
    if st.signature_date.is_none() {
        // Pages with footers: the last date-only line after the last heading.
        let from = last_heading.map(|h| h + 1).unwrap_or(lines.len().saturating_sub(40));
        for j in (from..lines.len()).rev() {
            if let Some(d) = date_only(&lines[j]) {
                st.signature_date = Some((d, j));
                sig_start = sig_start.min(j);
                if j > 0 && is_agency_line(&lines[j - 1]) {
                    st.signature_agency = Some((lines[j - 1].text.trim().to_string(), j - 1));
                    sig_start = sig_start.min(j - 1);
                }
                break;
            }
        }
    }
    st.body_end = sig_start;

    // Publication date from page metadata.
    for (i, l) in lines.iter().enumerate() {
        if !l.text.contains("日期") && !l.text.contains("时间") {
            continue;
        }
        if let Some(c) = META_DATE_RE.captures(l.text) {
            let parsed = (|| {
                let y = c.get(1)?.as_str().parse().ok()?;
                let m = c.get(2)?.as_str().parse().ok()?;
                let d = c.get(3)?.as_str().parse().ok()?;
                NaiveDate::from_ymd_opt(y, m, d)
            })();
            if let Some(d) = parsed {
                st.meta_published = Some((d, i));
                break;
            }
        }
    }

    // Title.
    let first_heading = st.headings.iter().map(|h| h.idx).min().unwrap_or(lines.len().min(30));
    let scan_end = first_heading.min(lines.len());
    for i in 0..scan_end {
        let l = &lines[i];
        let c = l.compact;
        // A title wrapped over two lines ("…年度报" / "告") still names the report.
        let wrapped = c.contains("信息公开") && c.contains("年度") && c.chars().count() <= 60;
        if !(c.contains("报告") || c.contains("年报") || wrapped) {
            continue;
        }
        let Some(m) = TITLE_RE.captures(l.text) else { continue };
        let (Some(whole), Some(ym)) = (m.get(0), m.get(1)) else { continue };
        let Ok(year) = ym.as_str().parse::<i32>() else { continue };
        let after = compact(&l.text[whole.end()..]);
        if !(after.contains("信息公开") || after.contains("年度报告") || after.contains("年报")) {
            continue;
        }
        st.year = Some(year);
        let before = l.text[..whole.start()].trim();
        let short = c.chars().count() <= 60;
        if short {
            st.title_idx = Some(i);
            let agency = before.trim_matches(|ch: char| !ch.is_alphanumeric()).to_string();
            if !agency.is_empty() {
                st.agency = Some(agency);
            } else if let Some(prev) = lines[..i].iter().rev().find(|p| !p.is_blank()) {
                let pc = prev.compact;
                if pc.chars().count() <= 30 && !pc.chars().any(|ch| ch.is_ascii_digit()) {
                    st.agency = Some(prev.text.trim().to_string());
                }
            }
        } else {
            // In a sentence: "…现公布源潭镇2023年政府信息公开工作年度报告".
            let han: String = before.chars().rev().take_while(|ch| ch.is_alphanumeric()).collect::<Vec<_>>().into_iter().rev().collect();
            let mut cand = han.as_str();
            for marker in ["公布", "发布", "现将", "编制", "印发", "是", "为"] {
                if let Some(p) = cand.rfind(marker) {
                    cand = &cand[p + marker.len()..];
                }
            }
            if cand.chars().count() >= 2 {
                st.agency = Some(cand.to_string());
            }
        }
        break;
    }
    // Prefer the signature when it is the fuller name of the same agency.
    if let Some((sig, _)) = &st.signature_agency {
        match &st.agency {
            None => st.agency = Some(sig.clone()),
            Some(a) if sig.contains(a.as_str()) && sig.len() > a.len() && st.title_idx.is_none() => {
                st.agency = Some(sig.clone())
            }
            _ => {}
        }
    }
    st
}

static PERIOD_YEAR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"统计期限\D{0,6}((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日").expect("regex")
});

/// The report year from the statistical period sentence ("统计期限自2023年1月1日起…"),
/// for reports without a title.
pub fn period_year(lines: &[Line]) -> Option<i32> {
    lines.iter().take(40).find_map(|l| {
        if !l.text.contains("统计期限") {
            return None;
        }
        PERIOD_YEAR_RE.captures(l.text)?.get(1)?.as_str().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_dates() {
        let d = find_dates("二〇二四年一月十七日");
        assert_eq!(d[0].0, NaiveDate::from_ymd_opt(2024, 1, 17).unwrap());
        let d = find_dates("2024 年 12 月 31 日");
        assert_eq!(d[0].0, NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    }
}
