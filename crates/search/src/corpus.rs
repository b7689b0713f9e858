//! The benchmark's synthetic corpus: items made of 2–4-character words from
//! jieba's dictionary, drawn with a Zipf distribution over the words ranked
//! by their dictionary frequency; an 8-word title and a 60-word body.
//! Deterministic for a given seed.

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::SearchError;

/// Words ranked by frequency with the Zipf cumulative distribution.
pub struct Vocabulary {
    words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocabulary {
    /// From dictionary text in jieba's format (`word freq [tag]` per line):
    /// the words of 2–4 Han characters, most frequent first; Zipf exponent `s`.
    pub fn from_dict(text: &str, s: f64) -> Vocabulary {
        let mut entries: Vec<(u64, &str)> = text
            .lines()
            .filter_map(|l| {
                let mut parts = l.split_whitespace();
                let word = parts.next()?;
                let freq = parts.next()?.parse::<u64>().ok()?;
                let n = word.chars().count();
                ((2..=4).contains(&n) && word.chars().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))).then_some((freq, word))
            })
            .collect();
        entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        entries.dedup_by(|a, b| a.1 == b.1);
        let words: Vec<String> = entries.into_iter().map(|(_, w)| w.to_owned()).collect();
        let mut cdf = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for rank in 1..=words.len() {
            acc += 1.0 / (rank as f64).powf(s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Vocabulary { words, cdf }
    }

    /// jieba's own dictionary, read from the jieba-rs source that Cargo
    /// downloaded (`$CARGO_HOME/registry/src/*/jieba-rs-*/src/data/dict.txt`),
    /// or from `GONGKAI_JIEBA_DICT`.
    pub fn jieba(s: f64) -> Result<Vocabulary, SearchError> {
        let path = jieba_dict_path().ok_or_else(|| {
            SearchError::Io("找不到 jieba 词典 dict.txt：请先构建本项目（Cargo 会下载 jieba-rs 源码），或用环境变量 GONGKAI_JIEBA_DICT 指定路径".into())
        })?;
        let text = std::fs::read_to_string(&path).map_err(|e| SearchError::Io(format!("无法读取 {}：{e}", path.display())))?;
        Ok(Self::from_dict(&text, s))
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The word of rank `rank` (0 = most frequent).
    pub fn word(&self, rank: usize) -> &str {
        &self.words[rank.min(self.words.len().saturating_sub(1))]
    }

    /// A Zipf-distributed rank.
    pub fn sample_rank(&self, rng: &mut impl Rng) -> usize {
        let u: f64 = rng.gen();
        self.cdf.partition_point(|c| *c < u).min(self.words.len().saturating_sub(1))
    }

    pub fn sample(&self, rng: &mut impl Rng) -> &str {
        self.word(self.sample_rank(rng))
    }
}

fn jieba_dict_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GONGKAI_JIEBA_DICT") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("registry").join("src"))
        .ok()?
        .flatten()
        .flat_map(|reg| std::fs::read_dir(reg.path()).into_iter().flatten().flatten())
        .filter(|e| e.file_name().to_string_lossy().starts_with("jieba-rs-"))
        .map(|e| e.path().join("src").join("data").join("dict.txt"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// One synthetic item.
#[derive(Debug, Clone)]
pub struct SyntheticItem {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The ranks of the body's words, in order (for phrase queries).
    pub body_ranks: Vec<u32>,
}

/// Items `1..=n`, generated lazily and deterministically from `seed`.
pub struct Generator<'a> {
    vocab: &'a Vocabulary,
    rng: StdRng,
    next: i64,
    n: i64,
}

impl<'a> Generator<'a> {
    pub fn new(vocab: &'a Vocabulary, n: usize, seed: u64) -> Self {
        Generator { vocab, rng: StdRng::seed_from_u64(seed), next: 1, n: n as i64 }
    }
}

impl Iterator for Generator<'_> {
    type Item = SyntheticItem;

    fn next(&mut self) -> Option<SyntheticItem> {
        if self.next > self.n {
            return None;
        }
        let id = self.next;
        self.next += 1;
        let mut title = String::new();
        for _ in 0..8 {
            title.push_str(self.vocab.sample(&mut self.rng));
        }
        let mut body = String::new();
        let mut body_ranks = Vec::with_capacity(60);
        for i in 0..60 {
            let rank = self.vocab.sample_rank(&mut self.rng);
            body_ranks.push(rank as u32);
            body.push_str(self.vocab.word(rank));
            if i % 10 == 9 {
                body.push(if i == 59 { '。' } else { '，' });
            }
        }
        Some(SyntheticItem { id, title, body, body_ranks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_vocabulary_and_items() {
        let v = Vocabulary::from_dict("的 100 u\n政府 50 n\n信息公开 40 n\n中华人民共和国 30 ns\nabc 20 x\n公开 10 v\n", 1.0);
        assert_eq!(v.len(), 3);
        assert_eq!(v.word(0), "政府");
        let mut rng = StdRng::seed_from_u64(1);
        let mut counts = [0usize; 3];
        for _ in 0..6000 {
            counts[v.sample_rank(&mut rng)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[2], "{counts:?}");
        let items: Vec<SyntheticItem> = Generator::new(&v, 3, 7).collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].body_ranks.len(), 60);
        let again: Vec<SyntheticItem> = Generator::new(&v, 3, 7).collect();
        assert_eq!(items[2].body, again[2].body);
    }
}
