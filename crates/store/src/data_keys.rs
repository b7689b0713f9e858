//! Personal data encrypted at rest with SM4 (issue 12 item 2).
//!
//! Citizens' identity-document numbers, phones, e-mail and postal addresses, a
//! consultation's name and contact, the recipient of queued e-mail and staff TOTP
//! secrets are stored as
//! `sm4g:<key version>:<base64 of nonce ‖ ciphertext ‖ tag>`: SM4 in GCM mode
//! (a 96-bit random nonce per value, a 128-bit tag), the field's name as
//! associated data so a value cannot be moved into another column unnoticed.
//! An empty value stays empty (nothing to hide, and "not given" stays cheap to test).
//!
//! Keys live outside the database, like the audit keys:
//! - data keys `<data dir>/keys/data-<n>.key` (hex, 16 bytes, mode 0600); the
//!   highest `n` is current: new values are sealed with it, every loaded version
//!   can be opened. `data-1.key` is created on first start; `gongkai keys rotate`
//!   adds the next one, and the re-encryption pass moves rows onto it.
//! - the blind-index key `<data dir>/keys/data-index.key` (hex, 32 bytes, 0600):
//!   HMAC-SM3 of a normalised identity-document number, so the same person's
//!   applications are still found by an indexed equality lookup. It is not rotated
//!   with the data keys (every index value would change at once).
//! - or, instead of the files, the environment: `GONGKAI_DATA_KEY` (`<n>:<hex>`
//!   entries separated by commas, or one bare hex key meaning version 1) and
//!   `GONGKAI_DATA_INDEX_KEY` (hex, at least 32 bytes).
//!
//! A value without the `sm4g:` prefix is clear text from before this feature;
//! it is read as it is and sealed by the re-encryption pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aead::consts::U12;
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;

use crate::audit_keys::{check_mode, key_dir, write_secret};
use crate::{Result, StoreError};

type Sm4Gcm = AesGcm<Sm4, U12>;

/// Environment variable holding the data keys (instead of the key files).
pub const DATA_KEY_ENV: &str = "GONGKAI_DATA_KEY";
/// Environment variable holding the blind-index key (with [`DATA_KEY_ENV`]).
pub const DATA_INDEX_KEY_ENV: &str = "GONGKAI_DATA_INDEX_KEY";
/// Prefix of a sealed value.
pub const SEALED_PREFIX: &str = "sm4g:";
/// Prefix of a blind-index value (a clear-text index key from before has none).
pub const BLIND_PREFIX: &str = "bi1:";
const NONCE_LEN: usize = 12;
const INDEX_FILE: &str = "data-index.key";

/// Why a sealed value could not be opened (or a value not sealed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    #[error("未加载个人信息数据密钥，无法读写加密字段")]
    NoKeys,
    #[error("加密字段格式无效：{0}")]
    Format(&'static str),
    #[error("加密字段使用第 {0} 版数据密钥，但该密钥未加载（请检查数据目录 keys/ 或环境变量 GONGKAI_DATA_KEY）")]
    UnknownKey(u32),
    #[error("加密字段校验失败：密钥不符或密文被改动")]
    Tampered,
    #[error("加密失败")]
    Seal,
}

/// The fields kept sealed; the name is the associated data of the ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    IdDocNumber,
    Phone,
    Email,
    PostalAddress,
    ConsultName,
    ConsultContact,
    /// `users.totp_secret` and `users.totp_pending` (a confirmed secret moves from one to the other).
    Totp,
    /// `outbox.recipient`: an applicant's e-mail address for receipts and letters.
    OutboxRecipient,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::IdDocNumber => "applications.id_doc_number",
            Field::Phone => "applications.phone",
            Field::Email => "applications.email",
            Field::PostalAddress => "applications.postal_address",
            Field::ConsultName => "consultations.name",
            Field::ConsultContact => "consultations.contact",
            Field::Totp => "users.totp",
            Field::OutboxRecipient => "outbox.recipient",
        }
    }
}

/// The key version a stored value is sealed with; `None` for clear text (or empty).
pub fn sealed_version(stored: &str) -> Option<u32> {
    let rest = stored.strip_prefix(SEALED_PREFIX)?;
    let (v, _) = rest.split_once(':')?;
    v.parse().ok()
}

/// The data keys (by version) and the blind-index key. Debug output shows versions only.
#[derive(Clone)]
pub struct DataKeys {
    ciphers: BTreeMap<u32, Sm4Gcm>,
    current: u32,
    index_key: Vec<u8>,
    /// The data directory the keys were read from (`None`: environment or given
    /// directly), so a key added by `gongkai keys rotate` can be picked up.
    dir: Option<PathBuf>,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeys").field("versions", &self.versions()).field("current", &self.current).finish_non_exhaustive()
    }
}

