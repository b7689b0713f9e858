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

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// 校验审计日志链并签发 SM2 检查点（交审计管理员离线保存）
    Checkpoint {
        /// 检查点文件；省略则写入数据目录下 audit/checkpoint-latest.json
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// 用检查点离线校验审计日志：发现截断、改写和伪造追加
    Verify {
        /// 此前签发的检查点文件
        #[arg(long)]
        checkpoint: std::path::PathBuf,
        /// 本系统的签名公钥（十六进制或公钥文件路径）；省略则用数据目录下 keys/audit-sign.pub
        #[arg(long)]
        public_key: Option<String>,
    },
}

fn write_checkpoint(path: &std::path::Path, cp: &gongkai_store::audit_keys::Checkpoint) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_string_pretty(cp)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Sign a checkpoint now into `<data dir>/audit/` (latest and a dated copy).
pub async fn checkpoint_now(store: &Store, data_dir: &std::path::Path) -> Result<gongkai_store::audit_keys::Checkpoint> {
    let key = gongkai_store::audit_keys::load_or_create_signing_key(data_dir).map_err(|e| anyhow!("{e}"))?;
    let cp = store.audit_checkpoint(&key, chrono::Utc::now()).await.map_err(|e| anyhow!("{e}"))?;
    let dir = data_dir.join("audit");
    write_checkpoint(&dir.join("checkpoint-latest.json"), &cp)?;
    write_checkpoint(&dir.join(format!("checkpoint-{}.json", cp.created_at.format("%Y%m%dT%H%M%SZ"))), &cp)?;
    Ok(cp)
}

/// While serving: sign the head at start and every hour.
pub fn spawn_checkpoints(store: Store, data_dir: std::path::PathBuf) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match checkpoint_now(&store, &data_dir).await {
                Ok(cp) => tracing::info!(head_id = cp.head_id, "audit checkpoint signed"),
                Err(e) => tracing::error!(error = %e, "audit checkpoint failed"),
            }
        }
    });
}

pub async fn audit(store: &Store, cmd: &AuditCmd, data_dir: &std::path::Path) -> Result<()> {
    match cmd {
        AuditCmd::Checkpoint { output } => {
            let cp = match output {
                Some(path) => {
                    let key = gongkai_store::audit_keys::load_or_create_signing_key(data_dir).map_err(|e| anyhow!("{e}"))?;
                    let cp = store.audit_checkpoint(&key, chrono::Utc::now()).await.map_err(|e| anyhow!("{e}"))?;
                    write_checkpoint(path, &cp)?;
                    cp
                }
                None => checkpoint_now(store, data_dir).await?,
            };
            println!("已签发检查点：共 {} 条记录，最新第 {} 条，SM2 公钥 {}", cp.count, cp.head_id, cp.public_key);
            Ok(())
        }
        AuditCmd::Verify { checkpoint, public_key } => {
            let text = std::fs::read_to_string(checkpoint).map_err(|e| anyhow!("无法读取检查点文件 {}：{e}", checkpoint.display()))?;
            let cp: gongkai_store::audit_keys::Checkpoint = serde_json::from_str(&text).map_err(|e| anyhow!("检查点文件格式无效：{e}"))?;
            let pinned = match public_key {
                Some(p) if std::path::Path::new(p).is_file() => Some(std::fs::read_to_string(p)?.trim().to_string()),
                Some(p) => Some(p.trim().to_string()),
                None => std::fs::read_to_string(gongkai_store::audit_keys::key_dir(data_dir).join("audit-sign.pub")).ok().map(|s| s.trim().to_string()),
            };
            let problems = store.verify_against_checkpoint(&cp, pinned.as_deref()).await.map_err(|e| anyhow!("{e}"))?;
            if problems.is_empty() {
                let v = store.verify_audit().await.map_err(|e| anyhow!("{e}"))?;
                println!("审计日志完整：共 {} 条（其中启用密钥前 {} 条），与 {} 签发的检查点（第 {} 条）一致", v.count, v.unkeyed, cp.created_at.to_rfc3339(), cp.head_id);
                Ok(())
            } else {
                for p in &problems {
                    println!("✗ {p}");
                }
                Err(anyhow!("审计日志校验失败：{} 个问题", problems.len()))
            }
        }
    }
}

/// Make the SQLite database file and its `-wal`/`-shm` companions readable
/// and writable by the owner only (0600): they hold citizens' personal data.
pub fn restrict_database_files(db: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db;
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// 生成新一版个人信息数据密钥并设为当前密钥；旧密钥保留，仍可解密尚未重新加密的数据
    Rotate,
    /// 立即把全部个人信息字段重新加密到当前密钥（升级前的明文数据也一并加密）
    Reencrypt,
    /// 显示各版本数据密钥加密的字段数、仍为明文的字段数
    Status,
}

