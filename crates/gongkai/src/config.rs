//! Configuration: defaults, then a TOML file, then `GONGKAI_*` environment
//! variables, then command-line flags. An unknown key anywhere is an error
//! that names it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Errors in the configuration, reported in Chinese with the key named.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("配置文件 {path} 有误：{message}")]
    Parse { path: PathBuf, message: String },
    #[error("未知的环境变量 {name}（可用的配置项：{known}）")]
    UnknownEnv { name: String, known: String },
    #[error("环境变量 {name} 的值“{value}”无效：{expected}")]
    BadEnv { name: String, value: String, expected: &'static str },
    #[error("配置项 {key} 的值无效：{message}")]
    Invalid { key: &'static str, message: String },
}

/// Keys accepted in the file and as `GONGKAI_<KEY>` variables.
mod env;
use env::from_env;

pub const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "site_name",
    "max_upload_mb",
    "session_idle_minutes",
    "session_max_hours",
    "lockout_threshold",
    "lockout_window_minutes",
    "lockout_minutes",
    "secure_cookies",
    "bootstrap_org_name",
    "password_min_length",
    "password_classes",
    "password_max_age_days",
    "password_history",
    "reminder_working_days",
    "apply_submissions_per_hour",
    "log",
    "search_index_dir",
    "page_cache_mb",
    "attachment_store",
    "s3_endpoint",
    "s3_bucket",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_path_style",
    // Operations (issue 14).
    "log_format",
    "metrics_listen",
    "backup_dir",
    "tls_cert",
    "tls_key",
    "http_redirect_listen",
    "outbound_ca_file",
    "backup_every_hours",
    "backup_keep",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "mail_from",
    "digest_hour",
    // Security (issue 12).
    "public_url",
    "trusted_proxies",
    "header_read_timeout_secs",
    "max_connections",
    "submissions_per_hour_all",
    "outbound_hosts",
    "clamav",
    "mfa_required_roles",
    "single_person_mode",
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Partial {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    site_name: Option<String>,
    max_upload_mb: Option<usize>,
    session_idle_minutes: Option<i64>,
    session_max_hours: Option<i64>,
    lockout_threshold: Option<i64>,
    lockout_window_minutes: Option<i64>,
    lockout_minutes: Option<i64>,
    secure_cookies: Option<bool>,
    bootstrap_org_name: Option<String>,
    password_min_length: Option<usize>,
    password_classes: Option<usize>,
    password_max_age_days: Option<usize>,
    password_history: Option<usize>,
    reminder_working_days: Option<i64>,
    apply_submissions_per_hour: Option<i64>,
    log: Option<String>,
    search_index_dir: Option<PathBuf>,
    page_cache_mb: Option<usize>,
    attachment_store: Option<String>,
    s3_endpoint: Option<String>,
    s3_bucket: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<String>,
    s3_path_style: Option<bool>,
    log_format: Option<String>,
    metrics_listen: Option<String>,
    backup_dir: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    http_redirect_listen: Option<String>,
    outbound_ca_file: Option<PathBuf>,
    backup_every_hours: Option<u64>,
    backup_keep: Option<usize>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_security: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    mail_from: Option<String>,
    digest_hour: Option<u32>,
    public_url: Option<String>,
    trusted_proxies: Option<String>,
    header_read_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    submissions_per_hour_all: Option<i64>,
    outbound_hosts: Option<String>,
    clamav: Option<String>,
    mfa_required_roles: Option<String>,
    single_person_mode: Option<bool>,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    /// `None` = the default SQLite file under `data_dir`.
    pub database_url: Option<String>,
    pub site_name: String,
    pub max_upload_mb: usize,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    pub lockout_threshold: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    pub secure_cookies: bool,
    pub bootstrap_org_name: String,
    pub password_min_length: usize,
    pub password_classes: usize,
    /// Days after which a staff password must be changed (0: never).
    pub password_max_age_days: usize,
    /// How many recent passwords (the current one included) a new one may not repeat.
    pub password_history: usize,
    /// Due-soon lists show what falls due within this many working days.
    pub reminder_working_days: i64,
    /// Online applications accepted per client address per hour.
    pub apply_submissions_per_hour: i64,
    pub log: String,
    /// This node's search index (derived from the database; deleting it makes
    /// the next start rebuild it). `None` = `search-index` under `data_dir`.
    pub search_index_dir: Option<PathBuf>,
    /// Memory for the rendered-page cache of each server process, in MiB (0 = off).
    pub page_cache_mb: usize,
    /// Where new attachments' bytes go: `database` (default) or `s3`.
    pub attachment_store: String,
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    /// Best given as `GONGKAI_S3_SECRET_ACCESS_KEY` rather than in the file.
    pub s3_secret_access_key: String,
    pub s3_path_style: bool,
    /// `text` (default) or `json`: one JSON object per log line.
    pub log_format: String,
    /// Separate address for Prometheus `/metrics` (`None`: not served).
    pub metrics_listen: Option<String>,
    /// Where backups go. `None` = `backups` under `data_dir`.
    pub backup_dir: Option<PathBuf>,
    /// PEM certificate chain and private key: when both are set, `listen`
    /// serves HTTPS (reloaded when the files change).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Plain-HTTP address that redirects every request to HTTPS.
    pub http_redirect_listen: Option<String>,
    /// Extra CA certificates (PEM) trusted when sending to `https://` receivers.
    pub outbound_ca_file: Option<PathBuf>,
    /// `gongkai serve` backs up when the newest backup is this old (0: never).
    pub backup_every_hours: u64,
    /// Scheduled backups keep this many newest archives.
    pub backup_keep: usize,
    /// SMTP server for e-mail notifications (`None`: no e-mail).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (default), `tls` or `none` (a relay on this host only).
    pub smtp_security: String,
    pub smtp_username: String,
    pub smtp_password: String,
    /// Sender of notifications, e.g. `政务公开 <gk@example.gov.cn>`.
    pub mail_from: String,
    /// Hour (China Standard Time) after which the daily digest goes out.
    pub digest_hour: u32,
    /// The portal's public address (e.g. `https://gk.example.gov.cn`), used for every
    /// absolute URL; empty: taken from the request. An `https` address turns on
    /// `secure_cookies`.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDR
    /// ranges, comma-separated).
    pub trusted_proxies: String,
    /// A client must send a whole request head within this many seconds (slow or idle
    /// connections are closed).
    pub header_read_timeout_secs: u64,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// Online applications and consultations accepted per hour from all addresses
    /// together (0: no overall cap).
    pub submissions_per_hour_all: i64,
    /// Hosts that submission packages may be sent to although they resolve to loopback or
    /// private addresses (names or IPs, comma-separated); others must be public.
    pub outbound_hosts: String,
    /// ClamAV daemon every upload is scanned by: its socket path or `host:port`; empty: off.
    pub clamav: String,
    /// Roles that must use two-step sign-in (comma-separated codes, e.g. `admin,reviewer`;
    /// empty: none). `None`: the default, the three administrators — except for `serve --demo`.
    pub mfa_required_roles: Option<String>,
    /// 三员分立: when false (the default) no account may hold two of the three
    /// administrator roles and `serve` refuses to start if one does; true for an
    /// organisation with a single person to hold them all (a warning is logged and shown).
    pub single_person_mode: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("gongkai-data"),
            database_url: None,
            site_name: "政府信息公开平台".into(),
            max_upload_mb: 20,
            session_idle_minutes: 15,
            session_max_hours: 8,
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 30,
            secure_cookies: false,
            bootstrap_org_name: "本级人民政府".into(),
            password_min_length: 10,
            password_classes: 3,
            password_max_age_days: 90,
            password_history: 5,
            reminder_working_days: 5,
            apply_submissions_per_hour: 10,
            log: "info".into(),
            search_index_dir: None,
            page_cache_mb: 64,
            attachment_store: "database".into(),
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_path_style: true,
            log_format: "text".into(),
            metrics_listen: None,
            backup_dir: None,
            tls_cert: None,
            tls_key: None,
            http_redirect_listen: None,
            outbound_ca_file: None,
            backup_every_hours: 24,
            backup_keep: 14,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            mail_from: String::new(),
            digest_hour: 8,
            public_url: String::new(),
            trusted_proxies: String::new(),
            header_read_timeout_secs: 15,
            max_connections: 2048,
            submissions_per_hour_all: 600,
            outbound_hosts: String::new(),
            clamav: String::new(),
            mfa_required_roles: None,
            single_person_mode: false,
        }
    }
}

