//! `gongkai backup` and `gongkai restore`.
//!
//! A backup is one gzip-compressed tar archive:
//! - `manifest.json` — format, version, time, backend, the row count of every
//!   table *in the snapshot*, and the size and SHA-256 of every other entry;
//! - `database/gongkai.db` (SQLite, `VACUUM INTO`: a consistent copy taken while
//!   the service keeps running) or `database/gongkai.sql` (PostgreSQL, `pg_dump`
//!   of an exported REPEATABLE READ snapshot, the same snapshot the counts come from);
//! - `data/…` — the files under the data directory needed to read the data:
//!   `keys/` (keys for encrypted data) and `files/` (stored files), when present.
//!   Attachments live in the database and travel with it. The search index is
//!   derived and rebuilt after a restore.
//!
//! A restore checks the whole archive (every checksum, nothing missing or extra)
//! before it touches the target, which must be empty; it then places everything
//! at once (SQLite: one directory rename; PostgreSQL: one `psql` transaction),
//! and verifies the row counts and the audit chain. A truncated or altered
//! archive is refused with the entry named, and nothing is half-restored.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use chrono::Utc;
use gongkai_store::{Backend, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;

pub const FORMAT: &str = "gongkai-backup";
pub const VERSION: u32 = 1;
/// Directories under the data directory that a backup carries.
pub const DATA_SUBDIRS: &[&str] = &["keys", "files"];
const SQLITE_ENTRY: &str = "database/gongkai.db";
const POSTGRES_ENTRY: &str = "database/gongkai.sql";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub created_at: String,
    pub gongkai_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Rows per table in the snapshot.
    pub counts: BTreeMap<String, i64>,
    pub files: Vec<FileEntry>,
}

/// What a backup wrote.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("无法读取 {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(h.finalize())))
}

/// File name of a backup taken now.
pub fn default_name() -> String {
    format!("gongkai-backup-{}.tar.gz", Utc::now().format("%Y%m%dT%H%M%SZ"))
}

/// Take a backup of the running installation into `out`.
pub async fn create(store: &Store, config: &Config, out: &Path) -> Result<Written> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("无法创建备份目录 {}", parent.display()))?;
    let staging = tempfile::Builder::new().prefix(".gongkai-backup-").tempdir_in(parent).with_context(|| format!("无法在 {} 中建立临时目录", parent.display()))?;
    std::fs::create_dir_all(staging.path().join("database"))?;
    let (entry, counts) = match store.backend() {
        Backend::Sqlite => {
            let db = staging.path().join(SQLITE_ENTRY);
            store.vacuum_into(&db).await.context("SQLite 在线备份（VACUUM INTO）失败")?;
            let snapshot = Store::connect(&format!("sqlite:{}", db.display())).await.context("无法打开备份的数据库副本")?;
            let counts = snapshot.table_counts().await?;
            snapshot.close().await;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(staging.path().join(format!("{SQLITE_ENTRY}{suffix}")));
            }
            (SQLITE_ENTRY, counts)
        }
        Backend::Postgres => {
            let dump = staging.path().join(POSTGRES_ENTRY);
            let url = config.database_url();
            let (counts, result) = store
                .with_exported_snapshot(|snapshot| {
                    let dump = dump.clone();
                    async move {
                        tokio::task::spawn_blocking(move || {
                            Command::new("pg_dump")
                                .arg("--no-owner")
                                .arg("--no-privileges")
                                .arg("--format=plain")
                                .arg(format!("--snapshot={snapshot}"))
                                .arg("--file")
                                .arg(&dump)
                                .arg("--dbname")
                                .arg(&url)
                                .output()
                        })
                        .await
                    }
                })
                .await?;
            let output = result.map_err(|e| anyhow!("{e}"))?.map_err(|e| anyhow!("无法运行 pg_dump（请安装 postgresql-client）：{e}"))?;
            if !output.status.success() {
                bail!("pg_dump 失败：{}", String::from_utf8_lossy(&output.stderr).trim());
            }
            (POSTGRES_ENTRY, counts)
        }
    };
    let mut files = Vec::new();
    let (size, sha256) = sha256_file(&staging.path().join(entry))?;
    files.push(FileEntry { path: entry.into(), size, sha256 });
    let mut data_files: Vec<(PathBuf, String)> = Vec::new();
    for sub in DATA_SUBDIRS {
        collect(&config.data_dir.join(sub), &format!("data/{sub}"), &mut data_files)?;
    }
    for (src, name) in &data_files {
        let (size, sha256) = sha256_file(src)?;
        files.push(FileEntry { path: name.clone(), size, sha256 });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: Utc::now().to_rfc3339(),
        gongkai_version: env!("CARGO_PKG_VERSION").into(),
        backend: backend_name(store.backend()).into(),
        counts,
        files,
    };
    // Written under a hidden name, renamed when complete: a listing never sees half an archive.
    let partial = parent.join(format!(".{}.partial", out.file_name().and_then(|n| n.to_str()).unwrap_or("gongkai-backup")));
    {
        let file = std::fs::File::create(&partial).with_context(|| format!("无法写入 {}", partial.display()))?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let json = serde_json::to_vec_pretty(&manifest)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(Utc::now().timestamp().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, "manifest.json", json.as_slice())?;
        tar.append_path_with_name(staging.path().join(entry), entry)?;
        for (src, name) in &data_files {
            tar.append_path_with_name(src, name)?;
        }
        let gz = tar.into_inner()?;
        let file = gz.finish()?;
        file.sync_all()?;
    }
    std::fs::rename(&partial, out).with_context(|| format!("无法写入 {}", out.display()))?;
    let bytes = std::fs::metadata(out)?.len();
    Ok(Written { path: out.to_path_buf(), bytes, manifest })
}

