//! Storage for writing items, audit reading and Art. 44 (issue 15, items 6, 7 and 9):
//! vocabularies, attachment display titles, audit target names and Art. 44 decisions, on
//! both backends.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{ApplicantKind, Channel};
use gongkai_domain::model::{DisclosureMode, DocType, ItemFields, Role};
use gongkai_store::writing::{Art44Outcome, VocabularyKind};
use gongkai_store::{NewApplication, NewItemEvent, NewUser, Store, StoreError};

use gongkai_store::on_both_backends;

on_both_backends!(vocabularies_round_trip, attachment_titles, art44_decisions_are_exclusive, audit_target_names_resolve, settings_and_small_writes_carry_their_audit_entry);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test timestamp").with_timezone(&Utc)
}

struct Fixture {
    org: i64,
    user: i64,
    catalog: i64,
}

async fn fixture(store: &Store) -> Fixture {
    let org = gongkai_store::test_support::township(store, "town", "测试镇人民政府", "11441802007183516B").await;
    let user = store
        .create_user(&NewUser { username: "clerk".into(), display_name: "经办人甲".into(), org_id: org, roles: vec![Role::Editor] }, "$argon2id$hash", t("2024-01-01T00:00:00Z"))
        .await
        .expect("user")
        .id;
    let catalog = store.create_catalog_node(org, None, "通知公告", 1, gongkai_domain::model::CatalogKind::Normal).await.expect("catalog").id;
    Fixture { org, user, catalog }
}

