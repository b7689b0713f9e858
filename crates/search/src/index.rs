//! The tantivy index: schema, writing and searching. Knows nothing of the
//! database; [`crate::service`] keeps it in step with the store.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::schema::document::Document as _;
use tantivy::{DocAddress, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, TantivyDocument, Term, TERMINATED};

use crate::tokenizer::{self, JiebaTokenizer};
use crate::SearchError;

mod query;

pub use query::{doc_number_key, index_no_key};
use query::Freshness;

/// Bumped whenever the schema or the analysis changes: an index written by
/// another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// Longest text kept per field (characters); attachments can be whole books.
const MAX_FIELD_CHARS: usize = 200_000;

/// What the index holds of one published item (already plain text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexDoc {
    pub id: i64,
    pub org_id: i64,
    pub catalog_id: i64,
    pub title: String,
    pub summary: String,
    /// 正文 as plain text.
    pub body: String,
    pub keywords: String,
    pub doc_number: Option<String>,
    pub index_no: Option<String>,
    pub publisher: String,
    /// Text extracted from the attachments.
    pub attachments: String,
    /// `DocType::as_str()`.
    pub doc_type: String,
    /// `Validity::as_str()`.
    pub validity: String,
    pub publish_date: Option<NaiveDate>,
}

/// Ordering of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    /// 发布日期, newest first.
    Newest,
}

/// A search. Empty id lists mean "no restriction".
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub org_ids: Vec<i64>,
    pub catalog_ids: Vec<i64>,
    pub year: Option<i32>,
    pub doc_type: Option<String>,
    pub validity: Option<String>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Time allowed for matching (phrase queries stop when it is spent and
    /// report `timed_out`).
    pub budget: Duration,
    /// The day recency and the current year are counted from (`None`:
    /// today in China Standard Time).
    pub today: Option<NaiveDate>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            text: String::new(),
            org_ids: Vec::new(),
            catalog_ids: Vec::new(),
            year: None,
            doc_type: None,
            validity: None,
            sort: Sort::Relevance,
            offset: 0,
            limit: 10,
            budget: Duration::from_millis(500),
            today: None,
        }
    }
}

/// One result: ids, the title as stored, and escaped HTML of the stored
/// title and text with `<mark>` around matched words.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: i64,
    pub score: f32,
    /// The title as written (not folded).
    pub title: String,
    pub title_html: String,
    pub snippet_html: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Matching stopped at the time budget: `total` and the hits are partial.
    pub timed_out: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    all: Field,
    summary: Field,
    body: Field,
    keywords: Field,
    meta: Field,
    attachments: Field,
    doc_number: Field,
    index_no: Field,
    org: Field,
    catalog: Field,
    year: Field,
    doc_type: Field,
    validity: Field,
    date: Field,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer::NAME).set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    // Everything is stored, so that two indexes can be compared document by
    // document (rebuild equivalence); the extra fields are small.
    let stored = TextOptions::default().set_stored();
    b.add_u64_field("id", INDEXED | STORED | FAST);
    b.add_text_field("title", text(true));
    b.add_text_field("all", text(false));
    b.add_text_field("summary", stored.clone());
    b.add_text_field("body", stored.clone());
    b.add_text_field("keywords", stored.clone());
    b.add_text_field("meta", stored.clone());
    b.add_text_field("attachments", stored);
    b.add_text_field("doc_number", STRING | STORED);
    b.add_text_field("index_no", STRING | STORED);
    b.add_u64_field("org", INDEXED | STORED);
    b.add_u64_field("catalog", INDEXED | STORED);
    b.add_u64_field("year", INDEXED | STORED);
    b.add_text_field("doc_type", STRING | STORED);
    b.add_text_field("validity", STRING | STORED);
    b.add_i64_field("date", NumericOptions::default() | FAST | STORED);
    b.build()
}

