//! Storage of applications for disclosure (依申请公开): headers, steps,
//! letters and the appeals register. Every case is written once against
//! `&Store` and run on both backends (modules `sqlite` and `postgres`).
//! PostgreSQL cases need GONGKAI_TEST_DATABASE_URL; without it they say so on
//! stderr and pass (and panic when CI is set).

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{
    ApplicantKind, Approver, Channel, ConsultParty, OrgType, Outcome, State, Step,
};
use gongkai_domain::model::{DisclosureOffice, OrgLevel, Role};
use gongkai_store::test_support::raw_pool;
use gongkai_store::{
    AppealKind, AppealResult, ApplicationQuery, NewAppeal, NewApplication, NewOrganisation,
    NewUser, Store, StoreError, StoredApplication,
};
use sqlx::Row;

use gongkai_store::on_both_backends;

on_both_backends!(
    migrations_are_idempotent,
    create_and_read_round_trip,
    applicant_kinds_and_channels_round_trip,
    create_errors,
    duplicate_tracking_code,
    lookup_by_tracking_code,
    listing_filters_and_paging,
    steps_append_in_sequence,
    stale_append_conflicts,
    unique_step_key_is_last_defence,
    concurrent_appends,
    applications_with_steps,
    cases_for_a_years_statistics,
    count_in_month,
    letters_versions_and_freezing,
    appeals_register,
    audited_writes_store_the_action_and_its_entry_together,
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

/// One organisation with a staff member.
struct Fixture {
    org: i64,
    user: i64,
}

async fn fixture(store: &Store, slug: &str, code: &str) -> Fixture {
    let org = store
        .create_org(&NewOrganisation {
            slug: slug.to_owned(),
            name: format!("{slug}人民政府"),
            org_code: code.to_owned(),
            level: OrgLevel::Township,
            parent_id: None,
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
        })
        .await
        .expect("org")
        .id;
    let user = store
        .create_user(
            &NewUser {
                username: format!("{slug}_clerk"),
                display_name: format!("{slug}经办人"),
                org_id: org,
                roles: vec![Role::Editor],
            },
            "$argon2id$hash",
            t("2024-01-01T00:00:00Z"),
        )
        .await
        .expect("user")
        .id;
    Fixture { org, user }
}

fn new_app(org_id: i64, code: &str, received: NaiveDate) -> NewApplication {
    NewApplication {
        org_id,
        tracking_code: code.to_owned(),
        secret_hash: format!("hash-of-{code}"),
        applicant: ApplicantKind::NaturalPerson,
        applicant_name: "张三".into(),
        id_doc_type: "resident_id".into(),
        id_doc_number: "44180219900101123X".into(),
        phone: "13800000000".into(),
        email: "zhangsan@example.com".into(),
        postal_address: String::new(),
        description: "2023年源潭镇道路维修工程的招标文件".into(),
        forms: "electronic".into(),
        delivery: "email".into(),
        channel: Channel::Online,
        submitted_on: received,
        received,
        registered_by: None,
        at: t("2024-03-01T08:00:00.123456789Z"),
    }
}

async fn create(store: &Store, org_id: i64, code: &str, received: NaiveDate) -> StoredApplication {
    store
        .create_application(&new_app(org_id, code, received))
        .await
        .expect("create application")
}

fn accept(handler_id: i64) -> Step {
    Step::Accept {
        date: d(2024, 3, 4),
        handler_id,
    }
}

fn start() -> Step {
    Step::StartProcessing {
        date: d(2024, 3, 5),
    }
}

fn reply() -> Step {
    Step::Reply {
        date: d(2024, 3, 20),
        outcome: Outcome::PartlyDisclosed,
        basis: "条例第三十七条".into(),
        remedies_stated: true,
        override_reason: None,
    }
}

fn conflict_field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> (&'static str, String) {
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

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(raw_pool(store))
        .await
        .expect("count")
        .get::<i64, _>(0)
}

// ---------------------------------------------------------------- cases

async fn migrations_are_idempotent(store: &Store) {
    store.migrate().await.expect("second migration run");
    store.migrate().await.expect("third migration run");
    // Each migration file is recorded once however often migrate() runs.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations dir")
        .count() as i64;
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM _sqlx_migrations").await,
        files
    );
    for table in ["applications", "application_steps", "letters", "appeals"] {
        assert_eq!(
            count(store, &format!("SELECT COUNT(*) FROM {table}")).await,
            0
        );
    }
}

