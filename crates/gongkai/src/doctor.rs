//! `gongkai doctor`: check an installation the way an operator would before
//! and after going live — configuration, database durability, file
//! permissions, disk space, key files, the TLS certificate's validity and the
//! age of the newest backup — and say in Chinese what is wrong and what to do.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Result};
use chrono::Utc;
use gongkai_store::Store;

use crate::config::Config;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "正常",
            Level::Warn => "注意",
            Level::Fail => "问题",
        }
    }
}

/// One line of the check-up.
#[derive(Debug, Clone)]
pub struct Finding {
    pub level: Level,
    /// What was checked, e.g. 数据库、磁盘空间.
    pub topic: &'static str,
    pub message: String,
}

fn f(level: Level, topic: &'static str, message: impl Into<String>) -> Finding {
    Finding { level, topic, message: message.into() }
}

/// Free space below this fails the check; below `DISK_WARN` it warns.
const DISK_FAIL: u64 = 512 * 1024 * 1024;
const DISK_WARN: u64 = 2 * 1024 * 1024 * 1024;
/// A certificate expiring within this many days is a warning.
const CERT_WARN_DAYS: i64 = 30;
/// The newest backup older than this is a warning; older than `BACKUP_FAIL` a problem.
const BACKUP_WARN: Duration = Duration::from_secs(26 * 3600);
const BACKUP_FAIL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Run every check.
pub async fn check(config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    check_config(config, &mut out);
    check_data_dir(config, &mut out);
    check_database(config, &mut out).await;
    check_disk(&config.data_dir, &mut out);
    check_audit_keys(config, &mut out);
    check_keys(config, &mut out);
    check_backups(&config.backup_dir(), &mut out);
    check_virus_scanner(config, &mut out).await;
    out
}

/// `gongkai doctor`: print the findings; fail when any is a problem.
pub async fn run(config: &Config) -> Result<()> {
    let findings = check(config).await;
    for x in &findings {
        println!("[{}] {}：{}", x.level.label(), x.topic, x.message);
    }
    let fails = findings.iter().filter(|x| x.level == Level::Fail).count();
    let warns = findings.iter().filter(|x| x.level == Level::Warn).count();
    if fails > 0 {
        bail!("体检发现 {fails} 个问题、{warns} 项需要注意（见上）");
    }
    println!("体检完成：没有问题，{warns} 项需要注意。");
    Ok(())
}

fn check_config(config: &Config, out: &mut Vec<Finding>) {
    out.push(f(Level::Ok, "配置", format!("配置有效；监听 {}，数据目录 {}", config.listen, config.data_dir.display())));
    let loopback = config.listen.parse::<std::net::SocketAddr>().map(|a| a.ip().is_loopback()).unwrap_or(false);
    if !loopback && !config.tls_enabled() {
        out.push(f(
            Level::Warn,
            "配置",
            format!("监听地址 {} 对外开放，但本服务未启用 HTTPS：请配置 tls_cert 与 tls_key，或只监听 127.0.0.1 并由 nginx 提供 HTTPS（见 docs/nginx.md）", config.listen),
        ));
    }
    if !config.tls_enabled() && !config.secure_cookies && !loopback {
        out.push(f(Level::Warn, "配置", "secure_cookies 未开启：经 HTTPS 反向代理访问时应设为 true，使登录 Cookie 只经 HTTPS 发送"));
    }
    if config.metrics_listen.is_none() {
        out.push(f(Level::Warn, "配置", "未设置 metrics_listen，监控系统无法采集指标"));
    }
}

