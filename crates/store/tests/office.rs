//! Back-office storage (issue 15) on both backends: 文书编号 allocated atomically
//! when letters are issued concurrently, issue refused before sign-off, the held
//! step recorded in the issuing transaction, settings round trip, merged
//! duplicates left out of lists.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{ApplicantKind, Channel, State, Step};
use gongkai_domain::model::Role;
use gongkai_domain::signoff::{DocNumberPattern, SignoffPolicy};
use gongkai_store::office::{HeldStep, IssueLetter, OfficeSettings};
use gongkai_store::{on_both_backends, ApplicationQuery, NewApplication, NewUser, Store, StoreError};

on_both_backends!(concurrent_issue_numbers_are_distinct, issue_guards_and_held_step, settings_and_merge);

fn now() -> DateTime<Utc> {
    Utc::now()
}

async fn fixture(store: &Store, slug: &str, code: &str) -> (i64, i64) {
    let org = gongkai_store::test_support::township(store, slug, &format!("{slug}人民政府"), code).await;
    let user = store
        .create_user(&NewUser { username: format!("{slug}_head"), display_name: "负责人".into(), org_id: org, roles: vec![Role::OfficeHead] }, "$argon2id$hash", now())
        .await
        .expect("user")
        .id;
    (org, user)
}

async fn app(store: &Store, org: i64, code: &str, desc: &str) -> i64 {
    store
        .create_application(&NewApplication {
            org_id: org,
            tracking_code: code.into(),
            secret_hash: "h".into(),
            applicant: ApplicantKind::NaturalPerson,
            applicant_name: "张三".into(),
            id_doc_type: "id_card".into(),
            id_doc_number: "44180219900101123X".into(),
            phone: String::new(),
            email: String::new(),
            postal_address: String::new(),
            description: desc.into(),
            forms: "paper".into(),
            delivery: "collection".into(),
            channel: Channel::InPerson,
            submitted_on: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            received: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            registered_by: None,
            at: now(),
        })
        .await
        .expect("app")
        .id
}

fn issue(letter_id: i64, by: i64, org: i64, require_signoff: bool, step: Option<HeldStep>) -> IssueLetter {
    IssueLetter { letter_id, issued_by: by, at: now(), require_signoff, org_id: org, year: 2026, pattern: DocNumberPattern::default(), step }
}

async fn concurrent_issue_numbers_are_distinct(store: &Store) {
    let (org, user) = fixture(store, "town", "11441802007183516B").await;
    let a = app(store, org, "2026-AAAA2222", "x").await;
    let mut letters = Vec::new();
    for _ in 0..8 {
        letters.push(store.create_letter(a, "receipt", None, "回执", "<p>x</p>", Some(user), now()).await.expect("letter").id);
    }
    let mut tasks = Vec::new();
    for id in letters {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            // SQLite may report a busy database under contention; retry like a user would.
            for _ in 0..20 {
                match store.issue_letter_numbered(&issue(id, user, org, false, None)).await {
                    Ok(l) => return l.doc_number.expect("numbered"),
                    Err(StoreError::Db(_)) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
                    Err(e) => panic!("{e}"),
                }
            }
            panic!("never issued")
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("task"));
    }
    numbers.sort();
    let mut expected: Vec<String> = (1..=8).map(|n| format!("〔2026〕第{n}号")).collect();
    expected.sort();
    assert_eq!(numbers, expected, "eight letters, eight distinct consecutive numbers");
    // Another organisation counts on its own.
    let (org2, user2) = fixture(store, "other", "11441802007183517X").await;
    let b = app(store, org2, "2026-BBBB2222", "y").await;
    let l = store.create_letter(b, "receipt", None, "回执", "<p>y</p>", Some(user2), now()).await.expect("letter");
    let l = store.issue_letter_numbered(&issue(l.id, user2, org2, false, None)).await.expect("issue");
    assert_eq!(l.doc_number.as_deref(), Some("〔2026〕第1号"));
}

