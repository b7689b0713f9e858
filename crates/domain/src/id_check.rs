//! Identity-document checks for applicants (rule D1, Art. 29 (一) 身份证明).
//!
//! - 居民身份证 (GB 11643-1999): 18 characters — a 6-digit administrative-division
//!   code, an 8-digit birth date `YYYYMMDD`, a 3-digit sequence number (odd for men,
//!   even for women) and a check character. The check character is
//!   `"10X98765432"[Σ(digit_i × weight_i) mod 11]` with the weights
//!   7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2.
//! - 统一社会信用代码 (GB 32100-2015) of a legal person or other organisation: checked
//!   by [`crate::validate::validate_org_code`] / [`crate::validate::uscc_check_char`].
//! - Other documents (passport, travel permits …) are only checked for presence and
//!   length; their formats differ by issuer.
//!
//! All messages are Simplified Chinese sentences for the applicant.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validate::{validate_org_code, FieldError};

/// Weights of the first 17 digits of a 居民身份证 number (GB 11643).
pub const ID_CARD_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check characters indexed by the weighted sum modulo 11.
pub const ID_CARD_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level codes (first two digits) in use in 居民身份证 numbers and
/// residence permits (83 = 台湾居民居住证, 81/82 = 港澳居民居住证).
const PROVINCE_CODES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// Earliest birth date accepted in an ID number.
pub fn earliest_birth_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Why an ID number is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdCheckError {
    #[error("身份证号码不能为空")]
    Empty,
    #[error("身份证号码应为18位（当前{0}位）")]
    Length(usize),
    #[error("身份证号码前17位应为数字，最后一位为数字或字母X（第{position}位“{found}”无效）")]
    InvalidChar { position: usize, found: char },
    #[error("身份证号码前两位“{0}”不是有效的省级行政区划代码")]
    Province(String),
    #[error("身份证号码中的出生日期（第7至14位“{0}”）不是有效日期")]
    BirthDate(String),
    #[error("身份证号码中的出生日期 {0} 不在合理范围内（应在1900年1月1日之后且不晚于今天）")]
    BirthDateRange(NaiveDate),
    #[error("身份证号码校验位不正确（最后一位应为“{expected}”，填写的是“{found}”），请核对号码")]
    CheckChar { expected: char, found: char },
}

impl IdCheckError {
    /// The error as a form-field error (`id_number`, 身份证号码).
    pub fn to_field_error(&self) -> FieldError {
        FieldError::new("id_number", "身份证号码", self.to_string())
    }
}

/// Sex encoded by the 17th digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男 (odd sequence digit)
    Male,
    /// 女 (even sequence digit)
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// What a valid ID number says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdCardInfo {
    /// The normalised number (trimmed, check `x` upper-cased).
    pub number: String,
    /// The 6-digit administrative-division code.
    pub region_code: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

/// The check character of the first 17 digits of a 居民身份证 number, or `None`
/// if `first17` is not exactly 17 ASCII digits.
pub fn id_card_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(ID_CARD_WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    ID_CARD_CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Check an 18-digit 居民身份证 number: length, characters, province code,
/// birth date (a real date between 1900-01-01 and `today`) and check character.
/// Surrounding whitespace is ignored and a lower-case `x` is accepted.
pub fn validate_id_card(s: &str, today: NaiveDate) -> Result<IdCardInfo, IdCheckError> {
    let number = s.trim().to_uppercase();
    if number.is_empty() {
        return Err(IdCheckError::Empty);
    }
    let chars: Vec<char> = number.chars().collect();
    if chars.len() != 18 {
        return Err(IdCheckError::Length(chars.len()));
    }
    for (i, c) in chars.iter().enumerate() {
        let ok = if i < 17 {
            c.is_ascii_digit()
        } else {
            c.is_ascii_digit() || *c == 'X'
        };
        if !ok {
            return Err(IdCheckError::InvalidChar {
                position: i + 1,
                found: *c,
            });
        }
    }
    // All characters are ASCII from here on, so byte slicing is safe.
    let province = &number[0..2];
    if !province
        .parse::<u32>()
        .is_ok_and(|p| PROVINCE_CODES.contains(&p))
    {
        return Err(IdCheckError::Province(province.to_string()));
    }
    let birth = &number[6..14];
    let birth_date = NaiveDate::parse_from_str(birth, "%Y%m%d")
        .map_err(|_| IdCheckError::BirthDate(birth.to_string()))?;
    if birth_date < earliest_birth_date() || birth_date > today {
        return Err(IdCheckError::BirthDateRange(birth_date));
    }
    let expected = id_card_check_char(&number[..17]).ok_or(IdCheckError::InvalidChar {
        position: 1,
        found: chars[0],
    })?;
    if chars[17] != expected {
        return Err(IdCheckError::CheckChar {
            expected,
            found: chars[17],
        });
    }
    let sex = if chars[16].to_digit(10).unwrap_or(0) % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdCardInfo {
        region_code: number[0..6].to_string(),
        number,
        birth_date,
        sex,
    })
}

