//! The 索引号 (index number) pattern (rule E1, spec §6.3).
//!
//! No national standard for the 索引号 was found, so the format is configurable
//! per organisation. A pattern is literal text plus placeholders:
//!
//! | placeholder  | renders as                                         |
//! |--------------|----------------------------------------------------|
//! | `{org_code}` | the organisation's 机构代码 (统一社会信用代码 or 组织机构代码) |
//! | `{year}`     | four-digit year of the publication date            |
//! | `{month}`    | two-digit month of the publication date            |
//! | `{serial:N}` | the serial number, zero-padded to N digits (1–10)  |
//!
//! Serials are counted per organisation per year, so every pattern must
//! contain `{year}` and exactly one `{serial:N}`. Literal text may use ASCII
//! letters and digits and `-`, `/`, `_`, `.`.
//!
//! The default, `{org_code}/{year}-{serial:5}`, gives the commonest form seen on
//! government sites, e.g. `11370812004339255B/2020-22849`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// The default pattern: `<机构代码>/<年份>-<5位流水号>`.
pub const DEFAULT_PATTERN: &str = "{org_code}/{year}-{serial:5}";

/// Longest pattern accepted, in characters.
pub const MAX_PATTERN_LEN: usize = 100;

/// Smallest and largest serial width.
pub const SERIAL_WIDTH_RANGE: std::ops::RangeInclusive<usize> = 1..=10;

/// A parsed, valid 索引号 pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPattern {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    OrgCode,
    Year,
    Month,
    Serial(usize),
}

/// Why a pattern is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexPatternError {
    #[error("索引号规则不能为空")]
    Empty,
    #[error("索引号规则过长（不能超过{MAX_PATTERN_LEN}个字符）")]
    TooLong,
    #[error("索引号规则缺少流水号 {{serial:N}}")]
    MissingSerial,
    #[error("索引号规则只能包含一个流水号 {{serial:N}}")]
    DuplicateSerial,
    #[error("索引号规则缺少年份 {{year}}（流水号按年度编排）")]
    MissingYear,
    #[error("索引号规则含未知占位符 {{{0}}}，可用的占位符为 {{org_code}}、{{year}}、{{month}}、{{serial:N}}")]
    UnknownPlaceholder(String),
    #[error("索引号规则的花括号不成对（第{0}个字符）")]
    UnbalancedBraces(usize),
    #[error("索引号规则中流水号位数“{0}”无效，应为 1 至 10 之间的整数，例如 {{serial:5}}")]
    SerialWidth(String),
    #[error("索引号规则含不允许的字符“{0}”，固定文字只能使用英文字母、数字及 - / _ .")]
    InvalidLiteral(char),
}

