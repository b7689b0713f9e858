//! `gongkai report check FILE... [--json] [--csv OUT] [--xlsx OUT] [--previous FILE] [--today YYYY-MM-DD]`.
//!
//! Every file is checked even when others cannot be read; each gets its own exit code (0 no
//! errors, 1 error findings, 2 unreadable: shown per file and in the summaries), and the
//! process exits with the highest.

use crate::{check_bytes, decode_bytes, CheckOptions, CheckReport, Severity};
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(serde::Serialize)]
struct JsonItem<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(flatten)]
    report: &'a CheckReport,
}

/// Arguments of `gongkai report check`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// 年报文件或文件夹（txt、html、docx、pdf）；文件夹会递归读取
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// 以 JSON 输出（多个文件时输出 JSON 数组）
    #[arg(long)]
    pub json: bool,
    /// 把每份报告的摘要写入 CSV 文件（适合文件夹批量检查）
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// 把汇总表写入 Excel 文件：每份报告一行（机关、年度、格式、已读/有歧义/未读格数、各类问题数、主要数字），第二张表为问题清单
    #[arg(long, value_name = "OUT")]
    pub xlsx: Option<PathBuf>,
    /// 同一机关上一年度的报告，用于核对结转数（C5）和文字雷同
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// 以此日期为“今天”核对日期（YYYY-MM-DD）
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("日期格式应为 YYYY-MM-DD：{s}"))
}

const EXTENSIONS: &[&str] = &["txt", "htm", "html", "shtml", "xhtml", "docx", "pdf"];

fn collect(path: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if path.is_dir() {
        if depth > 16 {
            return;
        }
        let Ok(rd) = std::fs::read_dir(path) else {
            out.push(path.to_path_buf());
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out, depth + 1);
            } else if e
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
            {
                out.push(e);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_row(path: &Path, r: Result<&CheckReport, &str>) -> String {
    let file = path.display().to_string();
    match r {
        Ok(r) => {
            let mut codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
            codes.sort();
            codes.dedup();
            [
                csv_field(&file),
                csv_field(r.agency.as_deref().unwrap_or("")),
                r.year.map(|y| y.to_string()).unwrap_or_default(),
                r.published.clone().unwrap_or_default(),
                r.format_version.unwrap_or("").to_string(),
                r.count(Severity::Error).to_string(),
                r.count(Severity::Warning).to_string(),
                r.count(Severity::Info).to_string(),
                csv_field(&codes.join(" ")),
                String::new(),
            ]
            .join(",")
        }
        Err(e) => [csv_field(&file), String::new(), String::new(), String::new(), String::new(), String::new(), String::new(), String::new(), String::new(), csv_field(e)].join(","),
    }
}

/// Runs the command, printing to stdout; returns the exit code (0 = no error findings,
/// 1 = error findings, 2 = unreadable input).
pub fn run(args: &CheckArgs) -> i32 {
    let mut opts = CheckOptions { previous: None, today: args.today };
    if let Some(p) = &args.previous {
        match std::fs::read(p) {
            Ok(bytes) => match decode_bytes(&bytes, p.to_str()) {
                Ok(d) => opts.previous = Some(d.text),
                Err(e) => {
                    eprintln!("无法读取上一年度报告 {}：{e}", p.display());
                    return 2;
                }
            },
            Err(e) => {
                eprintln!("无法读取上一年度报告 {}：{e}", p.display());
                return 2;
            }
        }
    }
    let mut files = Vec::new();
    for f in &args.files {
        collect(f, &mut files, 0);
    }
    if files.is_empty() {
        eprintln!("没有找到可检查的文件");
        return 2;
    }
    let mut unreadable = false;
    let mut errors = false;
    let mut json_items: Vec<String> = Vec::new();
    let mut csv_lines = vec!["file,agency,year,published,format_version,errors,warnings,infos,codes,read_error,exit_code".to_string()];
    let mut summary: Vec<crate::SummaryItem> = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let multi = files.len() > 1;
    for path in &files {
        let result = std::fs::read(path)
            .map_err(crate::CheckError::from)
            .and_then(|bytes| check_bytes(&bytes, path.to_str(), &opts));
        match result {
            Ok(report) => {
                errors |= report.has_errors();
                csv_lines.push(format!("{},{}", csv_row(path, Ok(&report)), i32::from(report.has_errors())));
                if args.json {
                    let file = path.display().to_string();
                    let item = JsonItem { file: multi.then_some(file.as_str()), report: &report };
                    json_items.push(serde_json::to_string_pretty(&item).unwrap_or_default());
                } else if (args.csv.is_none() && args.xlsx.is_none()) || !multi {
                    if multi {
                        let _ = writeln!(out, "== {}", path.display());
                    }
                    let _ = write!(out, "{}", report.to_text());
                    if multi {
                        let _ = writeln!(out, "退出码：{}", i32::from(report.has_errors()));
                        let _ = writeln!(out);
                    }
                }
                if args.xlsx.is_some() {
                    summary.push(crate::SummaryItem { file: path.display().to_string(), result: Ok(report) });
                }
            }
            Err(e) => {
                unreadable = true;
                let msg = e.to_string();
                csv_lines.push(format!("{},2", csv_row(path, Err(&msg))));
                if args.json {
                    let v = serde_json::json!({"file": path.display().to_string(), "error": msg});
                    json_items.push(serde_json::to_string_pretty(&v).unwrap_or_default());
                } else {
                    let _ = writeln!(out, "无法读取 {}：{msg}（退出码：2）", path.display());
                }
                if args.xlsx.is_some() {
                    summary.push(crate::SummaryItem { file: path.display().to_string(), result: Err(msg) });
                }
            }
        }
    }
    if args.json {
        if multi {
            let _ = writeln!(out, "[\n{}\n]", json_items.join(",\n"));
        } else {
            let _ = writeln!(out, "{}", json_items.pop().unwrap_or_else(|| "null".into()));
        }
    }
    if let Some(csv) = &args.csv {
        let body = csv_lines.join("\n") + "\n";
        if let Err(e) = std::fs::write(csv, body) {
            eprintln!("无法写入 CSV {}：{e}", csv.display());
            return 2;
        }
        if !args.json {
            let _ = writeln!(out, "已检查 {} 份报告，摘要已写入 {}", files.len(), csv.display());
        }
    }
    if let Some(xlsx) = &args.xlsx {
        let written = crate::summary_workbook(&summary)
            .map_err(|e| e.to_string())
            .and_then(|bytes| std::fs::write(xlsx, bytes).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("无法写入汇总表 {}：{e}", xlsx.display());
            return 2;
        }
        if !args.json {
            let _ = writeln!(out, "已检查 {} 份报告，汇总表已写入 {}", files.len(), xlsx.display());
        }
    }
    if unreadable {
        2
    } else if errors {
        1
    } else {
        0
    }
}
