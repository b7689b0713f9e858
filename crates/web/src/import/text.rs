//! Small text helpers of the import: dates as Chinese offices write them, decoding of
//! UTF-8 / GBK / GB18030 text, validity words.

use chrono::NaiveDate;
use gongkai_domain::model::Validity;

/// A date as YYYY-MM-DD, YYYY年M月D日, YYYY/M/D or YYYY.M.D (surrounding text such as a time
/// of day is ignored after the date). `None` when it is not a date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let mut nums: Vec<u32> = Vec::new();
    let mut cur = String::new();
    let mut seps = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
            continue;
        }
        if !cur.is_empty() {
            nums.push(cur.parse().ok()?);
            cur.clear();
            if nums.len() == 3 {
                break;
            }
        }
        match c {
            '-' | '/' | '.' | '年' | '月' | '－' | '／' => seps += 1,
            ' ' if nums.is_empty() => {}
            _ => return None,
        }
    }
    if !cur.is_empty() && nums.len() < 3 {
        nums.push(cur.parse().ok()?);
    }
    if nums.len() != 3 || seps < 2 || !(1900..=2100).contains(&nums[0]) {
        return None;
    }
    NaiveDate::from_ymd_opt(nums[0] as i32, nums[1], nums[2])
}

/// Decode text that is UTF-8 (with or without BOM) or GB18030/GBK. `declared` is a charset
/// named by the file itself (an HTML `<meta charset>`), tried first. `None` when neither fits.
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let gb = declared.is_some_and(|d| {
        let d = d.to_ascii_lowercase();
        d.contains("gb") || d.contains("936")
    });
    if !gb {
        if let Ok(t) = std::str::from_utf8(bytes) {
            return Some(t.to_string());
        }
    }
    let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
    if bad {
        return std::str::from_utf8(bytes).ok().map(str::to_string);
    }
    Some(t.into_owned())
}

/// 有效性 from its Chinese label or code; empty means 有效.
pub fn parse_validity(s: &str) -> Option<Validity> {
    let s = s.trim();
    if s.is_empty() {
        return Some(Validity::Valid);
    }
    Validity::ALL.into_iter().find(|v| v.label() == s || v.as_str() == s).or(match s {
        "现行有效" | "有效性：有效" => Some(Validity::Valid),
        "废止" => Some(Validity::Repealed),
        "失效" => Some(Validity::Expired),
        "修改" | "已修订" => Some(Validity::Amended),
        _ => None,
    })
}

/// Collapse whitespace (including full-width spaces and &nbsp;) and trim.
pub fn squash(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A metadata label without its spaces and trailing colon: “索 引 号：” → “索引号”.
pub fn label_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{a0}').collect::<String>().trim_end_matches([':', '：']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_common_forms() {
        let d = NaiveDate::from_ymd_opt(2021, 3, 5);
        assert_eq!(parse_date("2021-03-05"), d);
        assert_eq!(parse_date("2021年3月5日"), d);
        assert_eq!(parse_date("2021/3/5"), d);
        assert_eq!(parse_date("2021-03-05 10:20"), d);
        assert_eq!(parse_date("2021-13-05"), None);
        assert_eq!(parse_date("三月五日"), None);
        assert_eq!(parse_date("20210305"), None);
    }

    #[test]
    fn gbk_and_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("索引号");
        assert_eq!(decode(&gbk, None).as_deref(), Some("索引号"));
        assert_eq!(decode("索引号".as_bytes(), None).as_deref(), Some("索引号"));
        assert_eq!(label_key("索 引 号："), "索引号");
    }
}