async fn create_and_read_round_trip(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let new = NewApplication {
        org_id: f.org,
        tracking_code: "GK2024-ABCD-1234".into(),
        secret_hash: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8".into(),
        applicant: ApplicantKind::Organisation(OrgType::LegalService),
        applicant_name: "广东某某律师事务所".into(),
        id_doc_type: "unified_social_credit_code".into(),
        id_doc_number: "91440000MA4UXXXX1K".into(),
        phone: "0763-8888888".into(),
        email: "lawfirm@example.com".into(),
        postal_address: "广东省清远市清城区某某路1号（邮编511500）".into(),
        description: "请求公开《清城区2023年征地补偿安置方案》及其批准文件，文号：清府〔2023〕12号"
            .into(),
        forms: "paper,electronic".into(),
        delivery: "post".into(),
        channel: Channel::RegisteredPost,
        submitted_on: d(2024, 2, 27),
        received: d(2024, 3, 1),
        registered_by: Some(f.user),
        at: t("2024-03-01T08:30:00.987654321Z"),
    };
    let app = store.create_application(&new).await.expect("create");
    assert!(app.id > 0);
    assert_eq!(app.org_id, f.org);
    assert_eq!(app.tracking_code, new.tracking_code);
    assert_eq!(app.applicant, new.applicant);
    assert_eq!(app.applicant_name, new.applicant_name);
    assert_eq!(app.id_doc_type, new.id_doc_type);
    assert_eq!(app.id_doc_number, new.id_doc_number);
    assert_eq!(app.phone, new.phone);
    assert_eq!(app.email, new.email);
    assert_eq!(app.postal_address, new.postal_address);
    assert_eq!(app.description, new.description);
    assert_eq!(app.forms, new.forms);
    assert_eq!(app.delivery, new.delivery);
    assert_eq!(app.channel, new.channel);
    assert_eq!(app.submitted_on, new.submitted_on);
    assert_eq!(app.received, new.received);
    assert_eq!(app.registered_by, Some(f.user));
    assert_eq!(app.state, State::Received);
    assert_eq!(app.handler_id, None);
    assert_eq!(app.steps, 0);
    assert_eq!(app.created_at, new.at);
    assert_eq!(app.updated_at, new.at);

    let again = store.application(app.id).await.unwrap().expect("stored");
    assert_eq!(format!("{again:?}"), format!("{app:?}"));
    assert!(store.application(app.id + 1000).await.unwrap().is_none());
    assert!(store.application_steps(app.id).await.unwrap().is_empty());
    assert!(store.letters(app.id).await.unwrap().is_empty());
}

async fn applicant_kinds_and_channels_round_trip(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    for (i, kind) in ApplicantKind::ALL.into_iter().enumerate() {
        let mut new = new_app(f.org, &format!("K{i}"), d(2024, 3, 1));
        new.applicant = kind;
        let app = store.create_application(&new).await.expect("create");
        let back = store.application(app.id).await.unwrap().expect("stored");
        assert_eq!(back.applicant, kind);
    }
    for (i, channel) in Channel::ALL.into_iter().enumerate() {
        let mut new = new_app(f.org, &format!("C{i}"), d(2024, 3, 1));
        new.channel = channel;
        let app = store.create_application(&new).await.expect("create");
        let back = store.application(app.id).await.unwrap().expect("stored");
        assert_eq!(back.channel, channel);
    }
}

async fn create_errors(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    assert_not_found(
        store
            .create_application(&new_app(f.org + 100, "X1", d(2024, 3, 1)))
            .await,
        "机关",
    );
    let mut new = new_app(f.org, "X2", d(2024, 3, 1));
    new.registered_by = Some(f.user + 100);
    assert_not_found(store.create_application(&new).await, "用户");
    assert_eq!(count(store, "SELECT COUNT(*) FROM applications").await, 0);
}

async fn duplicate_tracking_code(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "longtang", "C2").await;
    create(store, f.org, "DUP-0001", d(2024, 3, 1)).await;
    // unique across the installation, not per organisation
    let (field, message) = conflict_field(
        store
            .create_application(&new_app(g.org, "DUP-0001", d(2024, 3, 2)))
            .await,
    );
    assert_eq!(field, "tracking_code");
    assert!(message.contains("查询码"), "{message}");
    assert!(message.contains("DUP-0001"), "{message}");
    assert_eq!(count(store, "SELECT COUNT(*) FROM applications").await, 1);
}

async fn lookup_by_tracking_code(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let a = create(store, f.org, "TRACK-A", d(2024, 3, 1)).await;
    create(store, f.org, "TRACK-B", d(2024, 3, 1)).await;
    let (app, secret) = store
        .application_by_tracking_code("TRACK-A")
        .await
        .unwrap()
        .expect("found");
    assert_eq!(app.id, a.id);
    assert_eq!(secret, "hash-of-TRACK-A");
    assert!(store
        .application_by_tracking_code("TRACK-C")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .application_by_tracking_code("")
        .await
        .unwrap()
        .is_none());
}

