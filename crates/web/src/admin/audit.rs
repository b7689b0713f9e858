//! The audit log (read side): entries in Chinese with object names, filters (who, what, when,
//! organisation, result), CSV and XLSX export of the filtered entries, and chain verification.

use chrono::{Duration, TimeZone};
use gongkai_store::writing::{AuditFilter, AuditRecord};

use super::*;

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub(super) struct AuditQuery {
    #[serde(default)]
    pub(super) page: Option<String>,
    #[serde(default)]
    pub(super) actor: Option<String>,
    #[serde(default)]
    pub(super) action: Option<String>,
    #[serde(default)]
    pub(super) from: Option<String>,
    #[serde(default)]
    pub(super) to: Option<String>,
    #[serde(default)]
    pub(super) org: Option<String>,
    #[serde(default)]
    pub(super) result: Option<String>,
    #[serde(default)]
    pub(super) format: Option<String>,
}

/// The objects actions are about, by code prefix.
const OBJECTS: [(&str, &str); 24] = [
    ("item", "信息"),
    ("attachment", "附件"),
    ("user", "用户"),
    ("org", "机关"),
    ("catalog", "栏目"),
    ("calendar", "工作日历"),
    ("report", "年度报告"),
    ("application", "政府信息公开申请"),
    ("letter", "告知书"),
    ("appeal", "复议诉讼"),
    ("consultation", "网上咨询"),
    ("board", "公开栏"),
    ("keywork", "重点工作"),
    ("submission", "报送"),
    ("channels", "渠道设置"),
    ("password", "密码"),
    ("vocabulary", "分类词表"),
    ("art44", "第四十四条建议"),
    ("login", "登录"),
    ("logout", "退出登录"),
    ("session", "会话"),
    ("signoff", "签发"),
    ("audit", "审计日志"),
    ("reveal_grant", "查看授权"),
];