/// Flags that override the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Config {
    /// Load: defaults ← file (explicit path, or `GONGKAI_CONFIG`, or
    /// `./gongkai.toml` if present) ← environment ← flags.
    pub fn load(file: Option<&Path>, env: &[(String, String)], flags: &Overrides) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        let env_file = env.iter().find(|(k, _)| k == "GONGKAI_CONFIG").map(|(_, v)| PathBuf::from(v));
        let path = file.map(Path::to_path_buf).or(env_file).or_else(|| {
            let p = PathBuf::from("gongkai.toml");
            p.exists().then_some(p)
        });
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
            let partial: Partial = toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.clone(), message: explain_toml(&e) })?;
            cfg.apply(partial);
        }
        cfg.apply(from_env(env)?);
        if let Some(v) = &flags.listen {
            cfg.listen = v.clone();
        }
        if let Some(v) = &flags.data_dir {
            cfg.data_dir = v.clone();
        }
        if let Some(v) = &flags.database_url {
            cfg.database_url = Some(v.clone());
        }
        cfg.check()?;
        Ok(cfg)
    }

    fn apply(&mut self, p: Partial) {
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = p.$f { self.$f = v; } )* };
        }
        take!(listen, data_dir, site_name, max_upload_mb, session_idle_minutes, session_max_hours, lockout_threshold, lockout_window_minutes, lockout_minutes, secure_cookies, bootstrap_org_name, password_min_length, password_classes, password_max_age_days, password_history, reminder_working_days, apply_submissions_per_hour, log, page_cache_mb, attachment_store, s3_endpoint, s3_bucket, s3_region, s3_access_key_id, s3_secret_access_key, s3_path_style);
        if let Some(v) = p.database_url {
            self.database_url = Some(v);
        }
        if let Some(v) = p.search_index_dir {
            self.search_index_dir = Some(v);
        }
        if let Some(v) = p.backup_every_hours {
            self.backup_every_hours = v;
        }
        if let Some(v) = p.backup_keep {
            self.backup_keep = v;
        }
        if let Some(v) = p.smtp_host {
            self.smtp_host = Some(v);
        }
        if let Some(v) = p.smtp_port {
            self.smtp_port = v;
        }
        if let Some(v) = p.smtp_security {
            self.smtp_security = v;
        }
        if let Some(v) = p.smtp_username {
            self.smtp_username = v;
        }
        if let Some(v) = p.smtp_password {
            self.smtp_password = v;
        }
        if let Some(v) = p.mail_from {
            self.mail_from = v;
        }
        if let Some(v) = p.digest_hour {
            self.digest_hour = v;
        }
        if let Some(v) = p.public_url {
            self.public_url = v.trim().trim_end_matches('/').to_string();
            if self.public_url.starts_with("https://") {
                self.secure_cookies = true;
            }
        }
        if let Some(v) = p.trusted_proxies {
            self.trusted_proxies = v;
        }
        if let Some(v) = p.header_read_timeout_secs {
            self.header_read_timeout_secs = v;
        }
        if let Some(v) = p.max_connections {
            self.max_connections = v;
        }
        if let Some(v) = p.submissions_per_hour_all {
            self.submissions_per_hour_all = v;
        }
        if let Some(v) = p.outbound_hosts {
            self.outbound_hosts = v;
        }
        if let Some(v) = p.clamav {
            self.clamav = v;
        }
        if let Some(v) = p.mfa_required_roles {
            self.mfa_required_roles = Some(v);
        }
        if let Some(v) = p.single_person_mode {
            self.single_person_mode = v;
        }
        if let Some(v) = p.log_format {
            self.log_format = v;
        }
        macro_rules! take_opt {
            ($($f:ident),*) => { $( if let Some(v) = p.$f { self.$f = Some(v); } )* };
        }
        take_opt!(metrics_listen, backup_dir, tls_cert, tls_key, http_redirect_listen, outbound_ca_file);
    }

    fn check(&self) -> Result<(), ConfigError> {
        let range = |key: &'static str, v: i64, lo: i64, hi: i64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(ConfigError::Invalid { key, message: format!("{v} 不在允许范围 {lo}—{hi} 内") })
            }
        };
        range("max_upload_mb", self.max_upload_mb as i64, 1, 512)?;
        range("session_idle_minutes", self.session_idle_minutes, 1, 24 * 60)?;
        range("session_max_hours", self.session_max_hours, 1, 24 * 7)?;
        range("lockout_threshold", self.lockout_threshold, 3, 20)?;
        range("lockout_window_minutes", self.lockout_window_minutes, 1, 24 * 60)?;
        range("lockout_minutes", self.lockout_minutes, 1, 24 * 60)?;
        range("password_min_length", self.password_min_length as i64, 8, 64)?;
        range("password_classes", self.password_classes as i64, 1, 4)?;
        range("password_max_age_days", self.password_max_age_days as i64, 0, 3650)?;
        range("password_history", self.password_history as i64, 0, 10)?;
        range("reminder_working_days", self.reminder_working_days, 1, 20)?;
        range("apply_submissions_per_hour", self.apply_submissions_per_hour, 1, 1_000_000)?;
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid { key: "listen", message: format!("“{}”不是有效的监听地址，例如 127.0.0.1:8080", self.listen) });
        }
        if let Some(url) = &self.database_url {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ConfigError::Invalid { key: "database_url", message: format!("“{url}”不受支持，应以 sqlite: 或 postgres:// 开头") });
            }
        }
        self.check_ops()?;
        if self.site_name.trim().is_empty() {
            return Err(ConfigError::Invalid { key: "site_name", message: "不能为空".into() });
        }
        match self.attachment_store.as_str() {
            "database" => {}
            "s3" => {
                for (key, v) in [("s3_endpoint", &self.s3_endpoint), ("s3_bucket", &self.s3_bucket), ("s3_access_key_id", &self.s3_access_key_id), ("s3_secret_access_key", &self.s3_secret_access_key)] {
                    if v.trim().is_empty() {
                        return Err(ConfigError::Invalid { key, message: "附件存放在对象存储（attachment_store = \"s3\"）时必须设置".into() });
                    }
                }
            }
            other => return Err(ConfigError::Invalid { key: "attachment_store", message: format!("“{other}”无效，应为 database 或 s3") }),
        }
        Ok(())
    }

    /// The object store's settings, when one is configured (`s3_*` keys set),
    /// whether or not new attachments go there: `gongkai attachments move` needs
    /// it in both directions.
    pub fn object_store(&self) -> Option<gongkai_store::blobs::S3Config> {
        (!self.s3_endpoint.trim().is_empty() && !self.s3_bucket.trim().is_empty()).then(|| gongkai_store::blobs::S3Config {
            endpoint: self.s3_endpoint.trim().to_owned(),
            bucket: self.s3_bucket.trim().to_owned(),
            region: self.s3_region.trim().to_owned(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.clone(),
            path_style: self.s3_path_style,
        })
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite:{}", self.data_dir.join("gongkai.db").display()),
        }
    }

    /// The search index directory in effect.
    pub fn search_index_dir(&self) -> PathBuf {
        self.search_index_dir.clone().unwrap_or_else(|| self.data_dir.join("search-index"))
    }

    /// Settings for the web layer.
    pub fn web(&self) -> gongkai_web::WebConfig {
        gongkai_web::WebConfig {
            site_name: self.site_name.clone(),
            max_upload_bytes: self.max_upload_mb * 1024 * 1024,
            session_idle_minutes: self.session_idle_minutes,
            session_max_hours: self.session_max_hours,
            lockout_threshold: self.lockout_threshold,
            lockout_window_minutes: self.lockout_window_minutes,
            lockout_minutes: self.lockout_minutes,
            secure_cookies: self.secure_cookies,
            password_policy: gongkai_domain::validate::PasswordPolicy {
                min_len: self.password_min_length,
                max_len: 128,
                require_classes: self.password_classes,
                max_age_days: u32::try_from(self.password_max_age_days).unwrap_or(u32::MAX),
                history: self.password_history,
            },
            reminder_working_days: self.reminder_working_days,
            apply_submissions_per_hour: u32::try_from(self.apply_submissions_per_hour).unwrap_or(u32::MAX),
            search_index_dir: Some(self.search_index_dir()),
            page_cache_mb: self.page_cache_mb,
            public_url: self.public_url.clone(),
            trusted_proxies: gongkai_web::client_ip::TrustedProxies::parse(&self.trusted_proxies).unwrap_or_default(),
            submissions_per_hour_all: u32::try_from(self.submissions_per_hour_all.max(0)).unwrap_or(u32::MAX),
            mfa_required_roles: self.mfa_roles().unwrap_or_default(),
            clamav: gongkai_web::malware_scan::Scanner::parse(&self.clamav).unwrap_or_default(),
            single_person_mode: self.single_person_mode,
            ..Default::default()
        }
    }
}