/// Mode bits of a path (Unix), for permission checks.
/// Uploads are refused while a configured ClamAV does not answer; without one, files are
/// checked for active content only.
async fn check_virus_scanner(config: &Config, out: &mut Vec<Finding>) {
    let scanner = match gongkai_web::malware_scan::Scanner::parse(&config.clamav) {
        Ok(s) => s,
        Err(e) => return out.push(f(Level::Fail, "病毒扫描", e)),
    };
    if !scanner.is_on() {
        out.push(f(Level::Warn, "病毒扫描", "未配置 clamav：上传的附件只检查宏、控件、内嵌程序等活动内容，不经病毒扫描（见 README“病毒扫描”）"));
        return;
    }
    match scanner.ping().await {
        Ok(()) => out.push(f(Level::Ok, "病毒扫描", format!("ClamAV（{}）应答正常", config.clamav.trim()))),
        Err(e) => out.push(f(Level::Fail, "病毒扫描", format!("{e}；在它恢复之前，所有附件上传都会被拒绝"))),
    }
}

fn mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

fn check_data_dir(config: &Config, out: &mut Vec<Finding>) {
    let dir = &config.data_dir;
    match std::fs::metadata(dir) {
        Err(_) => {
            out.push(f(Level::Fail, "数据目录", format!("{} 不存在：请先运行 gongkai migrate（或安装软件包时自动创建）", dir.display())));
            return;
        }
        Ok(m) if !m.is_dir() => {
            out.push(f(Level::Fail, "数据目录", format!("{} 不是目录", dir.display())));
            return;
        }
        Ok(_) => {}
    }
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"probe") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            out.push(f(Level::Ok, "文件权限", format!("数据目录 {} 可写", dir.display())));
        }
        Err(e) => out.push(f(Level::Fail, "文件权限", format!("数据目录 {} 不可写：{e}（服务账号须拥有该目录）", dir.display()))),
    }
    if let Some(m) = mode(dir) {
        if m & 0o007 != 0 {
            out.push(f(Level::Fail, "文件权限", format!("数据目录 {} 的权限为 {m:04o}，其他用户可以访问；其中有申请人的个人信息，请执行 chmod 750 {}", dir.display(), dir.display())));
        }
    }
    if config.database_url.is_none() {
        let db = dir.join("gongkai.db");
        if let Some(m) = mode(&db) {
            if m & 0o007 != 0 {
                out.push(f(Level::Fail, "文件权限", format!("数据库文件 {} 的权限为 {m:04o}，其他用户可以读取，请执行 chmod 640 {}", db.display(), db.display())));
            } else {
                out.push(f(Level::Ok, "文件权限", format!("数据库文件权限 {m:04o}")));
            }
        }
    }
    for name in ["demo-accounts.txt", "initial-accounts.txt"] {
        let accounts = dir.join(name);
        if let Some(m) = mode(&accounts) {
            if m & 0o077 != 0 {
                out.push(f(Level::Fail, "文件权限", format!("{} 含有密码，权限为 {m:04o}，应为 0600", accounts.display())));
            }
        }
    }
    let initial = crate::cli::initial_accounts_path(config);
    if initial.exists() {
        out.push(f(Level::Warn, "初始密码", format!("{} 仍然存在：三位管理员取得初始密码后请删除它", initial.display())));
    }
}