async fn listing_filters_and_paging(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "longtang", "C2").await;
    let a1 = create(store, f.org, "L1", d(2023, 12, 30)).await;
    let a2 = create(store, f.org, "L2", d(2024, 1, 5)).await;
    let a3 = create(store, f.org, "L3", d(2024, 6, 1)).await;
    let a4 = create(store, f.org, "L4", d(2024, 6, 1)).await;
    let b1 = create(store, g.org, "L5", d(2024, 2, 1)).await;
    // a2 and a4 accepted by f.user
    for id in [a2.id, a4.id] {
        store
            .append_application_step(
                id,
                0,
                &accept(f.user),
                State::Accepted,
                Some(f.user),
                Some(f.user),
                "",
                t("2024-06-02T00:00:00Z"),
            )
            .await
            .expect("accept");
    }
    let ids = |p: &gongkai_store::Page<StoredApplication>| {
        p.items.iter().map(|a| a.id).collect::<Vec<_>>()
    };

    // newest received first, then id descending
    let all = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&all), vec![a4.id, a3.id, a2.id, a1.id]);
    assert_eq!(all.total, 4);

    let both = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org, g.org],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&both), vec![a4.id, a3.id, b1.id, a2.id, a1.id]);

    let none = store
        .applications(&ApplicationQuery::default())
        .await
        .unwrap();
    assert!(none.items.is_empty());
    assert_eq!(none.total, 0);

    let accepted = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org, g.org],
            states: vec![State::Accepted],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&accepted), vec![a4.id, a2.id]);
    assert!(accepted.items.iter().all(|a| a.state == State::Accepted));

    let open = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            states: vec![State::Received, State::Closed],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&open), vec![a3.id, a1.id]);

    let mine = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            handler_id: Some(f.user),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&mine), vec![a4.id, a2.id]);
    assert!(mine.items.iter().all(|a| a.handler_id == Some(f.user)));

    let y2024 = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            received_year: Some(2024),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&y2024), vec![a4.id, a3.id, a2.id]);
    let y2023 = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            received_year: Some(2023),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&y2023), vec![a1.id]);

    // combined filters
    let combined = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org, g.org],
            states: vec![State::Accepted],
            handler_id: Some(f.user),
            received_year: Some(2024),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&combined), vec![a4.id, a2.id]);

    // paging keeps the total
    let page1 = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            limit: 3,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&page1), vec![a4.id, a3.id, a2.id]);
    assert_eq!(page1.total, 4);
    let page2 = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            limit: 3,
            offset: 3,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&page2), vec![a1.id]);
    assert_eq!(page2.total, 4);
    let beyond = store
        .applications(&ApplicationQuery {
            org_ids: vec![f.org],
            limit: 3,
            offset: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 4);
}

async fn steps_append_in_sequence(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let app = create(store, f.org, "S1", d(2024, 3, 1)).await;
    let at1 = t("2024-03-04T09:00:00.000000001Z");
    let s1 = store
        .append_application_step(
            app.id,
            0,
            &accept(f.user),
            State::Accepted,
            Some(f.user),
            None,
            "网上申请自动受理",
            at1,
        )
        .await
        .expect("accept");
    assert_eq!(s1.application_id, app.id);
    assert_eq!(s1.seq, 1);
    assert_eq!(s1.step, accept(f.user));
    assert_eq!(s1.state, State::Accepted);
    assert_eq!(s1.actor_id, None);
    assert_eq!(s1.actor_name, "");
    assert_eq!(s1.note, "网上申请自动受理");
    assert_eq!(s1.at, at1);
    let header = store.application(app.id).await.unwrap().expect("app");
    assert_eq!(header.steps, 1);
    assert_eq!(header.state, State::Accepted);
    assert_eq!(header.handler_id, Some(f.user));
    assert_eq!(header.updated_at, at1);
    assert_eq!(header.created_at, app.created_at);

    let s2 = store
        .append_application_step(
            app.id,
            1,
            &start(),
            State::InProgress,
            Some(f.user),
            Some(f.user),
            "开始办理",
            t("2024-03-05T09:00:00Z"),
        )
        .await
        .expect("start");
    assert_eq!(s2.seq, 2);
    assert_eq!(s2.actor_id, Some(f.user));
    assert_eq!(s2.actor_name, "yuantan经办人");
    let ext = Step::Extend {
        date: d(2024, 3, 15),
        working_days: 10,
        approver: Approver {
            user_id: f.user,
            is_office_head: true,
        },
        applicant_notified: true,
    };
    store
        .append_application_step(
            app.id,
            2,
            &ext,
            State::InProgress,
            Some(f.user),
            Some(f.user),
            "",
            t("2024-03-15T09:00:00Z"),
        )
        .await
        .expect("extend");
    let consult = Step::Consult {
        date: d(2024, 3, 16),
        party: ConsultParty::ThirdParty,
        addressee: "某科技有限公司".into(),
    };
    store
        .append_application_step(
            app.id,
            3,
            &consult,
            State::ThirdPartyConsultation,
            Some(f.user),
            Some(f.user),
            "",
            t("2024-03-16T09:00:00Z"),
        )
        .await
        .expect("consult");
    // the handler may be cleared
    store
        .append_application_step(
            app.id,
            4,
            &reply(),
            State::Replied,
            None,
            Some(f.user),
            "答复",
            t("2024-03-20T09:00:00Z"),
        )
        .await
        .expect("reply");

    let steps = store.application_steps(app.id).await.unwrap();
    assert_eq!(
        steps.iter().map(|s| s.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        steps.iter().map(|s| s.step.clone()).collect::<Vec<_>>(),
        vec![accept(f.user), start(), ext, consult, reply()]
    );
    assert_eq!(
        steps.iter().map(|s| s.state).collect::<Vec<_>>(),
        vec![
            State::Accepted,
            State::InProgress,
            State::InProgress,
            State::ThirdPartyConsultation,
            State::Replied
        ]
    );
    let header = store.application(app.id).await.unwrap().expect("app");
    assert_eq!(header.steps, 5);
    assert_eq!(header.state, State::Replied);
    assert_eq!(header.handler_id, None);
    assert_eq!(header.updated_at, t("2024-03-20T09:00:00Z"));
}

async fn stale_append_conflicts(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let app = create(store, f.org, "S1", d(2024, 3, 1)).await;
    store
        .append_application_step(
            app.id,
            0,
            &accept(f.user),
            State::Accepted,
            Some(f.user),
            Some(f.user),
            "",
            t("2024-03-04T09:00:00Z"),
        )
        .await
        .expect("accept");
    let before = store.application(app.id).await.unwrap().expect("app");
    for expected in [0, 2, 7, -1] {
        let (field, message) = conflict_field(
            store
                .append_application_step(
                    app.id,
                    expected,
                    &start(),
                    State::InProgress,
                    None,
                    Some(f.user),
                    "",
                    t("2024-03-05T09:00:00Z"),
                )
                .await,
        );
        assert_eq!(field, "status");
        assert_eq!(message, "该申请已有新的办理记录，请刷新后重试");
    }
    let after = store.application(app.id).await.unwrap().expect("app");
    assert_eq!(format!("{after:?}"), format!("{before:?}"));
    assert_eq!(store.application_steps(app.id).await.unwrap().len(), 1);

    // unknown application, unknown actor or handler: nothing written
    assert_not_found(
        store
            .append_application_step(
                app.id + 100,
                0,
                &start(),
                State::InProgress,
                None,
                None,
                "",
                t("2024-03-05T09:00:00Z"),
            )
            .await,
        "申请",
    );
    assert_not_found(
        store
            .append_application_step(
                app.id,
                1,
                &start(),
                State::InProgress,
                None,
                Some(f.user + 100),
                "",
                t("2024-03-05T09:00:00Z"),
            )
            .await,
        "用户",
    );
    assert_not_found(
        store
            .append_application_step(
                app.id,
                1,
                &start(),
                State::InProgress,
                Some(f.user + 100),
                None,
                "",
                t("2024-03-05T09:00:00Z"),
            )
            .await,
        "用户",
    );
    let after = store.application(app.id).await.unwrap().expect("app");
    assert_eq!(format!("{after:?}"), format!("{before:?}"));
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM application_steps").await,
        1
    );
}

