//! Quick timing without criterion: `cargo run --release -p gongkai-checker --example timing FILE`.
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let opts = gongkai_checker::CheckOptions::default();
    let _ = gongkai_checker::check_text(&text, &opts);
    let n = 2000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(gongkai_checker::check_text(std::hint::black_box(&text), &opts));
    }
    let per = t.elapsed() / n;
    println!("{} bytes: {:?} per report, {:.0} reports/s", text.len(), per, 1.0 / per.as_secs_f64());
}