/// The data keys of the installation: the environment if set, else `<data dir>/keys/`
/// (created on first use).
pub fn load_data_keys(data_dir: &std::path::Path) -> Result<gongkai_store::data_keys::DataKeys> {
    use gongkai_store::data_keys::{DataKeys, DATA_INDEX_KEY_ENV, DATA_KEY_ENV};
    DataKeys::load_or_create(data_dir, std::env::var(DATA_KEY_ENV).ok().as_deref(), std::env::var(DATA_INDEX_KEY_ENV).ok().as_deref()).map_err(|e| anyhow!("{e}"))
}

/// Rows per transaction of the re-encryption pass, and the pause between batches
/// while serving (so requests keep the database).
const REENCRYPT_BATCH: i64 = 200;
const REENCRYPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

fn print_status(status: &gongkai_store::DataKeyStatus) {
    println!("当前数据密钥：第 {} 版", status.current);
    for c in &status.columns {
        let versions: Vec<String> = c.by_version.iter().map(|(v, n)| format!("第 {v} 版 {n}")).collect();
        let mut line = format!("  {}：{}；明文 {}", c.column, versions.join("，"), c.clear);
        if c.unknown > 0 {
            line.push_str(&format!("；未加载的密钥版本 {}", c.unknown));
        }
        println!("{line}");
    }
    let totals: Vec<String> = status.total_by_version().iter().map(|(v, n)| format!("第 {v} 版 {n} 个字段{}", if *n == 0 && *v != status.current { "（已无数据使用）" } else { "" })).collect();
    println!("合计：{}；明文 {} 个字段；未改为盲索引的证件号索引 {} 个", totals.join("，"), status.columns.iter().map(|c| c.clear).sum::<i64>(), status.clear_index_keys);
    if status.all_current() {
        println!("全部个人信息字段均已用当前密钥加密");
    } else {
        println!("尚有字段未用当前密钥加密：运行中的服务会在后台重新加密，也可执行 gongkai keys reencrypt");
    }
}

/// Add the next data key under the data directory.
fn rotate_keys(data_dir: &std::path::Path) -> Result<()> {
    let env = std::env::var(gongkai_store::data_keys::DATA_KEY_ENV).ok();
    let v = gongkai_store::data_keys::rotate(data_dir, env.as_deref()).map_err(|e| anyhow!("{e}"))?;
    println!("已生成第 {v} 版数据密钥 {}，此后新写入的个人信息用它加密", gongkai_store::audit_keys::key_dir(data_dir).join(format!("data-{v}.key")).display());
    println!("运行中的服务会在几分钟内改用新密钥，并在后台把已有数据重新加密；也可立即执行 gongkai keys reencrypt");
    println!("旧密钥文件请保留：重新加密完成前的数据和此前的备份都需要它");
    Ok(())
}

pub async fn keys(store: &Store, cmd: &KeysCmd, data_dir: &std::path::Path) -> Result<()> {
    match cmd {
        KeysCmd::Rotate => {
            rotate_keys(data_dir)?;
            store.reload_data_keys().map_err(|e| anyhow!("{e}"))?;
            print_status(&store.data_key_status().await.map_err(|e| anyhow!("{e}"))?);
            Ok(())
        }
        KeysCmd::Status => {
            print_status(&store.data_key_status().await.map_err(|e| anyhow!("{e}"))?);
            let problems = store.check_data_keys().await.map_err(|e| anyhow!("{e}"))?;
            for p in &problems {
                println!("✗ {p}");
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(anyhow!("数据密钥与数据库中的加密数据不符：{} 个问题", problems.len()))
            }
        }
        KeysCmd::Reencrypt => {
            let done = store.reencrypt_all(REENCRYPT_BATCH, std::time::Duration::ZERO).await.map_err(|e| anyhow!("{e}"))?;
            println!("已重新加密 {} 行", done.rows);
            print_status(&store.data_key_status().await.map_err(|e| anyhow!("{e}"))?);
            if done.failed > 0 {
                return Err(anyhow!("{} 行无法解密，未重新加密（首个：{}）", done.failed, done.first_error.unwrap_or_default()));
            }
            Ok(())
        }
    }
}

/// While serving: every few minutes pick up a key added by `gongkai keys rotate` and
/// re-encrypt, in small batches, whatever is not under the current key (the clear
/// text of an upgraded installation on the first pass).
pub fn spawn_reencryption(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = store.reload_data_keys() {
                tracing::error!(error = %e, "data keys could not be reloaded");
            }
            match store.reencrypt_all(REENCRYPT_BATCH, REENCRYPT_PAUSE).await {
                Ok(done) if done.failed > 0 => {
                    tracing::error!(rows = done.rows, failed = done.failed, first = done.first_error.as_deref().unwrap_or_default(), "re-encryption left rows it cannot open")
                }
                Ok(done) if done.rows > 0 => tracing::info!(rows = done.rows, "personal fields re-encrypted to the current data key"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "re-encryption failed"),
            }
        }
    });
}
