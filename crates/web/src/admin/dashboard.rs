//! The dashboard by role: what is waiting for the signed-in user ("我的待办") and
//! what is due — applications for disclosure overdue or due soon (with working
//! days left), consultations to assign or answer, items and annual-report
//! revisions waiting for the user's review, letters waiting for the office
//! head's sign-off or for issue, the organisation's overdue counts and, for a
//! district administrator, each subordinate unit's. The same lists give the
//! "我的待办" count in the header of every back-office page.

use gongkai_domain::application::ClockConfig;
use gongkai_domain::consultation::ConsultState;
use gongkai_store::ConsultationQuery;

use super::*;

/// Everything waiting for the user, as dashboard rows.
#[derive(Default)]
pub(crate) struct MyTodo {
    /// The organisation's open applications past their reply due date.
    pub app_overdue: Vec<Value>,
    /// The organisation's open applications due within the reminder window.
    pub app_soon: Vec<Value>,
    /// How many of those are the user's to act on (administrators and office heads:
    /// all; others: their own cases and unassigned ones).
    pub app_mine: usize,
    /// Consultations nobody is assigned to (for those who assign).
    pub consult_assign: Vec<Value>,
    /// Consultations assigned to the user, not yet answered.
    pub consult_answer: Vec<Value>,
    /// Items waiting for the user's review or publication.
    pub review: Vec<Item>,
    /// Annual-report revisions waiting for the user's review.
    pub reports: Vec<Value>,
    /// Letters waiting for the user's sign-off (office head).
    pub signoff: Vec<Value>,
    /// Signed-off letters waiting to be issued.
    pub to_issue: Vec<Value>,
}

impl MyTodo {
    /// The "我的待办" count: what needs this user's action now.
    pub fn count(&self) -> usize {
        self.app_mine
            + self.consult_assign.len()
            + self.consult_answer.len()
            + self.review.len()
            + self.reports.len()
            + self.signoff.len()
            + self.to_issue.len()
    }
}

/// Whether the user works on applications (and so sees their deadlines).
fn handles_cases(staff: &Staff) -> bool {
    staff.is(Role::Editor) || staff.is(Role::Reviewer) || staff.is(Role::Admin) || staff.is(Role::OfficeHead)
}

/// Overdue and due-soon open applications of one organisation, with working days left;
/// each row says whether it is for `me` (handled by me, or not yet assigned).
async fn application_deadlines(state: &AppState, org_id: i64, me: Option<i64>) -> Result<(Vec<Value>, Vec<Value>, usize), AppError> {
    let calendar = state.calendar();
    let today = today();
    let (mut overdue, mut soon, mut mine) = (Vec::new(), Vec::new(), 0);
    for (app, steps) in state.store.open_applications_with_steps(&[org_id]).await? {
        let case = crate::applications::cases::replay(state, &app, &steps)?;
        if !case.state.is_open() {
            continue;
        }
        let for_me = me.is_none() || case.handler_id.is_none() || case.handler_id == me;
        let clock = case.clock(&calendar, &ClockConfig::default(), today);
        let Some(left) = clock.working_days_left else { continue };
        let row = context! {
            id => app.id, code => app.tracking_code, received => app.received.to_string(),
            description => app.description.chars().take(40).collect::<String>(),
            state_label => case.state.label(), due => clock.due.map(|d| d.to_string()), provisional => clock.provisional,
            left, overdue_days => -left, unassigned => case.handler_id.is_none(), mine => for_me && case.handler_id.is_some(),
        };
        if left < 0 {
            overdue.push(row);
        } else if left <= state.config.reminder_working_days {
            soon.push(row);
        } else {
            continue;
        }
        if for_me {
            mine += 1;
        }
    }
    Ok((overdue, soon, mine))
}