fn fields(schema: &Schema) -> Result<Fields, SearchError> {
    let f = |name: &str| schema.get_field(name).map_err(|_| SearchError::Schema(format!("缺少字段 {name}")));
    Ok(Fields {
        id: f("id")?,
        title: f("title")?,
        all: f("all")?,
        summary: f("summary")?,
        body: f("body")?,
        keywords: f("keywords")?,
        meta: f("meta")?,
        attachments: f("attachments")?,
        doc_number: f("doc_number")?,
        index_no: f("index_no")?,
        org: f("org")?,
        catalog: f("catalog")?,
        year: f("year")?,
        doc_type: f("doc_type")?,
        validity: f("validity")?,
        date: f("date")?,
    })
}

fn days(d: NaiveDate) -> i64 {
    NaiveDate::from_ymd_opt(1970, 1, 1).map(|epoch| (d - epoch).num_days()).unwrap_or(0)
}

fn truncate(mut s: String) -> String {
    if let Some((i, _)) = s.char_indices().nth(MAX_FIELD_CHARS) {
        s.truncate(i);
    }
    s
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped HTML of `fragment` with `<mark>` around the highlighted byte
/// ranges. Sub-words overlap their words, so ranges are sorted and merged
/// first (tantivy's own `to_html` assumes they do not overlap).
fn highlight(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut sorted: Vec<std::ops::Range<usize>> = ranges.iter().filter(|r| r.start < r.end && r.end <= fragment.len()).cloned().collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in sorted {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(fragment.len() + merged.len() * 13);
    let mut at = 0;
    for r in merged {
        let (Some(before), Some(hit)) = (fragment.get(at..r.start), fragment.get(r.start..r.end)) else { continue };
        out.push_str(&escape(before));
        out.push_str("<mark>");
        out.push_str(&escape(hit));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(fragment.get(at..).unwrap_or_default()));
    out
}

/// The search index (on disk or in memory). All methods block: call them
/// from a blocking thread in async code.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
}

/// Where and how to open an index.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    pub threads: usize,
    pub heap_bytes: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions { threads: 1, heap_bytes: 50_000_000 }
    }
}

impl SearchIndex {
    /// A new empty index in memory (tests, and installations configured without an index directory).
    pub fn in_ram(opts: WriterOptions) -> Result<SearchIndex, SearchError> {
        Self::from_index(Index::create_in_ram(schema()), opts)
    }

