//! Operations that combine several storage calls and are shared by the
//! back office, the command line and the demo loader.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::catalog::default_catalog;
use gongkai_domain::index_number::IndexPattern;
use gongkai_domain::model::{Item, Organisation};
use gongkai_store::{NewItemEvent, NewOrganisation, Store};

use crate::error::AppError;

/// Create an organisation with its default catalog (township or county).
pub async fn provision_org(store: &Store, new: &NewOrganisation) -> Result<Organisation, AppError> {
    let org = store.create_org(new).await?;
    for (i, node) in default_catalog(org.level).iter().enumerate() {
        store.create_catalog_node(org.id, None, node.name, (i as i64 + 1) * 10, node.kind).await?;
    }
    Ok(org)
}

/// Publish an approved item: checks the organisation can number it, then
/// assigns the 索引号 and the 发布日期.
pub async fn publish(store: &Store, item: &Item, publish_date: NaiveDate, actor_id: i64, comment: &str, at: DateTime<Utc>) -> Result<Item, AppError> {
    let org = store.org(item.org_id).await?.ok_or(AppError::NotFound)?;
    let render = index_renderer(&org, publish_date)?;
    let event = NewItemEvent { actor_id, action: "publish".into(), comment: comment.into(), at };
    Ok(store.publish_item(item.id, publish_date, &render, &event).await?)
}

/// How the organisation numbers an item published on `publish_date` (its 索引号 rule), or
/// why it cannot: no organisation code yet, or a broken rule.
pub fn index_renderer(org: &Organisation, publish_date: NaiveDate) -> Result<impl Fn(u64) -> String + Send + Sync, AppError> {
    if org.org_code.trim().is_empty() {
        return Err(AppError::BadRequest("本机关尚未填写机构代码（统一社会信用代码或组织机构代码），无法生成索引号。请管理员先在“机关设置”中填写。".into()));
    }
    let pattern = IndexPattern::parse(&org.index_pattern)
        .map_err(|e| AppError::BadRequest(format!("本机关的索引号规则有误：{e}。请管理员在“机关设置”中修正。")))?;
    let code = org.org_code.clone();
    Ok(move |serial: u64| pattern.render(&code, publish_date, serial))
}

/// Art. 26 deadline of an item: 20 working days after its 成文日期.
pub fn publication_due(calendar: &Calendar, formed: NaiveDate) -> gongkai_domain::calendar::DueDate {
    calendar.add_working_days(formed, PUBLICATION_WORKING_DAYS)
}

/// Art. 26: publish within 20 working days of forming or change.
pub const PUBLICATION_WORKING_DAYS: u32 = 20;
