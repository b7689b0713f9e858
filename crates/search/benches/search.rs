//! Search benchmark: tantivy + jieba (this crate) side by side with SQLite
//! FTS5 (trigram tokenizer) over the same synthetic corpus.
//!
//!     cargo bench -p gongkai-search --bench search -- --items 1000000
//!
//! Options: --items N (default 100000), --queries Q per class (default 200),
//! --dir PATH (work directory, default: the system temp dir), --budget-ms MS
//! (time budget of phrase queries, default 100), --seed S, --reuse (query
//! the indexes a previous run with the same options left in the directory).
//! Reports indexing rate, latency p50/p99 for one-word, two-word and phrase
//! queries (10 results with snippets and the total count), and recall against
//! a substring scan of the corpus for 2-character and longer words.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use gongkai_search::corpus::{Generator, Vocabulary};
use gongkai_search::{IndexDoc, SearchIndex, SearchRequest, WriterOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Args {
    items: usize,
    queries: usize,
    dir: PathBuf,
    budget: Duration,
    seed: u64,
    /// Reuse the indexes a previous run left in `dir` (same items and seed).
    reuse: bool,
}

fn args() -> Args {
    let mut a = Args { items: 100_000, queries: 200, dir: std::env::temp_dir().join("gongkai-search-bench"), budget: Duration::from_millis(100), seed: 42, reuse: false };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_default();
        match k.as_str() {
            "--items" => a.items = v().parse().unwrap_or(a.items),
            "--queries" => a.queries = v().parse().unwrap_or(a.queries),
            "--dir" => a.dir = PathBuf::from(v()),
            "--budget-ms" => a.budget = Duration::from_millis(v().parse().unwrap_or(100)),
            "--seed" => a.seed = v().parse().unwrap_or(a.seed),
            "--reuse" => a.reuse = true,
            _ => {} // `cargo bench` passes --bench
        }
    }
    a
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(name: &str, mut times: Vec<Duration>, note: &str) {
    times.sort();
    let mean = times.iter().map(Duration::as_secs_f64).sum::<f64>() / times.len().max(1) as f64 * 1000.0;
    println!("  {name:<34} n={:<5} p50 {:>8.2} ms   p99 {:>8.2} ms   mean {:>8.2} ms  {note}", times.len(), pct(&times, 0.5), pct(&times, 0.99), mean);
}

fn fts_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn main() {
    let a = args();
    let vocab = Vocabulary::jieba(1.0).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    println!("gongkai search benchmark: {} items, {} words of 2–4 characters (Zipf s=1), {} queries per class", a.items, vocab.len(), a.queries);
    let reuse = a.reuse && a.dir.join("tantivy").join("meta.json").is_file();
    let reuse_fts = a.reuse && a.dir.join("fts5.db").is_file();
    if !a.reuse {
        let _ = std::fs::remove_dir_all(&a.dir);
    }
    std::fs::create_dir_all(&a.dir).expect("work dir");
    let mut rng = StdRng::seed_from_u64(a.seed ^ 0x5eed);

    // Phrase queries: two adjacent body words of items spread over the corpus.
    let every = (a.items / a.queries.max(1)).max(1);
    let mut phrases: Vec<(String, String)> = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(2015, 1, 1).expect("date");

    // ---- tantivy ----
    let index = SearchIndex::open_or_create(&a.dir.join("tantivy"), WriterOptions { threads: 2, heap_bytes: 1_000_000_000 }).expect("index");
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for item in Generator::new(&vocab, a.items, a.seed) {
        if item.id as usize % every == 0 && phrases.len() < a.queries {
            let i = rng.gen_range(0..59usize);
            let i = if i % 10 == 9 { i - 1 } else { i }; // stay within a clause
            phrases.push((vocab.word(item.body_ranks[i] as usize).to_owned(), vocab.word(item.body_ranks[i + 1] as usize).to_owned()));
        }
        if reuse {
            continue;
        }
        batch.push(IndexDoc {
            id: item.id,
            org_id: 1 + item.id % 20,
            catalog_id: 1 + item.id % 200,
            title: item.title,
            body: item.body,
            doc_type: "other".into(),
            validity: "valid".into(),
            publish_date: Some(epoch + chrono::Duration::days(item.id % 3650)),
            ..Default::default()
        });
        if batch.len() == 10_000 {
            index.add_uncommitted(&batch).expect("add");
            batch.clear();
        }
    }
    index.add_uncommitted(&batch).expect("add");
    index.commit("{}").expect("commit");
    let t_index = started.elapsed();
    let _ = index.num_docs();
    println!("\n索引 indexing");
    println!("  tantivy+jieba: {:.1} s, {:.0} items/s", t_index.as_secs_f64(), a.items as f64 / t_index.as_secs_f64());

    // ---- FTS5 ----
    let db = rusqlite::Connection::open(a.dir.join("fts5.db")).expect("sqlite");
    let started = Instant::now();
    if !reuse_fts {
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'trigram');").expect("fts5");
        let tx = db.unchecked_transaction().expect("tx");
        {
            let mut ins = tx.prepare("INSERT INTO docs (rowid, title, body) VALUES (?1, ?2, ?3)").expect("prepare");
            for item in Generator::new(&vocab, a.items, a.seed) {
                ins.execute(rusqlite::params![item.id, item.title, item.body]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let t_fts = started.elapsed();
    if reuse || reuse_fts {
        println!("  (reused from {}: tantivy {reuse}, FTS5 {reuse_fts}; a reused index's time above is not its indexing time)", a.dir.display());
    }
    println!("  SQLite FTS5 trigram: {:.1} s, {:.0} items/s", t_fts.as_secs_f64(), a.items as f64 / t_fts.as_secs_f64());

    // ---- queries ----
    let one: Vec<String> = (0..a.queries).map(|_| vocab.sample(&mut rng).to_owned()).collect();
    let two: Vec<(String, String)> = (0..a.queries).map(|_| (vocab.sample(&mut rng).to_owned(), vocab.sample(&mut rng).to_owned())).collect();
    let run_t = |text: &str| -> (Duration, usize, bool) {
        let s = Instant::now();
        let r = index.search(&SearchRequest { text: text.to_owned(), limit: 10, budget: a.budget, ..Default::default() }).expect("search");
        (s.elapsed(), r.total, r.timed_out)
    };
    let mut top = db.prepare("SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10").expect("prepare");
    let mut count = db.prepare("SELECT count(*) FROM docs WHERE docs MATCH ?1").expect("prepare");
    let mut run_f = |m: &str| -> (Duration, i64) {
        let s = Instant::now();
        let rows: Vec<i64> = top.query_map([m], |r| r.get(0)).expect("query").flatten().collect();
        let n: i64 = count.query_row([m], |r| r.get(0)).expect("count");
        let _ = rows;
        (s.elapsed(), n)
    };
    println!("\n查询延迟 query latency (top 10 by relevance + total count; tantivy also builds snippets)");
    for (class, texts, fts) in [
        ("one word", one.clone(), one.iter().map(|w| fts_quote(w)).collect::<Vec<_>>()),
        ("two words", two.iter().map(|(x, y)| format!("{x} {y}")).collect(), two.iter().map(|(x, y)| format!("{} AND {}", fts_quote(x), fts_quote(y))).collect()),
        ("phrase", phrases.iter().map(|(x, y)| format!("\"{x}{y}\"")).collect(), phrases.iter().map(|(x, y)| fts_quote(&format!("{x}{y}"))).collect()),
    ] {
        let (mut tt, mut tf) = (Vec::new(), Vec::new());
        let (mut hits_t, mut hits_f, mut timed_out, mut zero_f) = (0usize, 0i64, 0usize, 0usize);
        for (t, f) in texts.iter().zip(&fts) {
            let (d, n, to) = run_t(t);
            tt.push(d);
            hits_t += n;
            timed_out += usize::from(to);
            let (d, n) = run_f(f);
            tf.push(d);
            hits_f += n;
            zero_f += usize::from(n == 0);
        }
        summary(&format!("tantivy {class}"), tt, &format!("mean hits {:.0}, over budget {timed_out}", hits_t as f64 / texts.len().max(1) as f64));
        summary(&format!("FTS5 {class}"), tf, &format!("mean hits {:.0}, zero-hit queries {zero_f}", hits_f as f64 / texts.len().max(1) as f64));
    }

    // ---- recall against a substring scan ----
    let mut by_len: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    while by_len[0].len() < 20 || by_len[1].len() < 20 {
        let w = vocab.word(rng.gen_range(100..5000)).to_owned();
        let k = usize::from(w.chars().count() > 2);
        if by_len[k].len() < 20 && !by_len[k].contains(&w) {
            by_len[k].push(w);
        }
    }
    let words: Vec<&String> = by_len.iter().flatten().collect();
    let mut truth: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); words.len()];
    for item in Generator::new(&vocab, a.items, a.seed) {
        for (i, w) in words.iter().enumerate() {
            if item.title.contains(w.as_str()) || item.body.contains(w.as_str()) {
                truth[i].insert(item.id);
            }
        }
    }
    println!("\n召回率 recall against a substring scan (20 words each, ranks 100–5000)");
    let mut like = db.prepare("SELECT rowid FROM docs WHERE title LIKE ?1 OR body LIKE ?1").expect("prepare");
    let mut fts_ids = db.prepare("SELECT rowid FROM docs WHERE docs MATCH ?1").expect("prepare");
    for (k, label) in [(0usize, "2-character words"), (1, "3–4-character words")] {
        let (mut rt, mut rf, mut n_truth) = (0usize, 0usize, 0usize);
        let mut like_times = Vec::new();
        let mut rl = 0usize;
        for (i, w) in words.iter().enumerate() {
            if usize::from(w.chars().count() > 2) != k {
                continue;
            }
            let t = &truth[i];
            n_truth += t.len();
            let tid: BTreeSet<i64> = index.matching_ids(w).expect("ids").into_iter().collect();
            rt += t.intersection(&tid).count();
            let fid: BTreeSet<i64> = fts_ids.query_map([fts_quote(w)], |r| r.get(0)).expect("q").flatten().collect();
            rf += t.intersection(&fid).count();
            if k == 0 && like_times.len() < 5 {
                let s = Instant::now();
                let lid: BTreeSet<i64> = like.query_map([format!("%{w}%")], |r| r.get(0)).expect("q").flatten().collect();
                like_times.push(s.elapsed());
                rl += t.intersection(&lid).count();
            }
        }
        let r = |x: usize| if n_truth == 0 { 100.0 } else { x as f64 * 100.0 / n_truth as f64 };
        println!("  {label:<22} documents containing them: {n_truth:<8} tantivy+jieba recall {:>5.1}%   FTS5 MATCH recall {:>5.1}%", r(rt), r(rf));
        if k == 0 {
            summary("FTS5 LIKE '%w%' fallback (5 words)", like_times, &format!("finds {rl} of those 5 words' documents"));
        }
    }
    let size = |p: PathBuf| -> u64 {
        std::fs::read_dir(&p).map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()).unwrap_or_else(|_| std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0))
    };
    println!("\n大小 size on disk: tantivy {:.0} MB, FTS5 {:.0} MB", size(a.dir.join("tantivy")) as f64 / 1e6, size(a.dir.join("fts5.db")) as f64 / 1e6);
}
