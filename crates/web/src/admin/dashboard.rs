//! The dashboard: what is waiting for the signed-in user and what is due.

use super::*;

pub(super) async fn dashboard(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let org_ids = vec![staff.user.org_id];
    let mine = state
        .store
        .list_items(&ItemQuery {
            org_ids: org_ids.clone(),
            statuses: vec![ItemStatus::Draft, ItemStatus::Returned],
            author_id: Some(staff.user.id),
            order: ItemOrder::UpdatedDesc,
            limit: 50,
            ..Default::default()
        })
        .await?;
    let mut review = Vec::new();
    if staff.is(Role::Reviewer) || staff.is(Role::Admin) {
        let queue = state
            .store
            .list_items(&ItemQuery {
                org_ids: org_ids.clone(),
                statuses: vec![ItemStatus::Submitted, ItemStatus::Approved],
                order: ItemOrder::UpdatedDesc,
                limit: 50,
                ..Default::default()
            })
            .await?;
        review = queue.items.into_iter().filter(|i| !workflow::allowed_actions(i.status, &staff.user, i.author_id).is_empty()).collect();
    }
    let calendar = state.calendar();
    let today = today();
    let mut due_soon = Vec::new();
    let mut overdue = Vec::new();
    for item in state.store.unpublished_items(&org_ids).await? {
        let (left, row) = deadline_ctx(&calendar, &item, today);
        if item.fields.formed_date > today {
            continue;
        }
        if left < 0 {
            overdue.push(row);
        } else if left <= state.config.reminder_working_days {
            due_soon.push(row);
        }
    }
    let catalogs: HashMap<i64, CatalogNode> = state.store.catalog(staff.user.org_id).await?.into_iter().map(|n| (n.id, n)).collect();
    let orgs: HashMap<i64, Organisation> = [(staff.org.id, staff.org.clone())].into_iter().collect();
    let report = report_card(&state, &staff, &calendar, today).await?;
    let (consult_overdue, consult_soon) = crate::channels::consult::deadline_lists(&state, staff.user.org_id).await?;
    render::page(
        "admin_dashboard.html",
        context! {
            staff => staff.ctx(),
            site_name => state.config.site_name,
            today => today.to_string(),
            provisional_today => calendar.is_provisional(today),
            mine => mine.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            review => review.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            due_soon, overdue,
            needs_org_code => staff.org.org_code.trim().is_empty(),
            due_soon_days => state.config.reminder_working_days,
            report,
            consult_overdue, consult_soon,
        },
    )
}

/// Last year's annual report on the dashboard: status, deadline and days left; for
/// administrators also whether the records changed since it was published (the year lock).
pub(super) async fn report_card(state: &AppState, staff: &Staff, calendar: &gongkai_domain::calendar::Calendar, today: chrono::NaiveDate) -> Result<Value, AppError> {
    use gongkai_domain::annual_report::ProgressStatus;
    let year = chrono::Datelike::year(&today) - 1;
    let reports = state.store.reports(&[staff.org.id]).await?;
    let revs: Vec<_> = reports.iter().filter(|r| r.year == year).collect();
    let latest = revs.iter().max_by_key(|r| r.revision).map(|r| r.status);
    let first_published = revs.iter().filter_map(|r| r.published_on).min();
    let deadline = crate::reports::records::deadline_of(&state.store, &staff.org, year).await?;
    let progress = ProgressStatus::of(latest, first_published, deadline, today);
    let mut changed = Vec::new();
    if staff.is(Role::Admin) {
        if let Some(p) = crate::reports::records::latest_published(&reports, year) {
            let current = crate::reports::records::generate(&state.store, calendar, &staff.org, year).await?;
            changed = crate::reports::records::figures_changed(&p.content, &current);
        }
    }
    Ok(context! {
        year, deadline => deadline.format("%Y年%-m月%-d日").to_string(), days_left => (deadline - today).num_days(),
        progress => progress.as_str(), progress_label => progress.label(), changed,
    })
}