/// Every regular file under `dir`, named `prefix/relative`.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<(PathBuf, String)>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let ty = e.file_type()?;
        if ty.is_dir() {
            collect(&e.path(), &format!("{prefix}/{name}"), out)?;
        } else if ty.is_file() {
            out.push((e.path(), format!("{prefix}/{name}")));
        }
    }
    Ok(())
}

/// Keep the newest `keep` archives in `dir`; returns the ones deleted.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("无法读取备份目录 {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("gongkai-backup-") && n.ends_with(".tar.gz")))
        .collect();
    // Names carry the UTC time, so they sort by age.
    archives.sort();
    let excess = archives.len().saturating_sub(keep.max(1));
    let doomed: Vec<PathBuf> = archives.into_iter().take(excess).collect();
    for p in &doomed {
        std::fs::remove_file(p).with_context(|| format!("无法删除旧备份 {}", p.display()))?;
    }
    Ok(doomed)
}

/// Scheduled backups while serving: whenever the newest archive is older than
/// the interval (checked every ten minutes, first a minute after start), take
/// one and keep the newest `backup_keep`.
pub fn spawn_schedule(store: Store, config: Config) {
    if config.backup_every_hours == 0 {
        return;
    }
    tokio::spawn(async move {
        let interval = Duration::from_secs(config.backup_every_hours * 3600);
        tokio::time::sleep(Duration::from_secs(60)).await;
        loop {
            let dir = config.backup_dir();
            let due = gongkai_web::health::newest_backup_age(&dir).is_none_or(|age| age >= interval);
            if due {
                match create(&store, &config, &dir.join(default_name())).await {
                    Ok(w) => {
                        tracing::info!(path = %w.path.display(), bytes = w.bytes, "定时备份完成");
                        if let Err(e) = prune(&dir, config.backup_keep) {
                            tracing::warn!(error = %format!("{e:#}"), "无法清理旧备份");
                        }
                    }
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "定时备份失败"),
                }
            }
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    });
}

/// A checked archive, unpacked in a staging directory.
pub struct Unpacked {
    pub manifest: Manifest,
    pub dir: tempfile::TempDir,
}

