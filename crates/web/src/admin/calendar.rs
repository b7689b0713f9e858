//! The working-day calendar: official years, explanations, adding a year.

use super::*;

#[derive(Deserialize)]
pub(super) struct CalendarQuery {
    pub(super) start: Option<String>,
    pub(super) days: Option<String>,
}

pub(super) async fn calendar_page(State(state): State<AppState>, staff: Staff, Query(q): Query<CalendarQuery>) -> Result<Response, AppError> {
    calendar_view(&state, &staff, q.start.as_deref(), q.days.as_deref(), None, &[], "", StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn calendar_view(
    state: &AppState,
    staff: &Staff,
    start: Option<&str>,
    days: Option<&str>,
    msg: Option<&str>,
    errors: &[String],
    json: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let calendar = state.calendar();
    let stored = state.store.calendar_years().await?;
    let official = calendar.official_years();
    let mut years: Vec<Value> = official.iter().map(|y| context! { year => y, source => "国务院办公厅通知（内置）" }).collect();
    for s in &stored {
        years.push(context! { year => s.year, source => format!("管理员添加（{}）", s.added_at.format("%Y-%m-%d")) });
    }
    let mut explain = None;
    let mut explain_error = None;
    if let Some(start) = start.filter(|s| !s.trim().is_empty()) {
        let n = days.unwrap_or("20").trim();
        match (NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d"), n.parse::<u32>()) {
            (Ok(d), Ok(n)) if n <= 1000 => {
                let due = calendar.add_working_days(d, n);
                explain = Some(context! { due => due.due.to_string(), provisional => due.provisional, text => due.explain() });
            }
            (Err(_), _) => explain_error = Some("起算日期格式有误，应为 年-月-日".to_string()),
            _ => explain_error = Some("工作日数应为 0—1000 的整数".to_string()),
        }
    }
    render::page_with_status(
        status,
        "admin_calendar.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, years,
            start => start.unwrap_or(""), days => days.unwrap_or("20"), explain, explain_error,
            msg, errors, json,
        },
    )
}

#[derive(Deserialize)]
pub(super) struct CalendarForm {
    #[serde(default)]
    pub(super) year: String,
    #[serde(default)]
    pub(super) json: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

pub(super) async fn calendar_add(State(state): State<AppState>, staff: Staff, Form(form): Form<CalendarForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let problem = (|| {
        let Some(year) = form.year.trim().parse::<i32>().ok().filter(|y| (2019..=2100).contains(y)) else {
            return Err("年份应为 2019—2100 的四位数字".to_string());
        };
        if state.calendar().official_years().contains(&year) {
            return Err(format!("{year} 年已有内置的官方节假日安排，无需添加"));
        }
        if form.json.len() > 100_000 {
            return Err("节假日数据过长".to_string());
        }
        let data = Calendar::parse_year(&form.json).map_err(|e| format!("节假日数据有误：{e}"))?;
        let mut updated = state.calendar();
        updated.add_year(year, data).map_err(|e| format!("节假日数据有误：{e}"))?;
        Ok((year, updated))
    })();
    let (year, updated) = match problem {
        Ok(v) => v,
        Err(m) => return calendar_view(&state, &staff, None, None, None, &[m], &form.json, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    staff
        .audited(&state, "calendar.add_year", &format!("calendar:{year}"), "")
        .put_calendar_year(&gongkai_store::StoredCalendarYear { year, json: form.json.clone(), added_by: staff.user.id, added_at: Utc::now() })
        .await?;
    match state.calendar.write() {
        Ok(mut c) => *c = updated,
        Err(p) => *p.into_inner() = updated,
    }
    calendar_view(&state, &staff, None, None, Some(&format!("已添加 {year} 年节假日安排，相关期限将按新安排计算")), &[], "", StatusCode::OK).await
}

// ---- audit log ----
