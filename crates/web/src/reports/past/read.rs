//! Reading a published past report's file for import: the checker reads it, the figures the
//! next year's continuity checks need (section 三 结转下年度继续办理, section 二 现行有效件数)
//! must have been read unambiguously, and the figures, narrative and findings are gathered
//! for storage. Everything here is pure: nothing is stored until [`super::import`].

use chrono::NaiveDate;
use gongkai_checker::{CheckOptions, CheckReport, SectionInfo, Severity, Value};
use gongkai_domain::annual_report::{
    ImportedFigures, ImportedFinding, ImportedNarrative, ImportedSection2Row, ImportedSection3Row,
};
use gongkai_domain::report_format::{format, format_for_year, FormatVersion, RowRole};
use gongkai_store::StoreError;

/// Largest report file accepted for import, in bytes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The first year a report can be imported for (the Regulations' first annual reports).
pub const FIRST_YEAR: i32 = 2008;

/// Why a past report was not imported. Every message is Chinese and names the file or year.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("文件“{file}”过大（{size} 字节，上限 {limit} MB），未导入任何内容")]
    TooLarge { file: String, size: usize, limit: usize },
    #[error("无法读取文件“{file}”：{reason}。未导入任何内容")]
    Unreadable { file: String, reason: String },
    #[error("文件“{file}”中没有找到年度报告的章节和统计表，不能作为往年报告导入。未导入任何内容")]
    NotAReport { file: String },
    #[error(
        "文件“{file}”中以下数据未能读出或无法唯一确定：{}。这些数据是下一年度报告衔接核对的依据，请核对原文件（如取得含文字层的 PDF 或 Word 原件）后重新导入。未导入任何内容",
        cells.join("；")
    )]
    KeyCells { file: String, cells: Vec<String> },
    #[error("未能从文件“{file}”的标题中读出报告年度，请指定报告年度")]
    NoYear { file: String },
    #[error("文件“{file}”是{read}年度的报告，与所选的{chosen}年度不一致，未导入任何内容")]
    YearMismatch { file: String, read: i32, chosen: i32 },
    #[error("报告年度“{year}”超出范围：只能导入{FIRST_YEAR}年至{last}年的往年报告")]
    YearOutOfRange { year: i32, last: i32 },
    #[error("{year}年度报告已在本平台发布，不能再导入往年报告")]
    Generated { year: i32 },
    /// Already imported for that year and replacing was not confirmed.
    #[error("{0}")]
    Exists(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field: "year", message } => ImportError::Exists(message),
            other => ImportError::Store(other),
        }
    }
}

/// A report file read and found fit for import.
#[derive(Debug, Clone)]
pub struct ReadReport {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The reader used: "text", "html", "docx" or "pdf".
    pub input_kind: &'static str,
    pub content_type: &'static str,
    /// The text the checker read.
    pub text: String,
    pub check: CheckReport,
    pub year: i32,
    pub figures: ImportedFigures,
    pub findings: Vec<ImportedFinding>,
}

/// The media type a source file is served with, by the reader that read it.
pub fn content_type(input_kind: &str) -> &'static str {
    match input_kind {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "html" => "text/html",
        _ => "text/plain",
    }
}

/// Read `bytes` (named `file_name`) as the report of `chosen` year (or of the year in its
/// title), refusing what cannot serve as next year's baseline. `today` bounds the year.
pub fn read(file_name: &str, bytes: Vec<u8>, chosen: Option<i32>, today: NaiveDate) -> Result<ReadReport, ImportError> {
    use chrono::Datelike;
    let file = file_name.to_string();
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { file, size: bytes.len(), limit: MAX_FILE_BYTES / 1024 / 1024 });
    }
    let last = today.year() - 1;
    if let Some(year) = chosen.filter(|y| !(FIRST_YEAR..=last).contains(y)) {
        return Err(ImportError::YearOutOfRange { year, last });
    }
    let decoded = gongkai_checker::decode_bytes(&bytes, Some(file_name))
        .map_err(|e| ImportError::Unreadable { file: file.clone(), reason: e.to_string() })?;
    let mut check = gongkai_checker::check_text(&decoded.text, &CheckOptions { previous: None, today: Some(today) });
    if let Some(note) = decoded.note {
        check.findings.insert(0, note);
    }
    let input_kind = decoded.kind.as_str();
    check.input_kind = Some(input_kind);
    let year = match (chosen, check.year) {
        (Some(c), Some(r)) if c != r => return Err(ImportError::YearMismatch { file, read: r, chosen: c }),
        (Some(y), _) | (None, Some(y)) => y,
        (None, None) => {
            return Err(if check.sections.is_empty() { ImportError::NotAReport { file } } else { ImportError::NoYear { file } })
        }
    };
    if !(FIRST_YEAR..=last).contains(&year) {
        return Err(ImportError::YearOutOfRange { year, last });
    }
    if check.sections.is_empty() && check.tables.section3.is_empty() {
        return Err(ImportError::NotAReport { file });
    }
    let version = match check.format_version {
        Some("2019") => FormatVersion::Trial2019,
        Some("2021") => FormatVersion::V2021,
        _ => format_for_year(year),
    };
    let figures = figures(&check, version, &decoded.text);
    let missing = unread_key_cells(&check, &figures);
    if !missing.is_empty() {
        return Err(ImportError::KeyCells { file, cells: missing });
    }
    let findings = check
        .findings
        .iter()
        .map(|f| ImportedFinding {
            code: f.code.to_string(),
            severity: match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            }
            .into(),
            message: f.message.clone(),
        })
        .collect();
    Ok(ReadReport {
        file_name: file,
        bytes,
        input_kind,
        content_type: content_type(input_kind),
        text: decoded.text,
        check,
        year,
        figures,
        findings,
    })
}