/// Age in whole years on `on` (for reports of minors, Art. 43 help etc.).
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age
}

/// Kind of identity document (身份证明) given by an applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdDocumentKind {
    /// 居民身份证
    IdCard,
    /// 统一社会信用代码 (legal persons and other organisations)
    Uscc,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HkMacauPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 外国人永久居留身份证
    ForeignerPermanentResidence,
    /// 其他有效身份证明
    Other,
}

/// Maximum length of a document number other than the checked ones.
pub const OTHER_DOC_NUMBER_MAX: usize = 50;

impl IdDocumentKind {
    pub const ALL: [IdDocumentKind; 7] = [
        IdDocumentKind::IdCard,
        IdDocumentKind::Uscc,
        IdDocumentKind::Passport,
        IdDocumentKind::HkMacauPermit,
        IdDocumentKind::TaiwanPermit,
        IdDocumentKind::ForeignerPermanentResidence,
        IdDocumentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdDocumentKind::IdCard => "id_card",
            IdDocumentKind::Uscc => "uscc",
            IdDocumentKind::Passport => "passport",
            IdDocumentKind::HkMacauPermit => "hk_macau_permit",
            IdDocumentKind::TaiwanPermit => "taiwan_permit",
            IdDocumentKind::ForeignerPermanentResidence => "foreigner_permanent_residence",
            IdDocumentKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<IdDocumentKind> {
        IdDocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            IdDocumentKind::IdCard => "居民身份证",
            IdDocumentKind::Uscc => "统一社会信用代码",
            IdDocumentKind::Passport => "护照",
            IdDocumentKind::HkMacauPermit => "港澳居民来往内地通行证",
            IdDocumentKind::TaiwanPermit => "台湾居民来往大陆通行证",
            IdDocumentKind::ForeignerPermanentResidence => "外国人永久居留身份证",
            IdDocumentKind::Other => "其他有效身份证明",
        }
    }
}

/// Check a 统一社会信用代码 given as an applicant's identity proof (18 characters,
/// with its check character). The message names the field 统一社会信用代码.
pub fn validate_uscc(s: &str) -> Option<FieldError> {
    let err = |m: String| Some(FieldError::new("id_number", "统一社会信用代码", m));
    let code = s.trim();
    if code.is_empty() {
        return err("统一社会信用代码不能为空".to_string());
    }
    if code.chars().count() != 18 {
        return err(format!(
            "统一社会信用代码应为18位（当前{}位）",
            code.chars().count()
        ));
    }
    validate_org_code(code).and_then(|e| err(e.message.replace("机构代码", "统一社会信用代码")))
}