    /// Open the index in `dir`, creating it (and the directory) when absent.
    /// An index written with another schema is an error ([`SearchError::Schema`]).
    pub fn open_or_create(dir: &Path, opts: WriterOptions) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(format!("无法创建索引目录 {}：{e}", dir.display())))?;
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| SearchError::Io(format!("无法打开索引目录 {}：{e}", dir.display())))?;
        let exists = Index::exists(&mmap).map_err(|e| SearchError::Io(format!("无法读取索引目录 {}：{e}", dir.display())))?;
        let index = if exists {
            let index = Index::open(mmap)?;
            if index.schema() != schema() {
                return Err(SearchError::Schema("索引结构与本版本不同".into()));
            }
            index
        } else {
            Index::create(mmap, schema(), Default::default())?
        };
        Self::from_index(index, opts)
    }

    fn from_index(index: Index, opts: WriterOptions) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(tokenizer::NAME, TextAnalyzer::from(JiebaTokenizer::default()));
        let f = fields(&index.schema())?;
        let writer = index.writer_with_num_threads(opts.threads.max(1), opts.heap_bytes.max(15_000_000 * opts.threads.max(1))).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Locked,
            other => SearchError::Tantivy(other),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), f })
    }

    /// The payload of the last commit (the service keeps its state there).
    pub fn payload(&self) -> Result<Option<String>, SearchError> {
        Ok(self.index.load_metas()?.payload)
    }

    /// Number of documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        match self.writer.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn document(&self, d: &IndexDoc) -> TantivyDocument {
        let f = &self.f;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, d.id as u64);
        // Stored as written: the tokenizer folds for matching, and titles
        // and snippets show the text unchanged.
        let title = d.title.trim().to_owned();
        let summary = truncate(d.summary.clone());
        let body = truncate(d.body.clone());
        let keywords = d.keywords.clone();
        let mut meta = d.publisher.clone();
        for extra in [&d.doc_number, &d.index_no].into_iter().flatten() {
            meta.push(' ');
            meta.push_str(extra);
        }
        let attachments = truncate(d.attachments.clone());
        let mut all = String::with_capacity(title.len() + summary.len() + body.len() + keywords.len() + meta.len() + attachments.len() + 6);
        for part in [&title, &keywords, &summary, &meta, &body, &attachments] {
            if !part.is_empty() {
                all.push_str(part);
                all.push('\n');
            }
        }
        doc.add_text(f.all, all);
        doc.add_text(f.title, title);
        doc.add_text(f.summary, summary);
        doc.add_text(f.body, body);
        doc.add_text(f.keywords, keywords);
        doc.add_text(f.meta, meta);
        doc.add_text(f.attachments, attachments);
        if let Some(n) = d.doc_number.as_deref().map(doc_number_key).filter(|k| !k.is_empty()) {
            doc.add_text(f.doc_number, n);
        }
        if let Some(n) = d.index_no.as_deref().map(index_no_key).filter(|k| !k.is_empty()) {
            doc.add_text(f.index_no, n);
        }
        doc.add_u64(f.org, d.org_id as u64);
        doc.add_u64(f.catalog, d.catalog_id as u64);
        if let Some(date) = d.publish_date {
            doc.add_u64(f.year, u64::try_from(chrono::Datelike::year(&date)).unwrap_or(0));
            doc.add_i64(f.date, days(date));
        }
        doc.add_text(f.doc_type, &d.doc_type);
        doc.add_text(f.validity, &d.validity);
        doc
    }

    /// Replace documents: every id in `remove` and every doc in `upsert` is
    /// deleted, the docs in `upsert` are added, and all is committed at once
    /// with `payload`; searches see the new state when this returns.
    pub fn apply(&self, upsert: &[IndexDoc], remove: &[i64], payload: &str) -> Result<(), SearchError> {
        let mut w = self.writer();
        for id in remove.iter().chain(upsert.iter().map(|d| &d.id)) {
            w.delete_term(Term::from_field_u64(self.f.id, *id as u64));
        }
        for d in upsert {
            w.add_document(self.document(d))?;
        }
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(payload);
        prepared.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Add documents without committing (bulk loading); [`SearchIndex::commit`] ends the batch.
    pub fn add_uncommitted(&self, docs: &[IndexDoc]) -> Result<(), SearchError> {
        let w = self.writer();
        for d in docs {
            w.add_document(self.document(d))?;
        }
        Ok(())
    }

    /// Delete everything (uncommitted until the next commit).
    pub fn clear_uncommitted(&self) -> Result<(), SearchError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Commit pending work with `payload` and make it visible.
    pub fn commit(&self, payload: &str) -> Result<(), SearchError> {
        let mut w = self.writer();
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(payload);
        prepared.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Every stored document as JSON by id (to compare two indexes).
    pub fn dump(&self) -> Result<BTreeMap<i64, String>, SearchError> {
        let searcher = self.reader.searcher();
        let schema = self.index.schema();
        let mut out = BTreeMap::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            for doc in seg.doc_ids_alive() {
                let d: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                let id = d.get_first(self.f.id).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
                out.insert(id, d.to_json(&schema));
            }
        }
        Ok(out)
    }

    /// Run a search. Errors: [`SearchError::EmptyQuery`] when the text has no word.
    pub fn search(&self, r: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let parsed = self.parse(&r.text)?;
        let query = self.filtered(parsed.query, r);
        let searcher = self.reader.searcher();
        let limit = r.limit.clamp(1, 1000);
        let (total, addrs, timed_out): (usize, Vec<(f32, DocAddress)>, bool) = if parsed.has_phrase {
            self.bounded(&searcher, query.as_ref(), r, limit, started + r.budget)?
        } else {
            match r.sort {
                Sort::Relevance => {
                    // Apart, so that counting need not score.
                    let top = self.top_fresh(&searcher, query.as_ref(), r, limit)?;
                    let total = query.count(&searcher)?;
                    (total, top, false)
                }
                Sort::Newest => {
                    let (top, total) = searcher.search(
                        query.as_ref(),
                        &(TopDocs::with_limit(limit).and_offset(r.offset).order_by_fast_field::<i64>("date", Order::Desc), Count),
                    )?;
                    (total, top.into_iter().map(|(_, a)| (0.0, a)).collect(), false)
                }
            }
        };
        // The stored text fields are not indexed: highlight in them the words
        // the query looks for in `title` and `all`.
        let mut words: BTreeMap<String, Score> = BTreeMap::new();
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == self.f.all || term.field() == self.f.title {
                terms.push(term.clone());
            }
        });
        for term in terms {
            if let Some(text) = term.value().as_str() {
                let df = searcher.doc_freq(&term)?;
                if df > 0 {
                    words.insert(text.to_owned(), 1.0 / (1.0 + df as Score));
                }
            }
        }
        let gens: Vec<SnippetGenerator> = [self.f.title, self.f.body, self.f.summary, self.f.attachments]
            .into_iter()
            .map(|field| SnippetGenerator::new(words.clone(), TextAnalyzer::from(JiebaTokenizer::default()), field, if field == self.f.title { 2000 } else { 240 }))
            .collect();
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc.get_first(self.f.id).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
            let snippet = |i: usize| gens[i].snippet_from_doc(&doc);
            let stored_title = doc.get_first(self.f.title).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let title = snippet(0);
            // The whole stored title, highlighted (a fragment could cut it).
            let title_html = if title.is_empty() || title.fragment() != stored_title {
                let ranges: Vec<std::ops::Range<usize>> = if title.is_empty() {
                    Vec::new()
                } else {
                    let start = stored_title.find(title.fragment()).unwrap_or(0);
                    title.highlighted().iter().map(|r| r.start + start..r.end + start).collect()
                };
                highlight(&stored_title, &ranges)
            } else {
                highlight(title.fragment(), title.highlighted())
            };
            let mut snippet_html = String::new();
            for i in 1..4 {
                let s = snippet(i);
                if !s.is_empty() {
                    snippet_html = highlight(s.fragment(), s.highlighted());
                    break;
                }
            }
            if snippet_html.is_empty() {
                let first = [self.f.summary, self.f.body]
                    .iter()
                    .filter_map(|f| doc.get_first(*f).and_then(|v| v.as_str()))
                    .find(|s| !s.trim().is_empty())
                    .unwrap_or_default();
                let cut: String = first.chars().take(80).collect();
                snippet_html = escape(&cut);
                if first.chars().count() > 80 {
                    snippet_html.push('…');
                }
            }
            hits.push(SearchHit { id, score, title: stored_title, title_html, snippet_html });
        }
        Ok(SearchResults { total, hits, timed_out })
    }

    /// Ids of every document matching `text` (no filters, no limit): for
    /// measuring recall in the benchmark.
    pub fn matching_ids(&self, text: &str) -> Result<Vec<i64>, SearchError> {
        let parsed = self.parse(text)?;
        let searcher = self.reader.searcher();
        let addrs = searcher.search(parsed.query.as_ref(), &tantivy::collector::DocSetCollector)?;
        let mut ids = Vec::with_capacity(addrs.len());
        let columns: Vec<_> = searcher.segment_readers().iter().map(|s| s.fast_fields().u64("id")).collect::<Result<_, _>>()?;
        for a in addrs {
            if let Some(id) = columns[a.segment_ord as usize].first(a.doc_id) {
                ids.push(id as i64);
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// Matching under a deadline (phrase queries): walks the matches segment
    /// by segment, checking the clock every 256 documents.
    /// The page of the best documents by text score times freshness, exactly, without scoring
    /// every match: the text score a document needs to enter is the weakest kept score divided
    /// by the largest freshness factor, and the index skips the blocks of postings that cannot
    /// reach it (block-max WAND). A province's common words match a million documents.
    fn top_fresh(&self, searcher: &tantivy::Searcher, query: &dyn Query, r: &SearchRequest, limit: usize) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let keep = r.offset + limit;
        let fresh = Freshness::new(r.today);
        // Slightly below the bound, so that rounding never drops a document that could tie.
        let bound = 1.0 / fresh.max_factor() * (1.0 - 1e-4);
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut heap: BinaryHeap<Ranked> = BinaryHeap::with_capacity(keep + 1);
        let threshold = |heap: &BinaryHeap<Ranked>| match heap.peek() {
            Some(weakest) if heap.len() >= keep => weakest.0 as Score * bound,
            _ => Score::MIN,
        };
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let alive = seg.alive_bitset();
            let dates = seg.fast_fields().i64("date")?;
            let start = threshold(&heap);
            weight.for_each_pruning(start, seg, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    heap.push(Ranked(f64::from(score * fresh.factor(dates.first(doc))), ord as u32, doc));
                    if heap.len() > keep {
                        heap.pop();
                    }
                }
                threshold(&heap)
            })?;
        }
        Ok(heap.into_sorted_vec().into_iter().skip(r.offset).take(limit).map(|Ranked(k, seg, doc)| (k as Score, DocAddress::new(seg, doc))).collect())
    }

    fn bounded(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        r: &SearchRequest,
        limit: usize,
        deadline: Instant,
    ) -> Result<(usize, Vec<(f32, DocAddress)>, bool), SearchError> {
        let keep = r.offset + limit;
        let fresh = Freshness::new(r.today);
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut heap: BinaryHeap<Ranked> = BinaryHeap::with_capacity(keep + 1);
        let mut total = 0usize;
        let mut timed_out = false;
        let mut steps = 0u32;
        'segments: for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(seg, 1.0)?;
            let alive = seg.alive_bitset();
            let dates = seg.fast_fields().i64("date")?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    total += 1;
                    let key = match r.sort {
                        Sort::Relevance => f64::from(scorer.score() * fresh.factor(dates.first(doc))),
                        Sort::Newest => dates.first(doc).unwrap_or(i64::MIN) as f64,
                    };
                    heap.push(Ranked(key, ord as u32, doc));
                    if heap.len() > keep {
                        heap.pop();
                    }
                }
                steps += 1;
                if steps % 256 == 0 && Instant::now() >= deadline {
                    timed_out = true;
                    break 'segments;
                }
                doc = scorer.advance();
            }
        }
        let mut sorted = heap.into_sorted_vec();
        // into_sorted_vec is ascending by Ord, i.e. best first here.
        let page: Vec<(f32, DocAddress)> = sorted
            .drain(..)
            .skip(r.offset)
            .take(limit)
            .map(|Ranked(k, seg, doc)| (if r.sort == Sort::Relevance { k as Score } else { 0.0 }, DocAddress::new(seg, doc)))
            .collect();
        Ok((total, page, timed_out))
    }
}

