//! `gongkai bench seed` at a tiny scale writes a database the application can use: the
//! row counts of the scale, `applications.steps` equal to the step rows and `state` equal to
//! the last step's, every case replaying through the domain lifecycle, 索引号 serials without
//! gaps, identity sequences continuing after the bulk ids, and annual reports generated from
//! the records that validate. SQLite always; PostgreSQL (the COPY path) with
//! GONGKAI_TEST_DATABASE_URL, NOT RUN without it (a failure under CI).

use chrono::{TimeZone, Utc};
use gongkai::bench_seed::{seed, SeedError, SeedOptions, Sizes};
use gongkai_domain::annual_report::validate::{validate, Severity, ValidationContext};
use gongkai_domain::application::{Application, ClockConfig};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::model::{DisclosureMode, DocType, ItemFields};
use gongkai_store::test_support::{fresh_postgres, fresh_sqlite, raw_pool};
use gongkai_store::{NewItemEvent, Store};

const SCALE: f64 = 0.0005;

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(raw_pool(store)).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn seed_and_check(store: Store, url: &str) {
    let opts = SeedOptions { scale: SCALE, seed: 11, password: "bench-seed-test".into() };
    let s = seed(&store, url, &opts).await.expect("bench seed");
    let sizes = Sizes::at(SCALE);
    assert_eq!(s.organisations, sizes.organisations);
    assert_eq!((s.items, s.applications), (sizes.items, sizes.applications));

    // Row counts per table.
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM organisations").await, sizes.organisations as i64);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM items WHERE status = 'published'").await, sizes.items as i64);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM item_events").await, 2 * sizes.items as i64);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM applications").await, sizes.applications as i64);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM application_steps").await, s.steps as i64);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM appeals").await, s.appeals as i64);
    // Personal fields are sealed as the store seals them, and the ID number's lookup key is
    // its blind index: nothing readable is left in the rows.
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM applications WHERE id_doc_number NOT LIKE 'sm4g:%' OR phone NOT LIKE 'sm4g:%' OR id_doc_key NOT LIKE 'bi1:%'").await, 0);
    let first = scalar(&store, "SELECT MIN(id) FROM applications").await;
    let one = store.application(first).await.expect("read").expect("exists");
    assert_eq!(one.id_doc_number.chars().count(), 18, "opened on read: {}", one.id_doc_number);
    assert!(s.steps > 3 * s.applications, "cases should go through their lifecycle: {} steps", s.steps);

    // Cached columns agree with the step rows.
    let wrong_count = "SELECT COUNT(*) FROM applications a WHERE a.steps <> (SELECT COUNT(*) FROM application_steps s WHERE s.application_id = a.id)";
    assert_eq!(scalar(&store, wrong_count).await, 0);
    let wrong_state = "SELECT COUNT(*) FROM applications a JOIN application_steps s ON s.application_id = a.id AND s.seq = a.steps WHERE s.state_after <> a.state";
    assert_eq!(scalar(&store, wrong_state).await, 0);
    // 索引号: one per item, serials per (organisation, year) without gaps.
    assert_eq!(scalar(&store, "SELECT COUNT(DISTINCT index_no) FROM items").await, sizes.items as i64);
    assert_eq!(scalar(&store, "SELECT CAST(COALESCE(SUM(last), 0) AS BIGINT) FROM index_serials").await, sizes.items as i64);

    // Every case replays through the lifecycle, as the back office does when it opens one.
    let calendar = Calendar::official();
    let orgs = store.orgs().await.expect("orgs");
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let cases = store.applications_with_steps(&ids).await.expect("applications");
    assert_eq!(cases.len() as u64, sizes.applications);
    for (app, steps) in &cases {
        let list: Vec<_> = steps.iter().map(|s| s.step.clone()).collect();
        let replayed = Application::replay(app.applicant, app.channel, app.received, &list, &calendar, &ClockConfig::default())
            .unwrap_or_else(|(i, e)| panic!("application {} step {} does not replay: {e}", app.id, i + 1));
        assert_eq!(replayed.state, app.state, "application {}", app.id);
    }

    // Annual reports generated from these records validate without errors.
    let today = Utc::now().date_naive();
    let mut received = 0;
    for org in &orgs {
        let report = gongkai_web::reports::records::generate(&store, &calendar, org, 2025).await.expect("report");
        received += report.applications_received();
        let findings = validate(&report, &ValidationContext { previous: None, today, deadline: today, first_published: None });
        let errors: Vec<_> = findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.message.clone()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", org.name);
    }
    assert!(received > 0, "the 2025 reports should count applications");

    // The store's own writes continue after the bulk ids.
    let max_item = scalar(&store, "SELECT MAX(id) FROM items").await;
    let org = &orgs[1];
    let (author, _) = store.user_by_username(&format!("staff-{}", org.slug)).await.expect("user").expect("staff account");
    let node = store.catalog(org.id).await.expect("catalog")[0].id;
    let fields = ItemFields {
        catalog_id: node,
        title: "测试信息".into(),
        summary: String::new(),
        body_html: "<p>正文</p>".into(),
        publisher: org.name.clone(),
        formed_date: today,
        doc_number: None,
        topic: String::new(),
        genre: String::new(),
        keywords: String::new(),
        disclosure_mode: DisclosureMode::Proactive,
        doc_type: DocType::Other,
        statutory_category: None,
    };
    let event = NewItemEvent { actor_id: author.id, action: "create".into(), comment: String::new(), at: Utc.timestamp_opt(1_800_000_000, 0).unwrap() };
    let created = store.create_item(org.id, author.id, &fields, &event).await.expect("create item after seeding");
    assert!(created.id > max_item);

    // A second run refuses to write into a database that has data.
    assert!(matches!(seed(&store, url, &opts).await, Err(SeedError::NotEmpty)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_seed_sqlite() {
    let (store, db) = fresh_sqlite().await;
    let url = db.url().to_string();
    seed_and_check(store, &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_seed_postgres() {
    let Some((store, db)) = fresh_postgres().await else { return };
    let url = db.url().to_string();
    seed_and_check(store, &url).await;
}
