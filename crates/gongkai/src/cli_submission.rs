//! `gongkai submission …`: produce, send and import submission packages (报送包)
//! from the command line; the same operations as the back office's “报送” page.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use gongkai_store::Store;
use gongkai_web::submission;

#[derive(Subcommand, Debug)]
pub enum SubmissionCmd {
    /// 生成报送包文件（默认只含尚未被上级接收的已发布信息）
    Export {
        /// 报送机关的网址标识（slug）
        #[arg(long)]
        org: String,
        /// 输出文件
        #[arg(long)]
        out: PathBuf,
        /// 包含全部已发布的信息
        #[arg(long)]
        all: bool,
        /// 报送方门户地址，例如 https://yuantan.example.cn（写入包中的信息地址）
        #[arg(long, default_value = "")]
        site: String,
    },
    /// 把尚未被上级接收的已发布信息报送到“渠道设置”中的上级接收地址
    Send {
        #[arg(long)]
        org: String,
        #[arg(long, default_value = "")]
        site: String,
    },
    /// 导入下级报送的报送包文件（校验通过才记录，有误则不作任何更改）
    Import {
        /// 接收机关的网址标识（slug）
        #[arg(long)]
        org: String,
        file: PathBuf,
    },
}

pub async fn run(store: &Store, cmd: SubmissionCmd, public_url: &str) -> Result<()> {
    let site_or = |site: &str| if site.trim().is_empty() { public_url.to_string() } else { site.trim().to_string() };
    match cmd {
        SubmissionCmd::Export { org, out, all, site } => {
            let org = find_org(store, &org).await?;
            let ids = if all {
                let items = store
                    .list_items(&gongkai_store::ItemQuery { org_ids: vec![org.id], statuses: vec![gongkai_domain::model::ItemStatus::Published], ..Default::default() })
                    .await?;
                items.items.iter().map(|i| i.id).collect()
            } else {
                submission::pending_items(store, org.id).await?
            };
            if ids.is_empty() {
                bail!("没有需要报送的信息（已发布的信息都已被上级接收；使用 --all 导出全部）");
            }
            let written = submission::build(store, &org, &ids, &site_or(&site)).await.map_err(|e| anyhow!("{e}"))?;
            std::fs::write(&out, &written.bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            let mut settings = store.channel_settings(org.id).await?;
            settings.submit_url = String::new();
            submission::send(store, &org, &settings, &written, &ids, "cli").await.map_err(|e| anyhow!("{e}"))?;
            println!("已生成报送包 {}：{} 条信息，{} 字节，SHA-256 {}，写入 {}", written.package_id, ids.len(), written.bytes.len(), written.sha256, out.display());
            Ok(())
        }
        SubmissionCmd::Send { org, site } => {
            let org = find_org(store, &org).await?;
            let settings = store.channel_settings(org.id).await?;
            if settings.submit_url.trim().is_empty() {
                bail!("{}尚未设置上级平台接收地址（后台“渠道设置”）", org.name);
            }
            let ids = submission::pending_items(store, org.id).await?;
            if ids.is_empty() {
                println!("没有需要报送的信息。");
                return Ok(());
            }
            let written = submission::build(store, &org, &ids, &site_or(&site)).await.map_err(|e| anyhow!("{e}"))?;
            let log = submission::send(store, &org, &settings, &written, &ids, "cli").await.map_err(|e| anyhow!("{e}"))?;
            if log.status == "accepted" {
                println!("报送包 {}（{} 条）已被上级接收：{}", log.package_id, ids.len(), log.response);
                Ok(())
            } else {
                bail!("报送包 {}（{} 条）未被接收（{}）：{}", log.package_id, ids.len(), log.status, log.response)
            }
        }
        SubmissionCmd::Import { org, file } => {
            let org = find_org(store, &org).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            match submission::import(store, &org, &bytes).await {
                Ok((p, n)) => {
                    println!("已导入{}报送的 {n} 条信息（报送包 {}）", p.source.name, p.package_id);
                    Ok(())
                }
                Err(e) => bail!("导入失败，未作任何更改：{e}"),
            }
        }
    }
}

async fn find_org(store: &Store, slug: &str) -> Result<gongkai_domain::model::Organisation> {
    store.org_by_slug(slug).await?.ok_or_else(|| anyhow!("机关“{slug}”不存在（请使用网址标识，例如 yuantan）"))
}
