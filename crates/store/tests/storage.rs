//! The storage suite: every case is written once against `&Store` and run on
//! both backends (modules `sqlite` and `postgres`). PostgreSQL cases need
//! GONGKAI_TEST_DATABASE_URL; without it they say so on stderr and pass
//! (and panic when CI is set).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use gongkai_domain::model::{
    CatalogKind, DisclosureMode, DisclosureOffice, DocType, ItemFields, ItemStatus, OrgLevel,
    Organisation, Role, Validity,
};
use gongkai_store::test_support::{fresh_postgres, fresh_sqlite, raw_pool};
use gongkai_store::{
    Backend, ItemOrder, ItemQuery, NewAuditEntry, NewItemEvent, NewOrganisation, NewUser, Session,
    Store, StoreError, StoredCalendarYear, AUDIT_GENESIS_HASH,
};
use sqlx::Row;

use gongkai_store::on_both_backends;

on_both_backends!(
    migrations_are_idempotent,
    durability_settings_in_effect,
    organisations,
    organisation_conflicts,
    users_and_roles,
    login_lockout,
    sessions,
    catalog_tree,
    items_create_update_list,
    item_filters_and_paging,
    doc_number_uniqueness,
    transitions,
    publish_assigns_serials,
    index_number_uniqueness,
    concurrent_publishes,
    validity,
    events_order,
    attachments,
    audit_chain,
    audit_log_is_append_only,
    audit_tampering_detected,
    calendar_years,
);

// ---------------------------------------------------------------- fixtures

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test timestamp")
        .with_timezone(&Utc)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn new_org(slug: &str, code: &str, parent_id: Option<i64>) -> NewOrganisation {
    NewOrganisation {
        slug: slug.to_owned(),
        name: format!("{slug}人民政府"),
        org_code: code.to_owned(),
        level: OrgLevel::Township,
        parent_id,
        office: DisclosureOffice {
            name: "党政综合办公室".into(),
            address: "清远市清城区源潭镇".into(),
            hours: "工作日 8:30-12:00".into(),
            phone: "0763-1234567".into(),
            fax: "0763-7654321".into(),
            email: "gk@example.gov.cn".into(),
            website: "https://example.gov.cn".into(),
        },
        index_pattern: "{org_code}/{year}-{serial:5}".into(),
        description: "负责本镇政务".into(),
    }
}

fn fields(catalog_id: i64, title: &str, doc_number: Option<&str>) -> ItemFields {
    ItemFields {
        catalog_id,
        title: title.to_owned(),
        summary: "概述".into(),
        body_html: "<p>正文</p>".into(),
        publisher: "源潭镇人民政府".into(),
        formed_date: d(2024, 3, 1),
        doc_number: doc_number.map(str::to_owned),
        topic: "综合政务".into(),
        genre: "通知".into(),
        keywords: "公开，通知".into(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    }
}

fn ev(actor_id: i64, action: &str, at: &str) -> NewItemEvent {
    NewItemEvent {
        actor_id,
        action: action.to_owned(),
        comment: format!("{action} 备注"),
        at: t(at),
    }
}

/// One organisation with an editor and a catalog node.
struct Fixture {
    org: Organisation,
    user: i64,
    node: i64,
}

async fn fixture(store: &Store, slug: &str, code: &str) -> Fixture {
    let org = store
        .create_org(&new_org(slug, code, None))
        .await
        .expect("org");
    let user = store
        .create_user(
            &NewUser {
                username: format!("{slug}_editor"),
                display_name: format!("{slug}编辑"),
                org_id: org.id,
                roles: vec![Role::Editor, Role::Reviewer],
            },
            "$argon2id$hash",
            t("2024-01-01T00:00:00Z"),
        )
        .await
        .expect("user")
        .id;
    let node = store
        .create_catalog_node(org.id, None, "通知公告", 1, CatalogKind::Notice)
        .await
        .expect("node")
        .id;
    Fixture { org, user, node }
}

/// Create an item and take it to Approved.
async fn approved_item(store: &Store, f: &Fixture, title: &str) -> i64 {
    let item = store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, title, None),
            &ev(f.user, "create", "2024-03-01T08:00:00Z"),
        )
        .await
        .expect("create");
    for (from, to, action) in [
        (ItemStatus::Draft, ItemStatus::Submitted, "submit"),
        (ItemStatus::Submitted, ItemStatus::Approved, "approve"),
    ] {
        store
            .transition_item(
                item.id,
                from,
                to,
                None,
                &ev(f.user, action, "2024-03-01T09:00:00Z"),
            )
            .await
            .expect(action);
    }
    item.id
}

fn render(year: i32) -> impl Fn(u64) -> String + Send + Sync {
    move |serial| format!("ORG/{year}-{serial:05}")
}

fn conflict_field(r: Result<impl std::fmt::Debug, StoreError>) -> (&'static str, String) {
    match r {
        Err(StoreError::Conflict { field, message }) => (field, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::NotFound(w)) if w == what => {}
        other => panic!("expected NotFound({what}), got {other:?}"),
    }
}

// ---------------------------------------------------------------- cases

async fn migrations_are_idempotent(store: &Store) {
    store.migrate().await.expect("second migration run");
    store.migrate().await.expect("third migration run");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(raw_pool(store))
        .await
        .expect("migrations table")
        .get(0);
    // Each migration is recorded once however often migrate() runs.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).expect("migrations dir").count() as i64;
    assert_eq!(n, files);
    assert_eq!(store.count_users().await.unwrap(), 0);
}

async fn durability_settings_in_effect(store: &Store) {
    let pool = raw_pool(store);
    // Several connections at once, so the check covers more than the first.
    let mut conns = Vec::new();
    for _ in 0..3 {
        conns.push(pool.acquire().await.expect("connection"));
    }
    for conn in &mut conns {
        match store.backend() {
            Backend::Sqlite => {
                let journal: String = sqlx::query("PRAGMA journal_mode")
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(journal.to_lowercase(), "wal");
                let sync: i64 = sqlx::query("PRAGMA synchronous")
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(sync, 2);
                let fk: i64 = sqlx::query("PRAGMA foreign_keys")
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(fk, 1);
                let busy: i64 = sqlx::query("PRAGMA busy_timeout")
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(busy, 5000);
            }
            Backend::Postgres => {
                let fsync: String = sqlx::query("SHOW fsync")
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(fsync, "on");
                let commit: String = sqlx::query("SHOW synchronous_commit")
                    .fetch_one(&mut **conn)
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(commit, "on");
            }
        }
    }
    drop(conns);
    // Foreign keys are enforced: a user in a missing organisation is refused.
    let r = store
        .create_user(
            &NewUser {
                username: "ghost".into(),
                display_name: "无".into(),
                org_id: 999,
                roles: vec![],
            },
            "h",
            t("2024-01-01T00:00:00Z"),
        )
        .await;
    assert_not_found(r, "机关");
    let fk = sqlx::query("INSERT INTO users (username, display_name, org_id, password_hash, created_at) VALUES ('x', 'x', 999, 'h', 'now')")
        .execute(raw_pool(store))
        .await;
    assert!(fk.is_err(), "foreign key not enforced");
}