async fn issue_guards_and_held_step(store: &Store) {
    let (org, user) = fixture(store, "town", "11441802007183516B").await;
    let a = app(store, org, "2026-CCCC2222", "x").await;
    let d = NaiveDate::from_ymd_opt(2026, 3, 3).expect("date");
    store.append_application_step(a, 0, &Step::Accept { date: d, handler_id: user }, State::Accepted, Some(user), Some(user), "", now()).await.expect("accept");
    let held = Step::StartProcessing { date: d };
    let letter = store.create_held_letter(a, "reply", "答复书", "<p>x</p>", &held, user, now()).await.expect("held");
    assert_eq!(letter.pending_step.as_ref(), Some(&held));
    let h = HeldStep { expected_seq: 1, step: held.clone(), state_after: State::InProgress, handler_id: Some(user), note: String::new() };
    // Not signed off: refused, nothing written.
    let err = store.issue_letter_numbered(&issue(letter.id, user, org, true, Some(h.clone()))).await.expect_err("refused");
    assert!(err.to_string().contains("签发"), "{err}");
    assert_eq!(store.application_steps(a).await.expect("steps").len(), 1);
    // A stale step count: refused, the letter stays a draft and no number is used.
    store.sign_off_letter(letter.id, user, now()).await.expect("sign off");
    let stale = HeldStep { expected_seq: 0, ..h.clone() };
    assert!(matches!(store.issue_letter_numbered(&issue(letter.id, user, org, true, Some(stale))).await, Err(StoreError::Conflict { .. })));
    assert!(store.letter(letter.id).await.expect("l").expect("l").issued_at.is_none());
    let issued = store.issue_letter_numbered(&issue(letter.id, user, org, true, Some(h))).await.expect("issue");
    assert_eq!(issued.doc_number.as_deref(), Some("〔2026〕第1号"), "the failed attempt used no number");
    assert_eq!(issued.step_seq, Some(2));
    assert!(issued.pending_step.is_none());
    assert_eq!(store.application(a).await.expect("a").expect("a").state, State::InProgress);
    // Editing a signed-off draft withdraws the sign-off.
    let other = store.create_letter(a, "receipt", None, "回执", "<p>x</p>", Some(user), now()).await.expect("l");
    store.sign_off_letter(other.id, user, now()).await.expect("sign");
    let edited = store.update_letter_draft(other.id, "回执（改）", "<p>y</p>").await.expect("edit");
    assert!(edited.signed_off_at.is_none());
}

async fn settings_and_merge(store: &Store) {
    let (org, user) = fixture(store, "town", "11441802007183516B").await;
    assert_eq!(store.office_settings(org).await.expect("defaults"), OfficeSettings::defaults(org));
    let s = OfficeSettings { org_id: org, signoff: SignoffPolicy::parse("reply,consult").expect("policy"), review_levels: 3, doc_number_pattern: DocNumberPattern::parse("源政信〔{年}〕{号}号").expect("p") };
    store.put_office_settings(&s, now()).await.expect("put");
    assert_eq!(store.office_settings(org).await.expect("get"), s);
    let keep = app(store, org, "2026-DDDD2222", "x").await;
    let dup = app(store, org, "2026-EEEE2222", "x").await;
    store.merge_application(dup, keep, user, now()).await.expect("merge");
    let list = store.applications(&ApplicationQuery { org_ids: vec![org], ..Default::default() }).await.expect("list");
    assert_eq!(list.total, 1);
    assert_eq!(store.merged_into(keep).await.expect("merged").len(), 1);
    assert!(matches!(store.merge_application(dup, keep, user, now()).await, Err(StoreError::Conflict { .. })), "only once");
    let (org2, _) = fixture(store, "other", "11441802007183517X").await;
    let foreign = app(store, org2, "2026-FFFF2222", "x").await;
    assert!(matches!(store.merge_application(foreign, keep, user, now()).await, Err(StoreError::Conflict { .. })), "never across organisations");
}
