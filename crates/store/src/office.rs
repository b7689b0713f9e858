//! Storage for the back office (issue 15): per-organisation settings (which steps
//! need sign-off, review levels, 文书编号 pattern), letters held for sign-off and
//! issued with an atomically allocated number, item review opinions, duplicate
//! applications and the 查询码 of online consultations.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{State, Step};
use gongkai_domain::signoff::{DocNumberPattern, ReviewLevel, SignoffPolicy};
use serde::Serialize;

/// Per-organisation back-office settings (defaults when none are stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeSettings {
    pub org_id: i64,
    pub signoff: SignoffPolicy,
    /// 1 (审核) or 3 (初审/复审/终审).
    pub review_levels: u8,
    pub doc_number_pattern: DocNumberPattern,
}

impl OfficeSettings {
    pub fn defaults(org_id: i64) -> OfficeSettings {
        OfficeSettings { org_id, signoff: SignoffPolicy::default(), review_levels: 1, doc_number_pattern: DocNumberPattern::default() }
    }
}

/// The step a letter records when it is issued, checked by the domain beforehand.
#[derive(Debug, Clone)]
pub struct HeldStep {
    /// The number of steps the caller saw (the step gets `expected_seq + 1`).
    pub expected_seq: i64,
    pub step: Step,
    pub state_after: State,
    pub handler_id: Option<i64>,
    pub note: String,
}

/// How to issue a letter.
#[derive(Debug, Clone)]
pub struct IssueLetter {
    pub letter_id: i64,
    pub issued_by: i64,
    pub at: DateTime<Utc>,
    /// Refuse unless the draft is signed off (checked in the same statement).
    pub require_signoff: bool,
    /// Allocate a 文书编号 for this organisation and year with this pattern.
    pub org_id: i64,
    pub year: i32,
    pub pattern: DocNumberPattern,
    /// The step held on the draft, recorded in the same transaction.
    pub step: Option<HeldStep>,
}

/// A review of an item at one level with the two opinions.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReview {
    pub id: i64,
    pub item_id: i64,
    pub level: ReviewLevel,
    pub secrecy_opinion: String,
    pub disclosure_opinion: String,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub reviewed_on: NaiveDate,
    /// Recorded for an earlier submission (the item was returned since).
    pub superseded: bool,
    pub at: DateTime<Utc>,
}

/// A new review record.
#[derive(Debug, Clone)]
pub struct NewItemReview {
    pub item_id: i64,
    pub level: ReviewLevel,
    pub secrecy_opinion: String,
    pub disclosure_opinion: String,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub reviewed_on: NaiveDate,
    pub at: DateTime<Utc>,
}

/// A letter waiting for sign-off, with its application's 查询码.
#[derive(Debug, Clone, Serialize)]
pub struct LetterAwaiting {
    pub letter_id: i64,
    pub application_id: i64,
    pub org_id: i64,
    pub tracking_code: String,
    pub kind: String,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub signed_off: bool,
}