impl Config {
    /// Checks of the operations keys (issue 14).
    fn check_ops(&self) -> Result<(), ConfigError> {
        if !(self.public_url.is_empty() || self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid { key: "public_url", message: format!("“{}”应以 http:// 或 https:// 开头，例如 https://gk.example.gov.cn", self.public_url) });
        }
        if let Err(message) = self.mfa_roles() {
            return Err(ConfigError::Invalid { key: "mfa_required_roles", message });
        }
        if let Err(message) = gongkai_web::malware_scan::Scanner::parse(&self.clamav) {
            return Err(ConfigError::Invalid { key: "clamav", message });
        }
        if let Err(e) = gongkai_web::client_ip::TrustedProxies::parse(&self.trusted_proxies) {
            return Err(ConfigError::Invalid { key: "trusted_proxies", message: e });
        }
        if self.header_read_timeout_secs == 0 || self.max_connections == 0 {
            return Err(ConfigError::Invalid { key: if self.max_connections == 0 { "max_connections" } else { "header_read_timeout_secs" }, message: "应大于 0".into() });
        }
        if gongkai_web::notify::Security::parse(&self.smtp_security).is_none() {
            return Err(ConfigError::Invalid { key: "smtp_security", message: format!("“{}”无效，应为 starttls、tls 或 none", self.smtp_security) });
        }
        if self.digest_hour > 23 {
            return Err(ConfigError::Invalid { key: "digest_hour", message: format!("{} 不在允许范围 0—23 内", self.digest_hour) });
        }
        if self.smtp_host.is_some() && self.mail_from.trim().is_empty() {
            return Err(ConfigError::Invalid { key: "mail_from", message: "设置了 smtp_host 时必须填写发件人，例如 \"政务公开 <gk@example.gov.cn>\"".into() });
        }
        if self.backup_every_hours > 24 * 31 {
            return Err(ConfigError::Invalid { key: "backup_every_hours", message: format!("{} 不在允许范围 0—744 内（0 表示不定时备份）", self.backup_every_hours) });
        }
        if !(1..=1000).contains(&self.backup_keep) {
            return Err(ConfigError::Invalid { key: "backup_keep", message: format!("{} 不在允许范围 1—1000 内", self.backup_keep) });
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError::Invalid { key: "log_format", message: format!("“{}”无效，应为 text 或 json", self.log_format) });
        }
        for (key, addr) in [("metrics_listen", &self.metrics_listen), ("http_redirect_listen", &self.http_redirect_listen)] {
            if let Some(a) = addr {
                if a.parse::<std::net::SocketAddr>().is_err() {
                    return Err(ConfigError::Invalid { key, message: format!("“{a}”不是有效的监听地址，例如 127.0.0.1:9090") });
                }
            }
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => return Err(ConfigError::Invalid { key: "tls_key", message: "已设置 tls_cert（证书），还须设置 tls_key（私钥）".into() }),
            (None, Some(_)) => return Err(ConfigError::Invalid { key: "tls_cert", message: "已设置 tls_key（私钥），还须设置 tls_cert（证书）".into() }),
            _ => {}
        }
        if self.http_redirect_listen.is_some() && self.tls_cert.is_none() {
            return Err(ConfigError::Invalid { key: "http_redirect_listen", message: "只有在设置了 tls_cert 和 tls_key、本服务直接提供 HTTPS 时才能使用".into() });
        }
        Ok(())
    }

    /// The backup directory in effect.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup_dir.clone().unwrap_or_else(|| self.data_dir.join("backups"))
    }

    /// E-mail settings, when an SMTP server is configured.
    /// The roles that must use two-step sign-in (default: the three administrators).
    pub fn mfa_roles(&self) -> Result<Vec<gongkai_domain::model::Role>, String> {
        let text = self.mfa_required_roles.as_deref().unwrap_or("admin,security_admin,audit_admin");
        let mut roles = Vec::new();
        for code in text.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()) {
            let role = gongkai_domain::model::Role::parse(code)
                .ok_or_else(|| format!("角色“{code}”不存在，可用：{}", crate::separation::role_codes()))?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        Ok(roles)
    }

    /// Apply the outbound settings to this process: extra certificate authorities and the
    /// hosts allowed on non-public addresses.
    pub fn configure_outbound(&self) -> Result<(), String> {
        gongkai_web::outbound::set_allowed_hosts(&self.outbound_hosts);
        if let Some(path) = &self.outbound_ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("无法读取 outbound_ca_file {}：{e}", path.display()))?;
            gongkai_web::outbound::set_extra_roots(&pem, &path.display().to_string()).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    pub fn mail(&self) -> Option<gongkai_web::notify::MailSettings> {
        let host = self.smtp_host.clone()?;
        Some(gongkai_web::notify::MailSettings {
            host,
            port: self.smtp_port,
            security: gongkai_web::notify::Security::parse(&self.smtp_security).unwrap_or(gongkai_web::notify::Security::StartTls),
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            from: self.mail_from.clone(),
            extra_ca_pem: self.outbound_ca_file.as_ref().and_then(|p| std::fs::read(p).ok()),
            retry_base: std::time::Duration::from_secs(60),
            max_attempts: 8,
            digest_hour: self.digest_hour,
        })
    }

    /// Whether this process serves HTTPS itself.
    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }
}