async fn organisations(store: &Store) {
    let city = store
        .create_org(&new_org("qingyuan", "114418000000000001", None))
        .await
        .unwrap();
    let district = store
        .create_org(&new_org("qingcheng", "114418020000000002", Some(city.id)))
        .await
        .unwrap();
    let town = store
        .create_org(&new_org("yuantan", "114418020000000003", Some(district.id)))
        .await
        .unwrap();
    let other = store
        .create_org(&new_org("yingde", "114418810000000004", Some(city.id)))
        .await
        .unwrap();
    let lonely = store
        .create_org(&new_org("lianzhou", "114418820000000005", None))
        .await
        .unwrap();

    assert_eq!(store.org(town.id).await.unwrap().as_ref(), Some(&town));
    assert_eq!(
        store.org_by_slug("qingcheng").await.unwrap().as_ref(),
        Some(&district)
    );
    assert_eq!(store.org(9999).await.unwrap(), None);
    assert_eq!(store.org_by_slug("nope").await.unwrap(), None);
    let all: Vec<i64> = store.orgs().await.unwrap().iter().map(|o| o.id).collect();
    assert_eq!(
        all,
        vec![city.id, district.id, town.id, other.id, lonely.id]
    );

    assert_eq!(
        store.org_subtree_ids(city.id).await.unwrap(),
        vec![city.id, district.id, town.id, other.id]
    );
    assert_eq!(
        store.org_subtree_ids(district.id).await.unwrap(),
        vec![district.id, town.id]
    );
    assert_eq!(store.org_subtree_ids(town.id).await.unwrap(), vec![town.id]);
    assert_not_found(store.org_subtree_ids(9999).await, "机关");

    let mut changed = town.clone();
    changed.name = "源潭镇人民政府".into();
    changed.slug = "yuantan-town".into();
    changed.level = OrgLevel::Subdistrict;
    changed.office.phone = "0763-0000000".into();
    changed.parent_id = Some(other.id);
    changed.index_pattern = "X-{serial}".into();
    store.update_org(&changed).await.unwrap();
    assert_eq!(store.org(town.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(
        store.org_subtree_ids(district.id).await.unwrap(),
        vec![district.id]
    );

    // no cycles
    let mut cyc = city.clone();
    cyc.parent_id = Some(changed.id);
    assert_eq!(conflict_field(store.update_org(&cyc).await).0, "parent_id");
    cyc.parent_id = Some(city.id);
    assert_eq!(conflict_field(store.update_org(&cyc).await).0, "parent_id");
    let mut missing = city.clone();
    missing.id = 9999;
    assert_not_found(store.update_org(&missing).await, "机关");
}

async fn organisation_conflicts(store: &Store) {
    let a = store
        .create_org(&new_org("yuantan", "CODE-A", None))
        .await
        .unwrap();
    let (field, message) =
        conflict_field(store.create_org(&new_org("yuantan", "CODE-B", None)).await);
    assert_eq!(field, "slug");
    assert!(message.contains("yuantan"), "{message}");
    let (field, message) =
        conflict_field(store.create_org(&new_org("shijiao", "CODE-A", None)).await);
    assert_eq!(field, "org_code");
    assert!(message.contains("CODE-A"), "{message}");
    let b = store
        .create_org(&new_org("shijiao", "CODE-B", None))
        .await
        .unwrap();
    let mut b2 = b.clone();
    b2.slug = a.slug.clone();
    assert_eq!(conflict_field(store.update_org(&b2).await).0, "slug");
    let mut b3 = b.clone();
    b3.org_code = a.org_code.clone();
    assert_eq!(conflict_field(store.update_org(&b3).await).0, "org_code");
    // updating with its own slug and code is fine
    store.update_org(&b).await.unwrap();
    assert_not_found(
        store.create_org(&new_org("x", "CODE-X", Some(9999))).await,
        "上级机关",
    );
    assert_eq!(store.orgs().await.unwrap().len(), 2);
}

async fn users_and_roles(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "shijiao", "C2").await;
    let now = t("2024-02-01T08:00:00Z");
    let admin = store
        .create_user(
            &NewUser {
                username: "admin".into(),
                display_name: "管理员甲".into(),
                org_id: f.org.id,
                roles: vec![Role::Reviewer, Role::Admin, Role::Reviewer],
            },
            "hash-1",
            now,
        )
        .await
        .unwrap();
    assert_eq!(admin.roles, vec![Role::Admin, Role::Reviewer]);
    assert!(!admin.disabled);
    assert_eq!(store.user(admin.id).await.unwrap(), Some(admin.clone()));
    let (u, auth) = store.user_by_username("admin").await.unwrap().unwrap();
    assert_eq!(u, admin);
    assert_eq!(auth.password_hash, "hash-1");
    assert_eq!(auth.failed_logins, 0);
    assert_eq!(auth.first_failed_at, None);
    assert_eq!(auth.locked_until, None);
    assert!(store.user_by_username("Admin").await.unwrap().is_none());

    let (field, message) = conflict_field(
        store
            .create_user(
                &NewUser {
                    username: "admin".into(),
                    display_name: "乙".into(),
                    org_id: g.org.id,
                    roles: vec![],
                },
                "h",
                now,
            )
            .await,
    );
    assert_eq!(field, "username");
    assert!(message.contains("admin"), "{message}");

    assert_eq!(store.count_users().await.unwrap(), 3);
    let names = |us: Vec<gongkai_domain::model::User>| {
        us.into_iter().map(|u| u.username).collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.users(&[]).await.unwrap()),
        vec!["admin", "shijiao_editor", "yuantan_editor"]
    );
    assert_eq!(
        names(store.users(&[f.org.id]).await.unwrap()),
        vec!["admin", "yuantan_editor"]
    );
    assert_eq!(
        names(store.users(&[g.org.id, f.org.id]).await.unwrap()).len(),
        3
    );

    store.set_password(admin.id, "hash-2").await.unwrap();
    store.set_user_disabled(admin.id, true).await.unwrap();
    store
        .set_user_roles(admin.id, &[Role::Editor])
        .await
        .unwrap();
    store
        .set_user_display_name(admin.id, "管理员乙")
        .await
        .unwrap();
    let (u, auth) = store.user_by_username("admin").await.unwrap().unwrap();
    assert_eq!(auth.password_hash, "hash-2");
    assert!(u.disabled);
    assert_eq!(u.roles, vec![Role::Editor]);
    assert_eq!(u.display_name, "管理员乙");
    store.set_user_roles(admin.id, &[]).await.unwrap();
    store.set_user_disabled(admin.id, false).await.unwrap();
    let u = store.user(admin.id).await.unwrap().unwrap();
    assert!(u.roles.is_empty());
    assert!(!u.disabled);

    assert_not_found(store.set_password(9999, "x").await, "用户");
    assert_not_found(store.set_user_disabled(9999, true).await, "用户");
    assert_not_found(store.set_user_roles(9999, &[]).await, "用户");
    assert_not_found(store.set_user_display_name(9999, "x").await, "用户");
    assert_eq!(store.user(9999).await.unwrap(), None);
}

async fn login_lockout(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let (threshold, window, lock_for) = (3, Duration::minutes(15), Duration::minutes(30));
    let t0 = t("2024-05-01T10:00:00Z");

    let a = store
        .record_login_failure(f.user, t0, threshold, window, lock_for)
        .await
        .unwrap();
    assert_eq!(
        (a.failed_logins, a.first_failed_at, a.locked_until),
        (1, Some(t0), None)
    );
    let a = store
        .record_login_failure(
            f.user,
            t0 + Duration::minutes(5),
            threshold,
            window,
            lock_for,
        )
        .await
        .unwrap();
    assert_eq!(
        (a.failed_logins, a.first_failed_at, a.locked_until),
        (2, Some(t0), None)
    );
    let third = t0 + Duration::minutes(14);
    let a = store
        .record_login_failure(f.user, third, threshold, window, lock_for)
        .await
        .unwrap();
    assert_eq!(a.failed_logins, 3);
    assert_eq!(a.locked_until, Some(third + lock_for));
    let (_, auth) = store
        .user_by_username("yuantan_editor")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.locked_until, Some(third + lock_for));

    store.reset_login_failures(f.user).await.unwrap();
    let (_, auth) = store
        .user_by_username("yuantan_editor")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (auth.failed_logins, auth.first_failed_at, auth.locked_until),
        (0, None, None)
    );

    // Failures spread beyond the window never lock: the count restarts.
    let t1 = t("2024-05-02T10:00:00Z");
    store
        .record_login_failure(f.user, t1, threshold, window, lock_for)
        .await
        .unwrap();
    store
        .record_login_failure(
            f.user,
            t1 + Duration::minutes(10),
            threshold,
            window,
            lock_for,
        )
        .await
        .unwrap();
    let late = t1 + Duration::minutes(16);
    let a = store
        .record_login_failure(f.user, late, threshold, window, lock_for)
        .await
        .unwrap();
    assert_eq!(
        (a.failed_logins, a.first_failed_at, a.locked_until),
        (1, Some(late), None)
    );

    // After a lock expires, counting starts afresh.
    store.reset_login_failures(f.user).await.unwrap();
    let t2 = t("2024-05-03T10:00:00Z");
    for i in 0..3 {
        store
            .record_login_failure(
                f.user,
                t2 + Duration::seconds(i),
                threshold,
                Duration::hours(24),
                lock_for,
            )
            .await
            .unwrap();
    }
    let after_lock = t2 + Duration::hours(1);
    let a = store
        .record_login_failure(f.user, after_lock, threshold, Duration::hours(24), lock_for)
        .await
        .unwrap();
    assert_eq!(
        (a.failed_logins, a.first_failed_at, a.locked_until),
        (1, Some(after_lock), None)
    );

    // Concurrent failures are all counted.
    store.reset_login_failures(f.user).await.unwrap();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let s = store.clone();
        let user = f.user;
        set.spawn(async move {
            s.record_login_failure(user, t2 + Duration::seconds(i), 100, window, lock_for)
                .await
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    let (_, auth) = store
        .user_by_username("yuantan_editor")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.failed_logins, 8);

    assert_not_found(
        store
            .record_login_failure(9999, t0, threshold, window, lock_for)
            .await,
        "用户",
    );
    assert_not_found(store.reset_login_failures(9999).await, "用户");
}

