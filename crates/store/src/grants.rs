//! Reveal grants (issue 12): which roles of a supervising organisation may see the full
//! personal data of an organisation's applicants (table `reveal_grants`, migration 0018).

use chrono::{DateTime, Utc};
use gongkai_domain::model::Role;
use serde::Serialize;

/// One grant: holders of `role` at `grantee_org_id` may reveal the applicants of `org_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevealGrant {
    pub org_id: i64,
    pub grantee_org_id: i64,
    pub role: Role,
    pub granted_by: i64,
    pub granted_at: DateTime<Utc>,
}
