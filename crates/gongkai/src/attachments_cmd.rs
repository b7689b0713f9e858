//! `gongkai attachments status|move`: where attachment bytes are kept, and
//! moving them between the database and the object store while the servers
//! keep running (each file is copied before its row is switched).

use anyhow::{anyhow, bail, Result};
use clap::Subcommand;
use gongkai_store::blobs::{BlobLocation, ObjectStore};
use gongkai_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum AttachmentsCmd {
    /// 显示附件分别存放在数据库和对象存储中的数量
    Status,
    /// 把附件移到对象存储（--to s3）或数据库（--to database）；服务无需停止，中断后可重新运行
    Move {
        /// 目标：s3 或 database
        #[arg(long)]
        to: String,
    },
}

pub async fn run(store: Store, config: &Config, cmd: AttachmentsCmd) -> Result<()> {
    match cmd {
        AttachmentsCmd::Status => {
            let (db, s3) = store.attachment_locations().await?;
            println!("附件存放位置：数据库 {db} 个，对象存储 {s3} 个；新附件存放在{}", if store.has_object_store() { "对象存储" } else { "数据库" });
            Ok(())
        }
        AttachmentsCmd::Move { to } => {
            let to = match to.trim() {
                "s3" => BlobLocation::ObjectStore,
                "database" | "db" => BlobLocation::Database,
                other => bail!("目标“{other}”无效，应为 s3 或 database"),
            };
            let s3 = config.object_store().ok_or_else(|| anyhow!("未配置对象存储：请设置 s3_endpoint、s3_bucket、s3_access_key_id 和 s3_secret_access_key"))?;
            let objects = ObjectStore::new(&s3)?;
            let store = if store.has_object_store() { store } else { store.with_object_store(objects) };
            let bar = ProgressBar::new(0);
            bar.set_style(ProgressStyle::with_template("{spinner} 迁移附件 [{bar:40}] {pos}/{len}").map_err(|e| anyhow!("{e}"))?.progress_chars("=> "));
            let moved = store
                .move_attachments(to, |done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                })
                .await?;
            bar.finish_and_clear();
            let (db, s3) = store.attachment_locations().await?;
            println!("已迁移 {moved} 个附件。现在：数据库 {db} 个，对象存储 {s3} 个。");
            if to == BlobLocation::ObjectStore && config.attachment_store != "s3" {
                println!("提示：新附件仍存放在数据库中；要让新附件也存入对象存储，请设置 attachment_store = \"s3\"。");
            }
            Ok(())
        }
    }
}