/// What is waiting for the signed-in user.
pub(crate) async fn my_todo(state: &AppState, staff: &Staff) -> Result<MyTodo, AppError> {
    let org_id = staff.user.org_id;
    let mut todo = MyTodo::default();
    if handles_cases(staff) {
        // Administrators and office heads watch every case; others theirs and unassigned ones.
        let only_for = (!(staff.is(Role::Admin) || staff.is(Role::OfficeHead))).then_some(staff.user.id);
        let (overdue, soon, mine) = application_deadlines(state, org_id, only_for).await?;
        todo.app_overdue = overdue;
        todo.app_soon = soon;
        todo.app_mine = mine;
    }
    let open = state.store.consultations(&ConsultationQuery { org_ids: vec![org_id], open_only: true, ..Default::default() }).await?;
    let assigns = staff.is(Role::Admin) || staff.is(Role::OfficeHead);
    for c in &open.items {
        let row = context! { id => c.id, subject => c.subject, received => c.received.to_string(), due => c.due.to_string(), state_label => c.state.label() };
        match (c.state, c.assignee_id) {
            (ConsultState::Received, _) if assigns => todo.consult_assign.push(row),
            (ConsultState::Assigned, Some(a)) if a == staff.user.id => todo.consult_answer.push(row),
            _ => {}
        }
    }
    if staff.is(Role::Reviewer) || staff.is(Role::Admin) {
        let queue = state
            .store
            .list_items(&ItemQuery {
                org_ids: vec![org_id],
                statuses: vec![ItemStatus::Submitted, ItemStatus::Approved],
                order: ItemOrder::UpdatedDesc,
                limit: 50,
                ..Default::default()
            })
            .await?;
        todo.review = queue.items.into_iter().filter(|i| !workflow::allowed_actions(i.status, &staff.user, i.author_id).is_empty()).collect();
    }
    for r in state.store.reports(&[org_id]).await? {
        let actions = gongkai_domain::annual_report::workflow::allowed(r.status, &staff.user, r.submitted_by);
        if r.status == gongkai_domain::annual_report::ReportStatus::InReview && !actions.is_empty() {
            todo.reports.push(context! { id => r.id, year => r.year, revision => r.revision, status_label => r.status.label() });
        }
    }
    let settings = state.store.office_settings(org_id).await?;
    for l in state.store.letters_in_progress(&[org_id]).await? {
        let needs = gongkai_letters::LetterKind::parse(&l.kind)
            .and_then(|k| gongkai_domain::application::StepKind::ALL.into_iter().find(|s| crate::applications::letters::letter_kind_for(*s) == Some(k)))
            .is_some_and(|s| settings.signoff.requires(s));
        let row = context! { id => l.letter_id, title => l.title, code => l.tracking_code, application_id => l.application_id, created => crate::applications::cases::local_date(l.created_at) };
        if needs && !l.signed_off && staff.is(Role::OfficeHead) {
            todo.signoff.push(row);
        } else if l.signed_off && handles_cases(staff) && !staff.is(Role::OfficeHead) {
            todo.to_issue.push(row);
        }
    }
    Ok(todo)
}

/// The "我的待办" count for the header of every back-office page.
pub(crate) async fn todo_count(state: &AppState, staff: &Staff) -> Result<usize, AppError> {
    Ok(my_todo(state, staff).await?.count())
}

/// Overdue counts of one organisation: applications, unpublished items, consultations.
async fn overdue_counts(state: &AppState, org: &Organisation) -> Result<Value, AppError> {
    let calendar = state.calendar();
    let today = today();
    let (apps, _, _) = application_deadlines(state, org.id, None).await?;
    let mut items = 0;
    for item in state.store.unpublished_items(&[org.id]).await? {
        if item.fields.formed_date <= today && ops::publication_due(&calendar, item.fields.formed_date).due < today {
            items += 1;
        }
    }
    let (consults, _) = crate::channels::consult::deadline_lists(state, org.id).await?;
    let total = apps.len() + items + consults.len();
    Ok(context! { id => org.id, name => org.name, slug => org.slug, applications => apps.len(), items, consultations => consults.len(), total })
}

pub(super) async fn dashboard(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    // A security or audit administrator alone has no disclosure work: their own pages.
    if !staff.does_business() {
        if staff.is(Role::AuditAdmin) {
            return Ok(Redirect::to("/admin/audit").into_response());
        }
        if staff.is(Role::SecurityAdmin) {
            return Ok(Redirect::to("/admin/users").into_response());
        }
        // An account created without roles waits for the security administrator.
        return Err(AppError::Forbidden("您的账号尚未授予任何角色，请联系本机关的安全管理员".into()));
    }
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
    let todo = my_todo(&state, &staff).await?;
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
    // The organisation's own overdue figures, and each subordinate unit's for a district.
    let own = overdue_counts(&state, &staff.org).await?;
    let mut units = Vec::new();
    if staff.is(Role::Admin) {
        for id in staff.scope.iter().filter(|id| **id != staff.org.id) {
            if let Some(org) = state.store.org(*id).await? {
                units.push(overdue_counts(&state, &org).await?);
            }
        }
    }
    let units_overdue = units.iter().filter(|u| u.get_attr("total").ok().and_then(|v| i64::try_from(v).ok()).unwrap_or(0) > 0).count();
    render::page(
        "admin_dashboard.html",
        context! {
            staff => staff.ctx(),
            site_name => state.config.site_name,
            today => today.to_string(),
            provisional_today => calendar.is_provisional(today),
            mine => mine.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            review => todo.review.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            due_soon, overdue,
            needs_org_code => staff.org.org_code.trim().is_empty(),
            due_soon_days => state.config.reminder_working_days,
            report,
            consult_overdue, consult_soon,
            app_overdue => todo.app_overdue, app_soon => todo.app_soon,
            consult_assign => todo.consult_assign, consult_answer => todo.consult_answer,
            report_reviews => todo.reports, signoff => todo.signoff, to_issue => todo.to_issue,
            todo_total => todo.count(),
            own, units, units_overdue,
            is_office_head => staff.is(Role::OfficeHead),
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