async fn check_database(config: &Config, out: &mut Vec<Finding>) {
    let url = config.database_url();
    if config.database_url.is_none() && !config.data_dir.join("gongkai.db").exists() {
        out.push(f(Level::Fail, "数据库", format!("数据库文件 {} 不存在：请先运行 gongkai migrate", config.data_dir.join("gongkai.db").display())));
        return;
    }
    let store = match tokio::time::timeout(Duration::from_secs(10), Store::connect(&url)).await {
        Ok(Ok(s)) => s,
        Ok(Err(gongkai_store::StoreError::Durability(m))) => {
            out.push(f(Level::Fail, "数据库持久性", format!("{m}：断电或崩溃时会丢失已提交的数据，服务将拒绝启动")));
            return;
        }
        Ok(Err(e)) => {
            out.push(f(Level::Fail, "数据库", format!("无法连接：{e}")));
            return;
        }
        Err(_) => {
            out.push(f(Level::Fail, "数据库", "10 秒内未能连接"));
            return;
        }
    };
    let backend = match store.backend() {
        gongkai_store::Backend::Sqlite => "SQLite",
        gongkai_store::Backend::Postgres => "PostgreSQL",
    };
    out.push(f(Level::Ok, "数据库", format!("{backend} 可以连接")));
    match store.durability_settings().await {
        Ok(settings) => {
            let bad: Vec<String> = settings.iter().filter(|s| !s.ok).map(|s| format!("{} 为 {}（要求 {}）", s.name, s.value, s.required)).collect();
            if bad.is_empty() {
                let all: Vec<String> = settings.iter().map(|s| format!("{}={}", s.name, s.value)).collect();
                out.push(f(Level::Ok, "数据库持久性", all.join("，")));
            } else {
                out.push(f(Level::Fail, "数据库持久性", bad.join("；")));
            }
        }
        Err(e) => out.push(f(Level::Fail, "数据库持久性", format!("无法读取设置：{e}"))),
    }
    match store.pending_migrations().await {
        Ok(p) if p.is_empty() => out.push(f(Level::Ok, "数据库迁移", "已是最新")),
        Ok(p) => out.push(f(Level::Warn, "数据库迁移", format!("有 {} 个迁移尚未执行（{}），下次启动或运行 gongkai migrate 时执行", p.len(), p.join("、")))),
        Err(e) => out.push(f(Level::Fail, "数据库迁移", format!("无法读取迁移记录：{e}"))),
    }
    check_separation(config, &store, out).await;
    store.close().await;
}

/// 三员分立: one account holding two administrator roles is a problem (the service refuses
/// to start) unless `single_person_mode`, where it is a warning; so is a role nobody holds.
async fn check_separation(config: &Config, store: &Store, out: &mut Vec<Finding>) {
    match crate::separation::check_at_start(store, config).await {
        Ok(warnings) if warnings.is_empty() => out.push(f(Level::Ok, "三员分立", "系统管理员、安全管理员、审计管理员由不同账号担任")),
        Ok(warnings) => {
            for w in warnings {
                out.push(f(Level::Warn, "三员分立", w));
            }
        }
        Err(e) => out.push(f(Level::Fail, "三员分立", e.to_string())),
    }
}

/// New files and directories of this process get no permissions for "other"
/// users (umask 027): the database, attachments and backups hold personal data.
pub fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe {
        libc::umask(0o027);
    }
}

/// Bytes available to unprivileged users on the file system holding `path`.
#[cfg(unix)]
pub fn available_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    (rc == 0).then(|| s.f_bavail as u64 * s.f_frsize as u64)
}

#[cfg(not(unix))]
pub fn available_bytes(_path: &Path) -> Option<u64> {
    None
}

fn check_disk(dir: &Path, out: &mut Vec<Finding>) {
    let probe = if dir.exists() { dir } else { Path::new(".") };
    match available_bytes(probe) {
        Some(b) => {
            let gib = b as f64 / (1024.0 * 1024.0 * 1024.0);
            let level = if b < DISK_FAIL {
                Level::Fail
            } else if b < DISK_WARN {
                Level::Warn
            } else {
                Level::Ok
            };
            let advice = match level {
                Level::Ok => "",
                _ => "；空间不足时附件上传和备份会失败，请清理旧备份或扩容",
            };
            out.push(f(level, "磁盘空间", format!("{} 所在分区可用 {gib:.1} GiB{advice}", probe.display())));
        }
        None => out.push(f(Level::Warn, "磁盘空间", "无法读取可用空间")),
    }
}

