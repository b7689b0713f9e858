//! Staff passwords: the policy (length, character classes, expiry, history), the list of
//! common passwords and the words of the installation's own context that a password must
//! not be built from.
//!
//! "Built from" is the point: `Qingcheng@2026`, `Gongkai#123`, `Admin@2025!` pass any
//! class rule, and they are what people choose under one. A password is refused when what
//! is left after its leading and trailing digits and symbols are taken away (and common
//! letter substitutions such as `@`→`a`, `0`→`o` undone) is a common password, a common
//! base word, or contains a context word (user name, the person's name, organisation and
//! site names — also as pinyin — and the product's name); a password of fewer than four
//! letters whose digits are a year, a date or a run is refused too.

use std::collections::HashSet;
use std::sync::OnceLock;

use pinyin::ToPinyin;
use serde::Serialize;

use crate::validate::FieldError;

/// Password rules. The default is the 等保 (classified protection) profile: at least 10
/// characters, at least 3 of the 4 character classes, changed every 90 days, none of the
/// last 5 reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PasswordPolicy {
    pub min_len: usize,
    pub max_len: usize,
    /// How many of the 4 classes (lower case, upper case, digit, symbol) must occur.
    pub require_classes: usize,
    /// A password older than this many days must be changed at the next sign-in (0: never).
    pub max_age_days: u32,
    /// A new password may not equal the current one or the ones before it, this many in all
    /// (0: no history).
    pub history: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_len: 10, max_len: 128, require_classes: 3, max_age_days: 90, history: 5 }
    }
}

impl PasswordPolicy {
    /// A Chinese description for the password form, e.g.
    /// `密码长度为10至128个字符，须包含小写字母、大写字母、数字、符号中的至少3类……`.
    pub fn describe(&self) -> String {
        let classes = self.require_classes.min(4);
        let mut s = format!("密码长度为{}至{}个字符", self.min_len, self.max_len);
        if classes > 0 {
            s.push_str(&format!("，须包含小写字母、大写字母、数字、符号中的至少{classes}类"));
        }
        s.push_str("，不能包含用户名，不能用常见密码或本单位、本网站的名称（含拼音）加数字、符号组成");
        if self.history > 0 {
            s.push_str(&format!("，不能与最近{}次用过的密码相同", self.history));
        }
        if self.max_age_days > 0 {
            s.push_str(&format!("；密码每{}天须更换一次", self.max_age_days));
        }
        s
    }
}

fn common_passwords() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| words(include_str!("../data/common_passwords.txt")))
}

fn base_words() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| words(include_str!("../data/password_base_words.txt")))
}

fn words(text: &str) -> HashSet<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_lowercase).collect()
}

/// Whether the password is on the built-in list of common passwords (case-insensitive).
pub fn is_common_password(p: &str) -> bool {
    common_passwords().contains(&p.to_lowercase())
}

/// The words of a password's context: what the person and the installation are called.
#[derive(Debug, Clone, Default)]
pub struct PasswordContext {
    username: String,
    /// Lower-case Latin words (user name parts, pinyin of names, product words).
    words: Vec<String>,
}

/// Words every gongkai installation's passwords must avoid.
const PRODUCT_WORDS: &[&str] = &["gongkai", "xxgk", "zwgk", "zhengfu", "zhengwu", "xinxi", "renmin"];

