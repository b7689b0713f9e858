//! The binary and machine-readable exports: DOCX (structure, merged cells, fonts, and a
//! LibreOffice conversion when `soffice` is installed), XLSX (re-read: numbers are numbers,
//! merges exist) and JSON (valid against the committed schema).

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use gongkai_report_export::{export, json_schema, ExportFormat, Script, JSON_SCHEMA_ID};
use quick_xml::events::Event;

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
    let mut file = zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the archive"));
    let mut s = String::new();
    file.read_to_string(&mut s).expect("utf-8 entry");
    s
}

/// Elements of a well-formed XML document as (name, attributes), in order, with text runs
/// as ("#text", [("", text)]). Panics if the document is not well-formed.
fn parse_xml(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            quick_xml::escape::unescape(&String::from_utf8_lossy(&a.value)).expect("attribute value").into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
            }
            Ok(Event::Text(t)) => {
                let text = t.decode().expect("text").into_owned();
                out.push(("#text".into(), vec![(String::new(), text)]));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn docx_is_a_valid_package_with_merged_table_cells_and_cjk_fonts() {
    let bytes = export(&common::sample(), ExportFormat::Docx, Script::Hans).expect("docx");
    let types = zip_entry(&bytes, "[Content_Types].xml");
    parse_xml(&types);
    assert!(types.contains("wordprocessingml.document.main+xml"));
    let doc = zip_entry(&bytes, "word/document.xml");
    let els = parse_xml(&doc);
    let count = |name: &str| els.iter().filter(|(n, _)| n == name).count();
    let vmerge = |val: &str| {
        els.iter()
            .filter(|(n, a)| n == "w:vMerge" && attr(a, "w:val") == Some(val))
            .count()
    };
    assert_eq!(count("w:tbl"), 3);
    // Section 二: 4 block titles, 3 headings and 4 values over three columns = 11;
    // section 三: the note (3 rows), 申请人情况, 法人或其他组织, 3 label rows over three
    // columns and 3 rows of the top group over two = 11; section 四: 4.
    assert_eq!(count("w:gridSpan"), 26);
    // Restarts: section 三 note, 自然人, 总计, 三、本年度办理结果, four groups; section 四 five.
    assert_eq!(vmerge("restart"), 13);
    // Continuations: 2 + 1 + 1 + 21 + (7 + 2 + 4 + 2) in section 三, 5 in section 四.
    assert_eq!(vmerge("continue"), 45);
    // Every row fills its table's grid: (grid columns, sum of the row's cell spans).
    let mut grid_cols = 0usize;
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for (name, a) in &els {
        match name.as_str() {
            "w:tblGrid" => grid_cols = 0,
            "w:gridCol" => grid_cols += 1,
            "w:tr" => rows.push((grid_cols, 0)),
            "w:tc" => {
                if let Some(r) = rows.last_mut() {
                    r.1 += 1;
                }
            }
            "w:gridSpan" => {
                let v: usize = attr(a, "w:val").and_then(|v| v.parse().ok()).expect("gridSpan val");
                if let Some(r) = rows.last_mut() {
                    r.1 += v - 1;
                }
            }
            _ => {}
        }
    }
    assert_eq!(rows.len(), 14 + 28 + 4);
    assert!(rows.iter().all(|(cols, span)| cols == span && *cols > 0), "{rows:?}");
    // A4 portrait.
    let pg = els.iter().find(|(n, _)| n == "w:pgSz").expect("page size");
    assert_eq!(attr(&pg.1, "w:w"), Some("11906"));
    assert_eq!(attr(&pg.1, "w:h"), Some("16838"));
    // Fonts with eastAsia: 仿宋_GB2312 body, 黑体 headings, 楷体_GB2312 sub-headings, 宋体 tables.
    let east_asia: Vec<&str> = els
        .iter()
        .filter(|(n, _)| n == "w:rFonts")
        .filter_map(|(_, a)| attr(a, "w:eastAsia"))
        .collect();
    for font in ["仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"] {
        assert!(east_asia.contains(&font), "{font}");
    }
    // Title centred; signature and date right-aligned; figures centred.
    assert!(doc.contains("清远市清城区源潭镇人民政府2023年政府信息公开工作年度报告"));
    let texts: Vec<&str> = els
        .iter()
        .filter(|(n, _)| n == "#text")
        .map(|(_, a)| a[0].1.as_str())
        .collect();
    assert!(texts.contains(&"2024年1月20日"));
    assert!(texts.contains(&"12.35"));
    assert!(texts.contains(&"（三）不予公开"));
    assert_eq!(
        els.iter().filter(|(n, a)| n == "w:jc" && attr(a, "w:val") == Some("right")).count(),
        2
    );
    // The heading rows repeat on each page: section 二 has none (block titles inside), 三 has
    // three, 四 three; no other row carries w:tblHeader, and no marker is left behind.
    let layout = gongkai_report_export::layout::grids(&common::sample(), Script::Hans);
    let header_rows: usize = layout.iter().map(|g| g.header_rows).sum();
    assert!(header_rows > 0);
    assert_eq!(count("w:tblHeader"), header_rows);
    assert_eq!(count("w:cantSplit"), rows.len(), "rows do not break across pages");
    // Page numbers "— N —": odd pages right, even pages left, PAGE fields in both footers.
    assert!(doc.contains("w:footerReference") && doc.contains("w:type=\"even\""));
    for (name, side) in [("word/footer1.xml", "right"), ("word/footer2.xml", "left")] {
        let footer = zip_entry(&bytes, name);
        let els = parse_xml(&footer);
        assert!(footer.contains(">PAGE<") && footer.contains("— ") && footer.contains(" —"), "{footer}");
        assert!(els.iter().any(|(n, a)| n == "w:jc" && attr(a, "w:val") == Some(side)), "{name}: {side}");
    }
    assert!(zip_entry(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));
    assert!(east_asia.contains(&"方正小标宋简体"), "小标宋 title");
}

#[test]
fn docx_in_traditional_script() {
    let bytes = export(&common::sample(), ExportFormat::Docx, Script::Hant).expect("docx");
    let doc = zip_entry(&bytes, "word/document.xml");
    parse_xml(&doc);
    assert!(doc.contains("清遠市清城區源潭鎮人民政府2023年政府信息公開工作年度報告"));
    assert!(doc.contains("三、本年度辦理結果"));
    assert!(!doc.contains("公开"));
}

/// A tool on PATH, or `None` after a clear "NOT RUN" (a failure under `CI=true`).
fn tool(names: &[&str], version_flag: &str, why: &str) -> Option<String> {
    let found = names.iter().find(|b| {
        std::process::Command::new(b).arg(version_flag).output().map(|o| o.status.success()).unwrap_or(false)
    });
    if found.is_none() {
        let msg = format!("NOT RUN: {} is not installed ({why})", names.join("/"));
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}; CI=true requires it");
        println!("{msg}");
        eprintln!("{msg}");
    }
    found.map(|b| b.to_string())
}