fn key_error(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}：{e}"))
}

impl DataKeys {
    /// Keys given directly: `(version, 16-byte SM4 key)` pairs (the highest version
    /// is current) and the blind-index key (at least 32 bytes).
    pub fn new(keys: &[(u32, Vec<u8>)], index_key: Vec<u8>) -> Result<DataKeys> {
        if keys.is_empty() {
            return Err(StoreError::Corrupt("没有可用的数据密钥".into()));
        }
        if index_key.len() < 32 {
            return Err(StoreError::Corrupt("索引密钥应至少 32 字节".into()));
        }
        let mut ciphers = BTreeMap::new();
        for (v, k) in keys {
            if *v == 0 {
                return Err(StoreError::Corrupt("数据密钥版本号应从 1 开始".into()));
            }
            let cipher = Sm4Gcm::new_from_slice(k).map_err(|_| StoreError::Corrupt(format!("第 {v} 版数据密钥应为 16 字节（32 个十六进制字符）")))?;
            if ciphers.insert(*v, cipher).is_some() {
                return Err(StoreError::Corrupt(format!("第 {v} 版数据密钥重复")));
            }
        }
        let current = ciphers.keys().next_back().copied().unwrap_or(1);
        Ok(DataKeys { ciphers, current, index_key, dir: None })
    }

    /// The installation's keys: from the environment values if given, else the key
    /// files under `<data_dir>/keys/` (data-1.key and the index key created if missing).
    pub fn load_or_create(data_dir: &Path, env_keys: Option<&str>, env_index: Option<&str>) -> Result<DataKeys> {
        if env_keys.map(str::trim).is_none_or(str::is_empty) {
            let dir = key_dir(data_dir);
            if file_versions(&dir)?.is_empty() {
                create_data_key(&dir, 1)?;
            }
            let index_path = dir.join(INDEX_FILE);
            if !index_path.exists() {
                write_secret(&index_path, &random_hex(32)).map_err(|e| key_error("无法创建索引密钥文件", e))?;
            }
        }
        DataKeys::load(data_dir, env_keys, env_index)?.ok_or_else(|| StoreError::Corrupt("数据密钥文件缺失".into()))
    }

    /// The installation's keys as they are, creating none (`None`: no key files and
    /// nothing in the environment) — for checking a restored data directory.
    pub fn load(data_dir: &Path, env_keys: Option<&str>, env_index: Option<&str>) -> Result<Option<DataKeys>> {
        if let Some(v) = env_keys.map(str::trim).filter(|v| !v.is_empty()) {
            let keys = parse_env_keys(v)?;
            let index = env_index.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| {
                StoreError::Corrupt("设置了环境变量 GONGKAI_DATA_KEY 时也须设置 GONGKAI_DATA_INDEX_KEY（十六进制，至少 32 字节）".into())
            })?;
            let index = hex::decode(index).map_err(|e| key_error("环境变量 GONGKAI_DATA_INDEX_KEY 不是十六进制", e))?;
            return DataKeys::new(&keys, index).map(Some);
        }
        let dir = key_dir(data_dir);
        let index_path = dir.join(INDEX_FILE);
        let data = read_data_keys(&dir)?;
        if data.is_empty() {
            return Ok(None);
        }
        if !index_path.exists() {
            return Err(StoreError::Corrupt(format!("有数据密钥但缺少索引密钥文件 {}", index_path.display())));
        }
        let mut keys = DataKeys::new(&data, read_hex_file(&index_path, "索引密钥文件")?)?;
        keys.dir = Some(data_dir.to_path_buf());
        Ok(Some(keys))
    }

    /// The same keys read again from their directory (a rotation may have added one);
    /// `None` when they did not come from files.
    pub fn reloaded(&self) -> Option<Result<DataKeys>> {
        let dir = self.dir.as_ref()?;
        Some(DataKeys::load_or_create(dir, None, None))
    }

    /// The version new values are sealed with.
    pub fn current(&self) -> u32 {
        self.current
    }

    /// Every loaded version, ascending.
    pub fn versions(&self) -> Vec<u32> {
        self.ciphers.keys().copied().collect()
    }

    /// Seal a value with the current key; an empty value stays empty.
    pub fn seal(&self, field: Field, clear: &str) -> std::result::Result<String, CipherError> {
        if clear.is_empty() {
            return Ok(String::new());
        }
        let cipher = self.ciphers.get(&self.current).ok_or(CipherError::UnknownKey(self.current))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: clear.as_bytes(), aad: field.name().as_bytes() })
            .map_err(|_| CipherError::Seal)?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + ct.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ct);
        Ok(format!("{SEALED_PREFIX}{}:{}", self.current, base64::engine::general_purpose::STANDARD.encode(bytes)))
    }

    /// Open a stored value: sealed values are decrypted and checked, clear text
    /// (from before encryption) is returned as it is.
    pub fn open(&self, field: Field, stored: &str) -> std::result::Result<String, CipherError> {
        let Some(rest) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (v, body) = rest.split_once(':').ok_or(CipherError::Format("缺少密钥版本"))?;
        let v: u32 = v.parse().map_err(|_| CipherError::Format("密钥版本不是数字"))?;
        let cipher = self.ciphers.get(&v).ok_or(CipherError::UnknownKey(v))?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| CipherError::Format("不是有效的 Base64"))?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(CipherError::Format("密文过短"));
        }
        let (nonce, ct) = bytes.split_at(NONCE_LEN);
        let clear = cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: field.name().as_bytes() })
            .map_err(|_| CipherError::Tampered)?;
        String::from_utf8(clear).map_err(|_| CipherError::Format("明文不是 UTF-8"))
    }

    /// The blind index of an already normalised identity-document number
    /// (`bi1:` + HMAC-SM3 hex); empty for an empty number.
    pub fn blind_index(&self, normalised: &str) -> String {
        if normalised.is_empty() {
            return String::new();
        }
        let mut mac = <Hmac<Sm3> as Mac>::new_from_slice(&self.index_key).expect("HMAC accepts keys of any length");
        mac.update(b"gongkai id_doc_key\0");
        mac.update(normalised.as_bytes());
        format!("{BLIND_PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
    }
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn parse_env_keys(v: &str) -> Result<Vec<(u32, Vec<u8>)>> {
    let mut keys = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (version, hex_key) = match part.split_once(':') {
            Some((n, k)) => (n.trim().parse::<u32>().map_err(|_| StoreError::Corrupt(format!("环境变量 GONGKAI_DATA_KEY 中的版本号“{n}”不是数字")))?, k.trim()),
            None => (1, part),
        };
        let key = hex::decode(hex_key).map_err(|e| key_error("环境变量 GONGKAI_DATA_KEY 不是十六进制", e))?;
        keys.push((version, key));
    }
    Ok(keys)
}

