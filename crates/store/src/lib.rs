//! gongkai-store: one storage interface over SQLite (the embedded default)
//! and PostgreSQL (large deployments), each with its own migrations.
//!
//! Queries are written once in portable SQL and run through sqlx's `Any`
//! driver; dates are stored as ISO `TEXT`, timestamps as RFC 3339 UTC `TEXT`,
//! flags as integers, so that both backends behave identically. The store
//! never reads the clock: callers pass timestamps, which keeps it testable.
//!
//! Notes for callers:
//! - Timestamps are stored with nanosecond precision and come back exactly as
//!   given; instants outside the years 0000–9999 are clamped.
//! - `Conflict { field, .. }` names the field by its machine name (see
//!   [`StoreError::Conflict`]); show `message` (or the error's `Display`) to users.
//! - Every multi-statement write is one transaction; the store never holds a
//!   connection between calls, so `sqlite::memory:` (one connection) is safe.
//! - `limit <= 0` in listings means "no limit".
//! - [`test_support`] gives other crates' tests fresh SQLite/PostgreSQL databases.

use chrono::{DateTime, Utc};
use gongkai_domain::model::{DisclosureOffice, ItemStatus, OrgLevel, Role};
use serde::{Deserialize, Serialize};

pub mod applications;
pub mod audit_keys;
pub mod blobs;
pub mod data_keys;
pub mod import;
pub mod channels;
pub mod grants;
pub mod office;
pub mod privacy;
pub(crate) mod imp;
pub mod search;
pub mod test_support;
pub mod writing;

pub use imp::ops::{DurabilitySetting, PoolStatus};
pub mod outbox;
pub use outbox::{NewMessage, NotificationPrefs, OutboxMessage};

/// `prev_hash` of the first audit-log entry.
pub const AUDIT_GENESIS_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Storage errors. `Conflict` and `NotFound` carry Chinese messages fit for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("不支持的数据库地址：{0}（支持 sqlite: 与 postgres:）")]
    UnsupportedUrl(String),
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// A uniqueness or state conflict. `field` is the machine name of the field
    /// involved (`slug`, `org_code`, `username`, `name`, `parent_id`, `catalog`,
    /// `doc_number`, `index_no`, `status`, `token_hash`), matching form field
    /// names; `message` is the Chinese text for users, naming the field.
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// Stored data could not be read back (corrupt or from a newer version).
    #[error("数据损坏：{0}")]
    Corrupt(String),
    /// The database is configured with weaker durability than required.
    #[error("数据库持久性设置不足：{0}")]
    Durability(String),
    /// A sealed personal field could not be opened (or written without keys).
    #[error("个人信息加密：{0}")]
    Crypto(#[from] data_keys::CipherError),
    /// The object store holding attachment bytes failed.
    #[error("{0}")]
    Blob(#[from] blobs::BlobError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub slug: String,
    pub name: String,
    pub org_code: String,
    pub level: OrgLevel,
    pub parent_id: Option<i64>,
    pub office: DisclosureOffice,
    pub index_pattern: String,
    pub description: String,
}

/// The fields of a published item that the annual report counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedItemFacts {
    pub org_id: i64,
    pub catalog_id: i64,
    pub doc_type: gongkai_domain::model::DocType,
    pub formed_date: chrono::NaiveDate,
    pub publish_date: chrono::NaiveDate,
    pub validity: gongkai_domain::model::Validity,
    pub validity_date: Option<chrono::NaiveDate>,
}

/// A new staff account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub roles: Vec<Role>,
}

/// Password hash and lock-out state of an account.
#[derive(Debug, Clone)]
pub struct UserAuth {
    pub password_hash: String,
    pub failed_logins: i64,
    pub first_failed_at: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Where a user's password stands: when it was last set and whether an administrator
/// issued it (so it must be replaced at the next sign-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordStatus {
    pub changed_at: DateTime<Utc>,
    pub must_change: bool,
}

/// A server-side session; the token itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What to record with a workflow step.
#[derive(Debug, Clone)]
pub struct NewItemEvent {
    pub actor_id: i64,
    pub action: String,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// Ordering of item listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ItemOrder {
    /// 发布日期 descending, then id descending (portal).
    #[default]
    PublishDateDesc,
    /// Last change descending (back office).
    UpdatedDesc,
    /// 成文日期 ascending (deadline lists).
    FormedDateAsc,
}

/// A filter for item listings. Empty vectors mean "no restriction" except
/// `org_ids`, which must not be empty (every listing is scoped).
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    pub org_ids: Vec<i64>,
    pub catalog_ids: Vec<i64>,
    pub statuses: Vec<ItemStatus>,
    /// Restrict to items published in this calendar year.
    pub publish_year: Option<i32>,
    pub author_id: Option<i64>,
    pub statutory_category: Option<String>,
    pub order: ItemOrder,
    pub limit: i64,
    pub offset: i64,
    /// Leave `Page::total` at 0 instead of counting every match: a list of the newest few
    /// across a province's millions of items needs no count.
    pub skip_total: bool,
}

/// One page of results plus the total count.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// How many of one person's recent applications the duplicate check looks at: far
/// more than anyone submits in a day within the per-address limit.
pub const RECENT_APPLICATIONS_LIMIT: i64 = 200;

/// An application as the duplicate rule sees it (`gongkai_domain::duplicates`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentApplication {
    pub id: i64,
    pub org_id: i64,
    pub applicant_name: String,
    pub id_doc_number: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// An audit-log entry to append.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    /// e.g. `login`, `login_failed`, `item.publish`, `user.create`.
    pub action: String,
    /// e.g. `item:42`.
    pub target: String,
    pub detail: String,
    pub client: String,
    pub success: bool,
}

/// A stored audit-log entry, part of an SM3 hash chain.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub client: String,
    pub success: bool,
    pub prev_hash: String,
    pub hash: String,
    /// Keyed chain MAC (HMAC-SM3); empty for entries written without the key.
    pub mac: String,
    pub role: String,
    pub user_agent: String,
    pub request_id: String,
}

/// A calendar year added by an administrator (JSON in the same shape as
/// `cn_holidays.json`'s per-year entries).
#[derive(Debug, Clone)]
pub struct StoredCalendarYear {
    pub year: i32,
    pub json: String,
    pub added_by: i64,
    pub added_at: DateTime<Utc>,
}

pub use applications::{Appeal, AppealKind, AppealResult, ApplicationQuery, Letter, NewAppeal, NewApplication, ReportCase, StoredApplication, StoredStep};
pub use channels::{BoardPosting, ChannelSettings, Consultation, ConsultationQuery, KeyWork, NewBoardPosting, NewConsultation, NewReceivedAttachment, NewReceivedItem, NewReceivedPackage, NewSubmission, ReceivedItem, ReceivedPackage, Submission};
pub use imp::site_version::SiteVersion;
pub use imp::Store;
pub use imp::sealed::{ColumnKeyUse, DataKeyStatus, Reencrypted};
pub use imp::mfa::{LoginChallenge, MfaState};
pub use imp::audit::{audit_mac, AuditContext, AuditVerification};
pub use privacy::{NewPrivacyAck, PrivacyAck};
pub use imp::past_reports::{NewPastReport, PastReport};
pub use imp::reports::{StoredFigure, StoredReport};
pub use search::{ClickStat, DayStat, QueryStat, SearchChange, SearchStats};