/// Whether the checker left a row's blanks open: digits run together that split more than
/// one way, or a row shorter than the format.
fn row_flagged(check: &CheckReport, section: u8, row: Option<&str>) -> bool {
    check.findings.iter().any(|f| {
        matches!(f.code, "TABLE_AMBIGUOUS" | "ROW_WIDTH" | "TABLE_INCOMPLETE")
            && f.location.section == Some(section)
            && (row.is_none() || f.location.row.as_deref() == row)
    })
}

/// Everything the checker read, as stored. A blank cell counts as 0 (how published reports
/// write "none"), unless the checker left the row's blanks open ([`row_flagged`]); invalid
/// values (negative or decimal counts) are not read.
pub fn figures(check: &CheckReport, version: FormatVersion, text: &str) -> ImportedFigures {
    let s2 = |label: &str, v: &Value| -> Option<f64> {
        match v {
            Value::Int(n) => Some(*n as f64),
            Value::Dec(x) if x.is_finite() => Some(*x),
            Value::Dec(_) => None,
            Value::Blank => (!row_flagged(check, 2, Some(label))).then_some(0.0),
        }
    };
    let count = |open: bool, v: &Value| -> Option<u64> {
        match v {
            Value::Int(n) => u64::try_from(*n).ok(),
            Value::Dec(_) => None,
            Value::Blank => (!open).then_some(0),
        }
    };
    let s4_open = row_flagged(check, 4, None);
    ImportedFigures {
        format: version,
        agency: check.agency.clone(),
        published: check.published.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        section2: check
            .tables
            .section2
            .rows
            .iter()
            .map(|r| ImportedSection2Row {
                block: r.block.clone(),
                label: r.label.clone(),
                values: r.values.iter().map(|v| s2(&r.label, v)).collect(),
            })
            .collect(),
        section3: check
            .tables
            .section3
            .iter()
            .map(|r| {
                let open = row_flagged(check, 3, Some(&r.label));
                ImportedSection3Row { id: r.label.clone(), values: r.values.iter().map(|v| count(open, v)).collect() }
            })
            .collect(),
        section4: check.tables.section4.iter().map(|v| count(s4_open, v)).collect(),
        narrative: narrative(text, &check.sections),
    }
}

/// The cells next year's continuity checks compare with that were not read: every column of
/// 结转下年度继续办理 (C5) and, in the 2021 format, 现行有效件数 of 规章 and 行政规范性文件 (C7).
pub fn unread_key_cells(check: &CheckReport, figures: &ImportedFigures) -> Vec<String> {
    let fmt = format(figures.format);
    let mut out = Vec::new();
    if let Some(row) = fmt.section3_row_with_role(RowRole::CarriedOut) {
        let read = figures.carried_out();
        let missing: Vec<&str> =
            fmt.section3_columns.iter().zip(read).filter(|(_, v)| v.is_none()).map(|(c, _)| *c).collect();
        let present = check.tables.section3.iter().any(|r| r.label == row.id);
        if !present {
            out.push(format!("第三部分“{}”行（未读到）", row.label));
        } else if !missing.is_empty() {
            let why = if row_flagged(check, 3, Some(row.id)) { "数字连在一起或不全，无法唯一确定" } else { "数值不合法" };
            out.push(format!("第三部分“{}”行的“{}”列（{why}）", row.label, missing.join("”“")));
        }
    }
    if figures.format == FormatVersion::V2021 {
        if let Some(block) = fmt.section2_block(1) {
            let column = block.columns.get(2).copied().unwrap_or("现行有效件数");
            for label in block.rows {
                if figures.section2_cell(label, 2).is_none() {
                    let present = check.tables.section2.rows.iter().any(|r| r.label == *label);
                    let why = if present { "无法唯一确定" } else { "未读到" };
                    out.push(format!("第二部分“{label}”行的“{column}”（{why}）"));
                }
            }
        }
    }
    out
}

