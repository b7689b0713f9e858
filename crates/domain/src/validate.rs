//! Field validation with Chinese messages that name the field.
//!
//! Every check returns [`FieldError`]s carrying the code field name (for
//! highlighting the form control), the Chinese label and a full Chinese
//! sentence, e.g. `名称不能为空`.


use chrono::NaiveDate;
use serde::Serialize;

use crate::catalog::statutory_category;
use crate::model::ItemFields;

/// A validation failure of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    /// Code field name, e.g. `title`.
    pub field: &'static str,
    /// Chinese label, e.g. `名称`.
    pub label: &'static str,
    /// Full Chinese sentence naming the field, e.g. `名称不能为空`.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, label: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field, label, message: message.into() }
    }
}

/// Maximum lengths (in characters) of the item fields.
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 2000;
pub const PUBLISHER_MAX: usize = 100;
pub const DOC_NUMBER_MAX: usize = 100;
pub const TOPIC_MAX: usize = 50;
pub const GENRE_MAX: usize = 50;
pub const KEYWORDS_MAX: usize = 200;
/// Maximum size of the body, in bytes.
pub const BODY_MAX_BYTES: usize = 1_000_000;

/// Earliest accepted 成文日期 (founding of the PRC); earlier dates are typos.
pub fn earliest_formed_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1949, 10, 1).unwrap_or(NaiveDate::MIN)
}

/// `value` must be non-blank and at most `max_chars` characters (after trimming).
pub fn validate_required(field: &'static str, label: &'static str, value: &str, max_chars: usize) -> Option<FieldError> {
    if value.trim().is_empty() {
        return Some(FieldError::new(field, label, format!("{label}不能为空")));
    }
    validate_max_len(field, label, value, max_chars)
}

/// `value`, if given, must be at most `max_chars` characters (after trimming).
pub fn validate_max_len(field: &'static str, label: &'static str, value: &str, max_chars: usize) -> Option<FieldError> {
    let n = value.trim().chars().count();
    (n > max_chars).then(|| FieldError::new(field, label, format!("{label}不能超过{max_chars}个字符（当前{n}个）")))
}

/// Single-line fields must not contain line breaks or other control characters.
fn validate_single_line(field: &'static str, label: &'static str, value: &str) -> Option<FieldError> {
    value.trim().chars().any(char::is_control).then(|| FieldError::new(field, label, format!("{label}不能包含换行符或其他控制字符")))
}

/// Multi-line fields may contain line breaks and tabs, no other control characters.
fn validate_multi_line(field: &'static str, label: &'static str, value: &str) -> Option<FieldError> {
    value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .then(|| FieldError::new(field, label, format!("{label}不能包含控制字符")))
}

/// Validate the editable fields of an item. `today` is the local date.
pub fn validate_item(fields: &ItemFields, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut push = |e: Option<FieldError>| {
        if let Some(e) = e {
            errors.push(e);
        }
    };

    if fields.catalog_id <= 0 {
        push(Some(FieldError::new("catalog_id", "所属栏目", "请选择所属栏目")));
    }

    push(validate_required("title", "名称", &fields.title, TITLE_MAX).or_else(|| validate_single_line("title", "名称", &fields.title)));
    push(
        validate_max_len("summary", "内容概述", &fields.summary, SUMMARY_MAX)
            .or_else(|| validate_multi_line("summary", "内容概述", &fields.summary)),
    );
    if fields.body_html.len() > BODY_MAX_BYTES {
        push(Some(FieldError::new(
            "body_html",
            "正文",
            format!("正文过长：不能超过{BODY_MAX_BYTES}字节（当前{}字节），大段内容请作为附件上传", fields.body_html.len()),
        )));
    }
    push(
        validate_required("publisher", "发布机构", &fields.publisher, PUBLISHER_MAX)
            .or_else(|| validate_single_line("publisher", "发布机构", &fields.publisher)),
    );

    if fields.formed_date > today {
        push(Some(FieldError::new("formed_date", "成文日期", "成文日期不能晚于今天")));
    } else if fields.formed_date < earliest_formed_date() {
        push(Some(FieldError::new("formed_date", "成文日期", "成文日期不能早于1949年10月1日，请检查年份")));
    }

    if let Some(doc_number) = &fields.doc_number {
        push(
            validate_max_len("doc_number", "文号", doc_number, DOC_NUMBER_MAX)
                .or_else(|| validate_single_line("doc_number", "文号", doc_number)),
        );
    }
    push(
        validate_max_len("topic", "主题分类", &fields.topic, TOPIC_MAX)
            .or_else(|| validate_single_line("topic", "主题分类", &fields.topic)),
    );
    push(
        validate_max_len("genre", "体裁分类", &fields.genre, GENRE_MAX)
            .or_else(|| validate_single_line("genre", "体裁分类", &fields.genre)),
    );
    push(
        validate_max_len("keywords", "关键词", &fields.keywords, KEYWORDS_MAX)
            .or_else(|| validate_multi_line("keywords", "关键词", &fields.keywords)),
    );

    if let Some(code) = &fields.statutory_category {
        let code = code.trim();
        if !code.is_empty() && statutory_category(code).is_none() {
            push(Some(FieldError::new("statutory_category", "法定公开类别", format!("法定公开类别“{code}”不存在，请从列表中选择"))));
        }
    }
    errors
}