async fn sessions(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let created = t("2024-06-01T08:00:00.123456789Z");
    let s1 = Session {
        token_hash: "hash-one".into(),
        user_id: f.user,
        csrf_token: "csrf-1".into(),
        created_at: created,
        last_seen_at: created,
        expires_at: created + Duration::hours(8),
    };
    let s2 = Session {
        token_hash: "hash-two".into(),
        expires_at: created + Duration::hours(1),
        ..s1.clone()
    };
    store.create_session(&s1).await.unwrap();
    store.create_session(&s2).await.unwrap();
    let got = store.session("hash-one").await.unwrap().unwrap();
    assert_eq!(
        (
            got.token_hash.as_str(),
            got.user_id,
            got.csrf_token.as_str()
        ),
        ("hash-one", f.user, "csrf-1")
    );
    assert_eq!(
        (got.created_at, got.last_seen_at, got.expires_at),
        (s1.created_at, s1.last_seen_at, s1.expires_at)
    );
    assert!(store.session("nope").await.unwrap().is_none());

    let later = created + Duration::minutes(7);
    store.touch_session("hash-one", later).await.unwrap();
    assert_eq!(
        store
            .session("hash-one")
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        later
    );
    store.touch_session("nope", later).await.unwrap();

    assert_eq!(
        store
            .delete_expired_sessions(created + Duration::minutes(30))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_expired_sessions(created + Duration::hours(2))
            .await
            .unwrap(),
        1
    );
    assert!(store.session("hash-two").await.unwrap().is_none());
    assert!(store.session("hash-one").await.unwrap().is_some());

    store.delete_session("hash-one").await.unwrap();
    store.delete_session("hash-one").await.unwrap();
    assert!(store.session("hash-one").await.unwrap().is_none());

    for i in 0..3 {
        store
            .create_session(&Session {
                token_hash: format!("h{i}"),
                ..s1.clone()
            })
            .await
            .unwrap();
    }
    store.delete_user_sessions(f.user).await.unwrap();
    assert!(store.session("h0").await.unwrap().is_none());
    assert!(store.session("h2").await.unwrap().is_none());

    assert_not_found(
        store
            .create_session(&Session {
                user_id: 9999,
                ..s1.clone()
            })
            .await,
        "用户",
    );
}

async fn catalog_tree(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "shijiao", "C2").await;
    let org = f.org.id;
    let guide = store
        .create_catalog_node(org, None, "政府信息公开指南", 0, CatalogKind::Guide)
        .await
        .unwrap();
    let rules = store
        .create_catalog_node(org, None, "政策文件", 2, CatalogKind::Normal)
        .await
        .unwrap();
    let sub_a = store
        .create_catalog_node(org, Some(rules.id), "规范性文件", 1, CatalogKind::Normal)
        .await
        .unwrap();
    let sub_b = store
        .create_catalog_node(org, Some(rules.id), "其他文件", 1, CatalogKind::Normal)
        .await
        .unwrap();
    let leaf = store
        .create_catalog_node(org, Some(sub_a.id), "2024年", 0, CatalogKind::Normal)
        .await
        .unwrap();
    assert_eq!(
        store.catalog_node(sub_a.id).await.unwrap(),
        Some(sub_a.clone())
    );
    assert_eq!(store.catalog_node(9999).await.unwrap(), None);
    let order: Vec<i64> = store
        .catalog(org)
        .await
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(
        order,
        vec![guide.id, leaf.id, f.node, sub_a.id, sub_b.id, rules.id]
    );
    assert_eq!(store.catalog(g.org.id).await.unwrap().len(), 1);

    // names: unique under one parent (top level included), free elsewhere
    let (field, message) = conflict_field(
        store
            .create_catalog_node(org, None, "政策文件", 5, CatalogKind::Normal)
            .await,
    );
    assert_eq!(field, "name");
    assert!(message.contains("政策文件"), "{message}");
    assert_eq!(
        conflict_field(
            store
                .create_catalog_node(org, Some(rules.id), "其他文件", 5, CatalogKind::Normal)
                .await
        )
        .0,
        "name"
    );
    store
        .create_catalog_node(org, Some(sub_a.id), "其他文件", 5, CatalogKind::Normal)
        .await
        .unwrap();
    store
        .create_catalog_node(g.org.id, None, "政策文件", 5, CatalogKind::Normal)
        .await
        .unwrap();
    // a parent from another organisation is refused
    assert_not_found(
        store
            .create_catalog_node(g.org.id, Some(rules.id), "x", 0, CatalogKind::Normal)
            .await,
        "上级栏目",
    );
    assert_not_found(
        store
            .create_catalog_node(9999, None, "x", 0, CatalogKind::Normal)
            .await,
        "机关",
    );

    // update: rename, reorder, move
    store
        .update_catalog_node(sub_b.id, "其它文件", 9, None)
        .await
        .unwrap();
    let n = store.catalog_node(sub_b.id).await.unwrap().unwrap();
    assert_eq!(
        (n.name.as_str(), n.sort_order, n.parent_id),
        ("其它文件", 9, None)
    );
    assert_eq!(
        conflict_field(
            store
                .update_catalog_node(sub_b.id, "政策文件", 9, None)
                .await
        )
        .0,
        "name"
    );
    assert_eq!(
        conflict_field(
            store
                .update_catalog_node(rules.id, "政策文件", 2, Some(leaf.id))
                .await
        )
        .0,
        "parent_id"
    );
    assert_eq!(
        conflict_field(
            store
                .update_catalog_node(rules.id, "政策文件", 2, Some(rules.id))
                .await
        )
        .0,
        "parent_id"
    );
    assert_not_found(store.update_catalog_node(9999, "x", 0, None).await, "栏目");
    assert_not_found(
        store
            .update_catalog_node(sub_b.id, "x", 0, Some(g.node))
            .await,
        "上级栏目",
    );
    store
        .update_catalog_node(sub_b.id, "其它文件", 9, Some(rules.id))
        .await
        .unwrap();

    // delete: refused with children or items
    let (field, message) = conflict_field(store.delete_catalog_node(rules.id).await);
    assert_eq!(field, "catalog");
    assert!(message.contains("子栏目"), "{message}");
    store
        .create_item(
            org,
            f.user,
            &fields(leaf.id, "某文件", None),
            &ev(f.user, "create", "2024-03-01T08:00:00Z"),
        )
        .await
        .unwrap();
    let (_, message) = conflict_field(store.delete_catalog_node(leaf.id).await);
    assert!(message.contains("信息"), "{message}");
    store.delete_catalog_node(sub_b.id).await.unwrap();
    assert_eq!(store.catalog_node(sub_b.id).await.unwrap(), None);
    assert_not_found(store.delete_catalog_node(sub_b.id).await, "栏目");
}