impl PasswordContext {
    /// The context of `username`, with `names`: the person's name, their organisation's
    /// and its parents' names, the site name (Chinese names are also taken as pinyin).
    pub fn new(username: &str, names: &[&str]) -> PasswordContext {
        let username = username.trim().to_lowercase();
        let mut words: Vec<String> = PRODUCT_WORDS.iter().map(|w| (*w).to_owned()).collect();
        for part in username.split(|c: char| !c.is_ascii_alphabetic()).filter(|p| p.len() >= 4) {
            words.push(part.to_owned());
        }
        for name in names {
            let hans: Vec<char> = name.chars().collect();
            // Latin words written in the name itself (e.g. a site name with an English part).
            for part in name.split(|c: char| !c.is_ascii_alphabetic()).filter(|p| p.len() >= 4) {
                words.push(part.to_ascii_lowercase());
            }
            // Pinyin of every run of 2 to 4 characters: 清城区 gives qingcheng, chengqu, qingchengqu.
            let syllables: Vec<Option<&'static str>> = hans.iter().map(|c| c.to_pinyin().map(|p| p.plain())).collect();
            for len in 2..=4 {
                for window in syllables.windows(len) {
                    if window.iter().all(Option::is_some) {
                        let word: String = window.iter().flatten().copied().collect();
                        if word.len() >= 5 {
                            words.push(word);
                        }
                    }
                }
            }
        }
        words.sort();
        words.dedup();
        PasswordContext { username, words }
    }

