//! Keys of the audit trail, kept outside the database, and signed checkpoints
//! of its head (issue 12 (b)).
//!
//! - The chain key (HMAC-SM3): environment `GONGKAI_AUDIT_KEY` (hex, at least
//!   32 bytes) or the file `<data dir>/keys/audit-mac.key`, created on first
//!   use with mode 0600.
//! - The checkpoint signing key (SM2): `<data dir>/keys/audit-sign.key`
//!   (0600); its public key is written beside it as `audit-sign.pub` (hex
//!   SEC1) for auditors to pin.
//! - A checkpoint is a small JSON file naming the newest entry (id, SM3 hash,
//!   MAC) and the number of entries, signed with SM2. An auditor keeps copies
//!   offline; `gongkai audit verify --checkpoint FILE` then finds truncation
//!   (the checkpointed entry gone), rewriting (its hash or MAC changed) and
//!   forged appends (MAC wrong) — see [`Store::verify_against_checkpoint`].

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};

use crate::{Result, Store, StoreError};

/// Distinguishing identifier of the SM2 signatures (GM/T 0009 default).
pub const SM2_DISTID: &str = "1234567812345678";
const FORMAT: &str = "gongkai-audit-checkpoint/1";
/// Environment variable holding the chain key (hex).
pub const AUDIT_KEY_ENV: &str = "GONGKAI_AUDIT_KEY";

fn key_error(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}：{e}"))
}

/// Directory of the keys under the data directory.
pub fn key_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

/// Write a new secret file readable by its owner only (0600), refusing to overwrite.
pub(crate) fn write_secret(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

/// Refuse a secret file others can read.
pub(crate) fn check_mode(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(|e| key_error("无法读取密钥文件", e))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(StoreError::Corrupt(format!("密钥文件 {} 的权限为 {:o}，其他用户可读；请执行 chmod 600", path.display(), mode & 0o777)));
        }
    }
    Ok(())
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// The chain key: from the environment value if given, else the key file (created if missing).
pub fn load_or_create_mac_key(data_dir: &Path, env_value: Option<&str>) -> Result<Vec<u8>> {
    if let Some(v) = env_value.map(str::trim).filter(|v| !v.is_empty()) {
        let key = hex::decode(v).map_err(|e| key_error("环境变量 GONGKAI_AUDIT_KEY 不是十六进制", e))?;
        if key.len() < 32 {
            return Err(StoreError::Corrupt("环境变量 GONGKAI_AUDIT_KEY 应至少 32 字节（64 个十六进制字符）".into()));
        }
        return Ok(key);
    }
    let path = key_dir(data_dir).join("audit-mac.key");
    if !path.exists() {
        write_secret(&path, &random_hex(32)).map_err(|e| key_error("无法创建审计密钥文件", e))?;
    }
    check_mode(&path)?;
    let text = std::fs::read_to_string(&path).map_err(|e| key_error("无法读取审计密钥文件", e))?;
    let key = hex::decode(text.trim()).map_err(|e| key_error("审计密钥文件内容无效", e))?;
    if key.len() < 32 {
        return Err(StoreError::Corrupt("审计密钥文件内容过短".into()));
    }
    Ok(key)
}

/// The SM2 checkpoint signing key (created if missing) and its public key file.
pub fn load_or_create_signing_key(data_dir: &Path) -> Result<SigningKey> {
    let path = key_dir(data_dir).join("audit-sign.key");
    if !path.exists() {
        let secret = loop {
            let mut b = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut b);
            if let Ok(sk) = sm2::SecretKey::from_slice(&b) {
                break sk;
            }
        };
        write_secret(&path, &hex::encode(secret.to_bytes())).map_err(|e| key_error("无法创建签名密钥文件", e))?;
    }
    check_mode(&path)?;
    let text = std::fs::read_to_string(&path).map_err(|e| key_error("无法读取签名密钥文件", e))?;
    let bytes = hex::decode(text.trim()).map_err(|e| key_error("签名密钥文件内容无效", e))?;
    let secret = sm2::SecretKey::from_slice(&bytes).map_err(|e| key_error("签名密钥无效", e))?;
    let key = SigningKey::new(SM2_DISTID, &secret).map_err(|e| key_error("签名密钥无效", e))?;
    let pub_path = key_dir(data_dir).join("audit-sign.pub");
    let public = public_key_hex(&key);
    if std::fs::read_to_string(&pub_path).map(|s| s.trim() != public).unwrap_or(true) {
        std::fs::write(&pub_path, format!("{public}\n")).map_err(|e| key_error("无法写出签名公钥文件", e))?;
    }
    Ok(key)
}