#[test]
fn docx_converts_to_pdf_with_page_numbers_and_repeated_heading_rows() {
    let why = "the report DOCX converted to PDF, checked for page numbers and repeated heading rows";
    let (Some(bin), Some(pdftotext)) = (tool(&["soffice", "libreoffice"], "--version", why), tool(&["pdftotext"], "-v", why)) else {
        return;
    };
    let bytes = export(&common::sample(), ExportFormat::Docx, Script::Hans).expect("docx");
    let dir = std::env::temp_dir().join(format!("gongkai-report-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let input = dir.join("report.docx");
    std::fs::write(&input, bytes).expect("write docx");
    // A private profile so a running LibreOffice of the user does not take the job.
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    let status = std::process::Command::new(&bin)
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(&input)
        .output()
        .expect("run soffice");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let pdf_path = dir.join("report.pdf");
    let pdf = std::fs::read(&pdf_path).expect("pdf written");
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 10_000, "{} bytes", pdf.len());
    let out = std::process::Command::new(&pdftotext).arg("-layout").arg(&pdf_path).arg("-").output().expect("pdftotext");
    // pdftotext separates pages with a form feed and may space out CJK and digits.
    let text = String::from_utf8_lossy(&out.stdout).replace(' ', "");
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() >= 3, "the report spans pages: {}", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let last = page.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert!(last.contains(&format!("—{}—", i + 1)), "page {}: {last:?}", i + 1);
    }
    // Section 三's table crosses a page: every page holding its rows shows its column headings.
    let s3_pages: Vec<usize> = pages
        .iter()
        .enumerate()
        // Labels that pdftotext keeps on one line (narrow cells wrap "（三）不予公开").
        .filter(|(_, p)| ["一、本年新收政府信息公开申请数量", "1.属于国家秘密", "3.其他", "四、结转下年度继续办理"].iter().any(|r| p.contains(r)))
        .map(|(i, _)| i)
        .collect();
    assert!(s3_pages.len() >= 2, "section 三 spans pages {s3_pages:?}");
    for i in &s3_pages {
        assert!(pages[*i].contains("申请人情况") && pages[*i].contains("勾稽关系"), "heading row repeated on page {}", i + 1);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn open_xlsx(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx workbook");
    wb.load_merged_regions().expect("merged regions");
    wb
}

#[test]
fn xlsx_has_the_tables_as_numbers_with_merged_headings() {
    let r = common::sample();
    let mut wb = open_xlsx(export(&r, ExportFormat::Xlsx, Script::Hans).expect("xlsx"));
    assert_eq!(
        wb.sheet_names(),
        vec!["报告信息", "二、主动公开", "三、依申请公开", "四、复议诉讼"]
    );
    let info = wb.worksheet_range("报告信息").expect("identity sheet");
    let cell = |r: u32, c: u32| info.get_value((r, c)).cloned();
    assert_eq!(cell(1, 1), Some(Data::String("清远市清城区源潭镇人民政府".into())));
    assert_eq!(cell(3, 1), Some(Data::Float(2023.0)));
    assert_eq!(cell(4, 1), Some(Data::String("2021年格式（国办公开办函〔2021〕30号）".into())));

    // Section 二: the amount keeps its decimals; single value columns are merged.
    let s2 = wb.worksheet_range("二、主动公开").expect("s2");
    assert_eq!(s2.get_value((0, 0)), Some(&Data::String("二、主动公开政府信息情况".into())));
    let row_of = |label: &str| {
        (0..s2.height() as u32)
            .find(|r| s2.get_value((*r, 0)) == Some(&Data::String(label.into())))
            .expect("row")
    };
    assert_eq!(s2.get_value((row_of("行政事业性收费"), 1)), Some(&Data::Float(12.35)));
    assert_eq!(s2.get_value((row_of("行政许可"), 1)), Some(&Data::Float(126.0)));
    let fee = row_of("行政事业性收费");
    let merges = wb.merged_regions_by_sheet("二、主动公开");
    assert!(merges.iter().any(|(_, _, d)| d.start == (fee, 1) && d.end == (fee, 3)));

    // Section 三: every figure a number, equal to the report; the heading merges exist.
    let s3 = wb.worksheet_range("三、依申请公开").expect("s3");
    let first = 2 + 3;
    for (i, row) in r.section3.iter().enumerate() {
        for (j, v) in row.cells.iter().enumerate() {
            assert_eq!(
                s3.get_value((first + i as u32, 3 + j as u32)),
                Some(&Data::Float(*v as f64)),
                "{} column {j}",
                row.id
            );
        }
    }
    let merges: Vec<_> = wb
        .merged_regions_by_sheet("三、依申请公开")
        .iter()
        .map(|(_, _, d)| (d.start, d.end))
        .collect();
    assert!(merges.contains(&((2, 0), (4, 2))), "note over 3 rows × 3 columns");
    assert!(merges.contains(&((2, 3), (2, 9))), "申请人情况 over 7 columns");
    assert!(merges.contains(&((5 + 2, 0), (5 + 2 + 21, 0))), "三、本年度办理结果 over 22 rows");
    assert!(merges.contains(&((5 + 4, 1), (5 + 4 + 7, 1))), "（三）不予公开 over 8 rows");

    // Section 四: 15 numbers in row 3 of the grid.
    let s4 = wb.worksheet_range("四、复议诉讼").expect("s4");
    let values: Vec<Option<&Data>> = (0..15).map(|c| s4.get_value((2 + 3, c))).collect();
    assert_eq!(values[0], Some(&Data::Float(1.0)));
    assert_eq!(values[4], Some(&Data::Float(1.0)));
    assert!(values.iter().all(|v| matches!(v, Some(Data::Float(_)))));
    let merges = wb.merged_regions_by_sheet("四、复议诉讼");
    assert!(merges.iter().any(|(_, _, d)| d.start == (2, 5) && d.end == (2, 14)));
}

/// Row number (0-based) → height in points, from a worksheet's XML.
fn row_heights(sheet_xml: &str) -> std::collections::BTreeMap<u32, f64> {
    parse_xml(sheet_xml)
        .into_iter()
        .filter(|(n, _)| n == "row")
        .filter_map(|(_, a)| {
            let r: u32 = attr(&a, "r")?.parse().ok()?;
            let ht: f64 = attr(&a, "ht")?.parse().ok()?;
            (attr(&a, "customHeight") == Some("1")).then_some((r - 1, ht))
        })
        .collect()
}

#[test]
fn xlsx_rows_are_tall_enough_for_their_labels() {
    let r = common::sample();
    let bytes = export(&r, ExportFormat::Xlsx, Script::Hans).expect("xlsx");
    // Sheets: 报告信息, 二, 三, 四 → section 三 is sheet3.xml.
    let heights = row_heights(&zip_entry(&bytes, "xl/worksheets/sheet3.xml"));
    let first = 2 + 3;
    let one_line = 14.0 + 4.0;
    let height_of = |id_part: &str| {
        let i = r.section3.iter().position(|row| row.id.contains(id_part)).unwrap_or_else(|| panic!("row {id_part}"));
        heights.get(&(first + i as u32)).copied().unwrap_or_else(|| panic!("no height for {id_part}"))
    };
    // Long labels in the 34-wide label column wrap to two and three lines.
    assert!(height_of("部分公开") >= 2.0 * 14.0, "（二）部分公开（区分处理的…）: {}", height_of("部分公开"));
    assert!(height_of("逾期未按收费通知") >= 2.0 * 14.0, "{}", height_of("逾期未按收费通知"));
    // Short labels stay one line high.
    assert!(height_of("属于国家秘密") <= one_line + 0.5, "{}", height_of("属于国家秘密"));
    // The heading rows hold the stacked note over three rows.
    let heading: f64 = (2..5).map(|r| heights.get(&r).copied().unwrap_or(0.0)).sum();
    assert!(heading >= 3.0 * 14.0, "{heading}");
    // Every grid row has an explicit height (LibreOffice and WPS do not grow merged rows).
    let grid = &gongkai_report_export::layout::grids(&r, Script::Hans)[1];
    for row in 0..grid.rows.len() as u32 {
        assert!(heights.contains_key(&(2 + row)), "row {row}");
    }
}

#[test]
fn xlsx_in_traditional_script() {
    let mut wb = open_xlsx(export(&common::sample(), ExportFormat::Xlsx, Script::Hant).expect("xlsx"));
    assert_eq!(wb.sheet_names()[2], "三、依申請公開");
    let info = wb.worksheet_range("報告信息").expect("identity sheet");
    assert_eq!(
        info.get_value((1, 1)),
        Some(&Data::String("清遠市清城區源潭鎮人民政府".into()))
    );
    assert_eq!(info.get_value((7, 1)), Some(&Data::String("繁體中文".into())));
}

fn validate(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(json_schema()).expect("schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("a valid 2020-12 schema");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn json_is_valid_against_the_schema_and_carries_the_figures() {
    for (r, script) in [
        (common::sample(), Script::Hans),
        (common::sample(), Script::Hant),
        (common::sample_2019(), Script::Hans),
        (common::blank(2024), Script::Hans),
    ] {
        let bytes = export(&r, ExportFormat::Json, script).expect("json");
        let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        validate(&doc);
        assert_eq!(doc["$schema"], JSON_SCHEMA_ID);
        assert_eq!(doc["year"], r.year);
        assert_eq!(doc["format"], r.format.as_str());
        assert_eq!(doc["script"], script.as_str());
        for (i, row) in r.section3.iter().enumerate() {
            assert_eq!(doc["section3"]["rows"][i]["id"], row.id.as_str());
            assert_eq!(doc["section3"]["rows"][i]["cells"], serde_json::json!(row.cells));
        }
        assert_eq!(doc["section4"]["cells"], serde_json::json!(r.section4));
    }
    let doc: serde_json::Value = serde_json::from_slice(
        &export(&common::sample(), ExportFormat::Json, Script::Hans).expect("json"),
    )
    .expect("json");
    assert_eq!(doc["section2"][3]["rows"][0]["cells"][0], serde_json::json!(12.35));
    assert_eq!(doc["section2"][3]["kinds"][0], "amount");
    assert_eq!(doc["sections"][0]["heading"], "总体情况");
    assert_eq!(doc["sections"][0]["paragraphs"][0]["text"], "（一）主动公开");
    assert_eq!(doc["sections"][0]["paragraphs"][0]["subheading"], true);
    assert_eq!(doc["sections"][2]["kind"], "table");
    assert_eq!(doc["section3"]["rows"][4]["group_heading"], "（三）不予公开");
    assert_eq!(doc["section4"]["groups"][0]["cells"], serde_json::json!([1, 0, 0, 0, 1]));
    assert_eq!(doc["date"], "2024-01-20");
    assert_eq!(doc["organisation"]["level"], "township");
    let hant: serde_json::Value = serde_json::from_slice(
        &export(&common::sample(), ExportFormat::Json, Script::Hant).expect("json"),
    )
    .expect("json");
    assert_eq!(hant["section3"]["rows"][4]["id"], "不予公开/1.属于国家秘密", "ids stay Simplified");
    assert_eq!(hant["section3"]["rows"][4]["label"], "1.屬於國家祕密");
    assert_eq!(hant["sections"][0]["heading"], "總體情況");
}

#[test]
fn the_schema_rejects_what_it_should() {
    let bytes = export(&common::sample(), ExportFormat::Json, Script::Hans).expect("json");
    let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let schema: serde_json::Value = serde_json::from_str(json_schema()).expect("schema");
    let validator = jsonschema::draft202012::new(&schema).expect("schema");
    assert!(validator.is_valid(&doc));
    let mut bad = doc.clone();
    bad["section3"]["rows"][0]["cells"] = serde_json::json!([1, 2, 3]);
    assert!(!validator.is_valid(&bad));
    let mut bad = doc.clone();
    bad["section4"]["cells"][0] = serde_json::json!("1");
    assert!(!validator.is_valid(&bad));
    let mut bad = doc;
    bad["unexpected"] = serde_json::json!(true);
    assert!(!validator.is_valid(&bad));
}

#[test]
fn the_committed_schema_is_the_one_served() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema/annual-report.schema.json");
    assert_eq!(std::fs::read_to_string(path).expect("schema file"), json_schema());
    let schema: serde_json::Value = serde_json::from_str(json_schema()).expect("schema");
    assert_eq!(schema["$id"], JSON_SCHEMA_ID);
}
