//! Where attachment bytes live: in the database with their metadata (the
//! embedded default: one file or one database to back up), or in an
//! S3-compatible object store (what every Chinese cloud object store and MinIO
//! speak), for districts and provinces whose files run to terabytes.
//!
//! Objects are content-addressed — the key is `sha256/<hex digest>` — so the same
//! file attached to several items is stored once, and an upload can be repeated
//! safely. Requests are signed with AWS Signature V4 by `rusty-s3` (a sans-I/O
//! signer) and sent with the workspace's HTTP client, so no second HTTP or TLS
//! stack is pulled in.

use std::time::Duration;

use rusty_s3::{Bucket, BucketError, Credentials, S3Action, UrlStyle};

/// How long a signed request stays valid.
const SIGNED_FOR: Duration = Duration::from_secs(300);

/// Where an attachment's bytes are kept (the `location` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobLocation {
    Database,
    ObjectStore,
}

impl BlobLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            BlobLocation::Database => "db",
            BlobLocation::ObjectStore => "s3",
        }
    }

    pub fn parse(s: &str) -> Option<BlobLocation> {
        match s {
            "db" => Some(BlobLocation::Database),
            "s3" => Some(BlobLocation::ObjectStore),
            _ => None,
        }
    }
}

/// Settings of an S3-compatible object store.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// e.g. `https://oss-cn-guangzhou.aliyuncs.com` or `http://127.0.0.1:9000`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Address the bucket as a path (`endpoint/bucket/key`, MinIO and most
    /// private deployments) rather than as a host name (`bucket.endpoint/key`).
    pub path_style: bool,
}

/// Errors of the object store, in Chinese for operators.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("对象存储配置有误：{0}")]
    Config(String),
    #[error("无法连接对象存储：{0}")]
    Transport(String),
    #[error("对象存储返回错误（HTTP {status}）：{what}")]
    Status { status: u16, what: String },
}

/// An S3-compatible object store.
#[derive(Clone)]
pub struct ObjectStore {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl std::fmt::Debug for ObjectStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the credentials.
        f.debug_struct("ObjectStore").field("bucket", &self.bucket.name()).field("endpoint", &self.bucket.base_url().as_str()).finish()
    }
}

fn key_of(sha256: &str) -> String {
    format!("sha256/{sha256}")
}

impl ObjectStore {
    pub fn new(config: &S3Config) -> Result<ObjectStore, BlobError> {
        let endpoint = config.endpoint.parse().map_err(|e| BlobError::Config(format!("地址“{}”无效：{e}", config.endpoint)))?;
        let style = if config.path_style { UrlStyle::Path } else { UrlStyle::VirtualHost };
        let bucket = Bucket::new(endpoint, style, config.bucket.clone(), config.region.clone()).map_err(|e: BucketError| BlobError::Config(e.to_string()))?;
        if config.access_key_id.is_empty() || config.secret_access_key.is_empty() {
            return Err(BlobError::Config("缺少访问密钥（access key id / secret access key）".into()));
        }
        let credentials = Credentials::new(config.access_key_id.clone(), config.secret_access_key.clone());
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|e| BlobError::Transport(e.to_string()))?;
        Ok(ObjectStore { bucket, credentials, http })
    }

    fn check(res: reqwest::Response, what: &str) -> Result<reqwest::Response, BlobError> {
        if res.status().is_success() {
            Ok(res)
        } else {
            Err(BlobError::Status { status: res.status().as_u16(), what: what.to_owned() })
        }
    }

    /// Create the bucket (for tests and first set-up; an existing bucket is fine).
    pub async fn create_bucket(&self) -> Result<(), BlobError> {
        let url = self.bucket.create_bucket(&self.credentials).sign(SIGNED_FOR);
        let res = self.http.put(url).header("content-length", "0").body(Vec::<u8>::new()).send().await.map_err(|e| BlobError::Transport(e.to_string()))?;
        if res.status().is_success() || res.status().as_u16() == 409 {
            Ok(())
        } else {
            Err(BlobError::Status { status: res.status().as_u16(), what: "创建存储桶".into() })
        }
    }

    /// Whether the object of this digest is stored.
    pub async fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        let key = key_of(sha256);
        let url = self.bucket.head_object(Some(&self.credentials), &key).sign(SIGNED_FOR);
        let res = self.http.head(url).send().await.map_err(|e| BlobError::Transport(e.to_string()))?;
        match res.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            s => Err(BlobError::Status { status: s, what: format!("查询对象 {key}") }),
        }
    }

    /// Store the bytes under their digest (skipped when already there).
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> Result<(), BlobError> {
        if self.exists(sha256).await? {
            return Ok(());
        }
        let key = key_of(sha256);
        let url = self.bucket.put_object(Some(&self.credentials), &key).sign(SIGNED_FOR);
        let res = self.http.put(url).body(bytes.to_vec()).send().await.map_err(|e| BlobError::Transport(e.to_string()))?;
        Self::check(res, &format!("写入对象 {key}"))?;
        Ok(())
    }

    /// The whole object, or `None` if it is missing.
    pub async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
        self.fetch(sha256, None).await
    }

    /// Bytes `start..=end` of the object, or `None` if it is missing.
    pub async fn get_range(&self, sha256: &str, start: u64, end: u64) -> Result<Option<Vec<u8>>, BlobError> {
        self.fetch(sha256, Some((start, end))).await
    }

    async fn fetch(&self, sha256: &str, range: Option<(u64, u64)>) -> Result<Option<Vec<u8>>, BlobError> {
        let key = key_of(sha256);
        let url = self.bucket.get_object(Some(&self.credentials), &key).sign(SIGNED_FOR);
        let mut req = self.http.get(url);
        if let Some((start, end)) = range {
            req = req.header("range", format!("bytes={start}-{end}"));
        }
        let res = req.send().await.map_err(|e| BlobError::Transport(e.to_string()))?;
        if res.status().as_u16() == 404 {
            return Ok(None);
        }
        let res = Self::check(res, &format!("读取对象 {key}"))?;
        let bytes = res.bytes().await.map_err(|e| BlobError::Transport(e.to_string()))?;
        Ok(Some(bytes.to_vec()))
    }
}