/// The audit keys under the data directory: present files must be readable by their owner
/// only (the server refuses to start otherwise, e.g. after copying them by hand).
fn check_audit_keys(config: &Config, out: &mut Vec<Finding>) {
    let dir = gongkai_store::audit_keys::key_dir(&config.data_dir);
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    if files.is_empty() {
        let from_env = std::env::var(gongkai_store::audit_keys::AUDIT_KEY_ENV).is_ok_and(|v| !v.trim().is_empty());
        let message = if from_env { "审计链密钥由环境变量 GONGKAI_AUDIT_KEY 提供" } else { "还没有审计密钥文件：首次启动时自动生成（权限 0600）" };
        out.push(f(Level::Ok, "审计密钥", message));
        return;
    }
    let open: Vec<String> = files.iter().filter_map(|p| mode(p).filter(|m| m & 0o077 != 0).map(|m| format!("{}（{m:04o}）", p.display()))).collect();
    if open.is_empty() {
        out.push(f(Level::Ok, "审计密钥", format!("{} 个密钥文件只有本用户可读", files.len())));
    } else {
        out.push(f(Level::Fail, "审计密钥", format!("密钥文件其他用户可读，服务将拒绝启动：{}；请执行 chmod 600", open.join("、"))));
    }
}

fn check_keys(config: &Config, out: &mut Vec<Finding>) {
    let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) else {
        out.push(f(Level::Ok, "TLS 证书", "本服务未直接提供 HTTPS（未设置 tls_cert、tls_key）"));
        return;
    };
    if let Some(m) = mode(key) {
        if m & 0o077 != 0 {
            out.push(f(Level::Fail, "密钥文件", format!("私钥 {} 的权限为 {m:04o}，其他用户可以读取，请执行 chmod 600 {}", key.display(), key.display())));
        } else {
            out.push(f(Level::Ok, "密钥文件", format!("私钥 {} 权限 {m:04o}", key.display())));
        }
    }
    if let Err(e) = crate::tls::load_certified_key(cert, key) {
        out.push(f(Level::Fail, "TLS 证书", e.to_string()));
        return;
    }
    match crate::tls::certificate_validity(cert) {
        Ok((not_before, not_after)) => {
            let now = Utc::now();
            let days = (not_after - now).num_days();
            let cst = |t: chrono::DateTime<Utc>| t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"))).format("%Y-%m-%d %H:%M").to_string();
            if now < not_before {
                out.push(f(Level::Fail, "TLS 证书", format!("证书 {} 尚未生效（{} 起生效）", cert.display(), cst(not_before))));
            } else if now > not_after {
                out.push(f(Level::Fail, "TLS 证书", format!("证书 {} 已于 {} 过期，浏览器将拒绝访问，请立即更换", cert.display(), cst(not_after))));
            } else if days < CERT_WARN_DAYS {
                out.push(f(Level::Warn, "TLS 证书", format!("证书 {} 将于 {} 到期（还有 {days} 天），请尽快续期；替换文件后无需重启", cert.display(), cst(not_after))));
            } else {
                out.push(f(Level::Ok, "TLS 证书", format!("证书有效期至 {}（还有 {days} 天）", cst(not_after))));
            }
        }
        Err(e) => out.push(f(Level::Fail, "TLS 证书", e.to_string())),
    }
}

fn check_backups(dir: &Path, out: &mut Vec<Finding>) {
    match gongkai_web::health::newest_backup_age(dir) {
        None => out.push(f(Level::Warn, "备份", format!("{} 中还没有备份：请运行 gongkai backup，并配置定时备份", dir.display()))),
        Some(age) => {
            let hours = age.as_secs() / 3600;
            let level = if age > BACKUP_FAIL {
                Level::Fail
            } else if age > BACKUP_WARN {
                Level::Warn
            } else {
                Level::Ok
            };
            let text = match level {
                Level::Ok => format!("最近一次备份在 {hours} 小时前"),
                _ => format!("最近一次备份已是 {hours} 小时前（{} 天），定时备份可能没有运行", hours / 24),
            };
            out.push(f(level, "备份", text));
        }
    }
}