async fn unique_step_key_is_last_defence(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let app = create(store, f.org, "S1", d(2024, 3, 1)).await;
    // A step row the header does not count (as if written behind the store's back).
    sqlx::query(
        "INSERT INTO application_steps (application_id, seq, step, state_after, actor_id, note, at) \
         VALUES ($1, 1, $2, 'accepted', NULL, '', '2024-03-04T00:00:00.000000000Z')",
    )
    .bind(app.id)
    .bind(serde_json::to_string(&accept(f.user)).unwrap())
    .execute(raw_pool(store))
    .await
    .expect("raw insert");
    let (field, message) = conflict_field(
        store
            .append_application_step(
                app.id,
                0,
                &start(),
                State::InProgress,
                Some(f.user),
                Some(f.user),
                "",
                t("2024-03-05T09:00:00Z"),
            )
            .await,
    );
    assert_eq!(field, "status");
    assert_eq!(message, "该申请已有新的办理记录，请刷新后重试");
    // the header update was rolled back with the failed insert
    let header = store.application(app.id).await.unwrap().expect("app");
    assert_eq!(header.steps, 0);
    assert_eq!(header.state, State::Received);
    assert_eq!(header.handler_id, None);
    let steps = store.application_steps(app.id).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].step, accept(f.user));
}

async fn concurrent_appends(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let app = create(store, f.org, "RACE", d(2024, 3, 1)).await;
    let append = |expected: i64, note: &'static str| {
        let user = f.user;
        async move {
            store
                .append_application_step(
                    app.id,
                    expected,
                    &accept(user),
                    State::Accepted,
                    Some(user),
                    Some(user),
                    note,
                    t("2024-03-04T09:00:00Z"),
                )
                .await
        }
    };
    // two on this task, same expected_seq
    let (r1, r2) = tokio::join!(append(0, "甲"), append(0, "乙"));
    let winners: Vec<_> = [&r1, &r2].into_iter().filter(|r| r.is_ok()).collect();
    assert_eq!(winners.len(), 1, "{r1:?} {r2:?}");
    for r in [r1, r2] {
        if r.is_err() {
            assert_eq!(conflict_field(r).0, "status");
        }
    }
    // eight racing on worker threads, for several rounds
    for round in 1..=4i64 {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (s, user, id) = (store.clone(), f.user, app.id);
            set.spawn(async move {
                s.append_application_step(
                    id,
                    round,
                    &start(),
                    State::InProgress,
                    Some(user),
                    Some(user),
                    "",
                    t("2024-03-05T09:00:00Z"),
                )
                .await
            });
        }
        let mut ok = 0;
        while let Some(r) = set.join_next().await {
            match r.expect("task") {
                Ok(step) => {
                    assert_eq!(step.seq, round + 1);
                    ok += 1;
                }
                Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "status"),
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }
        assert_eq!(ok, 1, "round {round}");
    }
    let steps = store.application_steps(app.id).await.unwrap();
    assert_eq!(
        steps.iter().map(|s| s.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        store.application(app.id).await.unwrap().expect("app").steps,
        5
    );
}

