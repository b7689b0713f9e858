//! `gongkai report check FOLDER --xlsx summary.xlsx` (the CLI front end the gongkai binary
//! calls): every file checked even when one is unreadable, each with its exit code, and the
//! workbook with one row per report and the findings on a second sheet.

mod common;
use common::*;
use gongkai_checker::cli::{run, CheckArgs};
use std::io::Read;
use std::path::PathBuf;

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-checker-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn args(files: Vec<PathBuf>) -> CheckArgs {
    CheckArgs { files, json: false, csv: None, xlsx: None, previous: None, today: None }
}

/// The shared strings and the sheets of a workbook, as XML text.
fn workbook_xml(path: &std::path::Path) -> (String, String, String) {
    let file = std::fs::File::open(path).expect("xlsx written");
    let mut zip = zip::ZipArchive::new(file).expect("xlsx is a zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in workbook")).read_to_string(&mut s).expect("read");
        s
    };
    (read("xl/sharedStrings.xml"), read("xl/worksheets/sheet1.xml"), read("xl/worksheets/sheet2.xml"))
}

#[test]
fn folder_with_an_unreadable_file() {
    let dir = tempdir("folder");
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).expect("dir");
    std::fs::write(reports.join("a_clean.txt"), CLEAN_2021).expect("write");
    let defect = replace(CLEAN_2021, "（七）总计\t10\t2\t0\t0\t1\t0\t13", "（七）总计\t10\t2\t0\t0\t1\t0\t14");
    std::fs::write(reports.join("b_defect.txt"), defect).expect("write");
    std::fs::write(reports.join("c_broken.docx"), b"PK\x03\x04 not really a docx").expect("write");
    let flat = CLEAN_2019.replace(['\n', '\t'], " ");
    std::fs::write(reports.join("d_flat.txt"), flat).expect("write");
    let xlsx = dir.join("summary.xlsx");
    let csv = dir.join("summary.csv");
    let mut a = args(vec![reports.clone()]);
    a.xlsx = Some(xlsx.clone());
    a.csv = Some(csv.clone());
    // One file unreadable: exit code 2 for the run, the others still checked.
    assert_eq!(run(&a), 2);
    let (strings, sheet1, sheet2) = workbook_xml(&xlsx);
    for s in ["已读格数", "有歧义格数", "未读格数", "退出码", "示例县交通运输局", "a_clean.txt", "b_defect.txt", "c_broken.docx", "d_flat.txt", "无法读取 DOCX 文件", "ARITH_C1 C1收支不平衡", "2019年试行格式"] {
        assert!(strings.contains(s), "{s} missing from the workbook strings");
    }
    assert!(strings.contains("核对第三部分：本年新收加上年结转应等于办理结果总计加结转下年度。"), "advice on the findings sheet");
    // Four reports and the header on the first sheet; findings rows on the second.
    assert_eq!(sheet1.matches("<row ").count(), 5, "{sheet1}");
    assert!(sheet2.matches("<row ").count() > 2);
    // Per-file exit codes in the CSV: 0 clean, 1 error findings, 2 unreadable.
    let csv = std::fs::read_to_string(&csv).expect("csv");
    let code = |name: &str| csv.lines().find(|l| l.contains(name)).and_then(|l| l.rsplit(',').next()).map(str::to_string);
    assert_eq!(code("a_clean.txt").as_deref(), Some("0"), "{csv}");
    assert_eq!(code("b_defect.txt").as_deref(), Some("1"));
    assert_eq!(code("c_broken.docx").as_deref(), Some("2"));
    assert_eq!(code("d_flat.txt").as_deref(), Some("0"), "the flattened report reads like the clean one\n{csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readable_files_only() {
    let dir = tempdir("ok");
    let f = dir.join("clean.txt");
    std::fs::write(&f, CLEAN_2021).expect("write");
    let mut a = args(vec![f]);
    a.xlsx = Some(dir.join("out.xlsx"));
    assert_eq!(run(&a), 0);
    let (strings, _, _) = workbook_xml(&dir.join("out.xlsx"));
    assert!(strings.contains("示例县交通运输局"));
    // An unwritable workbook path is a clear failure, not a panic.
    let mut a = args(vec![dir.join("clean.txt")]);
    a.xlsx = Some(dir.join("no-such-dir").join("out.xlsx"));
    assert_eq!(run(&a), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
