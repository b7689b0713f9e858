//! Review opinions of items (保密审查, 公开属性审查) recorded on approval, at one
//! level or at three (初审 → 复审 → 终审) as the organisation chooses in 签发设置.
//! The rules are `gongkai_domain::workflow::approval_review`.

use chrono::Utc;
use gongkai_domain::model::Item;
use gongkai_domain::workflow::approval_review;
use gongkai_store::office::NewItemReview;
use minijinja::{context, Value};

use crate::auth::Staff;
use crate::error::AppError;
use crate::util::today;
use crate::AppState;

/// What an approval did.
pub(crate) enum Approval {
    /// Opinions missing or the reviewer may not take this level; nothing recorded.
    Refused(String),
    /// A level below the last was recorded; the item waits for the next reviewer.
    NextLevel(String),
    /// The last level was recorded; the item may become 审核通过.
    Complete,
}

/// Record the reviewer's opinions at the item's next review level. Called after the
/// workflow allowed the approval; refusals are audited.
pub(crate) async fn record_approval(state: &AppState, staff: &Staff, item: &Item, secrecy: &str, disclosure: &str) -> Result<Approval, AppError> {
    let settings = state.store.office_settings(item.org_id).await?;
    let done: Vec<_> = state.store.item_reviews(item.id).await?.into_iter().filter(|r| !r.superseded).map(|r| (r.level, r.reviewer_id)).collect();
    let (level, opinions, complete) = match approval_review(settings.review_levels, &done, &staff.user, secrecy, disclosure) {
        Ok(x) => x,
        Err(e) => {
            staff.audit(state, "item.review", &format!("item:{}", item.id), &e.to_string(), false).await?;
            return Ok(Approval::Refused(e.to_string()));
        }
    };
    let detail = format!("{}：保密审查“{}”；公开属性审查“{}”", level.label(), opinions.secrecy, opinions.disclosure);
    staff
        .audited(state, "item.review", &format!("item:{}", item.id), &detail)
        .add_item_review(&NewItemReview {
            item_id: item.id,
            level,
            secrecy_opinion: opinions.secrecy.clone(),
            disclosure_opinion: opinions.disclosure.clone(),
            reviewer_id: staff.user.id,
            reviewer_name: staff.user.display_name.clone(),
            reviewed_on: today(),
            at: Utc::now(),
        })
        .await?;
    Ok(if complete { Approval::Complete } else { Approval::NextLevel(format!("已记录{}意见，等待下一级审核", level.label())) })
}

/// The review record for the item page.
pub(crate) async fn reviews_ctx(state: &AppState, item: &Item) -> Result<Vec<Value>, AppError> {
    Ok(state
        .store
        .item_reviews(item.id)
        .await?
        .iter()
        .map(|r| {
            context! {
                level => r.level.label(), secrecy => r.secrecy_opinion, disclosure => r.disclosure_opinion,
                reviewer => r.reviewer_name, date => r.reviewed_on.to_string(), superseded => r.superseded,
            }
        })
        .collect())
}
