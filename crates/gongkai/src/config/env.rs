//! Configuration from `GONGKAI_*` environment variables (one per configuration key).

use std::path::PathBuf;

use super::{ConfigError, Partial, KEYS};

/// Environment variables with the prefix that are not configuration keys.
/// (`GONGKAI_AUDIT_KEY`, `GONGKAI_DATA_KEY` and `GONGKAI_DATA_INDEX_KEY` are secrets read by
/// the key loaders, never stored in the
/// configuration; the others steer tests and tools, and `GONGKAI_TEST_*` are skipped too.)
const NON_CONFIG_ENV: &[&str] = &[
    "GONGKAI_CONFIG",
    "GONGKAI_AUDIT_KEY",
    "GONGKAI_DATA_KEY",
    "GONGKAI_DATA_INDEX_KEY",
    "GONGKAI_BROWSER_NODE_MODULES",
    "GONGKAI_BROWSER_TOOLS",
    "GONGKAI_CHECKER_PDF_TIMEOUT_SECS",
    "GONGKAI_SCHEMATHESIS_EXAMPLES",
    "GONGKAI_SCHEMATHESIS_SEED",
    "GONGKAI_JIEBA_DICT",
];

pub(super) fn from_env(env: &[(String, String)]) -> Result<Partial, ConfigError> {
    let mut p = Partial::default();
    for (name, value) in env {
        let Some(key) = name.strip_prefix("GONGKAI_") else { continue };
        if NON_CONFIG_ENV.contains(&name.as_str()) || key.starts_with("TEST_") {
            continue;
        }
        let key = key.to_ascii_lowercase();
        let bad = |expected| ConfigError::BadEnv { name: name.clone(), value: value.clone(), expected };
        let int = |v: &str| v.trim().parse::<i64>().map_err(|_| bad("应为整数"));
        let uint = |v: &str| v.trim().parse::<usize>().map_err(|_| bad("应为非负整数"));
        let flag = |v: &str| match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(bad("应为 true 或 false")),
        };
        match key.as_str() {
            "listen" => p.listen = Some(value.clone()),
            "data_dir" => p.data_dir = Some(PathBuf::from(value)),
            "database_url" => p.database_url = Some(value.clone()),
            "site_name" => p.site_name = Some(value.clone()),
            "bootstrap_org_name" => p.bootstrap_org_name = Some(value.clone()),
            "log" => p.log = Some(value.clone()),
            "search_index_dir" => p.search_index_dir = Some(PathBuf::from(value)),
            "log_format" => p.log_format = Some(value.clone()),
            "metrics_listen" => p.metrics_listen = Some(value.clone()),
            "backup_dir" => p.backup_dir = Some(PathBuf::from(value)),
            "tls_cert" => p.tls_cert = Some(PathBuf::from(value)),
            "tls_key" => p.tls_key = Some(PathBuf::from(value)),
            "http_redirect_listen" => p.http_redirect_listen = Some(value.clone()),
            "outbound_ca_file" => p.outbound_ca_file = Some(PathBuf::from(value)),
            "backup_every_hours" => p.backup_every_hours = Some(uint(value)? as u64),
            "backup_keep" => p.backup_keep = Some(uint(value)?),
            "smtp_host" => p.smtp_host = Some(value.clone()),
            "smtp_port" => p.smtp_port = Some(value.trim().parse().map_err(|_| bad("应为 1—65535 的端口号"))?),
            "smtp_security" => p.smtp_security = Some(value.clone()),
            "smtp_username" => p.smtp_username = Some(value.clone()),
            "smtp_password" => p.smtp_password = Some(value.clone()),
            "mail_from" => p.mail_from = Some(value.clone()),
            "digest_hour" => p.digest_hour = Some(value.trim().parse().map_err(|_| bad("应为 0—23 的整点"))?),
            "public_url" => p.public_url = Some(value.clone()),
            "trusted_proxies" => p.trusted_proxies = Some(value.clone()),
            "header_read_timeout_secs" => p.header_read_timeout_secs = Some(uint(value)? as u64),
            "max_connections" => p.max_connections = Some(uint(value)?),
            "submissions_per_hour_all" => p.submissions_per_hour_all = Some(int(value)?),
            "outbound_hosts" => p.outbound_hosts = Some(value.clone()),
            "clamav" => p.clamav = Some(value.clone()),
            "mfa_required_roles" => p.mfa_required_roles = Some(value.clone()),
            "single_person_mode" => p.single_person_mode = Some(flag(value)?),
            "max_upload_mb" => p.max_upload_mb = Some(uint(value)?),
            "page_cache_mb" => p.page_cache_mb = Some(uint(value)?),
            "attachment_store" => p.attachment_store = Some(value.clone()),
            "s3_endpoint" => p.s3_endpoint = Some(value.clone()),
            "s3_bucket" => p.s3_bucket = Some(value.clone()),
            "s3_region" => p.s3_region = Some(value.clone()),
            "s3_access_key_id" => p.s3_access_key_id = Some(value.clone()),
            "s3_secret_access_key" => p.s3_secret_access_key = Some(value.clone()),
            "s3_path_style" => p.s3_path_style = Some(flag(value)?),
            "password_min_length" => p.password_min_length = Some(uint(value)?),
            "password_classes" => p.password_classes = Some(uint(value)?),
            "password_max_age_days" => p.password_max_age_days = Some(uint(value)?),
            "password_history" => p.password_history = Some(uint(value)?),
            "session_idle_minutes" => p.session_idle_minutes = Some(int(value)?),
            "session_max_hours" => p.session_max_hours = Some(int(value)?),
            "lockout_threshold" => p.lockout_threshold = Some(int(value)?),
            "lockout_window_minutes" => p.lockout_window_minutes = Some(int(value)?),
            "lockout_minutes" => p.lockout_minutes = Some(int(value)?),
            "reminder_working_days" => p.reminder_working_days = Some(int(value)?),
            "apply_submissions_per_hour" => p.apply_submissions_per_hour = Some(int(value)?),
            "secure_cookies" => p.secure_cookies = Some(flag(value)?),
            _ => {
                let known: Vec<String> = KEYS.iter().map(|k| format!("GONGKAI_{}", k.to_ascii_uppercase())).collect();
                return Err(ConfigError::UnknownEnv { name: name.clone(), known: known.join("、") });
            }
        }
    }
    Ok(p)
}
