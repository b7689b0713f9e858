//! Personal fields sealed with SM4 at rest (issue 12 item 2): what lies in the
//! database is ciphertext, reads give the clear values back, the per-applicant
//! count and the resubmission lookup still find the same person through the
//! blind index, and key rotation plus re-encryption leaves every row on the new
//! key — rows from before encryption included. Run on both backends.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::application::{ApplicantKind, Channel};
use gongkai_domain::model::Role;
use gongkai_store::data_keys::{CipherError, DataKeys};
use gongkai_store::test_support::{fresh_sqlite, raw_pool, test_data_keys};
use gongkai_store::{NewApplication, NewConsultation, NewUser, Store, StoreError};
use sqlx::Row;

use gongkai_store::on_both_backends;

on_both_backends!(
    applications_are_sealed_and_read_back,
    per_applicant_count_and_resubmission_lookup_use_the_blind_index,
    consultation_contacts_totp_secrets_and_mail_recipients_are_sealed,
    rotation_and_reencryption_move_every_row_to_the_new_key,
    clear_rows_of_an_upgraded_installation_get_sealed,
    tampered_value_is_an_error_not_garbage,
);

const ID: &str = "44180219900101123X";
const PHONE: &str = "13800138000";
const EMAIL: &str = "zhangsan@example.com";
const ADDRESS: &str = "广东省清远市清城区源潭镇民生路8号";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test timestamp").with_timezone(&Utc)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

async fn org(store: &Store) -> (i64, i64) {
    let org = gongkai_store::test_support::township(store, "yuantan", "源潭镇人民政府", "C1").await;
    let user = store
        .create_user(
            &NewUser { username: "clerk".into(), display_name: "经办人".into(), org_id: org, roles: vec![Role::Editor] },
            "$argon2id$hash",
            t("2024-01-01T00:00:00Z"),
        )
        .await
        .expect("user")
        .id;
    (org, user)
}

fn new_app(org_id: i64, code: &str, id_number: &str, received: NaiveDate) -> NewApplication {
    NewApplication {
        org_id,
        tracking_code: code.to_owned(),
        secret_hash: format!("hash-of-{code}"),
        applicant: ApplicantKind::NaturalPerson,
        applicant_name: "张三".into(),
        id_doc_type: "resident_id".into(),
        id_doc_number: id_number.to_owned(),
        phone: PHONE.into(),
        email: EMAIL.into(),
        postal_address: ADDRESS.into(),
        description: "2023年源潭镇道路维修工程的招标文件".into(),
        forms: "paper".into(),
        delivery: "post".into(),
        channel: Channel::Online,
        submitted_on: received,
        received,
        registered_by: None,
        at: t("2024-03-01T08:00:00Z"),
    }
}

