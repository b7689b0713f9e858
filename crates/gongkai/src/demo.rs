//! Loads the demo installation: the seed report's town, 清远市清城区源潭镇人民政府,
//! under the 清城区 district, with a second town and a district department,
//! one account per role, and items taken through the real workflow.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use gongkai_domain::index_number::DEFAULT_PATTERN;
use gongkai_domain::model::{DisclosureMode, DisclosureOffice, DocType, ItemFields, ItemStatus, OrgLevel, Organisation, Role, Validity};
use gongkai_store::{NewItemEvent, NewOrganisation, NewUser, Store};
use gongkai_web::{ops, AppError};

use crate::demo_data::{DemoItem, FEILAIXIA_ITEMS, MINZHENG_ITEMS, YUANTAN_2023, YUANTAN_DRAFTS, YUANTAN_LATER};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("演示数据有误（{what}）：{detail}")]
    Data { what: String, detail: String },
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Store(#[from] gongkai_store::StoreError),
    #[error("演示申请“{case}”的第{index}步（{step}）不合法：{source}")]
    Step { case: String, index: usize, step: &'static str, source: gongkai_domain::application::ApplicationError },
    #[error(transparent)]
    Letter(#[from] gongkai_letters::LetterError),
}

/// A demo account and its one-time password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub org: String,
    pub roles: String,
}

fn office(name: &str, address: &str, phone: &str, fax: &str, email: &str) -> DisclosureOffice {
    DisclosureOffice {
        name: name.into(),
        address: address.into(),
        hours: "工作日 上午8:30—12:00，下午14:30—17:30（法定节假日除外）".into(),
        phone: phone.into(),
        fax: fax.into(),
        email: email.into(),
        website: String::new(),
    }
}

fn org(slug: &str, name: &str, code: &str, level: OrgLevel, parent: Option<i64>, office: DisclosureOffice, description: &str) -> NewOrganisation {
    NewOrganisation {
        slug: slug.into(),
        name: name.into(),
        org_code: code.into(),
        level,
        parent_id: parent,
        office,
        index_pattern: DEFAULT_PATTERN.into(),
        description: description.into(),
    }
}

/// Date at a given hour in China Standard Time, as UTC.
fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let naive = date.and_hms_opt(hour, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&(naive - chrono::Duration::hours(8)))
}

fn parse_date(s: &str, what: &str) -> Result<NaiveDate, DemoError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DemoError::Data { what: what.into(), detail: format!("日期“{s}”：{e}") })
}

