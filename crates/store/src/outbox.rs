//! E-mail outbox and notification preferences (issue 14).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A message to queue.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub org_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// (file name, content type, bytes)
    pub attachment: Option<(String, String, Vec<u8>)>,
    /// Queue once only: a second message with the same key is ignored.
    pub dedup_key: Option<String>,
}

/// A queued message.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub org_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    #[serde(skip)]
    pub attachment: Option<Vec<u8>>,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A staff member's notification preferences (defaults: everything on, no address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationPrefs {
    pub user_id: i64,
    pub email: String,
    /// New applications and consultations of the organisation.
    pub new_cases: bool,
    /// The daily digest of cases due soon and overdue.
    pub digest: bool,
    /// Items waiting for review (in the digest).
    pub review: bool,
}

impl NotificationPrefs {
    pub fn defaults(user_id: i64) -> Self {
        NotificationPrefs { user_id, email: String::new(), new_cases: true, digest: true, review: true }
    }
}