/// The Chinese label of an action code; unknown codes are named by their object and shown.
pub(crate) fn action_label(code: &str) -> String {
    let known = match code {
        "login" => "登录",
        "login_failed" => "登录失败",
        "login_locked" => "登录失败次数过多，账号锁定",
        "logout" => "退出登录",
        "password.change" => "修改本人密码",
        "item.create" => "新建信息",
        "item.edit" => "修改信息",
        "item.validity" => "标注信息有效性",
        "attachment.add" => "上传附件",
        "attachment.delete" => "删除附件",
        "attachment.title" => "修改附件显示名称",
        "user.create" => "新建用户",
        "user.roles" => "修改用户角色",
        "reveal_grant.grant" => "授权上级机关查看申请人完整信息",
        "reveal_grant.revoke" => "撤销上级机关查看申请人完整信息的授权",
        "user.reset_password" => "重置用户密码",
        "user.reset_mfa" => "重置用户的两步验证",
        "mfa.enable" => "启用两步验证",
        "mfa.disable" => "停用两步验证",
        "mfa.recovery_codes" => "重新生成恢复码",
        "login_mfa" => "两步验证登录",
        "login_password" => "密码验证通过",
        "user.unlock" => "解除账号锁定",
        "user.disable" => "停用用户",
        "user.enable" => "启用用户",
        "org.create" => "新建下级机关",
        "org.update" => "修改机关设置",
        "catalog.add" => "新增栏目",
        "catalog.update" => "修改栏目",
        "catalog.delete" => "删除栏目",
        "calendar.add_year" => "录入年度节假日安排",
        "report.create" => "起草年度报告",
        "report.save" => "保存年度报告",
        "report.refresh" => "按记录更新年度报告数字",
        "report.submit" => "提交年度报告审核",
        "report.return" => "退回年度报告",
        "report.publish" => "发布年度报告",
        "report.revise" => "更正年度报告",
        "report.deadline" => "设置年度报告发布期限",
        "report.figures" => "录入年度报告第二部分数据",
        "report.figures.import" => "导入年度报告第二部分数据",
        "report.check" => "年报体检",
        "application.submit" => "提交政府信息公开申请",
        "application.register" => "登记政府信息公开申请",
        "application.reveal" => "查看申请人个人信息",
        "letter.draft" => "起草告知书",
        "letter.edit" => "修改告知书",
        "letter.issue" => "出具告知书",
        "letter.new_version" => "告知书另起新版本",
        "appeal.create" => "登记行政复议、行政诉讼",
        "appeal.update" => "更新行政复议、行政诉讼结果",
        "consultation.submit" => "提交网上咨询",
        "consultation.assign" => "分派网上咨询",
        "consultation.answer" => "答复网上咨询",
        "consultation.convert" => "网上咨询转为公开申请",
        "consultation.publish" => "公开咨询答复",
        "consultation.unpublish" => "取消公开咨询答复",
        "board.post" => "公开栏张贴",
        "keywork.add" => "新增重点工作",
        "keywork.delete" => "删除重点工作",
        "submission.export" => "生成报送包",
        "submission.send" => "发送报送包",
        "submission.import" => "导入报送包",
        "channels.settings" => "修改渠道设置",
        "channels.import_token" => "生成报送接收口令",
        "vocabulary.update" => "修改分类词表",
        "vocabulary.reset" => "恢复默认分类词表",
        "art44.draft" => "依《条例》第四十四条起草主动公开信息",
        "art44.dismiss" => "第四十四条建议评估为不宜主动公开",
        "art44.settings" => "修改第四十四条建议设置",
        "audit.export" => "导出审计日志",
        "report.rollup_export" => "导出下级机关年度报告汇总",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    if let Some(a) = code.strip_prefix("item.").and_then(Action::parse) {
        return format!("信息：{}", a.label());
    }
    let (object, rest) = code.split_once('.').unwrap_or((code, ""));
    match OBJECTS.iter().find(|(k, _)| *k == object) {
        Some((_, label)) if rest.is_empty() => label.to_string(),
        Some((_, label)) => format!("{label}：{rest}"),
        None => code.to_string(),
    }
}

/// The object of an entry in words: its kind and name where the target names a stored
/// object, else its kind and the raw reference.
fn target_label(target: &str, names: &HashMap<String, String>) -> String {
    if target.is_empty() {
        return String::new();
    }
    let Some((kind, rest)) = target.split_once(':') else {
        return target.to_string();
    };
    let name = names.get(target);
    match (kind, name) {
        ("item", Some(n)) => format!("信息《{n}》"),
        ("report", Some(n)) => format!("《{n}》"),
        ("application", Some(n)) => format!("申请（查询码 {n}）"),
        ("user", Some(n)) => format!("用户 {n}"),
        ("org", Some(n)) => n.clone(),
        ("catalog", Some(n)) => format!("栏目“{n}”"),
        ("consultation", Some(n)) => format!("咨询“{n}”"),
        ("login", None) => format!("账号 {rest}"),
        ("calendar", None) => format!("{rest} 年工作日历"),
        _ => {
            let object = OBJECTS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or(kind);
            match name {
                Some(n) => format!("{object} {n}"),
                None => format!("{object}（编号 {rest}）"),
            }
        }
    }
}

fn parse_day(raw: Option<&str>, label: &str) -> Result<Option<NaiveDate>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("{label}“{s}”格式有误，应为 年-月-日，例如 2026-01-31"))),
    }
}

/// The start of a China Standard Time day, as UTC.
fn cst_midnight(d: NaiveDate) -> chrono::DateTime<Utc> {
    let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    crate::util::cst().from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

fn build_filter(staff: &Staff, q: &AuditQuery) -> Result<AuditFilter, AppError> {
    let from = parse_day(q.from.as_deref(), "开始日期")?;
    let to = parse_day(q.to.as_deref(), "结束日期")?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::BadRequest("开始日期不能晚于结束日期".into()));
        }
    }
    let org_id = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let id: i64 = s.parse().map_err(|_| AppError::BadRequest("机关选择有误".into()))?;
            if !staff.scope.contains(&id) {
                return Err(AppError::Forbidden("只能查看本机关及下级机关的审计日志".into()));
            }
            Some(id)
        }
    };
    let success = match q.result.as_deref().unwrap_or("") {
        "" => None,
        "ok" => Some(true),
        "fail" => Some(false),
        other => return Err(AppError::BadRequest(format!("结果“{other}”不存在"))),
    };
    Ok(AuditFilter {
        org_ids: staff.scope.clone(),
        org_id,
        actor: q.actor.clone().filter(|a| !a.trim().is_empty()),
        action: q.action.clone().filter(|a| !a.trim().is_empty()),
        from: from.map(cst_midnight),
        until: to.map(|t| cst_midnight(t) + Duration::days(1)),
        success,
        limit: 0,
        offset: 0,
    })
}