fn fields(item: &DemoItem, catalog_id: i64, publisher: &str) -> Result<ItemFields, DemoError> {
    let paragraphs: Vec<String> = item.body.iter().map(|p| (*p).to_string()).collect();
    Ok(ItemFields {
        catalog_id,
        title: item.title.into(),
        summary: item.summary.into(),
        body_html: gongkai_web::sanitise_body(&paragraphs.join("\n\n")),
        publisher: publisher.into(),
        formed_date: parse_date(item.formed, item.title)?,
        doc_number: (!item.doc_number.is_empty()).then(|| item.doc_number.to_string()),
        topic: item.topic.into(),
        genre: item.genre.into(),
        keywords: item.keywords.into(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::parse(item.doc_type).ok_or_else(|| DemoError::Data { what: item.title.into(), detail: format!("文件类型“{}”", item.doc_type) })?,
        statutory_category: (!item.statutory.is_empty()).then(|| item.statutory.to_string()),
    })
}

struct Team {
    editor: i64,
    reviewer: i64,
}

/// Create, submit, approve and publish one item on its historical dates.
async fn publish_item(store: &Store, org: &Organisation, team: &Team, item: &DemoItem) -> Result<i64, DemoError> {
    let catalog = store.catalog(org.id).await?;
    let node = catalog.iter().find(|n| n.name == item.category).ok_or_else(|| DemoError::Data { what: item.title.into(), detail: format!("栏目“{}”不存在", item.category) })?;
    let f = fields(item, node.id, &org.name)?;
    let formed = f.formed_date;
    let ev = |actor_id: i64, action: &str, when: DateTime<Utc>| NewItemEvent { actor_id, action: action.into(), comment: String::new(), at: when };
    let created = store.create_item(org.id, team.editor, &f, &ev(team.editor, "create", at(formed, 9))).await?;
    if item.published.is_empty() {
        return Ok(created.id);
    }
    let published = parse_date(item.published, item.title)?;
    store.transition_item(created.id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(team.editor, "submit", at(formed, 10))).await?;
    let approved = store
        .transition_item(created.id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev(team.reviewer, "approve", at(published, 9)))
        .await?;
    ops::publish(store, &approved, published, team.reviewer, "", at(published, 10)).await?;
    Ok(created.id)
}

async fn account(store: &Store, out: &mut Vec<DemoAccount>, org: &Organisation, username: &str, name: &str, roles: &[Role]) -> Result<i64, DemoError> {
    let password = gongkai_web::random_password();
    let hash = gongkai_web::hash_password(&password)?;
    let user = store
        .create_user(&NewUser { username: username.into(), display_name: name.into(), org_id: org.id, roles: roles.to_vec() }, &hash, Utc::now())
        .await?;
    out.push(DemoAccount {
        username: username.into(),
        password,
        org: org.name.clone(),
        roles: roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
    });
    Ok(user.id)
}

/// Load the demo into an empty store; returns the accounts created.
pub async fn load(store: &Store) -> Result<Vec<DemoAccount>, DemoError> {
    let district = ops::provision_org(
        store,
        &org(
            "qingcheng",
            "清远市清城区人民政府",
            "11441802007183268M",
            OrgLevel::CountyGovernment,
            None,
            office("清城区人民政府办公室（政务公开办）", "清远市清城区（演示地址）", "0763-0000001", "0763-0000002", "xxgk@qingcheng.example.cn"),
            "演示数据：区人民政府，下辖各镇（街道）和区直部门的政府信息公开专栏。",
        ),
    )
    .await?;
    let yuantan = ops::provision_org(
        store,
        &org(
            "yuantan",
            "清远市清城区源潭镇人民政府",
            "11441802007183516B",
            OrgLevel::Township,
            Some(district.id),
            office("源潭镇党政综合办公室", "清远市清城区源潭镇（演示地址）", "0763-0000101", "0763-0000102", "ytzxxgk@qingcheng.example.cn"),
            "演示数据：贯彻执行上级决策部署，负责本镇经济社会发展、乡村振兴、社会事务和公共服务等工作。",
        ),
    )
    .await?;
    let feilaixia = ops::provision_org(
        store,
        &org(
            "feilaixia",
            "清远市清城区飞来峡镇人民政府",
            "11441802007183698F",
            OrgLevel::Township,
            Some(district.id),
            office("飞来峡镇党政综合办公室", "清远市清城区飞来峡镇（演示地址）", "0763-0000201", "0763-0000202", "flxxxgk@qingcheng.example.cn"),
            "演示数据：第二个镇，用于展示多机关并存。",
        ),
    )
    .await?;
    let minzheng = ops::provision_org(
        store,
        &org(
            "minzheng",
            "清远市清城区民政局",
            "114418020071840254",
            OrgLevel::CountyDepartment,
            Some(district.id),
            office("清城区民政局办公室", "清远市清城区（演示地址）", "0763-0000301", "0763-0000302", "mzjxxgk@qingcheng.example.cn"),
            "演示数据：区直部门，负责社会救助、养老服务、社会事务等工作。",
        ),
    )
    .await?;

    let mut accounts = Vec::new();
    account(store, &mut accounts, &district, "qc_admin", "区政务公开管理员", &[Role::Admin]).await?;
    account(store, &mut accounts, &yuantan, "yt_admin", "源潭镇管理员", &[Role::Admin]).await?;
    // 三员分立: the security and audit administrators beside the system administrator.
    account(store, &mut accounts, &district, "qc_secadmin", "区安全管理员", &[Role::SecurityAdmin]).await?;
    account(store, &mut accounts, &district, "qc_auditor", "区审计管理员", &[Role::AuditAdmin]).await?;
    account(store, &mut accounts, &yuantan, "yt_secadmin", "源潭镇安全管理员", &[Role::SecurityAdmin]).await?;
    let yt = Team {
        editor: account(store, &mut accounts, &yuantan, "yt_editor", "源潭镇信息员", &[Role::Editor]).await?,
        reviewer: account(store, &mut accounts, &yuantan, "yt_reviewer", "源潭镇审核人", &[Role::Reviewer]).await?,
    };
    let flx = Team {
        editor: account(store, &mut accounts, &feilaixia, "flx_editor", "飞来峡镇信息员", &[Role::Editor]).await?,
        reviewer: account(store, &mut accounts, &feilaixia, "flx_reviewer", "飞来峡镇审核人", &[Role::Reviewer]).await?,
    };
    let mz = Team {
        editor: account(store, &mut accounts, &minzheng, "mz_editor", "民政局信息员", &[Role::Editor]).await?,
        reviewer: account(store, &mut accounts, &minzheng, "mz_reviewer", "民政局审核人", &[Role::Reviewer]).await?,
    };

    // Applications for disclosure and the appeals register, 2024–2026 (before the items, so
    // that each annual report below is written from its year's complete records).
    let yt_head = account(store, &mut accounts, &yuantan, "yt_head", "源潭镇公开办负责人", &[Role::Reviewer, Role::OfficeHead]).await?;
    crate::demo_applications::load_applications(store, &yuantan, &minzheng, yt.editor, yt_head, mz.editor).await?;

    // Publish in date order so that 索引号 serials follow publication order; the town's
    // annual reports are written and published on their dates in between.
    let mut queue: Vec<(&Organisation, &Team, &DemoItem)> = Vec::new();
    queue.extend(YUANTAN_2023.iter().chain(YUANTAN_LATER).map(|i| (&yuantan, &yt, i)));
    queue.extend(FEILAIXIA_ITEMS.iter().map(|i| (&feilaixia, &flx, i)));
    queue.extend(MINZHENG_ITEMS.iter().map(|i| (&minzheng, &mz, i)));
    queue.sort_by_key(|(_, _, i)| (i.published, i.formed));
    let mut repealed = None;
    let mut repeal_by = None;
    let calendar = gongkai_domain::calendar::Calendar::official();
    let mut reports = crate::demo_reports::YUANTAN_REPORTS.iter().peekable();
    for (org, team, item) in queue {
        while let Some(r) = reports.next_if(|r| r.published < item.published) {
            crate::demo_reports::publish(store, &calendar, &yuantan, yt.editor, yt.reviewer, r).await?;
        }
        let id = publish_item(store, org, team, item).await?;
        match item.doc_number {
            "清城民规〔2023〕1号" => repealed = Some(id),
            "清城民规〔2024〕1号" => repeal_by = Some(item),
            _ => {}
        }
    }
    for r in reports {
        crate::demo_reports::publish(store, &calendar, &yuantan, yt.editor, yt.reviewer, r).await?;
    }
    if let (Some(id), Some(by)) = (repealed, repeal_by) {
        store
            .set_item_validity(
                id,
                Validity::Repealed,
                Some(parse_date("2025-01-01", "废止日期")?),
                &format!("已被《{}》（{}）废止", by.title, by.doc_number),
                &NewItemEvent { actor_id: mz.reviewer, action: "validity".into(), comment: "已废止".into(), at: at(parse_date("2025-01-02", "废止")?, 9) },
            )
            .await?;
    }

    // Work in progress in the town's back office: drafts in several states.
    for (n, item) in YUANTAN_DRAFTS.iter().enumerate() {
        let id = publish_item(store, &yuantan, &yt, item).await?;
        let formed = parse_date(item.formed, item.title)?;
        let ev = |actor_id: i64, action: &str, comment: &str| NewItemEvent { actor_id, action: action.into(), comment: comment.into(), at: at(formed, 11) };
        match n % 4 {
            1 => {
                store.transition_item(id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(yt.editor, "submit", "")).await?;
            }
            2 => {
                store.transition_item(id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(yt.editor, "submit", "")).await?;
                store.transition_item(id, ItemStatus::Submitted, ItemStatus::Approved, None, &ev(yt.reviewer, "approve", "")).await?;
            }
            3 => {
                store.transition_item(id, ItemStatus::Draft, ItemStatus::Submitted, None, &ev(yt.editor, "submit", "")).await?;
                store
                    .transition_item(id, ItemStatus::Submitted, ItemStatus::Returned, None, &ev(yt.reviewer, "return", "请补充资金来源和实施时间"))
                    .await?;
            }
            _ => {}
        }
    }
    crate::demo_channels::load_channels(store, &yuantan, yt.editor, yt.reviewer).await?;
    crate::demo_site::load(store, &yuantan, yt.editor, yt.reviewer).await?;
    Ok(accounts)
}
