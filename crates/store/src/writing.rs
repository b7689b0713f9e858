//! Types for the writing-items, audit-reading and Art. 44 storage (issue 15, items 6, 7 and 9).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Which audit entries to read. Every filter is optional; `org_ids` is the reader's scope
/// (entries of other organisations are never returned; entries with no organisation, such
/// as failed logins of unknown accounts, are).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The organisations whose entries the reader may see.
    pub org_ids: Vec<i64>,
    /// One organisation within the scope.
    pub org_id: Option<i64>,
    /// Part of the actor's name (case-sensitive substring).
    pub actor: Option<String>,
    /// The action code or its prefix up to a dot (e.g. `item.` or `item.publish`).
    pub action: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Only failed (`Some(false)`) or successful (`Some(true)`) attempts.
    pub success: Option<bool>,
    /// `limit <= 0` means all.
    pub limit: i64,
    pub offset: i64,
}

/// An audit entry as read for display and export (the columns every version of the log has).
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
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
    pub hash: String,
}

/// The kinds of vocabulary an organisation can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabularyKind {
    /// 主题分类
    Topic,
    /// 体裁分类
    Genre,
}

impl VocabularyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VocabularyKind::Topic => "topic",
            VocabularyKind::Genre => "genre",
        }
    }
}

/// What staff did with an Art. 44 suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Art44Outcome {
    /// A draft item was created to publish the information proactively.
    Drafted,
    /// Judged not suitable for proactive disclosure.
    Dismissed,
}

impl Art44Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Art44Outcome::Drafted => "drafted",
            Art44Outcome::Dismissed => "dismissed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "drafted" => Some(Art44Outcome::Drafted),
            "dismissed" => Some(Art44Outcome::Dismissed),
            _ => None,
        }
    }
}

/// A recorded decision on an Art. 44 suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Art44Decision {
    pub id: i64,
    pub org_id: i64,
    pub outcome: Art44Outcome,
    pub item_id: Option<i64>,
    pub reason: String,
    pub decided_by: i64,
    pub decided_at: DateTime<Utc>,
    /// The applications the suggestion grouped, ascending.
    pub application_ids: Vec<i64>,
}