/// Check an identity document number of the given kind (field `id_number`).
/// `today` bounds the birth date of an ID card.
pub fn validate_id_document(
    kind: IdDocumentKind,
    number: &str,
    today: NaiveDate,
) -> Option<FieldError> {
    match kind {
        IdDocumentKind::IdCard => validate_id_card(number, today)
            .err()
            .map(|e| e.to_field_error()),
        IdDocumentKind::Uscc => validate_uscc(number),
        other => {
            let label = other.label();
            let n = number.trim().chars().count();
            if n == 0 {
                Some(FieldError::new(
                    "id_number",
                    "证件号码",
                    format!("{label}号码不能为空"),
                ))
            } else if n > OTHER_DOC_NUMBER_MAX {
                Some(FieldError::new(
                    "id_number",
                    "证件号码",
                    format!("{label}号码不能超过{OTHER_DOC_NUMBER_MAX}个字符"),
                ))
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::uscc_check_char;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn today() -> NaiveDate {
        d("2025-06-30")
    }

    /// Build a valid number from its first 17 digits (independent re-implementation).
    fn with_check(first17: &str) -> String {
        let sum: u32 = first17
            .chars()
            .zip(ID_CARD_WEIGHTS)
            .map(|(c, w)| c.to_digit(10).expect("digit") * w)
            .sum();
        format!(
            "{first17}{}",
            "10X98765432".as_bytes()[(sum % 11) as usize] as char
        )
    }

    #[test]
    fn commonly_cited_example_is_valid() {
        // 1×7+1×9+0×10+1×5+0×8+5×4+1×2+9×1+4×6+9×3+1×7+2×9+3×10+1×5+0×8+0×4+2×2 = 167; 167 mod 11 = 2 → 'X'.
        assert_eq!(id_card_check_char("11010519491231002"), Some('X'));
        let info = validate_id_card("11010519491231002X", today()).expect("valid");
        assert_eq!(info.birth_date, d("1949-12-31"));
        assert_eq!(info.region_code, "110105");
        assert_eq!(info.sex, Sex::Female);
        // lower-case x and whitespace are normalised
        let info = validate_id_card(" 11010519491231002x ", today()).expect("valid lower");
        assert_eq!(info.number, "11010519491231002X");
    }

    #[test]
    fn synthetic_numbers_every_check_char() {
        // Vary the sequence number until every one of the 11 check characters has been produced.
        let mut seen = std::collections::BTreeSet::new();
        for seq in 0..400u32 {
            let first17 = format!("44030419900101{seq:03}");
            let n = with_check(&first17);
            let info = validate_id_card(&n, today()).expect("synthetic valid");
            assert_eq!(info.sex, if seq % 2 == 1 { Sex::Male } else { Sex::Female });
            seen.insert(n.chars().last().expect("last"));
            // every wrong check char is refused with the expected one named
            for wrong in ID_CARD_CHECK_CHARS {
                if !n.ends_with(wrong) {
                    let bad = format!("{first17}{wrong}");
                    let e = validate_id_card(&bad, today()).expect_err("wrong check");
                    assert!(matches!(e, IdCheckError::CheckChar { .. }), "{e}");
                }
            }
        }
        assert_eq!(seen.len(), 11);
    }

    #[test]
    fn invalid_numbers_have_chinese_messages() {
        let t = today();
        assert_eq!(validate_id_card("  ", t), Err(IdCheckError::Empty));
        assert_eq!(
            validate_id_card("  ", t).expect_err("e").to_string(),
            "身份证号码不能为空"
        );
        let e = validate_id_card("11010519491231002", t).expect_err("17");
        assert_eq!(e.to_string(), "身份证号码应为18位（当前17位）");
        let e = validate_id_card("110105194912310021X", t).expect_err("19");
        assert_eq!(e, IdCheckError::Length(19));
        let e = validate_id_card("1101051949123100X2", t).expect_err("X in middle");
        assert_eq!(
            e.to_string(),
            "身份证号码前17位应为数字，最后一位为数字或字母X（第17位“X”无效）"
        );
        let e = validate_id_card("11010519491231002Y", t).expect_err("Y");
        assert!(matches!(
            e,
            IdCheckError::InvalidChar {
                position: 18,
                found: 'Y'
            }
        ));
        let e = validate_id_card("１１010519491231002X", t).expect_err("full-width digit");
        assert!(matches!(e, IdCheckError::InvalidChar { position: 1, .. }));
        let e = validate_id_card(&with_check("99010519491231002"), t).expect_err("province");
        assert_eq!(
            e.to_string(),
            "身份证号码前两位“99”不是有效的省级行政区划代码"
        );
        let e = validate_id_card(&with_check("11010519490230002"), t).expect_err("30 Feb");
        assert_eq!(
            e.to_string(),
            "身份证号码中的出生日期（第7至14位“19490230”）不是有效日期"
        );
        let e = validate_id_card(&with_check("11010519491301002"), t).expect_err("month 13");
        assert!(matches!(e, IdCheckError::BirthDate(_)));
        // 29 Feb only in leap years
        assert!(validate_id_card(&with_check("11010520000229002"), t).is_ok());
        assert!(matches!(
            validate_id_card(&with_check("11010519000229002"), t),
            Err(IdCheckError::BirthDate(_))
        ));
        let e = validate_id_card(&with_check("11010518991231002"), t).expect_err("too old");
        assert_eq!(e, IdCheckError::BirthDateRange(d("1899-12-31")));
        let e = validate_id_card(&with_check("11010520250701002"), t).expect_err("future");
        assert!(e.to_string().contains("不在合理范围内"), "{e}");
        assert!(validate_id_card(&with_check("11010520250630002"), t).is_ok());
        let e = validate_id_card("110105194912310021", t).expect_err("check");
        assert_eq!(
            e.to_string(),
            "身份证号码校验位不正确（最后一位应为“X”，填写的是“1”），请核对号码"
        );
        assert_eq!(e.to_field_error().field, "id_number");
    }

    #[test]
    fn check_char_rejects_bad_input() {
        assert_eq!(id_card_check_char("1101051949123100"), None);
        assert_eq!(id_card_check_char("1101051949123100A"), None);
        assert_eq!(id_card_check_char("110105194912310021"), None);
    }

    #[test]
    fn age() {
        assert_eq!(age_on(d("1949-12-31"), d("2025-12-30")), 75);
        assert_eq!(age_on(d("1949-12-31"), d("2025-12-31")), 76);
    }

    #[test]
    fn uscc_and_other_documents() {
        let first17 = "91350100M000100Y4";
        let c = uscc_check_char(first17).expect("check");
        let good = format!("{first17}{c}");
        assert_eq!(validate_uscc(&good), None);
        assert_eq!(
            validate_id_document(IdDocumentKind::Uscc, &good, today()),
            None
        );
        let wrong = if c == '0' { '1' } else { '0' };
        let e = validate_uscc(&format!("{first17}{wrong}")).expect("bad check");
        assert_eq!(
            e.message,
            "统一社会信用代码校验位不正确，请核对统一社会信用代码"
        );
        assert_eq!(e.label, "统一社会信用代码");
        let e = validate_uscc("12345678-9").expect("org code is not enough");
        assert_eq!(e.message, "统一社会信用代码应为18位（当前10位）");
        assert_eq!(
            validate_uscc("").expect("empty").message,
            "统一社会信用代码不能为空"
        );
        assert!(
            validate_id_document(IdDocumentKind::IdCard, "11010519491231002X", today()).is_none()
        );
        let e = validate_id_document(IdDocumentKind::IdCard, "110105194912310021", today())
            .expect("bad");
        assert!(e.message.contains("校验位"));
        assert!(validate_id_document(IdDocumentKind::Passport, "E12345678", today()).is_none());
        assert_eq!(
            validate_id_document(IdDocumentKind::Passport, " ", today())
                .expect("e")
                .message,
            "护照号码不能为空"
        );
        assert!(validate_id_document(IdDocumentKind::Other, &"9".repeat(51), today()).is_some());
        for k in IdDocumentKind::ALL {
            assert_eq!(IdDocumentKind::parse(k.as_str()), Some(k));
        }
    }
}