/// The narrative of sections 一, 五 and 六 and the text before 一 (title, preamble), cut from
/// the text at the headings the checker found. Where the headings cannot be placed (a text
/// the checker had to re-split), the whole text stands as section 一, so that the 雷同 check
/// still has the report's words.
pub fn narrative(text: &str, sections: &[SectionInfo]) -> ImportedNarrative {
    let lines: Vec<&str> = text.lines().collect();
    let mut starts: Vec<(u8, usize)> = sections.iter().map(|s| (s.number, s.line)).collect();
    starts.sort_by_key(|(_, line)| *line);
    let body = |n: u8| -> String {
        let Some(i) = starts.iter().position(|(number, _)| *number == n) else { return String::new() };
        let from = starts[i].1;
        let to = starts.get(i + 1).map_or(lines.len() + 1, |(_, l)| *l);
        if from == 0 || to <= from + 1 {
            return String::new();
        }
        join(lines.get(from..(to - 1).min(lines.len())).unwrap_or(&[]))
    };
    let preamble = starts
        .iter()
        .find(|(n, _)| *n == 1)
        .map(|(_, l)| join(lines.get(..l.saturating_sub(1).min(lines.len())).unwrap_or(&[])))
        .unwrap_or_default();
    let mut n = ImportedNarrative { preamble, section1: body(1), section5: body(5), section6: body(6) };
    if n.section1.is_empty() && n.section5.is_empty() && n.section6.is_empty() {
        n.section1 = join(&lines);
    }
    n
}

