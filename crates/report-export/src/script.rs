//! Simplified (简体) or Traditional (繁體) script. Traditional text is converted from the
//! Simplified source with OpenCC's character-level `s2t` table (not the Taiwan-vocabulary
//! `s2twp`): statutory wording keeps its words and only changes its characters. Digits, dates
//! and markup pass through unchanged, because the conversion is applied to text only.

use std::borrow::Cow;
use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

use crate::ExportError;

/// The script an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// 简体中文 (the source).
    Hans,
    /// 繁體中文 (converted with OpenCC `s2t`).
    Hant,
}

impl Script {
    /// Parse "hans" or "hant" (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Script, ExportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hans" => Ok(Script::Hans),
            "hant" => Ok(Script::Hant),
            _ => Err(ExportError::UnknownScript(s.trim().to_string())),
        }
    }

    /// "hans" or "hant".
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Hans => "hans",
            Script::Hant => "hant",
        }
    }

    /// The BCP 47 language tag: "zh-Hans" or "zh-Hant".
    pub fn lang(self) -> &'static str {
        match self {
            Script::Hans => "zh-Hans",
            Script::Hant => "zh-Hant",
        }
    }

    /// The script's name in itself: "简体中文" or "繁體中文".
    pub fn label(self) -> &'static str {
        match self {
            Script::Hans => "简体中文",
            Script::Hant => "繁體中文",
        }
    }

    /// `text` in this script.
    pub fn convert(self, text: &str) -> String {
        self.convert_cow(text).into_owned()
    }

    /// `text` in this script, borrowing when nothing changes.
    pub fn convert_cow(self, text: &str) -> Cow<'_, str> {
        match self {
            Script::Hans => Cow::Borrowed(text),
            Script::Hant => match converter() {
                Some(cv) if !text.is_ascii() => Cow::Owned(cv.convert(text)),
                _ => Cow::Borrowed(text),
            },
        }
    }
}

/// The Simplified→Traditional converter, built once. `None` only if the embedded dictionaries
/// cannot be loaded, in which case text stays Simplified (tests check that it does not).
fn converter() -> Option<&'static OpenCC> {
    static CV: OnceLock<Option<OpenCC>> = OnceLock::new();
    CV.get_or_init(|| OpenCC::from_config(BuiltinConfig::S2t).ok())
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scripts() {
        assert_eq!(Script::parse("hans").ok(), Some(Script::Hans));
        assert_eq!(Script::parse(" HANT ").ok(), Some(Script::Hant));
        let err = Script::parse("big5").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("big5") && err.contains("hans") && err.contains("hant"), "{err}");
    }

    #[test]
    fn converts_characters_not_vocabulary() {
        assert!(converter().is_some());
        assert_eq!(Script::Hant.convert("政府信息公开工作年度报告"), "政府信息公開工作年度報告");
        assert_eq!(Script::Hant.convert("2023年12月31日"), "2023年12月31日");
        // s2t keeps mainland words (s2twp would turn 信息 into 資訊).
        assert!(Script::Hant.convert("信息").contains("信息"));
        assert_eq!(Script::Hans.convert("公开"), "公开");
    }
}