/// Validate an item for publication (rule E1): everything [`validate_item`]
/// checks, plus the Art. 12 目录 element 内容概述 must be present.
pub fn validate_for_publication(fields: &ItemFields, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = validate_item(fields, today);
    if fields.summary.trim().is_empty() {
        errors.push(FieldError::new("summary", "内容概述", "内容概述不能为空（政府信息公开目录须包含内容概述）"));
    }
    errors
}

const OPEN_BRACKETS: &[char] = &['[', '(', '（', '〔', '［', '【', '﹝', '〖'];
const CLOSE_BRACKETS: &[char] = &[']', ')', '）', '〕', '］', '】', '﹞', '〗'];

/// Canonical form of a 文号 for duplicate detection: trims, removes all
/// whitespace, turns full-width digits into ASCII, and writes the brackets
/// around a four-digit year as 〔 〕. So `清城府〔2023〕12号`,
/// `清城府[2023]12号` and `清城府（2023） 12号` are equal.
pub fn normalise_doc_number(s: &str) -> String {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
            other => other,
        })
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if OPEN_BRACKETS.contains(&c)
            && i + 5 < chars.len()
            && chars[i + 1..i + 5].iter().all(char::is_ascii_digit)
            && CLOSE_BRACKETS.contains(&chars[i + 5])
        {
            out.push('〔');
            out.extend(&chars[i + 1..i + 5]);
            out.push('〕');
            i += 6;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// 用户名: 3–32 characters, ASCII letters, digits, `.`, `_`, `-`.
pub fn validate_username(s: &str) -> Option<FieldError> {
    let err = |m: &str| Some(FieldError::new("username", "用户名", m));
    if s.is_empty() {
        return err("用户名不能为空");
    }
    let n = s.chars().count();
    if !(3..=32).contains(&n) {
        return err("用户名长度须为3至32个字符");
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return err("用户名只能使用英文字母、数字及 . _ -");
    }
    None
}

pub use crate::password::{is_common_password, validate_password, PasswordContext, PasswordPolicy};

/// Character set of the 统一社会信用代码 (GB 32100-2015): no I, O, Z, S, V.
const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^i mod 31.
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Weights of the 组织机构代码 (GB 11714-1997).
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of the first 17 characters of a 统一社会信用代码,
/// or `None` if a character is outside the charset.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        let v = USCC_CHARSET.find(c)? as u32;
        sum += v * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    USCC_CHARSET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// The check character of the first 8 characters of a 组织机构代码,
/// or `None` if a character is not a digit or upper-case letter.
pub fn org_code_check_char(first8: &str) -> Option<char> {
    if first8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first8.chars().zip(ORG_CODE_WEIGHTS) {
        let v = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'A'..='Z' => u32::from(c) - u32::from('A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

/// 机构代码: an 18-character 统一社会信用代码 (GB 32100-2015) or a 9-character
/// 组织机构代码 (GB 11714, optionally written `XXXXXXXX-C`), each with a valid
/// check character.
pub fn validate_org_code(s: &str) -> Option<FieldError> {
    let err = |m: &str| Some(FieldError::new("org_code", "机构代码", m));
    let code = s.trim();
    if code.is_empty() {
        return err("机构代码不能为空");
    }
    if code.chars().any(|c| c.is_ascii_lowercase()) {
        return err("机构代码中的字母须为大写");
    }
    let chars: Vec<char> = code.chars().collect();
    match chars.len() {
        18 => {
            if let Some(bad) = chars.iter().find(|c| !USCC_CHARSET.contains(**c)) {
                return err(&format!("机构代码含无效字符“{bad}”（统一社会信用代码只使用数字和除 I、O、Z、S、V 以外的大写字母）"));
            }
            if !chars[2..8].iter().all(char::is_ascii_digit) {
                return err("机构代码第3至8位应为行政区划代码（数字），请核对统一社会信用代码");
            }
            let first17: String = chars[..17].iter().collect();
            if uscc_check_char(&first17) != Some(chars[17]) {
                return err("机构代码校验位不正确，请核对统一社会信用代码");
            }
            None
        }
        9 | 10 if chars.len() == 9 && chars.contains(&'-') => err("机构代码应为18位统一社会信用代码或9位组织机构代码"),
        9 | 10 => {
            let (body, check) = if chars.len() == 10 {
                if chars[8] != '-' {
                    return err("机构代码应为18位统一社会信用代码或9位组织机构代码");
                }
                (&chars[..8], chars[9])
            } else {
                (&chars[..8], chars[8])
            };
            if let Some(bad) = body.iter().find(|c| !(c.is_ascii_digit() || c.is_ascii_uppercase())) {
                return err(&format!("机构代码含无效字符“{bad}”（组织机构代码只使用数字和大写字母）"));
            }
            let body: String = body.iter().collect();
            if org_code_check_char(&body) != Some(check) {
                return err("机构代码校验位不正确，请核对组织机构代码");
            }
            None
        }
        _ => err("机构代码应为18位统一社会信用代码或9位组织机构代码"),
    }
}

/// 标识 (URL slug): 2–32 lower-case ASCII letters, digits and `-`, not starting
/// or ending with `-`.
pub fn validate_slug(s: &str) -> Option<FieldError> {
    let err = |m: &str| Some(FieldError::new("slug", "标识", m));
    if s.is_empty() {
        return err("标识不能为空");
    }
    let n = s.chars().count();
    if !(2..=32).contains(&n) {
        return err("标识长度须为2至32个字符");
    }
    if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return err("标识只能使用小写英文字母、数字和连字符（-）");
    }
    if s.starts_with('-') || s.ends_with('-') {
        return err("标识不能以连字符（-）开头或结尾");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DisclosureMode, DocType};
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 20).expect("date")
    }

    fn fields() -> ItemFields {
        ItemFields {
            catalog_id: 3,
            title: "清远市清城区人民政府关于印发某某办法的通知".into(),
            summary: "印发某某办法。".into(),
            body_html: "<p>正文</p>".into(),
            publisher: "清城区人民政府办公室".into(),
            formed_date: NaiveDate::from_ymd_opt(2024, 5, 10).expect("date"),
            doc_number: Some("清城府〔2024〕12号".into()),
            topic: "综合政务".into(),
            genre: "通知".into(),
            keywords: "办法，印发".into(),
            disclosure_mode: DisclosureMode::Proactive,
            doc_type: DocType::NormativeDocument,
            statutory_category: Some("art20-1".into()),
        }
    }

    fn messages(f: &ItemFields) -> Vec<(&'static str, String)> {
        validate_item(f, today()).into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn valid_item_passes() {
        assert!(validate_item(&fields(), today()).is_empty());
        assert!(validate_for_publication(&fields(), today()).is_empty());
        let mut f = fields();
        f.doc_number = None;
        f.statutory_category = None;
        f.summary.clear();
        f.topic.clear();
        f.genre.clear();
        f.keywords.clear();
        f.formed_date = today();
        assert!(validate_item(&f, today()).is_empty());
        // Publication needs the 内容概述 (Art. 12 目录 element).
        let e = validate_for_publication(&f, today());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "summary");
        assert!(e[0].message.starts_with("内容概述不能为空"));
    }

    #[test]
    fn title_rules() {
        let mut f = fields();
        f.title = "   ".into();
        assert_eq!(messages(&f), vec![("title", "名称不能为空".to_string())]);
        f.title = "字".repeat(200);
        assert!(messages(&f).is_empty());
        f.title = "字".repeat(201);
        assert_eq!(messages(&f), vec![("title", "名称不能超过200个字符（当前201个）".to_string())]);
        f.title = "第一行\n第二行".into();
        assert_eq!(messages(&f), vec![("title", "名称不能包含换行符或其他控制字符".to_string())]);
        // Surrounding whitespace is not counted.
        f.title = format!("  {}  ", "字".repeat(200));
        assert!(messages(&f).is_empty());
    }

    #[test]
    fn each_field_is_named() {
        let mut f = fields();
        f.catalog_id = 0;
        f.summary = "概".repeat(2001);
        f.body_html = "x".repeat(BODY_MAX_BYTES + 1);
        f.publisher = String::new();
        f.formed_date = NaiveDate::from_ymd_opt(2024, 5, 21).expect("date");
        f.doc_number = Some("号".repeat(101));
        f.topic = "题".repeat(51);
        f.genre = "裁".repeat(51);
        f.keywords = "词".repeat(201);
        f.statutory_category = Some("art99".into());
        let errors = validate_item(&f, today());
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "catalog_id",
                "summary",
                "body_html",
                "publisher",
                "formed_date",
                "doc_number",
                "topic",
                "genre",
                "keywords",
                "statutory_category"
            ]
        );
        for e in &errors {
            assert!(e.message.contains(e.label), "{e:?}");
        }
        let by = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone()).unwrap_or_default();
        assert_eq!(by("formed_date"), "成文日期不能晚于今天");
        assert_eq!(by("publisher"), "发布机构不能为空");
        assert_eq!(by("summary"), "内容概述不能超过2000个字符（当前2001个）");
        assert_eq!(by("doc_number"), "文号不能超过100个字符（当前101个）");
        assert_eq!(by("topic"), "主题分类不能超过50个字符（当前51个）");
        assert_eq!(by("genre"), "体裁分类不能超过50个字符（当前51个）");
        assert_eq!(by("keywords"), "关键词不能超过200个字符（当前201个）");
        assert_eq!(by("statutory_category"), "法定公开类别“art99”不存在，请从列表中选择");
        assert_eq!(by("catalog_id"), "请选择所属栏目");
        assert!(by("body_html").starts_with("正文过长"));
        // FieldError displays as its message and serialises with all three parts.
        assert_eq!(errors[4].to_string(), "成文日期不能晚于今天");
        let json = serde_json::to_value(&errors[4]).expect("json");
        assert_eq!(json["field"], "formed_date");
        assert_eq!(json["label"], "成文日期");
    }

    #[test]
    fn body_limit_is_in_bytes() {
        let mut f = fields();
        f.body_html = "x".repeat(BODY_MAX_BYTES);
        assert!(messages(&f).is_empty());
        // 333,334 CJK characters are 1,000,002 bytes.
        f.body_html = "字".repeat(333_334);
        assert_eq!(messages(&f).len(), 1);
    }

    #[test]
    fn formed_date_bounds() {
        let mut f = fields();
        f.formed_date = NaiveDate::from_ymd_opt(1949, 10, 1).expect("date");
        assert!(messages(&f).is_empty());
        f.formed_date = NaiveDate::from_ymd_opt(1949, 9, 30).expect("date");
        assert_eq!(messages(&f)[0].0, "formed_date");
        f.formed_date = NaiveDate::from_ymd_opt(202, 1, 1).expect("date");
        assert!(messages(&f)[0].1.contains("1949年10月1日"));
    }

    #[test]
    fn doc_number_is_free_text_up_to_100() {
        let mut f = fields();
        for dn in ["清城府〔2023〕12号", "清城府[2023]12号", "无", "粤府函（2023）5号", "  ", ""] {
            f.doc_number = Some(dn.into());
            assert!(messages(&f).is_empty(), "{dn}");
        }
        f.doc_number = Some(format!("  {}  ", "号".repeat(100)));
        assert!(messages(&f).is_empty());
        f.doc_number = Some("清城府\t〔2023〕12号".into());
        assert_eq!(messages(&f)[0].1, "文号不能包含换行符或其他控制字符");
    }

    #[test]
    fn statutory_category_codes() {
        let mut f = fields();
        for c in ["art20-15", "art21-t-4", "art21-c-1", "", " "] {
            f.statutory_category = Some(c.into());
            assert!(messages(&f).is_empty(), "{c}");
        }
        f.statutory_category = Some("（一）行政法规、规章和规范性文件".into());
        assert_eq!(messages(&f)[0].0, "statutory_category");
    }

    #[test]
    fn doc_numbers_normalise_for_duplicate_detection() {
        let canonical = "清城府〔2023〕12号";
        for v in [
            "清城府〔2023〕12号",
            "清城府[2023]12号",
            "清城府(2023)12号",
            "清城府（2023）12号",
            "清城府［2023］12号",
            "清城府【2023】12号",
            "清城府﹝2023﹞12号",
            " 清城府 〔2023〕 12号 ",
            "清城府\u{3000}（２０２３）１２号",
            "清城府(2023〕12号",
        ] {
            assert_eq!(normalise_doc_number(v), canonical, "{v}");
        }
        assert_ne!(normalise_doc_number("清城府〔2023〕12号"), normalise_doc_number("清城府〔2023〕13号"));
        assert_ne!(normalise_doc_number("清城府〔2023〕12号"), normalise_doc_number("清城府〔2022〕12号"));
        // Brackets not around a four-digit year are kept.
        assert_eq!(normalise_doc_number("国发(2023)第(1)号"), "国发〔2023〕第(1)号");
        assert_eq!(normalise_doc_number("[20231]号"), "[20231]号");
        assert_eq!(normalise_doc_number("(202)"), "(202)");
        assert_eq!(normalise_doc_number(""), "");
        assert_eq!(normalise_doc_number("(2023"), "(2023");
        assert_eq!(normalise_doc_number("2023)"), "2023)");
    }

    #[test]
    fn usernames() {
        for ok in ["abc", "zhang.san", "li_si-2", &"a".repeat(32)] {
            assert_eq!(validate_username(ok), None, "{ok}");
        }
        assert_eq!(validate_username("").map(|e| e.message), Some("用户名不能为空".into()));
        assert_eq!(validate_username("ab").map(|e| e.message), Some("用户名长度须为3至32个字符".into()));
        assert!(validate_username(&"a".repeat(33)).is_some());
        let e = validate_username("张三丰").expect("cjk");
        assert_eq!(e.field, "username");
        assert_eq!(e.label, "用户名");
        assert_eq!(e.message, "用户名只能使用英文字母、数字及 . _ -");
        assert!(validate_username("a b c").is_some());
        assert!(validate_username("a@b.c").is_some());
    }

    #[test]
    fn org_codes() {
        // Real 统一社会信用代码 (also seen in 索引号).
        for ok in [
            "91350100M000100Y43",
            "11370812004339255B",
            "11620622013933539B",
            "113708280043326001",
            "11341702486344515H",
            " 91350100M000100Y43 ",
        ] {
            assert_eq!(validate_org_code(ok), None, "{ok}");
        }
        // Real 组织机构代码, with and without the hyphen.
        for ok in ["000014349", "053533505", "01527918X", "01527918-X", "00001434-9", "D2143569X"] {
            assert_eq!(validate_org_code(ok), None, "{ok}");
        }
        let msg = |s: &str| validate_org_code(s).map(|e| e.message).unwrap_or_default();
        assert_eq!(msg("91350100M000100Y44"), "机构代码校验位不正确，请核对统一社会信用代码");
        assert_eq!(msg("91350100M000100Y4"), "机构代码应为18位统一社会信用代码或9位组织机构代码");
        assert_eq!(msg("91350100M00010OY43"), "机构代码含无效字符“O”（统一社会信用代码只使用数字和除 I、O、Z、S、V 以外的大写字母）");
        assert_eq!(msg("913501a0M000100Y43"), "机构代码中的字母须为大写");
        assert_eq!(msg("9135A100M000100Y43"), "机构代码第3至8位应为行政区划代码（数字），请核对统一社会信用代码");
        // 035210000 is used as an index prefix on a live site but is not a valid
        // 组织机构代码 (the check digit should be 8).
        assert_eq!(msg("035210000"), "机构代码校验位不正确，请核对组织机构代码");
        assert_eq!(validate_org_code("035210008"), None);
        assert_eq!(msg("0001434-9"), "机构代码应为18位统一社会信用代码或9位组织机构代码");
        assert_eq!(msg("00001434_9"), "机构代码应为18位统一社会信用代码或9位组织机构代码");
        assert_eq!(msg("0000143#9"), "机构代码含无效字符“#”（组织机构代码只使用数字和大写字母）");
        assert_eq!(msg(""), "机构代码不能为空");
        assert_eq!(msg("清城区"), "机构代码应为18位统一社会信用代码或9位组织机构代码");
        let e = validate_org_code("x").expect("err");
        assert_eq!((e.field, e.label), ("org_code", "机构代码"));
    }

    #[test]
    fn check_characters() {
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(uscc_check_char("91350100M000100Y"), None);
        assert_eq!(uscc_check_char("91350100M000100YI"), None);
        assert_eq!(org_code_check_char("00001434"), Some('9'));
        assert_eq!(org_code_check_char("01527918"), Some('X')); // 11 − 1 = 10 → X
        assert_eq!(org_code_check_char("00000000"), Some('0')); // 11 − 0 = 11 → 0
        assert_eq!(org_code_check_char("0000000"), None);
        assert_eq!(org_code_check_char("0000000a"), None);
        // The 9 characters 9–17 of a 统一社会信用代码 are its 组织机构代码.
        assert_eq!(org_code_check_char("M000100Y"), Some('4'));
    }

    #[test]
    fn slugs() {
        for ok in ["qc", "yuantan", "qingcheng-qu", "a1", &"a".repeat(32)] {
            assert_eq!(validate_slug(ok), None, "{ok}");
        }
        let msg = |s: &str| validate_slug(s).map(|e| e.message).unwrap_or_default();
        assert_eq!(msg(""), "标识不能为空");
        assert_eq!(msg("a"), "标识长度须为2至32个字符");
        assert_eq!(msg(&"a".repeat(33)), "标识长度须为2至32个字符");
        assert_eq!(msg("Yuantan"), "标识只能使用小写英文字母、数字和连字符（-）");
        assert_eq!(msg("yuan_tan"), "标识只能使用小写英文字母、数字和连字符（-）");
        assert_eq!(msg("源潭"), "标识只能使用小写英文字母、数字和连字符（-）");
        assert_eq!(msg("-ab"), "标识不能以连字符（-）开头或结尾");
        assert_eq!(msg("ab-"), "标识不能以连字符（-）开头或结尾");
        let e = validate_slug("A").expect("err");
        assert_eq!((e.field, e.label), ("slug", "标识"));
    }

    #[test]
    fn required_helper() {
        assert_eq!(validate_required("name", "名称", "机关", 10), None);
        assert_eq!(validate_required("name", "名称", " ", 10).map(|e| e.message), Some("名称不能为空".into()));
        assert_eq!(validate_required("name", "名称", "一二三四五六", 5).map(|e| e.message), Some("名称不能超过5个字符（当前6个）".into()));
        assert_eq!(validate_required("name", "名称", "一二三四五", 5), None);
    }

    proptest! {
        #[test]
        fn any_valid_uscc_body_with_its_check_char_passes(body in proptest::collection::vec(0usize..31, 17), region in proptest::collection::vec(0u32..10, 6)) {
            let mut chars: Vec<char> = body.iter().map(|i| USCC_CHARSET.as_bytes()[*i] as char).collect();
            for (k, digit) in region.iter().enumerate() {
                chars[2 + k] = char::from_digit(*digit, 10).unwrap_or('0');
            }
            let first17: String = chars.iter().collect();
            let check = uscc_check_char(&first17).expect("check");
            let code = format!("{first17}{check}");
            prop_assert_eq!(validate_org_code(&code), None);
            // Any other check character fails.
            for other in USCC_CHARSET.chars().filter(|c| *c != check) {
                let wrong = format!("{first17}{other}");
                prop_assert!(validate_org_code(&wrong).is_some());
            }
        }

        #[test]
        fn single_substitution_in_org_code_is_detected(body in "[0-9A-Z]{8}", pos in 0usize..8, sub in "[0-9A-Z]") {
            let check = org_code_check_char(&body).expect("check");
            prop_assert_eq!(validate_org_code(&format!("{body}{check}")), None);
            prop_assert_eq!(validate_org_code(&format!("{body}-{check}")), None);
            let mut changed: Vec<char> = body.chars().collect();
            let new = sub.chars().next().unwrap_or('0');
            prop_assume!(changed[pos] != new);
            changed[pos] = new;
            let changed: String = changed.into_iter().collect();
            // Weights are nonzero and < 11 and values differ by < 36, so a single
            // change alters the sum mod 11 unless the value difference is a multiple of 11.
            let value = |c: char| c.to_digit(36).unwrap_or(0) as i64;
            let diff = value(body.chars().nth(pos).unwrap_or('0')) - value(new);
            if diff % 11 != 0 {
                let wrong = format!("{changed}{check}");
                prop_assert!(validate_org_code(&wrong).is_some());
            }
        }

        #[test]
        fn normalise_is_idempotent(s in "\\PC{0,30}") {
            let once = normalise_doc_number(&s);
            prop_assert_eq!(normalise_doc_number(&once), once.clone());
        }

        #[test]
        fn validators_never_panic(s in "\\PC{0,40}") {
            let _ = validate_org_code(&s);
            let _ = validate_slug(&s);
            let _ = validate_username(&s);
            let _ = validate_password(&s, &PasswordPolicy::default(), &PasswordContext::new(&s, &[s.as_str()]));
            let _ = normalise_doc_number(&s);
        }
    }
}
