//! A tantivy tokenizer that segments Chinese with jieba.
//!
//! Each word of jieba's (dictionary-only, no HMM) segmentation takes one
//! position; the dictionary words inside a longer word are emitted at the
//! same position, as in jieba's search mode. So the
//! query 信息 finds 政府信息公开, and phrase queries over whole words still
//! line up. Tokens without a letter or digit (punctuation, spaces) are
//! dropped. The text is folded ([`crate::text::fold_aligned`]: Traditional
//! script, full width, case) before segmentation, and token offsets point
//! into the text as written, so highlights land on the stored text.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The registered name of the tokenizer.
pub const NAME: &str = "jieba";

/// The shared dictionary (loaded once; about 350 000 words).
pub fn jieba() -> &'static Arc<Jieba> {
    static J: OnceLock<Arc<Jieba>> = OnceLock::new();
    J.get_or_init(|| Arc::new(Jieba::new()))
}

/// See the module documentation.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl Default for JiebaTokenizer {
    fn default() -> Self {
        JiebaTokenizer { jieba: jieba().clone() }
    }
}

pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

fn is_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The words of `text` (jieba, dictionary only) with byte offsets; words
/// without a letter or digit are left out.
pub fn words(text: &str) -> Vec<(usize, usize, &str)> {
    jieba()
        .cut(text, false)
        .into_iter()
        .filter(|t| is_word(t.word))
        .map(|t| (t.byte_start, t.byte_end, t.word))
        .collect()
}

/// Longest sub-word looked up inside a longer word (characters).
const MAX_SUB_WORD: usize = 8;

/// The dictionary words of two or more characters strictly inside `word`
/// (like jieba's search mode, which takes those of two and three), with byte
/// offsets relative to `word`.
pub fn sub_words(jieba: &Jieba, word: &str) -> Vec<(usize, usize)> {
    let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).chain(std::iter::once(word.len())).collect();
    let chars = bounds.len() - 1;
    let mut out = Vec::new();
    for n in 2..chars.min(MAX_SUB_WORD + 1) {
        {
            for i in 0..=chars - n {
                let (s, e) = (bounds[i], bounds[i + n]);
                if jieba.has_word(&word[s..e]) {
                    out.push((s, e));
                }
            }
        }
    }
    out
}

fn tokenize(jieba: &Jieba, text: &str) -> Vec<Token> {
    // Segment the folded text; offsets point into the text as written.
    let (folded, map) = crate::text::fold_aligned(text);
    let at = |b: usize| map.get(b).copied().unwrap_or(text.len());
    let mut tokens = Vec::new();
    let mut position = 0usize;
    for t in jieba.cut(&folded, false) {
        if !is_word(t.word) {
            continue;
        }
        for (s, e) in sub_words(jieba, t.word) {
            tokens.push(Token {
                offset_from: at(t.byte_start + s),
                offset_to: at(t.byte_start + e),
                position,
                text: t.word[s..e].to_owned(),
                position_length: 1,
            });
        }
        tokens.push(Token {
            offset_from: at(t.byte_start),
            offset_to: at(t.byte_end),
            position,
            text: t.word.to_owned(),
            position_length: 1,
        });
        position += 1;
    }
    tokens
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        JiebaTokenStream { tokens: tokenize(&self.jieba, text), index: 0 }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(usize, String)> {
        let mut t = JiebaTokenizer::default();
        let mut stream = t.token_stream(s);
        let mut out = Vec::new();
        while let Some(tok) = stream.next() {
            out.push((tok.position, tok.text.clone()));
        }
        out
    }

    #[test]
    fn words_sub_words_and_positions() {
        let toks = texts("中华人民共和国政府信息公开条例");
        assert!(toks.iter().any(|(_, w)| w == "人民"), "{toks:?}");
        assert!(toks.iter().any(|(_, w)| w == "中华人民共和国"), "{toks:?}");
        // Sub-words share the position of their word.
        let pos = |w: &str| toks.iter().find(|(_, t)| t == w).map(|(p, _)| *p);
        assert_eq!(pos("人民"), pos("中华人民共和国"));
        assert!(texts("，。 、").is_empty());
        assert_eq!(texts("ABC 2023"), vec![(0, "abc".to_owned()), (1, "2023".to_owned())]);
        // Folded for matching, offsets into the original.
        let mut t = JiebaTokenizer::default();
        let text = "政府信息公開（２０２３）";
        let mut stream = t.token_stream(text);
        let mut seen = Vec::new();
        while let Some(tok) = stream.next() {
            seen.push((tok.text.clone(), text[tok.offset_from..tok.offset_to].to_owned()));
        }
        assert!(seen.contains(&("公开".to_owned(), "公開".to_owned())), "{seen:?}");
        assert!(seen.contains(&("2023".to_owned(), "２０２３".to_owned())), "{seen:?}");
    }
}
