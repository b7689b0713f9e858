//! Reports per second on one core for typical 10–30 KB reports.
//! Run: `cargo bench -p gongkai-checker --bench check`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use gongkai_checker::{check_bytes, check_text, CheckOptions};

const CLEAN: &str = include_str!("../tests/fixtures/clean_2021.txt");

/// The clean sample grown to about `kb` KB by adding narrative paragraphs to section 一.
fn sized(kb: usize) -> String {
    let para = "本局坚持以公开为常态、不公开为例外，围绕重点领域信息公开，持续完善政府信息公开制度，规范依申请公开办理流程，加强政策解读和回应关切，推动政务公开标准化规范化建设。\n";
    let mut extra = String::new();
    while CLEAN.len() + extra.len() < kb * 1024 {
        extra.push_str(para);
    }
    CLEAN.replacen("二、主动公开政府信息情况", &format!("{extra}二、主动公开政府信息情况"), 1)
}

fn bench(c: &mut Criterion) {
    let opts = CheckOptions::default();
    // Warm the script tables once (process start-up cost, not per report).
    let _ = check_text(CLEAN, &opts);
    let mut g = c.benchmark_group("check");
    for kb in [10usize, 20, 30] {
        let text = sized(kb);
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("text_{kb}kb"), |b| b.iter(|| check_text(black_box(&text), &opts)));
    }
    let trad = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t)
        .map(|c| c.convert(&sized(20)))
        .unwrap_or_default();
    g.bench_function("traditional_20kb", |b| b.iter(|| check_text(black_box(&trad), &opts)));
    let html = format!(
        "<html><body>{}</body></html>",
        sized(20)
            .lines()
            .map(|l| if l.contains('\t') {
                format!("<table><tr><td>{}</td></tr></table>", l.replace('\t', "</td><td>"))
            } else {
                format!("<p>{l}</p>")
            })
            .collect::<String>()
    );
    g.bench_function("html_20kb", |b| b.iter(|| check_bytes(black_box(html.as_bytes()), Some("r.html"), &opts)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