async fn applications_with_steps(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "longtang", "C2").await;
    let late = create(store, f.org, "W1", d(2024, 5, 1)).await;
    let early = create(store, f.org, "W2", d(2024, 2, 1)).await;
    let other = create(store, g.org, "W3", d(2024, 1, 1)).await;
    store
        .append_application_step(
            late.id,
            0,
            &accept(f.user),
            State::Accepted,
            Some(f.user),
            Some(f.user),
            "",
            t("2024-05-02T00:00:00Z"),
        )
        .await
        .unwrap();
    store
        .append_application_step(
            late.id,
            1,
            &start(),
            State::InProgress,
            Some(f.user),
            None,
            "",
            t("2024-05-03T00:00:00Z"),
        )
        .await
        .unwrap();
    store
        .append_application_step(
            other.id,
            0,
            &accept(g.user),
            State::Accepted,
            Some(g.user),
            Some(g.user),
            "",
            t("2024-01-02T00:00:00Z"),
        )
        .await
        .unwrap();

    let list = store.applications_with_steps(&[f.org]).await.unwrap();
    assert_eq!(
        list.iter().map(|(a, _)| a.id).collect::<Vec<_>>(),
        vec![early.id, late.id]
    );
    assert!(list[0].1.is_empty());
    assert_eq!(
        list[1].1.iter().map(|s| s.seq).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(list[1].1[0].actor_name, "yuantan经办人");
    assert_eq!(list[1].1[1].actor_name, "");
    assert_eq!(list[1].1[1].step, start());
    assert_eq!(list[1].0.state, State::InProgress);

    let both = store
        .applications_with_steps(&[f.org, g.org])
        .await
        .unwrap();
    assert_eq!(
        both.iter()
            .map(|(a, s)| (a.id, s.len()))
            .collect::<Vec<_>>(),
        vec![(other.id, 1), (early.id, 0), (late.id, 2)]
    );
    assert!(store.applications_with_steps(&[]).await.unwrap().is_empty());
}

async fn count_in_month(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "longtang", "C2").await;
    let mut n = 0;
    let mut add = |org: i64, number: &str, received: NaiveDate| {
        n += 1;
        let mut new = new_app(org, &format!("M{n}"), received);
        new.id_doc_number = number.to_owned();
        new
    };
    let news = vec![
        add(f.org, "44180219900101123X", d(2024, 3, 1)),
        add(f.org, " 44180219900101123x ", d(2024, 3, 31)),
        add(f.org, "44180219900101123x\u{3000}", d(2024, 3, 15)),
        // other months
        add(f.org, "44180219900101123X", d(2024, 2, 29)),
        add(f.org, "44180219900101123X", d(2024, 4, 1)),
        add(f.org, "44180219900101123X", d(2023, 3, 10)),
        // other organisation
        add(g.org, "44180219900101123X", d(2024, 3, 10)),
        // other applicant
        add(f.org, "441802199001011234", d(2024, 3, 10)),
        // December, to check the year boundary
        add(f.org, "44180219900101123X", d(2024, 12, 31)),
        add(f.org, "44180219900101123X", d(2025, 1, 1)),
    ];
    for new in &news {
        store.create_application(new).await.expect("create");
    }
    for (number, month, expected) in [
        ("44180219900101123X", d(2024, 3, 1), 3),
        ("44180219900101123x", d(2024, 3, 20), 3),
        ("  44180219900101123x\t", d(2024, 3, 31), 3),
        ("44180219900101123X", d(2024, 2, 1), 1),
        ("44180219900101123X", d(2024, 4, 30), 1),
        ("44180219900101123X", d(2024, 12, 1), 1),
        ("44180219900101123X", d(2025, 1, 31), 1),
        ("441802199001011234", d(2024, 3, 1), 1),
        ("NOBODY", d(2024, 3, 1), 0),
        ("   ", d(2024, 3, 1), 0),
    ] {
        assert_eq!(
            store
                .count_applications_in_month(f.org, number, month)
                .await
                .unwrap(),
            expected,
            "{number:?} {month}"
        );
    }
    assert_eq!(
        store
            .count_applications_in_month(g.org, "44180219900101123x", d(2024, 3, 1))
            .await
            .unwrap(),
        1
    );
}

