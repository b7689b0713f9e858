//! Security commands (issue 12): `gongkai privacy scan` lists personal data
//! found in everything already published (items with their attachments,
//! published consultation answers, annual reports), masked, with a link to
//! each finding in the back office.

use anyhow::{anyhow, Result};
use clap::Subcommand;
use gongkai_store::Store;
use gongkai_web::privacy_guard;

#[derive(Subcommand, Debug)]
pub enum PrivacyCmd {
    /// 检查已公开内容中的公民个人信息（身份证号、电话、银行卡号、护照、住址、姓名）
    Scan {
        /// 机关代号（slug）；检查该机关及其下级机关，省略则检查全部机关
        #[arg(long)]
        org: Option<String>,
        /// 同时列出已由审核人确认可以公开的发现
        #[arg(long)]
        all: bool,
    },
}

/// The organisation and every organisation below it.
fn subtree(orgs: &[gongkai_domain::model::Organisation], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(orgs.iter().filter(|o| o.parent_id == Some(parent)).map(|o| o.id));
        i += 1;
    }
    out
}

/// Print the findings; an error (non-zero exit) when any is unacknowledged.
pub async fn run(store: &Store, cmd: &PrivacyCmd, public_url: &str) -> Result<()> {
    let PrivacyCmd::Scan { org, all } = cmd;
    let orgs = store.orgs().await?;
    let scope: Vec<i64> = match org {
        Some(slug) => {
            let o = orgs.iter().find(|o| &o.slug == slug).ok_or_else(|| anyhow!("机关“{slug}”不存在"))?;
            subtree(&orgs, o.id)
        }
        None => orgs.iter().map(|o| o.id).collect(),
    };
    let results = privacy_guard::scan_published(store, &scope).await.map_err(|e| anyhow!("{e}"))?;
    let base = public_url.trim_end_matches('/');
    let (mut open, mut acknowledged, mut unreadable) = (0usize, 0usize, 0usize);
    for (scanned, found) in &results {
        let org_name = orgs.iter().find(|o| o.id == scanned.org_id).map(|o| o.name.as_str()).unwrap_or("");
        let subject = scanned.subject.key();
        println!("{org_name}　{subject}　“{}”　{base}/admin/privacy/review?subject={subject}", scanned.title);
        for l in found {
            if l.acknowledged.is_some() {
                acknowledged += 1;
                if !*all {
                    continue;
                }
            } else {
                open += 1;
            }
            let s = &scanned.sections[l.section];
            let state = match &l.acknowledged {
                Some(reason) => format!("已确认：{reason}"),
                None => "待处理".into(),
            };
            println!("  {}，第{}行：{}　{}　［{state}］", s.label, l.line, l.finding.kind.label(), l.finding.excerpt(&s.text, 12));
        }
        for s in scanned.sections.iter().filter(|s| s.unreadable.is_some()) {
            unreadable += 1;
            println!("  {}：无法读取文字（{}），请人工检查", s.label, s.unreadable.as_deref().unwrap_or(""));
        }
    }
    println!("共检查 {} 个机关：待处理 {open} 处，已确认可公开 {acknowledged} 处，无法读取的附件 {unreadable} 个", scope.len());
    if open > 0 {
        return Err(anyhow!("已公开内容中有 {open} 处公民个人信息待处理"));
    }
    Ok(())
}