/// Versions of the `data-<n>.key` files in the key directory, ascending.
fn file_versions(dir: &Path) -> Result<Vec<u32>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(key_error("无法读取密钥目录", e)),
    };
    let mut versions = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| key_error("无法读取密钥目录", e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(n) = name.strip_prefix("data-").and_then(|r| r.strip_suffix(".key")).and_then(|n| n.parse::<u32>().ok()) {
            if n > 0 {
                versions.push(n);
            }
        }
    }
    versions.sort_unstable();
    Ok(versions)
}

fn read_hex_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    check_mode(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| key_error(&format!("无法读取{what} {}", path.display()), e))?;
    hex::decode(text.trim()).map_err(|e| key_error(&format!("{what} {} 内容无效", path.display()), e))
}

fn read_data_keys(dir: &Path) -> Result<Vec<(u32, Vec<u8>)>> {
    file_versions(dir)?
        .into_iter()
        .map(|v| Ok((v, read_hex_file(&dir.join(format!("data-{v}.key")), "数据密钥文件")?)))
        .collect()
}

fn create_data_key(dir: &Path, version: u32) -> Result<()> {
    write_secret(&dir.join(format!("data-{version}.key")), &random_hex(16)).map_err(|e| key_error("无法创建数据密钥文件", e))
}