fn explain_toml(e: &toml::de::Error) -> String {
    let msg = e.message();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return format!("未知的配置项 {name}（可用的配置项：{}）", KEYS.join("、"));
    }
    msg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn secrets_and_tool_variables_are_not_configuration() {
        let e = env(&[("GONGKAI_AUDIT_KEY", "00"), ("GONGKAI_DATA_KEY", "1:00"), ("GONGKAI_DATA_INDEX_KEY", "00"), ("GONGKAI_BROWSER_NODE_MODULES", "/x"), ("GONGKAI_TEST_DATABASE_URL", "postgres://x")]);
        assert!(Config::load(None, &e, &Overrides::default()).is_ok());
        let e = env(&[("GONGKAI_LISTN", "1")]);
        assert!(Config::load(None, &e, &Overrides::default()).is_err(), "a misspelt key is still refused");
    }

    #[test]
    fn precedence_file_env_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("g.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nsite_name = \"文件\"\nmax_upload_mb = 5\n").expect("write");
        let cfg = Config::load(Some(&file), &env(&[("GONGKAI_SITE_NAME", "环境"), ("GONGKAI_LISTEN", "127.0.0.1:9001")]), &Overrides { listen: Some("127.0.0.1:9002".into()), ..Default::default() }).expect("load");
        assert_eq!(cfg.listen, "127.0.0.1:9002");
        assert_eq!(cfg.site_name, "环境");
        assert_eq!(cfg.max_upload_mb, 5);
        assert!(cfg.database_url().starts_with("sqlite:"));
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("g.toml");
        std::fs::write(&file, "lissten = \"x\"\n").expect("write");
        let err = Config::load(Some(&file), &[], &Overrides::default()).expect_err("unknown key");
        assert!(err.to_string().contains("lissten"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_LISTN", "x")]), &Overrides::default()).expect_err("unknown env");
        assert!(err.to_string().contains("GONGKAI_LISTN"), "{err}");
        // Test-harness variables are not configuration.
        assert!(Config::load(None, &env(&[("GONGKAI_TEST_DATABASE_URL", "x")]), &Overrides::default()).is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::load(None, &env(&[("GONGKAI_MAX_UPLOAD_MB", "lots")]), &Overrides::default()).expect_err("bad");
        assert!(err.to_string().contains("GONGKAI_MAX_UPLOAD_MB"));
        let err = Config::load(None, &[], &Overrides { database_url: Some("mysql://x".into()), ..Default::default() }).expect_err("bad url");
        assert!(err.to_string().contains("database_url"));
        let err = Config::load(None, &env(&[("GONGKAI_LOCKOUT_THRESHOLD", "1")]), &Overrides::default()).expect_err("range");
        assert!(err.to_string().contains("lockout_threshold"));
    }

    #[test]
    fn operations_keys_are_checked() {
        let err = Config::load(None, &env(&[("GONGKAI_TLS_CERT", "/x.pem")]), &Overrides::default()).expect_err("cert without key");
        assert!(err.to_string().contains("tls_key"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_HTTP_REDIRECT_LISTEN", "127.0.0.1:80")]), &Overrides::default()).expect_err("redirect without tls");
        assert!(err.to_string().contains("http_redirect_listen"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_LOG_FORMAT", "xml")]), &Overrides::default()).expect_err("log format");
        assert!(err.to_string().contains("log_format"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_METRICS_LISTEN", "nowhere")]), &Overrides::default()).expect_err("metrics address");
        assert!(err.to_string().contains("metrics_listen"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_SMTP_HOST", "smtp.example.cn")]), &Overrides::default()).expect_err("smtp without sender");
        assert!(err.to_string().contains("mail_from"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_SMTP_SECURITY", "ssl")]), &Overrides::default()).expect_err("smtp security");
        assert!(err.to_string().contains("smtp_security"), "{err}");
        let err = Config::load(None, &env(&[("GONGKAI_BACKUP_KEEP", "0")]), &Overrides::default()).expect_err("keep");
        assert!(err.to_string().contains("backup_keep"), "{err}");
        let cfg = Config::load(None, &env(&[("GONGKAI_SMTP_HOST", "smtp.example.cn"), ("GONGKAI_MAIL_FROM", "政务公开 <gk@example.cn>"), ("GONGKAI_DATA_DIR", "/srv/gk")]), &Overrides::default()).expect("ok");
        assert_eq!(cfg.mail().expect("mail").port, 587);
        assert_eq!(cfg.backup_dir(), std::path::PathBuf::from("/srv/gk/backups"));
        assert!(!cfg.tls_enabled());
    }
}
