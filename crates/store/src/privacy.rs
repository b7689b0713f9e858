//! Storage types of the personal-data guard: reviewers' acknowledgements of
//! findings that may be published.

use chrono::{DateTime, Utc};

/// A stored acknowledgement (the value itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyAck {
    pub id: i64,
    pub org_id: i64,
    /// Where the finding is: `item:12`, `consultation:3`, `report:5`.
    pub subject: String,
    /// [`gongkai_domain::privacy::FindingKind::as_str`].
    pub kind: String,
    /// Keyed hash of the normalised value (see the web layer's privacy gate).
    pub value_hash: String,
    /// The value masked, for the list of acknowledgements.
    pub masked: String,
    pub reason: String,
    pub user_id: i64,
    pub at: DateTime<Utc>,
}

/// A new acknowledgement.
#[derive(Debug, Clone)]
pub struct NewPrivacyAck {
    pub org_id: i64,
    pub subject: String,
    pub kind: String,
    pub value_hash: String,
    pub masked: String,
    pub reason: String,
    pub user_id: i64,
    pub at: DateTime<Utc>,
}
