//! Demo site identity and a policy interpretation (portal conventions,
//! issue 16): the settings come from `demo_site.tsv`; 源潭镇's 2026 flood
//! plan gets its 政策解读, linked both ways.

use chrono::{NaiveDate, Utc};
use gongkai_domain::model::{DisclosureMode, DocType, ItemFields, ItemStatus, Organisation};
use gongkai_store::{ItemQuery, NewItemEvent, Store};

use crate::demo::DemoError;

const SETTINGS: &str = include_str!("demo_site.tsv");

/// Parse the settings file: `key<TAB>value` lines, `#` comments.
pub fn settings() -> Result<Vec<(&'static str, &'static str)>, DemoError> {
    SETTINGS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').ok_or_else(|| DemoError::Data { what: "演示网站设置".into(), detail: format!("“{l}”缺少制表符") }))
        .collect()
}

const POLICY_TITLE: &str = "源潭镇人民政府关于印发《源潭镇2026年防汛防风工作方案》的通知";
const INTERPRETATION_TITLE: &str = "《源潭镇2026年防汛防风工作方案》政策解读";
const INTERPRETATION_BODY: &str = "<p>一、制定背景。我镇地处北江沿岸，汛期长、台风影响频繁。为落实属地防汛防风责任，镇政府制定了《源潭镇2026年防汛防风工作方案》。</p>\
<p>二、主要内容。方案明确镇、村两级防汛责任人，划定山洪、内涝和危房等重点防御区域，规定预警发布后的人员转移程序和安置点。</p>\
<p>三、群众需要知道的事。收到暴雨、台风预警后，请留意村（居）委会通知，按指引前往就近安置点；发现险情请拨打镇应急值班电话。</p>";

pub async fn load(store: &Store, org: &Organisation, editor: i64, reviewer: i64) -> Result<(), DemoError> {
    store.set_site_settings(&settings()?, Utc::now()).await?;
    let items = store.list_items(&ItemQuery { org_ids: vec![org.id], statuses: vec![ItemStatus::Published], limit: 10_000, ..Default::default() }).await?.items;
    let Some(policy) = items.iter().find(|i| i.fields.title == POLICY_TITLE) else {
        return Err(DemoError::Data { what: "演示政策解读".into(), detail: format!("没有找到《{POLICY_TITLE}》") });
    };
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DemoError::Data { what: "演示政策解读日期".into(), detail: e.to_string() });
    let fields = ItemFields {
        catalog_id: policy.fields.catalog_id,
        title: INTERPRETATION_TITLE.into(),
        summary: "解读《源潭镇2026年防汛防风工作方案》的制定背景、主要内容和群众需要知道的事项。".into(),
        body_html: INTERPRETATION_BODY.into(),
        publisher: org.name.clone(),
        formed_date: day("2026-04-09")?,
        doc_number: None,
        topic: "城乡建设、环境保护".into(),
        genre: "解读".into(),
        keywords: "防汛防风，政策解读".into(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    };
    let ev = |actor: i64, a: &str| NewItemEvent { actor_id: actor, action: a.into(), comment: String::new(), at: Utc::now() };
    let item = store.create_item(org.id, editor, &fields, &ev(editor, "create")).await?;
    store.transition_item(item.id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(editor, "submit")).await?;
    let approved = store.transition_item(item.id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev(reviewer, "approve")).await?;
    gongkai_web::ops::publish(store, &approved, day("2026-04-10")?, reviewer, "", Utc::now()).await?;
    store.add_interpretation(policy.id, item.id, Utc::now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn settings_file_parses_and_is_valid() {
        let s = super::settings().expect("settings");
        assert!(s.iter().any(|(k, _)| *k == "id_code"));
        for (k, v) in s {
            assert!(gongkai_web::site_setting_valid(k, v), "{k}={v}");
        }
    }
}
