//! The criterion bench inputs, for profilers and quick medians without criterion:
//! `cargo run --release -p gongkai-checker --example profile -- KIND [ITERS]`
//! where KIND is text_10kb, text_20kb, text_30kb, traditional_20kb or html_20kb.
//! Prints the median time per report over 5 rounds of ITERS reports; `KIND dump` prints the input.
use gongkai_checker::{check_bytes, check_text, CheckOptions};

const CLEAN: &str = include_str!("../tests/fixtures/clean_2021.txt");

fn sized(kb: usize) -> String {
    let para = "本局坚持以公开为常态、不公开为例外，围绕重点领域信息公开，持续完善政府信息公开制度，规范依申请公开办理流程，加强政策解读和回应关切，推动政务公开标准化规范化建设。\n";
    let mut extra = String::new();
    while CLEAN.len() + extra.len() < kb * 1024 {
        extra.push_str(para);
    }
    CLEAN.replacen("二、主动公开政府信息情况", &format!("{extra}二、主动公开政府信息情况"), 1)
}

fn main() {
    let kind = std::env::args().nth(1).unwrap_or_else(|| "text_10kb".into());
    let iters: u32 = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let opts = CheckOptions::default();
    let _ = check_text(CLEAN, &opts);
    let (text, html) = match kind.as_str() {
        "text_10kb" => (sized(10), false),
        "text_20kb" => (sized(20), false),
        "text_30kb" => (sized(30), false),
        "traditional_20kb" => (
            ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t)
                .map(|c| c.convert(&sized(20)))
                .unwrap_or_default(),
            false,
        ),
        "html_20kb" => (
            format!(
                "<html><body>{}</body></html>",
                sized(20)
                    .lines()
                    .map(|l| if l.contains('\t') {
                        format!("<table><tr><td>{}</td></tr></table>", l.replace('\t', "</td><td>"))
                    } else {
                        format!("<p>{l}</p>")
                    })
                    .collect::<String>()
            ),
            true,
        ),
        other => {
            eprintln!("unknown kind {other}");
            return;
        }
    };
    if std::env::args().nth(2).as_deref() == Some("dump") {
        print!("{text}");
        return;
    }
    // Warm-up outside `run_once`, so that `--toggle-collect=profile::run_once` under callgrind
    // counts only steady-state work.
    let _ = check_bytes(text.as_bytes(), Some(if html { "r.html" } else { "r.txt" }), &opts);
    let run = || run_once(&text, html, &opts);
    let mut rounds = Vec::new();
    let mut cpu_rounds = Vec::new();
    for _ in 0..5 {
        let (t, cpu) = (std::time::Instant::now(), cpu_seconds());
        for _ in 0..iters {
            run();
        }
        rounds.push(t.elapsed() / iters);
        if let (Some(a), Some(b)) = (cpu, cpu_seconds()) {
            cpu_rounds.push((b - a) / f64::from(iters));
        }
    }
    rounds.sort();
    cpu_rounds.sort_by(f64::total_cmp);
    let med = rounds[2];
    let cpu = cpu_rounds.get(cpu_rounds.len() / 2).map(|s| format!(", CPU {:.0} µs", s * 1e6)).unwrap_or_default();
    println!(
        "{kind}: {} bytes, median {:?} per report{cpu}, {:.0} reports/s (rounds {:?})",
        text.len(),
        med,
        1.0 / med.as_secs_f64(),
        rounds
    );
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, 100 ticks per second):
/// less disturbed than wall time when other processes share the cores.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[inline(never)]
fn run_once(text: &str, html: bool, opts: &CheckOptions) {
    if html {
        let _ = std::hint::black_box(check_bytes(std::hint::black_box(text.as_bytes()), Some("r.html"), opts));
    } else {
        std::hint::black_box(check_text(std::hint::black_box(text), opts));
    }
}
