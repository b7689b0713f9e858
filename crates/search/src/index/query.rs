//! Query building and ranking of the index: the user's text parsed into
//! words, phrases, 文号 and 索引号; title and phrase boosts; the recency and
//! current-year factor; the filters.

use chrono::NaiveDate;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use super::{days, SearchIndex, SearchRequest};
use crate::text::{normalise, to_simplified};
use crate::tokenizer;
use crate::SearchError;

/// Text fields searched, with their weights. `all` holds the title,
/// keywords, summary, 文号/索引号/发布机构, 正文 and attachment text in one
/// field, so a word costs two posting lists (and block-max pruning applies)
/// rather than one per field; the separate text fields are only stored, for
/// snippets.
const TEXT_WEIGHTS: [(&str, f32); 2] = [("title", 2.0), ("all", 1.0)];

/// Extra weight of each query word found in the title (several words).
const TITLE_WORD_BOOST: f32 = 1.0;
/// The query's words in their order in the title, and anywhere.
const TITLE_PHRASE_BOOST: f32 = 3.0;
const PHRASE_BOOST: f32 = 1.0;
/// A 文号 typed in full, and a 文号 containing what was typed.
const DOC_NUMBER_EXACT_BOOST: f32 = 20.0;
const DOC_NUMBER_PART_BOOST: f32 = 8.0;
/// Recency: the score is multiplied by `1 + RECENCY_WEIGHT × ½^(age / RECENCY_HALF_LIFE_DAYS)`,
/// plus `CURRENT_YEAR_WEIGHT` for documents published in the current year —
/// enough to order similar matches newest first, not to lift a weak match
/// over a strong one.
const RECENCY_WEIGHT: f32 = 0.25;
const RECENCY_HALF_LIFE_DAYS: f32 = 365.0;
pub(super) const CURRENT_YEAR_WEIGHT: f32 = 0.15;

/// The recency factor of a search.
#[derive(Clone, Copy)]
pub(super) struct Freshness {
    today: i64,
    year_start: i64,
}

impl Freshness {
    pub(super) fn new(today: Option<NaiveDate>) -> Freshness {
        let today = today.unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive());
        let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today);
        Freshness { today: days(today), year_start: days(year_start) }
    }

    /// The largest factor any document can have (published today): a document whose text
    /// score times this cannot reach a ranked score cannot enter the results.
    pub(super) fn max_factor(&self) -> Score {
        1.0 + RECENCY_WEIGHT + CURRENT_YEAR_WEIGHT
    }

    /// The factor for a document published on day `date` (days since 1970).
    pub(super) fn factor(&self, date: Option<i64>) -> Score {
        let Some(d) = date else { return 1.0 };
        let age = (self.today - d).max(0) as f32;
        let mut f = 1.0 + RECENCY_WEIGHT * 0.5f32.powf(age / RECENCY_HALF_LIFE_DAYS);
        if d >= self.year_start {
            f += CURRENT_YEAR_WEIGHT;
        }
        f
    }
}

/// The 文号 key used in the index and in queries: Simplified script, then
/// [`gongkai_domain::validate::normalise_doc_number`] (brackets, widths, spaces).
/// A bracket left unpaired (a 文号 typed in part, 源潭府办[2023) becomes the
/// statutory one when it stands next to the year's digits.
pub fn doc_number_key(doc_number: &str) -> String {
    let key = gongkai_domain::validate::normalise_doc_number(&to_simplified(doc_number.trim()));
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    for (i, c) in chars.iter().enumerate() {
        let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
        match c {
            '[' | '(' | '（' | '［' | '【' | '〔' | '{' if next_digit => out.push('〔'),
            ']' | ')' | '）' | '］' | '】' | '〕' | '}' if prev_digit => out.push('〕'),
            '號' => out.push('号'),
            c => out.push(*c),
        }
    }
    out
}

/// Whether a 文号 key names a year in the statutory brackets (〔2023〕, or
/// 〔2023 at the end of a prefix).
fn looks_like_doc_number(key: &str) -> bool {
    let chars: Vec<char> = key.chars().collect();
    (0..chars.len()).any(|i| {
        chars[i] == '〔'
            && chars.len() >= i + 5
            && chars[i + 1..i + 5].iter().all(char::is_ascii_digit)
            && chars.get(i + 5).is_none_or(|c| *c == '〕')
    })
}