fn join(lines: &[&str]) -> String {
    lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2023 report in the 2021 format with 结转下年度继续办理 3 and 现行有效 12.
    pub(crate) fn report_2023() -> String {
        let mut s = String::from(
            "测试镇人民政府\n2023年政府信息公开工作年度报告\n本报告依据《中华人民共和国政府信息公开条例》编制。\n一、总体情况\n2023年，我镇认真落实《条例》要求，推进政务公开。\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n行政规范性文件\t2\t1\t12\n第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t5\n第二十条第（六）项\n信息内容\t本年处理决定数量\n行政处罚\t1\n行政强制\t0\n第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t0\n三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n",
        );
        let zero = "\t0\t0\t0\t0\t0\t0\t0\n";
        s.push_str("一、本年新收政府信息公开申请数量\t8\t1\t0\t0\t0\t0\t9\n");
        s.push_str(&format!("二、上年结转政府信息公开申请数量{zero}"));
        s.push_str("三、本年度办理结果\t（一）予以公开\t5\t1\t0\t0\t0\t0\t6\n");
        for label in [
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "（三）不予公开\t1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
            "（四）无法提供\t1.本机关不掌握相关政府信息",
            "2.没有现成信息需要另行制作",
            "3.补正后申请内容仍不明确",
            "（五）不予处理\t1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
            "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ] {
            s.push_str(&format!("{label}{zero}"));
        }
        s.push_str("（七）总计\t5\t1\t0\t0\t0\t0\t6\n四、结转下年度继续办理\t3\t0\t0\t0\t0\t0\t3\n");
        s.push_str("四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n未经复议直接起诉\t复议后起诉\n");
        s.push_str("结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n");
        s.push_str("0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n");
        s.push_str("五、存在的主要问题及改进情况\n一是政策解读形式较为单一。下一步将丰富解读形式。\n六、其他需要报告的事项\n本年度未发出收费通知，未收取信息处理费。\n测试镇人民政府\n2024年1月20日\n");
        s
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
    }

    #[test]
    fn a_clean_report_yields_its_baseline_figures() {
        let r = read("2023年报.txt", report_2023().into_bytes(), None, today()).expect("read");
        assert_eq!((r.year, r.input_kind, r.content_type), (2023, "text", "text/plain"));
        assert_eq!(r.figures.format, FormatVersion::V2021);
        assert_eq!(r.figures.carried_out(), [Some(3), Some(0), Some(0), Some(0), Some(0), Some(0), Some(3)]);
        assert_eq!(r.figures.section2_cell("行政规范性文件", 2), Some(12.0));
        assert_eq!(r.figures.section4.len(), 15);
        assert_eq!(r.figures.agency.as_deref(), Some("测试镇人民政府"));
        assert_eq!(r.figures.published, NaiveDate::from_ymd_opt(2024, 1, 20));
        assert_eq!(r.figures.narrative.section1, "2023年，我镇认真落实《条例》要求，推进政务公开。");
        assert!(r.figures.narrative.section5.starts_with("一是政策解读"));
        assert!(r.figures.narrative.section6.starts_with("本年度未发出收费通知"));
        assert!(r.figures.narrative.preamble.contains("2023年政府信息公开工作年度报告"));
        let errors: Vec<_> = r.findings.iter().filter(|f| f.severity == "error").collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // The conversion gives the validators the figures read.
        let org = gongkai_domain::annual_report::ReportOrg {
            id: 1,
            name: "测试镇人民政府".into(),
            code: String::new(),
            level: gongkai_domain::model::OrgLevel::Township,
        };
        let prev = r.figures.to_report(org, r.year);
        assert_eq!(prev.section3_role(RowRole::CarriedOut).map(|x| x.cells[6]), Some(3));
        assert_eq!(prev.section2_cell(1, "行政规范性文件", 2).map(|c| c.value), Some(12));
    }

    #[test]
    fn unreadable_and_unfit_files_are_refused_in_chinese() {
        let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let e = read("报告.pdf", noise, Some(2023), today()).expect_err("noise");
        let msg = e.to_string();
        assert!(msg.contains("“报告.pdf”") && msg.contains("未导入任何内容"), "{msg}");
        let e = read("空.txt", b"  \n".to_vec(), Some(2023), today()).expect_err("empty");
        assert!(matches!(e, ImportError::Unreadable { .. }) && e.to_string().contains("文件为空"), "{e}");
        // The carry-over row cut off: the key cells are named.
        let text = report_2023().replace("四、结转下年度继续办理\t3\t0\t0\t0\t0\t0\t3\n", "");
        let e = read("缺行.txt", text.into_bytes(), None, today()).expect_err("no carry-over");
        assert!(matches!(e, ImportError::KeyCells { .. }), "{e}");
        assert!(e.to_string().contains("“四、结转下年度继续办理”行（未读到）"), "{e}");
        // 现行有效 not read.
        let text = report_2023().replace("行政规范性文件\t2\t1\t12\n", "行政规范性文件\t2\t1\n");
        let e = read("缺数.txt", text.into_bytes(), None, today()).expect_err("no 现行有效");
        assert!(e.to_string().contains("“行政规范性文件”行的“现行有效件数”"), "{e}");
        // Years.
        let e = read("a.txt", report_2023().into_bytes(), Some(2022), today()).expect_err("mismatch");
        assert!(e.to_string().contains("是2023年度的报告，与所选的2022年度不一致"), "{e}");
        let e = read("a.txt", report_2023().into_bytes(), Some(2026), today()).expect_err("this year");
        assert!(matches!(e, ImportError::YearOutOfRange { year: 2026, last: 2025 }), "{e}");
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(matches!(read("big.txt", big, None, today()), Err(ImportError::TooLarge { .. })));
    }

    /// The same report as published on a web page: tab-separated lines as table rows.
    fn report_2023_html() -> String {
        let mut html = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>年报</title></head><body>");
        for line in report_2023().lines() {
            if line.contains('\t') {
                html.push_str("<table><tr>");
                for cell in line.split('\t') {
                    html.push_str(&format!("<td>{cell}</td>"));
                }
                html.push_str("</tr></table>");
            } else {
                html.push_str(&format!("<p>{line}</p>"));
            }
        }
        html.push_str("</body></html>");
        html
    }

    /// The same report as a Word document: tab-separated lines as one-row tables.
    fn report_2023_docx() -> Vec<u8> {
        use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
        let mut doc = Docx::new();
        for line in report_2023().lines() {
            if line.contains('\t') {
                let cells = line.split('\t').map(|c| TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(c)))).collect();
                doc = doc.add_table(Table::new(vec![TableRow::new(cells)]));
            } else {
                doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(line)));
            }
        }
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut out).expect("docx");
        out.into_inner()
    }

    #[test]
    fn html_and_word_files_yield_the_same_figures() {
        for (name, bytes, kind) in [
            ("2023年报.html", report_2023_html().into_bytes(), "html"),
            ("2023年报.docx", report_2023_docx(), "docx"),
        ] {
            let r = read(name, bytes, Some(2023), today()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(r.input_kind, kind);
            assert_eq!(r.content_type, content_type(kind));
            assert_eq!(r.figures.carried_out()[6], Some(3), "{name}");
            assert_eq!(r.figures.section2_cell("行政规范性文件", 2), Some(12.0), "{name}");
            assert!(r.figures.narrative.section1.contains("推进政务公开"), "{name}: {:?}", r.figures.narrative);
        }
    }

    #[test]
    fn narrative_falls_back_to_the_whole_text() {
        let n = narrative("一行文字\n第二行", &[]);
        assert_eq!(n.section1, "一行文字\n第二行");
        assert!(n.preamble.is_empty());
    }

    #[test]
    fn content_types_by_reader() {
        assert_eq!(content_type("pdf"), "application/pdf");
        assert!(content_type("docx").contains("wordprocessingml"));
        assert_eq!(content_type("html"), "text/html");
        assert_eq!(content_type("text"), "text/plain");
    }
}