async fn items_create_update_list(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "shijiao", "C2").await;
    let mut fl = fields(
        f.node,
        "关于开展安全生产检查的通知",
        Some("源府〔2024〕3号"),
    );
    fl.statutory_category = Some("art20_1".into());
    fl.doc_type = DocType::NormativeDocument;
    fl.disclosure_mode = DisclosureMode::OnRequest;
    let created = store
        .create_item(
            f.org.id,
            f.user,
            &fl,
            &ev(f.user, "create", "2024-03-01T08:00:00.5Z"),
        )
        .await
        .unwrap();
    assert_eq!(created.fields, fl);
    assert_eq!(created.status, ItemStatus::Draft);
    assert_eq!(created.org_id, f.org.id);
    assert_eq!(created.author_id, f.user);
    assert_eq!(created.validity, Validity::Valid);
    assert_eq!(
        (
            created.index_no.as_ref(),
            created.publish_date,
            created.validity_date
        ),
        (None, None, None)
    );
    assert_eq!(created.withdraw_reason, None);
    assert_eq!(created.created_at, t("2024-03-01T08:00:00.5Z"));
    assert_eq!(created.updated_at, created.created_at);
    assert_eq!(store.item(created.id).await.unwrap(), Some(created.clone()));
    assert_eq!(store.item(9999).await.unwrap(), None);

    // the catalog node must be the organisation's; the author must exist
    assert_not_found(
        store
            .create_item(
                f.org.id,
                f.user,
                &fields(g.node, "x", None),
                &ev(f.user, "create", "2024-03-01T08:00:00Z"),
            )
            .await,
        "栏目",
    );
    assert_not_found(
        store
            .create_item(
                f.org.id,
                f.user,
                &fields(9999, "x", None),
                &ev(f.user, "create", "2024-03-01T08:00:00Z"),
            )
            .await,
        "栏目",
    );
    assert_not_found(
        store
            .create_item(
                f.org.id,
                9999,
                &fields(f.node, "x", None),
                &ev(f.user, "create", "2024-03-01T08:00:00Z"),
            )
            .await,
        "用户",
    );
    assert_not_found(
        store
            .create_item(
                f.org.id,
                f.user,
                &fields(f.node, "x", None),
                &ev(9999, "create", "2024-03-01T08:00:00Z"),
            )
            .await,
        "用户",
    );

    let other_node = store
        .create_catalog_node(f.org.id, None, "政策文件", 3, CatalogKind::Normal)
        .await
        .unwrap();
    let mut fl2 = fl.clone();
    fl2.catalog_id = other_node.id;
    fl2.title = "关于开展安全生产大检查的通知".into();
    fl2.doc_number = None;
    fl2.statutory_category = None;
    fl2.formed_date = d(2024, 2, 28);
    let updated = store
        .update_item_fields(
            created.id,
            &fl2,
            &ev(f.user, "edit", "2024-03-02T08:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(updated.fields, fl2);
    assert_eq!(updated.created_at, created.created_at);
    assert_eq!(updated.updated_at, t("2024-03-02T08:00:00Z"));
    assert_not_found(
        store
            .update_item_fields(
                created.id,
                &fields(g.node, "x", None),
                &ev(f.user, "edit", "2024-03-02T08:00:00Z"),
            )
            .await,
        "栏目",
    );
    assert_not_found(
        store
            .update_item_fields(9999, &fl2, &ev(f.user, "edit", "2024-03-02T08:00:00Z"))
            .await,
        "信息",
    );

    // returned items are editable, submitted ones are not
    store
        .transition_item(
            created.id,
            ItemStatus::Draft,
            ItemStatus::Submitted,
            None,
            &ev(f.user, "submit", "2024-03-03T08:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        conflict_field(
            store
                .update_item_fields(created.id, &fl, &ev(f.user, "edit", "2024-03-03T09:00:00Z"))
                .await
        )
        .0,
        "status"
    );
    store
        .transition_item(
            created.id,
            ItemStatus::Submitted,
            ItemStatus::Returned,
            None,
            &ev(f.user, "return", "2024-03-03T10:00:00Z"),
        )
        .await
        .unwrap();
    let again = store
        .update_item_fields(created.id, &fl, &ev(f.user, "edit", "2024-03-03T11:00:00Z"))
        .await
        .unwrap();
    assert_eq!(again.fields, fl);
    assert_eq!(again.status, ItemStatus::Returned);
    // a failed edit saved nothing
    assert_eq!(store.item_events(created.id).await.unwrap().len(), 5);
}

async fn item_filters_and_paging(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "shijiao", "C2").await;
    let second_author = store
        .create_user(
            &NewUser {
                username: "writer2".into(),
                display_name: "二号".into(),
                org_id: f.org.id,
                roles: vec![Role::Editor],
            },
            "h",
            t("2024-01-01T00:00:00Z"),
        )
        .await
        .unwrap()
        .id;
    let node2 = store
        .create_catalog_node(f.org.id, None, "政策文件", 3, CatalogKind::Normal)
        .await
        .unwrap()
        .id;

    // (org fixture, author, node, formed, statutory category, publish date or None, title)
    struct Spec<'a> {
        fx: &'a Fixture,
        author: i64,
        node: i64,
        formed: NaiveDate,
        category: Option<&'a str>,
        publish: Option<NaiveDate>,
    }
    let specs = [
        Spec {
            fx: &f,
            author: f.user,
            node: f.node,
            formed: d(2023, 5, 1),
            category: Some("a"),
            publish: Some(d(2023, 6, 1)),
        },
        Spec {
            fx: &f,
            author: f.user,
            node: f.node,
            formed: d(2023, 12, 1),
            category: None,
            publish: Some(d(2023, 12, 31)),
        },
        Spec {
            fx: &f,
            author: second_author,
            node: node2,
            formed: d(2024, 1, 2),
            category: Some("a"),
            publish: Some(d(2024, 1, 1)),
        },
        Spec {
            fx: &f,
            author: second_author,
            node: node2,
            formed: d(2022, 1, 2),
            category: Some("b"),
            publish: Some(d(2024, 7, 1)),
        },
        Spec {
            fx: &f,
            author: f.user,
            node: node2,
            formed: d(2021, 1, 1),
            category: None,
            publish: None,
        },
        Spec {
            fx: &f,
            author: second_author,
            node: f.node,
            formed: d(2024, 2, 1),
            category: Some("b"),
            publish: None,
        },
        Spec {
            fx: &g,
            author: g.user,
            node: g.node,
            formed: d(2024, 3, 1),
            category: Some("a"),
            publish: Some(d(2024, 3, 1)),
        },
    ];
    let mut ids = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let mut fl = fields(s.node, &format!("信息{i}"), None);
        fl.formed_date = s.formed;
        fl.statutory_category = s.category.map(str::to_owned);
        let at = format!("2024-08-01T00:00:{i:02}Z");
        let item = store
            .create_item(s.fx.org.id, s.author, &fl, &ev(s.author, "create", &at))
            .await
            .unwrap();
        if let Some(p) = s.publish {
            for (from, to) in [
                (ItemStatus::Draft, ItemStatus::Submitted),
                (ItemStatus::Submitted, ItemStatus::Approved),
            ] {
                store
                    .transition_item(item.id, from, to, None, &ev(s.author, "step", &at))
                    .await
                    .unwrap();
            }
            let (year, code) = (p.year(), s.fx.org.org_code.clone());
            let render = move |serial: u64| format!("{code}/{year}-{serial:05}");
            store
                .publish_item(item.id, p, &render, &ev(s.author, "publish", &at))
                .await
                .unwrap();
        }
        ids.push(item.id);
    }
    // item 5 is submitted, item 4 stays a draft
    store
        .transition_item(
            ids[5],
            ItemStatus::Draft,
            ItemStatus::Submitted,
            None,
            &ev(second_author, "submit", "2024-08-02T00:00:00Z"),
        )
        .await
        .unwrap();
    // item 1 is withdrawn
    store
        .transition_item(
            ids[1],
            ItemStatus::Published,
            ItemStatus::Withdrawn,
            Some("内容有误"),
            &ev(f.user, "withdraw", "2024-08-03T00:00:00Z"),
        )
        .await
        .unwrap();

    let list = |q: ItemQuery| async move {
        let page = store.list_items(&q).await.unwrap();
        (
            page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            page.total,
        )
    };
    let base = || ItemQuery {
        org_ids: vec![f.org.id],
        ..Default::default()
    };
    let pick = |idx: &[usize]| idx.iter().map(|&i| ids[i]).collect::<Vec<_>>();

    // default order: publish date desc (unpublished last), then id desc
    assert_eq!(list(base()).await, (pick(&[3, 2, 1, 0, 5, 4]), 6));
    assert_eq!(
        list(ItemQuery {
            org_ids: vec![f.org.id, g.org.id],
            ..Default::default()
        })
        .await
        .1,
        7
    );
    assert_eq!(
        list(ItemQuery {
            org_ids: vec![],
            ..Default::default()
        })
        .await,
        (vec![], 0)
    );
    assert_eq!(
        list(ItemQuery {
            catalog_ids: vec![node2],
            ..base()
        })
        .await,
        (pick(&[3, 2, 4]), 3)
    );
    assert_eq!(
        list(ItemQuery {
            catalog_ids: vec![node2, f.node],
            ..base()
        })
        .await
        .1,
        6
    );
    // The same page without counting.
    assert_eq!(list(ItemQuery { limit: 2, skip_total: true, ..base() }).await, (pick(&[3, 2]), 0));
    // The newest published of several columns, merged in publication order (the withdrawn
    // item 1, the draft and the submitted one are not published).
    let newest = |nodes: Vec<i64>, limit: i64| async move {
        store.newest_items_in_catalogs(&nodes, ItemStatus::Published, limit).await.unwrap().iter().map(|i| i.id).collect::<Vec<_>>()
    };
    assert_eq!(newest(vec![f.node, node2], 10).await, pick(&[3, 2, 0]));
    assert_eq!(newest(vec![node2, f.node], 2).await, pick(&[3, 2]));
    assert_eq!(newest(vec![f.node], 8).await, pick(&[0]));
    assert!(newest(vec![], 8).await.is_empty());
    assert!(newest(vec![f.node], 0).await.is_empty());
    // More columns than SQLite takes in one compound query, some named twice.
    let many: Vec<i64> = (1_000_000..1_000_450).chain([f.node, node2, node2]).collect();
    assert_eq!(newest(many, 3).await, pick(&[3, 2, 0]));
    assert_eq!(
        list(ItemQuery {
            statuses: vec![ItemStatus::Published],
            ..base()
        })
        .await,
        (pick(&[3, 2, 0]), 3)
    );
    assert_eq!(
        list(ItemQuery {
            statuses: vec![ItemStatus::Draft, ItemStatus::Withdrawn],
            ..base()
        })
        .await,
        (pick(&[1, 4]), 2)
    );
    assert_eq!(
        list(ItemQuery {
            publish_year: Some(2023),
            ..base()
        })
        .await,
        (pick(&[1, 0]), 2)
    );
    assert_eq!(
        list(ItemQuery {
            publish_year: Some(2024),
            statuses: vec![ItemStatus::Published],
            ..base()
        })
        .await,
        (pick(&[3, 2]), 2)
    );
    assert_eq!(
        list(ItemQuery {
            publish_year: Some(2020),
            ..base()
        })
        .await,
        (vec![], 0)
    );
    assert_eq!(
        list(ItemQuery {
            author_id: Some(second_author),
            ..base()
        })
        .await,
        (pick(&[3, 2, 5]), 3)
    );
    assert_eq!(
        list(ItemQuery {
            statutory_category: Some("a".into()),
            ..base()
        })
        .await,
        (pick(&[2, 0]), 2)
    );
    assert_eq!(
        list(ItemQuery {
            statutory_category: Some("b".into()),
            author_id: Some(second_author),
            catalog_ids: vec![f.node],
            ..base()
        })
        .await,
        (pick(&[5]), 1)
    );
    assert_eq!(
        list(ItemQuery {
            order: ItemOrder::FormedDateAsc,
            ..base()
        })
        .await
        .0,
        pick(&[4, 3, 0, 1, 2, 5])
    );
    // updated desc: item 1 (withdrawn last), then 5 (submitted), then by creation/publication time
    assert_eq!(
        list(ItemQuery {
            order: ItemOrder::UpdatedDesc,
            ..base()
        })
        .await
        .0,
        pick(&[1, 5, 4, 3, 2, 0])
    );

    // paging keeps the total
    assert_eq!(
        list(ItemQuery { limit: 2, ..base() }).await,
        (pick(&[3, 2]), 6)
    );
    assert_eq!(
        list(ItemQuery {
            limit: 2,
            offset: 2,
            ..base()
        })
        .await,
        (pick(&[1, 0]), 6)
    );
    assert_eq!(
        list(ItemQuery {
            limit: 4,
            offset: 4,
            ..base()
        })
        .await,
        (pick(&[5, 4]), 6)
    );
    assert_eq!(
        list(ItemQuery {
            limit: 4,
            offset: 40,
            ..base()
        })
        .await,
        (vec![], 6)
    );

    // statistics
    let counts = store
        .published_counts_by_catalog(f.org.id, None)
        .await
        .unwrap();
    let mut expect = vec![(f.node, 1), (node2, 2)];
    expect.sort();
    assert_eq!(counts, expect);
    assert_eq!(
        store
            .published_counts_by_catalog(f.org.id, Some(2023))
            .await
            .unwrap(),
        vec![(f.node, 1)]
    );
    assert_eq!(
        store
            .published_counts_by_catalog(f.org.id, Some(2019))
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store.publish_years(&[f.org.id]).await.unwrap(),
        vec![2024, 2023]
    );
    assert_eq!(store.publish_years(&[g.org.id]).await.unwrap(), vec![2024]);
    assert_eq!(store.publish_years(&[]).await.unwrap(), Vec::<i32>::new());
    let watch: Vec<i64> = store
        .unpublished_items(&[f.org.id, g.org.id])
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(watch, pick(&[4, 5]));
    assert!(store
        .unpublished_items(&[g.org.id])
        .await
        .unwrap()
        .is_empty());
}

