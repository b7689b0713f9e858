//! `gongkai report import`: import a published past annual report from its file, with the
//! rules of the back-office page (the checker reads it; unreadable files and unread key cells
//! are refused; a year already imported is replaced only with `--replace`).

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use chrono::Utc;
use gongkai_store::{AuditContext, NewAuditEntry, Store};
use gongkai_web::malware_scan::Scanner;
use gongkai_web::reports::past::{self, ImportError};

/// Who the audit log names for an import from the command line.
const CLI_ACTOR: &str = "命令行";

pub async fn run(store: &Store, org_ref: &str, year: Option<i32>, file: &Path, replace: bool, scanner: &Scanner) -> Result<()> {
    let orgs = store.orgs().await?;
    let r = org_ref.trim();
    let org = orgs
        .iter()
        .find(|o| o.id.to_string() == r || o.slug == r || (!o.org_code.is_empty() && o.org_code == r))
        .ok_or_else(|| {
            anyhow!(
                "找不到机关“{org_ref}”（可用编号、简称或机构代码），现有机关：{}",
                orgs.iter().map(|o| format!("{} {}（{}）", o.id, o.slug, o.name)).collect::<Vec<_>>().join("；")
            )
        })?;
    let file_name = past::clean_file_name(&file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let meta = std::fs::metadata(file).with_context(|| format!("无法读取文件“{}”", file.display()))?;
    if meta.len() > past::read::MAX_FILE_BYTES as u64 {
        return Err(ImportError::TooLarge {
            file: file_name,
            size: usize::try_from(meta.len()).unwrap_or(usize::MAX),
            limit: past::read::MAX_FILE_BYTES / 1024 / 1024,
        }
        .into());
    }
    let bytes = std::fs::read(file).with_context(|| format!("无法读取文件“{}”", file.display()))?;
    // The original file is offered for download on the portal: scanned like any attachment.
    scanner.scan(&bytes).await.map_err(|e| anyhow!("文件“{file_name}”{e}"))?;
    // The server's "today" is China Standard Time.
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let read = past::read::read(&file_name, bytes, year, today)?;
    let entry = NewAuditEntry {
        at: Utc::now(),
        actor_id: None,
        actor_name: CLI_ACTOR.into(),
        org_id: Some(org.id),
        action: "report.past_import".into(),
        target: "past_report:{id}".into(),
        detail: past::audit_detail(org, &read, replace),
        client: "cli".into(),
        success: true,
    };
    let audited = store.audited(entry, AuditContext::default());
    let stored = match past::import(&audited, org, &read, None, CLI_ACTOR, replace).await {
        Ok(p) => p,
        Err(ImportError::Exists(m)) => return Err(anyhow!("{m}（命令行请加 --replace 确认替换）")),
        Err(e) => return Err(e.into()),
    };
    // Running servers empty their page caches when the site generation moves.
    store.bump_site_generation().await?;
    let f = &stored.figures;
    let out = f.carried_out();
    eprintln!(
        "已导入 {} {}年度报告：文件“{}”（{} 字节，{}）",
        org.name,
        stored.year,
        stored.file_name,
        stored.size,
        f.format.display_name()
    );
    eprintln!(
        "结转下年度继续办理：{}",
        out.iter().map(|v| v.map_or("—".into(), |n| n.to_string())).collect::<Vec<_>>().join("、")
    );
    for label in ["规章", "行政规范性文件"] {
        if let Some(v) = f.section2_cell(label, 2) {
            eprintln!("{label}现行有效件数：{v}");
        }
    }
    let (errors, warnings) = (
        stored.findings.iter().filter(|x| x.severity == "error").count(),
        stored.findings.iter().filter(|x| x.severity == "warning").count(),
    );
    eprintln!("年报体检：错误 {errors} 项，警告 {warnings} 项（随导入记录保存）");
    for x in stored.findings.iter().filter(|x| x.severity != "info") {
        eprintln!("  [{}] {}", if x.severity == "error" { "错误" } else { "警告" }, x.message);
    }
    Ok(())
}