/// Add the next data key under `<data_dir>/keys/` and return its version; it is
/// current from the next load. Refused when the keys come from the environment.
pub fn rotate(data_dir: &Path, env_keys: Option<&str>) -> Result<u32> {
    if env_keys.is_some_and(|v| !v.trim().is_empty()) {
        return Err(StoreError::Corrupt("数据密钥由环境变量 GONGKAI_DATA_KEY 提供：请在其中加入新版本（如“1:旧密钥,2:新密钥”）后重启，而不是用本命令".into()));
    }
    let dir = key_dir(data_dir);
    // Make sure the first key and the index key exist before adding another.
    DataKeys::load_or_create(data_dir, None, None)?;
    let next = file_versions(&dir)?.last().copied().unwrap_or(0) + 1;
    create_data_key(&dir, next)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(versions: &[u32]) -> DataKeys {
        DataKeys::new(&versions.iter().map(|&v| (v, vec![v as u8; 16])).collect::<Vec<_>>(), vec![7; 32]).expect("keys")
    }

    #[test]
    fn round_trip_with_version_prefix() {
        let k = keys(&[1]);
        let sealed = k.seal(Field::IdDocNumber, "44180219800101123X").expect("seal");
        assert!(sealed.starts_with("sm4g:1:"), "{sealed}");
        assert!(!sealed.contains("44180219800101123X"));
        assert_eq!(sealed_version(&sealed), Some(1));
        assert_eq!(k.open(Field::IdDocNumber, &sealed).expect("open"), "44180219800101123X");
        // A fresh nonce each time: equal values do not give equal ciphertexts.
        assert_ne!(sealed, k.seal(Field::IdDocNumber, "44180219800101123X").expect("seal"));
        assert_eq!(k.seal(Field::Phone, "").expect("empty"), "");
        assert_eq!(k.open(Field::Phone, "广东省清远市").expect("clear text"), "广东省清远市");
    }

    #[test]
    fn newest_key_seals_and_older_ones_still_open() {
        let old = keys(&[1]);
        let sealed_old = old.seal(Field::Phone, "13800138000").expect("seal");
        let ring = keys(&[1, 2]);
        assert_eq!(ring.current(), 2);
        assert!(ring.seal(Field::Phone, "x").expect("seal").starts_with("sm4g:2:"));
        assert_eq!(ring.open(Field::Phone, &sealed_old).expect("old key"), "13800138000");
        let sealed_new = ring.seal(Field::Phone, "13800138000").expect("seal");
        assert_eq!(old.open(Field::Phone, &sealed_new), Err(CipherError::UnknownKey(2)));
    }

    #[test]
    fn wrong_key_tampering_and_moved_values_are_detected() {
        let k = keys(&[1]);
        let sealed = k.seal(Field::Email, "a@example.cn").expect("seal");
        let other = DataKeys::new(&[(1, vec![9; 16])], vec![7; 32]).expect("keys");
        assert_eq!(other.open(Field::Email, &sealed), Err(CipherError::Tampered));
        assert_eq!(CipherError::Tampered.to_string(), "加密字段校验失败：密钥不符或密文被改动");
        // One bit flipped in the ciphertext.
        let (head, body) = sealed.rsplit_once(':').expect("body");
        let mut bytes = base64::engine::general_purpose::STANDARD.decode(body).expect("b64");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped = format!("{head}:{}", base64::engine::general_purpose::STANDARD.encode(bytes));
        assert_eq!(k.open(Field::Email, &flipped), Err(CipherError::Tampered));
        // The same ciphertext copied into another column.
        assert_eq!(k.open(Field::Phone, &sealed), Err(CipherError::Tampered));
        assert!(matches!(k.open(Field::Email, "sm4g:x:AAAA"), Err(CipherError::Format(_))));
        assert!(matches!(k.open(Field::Email, "sm4g:1:AAAA"), Err(CipherError::Format(_))));
    }

    #[test]
    fn blind_index_is_keyed_and_stable() {
        let k = keys(&[1]);
        let a = k.blind_index("44180219800101123X");
        assert!(a.starts_with(BLIND_PREFIX) && a.len() == BLIND_PREFIX.len() + 64, "{a}");
        assert_eq!(a, keys(&[1, 2]).blind_index("44180219800101123X"), "data-key rotation leaves the index alone");
        assert_ne!(a, k.blind_index("44180219800101124X"));
        let other = DataKeys::new(&[(1, vec![1; 16])], vec![8; 32]).expect("keys");
        assert_ne!(a, other.blind_index("44180219800101123X"));
        assert_eq!(k.blind_index(""), "");
    }

    #[test]
    fn key_files_are_created_private_and_rotation_adds_the_next() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = DataKeys::load_or_create(dir.path(), None, None).expect("create");
        assert_eq!(first.versions(), vec![1]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/data-1.key")).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = first.seal(Field::Phone, "13800138000").expect("seal");
        assert_eq!(rotate(dir.path(), None).expect("rotate"), 2);
        let again = first.reloaded().expect("from files").expect("reload");
        assert_eq!((again.versions(), again.current()), (vec![1, 2], 2));
        assert_eq!(again.open(Field::Phone, &sealed).expect("old value"), "13800138000");
        assert_eq!(again.blind_index("X1"), first.blind_index("X1"));
        assert!(rotate(dir.path(), Some("1:00112233445566778899aabbccddeeff")).is_err());
    }

    #[test]
    fn keys_from_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = "ab".repeat(32);
        let k = DataKeys::load_or_create(dir.path(), Some("1:00112233445566778899aabbccddeeff, 3:ffeeddccbbaa99887766554433221100"), Some(&index)).expect("env");
        assert_eq!((k.versions(), k.current()), (vec![1, 3], 3));
        assert!(!dir.path().join("keys").exists(), "no files when the environment holds the keys");
        assert!(DataKeys::load_or_create(dir.path(), Some("00112233445566778899aabbccddeeff"), None).is_err(), "index key required");
        assert!(DataKeys::load_or_create(dir.path(), Some("0011"), Some(&index)).is_err(), "short key");
    }
}