async fn doc_number_uniqueness(store: &Store) {
    let f = fixture(store, "qingcheng", "C1").await;
    let g = fixture(store, "yuantan", "C2").await;
    let at = "2024-03-01T08:00:00Z";
    let first = store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "甲", Some("清城府〔2023〕12号")),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();
    for variant in [
        "清城府〔2023〕12号",
        "清城府(2023)12号",
        "清城府（2023）12号",
        "清城府[2023]12号",
        "清城府【2023】12号",
        " 清城府 ［2023］ 12号 ",
    ] {
        let (field, message) = conflict_field(
            store
                .create_item(
                    f.org.id,
                    f.user,
                    &fields(f.node, "乙", Some(variant)),
                    &ev(f.user, "create", at),
                )
                .await,
        );
        assert_eq!(field, "doc_number");
        assert_eq!(message, format!("文号“{variant}”在本机关已存在"));
    }
    // a different number, another organisation, or no number at all are fine
    store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "丙", Some("清城府〔2023〕13号")),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();
    store
        .create_item(
            g.org.id,
            g.user,
            &fields(g.node, "丁", Some("清城府(2023)12号")),
            &ev(g.user, "create", at),
        )
        .await
        .unwrap();
    store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "戊", None),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();
    store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "己", None),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();
    store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "庚", Some("  ")),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();
    store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "辛", Some("")),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();

    // editing: keeping one's own number is fine, taking another's is not
    let third = store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "壬", Some("清城府〔2024〕1号")),
            &ev(f.user, "create", at),
        )
        .await
        .unwrap();
    store
        .update_item_fields(
            first.id,
            &fields(f.node, "甲改", Some("清城府（2023）12号")),
            &ev(f.user, "edit", at),
        )
        .await
        .unwrap();
    let (field, _) = conflict_field(
        store
            .update_item_fields(
                third.id,
                &fields(f.node, "壬", Some("清城府[2023]13号")),
                &ev(f.user, "edit", at),
            )
            .await,
    );
    assert_eq!(field, "doc_number");
    assert_eq!(
        store
            .item(third.id)
            .await
            .unwrap()
            .unwrap()
            .fields
            .doc_number
            .as_deref(),
        Some("清城府〔2024〕1号")
    );
    // the database constraint backs the check up
    let forged = sqlx::query("UPDATE items SET doc_number_key = $1 WHERE id = $2")
        .bind("清城府〔2023〕12号")
        .bind(third.id)
        .execute(raw_pool(store))
        .await;
    assert!(forged.is_err());
    assert_eq!(
        store
            .list_items(&ItemQuery {
                org_ids: vec![f.org.id],
                ..Default::default()
            })
            .await
            .unwrap()
            .total,
        7
    );
}

