//! Bounded randomized robustness tests (run in the normal suite; the cargo-fuzz target in
//! fuzz/ explores further): random bytes, mutated reports, deeply nested HTML, truncated and
//! malformed DOCX/PDF, a 20 MB input. Nothing may panic, and each input finishes in bounded time.

mod common;
use common::*;
use gongkai_checker::{check_bytes, check_text, CheckOptions};
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

fn run(bytes: &[u8], hint: Option<&str>) -> Duration {
    let t = Instant::now();
    if let Ok(r) = check_bytes(bytes, hint, &CheckOptions::default()) {
        let _ = r.to_text();
        let _ = r.to_json();
    }
    t.elapsed()
}

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn random_bytes_and_mutations() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let hints = [None, Some("a.html"), Some("a.docx"), Some("a.pdf"), Some("a.txt")];
    for i in 0..300 {
        let len = rng.gen_range(0..4096);
        let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        assert!(run(&bytes, hints[i % hints.len()]) < LIMIT);
    }
    // Mutations of a real-looking report: byte flips, deletions, duplicated lines.
    let base = CLEAN_2021.as_bytes();
    for _ in 0..300 {
        let mut b = base.to_vec();
        for _ in 0..rng.gen_range(1..40) {
            let p = rng.gen_range(0..b.len());
            match rng.gen_range(0..3) {
                0 => b[p] = rng.gen(),
                1 => {
                    b.remove(p);
                }
                _ => {
                    let q = (p + rng.gen_range(1..200)).min(b.len());
                    let chunk = b[p..q].to_vec();
                    b.splice(p..p, chunk);
                }
            }
        }
        assert!(run(&b, None) < LIMIT);
        if let Ok(s) = std::str::from_utf8(&b) {
            let _ = check_text(s, &CheckOptions { previous: Some(CLEAN_2021.into()), today: None });
        }
    }
}

#[test]
fn deeply_nested_html() {
    let n = 50_000;
    let html = format!("<html><body>{}一、总体情况{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
    assert!(run(html.as_bytes(), Some("x.html")) < LIMIT);
    let tables = format!("<html><body>{}<td>1</td>{}</body></html>", "<table><tr><td>".repeat(3000), "</td></tr></table>".repeat(3000));
    assert!(run(tables.as_bytes(), Some("x.html")) < LIMIT);
    let unclosed = format!("<html><body>{}</body></html>", "<b><i><a href=x><table><tr><td rowspan=999 colspan=999>".repeat(2000));
    assert!(run(unclosed.as_bytes(), None) < LIMIT);
}

#[test]
fn truncated_docx_and_pdf() {
    let docx = {
        // a tiny valid zip with a document.xml
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            use std::io::Write;
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(b"<w:document><w:body><w:p><w:r><w:t>2023\xe5\xb9\xb4</w:t></w:r></w:p></w:body></w:document>").unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    };
    for cut in (0..docx.len()).step_by(7) {
        let _ = run(&docx[..cut], Some("a.docx"));
    }
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n4 0 obj << /Length 44 >> stream\nBT /F1 12 Tf 72 712 Td (2023 report) Tj ET\nendstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    for cut in (0..pdf.len()).step_by(23) {
        assert!(run(&pdf[..cut], Some("a.pdf")) < LIMIT);
    }
    let nested = format!("%PDF-1.4\n1 0 obj {} endobj", "[".repeat(100_000));
    assert!(check_bytes(nested.as_bytes(), None, &CheckOptions::default()).is_err());
}

#[test]
fn twenty_megabytes() {
    let mut big = String::with_capacity(21 * 1024 * 1024);
    while big.len() < 20 * 1024 * 1024 {
        big.push_str(CLEAN_2021);
    }
    let t = Instant::now();
    let r = check_bytes(big.as_bytes(), Some("big.txt"), &CheckOptions::default()).unwrap();
    assert!(has(&r, "INPUT_TRUNCATED"));
    assert!(t.elapsed() < LIMIT, "{:?}", t.elapsed());
    let too_big = vec![b'a'; gongkai_checker::MAX_INPUT_BYTES + 1];
    assert!(matches!(
        check_bytes(&too_big, None, &CheckOptions::default()),
        Err(gongkai_checker::CheckError::TooLarge { .. })
    ));
}
