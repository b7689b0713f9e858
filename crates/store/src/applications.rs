//! Storage of applications for disclosure (依申请公开), their steps, letters
//! and the reconsideration/litigation register.
//!
//! An application is stored as a header row (who applied, for what, through
//! which channel) plus an append-only list of lifecycle steps
//! (`gongkai_domain::application::Step`, serialised as JSON). The domain
//! rebuilds the case by replaying the steps, so the due date is always derived
//! from the events, never typed. The header keeps a cached `state` and
//! `handler_id` for listing.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{ApplicantKind, Channel, State, Step};
use serde::Serialize;

/// A new application, as submitted online or registered by staff.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub org_id: i64,
    /// 查询码: unique across the installation.
    pub tracking_code: String,
    /// SHA-256 hex of the tracking secret (the secret itself is never stored).
    pub secret_hash: String,
    pub applicant: ApplicantKind,
    /// Name, or the entity's name.
    pub applicant_name: String,
    /// `IdDocumentKind::as_str()`.
    pub id_doc_type: String,
    pub id_doc_number: String,
    pub phone: String,
    pub email: String,
    /// Only when delivery by post was chosen.
    pub postal_address: String,
    /// 所需信息的名称、文号或者便于查询的其他特征性描述.
    pub description: String,
    /// Forms wanted, comma-separated codes (paper, email, electronic, on_site).
    pub forms: String,
    /// How to obtain it: `DeliveryMethod` code (post, collection, email, online, fax).
    pub delivery: String,
    pub channel: Channel,
    /// The day the applicant submitted (or posted) it.
    pub submitted_on: NaiveDate,
    /// The Art. 31 receipt date.
    pub received: NaiveDate,
    /// The staff member who registered it; `None` for online submissions.
    pub registered_by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A stored application header.
#[derive(Debug, Clone, Serialize)]
pub struct StoredApplication {
    pub id: i64,
    pub org_id: i64,
    pub tracking_code: String,
    pub applicant: ApplicantKind,
    pub applicant_name: String,
    pub id_doc_type: String,
    pub id_doc_number: String,
    pub phone: String,
    pub email: String,
    pub postal_address: String,
    pub description: String,
    pub forms: String,
    pub delivery: String,
    pub channel: Channel,
    pub submitted_on: NaiveDate,
    pub received: NaiveDate,
    pub registered_by: Option<i64>,
    /// Cached from the last step (for listings).
    pub state: State,
    pub handler_id: Option<i64>,
    /// Number of steps recorded.
    pub steps: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when staff merged this application, a duplicate, into another one; a merged
    /// application is left out of lists and counts.
    pub merged_into: Option<i64>,
}

/// One recorded lifecycle step.
#[derive(Debug, Clone, Serialize)]
pub struct StoredStep {
    pub application_id: i64,
    /// 1-based position in the application's history.
    pub seq: i64,
    pub step: Step,
    /// The state after the step.
    pub state: State,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// What the annual report reads of one case: who applied, how and when it was received, and
/// its steps in order. No personal data.
#[derive(Debug, Clone)]
pub struct ReportCase {
    pub id: i64,
    pub org_id: i64,
    pub applicant: ApplicantKind,
    pub channel: Channel,
    pub received: NaiveDate,
    pub steps: Vec<Step>,
}

/// Filter for application listings; `org_ids` must not be empty.
#[derive(Debug, Clone, Default)]
pub struct ApplicationQuery {
    pub org_ids: Vec<i64>,
    /// Empty = any state.
    pub states: Vec<State>,
    pub handler_id: Option<i64>,
    /// Received in this calendar year.
    pub received_year: Option<i32>,
    pub limit: i64,
    pub offset: i64,
}

/// A letter issued (or being drafted) for an application. An issued letter is
/// frozen; a change makes a new version.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub id: i64,
    pub application_id: i64,
    /// e.g. `receipt`, `correction`, `extension`, `consultation`, `fee_notice`, `reply`.
    pub kind: String,
    /// The step the letter belongs to, if any.
    pub step_seq: Option<i64>,
    /// 1, 2, … per (application, kind, step_seq).
    pub version: i64,
    pub title: String,
    /// Sanitised HTML body.
    pub body_html: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub issued_by: Option<i64>,
    pub issued_at: Option<DateTime<Utc>>,
    /// 文书编号, allocated when the letter is issued.
    pub doc_number: Option<String>,
    /// The office head who signed the draft off (签发); cleared when the draft is edited.
    pub signed_off_by: Option<i64>,
    pub signed_off_at: Option<DateTime<Utc>>,
    /// A decision held on the draft, recorded on the case when the letter is issued
    /// (steps that need sign-off).
    pub pending_step: Option<Step>,
}

pub use gongkai_domain::appeal::{AppealKind, AppealResult};

/// A new entry of the reconsideration/litigation register.
#[derive(Debug, Clone)]
pub struct NewAppeal {
    pub org_id: i64,
    /// The application it arises from, if any (must belong to `org_id`).
    pub application_id: Option<i64>,
    pub kind: AppealKind,
    /// 复议机关 or 法院.
    pub body: String,
    pub filed_on: NaiveDate,
    pub result: AppealResult,
    pub decided_on: Option<NaiveDate>,
    pub note: String,
    pub created_by: i64,
    pub at: DateTime<Utc>,
}

/// A stored register entry.
#[derive(Debug, Clone, Serialize)]
pub struct Appeal {
    pub id: i64,
    pub org_id: i64,
    pub application_id: Option<i64>,
    pub kind: AppealKind,
    pub body: String,
    pub filed_on: NaiveDate,
    pub result: AppealResult,
    pub decided_on: Option<NaiveDate>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