async fn transitions(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let item = store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "甲", None),
            &ev(f.user, "create", "2024-03-01T08:00:00Z"),
        )
        .await
        .unwrap();
    let moved = store
        .transition_item(
            item.id,
            ItemStatus::Draft,
            ItemStatus::Submitted,
            Some("ignored"),
            &ev(f.user, "submit", "2024-03-01T09:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(moved.status, ItemStatus::Submitted);
    assert_eq!(moved.withdraw_reason, None);
    assert_eq!(moved.updated_at, t("2024-03-01T09:00:00Z"));
    // someone else acted first
    let (field, message) = conflict_field(
        store
            .transition_item(
                item.id,
                ItemStatus::Draft,
                ItemStatus::Submitted,
                None,
                &ev(f.user, "submit", "2024-03-01T09:00:01Z"),
            )
            .await,
    );
    assert_eq!(
        (field, message.as_str()),
        ("status", "该信息状态已变化，请刷新后重试")
    );
    assert_eq!(store.item_events(item.id).await.unwrap().len(), 2);
    assert_not_found(
        store
            .transition_item(
                9999,
                ItemStatus::Draft,
                ItemStatus::Submitted,
                None,
                &ev(f.user, "submit", "2024-03-01T09:00:00Z"),
            )
            .await,
        "信息",
    );
    // publishing a non-approved item is a status conflict
    assert_eq!(
        conflict_field(
            store
                .publish_item(
                    item.id,
                    d(2024, 3, 2),
                    &render(2024),
                    &ev(f.user, "publish", "2024-03-02T00:00:00Z")
                )
                .await
        )
        .0,
        "status"
    );
    assert_not_found(
        store
            .publish_item(
                9999,
                d(2024, 3, 2),
                &render(2024),
                &ev(f.user, "publish", "2024-03-02T00:00:00Z"),
            )
            .await,
        "信息",
    );

    store
        .transition_item(
            item.id,
            ItemStatus::Submitted,
            ItemStatus::Approved,
            None,
            &ev(f.user, "approve", "2024-03-01T10:00:00Z"),
        )
        .await
        .unwrap();
    store
        .publish_item(
            item.id,
            d(2024, 3, 2),
            &render(2024),
            &ev(f.user, "publish", "2024-03-02T00:00:00Z"),
        )
        .await
        .unwrap();
    let w = store
        .transition_item(
            item.id,
            ItemStatus::Published,
            ItemStatus::Withdrawn,
            Some("依申请撤回"),
            &ev(f.user, "withdraw", "2024-03-03T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(w.withdraw_reason.as_deref(), Some("依申请撤回"));
    assert_eq!(w.publish_date, Some(d(2024, 3, 2)));
    let back = store
        .transition_item(
            item.id,
            ItemStatus::Withdrawn,
            ItemStatus::Draft,
            None,
            &ev(f.user, "reopen", "2024-03-04T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(back.withdraw_reason, None);
    // an unknown actor rolls the whole step back
    assert_not_found(
        store
            .transition_item(
                item.id,
                ItemStatus::Draft,
                ItemStatus::Submitted,
                None,
                &ev(9999, "submit", "2024-03-05T00:00:00Z"),
            )
            .await,
        "用户",
    );
    assert_eq!(
        store.item(item.id).await.unwrap().unwrap().status,
        ItemStatus::Draft
    );
}

async fn publish_assigns_serials(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "shijiao", "C2").await;
    let mut a = Vec::new();
    for i in 0..5 {
        a.push(approved_item(store, &f, &format!("甲{i}")).await);
    }
    let b = approved_item(store, &g, "乙").await;
    let publish = |id: i64, date: NaiveDate, prefix: &'static str| async move {
        let year = date.year();
        let render = move |serial: u64| format!("{prefix}/{year}-{serial:05}");
        store
            .publish_item(
                id,
                date,
                &render,
                &ev(f.user, "publish", "2024-06-01T00:00:00Z"),
            )
            .await
            .unwrap()
    };
    let p0 = publish(a[0], d(2024, 1, 5), "A").await;
    assert_eq!(p0.status, ItemStatus::Published);
    assert_eq!(p0.publish_date, Some(d(2024, 1, 5)));
    assert_eq!(p0.index_no.as_deref(), Some("A/2024-00001"));
    assert_eq!(
        publish(a[1], d(2024, 6, 5), "A").await.index_no.as_deref(),
        Some("A/2024-00002")
    );
    assert_eq!(
        publish(a[2], d(2024, 12, 31), "A")
            .await
            .index_no
            .as_deref(),
        Some("A/2024-00003")
    );
    // the next year restarts; other organisations count on their own
    assert_eq!(
        publish(a[3], d(2025, 1, 1), "A").await.index_no.as_deref(),
        Some("A/2025-00001")
    );
    assert_eq!(
        publish(b, d(2024, 6, 5), "B").await.index_no.as_deref(),
        Some("B/2024-00001")
    );
    assert_eq!(
        publish(a[4], d(2024, 7, 1), "A").await.index_no.as_deref(),
        Some("A/2024-00004")
    );

    // republishing keeps the 索引号 and does not consume a serial
    store
        .transition_item(
            a[1],
            ItemStatus::Published,
            ItemStatus::Withdrawn,
            Some("更正"),
            &ev(f.user, "withdraw", "2024-07-01T00:00:00Z"),
        )
        .await
        .unwrap();
    store
        .transition_item(
            a[1],
            ItemStatus::Withdrawn,
            ItemStatus::Approved,
            None,
            &ev(f.user, "reapprove", "2024-07-02T00:00:00Z"),
        )
        .await
        .unwrap();
    let again = publish(a[1], d(2024, 7, 3), "A").await;
    assert_eq!(again.index_no.as_deref(), Some("A/2024-00002"));
    assert_eq!(again.publish_date, Some(d(2024, 7, 3)));
    let next = approved_item(store, &f, "甲5").await;
    assert_eq!(
        publish(next, d(2024, 8, 1), "A").await.index_no.as_deref(),
        Some("A/2024-00005")
    );
}

async fn index_number_uniqueness(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let first = approved_item(store, &f, "甲").await;
    let second = approved_item(store, &f, "乙").await;
    let fixed = |_serial: u64| "SAME-INDEX".to_owned();
    store
        .publish_item(
            first,
            d(2024, 1, 1),
            &fixed,
            &ev(f.user, "publish", "2024-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let (field, message) = conflict_field(
        store
            .publish_item(
                second,
                d(2024, 1, 2),
                &fixed,
                &ev(f.user, "publish", "2024-01-02T00:00:00Z"),
            )
            .await,
    );
    assert_eq!(field, "index_no");
    assert!(message.contains("SAME-INDEX"), "{message}");
    // nothing was saved: still approved, no event, serial not consumed
    let item = store.item(second).await.unwrap().unwrap();
    assert_eq!(
        (item.status, item.index_no, item.publish_date),
        (ItemStatus::Approved, None, None)
    );
    assert_eq!(store.item_events(second).await.unwrap().len(), 3);
    let p = store
        .publish_item(
            second,
            d(2024, 1, 2),
            &render(2024),
            &ev(f.user, "publish", "2024-01-02T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(p.index_no.as_deref(), Some("ORG/2024-00002"));
    // and the database refuses duplicates too
    let forged = sqlx::query("UPDATE items SET index_no = $1 WHERE id = $2")
        .bind("SAME-INDEX")
        .bind(second)
        .execute(raw_pool(store))
        .await;
    assert!(forged.is_err());
}

async fn concurrent_publishes(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let mut ids = Vec::new();
    for i in 0..16 {
        ids.push(approved_item(store, &f, &format!("并发{i}")).await);
    }
    let publish = |id: i64| {
        let user = f.user;
        async move {
            store
                .publish_item(
                    id,
                    d(2024, 9, 1),
                    &render(2024),
                    &ev(user, "publish", "2024-09-01T00:00:00Z"),
                )
                .await
        }
    };
    // six at once on this task…
    let (r0, r1, r2, r3, r4, r5) = tokio::join!(
        publish(ids[0]),
        publish(ids[1]),
        publish(ids[2]),
        publish(ids[3]),
        publish(ids[4]),
        publish(ids[5])
    );
    let mut indexes: Vec<String> = [r0, r1, r2, r3, r4, r5]
        .into_iter()
        .map(|r| r.unwrap().index_no.unwrap())
        .collect();
    // …and ten on worker threads, plus racing publishers of one item
    let mut set = tokio::task::JoinSet::new();
    for &id in &ids[6..] {
        let (s, user) = (store.clone(), f.user);
        set.spawn(async move {
            s.publish_item(
                id,
                d(2024, 9, 2),
                &render(2024),
                &ev(user, "publish", "2024-09-02T00:00:00Z"),
            )
            .await
        });
    }
    let mut conflicts = 0;
    for _ in 0..3 {
        let (s, user, id) = (store.clone(), f.user, ids[15]);
        set.spawn(async move {
            s.publish_item(
                id,
                d(2024, 9, 2),
                &render(2024),
                &ev(user, "publish", "2024-09-02T00:00:00Z"),
            )
            .await
        });
    }
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(item) => indexes.push(item.index_no.unwrap()),
            Err(StoreError::Conflict {
                field: "status", ..
            }) => conflicts += 1,
            Err(e) => panic!("publish failed: {e}"),
        }
    }
    assert_eq!(conflicts, 3, "item 15 is published exactly once");
    let unique: BTreeSet<&String> = indexes.iter().collect();
    assert_eq!(unique.len(), 16, "{indexes:?}");
    let expected: BTreeSet<String> = (1..=16).map(|s| format!("ORG/2024-{s:05}")).collect();
    assert_eq!(
        unique.into_iter().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(
        store
            .item_events(ids[15])
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "publish")
            .count(),
        1
    );
}

async fn validity(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let id = approved_item(store, &f, "甲").await;
    let (field, _) = conflict_field(
        store
            .set_item_validity(
                id,
                Validity::Repealed,
                Some(d(2024, 5, 1)),
                "废止",
                &ev(f.user, "validity", "2024-05-01T00:00:00Z"),
            )
            .await,
    );
    assert_eq!(field, "status");
    store
        .publish_item(
            id,
            d(2024, 4, 1),
            &render(2024),
            &ev(f.user, "publish", "2024-04-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let item = store
        .set_item_validity(
            id,
            Validity::Repealed,
            Some(d(2024, 5, 1)),
            "被新文件废止",
            &ev(f.user, "validity", "2024-05-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            item.validity,
            item.validity_date,
            item.validity_note.as_str()
        ),
        (Validity::Repealed, Some(d(2024, 5, 1)), "被新文件废止")
    );
    assert_eq!(item.status, ItemStatus::Published);
    let item = store
        .set_item_validity(
            id,
            Validity::Valid,
            None,
            "",
            &ev(f.user, "validity", "2024-05-02T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!((item.validity, item.validity_date), (Validity::Valid, None));
    let last = store.item_events(id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.from_status, last.to_status),
        (
            "validity",
            Some(ItemStatus::Published),
            ItemStatus::Published
        )
    );
    assert_not_found(
        store
            .set_item_validity(
                9999,
                Validity::Valid,
                None,
                "",
                &ev(f.user, "validity", "2024-05-02T00:00:00Z"),
            )
            .await,
        "信息",
    );
}

async fn events_order(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let reviewer = store
        .create_user(
            &NewUser {
                username: "reviewer".into(),
                display_name: "审核人甲".into(),
                org_id: f.org.id,
                roles: vec![Role::Reviewer],
            },
            "h",
            t("2024-01-01T00:00:00Z"),
        )
        .await
        .unwrap()
        .id;
    let item = store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "甲", None),
            &ev(f.user, "create", "2024-03-01T08:00:00Z"),
        )
        .await
        .unwrap();
    store
        .update_item_fields(
            item.id,
            &fields(f.node, "甲改", None),
            &ev(f.user, "edit", "2024-03-01T08:30:00Z"),
        )
        .await
        .unwrap();
    store
        .transition_item(
            item.id,
            ItemStatus::Draft,
            ItemStatus::Submitted,
            None,
            &ev(f.user, "submit", "2024-03-01T09:00:00Z"),
        )
        .await
        .unwrap();
    store
        .transition_item(
            item.id,
            ItemStatus::Submitted,
            ItemStatus::Approved,
            None,
            &ev(reviewer, "approve", "2024-03-01T10:00:00Z"),
        )
        .await
        .unwrap();
    store
        .publish_item(
            item.id,
            d(2024, 3, 2),
            &render(2024),
            &ev(reviewer, "publish", "2024-03-02T00:00:00Z"),
        )
        .await
        .unwrap();
    // a later rename does not rewrite history
    store
        .set_user_display_name(reviewer, "审核人乙")
        .await
        .unwrap();
    let events = store.item_events(item.id).await.unwrap();
    let summary: Vec<(&str, Option<ItemStatus>, ItemStatus, &str)> = events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.from_status,
                e.to_status,
                e.actor_name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("create", None, ItemStatus::Draft, "yuantan编辑"),
            (
                "edit",
                Some(ItemStatus::Draft),
                ItemStatus::Draft,
                "yuantan编辑"
            ),
            (
                "submit",
                Some(ItemStatus::Draft),
                ItemStatus::Submitted,
                "yuantan编辑"
            ),
            (
                "approve",
                Some(ItemStatus::Submitted),
                ItemStatus::Approved,
                "审核人甲"
            ),
            (
                "publish",
                Some(ItemStatus::Approved),
                ItemStatus::Published,
                "审核人甲"
            ),
        ]
    );
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    assert!(events.iter().all(|e| e.item_id == item.id));
    assert_eq!(events[3].actor_id, reviewer);
    assert_eq!(events[3].comment, "approve 备注");
    assert_eq!(events[4].at, t("2024-03-02T00:00:00Z"));
    assert!(store.item_events(9999).await.unwrap().is_empty());
}

async fn attachments(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let item = store
        .create_item(
            f.org.id,
            f.user,
            &fields(f.node, "甲", None),
            &ev(f.user, "create", "2024-03-01T08:00:00Z"),
        )
        .await
        .unwrap();
    let now = t("2024-03-01T09:00:00Z");
    let a = store
        .add_attachment(item.id, "通知.pdf", "application/pdf", b"abc", now)
        .await
        .unwrap();
    assert_eq!(
        a.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        (
            a.size,
            a.item_id,
            a.filename.as_str(),
            a.content_type.as_str()
        ),
        (3, item.id, "通知.pdf", "application/pdf")
    );
    let binary: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let b = store
        .add_attachment(
            item.id,
            "附件2.bin",
            "application/octet-stream",
            &binary,
            now,
        )
        .await
        .unwrap();
    let empty = store
        .add_attachment(item.id, "空.txt", "text/plain", b"", now)
        .await
        .unwrap();
    assert_eq!(empty.size, 0);
    assert_eq!(
        store.attachments(item.id).await.unwrap(),
        vec![a.clone(), b.clone(), empty.clone()]
    );
    assert_eq!(store.attachment(b.id).await.unwrap(), Some(b.clone()));
    assert_eq!(
        store.attachment_content(a.id).await.unwrap().as_deref(),
        Some(&b"abc"[..])
    );
    assert_eq!(store.attachment_content(b.id).await.unwrap(), Some(binary));
    assert_eq!(
        store.attachment_content(empty.id).await.unwrap(),
        Some(vec![])
    );
    assert_eq!(store.attachment_content(9999).await.unwrap(), None);
    assert_eq!(store.attachment(9999).await.unwrap(), None);
    store.delete_attachment(a.id, chrono::Utc::now()).await.unwrap();
    assert_not_found(store.delete_attachment(a.id, chrono::Utc::now()).await, "附件");
    assert_eq!(store.attachments(item.id).await.unwrap(), vec![b, empty]);
    assert_not_found(
        store
            .add_attachment(9999, "x", "text/plain", b"x", now)
            .await,
        "信息",
    );
}

fn audit_entry(i: i64, success: bool) -> NewAuditEntry {
    NewAuditEntry {
        at: t("2024-04-01T08:00:00.000000001Z") + Duration::seconds(i),
        actor_id: if i % 2 == 0 { Some(i) } else { None },
        actor_name: format!("用户{i}"),
        org_id: if i % 3 == 0 { None } else { Some(7) },
        action: if success {
            "login".into()
        } else {
            "login_failed".into()
        },
        target: format!("user:{i}"),
        detail: format!("详情 \"{i}\"\n换行"),
        client: "127.0.0.1 Mozilla/5.0".into(),
        success,
    }
}

async fn audit_chain(store: &Store) {
    assert_eq!(store.verify_audit_chain().await.unwrap(), None);
    let mut appended = Vec::new();
    for i in 0..5 {
        appended.push(store.append_audit(&audit_entry(i, i != 3)).await.unwrap());
    }
    assert_eq!(appended[0].prev_hash, AUDIT_GENESIS_HASH);
    for w in appended.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
        assert_eq!(w[1].id, w[0].id + 1);
    }
    assert!(appended
        .iter()
        .all(|e| e.hash.len() == 64 && e.expected_hash() == e.hash));
    assert_eq!(store.verify_audit_chain().await.unwrap(), None);

    let page = store.audit_entries(2, 0).await.unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(
        page.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![appended[4].id, appended[3].id]
    );
    let page = store.audit_entries(10, 3).await.unwrap();
    assert_eq!(page.items.len(), 2);
    let stored = &page.items[1];
    let orig = &appended[0];
    assert_eq!(
        (stored.at, stored.actor_id, stored.org_id, stored.success),
        (orig.at, orig.actor_id, orig.org_id, orig.success)
    );
    assert_eq!(
        (
            &stored.actor_name,
            &stored.detail,
            &stored.client,
            &stored.hash
        ),
        (&orig.actor_name, &orig.detail, &orig.client, &orig.hash)
    );
    assert!(!store.audit_entries(10, 0).await.unwrap().items[1].success);

    // A modified copy no longer matches its hash.
    let mut altered = stored.clone();
    altered.success = !altered.success;
    assert_ne!(altered.expected_hash(), altered.hash);

    // Concurrent appends keep one unbroken chain.
    let mut set = tokio::task::JoinSet::new();
    for i in 10..20 {
        let s = store.clone();
        set.spawn(async move { s.append_audit(&audit_entry(i, true)).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    assert_eq!(store.audit_entries(0, 0).await.unwrap().items.len(), 15);
    assert_eq!(store.verify_audit_chain().await.unwrap(), None);
}

async fn audit_log_is_append_only(store: &Store) {
    for i in 0..3 {
        store.append_audit(&audit_entry(i, true)).await.unwrap();
    }
    let pool = raw_pool(store);
    assert!(
        sqlx::query("UPDATE audit_log SET detail = 'x' WHERE id = 2")
            .execute(pool)
            .await
            .is_err()
    );
    assert!(sqlx::query("UPDATE audit_log SET success = 0")
        .execute(pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log WHERE id = 3")
        .execute(pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(pool)
        .await
        .is_err());
    if store.backend() == Backend::Postgres {
        assert!(sqlx::query("TRUNCATE audit_log")
            .execute(pool)
            .await
            .is_err());
    }
    assert_eq!(store.audit_entries(10, 0).await.unwrap().total, 3);
    assert_eq!(store.verify_audit_chain().await.unwrap(), None);
}

async fn audit_tampering_detected(store: &Store) {
    let mut last = None;
    for i in 0..3 {
        last = Some(store.append_audit(&audit_entry(i, true)).await.unwrap());
    }
    let last = last.unwrap();
    // A row forged directly in the table, linked to the chain but with a hash
    // that does not cover its content.
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, org_id, action, target, detail, client, success, prev_hash, hash) \
         VALUES ($1, $2, NULL, '入侵者', NULL, 'user.create', 'user:99', '', '', 1, $3, $4)",
    )
    .bind(last.id + 1)
    .bind("2024-04-02T00:00:00.000000000Z")
    .bind(&last.hash)
    .bind(&last.hash)
    .execute(raw_pool(store))
    .await
    .unwrap();
    assert_eq!(store.verify_audit_chain().await.unwrap(), Some(last.id + 1));
    // Entries appended after it are chained to it, but the break stays visible.
    store.append_audit(&audit_entry(9, true)).await.unwrap();
    assert_eq!(store.verify_audit_chain().await.unwrap(), Some(last.id + 1));
}

async fn calendar_years(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    assert!(store.calendar_years().await.unwrap().is_empty());
    let y2026 = StoredCalendarYear {
        year: 2026,
        json: r#"{"holidays":[]}"#.into(),
        added_by: f.user,
        added_at: t("2025-11-01T00:00:00Z"),
    };
    let y2025 = StoredCalendarYear {
        year: 2025,
        json: r#"{"holidays":["2025-01-01"]}"#.into(),
        ..y2026.clone()
    };
    store.put_calendar_year(&y2026).await.unwrap();
    store.put_calendar_year(&y2025).await.unwrap();
    let replaced = StoredCalendarYear {
        json: r#"{"holidays":["2026-01-01"]}"#.into(),
        added_at: t("2025-12-01T00:00:00Z"),
        ..y2026.clone()
    };
    store.put_calendar_year(&replaced).await.unwrap();
    let years = store.calendar_years().await.unwrap();
    let got: Vec<(i32, &str, i64, DateTime<Utc>)> = years
        .iter()
        .map(|y| (y.year, y.json.as_str(), y.added_by, y.added_at))
        .collect();
    assert_eq!(
        got,
        vec![
            (2025, y2025.json.as_str(), f.user, y2025.added_at),
            (2026, replaced.json.as_str(), f.user, replaced.added_at)
        ]
    );
    assert_not_found(
        store
            .put_calendar_year(&StoredCalendarYear {
                added_by: 9999,
                ..y2025
            })
            .await,
        "用户",
    );
}

// ---------------------------------------------------------------- connection

#[tokio::test]
async fn unsupported_urls_are_refused() {
    for url in ["mysql://root@localhost/x", "nonsense", "postgres-ish:foo"] {
        match Store::connect(url).await {
            Err(StoreError::UnsupportedUrl(_)) => {}
            Err(e) => panic!("{url}: unexpected error {e}"),
            Ok(_) => panic!("{url}: accepted"),
        }
    }
}

#[tokio::test]
async fn sqlite_creates_missing_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c/gongkai.db");
    let store = Store::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    store.close().await;
    assert!(path.exists());
    // data survives a reopen
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store
        .create_org(&new_org("yuantan", "C1", None))
        .await
        .unwrap();
    store.close().await;
    let store = Store::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(store.orgs().await.unwrap().len(), 1);
    store.close().await;
}

#[tokio::test]
async fn sqlite_in_memory_for_tests() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let f = fixture(&store, "yuantan", "C1").await;
    let id = approved_item(&store, &f, "甲").await;
    let item = store
        .publish_item(
            id,
            d(2024, 1, 1),
            &render(2024),
            &ev(f.user, "publish", "2024-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(item.index_no.as_deref(), Some("ORG/2024-00001"));
    assert_eq!(store.orgs().await.unwrap().len(), 1);
}

#[tokio::test]
async fn test_support_urls_open_the_same_database() {
    let (store, db) = fresh_sqlite().await;
    store
        .create_org(&new_org("yuantan", "C1", None))
        .await
        .unwrap();
    let again = Store::connect(db.url()).await.unwrap();
    assert_eq!(again.orgs().await.unwrap().len(), 1);
    if let Some((pg, pg_db)) = fresh_postgres().await {
        assert_eq!(pg.backend(), Backend::Postgres);
        pg.create_org(&new_org("yuantan", "C1", None))
            .await
            .unwrap();
        let again = Store::connect(pg_db.url()).await.unwrap();
        assert_eq!(again.orgs().await.unwrap().len(), 1);
        again.close().await;
        pg.close().await;
    }
}

#[tokio::test]
async fn postgres_refuses_asynchronous_commit() {
    let Some((store, db)) = fresh_postgres().await else {
        return;
    };
    store.close().await;
    let url = format!("{}?options=-c%20synchronous_commit%3Doff", db.url());
    match Store::connect(&url).await {
        Err(StoreError::Durability(message)) => {
            assert!(message.contains("synchronous_commit"), "{message}")
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("accepted synchronous_commit=off"),
    }
}