async fn letters_versions_and_freezing(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let app = create(store, f.org, "LT", d(2024, 3, 1)).await;
    let other = create(store, f.org, "LT2", d(2024, 3, 1)).await;
    let at = t("2024-03-04T10:00:00.000000005Z");
    let receipt = store
        .create_letter(
            app.id,
            "receipt",
            None,
            "申请回执",
            "<p>已收到您的申请</p>",
            None,
            at,
        )
        .await
        .expect("receipt");
    assert_eq!(receipt.application_id, app.id);
    assert_eq!(receipt.kind, "receipt");
    assert_eq!(receipt.step_seq, None);
    assert_eq!(receipt.version, 1);
    assert_eq!(receipt.title, "申请回执");
    assert_eq!(receipt.body_html, "<p>已收到您的申请</p>");
    assert_eq!(receipt.created_by, None);
    assert_eq!(receipt.created_at, at);
    assert_eq!(receipt.issued_by, None);
    assert_eq!(receipt.issued_at, None);

    // versions count per (application, kind, step_seq), NULL step_seq included
    let receipt2 = store
        .create_letter(
            app.id,
            "receipt",
            None,
            "申请回执（更正）",
            "<p>更正</p>",
            Some(f.user),
            at,
        )
        .await
        .unwrap();
    assert_eq!(receipt2.version, 2);
    assert_eq!(receipt2.created_by, Some(f.user));
    let corr = store
        .create_letter(
            app.id,
            "correction",
            Some(1),
            "补正告知书",
            "<p>请补正</p>",
            Some(f.user),
            at,
        )
        .await
        .unwrap();
    assert_eq!((corr.step_seq, corr.version), (Some(1), 1));
    let corr_other_step = store
        .create_letter(
            app.id,
            "correction",
            Some(2),
            "补正告知书",
            "<p>再次补正</p>",
            Some(f.user),
            at,
        )
        .await
        .unwrap();
    assert_eq!(corr_other_step.version, 1);
    let other_app = store
        .create_letter(other.id, "receipt", None, "申请回执", "", None, at)
        .await
        .unwrap();
    assert_eq!(other_app.version, 1);

    // draft edit
    let edited = store
        .update_letter_draft(
            receipt.id,
            "政府信息公开申请回执",
            "<p>我机关已于2024年3月1日收到您的申请。</p>",
        )
        .await
        .expect("edit");
    assert_eq!(edited.title, "政府信息公开申请回执");
    assert_eq!(
        edited.body_html,
        "<p>我机关已于2024年3月1日收到您的申请。</p>"
    );
    assert_eq!(edited.version, 1);
    assert_eq!(edited.issued_at, None);

    // issue freezes
    let issued_at = t("2024-03-04T11:00:00Z");
    let issued = store
        .issue_letter(receipt.id, Some(f.user), issued_at)
        .await
        .expect("issue");
    assert_eq!(issued.issued_by, Some(f.user));
    assert_eq!(issued.issued_at, Some(issued_at));
    assert_eq!(issued.title, "政府信息公开申请回执");
    let (field, message) = conflict_field(store.update_letter_draft(receipt.id, "改", "改").await);
    assert_eq!(field, "letter");
    assert_eq!(message, "该文书已出具，不能修改；如需更正请生成新版本");
    let (field, _) = conflict_field(
        store
            .issue_letter(receipt.id, None, t("2024-03-05T00:00:00Z"))
            .await,
    );
    assert_eq!(field, "letter");
    let still = store.letter(receipt.id).await.unwrap().expect("letter");
    assert_eq!(format!("{still:?}"), format!("{issued:?}"));

    // issuing without a named issuer is allowed
    let anon = store
        .issue_letter(corr.id, None, issued_at)
        .await
        .expect("issue");
    assert_eq!((anon.issued_by, anon.issued_at), (None, Some(issued_at)));

    // after issuing, a new version continues the numbering
    let receipt3 = store
        .create_letter(app.id, "receipt", None, "申请回执（第三版）", "", None, at)
        .await
        .unwrap();
    assert_eq!(receipt3.version, 3);

    // listing in creation order
    let letters = store.letters(app.id).await.unwrap();
    assert_eq!(
        letters.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![
            receipt.id,
            receipt2.id,
            corr.id,
            corr_other_step.id,
            receipt3.id
        ]
    );
    assert_eq!(store.letters(other.id).await.unwrap().len(), 1);

    // errors
    assert!(store.letter(receipt.id + 1000).await.unwrap().is_none());
    assert_not_found(
        store.update_letter_draft(receipt.id + 1000, "a", "b").await,
        "文书",
    );
    assert_not_found(
        store.issue_letter(receipt.id + 1000, None, at).await,
        "文书",
    );
    assert_not_found(
        store
            .issue_letter(receipt2.id, Some(f.user + 100), at)
            .await,
        "用户",
    );
    assert_not_found(
        store
            .create_letter(app.id + 1000, "receipt", None, "x", "", None, at)
            .await,
        "申请",
    );
    assert_not_found(
        store
            .create_letter(app.id, "receipt", None, "x", "", Some(f.user + 100), at)
            .await,
        "用户",
    );

    // concurrent drafts of the same letter get consecutive versions
    let mk = |title: &'static str| async move {
        store
            .create_letter(app.id, "reply", Some(3), title, "", None, at)
            .await
    };
    let (x, y, z) = tokio::join!(mk("甲"), mk("乙"), mk("丙"));
    let mut versions = vec![x.unwrap().version, y.unwrap().version, z.unwrap().version];
    versions.sort();
    assert_eq!(versions, vec![1, 2, 3]);
}

