//! The demo's applications for disclosure: none received in 2023, every
//! lifecycle state present in the demo town, every stored history replays
//! lawfully, section 三 of 2024 and 2025 is consistent and carries over into
//! 2026, and the appeals register is filled.

use std::collections::HashSet;

use chrono::Datelike;
use gongkai_domain::application::{section3_statistics, Application, ClockConfig, Outcome, State};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::report_format::RowRole;
use gongkai_store::{AppealKind, AppealResult, ApplicationQuery};

#[tokio::test]
async fn demo_applications_are_lawful_and_consistent() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let accounts = gongkai::demo::load(&store).await.expect("demo loads");
    assert!(accounts.iter().any(|a| a.username == "yt_head"), "the office head is listed with the demo accounts");

    let cal = Calendar::official();
    let cfg = ClockConfig::default();
    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    let minzheng = store.org_by_slug("minzheng").await.expect("org").expect("minzheng");

    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    let (mut overdue, mut due_soon, mut across_year_end) = (0, 0, 0);
    let mut outcomes = HashSet::new();
    for org in [&yuantan, &minzheng] {
        let page = store
            .applications(&ApplicationQuery { org_ids: vec![org.id], limit: 500, ..Default::default() })
            .await
            .expect("applications");
        assert!(page.items.len() >= 4, "{}: {} applications", org.name, page.items.len());
        let mut states = HashSet::new();
        let mut records = Vec::new();
        for stored in &page.items {
            assert!(stored.received.year() >= 2024, "received {} (none in 2023)", stored.received);
            assert!(stored.received.year() <= 2026);
            let steps: Vec<_> = store.application_steps(stored.id).await.expect("steps").into_iter().map(|s| s.step).collect();
            let app = Application::replay(stored.applicant, stored.channel, stored.received, &steps, &cal, &cfg)
                .unwrap_or_else(|(i, e)| panic!("application {} step {i}: {e}", stored.tracking_code));
            assert_eq!(app.state, stored.state, "cached state of {}", stored.tracking_code);
            states.insert(app.state);
            if let Some(o) = app.outcome {
                outcomes.insert(o);
            }
            records.push(app.case_record());
            if org.id == yuantan.id && app.state.is_open() {
                let clock = app.clock(&cal, &cfg, as_of);
                if clock.overdue {
                    overdue += 1;
                }
                if clock.working_days_left.is_some_and(|d| (1..=5).contains(&d)) {
                    due_soon += 1;
                }
            }
            if stored.received.year() == 2025 && app.decided_on.is_some_and(|d| d.year() == 2026) {
                across_year_end += 1;
            }
        }
        if org.id == yuantan.id {
            for s in State::ALL {
                assert!(states.contains(&s), "源潭镇 has an application in state {}", s.label());
            }
        }
        let stats2023 = section3_statistics(&records, 2023);
        let received = |s: &gongkai_domain::application::Section3Stats, role: RowRole| {
            s.lines.iter().find(|l| l.role == role).map(|l| l.cells[6]).expect("row")
        };
        assert_eq!(received(&stats2023, RowRole::Received), 0, "none received in 2023");
        let stats: Vec<_> = [2024, 2025, 2026].into_iter().map(|y| section3_statistics(&records, y)).collect();
        for s in &stats {
            assert!(s.check().is_empty(), "{} {}: {:?}", org.name, s.year, s.check());
            assert!(received(s, RowRole::Received) > 0, "{} received applications in {}", org.name, s.year);
        }
        let carried_out_2025 = stats[1].lines.iter().find(|l| l.role == RowRole::CarriedOut).map(|l| l.cells).expect("row");
        let carried_in_2026 = stats[2].lines.iter().find(|l| l.role == RowRole::CarriedIn).map(|l| l.cells).expect("row");
        assert_eq!(carried_out_2025, carried_in_2026);
        if org.id == yuantan.id {
            assert_eq!(carried_out_2025[6], 1, "the case received in late December 2025 is carried over");
        }
    }
    assert!(overdue >= 1, "an overdue case on {as_of}");
    assert!(due_soon >= 1, "a case due within 5 working days of {as_of}");
    assert_eq!(across_year_end, 1, "one case received in 2025 and decided in 2026");
    for o in [
        Outcome::Disclosed,
        Outcome::PartlyDisclosed,
        Outcome::WithheldThirdPartyRights,
        Outcome::UnavailableNotHeld,
        Outcome::NotProcessedRepeat,
        Outcome::OtherNoCorrection,
        Outcome::OtherFeeUnpaid,
        Outcome::OtherOther,
    ] {
        assert!(outcomes.contains(&o), "outcome {} present", o.label());
    }

    // Reply letters issued; appeals in the register.
    let replied = store
        .applications(&ApplicationQuery { org_ids: vec![yuantan.id], states: vec![State::Closed], limit: 500, ..Default::default() })
        .await
        .expect("closed");
    let mut letters = 0;
    for a in &replied.items {
        for l in store.letters(a.id).await.expect("letters") {
            assert!(l.issued_at.is_some());
            assert_eq!(l.kind, "reply");
            letters += 1;
        }
    }
    assert!(letters >= 2, "{letters} reply letters");
    let appeals = store.appeals(&[yuantan.id]).await.expect("appeals");
    assert_eq!(appeals.len(), 3);
    assert!(appeals.iter().any(|a| a.kind == AppealKind::Reconsideration && a.result == AppealResult::Upheld));
    assert!(appeals.iter().any(|a| a.kind == AppealKind::Reconsideration && a.result == AppealResult::Pending));
    assert!(appeals.iter().any(|a| a.kind == AppealKind::LitigationDirect && a.result == AppealResult::Corrected));
    for a in &appeals {
        let app_id = a.application_id.expect("linked");
        let app = store.application(app_id).await.expect("app").expect("exists");
        assert_eq!(app.state, State::Closed);
        assert!((2024..=2025).contains(&app.received.year()));
    }
}