/// A ranked document: (score or date, segment, document). Ordered weakest first, so that a
/// `BinaryHeap`'s top is the one to drop, and `into_sorted_vec` lists the best first; equal
/// scores rank the earlier document first.
#[derive(PartialEq)]
struct Ranked(f64, u32, u32);
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other.0.total_cmp(&self.0).then_with(|| (self.1, self.2).cmp(&(other.1, other.2)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, title: &str, body: &str) -> IndexDoc {
        IndexDoc {
            id,
            org_id: 1,
            catalog_id: 10,
            title: title.into(),
            body: body.into(),
            doc_type: "other".into(),
            validity: "valid".into(),
            publish_date: NaiveDate::from_ymd_opt(2023, 3, id as u32),
            ..Default::default()
        }
    }

    fn ids(index: &SearchIndex, text: &str) -> Vec<i64> {
        let mut v: Vec<i64> = index.search(&SearchRequest { text: text.into(), limit: 100, ..Default::default() }).expect("search").hits.iter().map(|h| h.id).collect();
        v.sort();
        v
    }

    #[test]
    fn cross_script_words_phrases_and_doc_numbers() {
        let index = SearchIndex::in_ram(WriterOptions::default()).expect("index");
        let mut a = doc(1, "源潭镇2023年政府信息公开工作年度报告", "本报告由源潭镇人民政府编制。");
        a.doc_number = Some("清城府〔2023〕12号".into());
        let b = doc(2, "關於做好防汛工作的通知", "各村委會：請做好年度報告");
        let mut c = doc(3, "另一份文件", "无关内容");
        c.doc_number = Some("清城府〔2023〕13号".into());
        index.apply(&[a, b, c], &[], "{}").expect("apply");
        assert_eq!(ids(&index, "政府信息公開"), vec![1]);
        assert_eq!(ids(&index, "政府信息公开"), vec![1]);
        assert_eq!(ids(&index, "年度報告"), vec![1, 2]);
        assert_eq!(ids(&index, "防汛 通知"), vec![2]);
        assert_eq!(ids(&index, "信息公开"), vec![1]);
        assert_eq!(ids(&index, "\"工作年度报告\""), vec![1]);
        assert_eq!(ids(&index, "“年度报告 源潭镇”"), Vec::<i64>::new());
        for v in ["清城府〔2023〕12号", "清城府[2023]12号", "清城府(2023)12号", "清城府（2023）12號", " 清城府 [2023] 12号 "] {
            assert_eq!(ids(&index, v), vec![1], "{v}");
        }
        assert!(matches!(index.search(&SearchRequest { text: " ，。".into(), ..Default::default() }), Err(SearchError::EmptyQuery)));
        let r = index.search(&SearchRequest { text: "年度報告".into(), ..Default::default() }).expect("search");
        assert!(r.hits.iter().any(|h| h.title_html.contains("<mark>年度报告</mark>")), "{:?}", r.hits);
    }

    #[test]
    fn titles_as_written_boosts_and_doc_number_parts() {
        use super::query::CURRENT_YEAR_WEIGHT;
        let index = SearchIndex::in_ram(WriterOptions::default()).expect("index");
        let mut old = doc(1, "源潭镇2022年政府信息公开工作年度报告", "2023年1月发布。本镇2023年将继续做好政府信息公开工作。年度报告");
        old.publish_date = NaiveDate::from_ymd_opt(2023, 1, 18);
        let mut new = doc(2, "源潭镇2023年政府信息公开工作年度报告", "本报告由源潭镇人民政府编制，全文共分六部分内容，数据统计期限为全年。");
        new.publish_date = NaiveDate::from_ymd_opt(2024, 1, 17);
        let mut guide = doc(3, "信息公開指南（2023年修訂）", "指南正文");
        guide.doc_number = Some("源潭府办〔2023〕2号".into());
        let mut notice = doc(4, "关于做好高温天气劳动保护工作的通知", "通知正文");
        notice.doc_number = Some("源潭府办〔2023〕14号".into());
        let mut other = doc(5, "另一个办的通知", "通知正文");
        other.doc_number = Some("源潭府〔2023〕14号".into());
        index.apply(&[old, new, guide, notice, other], &[], "{}").expect("apply");
        let search = |text: &str| {
            let r = SearchRequest { text: text.into(), limit: 10, today: NaiveDate::from_ymd_opt(2026, 12, 7), ..Default::default() };
            index.search(&r).expect("search").hits
        };
        // The query's words in the title, in order, outrank a body that repeats them.
        assert_eq!(search("2023年政府信息公开工作年度报告")[0].id, 2);
        // Titles are shown as written; matching folds script and width.
        let hits = search("信息公开指南");
        assert_eq!(hits[0].title, "信息公開指南（2023年修訂）");
        assert_eq!(hits[0].title_html.replace("<mark>", "").replace("</mark>", ""), "信息公開指南（2023年修訂）");
        assert!(hits[0].title_html.contains("<mark>"), "{}", hits[0].title_html);
        // A 文号 prefix in any bracket style and script finds that office's documents.
        for q in ["源潭府办〔2023〕", "源潭府辦[2023]", "源潭府办（2023", "府办〔2023〕"] {
            let mut found: Vec<i64> = search(q).iter().map(|h| h.id).collect();
            found.sort();
            assert_eq!(found, vec![3, 4], "{q}");
        }
        // The 机关代字 alone finds, first, the 文号 it begins.
        let mut first: Vec<i64> = search("源潭府办").iter().take(2).map(|h| h.id).collect();
        first.sort();
        assert_eq!(first, vec![3, 4]);
        // A partial 文号 with the number: the exact office first.
        let found: Vec<i64> = search("〔2023〕14号").iter().map(|h| h.id).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(search("源潭府办〔2023〕14号").iter().map(|h| h.id).collect::<Vec<_>>(), vec![4]);
        // Recency: of two equal matches the newer comes first, and the current year counts.
        let f = Freshness::new(NaiveDate::from_ymd_opt(2026, 12, 7));
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(days);
        assert!(f.factor(day(2026, 1, 2)) > f.factor(day(2025, 12, 30)) + CURRENT_YEAR_WEIGHT * 0.9);
        assert!(f.factor(day(2025, 1, 1)) > f.factor(day(2023, 1, 1)));
        assert!(f.factor(day(2000, 1, 1)) >= 1.0 && f.factor(None) == 1.0);
    }

    #[test]
    fn overlapping_highlights_merge() {
        assert_eq!(highlight("中华人民共和国<政府>", &[0..21, 6..12, 3..9]), "<mark>中华人民共和国</mark>&lt;政府&gt;");
        assert_eq!(highlight("ab&cd", &[3..5, 0..1, 9..12]), "<mark>a</mark>b&amp;<mark>cd</mark>");
        let index = SearchIndex::in_ram(WriterOptions::default()).expect("index");
        index.apply(&[doc(1, "中华人民共和国政府信息公开条例", "中华人民共和国国务院令")], &[], "{}").expect("apply");
        let r = index.search(&SearchRequest { text: "人民 共和国 中华人民共和国".into(), ..Default::default() }).expect("search");
        assert!(r.hits[0].title_html.contains("<mark>"), "{:?}", r.hits);
    }

    #[test]
    fn snippets_escape_html() {
        let index = SearchIndex::in_ram(WriterOptions::default()).expect("index");
        index.apply(&[doc(1, "<b>公告</b>", "通知 <script>alert(1)</script> 公告")], &[], "{}").expect("apply");
        let r = index.search(&SearchRequest { text: "公告".into(), ..Default::default() }).expect("search");
        let h = &r.hits[0];
        assert!(!h.title_html.contains("<b>") && h.title_html.contains("&lt;b&gt;"), "{}", h.title_html);
        assert!(!h.snippet_html.contains("<script>"), "{}", h.snippet_html);
        assert!(h.snippet_html.contains("<mark>公告</mark>"), "{}", h.snippet_html);
    }

    #[test]
    fn filters_sort_and_paging() {
        let index = SearchIndex::in_ram(WriterOptions::default()).expect("index");
        let mut docs = Vec::new();
        for i in 1..=9 {
            let mut d = doc(i, &format!("通知第{i}号"), "");
            d.org_id = if i % 2 == 0 { 2 } else { 1 };
            docs.push(d);
        }
        docs[0].validity = "repealed".into();
        index.apply(&docs, &[], "{}").expect("apply");
        let req = |f: &dyn Fn(&mut SearchRequest)| {
            let mut r = SearchRequest { text: "通知".into(), limit: 100, ..Default::default() };
            f(&mut r);
            index.search(&r).expect("search")
        };
        assert_eq!(req(&|_| {}).total, 9);
        assert_eq!(req(&|r| r.org_ids = vec![2]).total, 4);
        assert_eq!(req(&|r| r.validity = Some("repealed".into())).hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1]);
        assert_eq!(req(&|r| r.year = Some(2022)).total, 0);
        let newest = req(&|r| {
            r.sort = Sort::Newest;
            r.limit = 3;
            r.offset = 3;
        });
        assert_eq!(newest.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![6, 5, 4]);
        assert_eq!(newest.total, 9);
        index.apply(&[], &[2, 3], "{}").expect("delete");
        assert_eq!(req(&|_| {}).total, 7);
    }

    /// The pruned ranking is exact: the same pages as scoring every match, with dates over
    /// several years, words repeated unevenly, filters, deleted documents and deep offsets.
    #[test]
    fn pruned_ranking_equals_scoring_every_match() {
        let index = SearchIndex::in_ram(WriterOptions::default()).expect("index");
        let words = ["安全生产", "通知", "养老服务", "乡村振兴", "检查"];
        let mut docs = Vec::new();
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        for id in 1..=3000i64 {
            let mut body = String::new();
            for w in words {
                for _ in 0..next(4) {
                    body.push_str(w);
                    body.push('，');
                }
                body.push_str("其他内容。");
            }
            let mut d = doc(id, &format!("{}第{id}号", words[next(5) as usize]), &body);
            d.publish_date = NaiveDate::from_ymd_opt(2020, 1, 1).map(|s| s + chrono::Duration::days(next(2500) as i64));
            d.org_id = 1 + next(3) as i64;
            docs.push(d);
        }
        index.apply(&docs, &[], "{}").expect("apply");
        index.apply(&[], &(1..=3000).step_by(7).collect::<Vec<i64>>(), "{}").expect("delete some");
        let today = NaiveDate::from_ymd_opt(2026, 6, 1);
        let searcher = index.reader.searcher();
        for text in ["安全生产", "通知 检查", "养老服务 乡村振兴 通知"] {
            for (offset, org) in [(0, None), (20, None), (990, None), (0, Some(2))] {
                let r = SearchRequest { text: text.into(), offset, limit: 10, today, org_ids: org.into_iter().collect(), ..Default::default() };
                let got = index.search(&r).expect("search");
                // Every match scored, as TopDocs with the freshness tweak does.
                let query = index.filtered(index.parse(text).expect("parse").query, &r);
                let fresh = Freshness::new(today);
                let all = TopDocs::with_limit(offset + 10).tweak_score(move |seg: &tantivy::SegmentReader| {
                    let dates = seg.fast_fields().i64("date").ok();
                    move |doc: tantivy::DocId, score: Score| score * fresh.factor(dates.as_ref().and_then(|c| c.first(doc)))
                });
                let want: Vec<Score> = searcher.search(query.as_ref(), &all).expect("reference").into_iter().skip(offset).map(|(s, _)| s).collect();
                let have: Vec<Score> = got.hits.iter().map(|h| h.score).collect();
                assert_eq!(have.len(), want.len(), "{text} @{offset}");
                for (h, w) in have.iter().zip(&want) {
                    assert!((h - w).abs() <= 1e-4 * w.abs().max(1.0), "{text} @{offset}: {have:?} vs {want:?}");
                }
            }
        }
    }
}
