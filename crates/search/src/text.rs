//! Text normalisation shared by indexing and querying: Traditional script is
//! converted to Simplified (OpenCC `t2s`), full-width letters and digits
//! become ASCII, Latin letters are lower-cased and runs of whitespace become
//! one space. Both sides go through [`normalise`], so 政府信息公開 and
//! 政府信息公开 meet in the index.

use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

fn t2s() -> Option<&'static OpenCC> {
    static CV: OnceLock<Option<OpenCC>> = OnceLock::new();
    CV.get_or_init(|| match OpenCC::from_config(BuiltinConfig::T2s) {
        Ok(cv) => Some(cv),
        Err(e) => {
            tracing::error!(error = %e, "OpenCC t2s converter unavailable; search will not fold Traditional script");
            None
        }
    })
    .as_ref()
}

/// Traditional → Simplified only (no other change).
pub fn to_simplified(text: &str) -> String {
    match t2s() {
        Some(cv) => cv.convert(text),
        None => text.to_owned(),
    }
}

fn fold(c: char) -> char {
    let u = c as u32;
    match c {
        '\u{3000}' | '\u{00A0}' => ' ',
        _ if (0xFF01..=0xFF5E).contains(&u) => char::from_u32(u - 0xFEE0).unwrap_or(c).to_ascii_lowercase(),
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Folding aligned with the original text: every character of `text`
/// becomes exactly one character of the result (Traditional → Simplified,
/// full-width → ASCII, lower case; whitespace and control characters become
/// a space), and `map[b]` is the byte offset in `text` of the character at
/// byte `b` of the result (`map` has one more entry, for the end). The
/// tokenizer folds with this, so the index keeps the stored text as written
/// — titles and snippets show it unchanged — while matching on the folded
/// form.
pub fn fold_aligned(text: &str) -> (String, Vec<usize>) {
    let simplified = to_simplified(text);
    let count = text.chars().count();
    let simple: Vec<char> = if simplified.chars().count() == count {
        simplified.chars().collect()
    } else {
        // A phrase conversion changed the length: convert character by
        // character so that positions stay aligned.
        text.chars()
            .map(|c| {
                let mut buf = [0u8; 4];
                let one = to_simplified(c.encode_utf8(&mut buf));
                let mut it = one.chars();
                match (it.next(), it.next()) {
                    (Some(s), None) => s,
                    _ => c,
                }
            })
            .collect()
    };
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    for ((at, _), c) in text.char_indices().zip(simple) {
        let f = if c.is_whitespace() || c.is_control() { ' ' } else { fold(c) };
        out.push(f);
        map.extend(std::iter::repeat_n(at, f.len_utf8()));
    }
    map.push(text.len());
    (out, map)
}

/// The normal form of text for queries: [`fold_aligned`], with runs of
/// whitespace made one space and the ends trimmed.
pub fn normalise(text: &str) -> String {
    let (folded, _) = fold_aligned(text);
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.chars() {
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// The form of a query kept by the analytics: normalised, at most 64
/// characters, and with any run of seven or more digits (telephone,
/// identity-card or account numbers someone may have typed) replaced by
/// `＊`, so that no personal number is ever stored.
pub fn query_for_stats(query: &str) -> String {
    let text = normalise(query);
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= 7 {
            out.push('＊');
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || c == 'x' && !digits.is_empty() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_simplified_meet() {
        assert_eq!(normalise("政府信息公開"), normalise("政府信息公开"));
        assert_eq!(normalise("年度報告"), "年度报告");
        assert_eq!(normalise("  ＡＢＣ　１２３ "), "abc 123");
    }

    #[test]
    fn folding_keeps_positions() {
        let text = "信息公開指南（2023年修訂）ＡＢ\n乾隆";
        let (folded, map) = fold_aligned(text);
        assert_eq!(folded.chars().count(), text.chars().count());
        assert!(folded.starts_with("信息公开指南(2023年修订)ab "), "{folded}");
        assert_eq!(map.len(), folded.len() + 1);
        // The folded 修订 maps back to the original 修訂.
        let at = folded.find("修订").expect("found");
        let end = at + "修订".len();
        assert_eq!(&text[map[at]..map[end]], "修訂");
    }

    #[test]
    fn stats_form_hides_long_numbers() {
        assert_eq!(query_for_stats("张三 13800138000"), "张三 ＊");
        assert_eq!(query_for_stats("44180219900101123X 低保"), "＊ 低保");
        assert_eq!(query_for_stats("清城府〔2023〕12号"), "清城府〔2023〕12号");
        assert_eq!(query_for_stats(&"公开".repeat(50)).chars().count(), 64);
    }
}