/// One entry in words, for the page and the exports.
struct Row {
    id: i64,
    at: String,
    actor: String,
    org: String,
    action: String,
    code: String,
    target: String,
    detail: String,
    client: String,
    success: bool,
    hash: String,
}

async fn rows_for(state: &AppState, entries: &[AuditRecord]) -> Result<Vec<Row>, AppError> {
    let targets: Vec<String> = entries.iter().map(|e| e.target.clone()).collect();
    let names = state.store.audit_target_names(&targets).await?;
    let orgs: HashMap<i64, String> = state.store.orgs().await?.into_iter().map(|o| (o.id, o.name)).collect();
    let cst = crate::util::cst();
    Ok(entries
        .iter()
        .map(|e| Row {
            id: e.id,
            at: e.at.with_timezone(&cst).format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: e.actor_name.clone(),
            org: e.org_id.and_then(|o| orgs.get(&o).cloned()).unwrap_or_default(),
            action: action_label(&e.action),
            code: e.action.clone(),
            target: target_label(&e.target, &names),
            detail: e.detail.clone(),
            client: e.client.clone(),
            success: e.success,
            hash: e.hash.clone(),
        })
        .collect())
}

/// The filter as a query string (for paging and export links).
fn query_string(q: &AuditQuery) -> String {
    let mut q = q.clone();
    q.page = None;
    q.format = None;
    let pairs: Vec<(&str, String)> = [
        ("actor", q.actor),
        ("action", q.action),
        ("from", q.from),
        ("to", q.to),
        ("org", q.org),
        ("result", q.result),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub(super) async fn audit_page(State(state): State<AppState>, staff: Staff, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    // 三员分立: the audit log is the audit administrator's alone.
    staff.require(Role::AuditAdmin)?;
    let page = parse_page(q.page.as_deref())?;
    let per_page = 50;
    let mut filter = build_filter(&staff, &q)?;
    filter.limit = per_page;
    filter.offset = (page - 1) * per_page;
    let result = state.store.audit_search(&filter).await?;
    let broken = state.store.verify_audit_chain().await?;
    let rows: Vec<Value> = rows_for(&state, &result.items)
        .await?
        .into_iter()
        .map(|r| {
            context! {
                id => r.id, at => r.at, actor => r.actor, org => r.org, action => r.action, code => r.code,
                target => r.target, detail => r.detail, client => r.client, success => r.success,
                hash => r.hash.chars().take(12).collect::<String>(),
            }
        })
        .collect();
    let orgs: Vec<Value> = state
        .store
        .orgs()
        .await?
        .into_iter()
        .filter(|o| staff.scope.contains(&o.id))
        .map(|o| context! { id => o.id, name => o.name, selected => q.org.as_deref() == Some(o.id.to_string().as_str()) })
        .collect();
    // The "what" filter: each object (prefix), then each action seen in the log.
    let codes = state.store.audit_action_codes().await?;
    let mut actions: Vec<Value> = Vec::new();
    let mut seen_objects: Vec<&str> = Vec::new();
    for code in &codes {
        let object = code.split('.').next().unwrap_or(code);
        if code.contains('.') && !seen_objects.contains(&object) {
            seen_objects.push(object);
            if let Some((_, label)) = OBJECTS.iter().find(|(k, _)| *k == object) {
                let value = format!("{object}.");
                actions.push(context! { value => value.clone(), label => format!("{label}（全部操作）"), selected => q.action.as_deref() == Some(value.as_str()) });
            }
        }
        actions.push(context! { value => code, label => action_label(code), selected => q.action.as_deref() == Some(code.as_str()) });
    }
    let qs = query_string(&q);
    render::page(
        "admin_audit.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, rows, broken,
            paging => Paging::new(page, per_page, result.total), total => result.total,
            orgs, actions, q => Value::from_serialize(&q), qs,
        },
    )
}

/// Most entries one export may hold.
const EXPORT_MAX: i64 = 200_000;
const HEADER: [&str; 11] = ["序号", "时间", "操作人", "机关", "操作", "操作代码", "对象", "详情", "来源", "结果", "哈希"];

pub(super) async fn audit_export(State(state): State<AppState>, staff: Staff, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    // 三员分立: the audit log is the audit administrator's alone.
    staff.require(Role::AuditAdmin)?;
    let format = q.format.clone().unwrap_or_else(|| "csv".into());
    if format != "csv" && format != "xlsx" {
        return Err(AppError::BadRequest(format!("导出格式“{format}”不支持，可选 csv 或 xlsx")));
    }
    let mut filter = build_filter(&staff, &q)?;
    filter.limit = EXPORT_MAX;
    let result = state.store.audit_search(&filter).await?;
    if result.total > EXPORT_MAX {
        return Err(AppError::BadRequest(format!("符合条件的记录有 {} 条，超过单次导出上限 {EXPORT_MAX} 条，请缩小日期范围", result.total)));
    }
    let rows = rows_for(&state, &result.items).await?;
    let cells = |r: &Row| -> [String; 11] {
        [
            r.id.to_string(),
            r.at.clone(),
            r.actor.clone(),
            r.org.clone(),
            r.action.clone(),
            r.code.clone(),
            r.target.clone(),
            r.detail.clone(),
            r.client.clone(),
            if r.success { "成功".into() } else { "失败".into() },
            r.hash.clone(),
        ]
    };
    staff.audit(&state, "audit.export", "", &format!("{format}，{} 条；{}", rows.len(), query_string(&q)), true).await?;
    let stamp = crate::util::today().format("%Y%m%d");
    if format == "csv" {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| AppError::Internal(format!("生成 CSV 失败：{e}"));
        w.write_record(HEADER).map_err(io)?;
        for r in &rows {
            w.write_record(cells(r).map(|c| csv_safe(&c))).map_err(io)?;
        }
        let body = w.into_inner().map_err(|e| AppError::Internal(format!("生成 CSV 失败：{e}")))?;
        // A byte-order mark so that Excel and WPS open the UTF-8 file correctly.
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        return Ok(file_response(bytes, "text/csv; charset=utf-8", &format!("audit-{stamp}.csv"), &format!("审计日志-{stamp}.csv")));
    }
    let table: Vec<Vec<String>> = rows.iter().map(|r| cells(r).to_vec()).collect();
    let bytes = xlsx_table("审计日志", &HEADER, &table, &[8.0, 20.0, 12.0, 24.0, 24.0, 20.0, 36.0, 40.0, 16.0, 8.0, 20.0])?;
    Ok(file_response(bytes, XLSX_MIME, &format!("audit-{stamp}.xlsx"), &format!("审计日志-{stamp}.xlsx")))
}

/// A CSV cell that a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`,
/// `@`, tab or carriage return gets a leading apostrophe (details and titles are user input).
fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

pub(crate) const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download with an ASCII fallback name and the Chinese name (RFC 6266).
pub(crate) fn file_response(bytes: Vec<u8>, mime: &str, ascii_name: &str, name: &str) -> Response {
    use axum::http::{header, HeaderValue};
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}", crate::util::url_encode(name));
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// A one-sheet workbook: a bold, frozen heading row, then the rows as text (numbers as
/// numbers), with column widths.
pub(crate) fn xlsx_table(sheet: &str, header: &[&str], rows: &[Vec<String>], widths: &[f64]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("生成 XLSX 失败：{e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(err)?;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            match v.parse::<i64>() {
                Ok(n) if !v.starts_with('0') || v == "0" => ws.write_number(r, c as u16, n as f64).map_err(err)?,
                _ => ws.write_string_with_format(r, c as u16, v, &wrap).map_err(err)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_in_chinese() {
        assert_eq!(action_label("report.publish"), "发布年度报告");
        assert_eq!(action_label("item.publish"), "信息：发布");
        assert_eq!(action_label("signoff.reply"), "签发：reply");
        assert_eq!(action_label("weird"), "weird");
        let names: HashMap<String, String> = [("report:4".to_string(), "某镇2023年政府信息公开工作年度报告".to_string())].into_iter().collect();
        assert_eq!(target_label("report:4", &names), "《某镇2023年政府信息公开工作年度报告》");
        assert_eq!(target_label("report:5", &names), "年度报告（编号 5）");
        assert_eq!(target_label("login:editor1", &names), "账号 editor1");
        assert_eq!(csv_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(csv_safe("信息《=》"), "信息《=》");
    }
}