async fn item(store: &Store, f: &Fixture, title: &str) -> i64 {
    let fields = ItemFields {
        catalog_id: f.catalog,
        title: title.into(),
        summary: String::new(),
        body_html: "<p>正文</p>".into(),
        publisher: "测试镇人民政府".into(),
        formed_date: NaiveDate::from_ymd_opt(2024, 3, 1).expect("date"),
        doc_number: None,
        topic: String::new(),
        genre: String::new(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    };
    let ev = NewItemEvent { actor_id: f.user, action: "create".into(), comment: String::new(), at: t("2024-03-01T00:00:00Z") };
    store.create_item(f.org, f.user, &fields, &ev).await.expect("item").id
}

async fn vocabularies_round_trip(store: &Store) {
    let f = fixture(store).await;
    assert_eq!(store.vocabulary(f.org, VocabularyKind::Topic).await.expect("read"), None, "no rows: the default list applies");
    let terms = vec!["乡村振兴".to_string(), "综合政务".to_string()];
    store.set_vocabulary(f.org, VocabularyKind::Topic, &terms).await.expect("save");
    assert_eq!(store.vocabulary(f.org, VocabularyKind::Topic).await.expect("read"), Some(terms.clone()));
    assert_eq!(store.vocabulary(f.org, VocabularyKind::Genre).await.expect("read"), None, "lists are separate");
    // Replacing keeps the new order only.
    store.set_vocabulary(f.org, VocabularyKind::Topic, &["综合政务".to_string()]).await.expect("save");
    assert_eq!(store.vocabulary(f.org, VocabularyKind::Topic).await.expect("read"), Some(vec!["综合政务".to_string()]));
    store.set_vocabulary(f.org, VocabularyKind::Topic, &[]).await.expect("reset");
    assert_eq!(store.vocabulary(f.org, VocabularyKind::Topic).await.expect("read"), None);
}

async fn attachment_titles(store: &Store) {
    let f = fixture(store).await;
    let id = item(store, &f, "公示").await;
    let a = store.add_titled_attachment(id, "scan.pdf", "公示名单（盖章件）", "application/pdf", b"%PDF-1.7", t("2024-03-01T00:00:00Z")).await.expect("add");
    let b = store.add_attachment(id, "b.pdf", "application/pdf", b"%PDF-1.7 b", t("2024-03-01T00:00:00Z")).await.expect("add");
    let listed = store.attachments(id).await.expect("list");
    assert_eq!(listed.iter().map(|x| x.display_title.as_str()).collect::<Vec<_>>(), vec!["公示名单（盖章件）", ""]);
    store.set_attachment_title(b.id, "第二份").await.expect("title");
    assert_eq!(store.attachment(b.id).await.expect("read").expect("exists").display_title, "第二份");
    assert!(matches!(store.set_attachment_title(a.id + 1000, "无").await, Err(StoreError::NotFound("附件"))));
}

fn application(org_id: i64, code: &str) -> NewApplication {
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
    NewApplication {
        org_id,
        tracking_code: code.into(),
        secret_hash: format!("hash-{code}"),
        applicant: ApplicantKind::NaturalPerson,
        applicant_name: "张三".into(),
        id_doc_type: "resident_id".into(),
        id_doc_number: "44180219900101123X".into(),
        phone: String::new(),
        email: String::new(),
        postal_address: String::new(),
        description: "补助名单".into(),
        forms: "electronic".into(),
        delivery: "email".into(),
        channel: Channel::Online,
        submitted_on: day,
        received: day,
        registered_by: None,
        at: t("2024-03-01T00:00:00Z"),
    }
}

async fn art44_decisions_are_exclusive(store: &Store) {
    let f = fixture(store).await;
    let mut apps = Vec::new();
    for code in ["GK-1", "GK-2", "GK-3"] {
        apps.push(store.create_application(&application(f.org, code)).await.expect("app").id);
    }
    let draft = item(store, &f, "补助名单").await;
    let d = store.record_art44(f.org, Art44Outcome::Drafted, Some(draft), "", &[apps[1], apps[0]], f.user, t("2024-04-01T00:00:00Z")).await.expect("record");
    assert_eq!(d.application_ids, vec![apps[0], apps[1]]);
    // An application already decided cannot be decided again; nothing is written.
    let err = store.record_art44(f.org, Art44Outcome::Dismissed, None, "涉及隐私", &[apps[1], apps[2]], f.user, t("2024-04-02T00:00:00Z")).await;
    assert!(matches!(err, Err(StoreError::Conflict { field: "applications", .. })), "{err:?}");
    store.record_art44(f.org, Art44Outcome::Dismissed, None, "涉及隐私", &[apps[2]], f.user, t("2024-04-03T00:00:00Z")).await.expect("record");
    let all = store.art44_decisions(&[f.org]).await.expect("list");
    assert_eq!(all.iter().map(|d| (d.outcome, d.item_id, d.application_ids.clone())).collect::<Vec<_>>(), vec![
        (Art44Outcome::Drafted, Some(draft), vec![apps[0], apps[1]]),
        (Art44Outcome::Dismissed, None, vec![apps[2]]),
    ]);
    assert_eq!(all[1].reason, "涉及隐私");
    assert!(store.art44_decisions(&[f.org + 99]).await.expect("list").is_empty());
    // Settings.
    assert_eq!(store.art44_settings(f.org).await.expect("read"), None);
    store.set_art44_settings(f.org, 90, 3).await.expect("save");
    store.set_art44_settings(f.org, 60, 2).await.expect("save again");
    assert_eq!(store.art44_settings(f.org).await.expect("read"), Some((60, 2)));
}

async fn audit_target_names_resolve(store: &Store) {
    let f = fixture(store).await;
    let id = item(store, &f, "关于防汛的通知").await;
    let app = store.create_application(&application(f.org, "GK-9")).await.expect("app").id;
    let targets: Vec<String> = vec![
        format!("item:{id}"),
        format!("org:{}", f.org),
        format!("user:{}", f.user),
        format!("catalog:{}", f.catalog),
        format!("application:{app}"),
        "item:99999".into(),
        "login:someone".into(),
        "nonsense".into(),
    ];
    let names = store.audit_target_names(&targets).await.expect("names");
    assert_eq!(names.get(&format!("item:{id}")).map(String::as_str), Some("关于防汛的通知"));
    assert_eq!(names.get(&format!("org:{}", f.org)).map(String::as_str), Some("测试镇人民政府"));
    assert_eq!(names.get(&format!("user:{}", f.user)).map(String::as_str), Some("经办人甲"));
    assert_eq!(names.get(&format!("catalog:{}", f.catalog)).map(String::as_str), Some("通知公告"));
    assert_eq!(names.get(&format!("application:{app}")).map(String::as_str), Some("GK-9"), "the 查询码, never the applicant");
    assert_eq!(names.len(), 5);
}

/// An entry for an action through an audited handle.
fn entry(action: &str, target: &str, detail: &str) -> gongkai_store::NewAuditEntry {
    gongkai_store::NewAuditEntry {
        at: t("2024-03-01T09:00:00Z"),
        actor_id: None,
        actor_name: "管理员甲".into(),
        org_id: None,
        action: action.into(),
        target: target.into(),
        detail: detail.into(),
        client: "203.0.113.7".into(),
        success: true,
    }
}

/// The back office's settings and small writes commit their audit entry in their own
/// transaction: each write through an audited handle leaves exactly its entry, with the new
/// record's id where it creates one; a failed write leaves none.
async fn settings_and_small_writes_carry_their_audit_entry(store: &Store) {
    let f = fixture(store).await;
    let id = item(store, &f, "关于春季防火的通知").await;
    let ctx = gongkai_store::AuditContext { role: "admin".into(), user_agent: "test".into(), request_id: "r-9".into() };
    let audited = |action: &str, target: &str| store.audited(entry(action, target, "{id}"), ctx.clone());
    let newest = || async { store.audit_entries(1, 0).await.expect("entries").items.into_iter().next().expect("an entry") };
    let count = || async { store.audit_entries(1, 0).await.expect("entries").total };

    audited("calendar.add_year", "calendar:2027")
        .put_calendar_year(&gongkai_store::StoredCalendarYear { year: 2027, json: "{}".into(), added_by: f.user, added_at: t("2024-03-01T00:00:00Z") })
        .await
        .expect("calendar");
    assert_eq!(newest().await.action, "calendar.add_year");
    let office = store.office_settings(f.org).await.expect("office");
    audited("office.settings", "org").put_office_settings(&office, t("2024-03-01T00:00:00Z")).await.expect("office");
    assert_eq!(newest().await.action, "office.settings");
    let channels = store.channel_settings(f.org).await.expect("channels");
    audited("channels.settings", "org").put_channel_settings(&channels).await.expect("channels");
    assert_eq!(newest().await.action, "channels.settings");
    let kw = audited("keywork.add", "keywork:{id}").add_key_work(f.org, "春耕备耕", 1, t("2024-03-01T00:00:00Z")).await.expect("key work");
    let e = newest().await;
    assert_eq!((e.action.as_str(), e.target.clone(), e.detail.clone()), ("keywork.add", format!("keywork:{}", kw.id), kw.id.to_string()));
    audited("keywork.delete", "keywork").delete_key_work(f.org, kw.id).await.expect("delete");
    assert_eq!(newest().await.action, "keywork.delete");
    let a = store.add_titled_attachment(id, "方案.pdf", "", "application/pdf", b"%PDF-1.4", t("2024-03-01T00:00:00Z")).await.expect("attachment");
    audited("attachment.title", "item").set_attachment_title(a.id, "防火方案").await.expect("title");
    assert_eq!(newest().await.action, "attachment.title");
    let lists: [(VocabularyKind, &[String]); 2] = [(VocabularyKind::Topic, &["综合政务".to_string()]), (VocabularyKind::Genre, &["通知".to_string()])];
    audited("vocabulary.update", "org").set_vocabularies(f.org, &lists).await.expect("vocabularies");
    assert_eq!(newest().await.action, "vocabulary.update");
    assert_eq!(store.vocabulary(f.org, VocabularyKind::Genre).await.expect("read"), Some(vec!["通知".to_string()]));
    assert_eq!(count().await, 7);
    audited("user.disable", "user").set_user_disabled(f.user, true).await.expect("disable");
    assert_eq!(newest().await.action, "user.disable");
    audited("user.unlock", "user").reset_login_failures(f.user).await.expect("unlock");
    assert_eq!(newest().await.action, "user.unlock");
    let interpretation = item(store, &f, "关于春季防火的通知的解读").await;
    audited("item.interpretation.add", "item").add_interpretation(id, interpretation, t("2024-03-01T00:00:00Z")).await.expect("link");
    assert_eq!(newest().await.action, "item.interpretation.add");
    audited("item.interpretation.remove", "item").remove_interpretation(id, interpretation).await.expect("unlink");
    assert_eq!(newest().await.action, "item.interpretation.remove");
    assert_eq!(count().await, 11);
    let count_before_failures = 11;

    // Failed writes record nothing: a key-work line that is not there, a title of a missing attachment.
    assert!(matches!(audited("keywork.delete", "keywork").delete_key_work(f.org, kw.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(audited("attachment.title", "item").set_attachment_title(a.id + 100, "x").await, Err(StoreError::NotFound(_))));
    assert!(matches!(audited("user.disable", "user").set_user_disabled(f.user + 100, true).await, Err(StoreError::NotFound(_))));
    assert!(matches!(audited("item.interpretation.remove", "item").remove_interpretation(id, interpretation).await, Err(StoreError::NotFound(_))));
    assert_eq!(count().await, count_before_failures);
    assert_eq!(store.verify_audit_chain().await.expect("verify"), None);
}