/// Hex SEC1 (uncompressed) public key of a signing key.
pub fn public_key_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_sec1_bytes())
}

/// A signed statement of the audit chain's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub created_at: DateTime<Utc>,
    /// Entries in the chain when signed.
    pub count: i64,
    pub head_id: i64,
    pub head_hash: String,
    pub head_mac: String,
    /// Hex SEC1 public key of the signer.
    pub public_key: String,
    /// Hex SM2 signature (r ‖ s) over [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    fn message(&self) -> String {
        format!("{FORMAT}\n{}\n{}\n{}\n{}\n{}", self.created_at.to_rfc3339(), self.count, self.head_id, self.head_hash, self.head_mac)
    }

    /// Check the signature; with `pinned` (the installation's public key, hex)
    /// also that it was signed by that key.
    pub fn verify_signature(&self, pinned: Option<&str>) -> std::result::Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("检查点格式“{}”无法识别", self.format));
        }
        if let Some(p) = pinned {
            if p.trim() != self.public_key {
                return Err("检查点不是由本系统的签名密钥签发的（公钥不符）".into());
            }
        }
        let bytes = hex::decode(&self.public_key).map_err(|_| "检查点中的公钥格式无效".to_string())?;
        let vk = VerifyingKey::from_sec1_bytes(SM2_DISTID, &bytes).map_err(|_| "检查点中的公钥无效".to_string())?;
        let sig_bytes = hex::decode(&self.signature).map_err(|_| "检查点签名格式无效".to_string())?;
        let sig = Signature::try_from(sig_bytes.as_slice()).map_err(|_| "检查点签名格式无效".to_string())?;
        vk.verify(self.message().as_bytes(), &sig).map_err(|_| "检查点的 SM2 签名无效（检查点被改动）".to_string())
    }
}

impl Store {
    /// Verify the chain and sign its head. Errors when the chain is already broken.
    pub async fn audit_checkpoint(&self, key: &SigningKey, now: DateTime<Utc>) -> Result<Checkpoint> {
        let v = self.verify_audit().await?;
        if let Some((id, why)) = v.broken {
            return Err(StoreError::Corrupt(format!("审计日志第 {id} 条校验失败（{why}），不能签发检查点")));
        }
        let (head_id, head_hash, head_mac) = v.head.unwrap_or((0, crate::AUDIT_GENESIS_HASH.to_string(), String::new()));
        let mut cp = Checkpoint {
            format: FORMAT.into(),
            created_at: now,
            count: v.count,
            head_id,
            head_hash,
            head_mac,
            public_key: public_key_hex(key),
            signature: String::new(),
        };
        let sig: Signature = key.sign(cp.message().as_bytes());
        cp.signature = hex::encode(sig.to_bytes());
        Ok(cp)
    }

    /// Everything wrong with the chain measured against a checkpoint (empty = intact).
    pub async fn verify_against_checkpoint(&self, cp: &Checkpoint, pinned: Option<&str>) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if let Err(e) = cp.verify_signature(pinned) {
            problems.push(e);
        }
        let v = self.verify_audit().await?;
        if let Some((id, why)) = &v.broken {
            problems.push(format!("第 {id} 条记录校验失败：{why}"));
        }
        if !self.audit_keyed() {
            problems.push("未加载审计密钥，无法校验密钥校验码（HMAC-SM3）".into());
        }
        if cp.head_id > 0 {
            match self.audit_entry(cp.head_id).await? {
                None => problems.push(format!("检查点记录的第 {} 条已不存在：日志被截断（现有 {} 条，检查点时有 {} 条）", cp.head_id, v.count, cp.count)),
                Some(e) if e.hash != cp.head_hash || e.mac != cp.head_mac => {
                    problems.push(format!("第 {} 条与检查点不符：日志在检查点之前被改写", cp.head_id))
                }
                Some(_) => {}
            }
        }
        if v.count < cp.count {
            problems.push(format!("记录数 {} 少于检查点时的 {} 条：日志被截断", v.count, cp.count));
        }
        Ok(problems)
    }
}
