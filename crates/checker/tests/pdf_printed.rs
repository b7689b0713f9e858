//! Real PDFs: the project's exported annual report printed by Debian's chromium
//! (`--print-to-pdf`, whose text layer uses Kangxi radicals and breaks lines by layout) and
//! its DOCX converted by LibreOffice (`soffice --convert-to pdf`), read back cell for cell.
//! When a tool is absent the test prints NOT RUN (and fails under CI=true).

use chrono::NaiveDate;
use gongkai_checker::{check_bytes, CheckOptions, CheckReport, Value};
use gongkai_domain::annual_report::narrative::{draft_preamble, draft_section1, draft_section5, draft_section6};
use gongkai_domain::annual_report::{AnnualReport, Cell, ReportOrg, Section2Block, Section2Row, Section3Row, SourceFigures, SCHEMA_VERSION};
use gongkai_domain::model::OrgLevel;
use gongkai_domain::report_format::{format, format_for_year, CellKind, RowRole};
use gongkai_report_export::{export, ExportFormat, Script};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ORG: &str = "青禾县云溪镇人民政府";

/// A 2023 report with multi-digit figures in every table.
fn report() -> AnnualReport {
    let year = 2023;
    let version = format_for_year(year);
    let fmt = format(version);
    let mut r = AnnualReport {
        schema_version: SCHEMA_VERSION,
        format: version,
        year,
        organisation: ReportOrg { id: 1, name: ORG.into(), code: "11441802007218345X".into(), level: OrgLevel::Township },
        title: format!("{ORG}{year}年政府信息公开工作年度报告"),
        preamble: String::new(),
        section1: String::new(),
        section2: fmt
            .section2
            .iter()
            .map(|b| Section2Block {
                item: b.item.into(),
                article_item: b.article_item,
                columns: b.columns.iter().map(|c| c.to_string()).collect(),
                rows: b.rows.iter().map(|r| Section2Row { label: r.to_string(), cells: b.kinds.iter().map(|k| Cell::zero(*k)).collect() }).collect(),
            })
            .collect(),
        section3: fmt
            .section3_rows
            .iter()
            .map(|r| Section3Row { id: r.id.into(), label: r.label.into(), group: r.group.map(str::to_string), role: r.role, cells: [0; 7] })
            .collect(),
        section4: [0; 15],
        section5: String::new(),
        section6: String::new(),
        signature: ORG.into(),
        date: NaiveDate::from_ymd_opt(2024, 1, 20),
        figures: SourceFigures { portal_name: "青禾县人民政府门户网站".into(), self_reference: "我镇".into(), ..SourceFigures::default() },
    };
    let mut s2 = |row: &str, col: usize, v: u64| {
        let cell = r.section2.iter_mut().flat_map(|b| b.rows.iter_mut()).find(|x| x.label == row).map(|x| &mut x.cells[col]);
        if let Some(c) = cell {
            *c = Cell::count(v);
        }
    };
    s2("行政规范性文件", 0, 12);
    s2("行政规范性文件", 1, 3);
    s2("行政规范性文件", 2, 105);
    s2("行政许可", 0, 1260);
    s2("行政处罚", 0, 41);
    let mut s3 = |id: &str, six: [u64; 6]| {
        if let Some(row) = r.section3.iter_mut().find(|x| x.id == id) {
            row.cells[..6].copy_from_slice(&six);
            row.cells[6] = six.iter().sum();
        }
    };
    s3("一、本年新收政府信息公开申请数量", [25, 11, 0, 1, 0, 2]);
    s3("二、上年结转政府信息公开申请数量", [3, 0, 0, 0, 0, 0]);
    s3("（一）予以公开", [12, 1, 0, 0, 0, 0]);
    s3("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [4, 6, 0, 1, 0, 0]);
    s3("不予公开/4.保护第三方合法权益", [1, 0, 0, 0, 0, 0]);
    s3("无法提供/1.本机关不掌握相关政府信息", [7, 2, 0, 0, 0, 1]);
    s3("其他处理/3.其他", [2, 1, 0, 0, 0, 1]);
    s3("四、结转下年度继续办理", [2, 1, 0, 0, 0, 0]);
    let mut total = [0u64; 7];
    for row in r.section3.iter().filter(|x| x.role == RowRole::Result) {
        for (t, v) in total.iter_mut().zip(row.cells) {
            *t += v;
        }
    }
    if let Some(row) = r.section3.iter_mut().find(|x| x.role == RowRole::ResultTotal) {
        row.cells = total;
    }
    r.section4 = [2, 1, 0, 0, 3, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0];
    r.figures.items_published = 166;
    r.preamble = draft_preamble(&r);
    r.section1 = draft_section1(&r);
    r.section5 = draft_section5(&r);
    r.section6 = draft_section6(&r);
    r
}

fn tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

fn not_run(why: &str) {
    eprintln!("NOT RUN: {why}");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {why}");
}

/// Runs a command with a time limit; true when it exited successfully.
fn run(cmd: &mut Command, limit: Duration) -> bool {
    let Ok(mut child) = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn() else { return false };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(200)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-checker-pdf-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Every cell of the three tables as the report has them.
fn read_back(r: &AnnualReport, got: &CheckReport, what: &str) {
    let text = got.to_text();
    for b in &r.section2 {
        for row in &b.rows {
            let id = if row.label.ends_with("规范性文件") { "行政规范性文件" } else { row.label.as_str() };
            let have = got.tables.section2_row(id).unwrap_or_else(|| panic!("{what}: section 2 row {id} not read\n{text}"));
            for (i, c) in row.cells.iter().enumerate() {
                if c.kind == CellKind::Count {
                    assert_eq!(have.get(i), Some(&Value::Int(c.value)), "{what}: section 2 {id} column {i}\n{text}");
                }
            }
        }
    }
    for row in &r.section3 {
        let want: Vec<Value> = row.cells.iter().map(|v| Value::Int(*v as i64)).collect();
        assert_eq!(got.tables.section3_row(&row.id), Some(want.as_slice()), "{what}: section 3 {}\n{text}", row.id);
    }
    let want4: Vec<Value> = r.section4.iter().map(|v| Value::Int(*v as i64)).collect();
    assert_eq!(got.tables.section4, want4, "{what}: section 4\n{text}");
    assert_eq!((got.agency.as_deref(), got.year), (Some(ORG), Some(2023)), "{what}\n{text}");
    assert!(!got.findings.iter().any(|f| f.code.starts_with("ARITH_") || f.code == "TABLE_AMBIGUOUS"), "{what}\n{text}");
}

/// Checks a PDF; the text extraction has a time limit that a debug build on a loaded machine
/// can exceed: the limit is raised for this test, and a timeout retried (a reading error is not).
fn read_pdf(pdf: &Path) -> CheckReport {
    // Debug builds extract text many times slower than release builds.
    if std::env::var_os("GONGKAI_CHECKER_PDF_TIMEOUT_SECS").is_none() {
        std::env::set_var("GONGKAI_CHECKER_PDF_TIMEOUT_SECS", "300");
    }
    let bytes = std::fs::read(pdf).expect("pdf");
    let mut last = String::new();
    for _ in 0..3 {
        match check_bytes(&bytes, Some("report.pdf"), &CheckOptions::default()) {
            Ok(r) => return r,
            Err(e) => last = e.to_string(),
        }
        if !last.contains("超时") {
            break;
        }
    }
    panic!("PDF not read: {last}");
}

#[test]
fn chromium_printed_html() {
    let Some(chromium) = tool("chromium") else { return not_run("chromium is not installed") };
    let r = report();
    let dir = tempdir("html");
    let html = dir.join("report.html");
    std::fs::write(&html, export(&r, ExportFormat::Html, Script::Hans).expect("html")).expect("write");
    let pdf = dir.join("report.pdf");
    let ok = run(
        Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display())),
        Duration::from_secs(120),
    );
    if !ok || !pdf.is_file() {
        return not_run("chromium could not print the report to PDF");
    }
    let got = read_pdf(&pdf);
    read_back(&r, &got, "chromium PDF");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn libreoffice_converted_docx() {
    let Some(soffice) = tool("soffice") else { return not_run("soffice (libreoffice-writer-nogui) is not installed") };
    let r = report();
    let dir = tempdir("docx");
    let docx = dir.join("report.docx");
    std::fs::write(&docx, export(&r, ExportFormat::Docx, Script::Hans).expect("docx")).expect("write");
    let ok = run(
        Command::new(soffice)
            .arg(format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display()))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&dir)
            .arg(&docx),
        Duration::from_secs(180),
    );
    let pdf = dir.join("report.pdf");
    if !ok || !pdf.is_file() {
        return not_run("soffice could not convert the report to PDF");
    }
    let got = read_pdf(&pdf);
    read_back(&r, &got, "LibreOffice PDF");
    let _ = std::fs::remove_dir_all(&dir);
}