/// Whether a query could be (part of) a 文号: one run without spaces, with
/// a Han character or digit, at least two characters.
fn may_be_doc_number_part(key: &str) -> bool {
    key.chars().count() >= 2 && !key.contains(' ') && key.chars().any(|c| c.is_ascii_digit() || ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// `text` as a literal inside a tantivy regex.
fn regex_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The 索引号 key: no whitespace, upper case.
pub fn index_no_key(index_no: &str) -> String {
    index_no.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

fn looks_like_index_no(key: &str) -> bool {
    key.len() >= 8 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') && key.contains(['-', '/'])
}

/// A parsed user query.
pub(super) struct Parsed {
    pub(super) query: Box<dyn Query>,
    pub(super) has_phrase: bool,
}

impl SearchIndex {
    fn term_clause(&self, word: &str) -> Box<dyn Query> {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (name, weight) in TEXT_WEIGHTS {
            let Ok(field) = self.index.schema().get_field(name) else { continue };
            let q = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), weight))));
        }
        Box::new(BooleanQuery::new(should))
    }

    /// A word of the query: the word itself, or (for words over two
    /// characters) all its dictionary sub-words, which is how the word is
    /// found inside a longer word of an indexed text.
    fn word_clause(&self, word: &str) -> Box<dyn Query> {
        let subs = tokenizer::sub_words(tokenizer::jieba(), word);
        if word.chars().count() <= 2 || subs.is_empty() {
            return self.term_clause(word);
        }
        let all: Vec<(Occur, Box<dyn Query>)> = subs.iter().map(|(s, e)| (Occur::Must, self.term_clause(&word[*s..*e]))).collect();
        Box::new(BooleanQuery::new(vec![(Occur::Should, self.term_clause(word)), (Occur::Should, Box::new(BooleanQuery::new(all)))]))
    }

    /// A word that must occur in `all` (itself, or all its dictionary sub-words).
    fn all_clause(&self, word: &str) -> Box<dyn Query> {
        let term = |w: &str| -> Box<dyn Query> { Box::new(TermQuery::new(Term::from_field_text(self.f.all, w), IndexRecordOption::WithFreqs)) };
        let subs = tokenizer::sub_words(tokenizer::jieba(), word);
        if word.chars().count() <= 2 || subs.is_empty() {
            return term(word);
        }
        let all: Vec<(Occur, Box<dyn Query>)> = subs.iter().map(|(s, e)| (Occur::Must, term(&word[*s..*e]))).collect();
        Box::new(BooleanQuery::new(vec![(Occur::Should, term(word)), (Occur::Should, Box::new(BooleanQuery::new(all)))]))
    }

    fn phrase_clause(&self, words: &[&str]) -> Box<dyn Query> {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (name, weight) in TEXT_WEIGHTS {
            let Ok(field) = self.index.schema().get_field(name) else { continue };
            let terms: Vec<(usize, Term)> = words.iter().enumerate().map(|(i, w)| (i, Term::from_field_text(field, w))).collect();
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset(terms)), weight))));
        }
        Box::new(BooleanQuery::new(should))
    }

    /// Parse the user's text: quoted parts (“…”, "…", 「…」) are phrases,
    /// the rest are words that must all occur (in any searched field); a
    /// 文号 in any bracket style matches exactly; a 索引号 matches exactly too.
    pub(super) fn parse(&self, text: &str) -> Result<Parsed, SearchError> {
        let raw = text.trim();
        let key = doc_number_key(raw);
        let by_number = if may_be_doc_number_part(&key) { Some(self.doc_number_clause(&key)?) } else { None };
        // A 文号, whole or in part (源潭府办〔2023〕): the documents whose
        // 文号 it is or contains, the exact one first — when there are any.
        if looks_like_doc_number(&key) {
            if let Some(q) = by_number {
                if q.count(&self.reader.searcher())? > 0 {
                    return Ok(Parsed { query: q, has_phrase: false });
                }
                return self.parse_text(raw, None);
            }
        }
        self.parse_text(raw, by_number)
    }

    /// Exact 文号 (boosted) or a 文号 containing `key`. Words alone (no digit, bracket or 号:
    /// 源潭府办) match the 文号 that begin with them, the 机关代字: a "contains" match has to
    /// walk every 文号 of the index, which at a province's millions of items cost more than
    /// the rest of the search, and almost every query is words alone.
    fn doc_number_clause(&self, key: &str) -> Result<Box<dyn Query>, SearchError> {
        let exact = TermQuery::new(Term::from_field_text(self.f.doc_number, key), IndexRecordOption::Basic);
        let numbered = key.chars().any(|c| c.is_ascii_digit() || matches!(c, '〔' | '〕' | '号'));
        let pattern = if numbered { format!(".*{}.*", regex_literal(key)) } else { format!("{}.*", regex_literal(key)) };
        let part = RegexQuery::from_pattern(&pattern, self.f.doc_number)?;
        Ok(Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(BoostQuery::new(Box::new(exact), DOC_NUMBER_EXACT_BOOST)) as Box<dyn Query>),
            (Occur::Should, Box::new(BoostQuery::new(Box::new(ConstScoreQuery::new(Box::new(part), 1.0)), DOC_NUMBER_PART_BOOST))),
        ])))
    }

    /// The text query; `by_number` (a partial 文号) is an alternative match.
    fn parse_text(&self, raw: &str, by_number: Option<Box<dyn Query>>) -> Result<Parsed, SearchError> {
        let norm = normalise(raw);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut has_phrase = false;
        let mut rest = String::new();
        let mut chars = norm.chars().peekable();
        while let Some(c) = chars.next() {
            let close = match c {
                '"' => Some('"'),
                '“' => Some('”'),
                '「' => Some('」'),
                '『' => Some('』'),
                _ => None,
            };
            match close {
                Some(close) => {
                    let mut phrase = String::new();
                    for p in chars.by_ref() {
                        if p == close {
                            break;
                        }
                        phrase.push(p);
                    }
                    let words: Vec<&str> = tokenizer::words(&phrase).into_iter().map(|(_, _, w)| w).collect();
                    match words.len() {
                        0 => {}
                        1 => clauses.push((Occur::Must, self.word_clause(words[0]))),
                        _ => {
                            has_phrase = true;
                            clauses.push((Occur::Must, self.phrase_clause(&words)));
                        }
                    }
                }
                None => rest.push(c),
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut words = Vec::new();
        for chunk in rest.split(' ') {
            for (_, _, w) in tokenizer::words(chunk) {
                if seen.insert(w.to_owned()) {
                    words.push(w.to_owned());
                }
            }
        }
        // One word: title (boosted) or anywhere. Several: each must occur in
        // `all` (which holds the title too), so that plain words make a pure
        // term intersection, ranked with block-max pruning.
        let single = clauses.is_empty() && words.len() == 1;
        for w in &words {
            clauses.push((Occur::Must, if single { self.word_clause(w) } else { self.all_clause(w) }));
        }
        if clauses.is_empty() {
            return Err(SearchError::EmptyQuery);
        }
        // Ranking the way people expect: words found in the title, and the
        // words of the query found in its order (in the title above all),
        // count for more than the same words scattered through the text.
        if !single && !words.is_empty() {
            for w in &words {
                let q = TermQuery::new(Term::from_field_text(self.f.title, w), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), TITLE_WORD_BOOST))));
            }
            if words.len() >= 2 {
                let refs: Vec<&str> = words.iter().map(String::as_str).collect();
                for (field, boost) in [(self.f.title, TITLE_PHRASE_BOOST), (self.f.all, PHRASE_BOOST)] {
                    let terms: Vec<(usize, Term)> = refs.iter().enumerate().map(|(i, w)| (i, Term::from_field_text(field, w))).collect();
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset(terms)), boost))));
                }
            }
        }
        // A single clause is used as it is, so that a one-word query stays a
        // plain union of term scorers (which tantivy ranks with block-max WAND).
        let mut query: Box<dyn Query> = if clauses.len() == 1 {
            clauses.pop().map(|(_, q)| q).ok_or(SearchError::EmptyQuery)?
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        if let Some(q) = by_number {
            query = Box::new(BooleanQuery::new(vec![(Occur::Should, q), (Occur::Should, query)]));
        }
        let compact = index_no_key(raw);
        if looks_like_index_no(&compact) {
            let exact = TermQuery::new(Term::from_field_text(self.f.index_no, &compact), IndexRecordOption::Basic);
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(BoostQuery::new(Box::new(exact), 20.0))),
                (Occur::Should, query),
            ]));
        }
        Ok(Parsed { query, has_phrase })
    }

    pub(super) fn filtered(&self, main: Box<dyn Query>, r: &SearchRequest) -> Box<dyn Query> {
        let f = &self.f;
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
        // Filters match without adding to the score.
        let zero = |q: Box<dyn Query>| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(q, 0.0)) };
        let any_of = |field: Field, ids: &[i64]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                ids.iter()
                    .map(|id| (Occur::Should, Box::new(TermQuery::new(Term::from_field_u64(field, *id as u64), IndexRecordOption::Basic)) as Box<dyn Query>))
                    .collect(),
            ))
        };
        if !r.org_ids.is_empty() {
            must.push((Occur::Must, zero(any_of(f.org, &r.org_ids))));
        }
        if !r.catalog_ids.is_empty() {
            must.push((Occur::Must, zero(any_of(f.catalog, &r.catalog_ids))));
        }
        if let Some(y) = r.year {
            must.push((Occur::Must, zero(Box::new(TermQuery::new(Term::from_field_u64(f.year, y.max(0) as u64), IndexRecordOption::Basic)))));
        }
        if let Some(t) = &r.doc_type {
            must.push((Occur::Must, zero(Box::new(TermQuery::new(Term::from_field_text(f.doc_type, t), IndexRecordOption::Basic)))));
        }
        if let Some(v) = &r.validity {
            must.push((Occur::Must, zero(Box::new(TermQuery::new(Term::from_field_text(f.validity, v), IndexRecordOption::Basic)))));
        }
        if must.len() == 1 {
            return must.pop().map(|(_, q)| q).unwrap_or_else(|| Box::new(BooleanQuery::new(Vec::new())));
        }
        Box::new(BooleanQuery::new(must))
    }
}
