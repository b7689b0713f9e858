//! Storage types of the channels that reach people outside the portal:
//! online consultation (网上咨询), the LED screen's key-work lines, the notice
//! board (公开栏) register, and submission packages sent to and received from
//! other installations (报送).

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::consultation::{ConsultSettings, ConsultState};
use serde::Serialize;

/// Per-organisation channel settings; defaults when never saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSettings {
    pub org_id: i64,
    pub consult: ConsultSettings,
    /// Characters per LED line (8–200).
    pub led_line_chars: i64,
    /// `slow`, `normal` or `fast`.
    pub led_speed: String,
    /// Names of the notice boards (公开栏).
    pub boards: Vec<String>,
    /// Import endpoint of the upper-level installation.
    pub submit_url: String,
    /// Token the upper-level installation issued to this organisation.
    pub submit_token: String,
    /// Send each item up when it is published.
    pub submit_on_publish: bool,
    /// SHA-256 hex of the token lower-level installations present when
    /// sending packages to this organisation; empty = import by staff only.
    pub import_token_hash: String,
}

impl ChannelSettings {
    pub fn defaults(org_id: i64) -> ChannelSettings {
        ChannelSettings {
            org_id,
            consult: ConsultSettings::default(),
            led_line_chars: 24,
            led_speed: "normal".into(),
            boards: Vec::new(),
            submit_url: String::new(),
            submit_token: String::new(),
            submit_on_publish: false,
            import_token_hash: String::new(),
        }
    }
}

/// A new question, already validated.
#[derive(Debug, Clone)]
pub struct NewConsultation {
    pub org_id: i64,
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub question: String,
    pub private: bool,
    pub received: NaiveDate,
    pub due: NaiveDate,
    pub at: DateTime<Utc>,
}

/// A stored consultation.
#[derive(Debug, Clone, Serialize)]
pub struct Consultation {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub question: String,
    pub private: bool,
    pub state: ConsultState,
    pub received: NaiveDate,
    pub due: NaiveDate,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub answer: String,
    pub answer_dept: String,
    pub answered_on: Option<NaiveDate>,
    pub answered_by: Option<i64>,
    pub published: bool,
    pub application_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filter for consultation listings; `org_ids` must not be empty.
#[derive(Debug, Clone, Default)]
pub struct ConsultationQuery {
    pub org_ids: Vec<i64>,
    /// Only published Q&A (never private ones), newest answer first.
    pub published_only: bool,
    /// Only those still waiting for a reply.
    pub open_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One line of current key work (重点工作).
#[derive(Debug, Clone, Serialize)]
pub struct KeyWork {
    pub id: i64,
    pub org_id: i64,
    pub line: String,
    pub sort_order: i64,
}

/// An entry of the notice-board register.
#[derive(Debug, Clone)]
pub struct NewBoardPosting {
    pub org_id: i64,
    pub board: String,
    pub item_id: i64,
    pub posted_on: NaiveDate,
    /// `A4` or `A3`.
    pub paper: String,
    pub posted_by: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardPosting {
    pub id: i64,
    pub org_id: i64,
    pub board: String,
    pub item_id: i64,
    pub item_title: String,
    pub index_no: Option<String>,
    pub posted_on: NaiveDate,
    pub paper: String,
    pub posted_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A submission package produced for the upper-level portal.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub org_id: i64,
    pub package_id: String,
    pub item_ids: Vec<i64>,
    pub sha256: String,
    pub size: i64,
    pub target: String,
    /// `publish`, `batch` or `cli`.
    pub cause: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    pub id: i64,
    pub org_id: i64,
    pub package_id: String,
    pub item_ids: Vec<i64>,
    pub sha256: String,
    pub size: i64,
    pub target: String,
    /// `produced`, `accepted`, `rejected` or `failed`.
    pub status: String,
    pub response: String,
    pub cause: String,
    pub created_at: DateTime<Utc>,
}

/// An attachment of a received item.
#[derive(Debug, Clone)]
pub struct NewReceivedAttachment {
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// An item received in a package.
#[derive(Debug, Clone)]
pub struct NewReceivedItem {
    pub index_no: String,
    pub title: String,
    pub publish_date: NaiveDate,
    pub url: String,
    pub item_json: String,
    pub attachments: Vec<NewReceivedAttachment>,
}

/// A package to record on the receiving side.
#[derive(Debug, Clone)]
pub struct NewReceivedPackage {
    pub org_id: i64,
    pub package_id: String,
    pub source_name: String,
    pub source_code: String,
    pub sha256: String,
    pub items: Vec<NewReceivedItem>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReceivedItem {
    pub id: i64,
    pub org_id: i64,
    pub package_id: String,
    pub source_name: String,
    pub source_code: String,
    pub index_no: String,
    pub title: String,
    pub publish_date: NaiveDate,
    pub url: String,
    pub item_json: String,
    pub attachments: i64,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReceivedPackage {
    pub package_id: String,
    pub org_id: i64,
    pub source_name: String,
    pub source_code: String,
    pub item_count: i64,
    pub sha256: String,
    pub received_at: DateTime<Utc>,
}