async fn appeals_register(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let g = fixture(store, "longtang", "C2").await;
    let app = create(store, f.org, "AP1", d(2024, 3, 1)).await;
    let foreign = create(store, g.org, "AP2", d(2024, 3, 1)).await;
    let at = t("2024-05-01T08:00:00.5Z");
    let new = NewAppeal {
        org_id: f.org,
        application_id: Some(app.id),
        kind: AppealKind::Reconsideration,
        body: "清远市清城区人民政府".into(),
        filed_on: d(2024, 5, 1),
        result: AppealResult::Pending,
        decided_on: None,
        note: "申请人不服部分公开答复".into(),
        created_by: f.user,
        at,
    };
    let a1 = store.create_appeal(&new).await.expect("appeal");
    assert_eq!(a1.org_id, f.org);
    assert_eq!(a1.application_id, Some(app.id));
    assert_eq!(a1.kind, AppealKind::Reconsideration);
    assert_eq!(a1.body, "清远市清城区人民政府");
    assert_eq!(a1.filed_on, d(2024, 5, 1));
    assert_eq!(a1.result, AppealResult::Pending);
    assert_eq!(a1.decided_on, None);
    assert_eq!(a1.note, "申请人不服部分公开答复");
    assert_eq!((a1.created_at, a1.updated_at), (at, at));
    let back = store.appeal(a1.id).await.unwrap().expect("appeal");
    assert_eq!(format!("{back:?}"), format!("{a1:?}"));

    // without an application, filed earlier
    let a2 = store
        .create_appeal(&NewAppeal {
            application_id: None,
            kind: AppealKind::LitigationDirect,
            body: "清远市清城区人民法院".into(),
            filed_on: d(2024, 2, 1),
            result: AppealResult::Upheld,
            decided_on: Some(d(2024, 4, 1)),
            ..new.clone()
        })
        .await
        .expect("appeal");
    assert_eq!(a2.application_id, None);
    assert_eq!(a2.decided_on, Some(d(2024, 4, 1)));
    let b1 = store
        .create_appeal(&NewAppeal {
            org_id: g.org,
            application_id: Some(foreign.id),
            kind: AppealKind::LitigationAfterReconsideration,
            created_by: g.user,
            ..new.clone()
        })
        .await
        .expect("appeal");

    // the application must be the organisation's
    assert_not_found(
        store
            .create_appeal(&NewAppeal {
                application_id: Some(foreign.id),
                ..new.clone()
            })
            .await,
        "申请",
    );
    assert_not_found(
        store
            .create_appeal(&NewAppeal {
                application_id: Some(foreign.id + 1000),
                ..new.clone()
            })
            .await,
        "申请",
    );
    assert_not_found(
        store
            .create_appeal(&NewAppeal {
                org_id: f.org + 1000,
                ..new.clone()
            })
            .await,
        "机关",
    );
    assert_not_found(
        store
            .create_appeal(&NewAppeal {
                created_by: f.user + 1000,
                ..new.clone()
            })
            .await,
        "用户",
    );

    // update the result
    let later = t("2024-07-01T08:00:00Z");
    let updated = store
        .update_appeal_result(
            a1.id,
            AppealResult::Corrected,
            Some(d(2024, 6, 28)),
            "复议机关责令重新答复",
            later,
        )
        .await
        .expect("update");
    assert_eq!(updated.result, AppealResult::Corrected);
    assert_eq!(updated.decided_on, Some(d(2024, 6, 28)));
    assert_eq!(updated.note, "复议机关责令重新答复");
    assert_eq!(updated.created_at, at);
    assert_eq!(updated.updated_at, later);
    assert_eq!(updated.kind, a1.kind);
    let reopened = store
        .update_appeal_result(a1.id, AppealResult::Pending, None, "", later)
        .await
        .unwrap();
    assert_eq!(reopened.decided_on, None);
    for result in AppealResult::ALL {
        let r = store
            .update_appeal_result(a2.id, result, None, "", later)
            .await
            .unwrap();
        assert_eq!(r.result, result);
    }
    assert_not_found(
        store
            .update_appeal_result(a1.id + 1000, AppealResult::Other, None, "", later)
            .await,
        "复议或诉讼记录",
    );
    assert!(store.appeal(a1.id + 1000).await.unwrap().is_none());

    // oldest filed first, scoped
    let ids = |v: Vec<gongkai_store::Appeal>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.appeals(&[f.org]).await.unwrap()),
        vec![a2.id, a1.id]
    );
    assert_eq!(
        ids(store.appeals(&[f.org, g.org]).await.unwrap()),
        vec![a2.id, a1.id, b1.id]
    );
    assert_eq!(ids(store.appeals(&[g.org]).await.unwrap()), vec![b1.id]);
    assert!(store.appeals(&[]).await.unwrap().is_empty());
}

// ---------------------------------------------------------------- audit in the same transaction

fn audit_note(action: &str, target: &str) -> gongkai_store::NewAuditEntry {
    gongkai_store::NewAuditEntry {
        at: t("2024-03-01T09:00:00Z"),
        actor_id: None,
        actor_name: "申请人（网上）".into(),
        org_id: None,
        action: action.into(),
        target: target.into(),
        detail: String::new(),
        client: "203.0.113.7".into(),
        success: true,
    }
}