    /// The context words (for the security documentation and tests).
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// Undo the common letter substitutions.
fn unleet(c: char) -> char {
    match c {
        '@' | '4' => 'a',
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '$' | '5' => 's',
        '7' => 't',
        '9' => 'g',
        c => c,
    }
}

/// The word a password is built on: leading and trailing digits and symbols removed,
/// substitutions undone, lower case. `Qingcheng@2026` → `qingcheng`, `P@ssw0rd!` → `password`.
fn core_word(p: &str) -> String {
    let lower = p.to_lowercase();
    let trimmed = lower.trim_matches(|c: char| !c.is_alphabetic() && !matches!(c, '@' | '$' | '0' | '1' | '3' | '4' | '5' | '7'));
    // Leading/trailing substitutable characters that are really decoration (`2026`, `@`)
    // are removed when they stand next to other decoration, so strip decoration from the
    // ends once more after mapping.
    let mapped: String = trimmed.chars().map(unleet).collect();
    mapped.trim_matches(|c: char| !c.is_alphabetic()).to_owned()
}

/// All ways of reading the core of `p`: with and without undoing substitutions at the ends.
fn cores(p: &str) -> Vec<String> {
    let lower = p.to_lowercase();
    let plain = lower.trim_matches(|c: char| !c.is_alphabetic()).to_owned();
    let plain_mapped: String = plain.chars().map(unleet).collect();
    let mut out = vec![core_word(p), plain.clone(), plain_mapped];
    // Only the letters, in order ("Ad-min_2025" → "admin").
    out.push(lower.chars().filter(|c| c.is_alphabetic()).collect());
    out.sort();
    out.dedup();
    out.retain(|c| !c.is_empty());
    out
}

/// Check a new password against the policy, the list of common passwords and the words of
/// its context. `None` when it may be used. (The history rule needs the stored hashes and
/// is checked where they are.)
pub fn validate_password(p: &str, policy: &PasswordPolicy, ctx: &PasswordContext) -> Option<FieldError> {
    let err = |m: String| Some(FieldError::new("password", "密码", m));
    if p.is_empty() {
        return err("密码不能为空".into());
    }
    if p.chars().any(char::is_control) {
        return err("密码不能包含控制字符".into());
    }
    let n = p.chars().count();
    if n < policy.min_len {
        return err(format!("密码长度不能少于{}个字符", policy.min_len));
    }
    if n > policy.max_len {
        return err(format!("密码长度不能超过{}个字符", policy.max_len));
    }
    if is_common_password(p) {
        return err("密码过于常见，容易被猜中，请换一个".into());
    }
    let user = &ctx.username;
    if user.chars().count() >= 3 && p.to_lowercase().contains(user.as_str()) {
        return err("密码不能包含用户名".into());
    }
    let cores = cores(p);
    if cores.iter().any(|c| common_passwords().contains(c) || base_words().contains(c)) {
        return err("密码由常见单词加数字或符号组成，容易被猜中，请换一个".into());
    }
    let lower = p.to_lowercase();
    let unleeted: String = lower.chars().map(unleet).collect();
    if let Some(w) = ctx.words.iter().find(|w| lower.contains(w.as_str()) || unleeted.contains(w.as_str())) {
        return err(format!("密码不能包含本单位、本网站或本人的名称（含拼音“{w}”）"));
    }
    // A password of few letters relies on its digits: refused when they are a year, a date
    // or a run.
    let letters = p.chars().filter(|c| c.is_alphabetic()).count();
    if (1..4).contains(&letters) && p.chars().filter(|c| c.is_ascii_digit()).count() >= 4 && looks_like_year_or_run(p) {
        return err("密码主要由年份、日期或连续数字组成，容易被猜中，请换一个".into());
    }
    let classes = [
        p.chars().any(|c| c.is_lowercase()),
        p.chars().any(|c| c.is_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_alphanumeric() || (c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase())),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let required = policy.require_classes.min(4);
    if classes < required {
        return err(format!("密码须包含小写字母、大写字母、数字、符号中的至少{required}类（当前{classes}类）"));
    }
    None
}

/// Digits that are a year (1950–2099), a date or a run (1234, 4321, 1111).
fn looks_like_year_or_run(p: &str) -> bool {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    let b = digits.as_bytes();
    let run = b.windows(2).all(|w| w[1] == w[0] + 1) || b.windows(2).all(|w| w[0] == w[1] + 1) || b.windows(2).all(|w| w[0] == w[1]);
    let year = |s: &str| s.parse::<u32>().is_ok_and(|y| (1950..=2099).contains(&y));
    run || (digits.len() == 4 && year(&digits)) || (digits.len() == 8 && year(&digits[..4])) || (digits.len() == 6 && year(&digits[..4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(user: &str) -> PasswordContext {
        PasswordContext::new(user, &[])
    }

    #[test]
    fn passwords() {
        let p = PasswordPolicy::default();
        assert_eq!(p, PasswordPolicy { min_len: 10, max_len: 128, require_classes: 3, max_age_days: 90, history: 5 });
        let msg = |pw: &str, user: &str| validate_password(pw, &p, &ctx(user)).map(|e| e.message);
        assert_eq!(msg("Gk-2024-xq7T", "zhangsan"), None);
        assert_eq!(msg("gk2024xq7tzz", "zhangsan"), Some("密码须包含小写字母、大写字母、数字、符号中的至少3类（当前2类）".into()));
        assert_eq!(msg("gk-2024-xq7t", "zhangsan"), None); // lower, digit, symbol
        assert_eq!(msg("Gk-2024", "zhangsan"), Some("密码长度不能少于10个字符".into()));
        assert_eq!(msg(&"Aa1!".repeat(33), "zhangsan"), Some("密码长度不能超过128个字符".into()));
        assert_eq!(msg("", "zhangsan"), Some("密码不能为空".into()));
        assert_eq!(msg("Zhangsan-2024", "zhangsan"), Some("密码不能包含用户名".into()));
        assert_eq!(msg("Xx-ZHANGSAN-1", "zhangsan"), Some("密码不能包含用户名".into()));
        // Very short usernames are not checked (too many false matches).
        assert_eq!(msg("Gk-2024-xq7T", "gk"), None);
        // Common passwords, even ones that pass the class rule.
        for common in ["Admin@123456", "P@ssw0rd123", "1qaz@WSX3edc", "Woaini1314", "Password123", "Qwer1234!@#$"] {
            assert_eq!(msg(common, "zhangsan"), Some("密码过于常见，容易被猜中，请换一个".into()), "{common}");
        }
        assert_eq!(msg("Gk-2024\u{7}xq7T", "zhangsan"), Some("密码不能包含控制字符".into()));
        let e = validate_password("short", &p, &ctx("u")).expect("short");
        assert_eq!((e.field, e.label), ("password", "密码"));
        // Non-ASCII letters and symbols count as a symbol class.
        assert_eq!(msg("gk2024公开xq7", "zhangsan"), None);
        // A laxer policy still refuses the blocklist.
        let lax = PasswordPolicy { min_len: 6, max_len: 64, require_classes: 1, ..PasswordPolicy::default() };
        assert!(validate_password("123456", &lax, &ctx("zhangsan")).is_some());
        assert!(validate_password("woaini1314", &lax, &ctx("zhangsan")).is_some());
        assert!(validate_password("kjhd83", &lax, &ctx("zhangsan")).is_none());
        // require_classes above 4 is treated as 4.
        let strict = PasswordPolicy { min_len: 8, max_len: 64, require_classes: 9, ..PasswordPolicy::default() };
        assert!(validate_password("Gk-2024-xq7T", &strict, &ctx("zhangsan")).is_none());
        let d = PasswordPolicy::default().describe();
        assert!(d.contains("至少3类") && d.contains("最近5次") && d.contains("90天"), "{d}");
    }

    #[test]
    fn decorated_common_words_are_refused() {
        let p = PasswordPolicy::default();
        for pw in ["Admin@2025!", "P@ssw0rd!2026", "Welcome#2024", "Qwerty@2026", "Woaini@1314520", "Abcd@123456", "!Admin_2025", "China@2026!", "Test@12345678", "Ad-min_2025!"] {
            let m = validate_password(pw, &p, &ctx("zhangsan")).map(|e| e.message);
            assert!(m.as_deref().is_some_and(|m| m.contains("常见")), "{pw}: {m:?}");
        }
        // Real passphrases and random strings pass.
        for pw in ["Gk-2024-xq7T", "Tiger-Lamp-Violet-42", "mZ8#qL2@vN5!", "Huanghe&Changjiang-9"] {
            assert_eq!(validate_password(pw, &p, &ctx("zhangsan")).map(|e| e.message), None, "{pw}");
        }
    }

    #[test]
    fn context_words_including_pinyin_are_refused() {
        let p = PasswordPolicy::default();
        let c = PasswordContext::new("li.xiaoming", &["李晓明", "清城区源潭镇人民政府", "清城区政府信息公开平台"]);
        assert!(c.words().iter().any(|w| w == "qingcheng"), "{:?}", c.words());
        assert!(c.words().iter().any(|w| w == "yuantan"), "{:?}", c.words());
        for pw in ["Qingcheng@2026", "QingCheng#2025!", "Yuantan_2024!", "Gongkai#2026!", "Lixiaoming@1990", "xiaoming-2026-X", "Qingch3ng@2026"] {
            let m = validate_password(pw, &p, &c).map(|e| e.message);
            assert!(m.as_deref().is_some_and(|m| m.contains("名称") || m.contains("用户名") || m.contains("常见")), "{pw}: {m:?}");
        }
        assert_eq!(validate_password("Tiger-Lamp-Violet-42", &p, &c).map(|e| e.message), None);
    }

    #[test]
    fn years_and_runs_with_few_letters_are_refused() {
        let lax = PasswordPolicy { min_len: 8, max_len: 64, require_classes: 2, ..PasswordPolicy::default() };
        for pw in ["Xy@19900101", "Ab!20260101", "Kq#12345678"] {
            assert!(validate_password(pw, &lax, &ctx("zhangsan")).is_some(), "{pw}");
        }
        assert!(validate_password("Kq#83617204", &lax, &ctx("zhangsan")).is_none());
    }

    #[test]
    fn blocklist_and_base_words() {
        let n = common_passwords().len();
        assert!(n >= 300, "{n}");
        for p in ["123456", "password", "qwerty", "admin123", "12345678", "1qaz2wsx", "Passw0rd", "woaini1314", "PASSWORD"] {
            assert!(is_common_password(p), "{p}");
        }
        assert!(!is_common_password("Gk-2024-xq7T"));
        assert!(!common_passwords().iter().any(|p| p.starts_with('#')));
        assert!(base_words().len() >= 300, "{}", base_words().len());
        assert!(base_words().iter().all(|w| w.chars().all(char::is_alphabetic)), "base words are letters only");
    }
}