fn safe_relative(name: &Path) -> bool {
    !name.as_os_str().is_empty() && name.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Unpack `archive` into a new directory inside `within` and check it whole:
/// readable to the end, a manifest of this format, every listed entry present
/// with its size and SHA-256, nothing unlisted.
pub fn unpack(archive: &Path, within: &Path) -> Result<Unpacked> {
    let name = archive.display().to_string();
    let file = std::fs::File::open(archive).with_context(|| format!("无法打开备份文件 {name}"))?;
    std::fs::create_dir_all(within)?;
    let dir = tempfile::Builder::new().prefix(".gongkai-restore-").tempdir_in(within).with_context(|| format!("无法在 {} 中建立临时目录", within.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let broken = |e: std::io::Error, at: &str| anyhow!("备份文件 {name} 不完整或已损坏（{at}：{e}），可能在复制时被截断；未恢复任何数据");
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest_bytes = None;
    for entry in tar.entries().map_err(|e| broken(e, "无法读取归档"))? {
        let mut entry = entry.map_err(|e| broken(e, "读取下一项时出错"))?;
        let path = entry.path().map_err(|e| broken(e, "项名无效"))?.into_owned();
        let label = path.display().to_string();
        if !safe_relative(&path) {
            bail!("备份文件 {name} 含有不安全的路径“{label}”，拒绝恢复");
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        if label == "manifest.json" {
            let mut bytes = Vec::new();
            entry.by_ref().take(16 * 1024 * 1024).read_to_end(&mut bytes).map_err(|e| broken(e, "读取清单时出错"))?;
            manifest_bytes = Some(bytes);
            continue;
        }
        let target = dir.path().join(&path);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p)?;
        }
        // Streamed to disk while hashing: a database of many gigabytes never sits in memory.
        let mut out = HashingWriter { inner: std::io::BufWriter::new(std::fs::File::create(&target)?), hasher: Sha256::new(), size: 0 };
        std::io::copy(&mut entry, &mut out).map_err(|e| broken(e, &format!("读取 {label} 时出错")))?;
        out.inner.flush()?;
        seen.insert(label, (out.size, hex::encode(out.hasher.finalize())));
    }
    let manifest_bytes = manifest_bytes.ok_or_else(|| anyhow!("备份文件 {name} 中没有清单 manifest.json，不是 gongkai 的备份或已损坏"))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| anyhow!("备份文件 {name} 的清单 manifest.json 无法读取：{e}"))?;
    if manifest.format != FORMAT {
        bail!("{name} 不是 gongkai 的备份（格式为“{}”）", manifest.format);
    }
    if manifest.version > VERSION {
        bail!("备份 {name} 由较新版本的 gongkai（{}）生成，请先升级本程序", manifest.gongkai_version);
    }
    for f in &manifest.files {
        match seen.remove(&f.path) {
            None => bail!("备份文件 {name} 缺少清单中的 {}（可能被截断）；未恢复任何数据", f.path),
            Some((size, sha)) if size != f.size || sha != f.sha256 => {
                bail!("备份文件 {name} 中的 {} 与清单的校验值不符（已被改动或损坏）；未恢复任何数据", f.path)
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        bail!("备份文件 {name} 含有清单之外的 {extra}（已被改动）；未恢复任何数据");
    }
    Ok(Unpacked { manifest, dir })
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What a restore put in place.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    pub counts: BTreeMap<String, i64>,
}

/// Empty, or holding only empty directories (a fresh package install creates
/// `backups/` in the data directory before anything else is there).
fn dir_is_empty(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Err(_) => true,
        Ok(entries) => entries.flatten().all(|e| e.file_type().is_ok_and(|t| t.is_dir()) && std::fs::read_dir(e.path()).map(|mut d| d.next().is_none()).unwrap_or(false)),
    }
}

/// Key files readable by their owner only, as the server requires before it starts
/// (an archive's modes are not trusted).
fn restrict_keys(data_dir: &Path) -> Result<()> {
    let keys = data_dir.join("keys");
    if !keys.exists() {
        return Ok(());
    }
    set_mode(&keys, 0o700);
    for entry in std::fs::read_dir(&keys)?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            set_mode(&entry.path(), 0o600);
        }
    }
    Ok(())
}

