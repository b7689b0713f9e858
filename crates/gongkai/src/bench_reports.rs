//! `gongkai bench reports`: generate every organisation's annual report from its records
//! (the same code the back office and `gongkai report generate` use), time them and the
//! province roll-up that combines them; optionally publish them so that the portal and the
//! roll-up page (`/admin/reports/rollup`) have a year of published reports to show.

use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use chrono::{NaiveDate, TimeZone, Utc};
use gongkai_domain::annual_report::validate::{validate, Severity, ValidationContext};
use gongkai_domain::annual_report::{combine, AnnualReport, ReportStatus};
use gongkai_store::{NewItemEvent, Store};
use gongkai_web::reports::records;

fn millis(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(store: &Store, year: i32, publish: bool) -> Result<()> {
    // The calendar as the server builds it (official years plus those administrators added),
    // without opening a search index: AppState::new would rebuild one in memory.
    let mut calendar = gongkai_domain::calendar::Calendar::official();
    for y in store.calendar_years().await? {
        if let Ok(data) = gongkai_domain::calendar::Calendar::parse_year(&y.json) {
            let _ = calendar.add_year(y.year, data);
        }
    }
    let orgs = store.orgs().await?;
    let root = orgs.iter().find(|o| o.parent_id.is_none()).ok_or_else(|| anyhow!("数据库中没有机关"))?;
    // In batches of organisations, as `records::generate_many` reads them.
    let started = Instant::now();
    let mut reports: Vec<AnnualReport> = Vec::with_capacity(orgs.len());
    let mut slowest = (0.0, String::new());
    for batch in orgs.chunks(records::BATCH) {
        let t = Instant::now();
        let generated = records::generate_many(store, &calendar, batch, year).await.map_err(|e| anyhow!("{e}"))?;
        let ms = millis(t.elapsed());
        if ms > slowest.0 {
            slowest = (ms, format!("{} 等 {} 个机关", batch[0].slug, batch.len()));
        }
        reports.extend(generated);
    }
    let total = started.elapsed();
    let t = Instant::now();
    let refs: Vec<&AnnualReport> = reports.iter().collect();
    let (combined, skipped) = combine(records::report_org(root), year, &refs);
    let combine_ms = millis(t.elapsed());
    let received: u64 = reports.iter().map(AnnualReport::applications_received).sum();
    println!(
        "年度报告（{year}年度）：{} 个机关按记录生成共 {:.2} 秒（每批 {} 个机关，平均每个机关 {:.2} ms；最慢一批 {:.1} ms：{}）；本年新收申请合计 {} 件",
        orgs.len(),
        total.as_secs_f64(),
        records::BATCH,
        millis(total) / orgs.len().max(1) as f64,
        slowest.0,
        slowest.1,
        received
    );
    println!(
        "省级汇总（{}）：合并 {} 份报告用时 {:.1} ms，汇总后本年新收申请 {} 件、主动公开信息 {} 条{}",
        root.name,
        refs.len(),
        combine_ms,
        combined.applications_received(),
        combined.figures.items_published,
        if skipped.is_empty() { String::new() } else { format!("；未合并 {} 份", skipped.len()) }
    );
    // Validation is not timed: a generated report that does not validate means the
    // generated records are wrong, which the benchmark must say.
    let today = Utc::now().date_naive();
    let mut errors = 0usize;
    let mut first_error = None;
    for r in &reports {
        let findings = validate(r, &ValidationContext { previous: None, today, deadline: today, first_published: None });
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            errors += 1;
            first_error.get_or_insert_with(|| format!("{}：{}", r.organisation.name, f.message));
        }
    }
    println!("校验：{} 个错误{}", errors, first_error.map(|e| format!("（例如 {e}）")).unwrap_or_default());
    if publish {
        let t = Instant::now();
        let date = NaiveDate::from_ymd_opt(year + 1, 1, 15).ok_or_else(|| anyhow!("年度 {year} 无效"))?;
        let at = Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap_or_default());
        for (org, mut content) in orgs.iter().zip(reports) {
            let username = format!("staff-{}", org.slug);
            let (user, _) = store.user_by_username(&username).await?.with_context(|| format!("找不到账号 {username}（请用 bench seed 生成的数据库）"))?;
            content.date = Some(date);
            let stored = store.create_report(org.id, year, &content, "", user.id, at).await?;
            store.set_report_status(stored.id, ReportStatus::Draft, ReportStatus::InReview, Some(user.id), at).await?;
            let node = records::annual_report_node(store, org).await.map_err(|e| anyhow!("{e}"))?;
            let fields = records::item_fields(org, &content, node.id, date, 1, "");
            let render = gongkai_web::ops::index_renderer(org, date).map_err(|e| anyhow!("{e}"))?;
            let event = NewItemEvent { actor_id: user.id, action: "publish".into(), comment: format!("发布{year}年度报告"), at };
            store.publish_report(stored.id, &content, date, user.id, &[], &fields, &render, &event).await?;
        }
        println!("已发布 {} 份{year}年度报告，用时 {:.1} 秒", orgs.len(), t.elapsed().as_secs_f64());
    }
    Ok(())
}
