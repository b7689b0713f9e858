//! Ranking quality of search on the demo data: a test set of queries
//! (`tests/data/search_ranking.tsv`) with the result people expect first,
//! asked through `/api/v1/search` of the real HTTP server. Prints each
//! query's rank of the expected result and the set's hits@1 and MRR@10 (the
//! ranking benchmark), and fails below the floor stated at `MIN_HITS_AT_1` —
//! on SQLite and PostgreSQL. Also checks that results show the title as
//! published (not the folded text used for matching).

mod common;

use common::*;
use gongkai_store::Store;
use serde_json::Value;

/// At least this share of the queries must put the expected result first,
/// and every expected result must be in the first ten. The set was written
/// from what a reader of the portal looks for; the floor sits one query
/// below what the ranking achieves, so a change that makes any two queries
/// worse fails.
const MIN_HITS_AT_1: f64 = 0.93;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn cases() -> Vec<(String, String)> {
    include_str!("data/search_ranking.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (q, t) = l.split_once('\t').expect("query<TAB>title");
            (q.trim().to_owned(), t.trim().to_owned())
        })
        .collect()
}

async fn ranking(store: &Store) {
    gongkai::demo::load(store).await.expect("demo");
    let base = start(store.clone()).await;
    let c = client();
    let cases = cases();
    assert!(cases.len() >= 20, "the test set has {} queries", cases.len());
    let (mut hits, mut rr, mut lines, mut missing) = (0usize, 0f64, Vec::new(), Vec::new());
    for (q, expected) in &cases {
        let json: Value = c.get(format!("{base}/api/v1/search?q={}&per_page=10", enc(q))).send().await.expect("search").json().await.expect("json");
        let titles: Vec<String> = json["items"].as_array().expect("items").iter().map(|i| i["title"].as_str().unwrap_or_default().to_owned()).collect();
        let rank = titles.iter().position(|t| t == expected).map(|p| p + 1);
        match rank {
            Some(1) => hits += 1,
            None => missing.push(q.clone()),
            _ => {}
        }
        rr += rank.map(|r| 1.0 / r as f64).unwrap_or(0.0);
        lines.push(format!("{:>4}  {q}  →  {}", rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()), titles.first().map(String::as_str).unwrap_or("（无结果）")));
    }
    let n = cases.len() as f64;
    let (h1, mrr) = (hits as f64 / n, rr / n);
    println!("search ranking benchmark ({} queries):\n{}\nhits@1 = {hits}/{} = {h1:.3}   MRR@10 = {mrr:.3}", cases.len(), lines.join("\n"), cases.len());
    assert!(missing.is_empty(), "expected result not in the first ten for {missing:?}");
    assert!(h1 >= MIN_HITS_AT_1, "hits@1 {h1:.3} below {MIN_HITS_AT_1}");

    // Titles as published: full-width brackets and Traditional script kept,
    // highlights on the stored text.
    let json: Value = c.get(format!("{base}/api/v1/search?q={}", enc("信息公開指南"))).send().await.expect("search").json().await.expect("json");
    let first = &json["items"][0];
    assert_eq!(first["title"], "清远市清城区源潭镇人民政府信息公开指南（2025年修订）");
    let unmarked = |h: &str| h.replace("<mark>", "").replace("</mark>", "");
    assert!(first["title_html"].as_str().is_some_and(|h| h.contains("<mark>") && unmarked(h) == "清远市清城区源潭镇人民政府信息公开指南（2025年修订）"), "{first}");
    let page = c.get(format!("{base}/search?q={}", enc("信息公开指南（2023年修订）"))).send().await.expect("page").text().await.expect("text");
    assert!(unmarked(&page).contains("信息公开指南（2023年修订）"), "the portal shows the title as published");
    // A 文号 prefix finds that office's documents of the year, in any script.
    let json: Value = c.get(format!("{base}/api/v1/search?q={}&per_page=50", enc("源潭府辦［2023］"))).send().await.expect("search").json().await.expect("json");
    let numbers: Vec<&str> = json["items"].as_array().expect("items").iter().filter_map(|i| i["doc_number"].as_str()).collect();
    assert_eq!(json["total"], 5, "{json}");
    assert!(numbers.iter().all(|n| n.starts_with("源潭府办〔2023〕")), "{numbers:?}");
}

gongkai_store::on_both_backends!(ranking);