/// Restore `archive` onto the empty data directory and database of `config`.
pub async fn restore(archive: &Path, config: &Config) -> Result<Restored> {
    let url = config.database_url();
    let target_backend = if url.starts_with("sqlite:") { "sqlite" } else { "postgres" };
    let data_dir = &config.data_dir;
    if data_dir.exists() && !dir_is_empty(data_dir) {
        bail!("数据目录 {} 不是空的：恢复只能在空的数据目录上进行（请换一个新目录，或先移走原有内容）", data_dir.display());
    }
    let sqlite_path = url.strip_prefix("sqlite:").map(|p| PathBuf::from(p.strip_prefix("//").unwrap_or(p).split('?').next().unwrap_or("")));
    if let Some(p) = &sqlite_path {
        if p.exists() {
            bail!("数据库文件 {} 已存在：恢复只能在空的数据库上进行", p.display());
        }
    }
    // Stage next to the data directory, so that placing it is a rename.
    let parent = data_dir.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let unpacked = unpack(archive, &parent)?;
    let manifest = unpacked.manifest.clone();
    if manifest.backend != target_backend {
        bail!(
            "这份备份来自 {}，目标数据库是 {}：不能跨数据库类型恢复（请以相同类型的数据库恢复）",
            label(&manifest.backend),
            label(target_backend)
        );
    }
    let staged = unpacked.dir.path();
    // The new data directory, complete, in the staging area.
    let new_data = staged.join("new-data");
    std::fs::create_dir_all(&new_data)?;
    set_mode(&new_data, 0o750);
    if staged.join("data").exists() {
        for sub in DATA_SUBDIRS {
            let from = staged.join("data").join(sub);
            if from.exists() {
                std::fs::rename(&from, new_data.join(sub))?;
            }
        }
    }
    match target_backend {
        "sqlite" => {
            let db_path = sqlite_path.clone().unwrap_or_else(|| data_dir.join("gongkai.db"));
            let inside = db_path == data_dir.join("gongkai.db");
            let snapshot = staged.join(SQLITE_ENTRY);
            set_mode(&snapshot, 0o640);
            if inside {
                std::fs::rename(&snapshot, new_data.join("gongkai.db"))?;
            }
            place_dir(&new_data, data_dir)?;
            if !inside {
                if let Some(p) = db_path.parent() {
                    std::fs::create_dir_all(p)?;
                }
                let tmp = db_path.with_extension("db.restoring");
                std::fs::copy(&snapshot, &tmp)?;
                std::fs::File::open(&tmp)?.sync_all()?;
                std::fs::rename(&tmp, &db_path)?;
            }
        }
        _ => {
            let store = Store::connect(&url).await.context("无法连接目标数据库")?;
            let empty = store.is_empty_database().await?;
            store.close().await;
            if !empty {
                bail!("目标数据库已有数据表：恢复只能在空的数据库上进行（请新建一个空数据库）");
            }
            let dump = staged.join(POSTGRES_ENTRY);
            let url2 = url.clone();
            let output = tokio::task::spawn_blocking(move || {
                Command::new("psql").arg("--quiet").arg("--no-psqlrc").arg("--single-transaction").arg("-v").arg("ON_ERROR_STOP=1").arg("--file").arg(&dump).arg("--dbname").arg(&url2).output()
            })
            .await?
            .map_err(|e| anyhow!("无法运行 psql（请安装 postgresql-client）：{e}"))?;
            if !output.status.success() {
                bail!("恢复数据库失败，已整体撤销：{}", String::from_utf8_lossy(&output.stderr).trim());
            }
            place_dir(&new_data, data_dir)?;
        }
    }
    restrict_keys(data_dir)?;
    // Check what was restored: the same rows, an intact audit chain — verified with the
    // restored audit key, as the server will, so a rewritten chain is caught here too.
    let key = gongkai_store::audit_keys::load_or_create_mac_key(data_dir, std::env::var(gongkai_store::audit_keys::AUDIT_KEY_ENV).ok().as_deref())
        .map_err(|e| anyhow!("恢复后的审计密钥无法使用：{e}"))?;
    let store = Store::connect(&url).await.context("无法打开恢复后的数据库")?.with_audit_key(key);
    store.migrate().await.context("恢复后的数据库迁移失败")?;
    let counts = store.table_counts().await?;
    for (table, n) in &manifest.counts {
        let got = counts.get(table).copied().unwrap_or(-1);
        if got != *n {
            store.close().await;
            bail!("恢复后的数据表 {table} 有 {got} 行，备份清单记载 {n} 行");
        }
    }
    if let Some(id) = store.verify_audit_chain().await? {
        store.close().await;
        bail!("恢复后的审计日志在第 {id} 条处断链");
    }
    // The restored data keys must open the restored personal data (keys/ restored with
    // it, or the same GONGKAI_DATA_KEY): none are created here.
    use gongkai_store::data_keys::{DataKeys, DATA_INDEX_KEY_ENV, DATA_KEY_ENV};
    let keys = DataKeys::load(data_dir, std::env::var(DATA_KEY_ENV).ok().as_deref(), std::env::var(DATA_INDEX_KEY_ENV).ok().as_deref())
        .map_err(|e| anyhow!("恢复后的数据密钥无法使用：{e}"))?;
    if let Some(keys) = keys {
        let store = store.clone().with_data_keys(keys);
        let problems = store.check_data_keys().await?;
        if !problems.is_empty() {
            store.close().await;
            bail!("恢复后的数据密钥打不开恢复的个人信息：{}", problems.join("；"));
        }
    } else if store.data_keys_needed().await? {
        store.close().await;
        bail!("备份中的个人信息已加密，但没有恢复出数据密钥（keys/data-*.key），也未设置 GONGKAI_DATA_KEY");
    }
    store.close().await;
    Ok(Restored { manifest, counts })
}

fn label(backend: &str) -> &'static str {
    if backend == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

/// Put the staged directory in place of the (absent or empty) data directory.
fn place_dir(staged: &Path, data_dir: &Path) -> Result<()> {
    if data_dir.exists() {
        for entry in std::fs::read_dir(data_dir)?.flatten() {
            std::fs::remove_dir(entry.path()).with_context(|| format!("无法替换空的数据目录 {}", data_dir.display()))?;
        }
        std::fs::remove_dir(data_dir).with_context(|| format!("无法替换空的数据目录 {}", data_dir.display()))?;
    }
    std::fs::rename(staged, data_dir).with_context(|| format!("无法建立数据目录 {}", data_dir.display()))
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Print a summary of the tables in a manifest.
pub fn summary(manifest: &Manifest) -> String {
    let pick = ["organisations", "items", "attachments", "applications", "audit_log"];
    let parts: Vec<String> = pick.iter().filter_map(|t| manifest.counts.get(*t).map(|n| format!("{t} {n}"))).collect();
    let _ = std::io::stdout().flush();
    parts.join("，")
}