/// Every personal column of the application as stored.
async fn raw_application(store: &Store, id: i64) -> Vec<String> {
    let row = sqlx::query("SELECT id_doc_number, id_doc_key, phone, email, postal_address FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(raw_pool(store))
        .await
        .expect("raw row");
    (0..5).map(|i| row.get::<String, _>(i)).collect()
}

fn assert_no_clear_text(raw: &[String]) {
    for v in raw {
        for clear in [ID, PHONE, EMAIL, ADDRESS, "13800138000", "1990010112"] {
            assert!(!v.contains(clear), "clear text {clear} in stored value {v}");
        }
    }
}

fn keys(versions: &[(u32, u8)]) -> DataKeys {
    DataKeys::new(&versions.iter().map(|&(v, b)| (v, vec![b; 16])).collect::<Vec<_>>(), vec![0xa5; 32]).expect("keys")
}

// ---------------------------------------------------------------- cases

async fn applications_are_sealed_and_read_back(store: &Store) {
    let (org, _) = org(store).await;
    let app = store.create_application(&new_app(org, "GK-1", ID, d(2024, 3, 1))).await.expect("create");
    assert_eq!((app.id_doc_number.as_str(), app.phone.as_str(), app.email.as_str(), app.postal_address.as_str()), (ID, PHONE, EMAIL, ADDRESS));
    let raw = raw_application(store, app.id).await;
    assert_no_clear_text(&raw);
    assert!(raw[0].starts_with("sm4g:1:") && raw[2].starts_with("sm4g:1:") && raw[3].starts_with("sm4g:1:") && raw[4].starts_with("sm4g:1:"), "{raw:?}");
    assert!(raw[1].starts_with("bi1:"), "blind index: {raw:?}");
    // Every reader decrypts.
    let again = store.application(app.id).await.expect("read").expect("found");
    assert_eq!((again.id_doc_number, again.phone, again.email, again.postal_address), (ID.to_owned(), PHONE.to_owned(), EMAIL.to_owned(), ADDRESS.to_owned()));
    let listed = store.applications(&gongkai_store::ApplicationQuery { org_ids: vec![org], ..Default::default() }).await.expect("list");
    assert_eq!(listed.items[0].id_doc_number, ID);
    let (by_code, _) = store.application_by_tracking_code("GK-1").await.expect("by code").expect("found");
    assert_eq!(by_code.postal_address, ADDRESS);
    // An empty field stays empty (nothing to hide).
    let mut blank = new_app(org, "GK-2", ID, d(2024, 3, 1));
    blank.postal_address.clear();
    let b = store.create_application(&blank).await.expect("create");
    assert_eq!(raw_application(store, b.id).await[4], "");
    assert_eq!(store.application(b.id).await.expect("read").expect("found").postal_address, "");
}

async fn per_applicant_count_and_resubmission_lookup_use_the_blind_index(store: &Store) {
    let (org, _) = org(store).await;
    store.create_application(&new_app(org, "GK-1", ID, d(2024, 3, 1))).await.expect("1");
    // The same number typed differently is the same person.
    store.create_application(&new_app(org, "GK-2", "441802 19900101123x", d(2024, 3, 20))).await.expect("2");
    store.create_application(&new_app(org, "GK-3", ID, d(2024, 4, 2))).await.expect("next month");
    store.create_application(&new_app(org, "GK-4", "440000199001011234", d(2024, 3, 5))).await.expect("someone else");
    assert_eq!(store.count_applications_in_month(org, ID, d(2024, 3, 15)).await.expect("count"), 2);
    assert_eq!(store.count_applications_in_month(org, " 44180219900101123x ", d(2024, 4, 1)).await.expect("count"), 1);
    assert_eq!(store.count_applications_in_month(org, "", d(2024, 3, 1)).await.expect("blank"), 0);
    let recent = store.recent_applications_of(org, ID, t("2024-01-01T00:00:00Z")).await.expect("recent");
    assert_eq!(recent.len(), 3);
    assert!(recent.iter().all(|a| gongkai_domain::duplicates::id_key(&a.id_doc_number) == ID), "decrypted for the duplicate rule");
    // The lookup is an indexed equality on the blind index.
    if store.backend() == gongkai_store::Backend::Sqlite {
        // Freed pages are zeroed, so values replaced by the re-encryption leave no clear text.
        let secure: i64 = sqlx::query("PRAGMA secure_delete").fetch_one(raw_pool(store)).await.expect("pragma").get(0);
        assert_eq!(secure, 1);
        let plan: Vec<String> = sqlx::query("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM applications WHERE org_id = 1 AND id_doc_key IN ('a', 'b') AND received >= '2024-03-01' AND received <= '2024-03-31'")
            .fetch_all(raw_pool(store))
            .await
            .expect("plan")
            .iter()
            .map(|r| r.get::<String, _>(3))
            .collect();
        assert!(plan.iter().any(|p| p.contains("applications_applicant_idx")), "{plan:?}");
    }
}

async fn consultation_contacts_totp_secrets_and_mail_recipients_are_sealed(store: &Store) {
    let (org, user) = org(store).await;
    let c = store
        .create_consultation(&NewConsultation {
            org_id: org,
            name: "李四".into(),
            contact: PHONE.into(),
            subject: "办事指南".into(),
            question: "如何申请？".into(),
            private: true,
            received: d(2024, 3, 1),
            due: d(2024, 3, 8),
            at: t("2024-03-01T08:00:00Z"),
        })
        .await
        .expect("consultation");
    assert_eq!((c.name.as_str(), c.contact.as_str()), ("李四", PHONE));
    let row = sqlx::query("SELECT name, contact FROM consultations WHERE id = $1").bind(c.id).fetch_one(raw_pool(store)).await.expect("raw");
    let (name, contact): (String, String) = (row.get(0), row.get(1));
    assert!(name.starts_with("sm4g:1:") && !name.contains("李四"), "{name}");
    assert!(contact.starts_with("sm4g:1:") && !contact.contains(PHONE), "{contact}");
    assert_eq!(store.consultation(c.id).await.expect("read").expect("found").contact, PHONE);

    let secret = "JBSWY3DPEHPK3PXP";
    store.set_pending_mfa(user, secret).await.expect("pending");
    assert_eq!(store.mfa_state(user).await.expect("state").pending.as_deref(), Some(secret));
    // A different secret (set up again elsewhere) does not confirm.
    assert!(matches!(store.confirm_mfa(user, "AAAAAAAAAAAAAAAA", 1, &[]).await, Err(StoreError::Conflict { field: "code", .. })));
    store.confirm_mfa(user, secret, 1, &["h1".into()]).await.expect("confirm");
    let state = store.mfa_state(user).await.expect("state");
    assert_eq!((state.secret.as_deref(), state.pending), (Some(secret), None));
    let row = sqlx::query("SELECT totp_secret, totp_pending FROM users WHERE id = $1").bind(user).fetch_one(raw_pool(store)).await.expect("raw");
    let (stored, pending): (String, String) = (row.get(0), row.get(1));
    assert!(stored.starts_with("sm4g:1:") && !stored.contains(secret), "{stored}");
    assert_eq!(pending, "");

    // A receipt queued for the applicant: the address is sealed, the sender reads it.
    let id = store
        .enqueue_message(&gongkai_store::NewMessage { org_id: Some(org), kind: "application.receipt".into(), recipient: EMAIL.into(), subject: "回执".into(), body: "已收到".into(), ..Default::default() }, t("2024-03-01T08:00:00Z"))
        .await
        .expect("enqueue")
        .expect("queued");
    let raw: String = sqlx::query("SELECT recipient FROM outbox WHERE id = $1").bind(id).fetch_one(raw_pool(store)).await.expect("raw").get(0);
    assert!(raw.starts_with("sm4g:1:") && !raw.contains(EMAIL), "{raw}");
    assert_eq!(store.outbox_message(id).await.expect("read").expect("found").recipient, EMAIL);
    assert_eq!(store.due_messages(t("2024-03-02T00:00:00Z"), 10).await.expect("due")[0].recipient, EMAIL);
}

async fn rotation_and_reencryption_move_every_row_to_the_new_key(store: &Store) {
    let (org, user) = org(store).await;
    for i in 0..7 {
        store.create_application(&new_app(org, &format!("GK-{i}"), ID, d(2024, 3, 1))).await.expect("create");
    }
    store.set_pending_mfa(user, "JBSWY3DPEHPK3PXP").await.expect("pending");
    let status = store.data_key_status().await.expect("status");
    assert_eq!(status.total_by_version(), vec![(1, 7 * 4 + 1)]);
    assert!(status.all_current());

    // Rotate: version 2 is current; version 1 stays readable.
    let rotated = store.clone().with_data_keys(keys(&[(1, 0x5a), (2, 0x33)]));
    let newer = rotated.create_application(&new_app(org, "GK-new", ID, d(2024, 3, 2))).await.expect("create under v2");
    assert!(raw_application(store, newer.id).await[0].starts_with("sm4g:2:"));
    assert_eq!(rotated.application(1).await.expect("old row").expect("found").id_doc_number, ID);
    let before = rotated.data_key_status().await.expect("status");
    assert_eq!(before.total_by_version(), vec![(1, 29), (2, 4)]);
    assert!(!before.all_current());
    // A store that has only the old key cannot read the new row: a clear error.
    match store.application(newer.id).await {
        Err(StoreError::Crypto(CipherError::UnknownKey(2))) => {}
        other => panic!("expected an unknown-key error, got {other:?}"),
    }

    // Small batches, so several transactions run.
    let done = rotated.reencrypt_all(3, std::time::Duration::ZERO).await.expect("reencrypt");
    assert_eq!((done.rows, done.failed), (8, 0));
    let after = rotated.data_key_status().await.expect("status");
    assert_eq!(after.total_by_version(), vec![(1, 0), (2, 33)]);
    assert!(after.all_current(), "{after:?}");
    let ids: Vec<i64> = sqlx::query("SELECT id FROM applications ORDER BY id").fetch_all(raw_pool(store)).await.expect("ids").iter().map(|r| r.get(0)).collect();
    for id in ids {
        let raw = raw_application(store, id).await;
        assert!(raw[0].starts_with("sm4g:2:") && raw[4].starts_with("sm4g:2:"), "{raw:?}");
        assert_eq!(rotated.application(id).await.expect("read").expect("found").postal_address, ADDRESS);
    }
    assert_eq!(rotated.mfa_state(user).await.expect("mfa").pending.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    // The blind index does not depend on the data key: the count still works, and a
    // second pass finds nothing to do.
    assert_eq!(rotated.count_applications_in_month(org, ID, d(2024, 3, 1)).await.expect("count"), 8);
    assert_eq!(rotated.reencrypt_all(3, std::time::Duration::ZERO).await.expect("again").rows, 0);
    // Only the new key is needed now.
    let only_new = store.clone().with_data_keys(keys(&[(2, 0x33)]));
    assert_eq!(only_new.application(1).await.expect("read").expect("found").phone, PHONE);
}

async fn clear_rows_of_an_upgraded_installation_get_sealed(store: &Store) {
    let (org, user) = org(store).await;
    // Rows as an installation before encryption wrote them.
    sqlx::query(
        "INSERT INTO applications (org_id, tracking_code, secret_hash, applicant, applicant_name, id_doc_type, id_doc_number, \
         id_doc_key, phone, email, postal_address, description, channel, submitted_on, received, state, steps, created_at, updated_at) \
         VALUES ($1, 'OLD-1', 'h', 'natural_person', '王五', 'resident_id', $2, $3, $4, $5, $6, '旧申请', 'online', \
         '2024-03-01', '2024-03-01', 'received', 0, '2024-03-01T08:00:00Z', '2024-03-01T08:00:00Z')",
    )
    .bind(org)
    .bind(ID)
    .bind(ID)
    .bind(PHONE)
    .bind(EMAIL)
    .bind(ADDRESS)
    .execute(raw_pool(store))
    .await
    .expect("old row");
    sqlx::query("INSERT INTO consultations (org_id, name, contact, subject, question, private, state, received, due, published, created_at, updated_at) \
                 VALUES ($1, '赵六', $2, '旧咨询', '问题', 1, 'received', '2024-03-01', '2024-03-08', 0, '2024-03-01T08:00:00Z', '2024-03-01T08:00:00Z')")
        .bind(org)
        .bind(PHONE)
        .execute(raw_pool(store))
        .await
        .expect("old consultation");
    sqlx::query("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP' WHERE id = $1").bind(user).execute(raw_pool(store)).await.expect("old totp");
    // Read as they are; the clear index key still counts alongside new blind ones.
    let old_id: i64 = sqlx::query("SELECT id FROM applications WHERE tracking_code = 'OLD-1'").fetch_one(raw_pool(store)).await.expect("id").get(0);
    assert_eq!(store.application(old_id).await.expect("read").expect("found").phone, PHONE);
    store.create_application(&new_app(org, "NEW-1", ID, d(2024, 3, 9))).await.expect("new");
    assert_eq!(store.count_applications_in_month(org, ID, d(2024, 3, 1)).await.expect("count"), 2);
    assert_eq!(store.recent_applications_of(org, ID, t("2024-01-01T00:00:00Z")).await.expect("recent").len(), 2);
    let status = store.data_key_status().await.expect("status");
    assert_eq!((status.clear_index_keys, status.columns.iter().map(|c| c.clear).sum::<i64>()), (1, 4 + 2 + 1));

    let done = store.reencrypt_all(100, std::time::Duration::ZERO).await.expect("reencrypt");
    assert_eq!((done.rows, done.failed), (3, 0));
    let raw = raw_application(store, old_id).await;
    assert_no_clear_text(&raw);
    assert!(raw[1].starts_with("bi1:"), "{raw:?}");
    assert!(store.data_key_status().await.expect("status").all_current());
    let c: String = sqlx::query("SELECT contact FROM consultations").fetch_one(raw_pool(store)).await.expect("raw").get(0);
    assert!(c.starts_with("sm4g:1:"), "{c}");
    let totp: String = sqlx::query("SELECT totp_secret FROM users WHERE id = $1").bind(user).fetch_one(raw_pool(store)).await.expect("raw").get(0);
    assert!(totp.starts_with("sm4g:1:"), "{totp}");
    assert_eq!(store.mfa_state(user).await.expect("mfa").secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(store.count_applications_in_month(org, ID, d(2024, 3, 1)).await.expect("count"), 2);
    assert_eq!(store.application(old_id).await.expect("read").expect("found").id_doc_number, ID);
}

async fn tampered_value_is_an_error_not_garbage(store: &Store) {
    let (org, _) = org(store).await;
    let a = store.create_application(&new_app(org, "GK-1", ID, d(2024, 3, 1))).await.expect("create");
    let b = store.create_application(&new_app(org, "GK-2", ID, d(2024, 3, 1))).await.expect("create");
    // Someone with database access moves a value into another column.
    sqlx::query("UPDATE applications SET phone = email WHERE id = $1").bind(a.id).execute(raw_pool(store)).await.expect("tamper");
    match store.application(a.id).await {
        Err(StoreError::Crypto(CipherError::Tampered)) => {}
        other => panic!("expected a tamper error, got {other:?}"),
    }
    assert_eq!(StoreError::Crypto(CipherError::Tampered).to_string(), "个人信息加密：加密字段校验失败：密钥不符或密文被改动");
    // The re-encryption pass skips it, names it, and does the rest.
    let rotated = store.clone().with_data_keys(keys(&[(1, 0x5a), (2, 0x33)]));
    let done = rotated.reencrypt_all(10, std::time::Duration::ZERO).await.expect("pass");
    assert_eq!((done.rows, done.failed), (1, 1));
    assert!(done.first_error.as_deref().is_some_and(|e| e.contains(&format!("第 {} 行", a.id))), "{done:?}");
    assert_eq!(rotated.application(b.id).await.expect("read").expect("found").email, EMAIL);
}

/// A store without data keys refuses to write personal fields in clear and cannot
/// read sealed ones (SQLite only: it needs to open the same database twice).
#[tokio::test]
async fn a_store_without_keys_neither_writes_clear_text_nor_reads_sealed_values() {
    let (store, db) = fresh_sqlite().await;
    let (org, _) = org(&store).await;
    let a = store.create_application(&new_app(org, "GK-1", ID, d(2024, 3, 1))).await.expect("create");
    let bare = Store::connect(db.url()).await.expect("connect");
    assert!(!bare.has_data_keys());
    match bare.create_application(&new_app(org, "GK-2", ID, d(2024, 3, 1))).await {
        Err(StoreError::Crypto(CipherError::NoKeys)) => {}
        other => panic!("expected NoKeys, got {other:?}"),
    }
    match bare.application(a.id).await {
        Err(StoreError::Crypto(CipherError::NoKeys)) => {}
        other => panic!("expected NoKeys, got {other:?}"),
    }
    // The same keys again (as after a restart) read it.
    let keyed = bare.clone().with_data_keys(test_data_keys());
    assert_eq!(keyed.application(a.id).await.expect("read").expect("found").id_doc_number, ID);
    bare.close().await;
    store.close().await;
}