impl IndexPattern {
    /// Parse and validate a pattern.
    pub fn parse(s: &str) -> Result<IndexPattern, IndexPatternError> {
        if s.is_empty() {
            return Err(IndexPatternError::Empty);
        }
        if s.chars().count() > MAX_PATTERN_LEN {
            return Err(IndexPatternError::TooLong);
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = s.chars().enumerate();
        while let Some((pos, c)) = chars.next() {
            match c {
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, inner) in chars.by_ref() {
                        match inner {
                            '}' => {
                                closed = true;
                                break;
                            }
                            // The brace at `pos` is not closed before the next one opens.
                            '{' => return Err(IndexPatternError::UnbalancedBraces(pos + 1)),
                            other => name.push(other),
                        }
                    }
                    if !closed {
                        return Err(IndexPatternError::UnbalancedBraces(pos + 1));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(parse_placeholder(&name)?);
                }
                '}' => return Err(IndexPatternError::UnbalancedBraces(pos + 1)),
                c if c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '_' | '.') => literal.push(c),
                other => return Err(IndexPatternError::InvalidLiteral(other)),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let serials = parts.iter().filter(|p| matches!(p, Part::Serial(_))).count();
        if serials == 0 {
            return Err(IndexPatternError::MissingSerial);
        }
        if serials > 1 {
            return Err(IndexPatternError::DuplicateSerial);
        }
        if !parts.contains(&Part::Year) {
            return Err(IndexPatternError::MissingYear);
        }
        Ok(IndexPattern { source: s.to_string(), parts })
    }

    /// Render an index number. `date` is the publication date (gives the year
    /// and month); `serial` is zero-padded to the pattern's width, or printed
    /// in full if it has more digits.
    pub fn render(&self, org_code: &str, date: NaiveDate, serial: u64) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::OrgCode => out.push_str(org_code.trim()),
                Part::Year => out.push_str(&format!("{:04}", date.year())),
                Part::Month => out.push_str(&format!("{:02}", date.month())),
                Part::Serial(width) => out.push_str(&format!("{serial:0width$}")),
            }
        }
        out
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Digits of the serial number.
    pub fn serial_width(&self) -> usize {
        self.parts
            .iter()
            .find_map(|p| match p {
                Part::Serial(w) => Some(*w),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// Whether the pattern includes the organisation's code. Without it, two
    /// organisations on one installation can produce the same index number.
    pub fn uses_org_code(&self) -> bool {
        self.parts.contains(&Part::OrgCode)
    }

    /// Whether the pattern includes the month.
    pub fn uses_month(&self) -> bool {
        self.parts.contains(&Part::Month)
    }
}

impl Default for IndexPattern {
    fn default() -> Self {
        IndexPattern {
            source: DEFAULT_PATTERN.to_string(),
            parts: vec![Part::OrgCode, Part::Literal("/".to_string()), Part::Year, Part::Literal("-".to_string()), Part::Serial(5)],
        }
    }
}

impl FromStr for IndexPattern {
    type Err = IndexPatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndexPattern::parse(s)
    }
}

impl fmt::Display for IndexPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn parse_placeholder(name: &str) -> Result<Part, IndexPatternError> {
    match name {
        "org_code" => Ok(Part::OrgCode),
        "year" => Ok(Part::Year),
        "month" => Ok(Part::Month),
        "serial" => Err(IndexPatternError::SerialWidth(String::new())),
        _ => match name.strip_prefix("serial:") {
            Some(width) => {
                let parsed = if width.bytes().all(|b| b.is_ascii_digit()) { width.parse::<usize>().ok() } else { None };
                match parsed {
                    Some(w) if SERIAL_WIDTH_RANGE.contains(&w) => Ok(Part::Serial(w)),
                    _ => Err(IndexPatternError::SerialWidth(width.to_string())),
                }
            }
            None => Err(IndexPatternError::UnknownPlaceholder(name.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn err(s: &str) -> IndexPatternError {
        IndexPattern::parse(s).expect_err(s)
    }

    #[test]
    fn default_pattern_renders_the_common_form() {
        let p = IndexPattern::parse(DEFAULT_PATTERN).expect("default");
        assert_eq!(p, IndexPattern::default());
        assert_eq!(p.as_str(), DEFAULT_PATTERN);
        assert_eq!(p.to_string(), DEFAULT_PATTERN);
        assert_eq!(p.serial_width(), 5);
        assert!(p.uses_org_code());
        assert!(!p.uses_month());
        assert_eq!(p.render("11370812004339255B", d(2020, 6, 1), 22849), "11370812004339255B/2020-22849");
        assert_eq!(p.render("000014349", d(2018, 3, 1), 222), "000014349/2018-00222");
        assert_eq!(p.render("035210000", d(2025, 1, 2), 16), "035210000/2025-00016");
        assert_eq!(p.render("113708280043326001", d(2024, 12, 31), 2411), "113708280043326001/2024-02411");
    }

    #[test]
    fn observed_local_variants() {
        // Year + month (宁国): 11341702486344515H/202110-00013.
        let p = IndexPattern::parse("{org_code}/{year}{month}-{serial:5}").expect("ym");
        assert!(p.uses_month());
        assert_eq!(p.render("11341702486344515H", d(2021, 10, 8), 13), "11341702486344515H/202110-00013");
        // 云南: 01527918X-2020-153077 (6-digit serial, hyphens).
        let p = IndexPattern::parse("{org_code}-{year}-{serial:6}").expect("yn");
        assert_eq!(p.render("01527918X", d(2020, 5, 1), 153077), "01527918X-2020-153077");
        // Literal organisation prefix, no {org_code}: j602402--2023-0165.
        let p = IndexPattern::parse("j602402--{year}-{serial:4}").expect("literal");
        assert!(!p.uses_org_code());
        assert_eq!(p.render("ignored", d(2023, 1, 1), 165), "j602402--2023-0165");
        // Dots and underscores are allowed literals.
        let p = IndexPattern::parse("A_{year}.{serial:3}").expect("dots");
        assert_eq!(p.render("", d(2024, 2, 29), 7), "A_2024.007");
    }

    #[test]
    fn serial_overflow_is_printed_in_full() {
        let p = IndexPattern::default();
        assert_eq!(p.render("X", d(2023, 1, 1), 123456), "X/2023-123456");
        assert_eq!(p.render("X", d(2023, 1, 1), 0), "X/2023-00000");
        assert_eq!(p.render("X", d(2023, 1, 1), u64::MAX), format!("X/2023-{}", u64::MAX));
        let p = IndexPattern::parse("{year}{serial:10}").expect("10");
        assert_eq!(p.render("X", d(2023, 1, 1), 42), "20230000000042");
        let p = IndexPattern::parse("{year}-{serial:1}").expect("1");
        assert_eq!(p.render("X", d(2023, 1, 1), 42), "2023-42");
    }

    #[test]
    fn org_code_is_trimmed() {
        assert_eq!(IndexPattern::default().render(" 000014349 ", d(2018, 1, 1), 1), "000014349/2018-00001");
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(err(""), IndexPatternError::Empty);
        assert_eq!(err("{org_code}/{year}"), IndexPatternError::MissingSerial);
        assert_eq!(err("{org_code}/{year}").to_string(), "索引号规则缺少流水号 {serial:N}");
        assert_eq!(err("{org_code}/{serial:5}"), IndexPatternError::MissingYear);
        assert_eq!(err("{org_code}/{serial:5}").to_string(), "索引号规则缺少年份 {year}（流水号按年度编排）");
        assert_eq!(err("{year}-{serial:3}-{serial:3}"), IndexPatternError::DuplicateSerial);
        assert_eq!(err("{foo}/{year}-{serial:5}"), IndexPatternError::UnknownPlaceholder("foo".into()));
        assert!(err("{foo}/{year}-{serial:5}").to_string().starts_with("索引号规则含未知占位符 {foo}"));
        assert_eq!(err("{Year}-{serial:5}"), IndexPatternError::UnknownPlaceholder("Year".into()));
        assert_eq!(err("{ year }-{serial:5}"), IndexPatternError::UnknownPlaceholder(" year ".into()));
        assert_eq!(err("{}-{year}-{serial:5}"), IndexPatternError::UnknownPlaceholder(String::new()));
        assert_eq!(err("{year-{serial:5}"), IndexPatternError::UnbalancedBraces(1));
        assert_eq!(err("{year}-{serial:5}-{x"), IndexPatternError::UnbalancedBraces(19));
        assert_eq!(err("{year}-{serial:5"), IndexPatternError::UnbalancedBraces(8));
        assert_eq!(err("{year}}-{serial:5}"), IndexPatternError::UnbalancedBraces(7));
        assert!(err("{year}}").to_string().contains("花括号不成对"));
        assert_eq!(err("{year}-{serial:0}"), IndexPatternError::SerialWidth("0".into()));
        assert_eq!(err("{year}-{serial:11}"), IndexPatternError::SerialWidth("11".into()));
        assert_eq!(err("{year}-{serial:x}"), IndexPatternError::SerialWidth("x".into()));
        assert_eq!(err("{year}-{serial:+5}"), IndexPatternError::SerialWidth("+5".into()));
        assert_eq!(err("{year}-{serial}"), IndexPatternError::SerialWidth(String::new()));
        assert!(err("{year}-{serial:0}").to_string().contains("1 至 10"));
        assert_eq!(err("{year} {serial:5}"), IndexPatternError::InvalidLiteral(' '));
        assert_eq!(err("清城{year}-{serial:5}"), IndexPatternError::InvalidLiteral('清'));
        assert_eq!(err("{year}〔{serial:5}"), IndexPatternError::InvalidLiteral('〔'));
        assert!(err("{year}#{serial:5}").to_string().contains("“#”"));
        let long = format!("{}{{year}}{{serial:5}}", "a".repeat(MAX_PATTERN_LEN));
        assert_eq!(err(&long), IndexPatternError::TooLong);
        assert!("{year}{serial:5}".parse::<IndexPattern>().is_ok());
    }

    proptest! {
        #[test]
        fn render_pads_and_keeps_all_digits(width in 1usize..=10, serial in any::<u64>(), year in 2000i32..2100, month in 1u32..=12) {
            let p = IndexPattern::parse(&format!("{{org_code}}/{{year}}{{month}}-{{serial:{width}}}")).expect("pattern");
            let s = p.render("ABC", d(year, month, 1), serial);
            let prefix = format!("ABC/{year}{month:02}-");
            prop_assert!(s.starts_with(&prefix));
            let digits = &s[prefix.len()..];
            prop_assert!(digits.len() >= width);
            prop_assert_eq!(digits.parse::<u64>().ok(), Some(serial));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = IndexPattern::parse(&s);
        }

        #[test]
        fn distinct_serials_give_distinct_numbers(a in any::<u64>(), b in any::<u64>(), width in 1usize..=10) {
            prop_assume!(a != b);
            let p = IndexPattern::parse(&format!("{{org_code}}/{{year}}-{{serial:{width}}}")).expect("pattern");
            let day = d(2023, 5, 1);
            prop_assert_ne!(p.render("X", day, a), p.render("X", day, b));
        }
    }
}