async fn audited_writes_store_the_action_and_its_entry_together(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let ctx = gongkai_store::AuditContext { role: String::new(), user_agent: "test".into(), request_id: "r-1".into() };
    // A write that fails stores neither the action nor its entry.
    let failing = store.audited(audit_note("application.submit", "application:{id}"), ctx.clone());
    assert_not_found(failing.create_application(&new_app(f.org + 100, "A-0001", d(2024, 3, 1))).await, "机关");
    assert_eq!(count(store, "SELECT COUNT(*) FROM applications").await, 0);
    assert_eq!(count(store, "SELECT COUNT(*) FROM audit_log").await, 0);
    // The same handle, retried, stores both, with the new record's id in the target.
    let app = failing.create_application(&new_app(f.org, "A-0001", d(2024, 3, 1))).await.expect("create");
    let entries = store.audit_entries(10, 0).await.expect("entries").items;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target, format!("application:{}", app.id));
    assert_eq!(entries[0].action, "application.submit");
    // The entry is written once: a second write through the same handle adds none.
    failing.append_application_step(app.id, 0, &accept(f.user), State::Accepted, Some(f.user), Some(f.user), "", t("2024-03-01T10:00:00Z")).await.expect("step");
    assert_eq!(count(store, "SELECT COUNT(*) FROM audit_log").await, 1);
    // A step and its entry, through a fresh handle; the chain still verifies.
    let step = store.audited(audit_note("application.start", &format!("application:{}", app.id)), ctx);
    step.append_application_step(app.id, 1, &start(), State::InProgress, Some(f.user), Some(f.user), "", t("2024-03-01T11:00:00Z")).await.expect("step");
    assert_eq!(count(store, "SELECT COUNT(*) FROM audit_log").await, 2);
    assert_eq!(store.verify_audit_chain().await.expect("verify"), None);
    // Plain writes through the store itself record nothing by themselves.
    create(store, f.org, "A-0002", d(2024, 3, 2)).await;
    assert_eq!(count(store, "SELECT COUNT(*) FROM audit_log").await, 2);
}

/// The annual statistics read only the cases that can count in the year: received by its
/// end, and still open or changed since shortly before it began.
async fn cases_for_a_years_statistics(store: &Store) {
    let f = fixture(store, "yuantan", "C1").await;
    let accepted = |id: i64, at: &str| {
        let at = t(at);
        async move { store.append_application_step(id, 0, &accept(f.user), State::Accepted, Some(f.user), Some(f.user), "", at).await.expect("step") }
    };
    // Closed in 2023 (its last step then): not part of 2025.
    let old = create(store, f.org, "Y1", d(2023, 3, 1)).await;
    accepted(old.id, "2023-03-02T02:00:00Z").await;
    sqlx::query("UPDATE applications SET state = $1 WHERE id = $2").bind(State::Closed.as_str()).bind(old.id).execute(raw_pool(store)).await.expect("close");
    // Received in 2023, still open: carried into 2025.
    let open = create(store, f.org, "Y2", d(2023, 6, 1)).await;
    accepted(open.id, "2023-06-02T02:00:00Z").await;
    // Received in 2024, decided in 2025 (its last step in 2025).
    let decided = create(store, f.org, "Y3", d(2024, 12, 20)).await;
    accepted(decided.id, "2025-01-03T02:00:00Z").await;
    sqlx::query("UPDATE applications SET state = $1 WHERE id = $2").bind(State::Replied.as_str()).bind(decided.id).execute(raw_pool(store)).await.expect("reply");
    // Received in 2026: not yet.
    let later = create(store, f.org, "Y4", d(2026, 1, 5)).await;
    let ids = |list: Vec<gongkai_store::ReportCase>| list.into_iter().map(|c| (c.id, c.steps.len())).collect::<Vec<_>>();
    let year = ids(store.report_cases(&[f.org], 2025).await.expect("2025"));
    assert_eq!(year, vec![(open.id, 1), (decided.id, 1)]);
    // Every case is still there for the clock lists and earlier years.
    assert_eq!(store.applications_with_steps(&[f.org]).await.expect("all").len(), 4);
    assert_eq!(ids(store.report_cases(&[f.org], 2023).await.expect("2023")), vec![(old.id, 1), (open.id, 1)]);
    // Several organisations in one read, by organisation; a case has only the steps its
    // header counts, and no personal data is part of what is read.
    let g = fixture(store, "feilaixia", "C2").await;
    let other = create(store, g.org, "Z1", d(2025, 2, 3)).await;
    let both = store.report_cases(&[g.org, f.org], 2025).await.expect("both");
    let mut expected = vec![(open.id, f.org), (decided.id, f.org), (other.id, g.org)];
    expected.sort_by_key(|&(_, org)| org);
    assert_eq!(both.iter().map(|c| (c.id, c.org_id)).collect::<Vec<_>>(), expected);
    assert!(store.report_cases(&[], 2025).await.expect("none").is_empty());
    let _ = later;
}
