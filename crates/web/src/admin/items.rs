//! Items: lists, the review queue, the item form, workflow actions, validity and attachments.

use super::*;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    pub(super) status: Option<String>,
    pub(super) page: Option<String>,
}

pub(super) async fn items_list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let page = parse_page(q.page.as_deref())?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ItemStatus::parse(s).ok_or_else(|| AppError::BadRequest(format!("状态“{s}”不存在")))?),
    };
    let per_page = 30;
    let result = state
        .store
        .list_items(&ItemQuery {
            org_ids: vec![staff.user.org_id],
            statuses: status.into_iter().collect(),
            order: ItemOrder::UpdatedDesc,
            limit: per_page,
            offset: (page - 1) * per_page,
            ..Default::default()
        })
        .await?;
    let catalogs: HashMap<i64, CatalogNode> = state.store.catalog(staff.user.org_id).await?.into_iter().map(|n| (n.id, n)).collect();
    let orgs: HashMap<i64, Organisation> = [(staff.org.id, staff.org.clone())].into_iter().collect();
    let statuses: Vec<Value> = ItemStatus::ALL
        .iter()
        .map(|s| context! { code => s.as_str(), label => s.label(), selected => Some(*s) == status })
        .collect();
    render::page(
        "admin_items.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            items => result.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            paging => Paging::new(page, per_page, result.total), statuses,
            status => status.map(|s| s.as_str()),
        },
    )
}

pub(super) async fn review_queue(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    if !(staff.is(Role::Reviewer) || staff.is(Role::Admin)) {
        return Err(AppError::Forbidden("审核队列仅对审核人和管理员开放".into()));
    }
    let result = state
        .store
        .list_items(&ItemQuery {
            org_ids: vec![staff.user.org_id],
            statuses: vec![ItemStatus::Submitted, ItemStatus::Approved],
            order: ItemOrder::UpdatedDesc,
            limit: 200,
            ..Default::default()
        })
        .await?;
    let catalogs: HashMap<i64, CatalogNode> = state.store.catalog(staff.user.org_id).await?.into_iter().map(|n| (n.id, n)).collect();
    let orgs: HashMap<i64, Organisation> = [(staff.org.id, staff.org.clone())].into_iter().collect();
    render::page(
        "admin_items.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, review_mode => true,
            items => result.items.iter().map(|i| item_row(i, &catalogs, &orgs)).collect::<Vec<_>>(),
            paging => Paging::new(1, 200, result.total),
        },
    )
}

/// The raw item form as submitted (all text, parsed and validated below).
#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub(super) struct ItemForm {
    #[serde(default)]
    pub(super) catalog_id: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) summary: String,
    #[serde(default)]
    pub(super) body: String,
    #[serde(default)]
    pub(super) publisher: String,
    #[serde(default)]
    pub(super) formed_date: String,
    #[serde(default)]
    pub(super) doc_number: String,
    #[serde(default)]
    pub(super) topic: String,
    #[serde(default)]
    pub(super) genre: String,
    #[serde(default)]
    pub(super) keywords: String,
    #[serde(default)]
    pub(super) disclosure_mode: String,
    #[serde(default)]
    pub(super) doc_type: String,
    #[serde(default)]
    pub(super) statutory_category: String,
    /// The rows/cells table form: a table appended to 正文 on save.
    #[serde(default)]
    pub(super) table_caption: String,
    #[serde(default)]
    pub(super) table_rows: String,
    #[serde(default)]
    pub(super) table_header: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

/// The 主题分类 and 体裁分类 a form may choose from: the organisation's lists, plus the
/// item's current values (an item saved before the lists existed keeps its value).
#[derive(Default)]
pub(super) struct Vocabularies {
    pub(super) topics: Vec<String>,
    pub(super) genres: Vec<String>,
    pub(super) current_topic: Option<String>,
    pub(super) current_genre: Option<String>,
}

impl Vocabularies {
    pub(super) async fn load(state: &AppState, org_id: i64, current: Option<&ItemFields>) -> Result<Self, AppError> {
        use gongkai_store::writing::VocabularyKind;
        Ok(Vocabularies {
            topics: vocab::terms(state, org_id, VocabularyKind::Topic).await?,
            genres: vocab::terms(state, org_id, VocabularyKind::Genre).await?,
            current_topic: current.map(|f| f.topic.clone()).filter(|t| !t.is_empty()),
            current_genre: current.map(|f| f.genre.clone()).filter(|t| !t.is_empty()),
        })
    }
    fn allows(list: &[String], current: &Option<String>, value: &str) -> bool {
        value.is_empty() || list.iter().any(|t| t == value) || current.as_deref() == Some(value)
    }
    fn options(list: &[String], current: &Option<String>, selected: &str) -> Vec<Value> {
        let mut out: Vec<Value> = list.iter().map(|t| context! { value => t, label => t, selected => t == selected }).collect();
        if let Some(c) = current.as_ref().filter(|c| !list.contains(c)) {
            out.push(context! { value => c, label => format!("{c}（不在分类词表中）"), selected => c == selected });
        }
        if !selected.is_empty() && !list.iter().any(|t| t == selected) && current.as_deref() != Some(selected) {
            out.push(context! { value => selected, label => format!("{selected}（不在分类词表中）"), selected => true });
        }
        out
    }
}

pub(super) fn field_error(field: &'static str, label: &'static str, message: String) -> FieldError {
    FieldError { field, label, message }
}

/// Parse and validate the form into item fields, or every problem found.
pub(super) fn parse_item_form(form: &ItemForm, catalog: &[CatalogNode], vocab: &Vocabularies) -> Result<ItemFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut body_html = crate::body::clean_body(&form.body);
    if !form.table_rows.trim().is_empty() {
        match crate::body::table_from_rows(&form.table_rows, !form.table_header.is_empty(), &form.table_caption) {
            Ok(table) => {
                if !body_html.is_empty() {
                    body_html.push('\n');
                }
                body_html.push_str(&table);
            }
            Err(e) => errors.push(field_error("table_rows", "表格", e)),
        }
    }
    let (topic, genre) = (form.topic.trim(), form.genre.trim());
    if !Vocabularies::allows(&vocab.topics, &vocab.current_topic, topic) {
        errors.push(field_error("topic", "主题分类", format!("主题分类“{topic}”不在本机关的分类词表中，请从列表中选择")));
    }
    if !Vocabularies::allows(&vocab.genres, &vocab.current_genre, genre) {
        errors.push(field_error("genre", "体裁分类", format!("体裁分类“{genre}”不在本机关的分类词表中，请从列表中选择")));
    }
    let catalog_id = match form.catalog_id.trim().parse::<i64>() {
        Ok(id) if catalog.iter().any(|n| n.id == id) => id,
        _ => {
            errors.push(field_error("catalog_id", "所属栏目", "请选择所属栏目".into()));
            0
        }
    };
    let formed_date = match NaiveDate::parse_from_str(form.formed_date.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            let msg = if form.formed_date.trim().is_empty() { "成文日期不能为空".to_string() } else { format!("成文日期“{}”格式有误，应为 年-月-日，例如 2023-09-27", form.formed_date.trim()) };
            errors.push(field_error("formed_date", "成文日期", msg));
            today()
        }
    };
    let disclosure_mode = DisclosureMode::parse(form.disclosure_mode.trim()).unwrap_or_else(|| {
        errors.push(field_error("disclosure_mode", "公开方式", "请选择公开方式".into()));
        DisclosureMode::Proactive
    });
    let doc_type = DocType::parse(form.doc_type.trim()).unwrap_or_else(|| {
        errors.push(field_error("doc_type", "文件类型", "请选择文件类型".into()));
        DocType::Other
    });
    let keywords: Vec<&str> = form.keywords.split(['，', ',', ' ', '、', ';', '；']).map(str::trim).filter(|k| !k.is_empty()).collect();
    let doc_number = form.doc_number.trim();
    let stat = form.statutory_category.trim();
    let fields = ItemFields {
        catalog_id,
        title: form.title.trim().to_string(),
        summary: form.summary.trim().to_string(),
        body_html,
        publisher: form.publisher.trim().to_string(),
        formed_date,
        doc_number: (!doc_number.is_empty()).then(|| doc_number.to_string()),
        topic: form.topic.trim().to_string(),
        genre: form.genre.trim().to_string(),
        keywords: keywords.join("，"),
        disclosure_mode,
        doc_type,
        statutory_category: (!stat.is_empty()).then(|| stat.to_string()),
    };
    for e in validate::validate_item(&fields, today()) {
        // One message per field: the form's own parse error comes first.
        if !errors.iter().any(|x: &FieldError| x.field == e.field) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

pub(super) fn form_from_item(item: &Item) -> ItemForm {
    let f = &item.fields;
    ItemForm {
        catalog_id: f.catalog_id.to_string(),
        title: f.title.clone(),
        summary: f.summary.clone(),
        body: f.body_html.clone(),
        publisher: f.publisher.clone(),
        formed_date: f.formed_date.to_string(),
        doc_number: f.doc_number.clone().unwrap_or_default(),
        topic: f.topic.clone(),
        genre: f.genre.clone(),
        keywords: f.keywords.clone(),
        disclosure_mode: f.disclosure_mode.as_str().into(),
        doc_type: f.doc_type.as_str().into(),
        statutory_category: f.statutory_category.clone().unwrap_or_default(),
        ..Default::default()
    }
}

pub(super) async fn render_item_form(
    state: &AppState,
    staff: &Staff,
    item_id: Option<i64>,
    form: &ItemForm,
    errors: &[FieldError],
    status: StatusCode,
) -> Result<Response, AppError> {
    let current = match item_id {
        Some(id) => state.store.item(id).await?.map(|i| i.fields),
        None => None,
    };
    let vocab = Vocabularies::load(state, staff.user.org_id, current.as_ref()).await?;
    let topics = Vocabularies::options(&vocab.topics, &vocab.current_topic, form.topic.trim());
    let genres = Vocabularies::options(&vocab.genres, &vocab.current_genre, form.genre.trim());
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let selected: i64 = form.catalog_id.parse().unwrap_or(0);
    let catalog: Vec<Value> = flatten_catalog(&nodes)
        .into_iter()
        .map(|(depth, n)| context! { id => n.id, name => n.name, depth, prefix => "　".repeat(depth), selected => n.id == selected })
        .collect();
    let stat: Vec<Value> = statutory_categories_for(staff.org.level)
        .map(|c| context! { code => c.code, label => c.label, selected => c.code == form.statutory_category })
        .collect();
    let doc_types: Vec<Value> = DocType::ALL.iter().map(|d| context! { code => d.as_str(), label => d.label(), selected => d.as_str() == form.doc_type }).collect();
    let error_map: HashMap<&str, &str> = errors.iter().map(|e| (e.field, e.message.as_str())).collect();
    render::page_with_status(
        status,
        "admin_item_form.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            item_id, form => Value::from_serialize(form), catalog, stat, doc_types, topics, genres,
            attachment_slots => (1..=item_submit::ATTACHMENT_SLOTS).collect::<Vec<_>>(),
            max_upload_mb => state.config.max_upload_bytes / (1024 * 1024),
            errors => errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>(),
            field_errors => error_map,
            today => today().to_string(),
        },
    )
}

pub(super) async fn item_new(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    workflow::check_edit(ItemStatus::Draft, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let form = ItemForm {
        publisher: staff.org.name.clone(),
        formed_date: today().to_string(),
        disclosure_mode: "proactive".into(),
        doc_type: "other".into(),
        ..Default::default()
    };
    render_item_form(&state, &staff, None, &form, &[], StatusCode::OK).await
}

/// Map a storage conflict on an item form to a field error.
pub(super) fn conflict_to_field(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Conflict { field, message } => {
            let label = match field {
                "doc_number" => "文号",
                "catalog_id" => "所属栏目",
                _ => "状态",
            };
            Ok(vec![FieldError { field, label, message }])
        }
        other => Err(other),
    }
}

/// Read and check the whole form: fields, DOCX import, table and attachments. On a problem
/// the form is shown again with every message and nothing is saved.
async fn checked_submission(
    state: &AppState,
    staff: &Staff,
    item_id: Option<i64>,
    req: axum::extract::Request,
) -> Result<Result<(ItemForm, ItemFields, Vec<item_submit::NewFile>), Response>, AppError> {
    let mut sub = match item_submit::read_submission(state, req).await? {
        Ok(s) => s,
        Err((form, message, status)) => {
            let errors = [field_error("attachments", "附件", message)];
            return Ok(Err(render_item_form(state, staff, item_id, &form, &errors, status).await?));
        }
    };
    staff.check_csrf(&sub.form.csrf)?;
    let mut errors = Vec::new();
    if let Err(e) = sub.import_docx() {
        errors.push(field_error("body_docx", "导入正文", e));
    }
    let files = match sub.checked_files(state.config.max_upload_bytes, &state.config.clamav).await {
        Ok(f) => f,
        Err(es) => {
            errors.extend(es.into_iter().map(|e| field_error("attachments", "附件", e)));
            Vec::new()
        }
    };
    let current = match item_id {
        Some(id) => state.store.item(id).await?.map(|i| i.fields),
        None => None,
    };
    let vocab = Vocabularies::load(state, staff.user.org_id, current.as_ref()).await?;
    let nodes = state.store.catalog(staff.user.org_id).await?;
    let mut form = sub.form;
    let parsed = parse_item_form(&form, &nodes, &vocab);
    if let Err(es) = &parsed {
        errors.extend(es.iter().cloned());
    }
    match parsed {
        Ok(fields) if errors.is_empty() => {
            // The table is now part of 正文; the form shows 正文 as saved.
            form.body = fields.body_html.clone();
            form.table_rows.clear();
            form.table_caption.clear();
            Ok(Ok((form, fields, files)))
        }
        _ => {
            let status = if errors.iter().any(|e| e.field == "body_docx") { StatusCode::UNSUPPORTED_MEDIA_TYPE } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok(Err(render_item_form(state, staff, item_id, &form, &errors, status).await?))
        }
    }
}

pub(super) async fn item_create(State(state): State<AppState>, staff: Staff, req: axum::extract::Request) -> Result<Response, AppError> {
    workflow::check_edit(ItemStatus::Draft, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let (form, fields, files) = match checked_submission(&state, &staff, None, req).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    match staff.audited(&state, "item.create", "item:{id}", &fields.title).create_item(staff.user.org_id, staff.user.id, &fields, &event(&staff, "create", "")).await {
        Ok(item) => {
            let n = files.len();
            item_submit::store_files(&state, &staff, item.id, files).await?;
            let msg = if n > 0 { format!("已保存，附件 {n} 个") } else { "已保存".to_string() };
            Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode(&msg))).into_response())
        }
        Err(e) => {
            let errors = conflict_to_field(e.into())?;
            render_item_form(&state, &staff, None, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub(super) async fn item_edit(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if item.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能编辑本机关的信息".into()));
    }
    workflow::check_edit(item.status, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    render_item_form(&state, &staff, Some(item.id), &form_from_item(&item), &[], StatusCode::OK).await
}

pub(super) async fn item_update(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, req: axum::extract::Request) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if item.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能编辑本机关的信息".into()));
    }
    workflow::check_edit(item.status, &staff.user).map_err(|e| AppError::Forbidden(e.to_string()))?;
    let (form, fields, files) = match checked_submission(&state, &staff, Some(item.id), req).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    match staff.audited(&state, "item.edit", &format!("item:{}", item.id), &fields.title).update_item_fields(item.id, &fields, &event(&staff, "edit", "")).await {
        Ok(_) => {
            item_submit::store_files(&state, &staff, item.id, files).await?;
            Ok(Redirect::to(&format!("/admin/items/{}", item.id)).into_response())
        }
        Err(e) => {
            let errors = conflict_to_field(e.into())?;
            render_item_form(&state, &staff, Some(item.id), &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct MessageQuery {
    pub(super) msg: Option<String>,
    pub(super) err: Option<String>,
}

pub(super) async fn item_view(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    item_view_page(&state, &staff, &item, q.msg.as_deref(), q.err.as_deref(), StatusCode::OK).await
}

pub(super) async fn item_view_page(state: &AppState, staff: &Staff, item: &Item, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let org = state.store.org(item.org_id).await?.ok_or(AppError::NotFound)?;
    let catalog = state.store.catalog_node(item.fields.catalog_id).await?;
    let events = state.store.item_events(item.id).await?;
    let attachments = state.store.attachments(item.id).await?;
    let actions: Vec<Value> = workflow::allowed_actions(item.status, &staff.user, item.author_id)
        .into_iter()
        .map(|a| context! { code => a.as_str(), label => a.label(), needs_comment => matches!(a, Action::Return | Action::Withdraw) })
        .collect();
    let calendar = state.calendar();
    let due = ops::publication_due(&calendar, item.fields.formed_date);
    let late = item.publish_date.map(|p| p > due.due);
    let history: Vec<Value> = events
        .iter()
        .map(|e| {
            let label = Action::parse(&e.action).map(|a| a.label()).unwrap_or(match e.action.as_str() {
                "create" => "新建",
                "edit" => "修改",
                "validity" => "标注有效性",
                _ => "其他",
            });
            context! {
                at => e.at.with_timezone(&crate::util::cst()).format("%Y-%m-%d %H:%M").to_string(),
                actor => e.actor_name, action => label, comment => e.comment, to => e.to_status.label(),
            }
        })
        .collect();
    let validities: Vec<Value> = Validity::ALL.iter().map(|v| context! { code => v.as_str(), label => v.label(), selected => *v == item.validity }).collect();
    let editable = item.org_id == staff.user.org_id && workflow::check_edit(item.status, &staff.user).is_ok();
    render::page_with_status(
        status,
        "admin_item.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name,
            item => item_detail(item, &org, catalog.as_ref()),
            attachments => attachments.iter().map(attachment_ctx).collect::<Vec<_>>(),
            actions, history, editable, validities,
            can_mark_validity => workflow::check_validity_change(item.status, &staff.user).is_ok(),
            due => due.due.to_string(), due_provisional => due.provisional, due_explain => due.explain(), late,
            max_upload_mb => state.config.max_upload_bytes / (1024 * 1024),
            msg, err,
            reviews => crate::admin::reviews::reviews_ctx(state, item).await?,
        },
    )
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    pub(super) action: String,
    #[serde(default)]
    pub(super) comment: String,
    /// 保密审查意见 (approval)
    #[serde(default)]
    pub(super) secrecy_opinion: String,
    /// 公开属性审查意见 (approval)
    #[serde(default)]
    pub(super) disclosure_opinion: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

pub(super) async fn item_action(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<ActionForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if item.org_id != staff.user.org_id {
        return Err(AppError::Forbidden("只能处理本机关的信息".into()));
    }
    let action = Action::parse(form.action.trim()).ok_or_else(|| AppError::BadRequest(format!("操作“{}”不存在", form.action)))?;
    let comment = form.comment.trim();
    if comment.chars().count() > 1000 {
        return item_view_page(&state, &staff, &item, None, Some("意见不能超过 1000 字"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let to = match workflow::transition(item.status, action, &staff.user, item.author_id, comment) {
        Ok(to) => to,
        Err(e) => {
            let status = if matches!(action, Action::Return | Action::Withdraw) && comment.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::FORBIDDEN };
            staff.audit(&state, &format!("item.{}", action.as_str()), &format!("item:{}", item.id), &e.to_string(), false).await?;
            return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), status).await;
        }
    };
    // Approval records the review opinions, level by level (issue 15).
    if action == Action::Approve {
        match crate::admin::reviews::record_approval(&state, &staff, &item, &form.secrecy_opinion, &form.disclosure_opinion).await? {
            crate::admin::reviews::Approval::Refused(m) => return item_view_page(&state, &staff, &item, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
            crate::admin::reviews::Approval::NextLevel(m) => return Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode(&m))).into_response()),
            crate::admin::reviews::Approval::Complete => {}
        }
    }
    if action == Action::Publish {
        if let Some(r) = crate::privacy_guard::gate(&state, &staff, crate::privacy_guard::Subject::Item(item.id)).await? { return Ok(r); }
    }
    // The transition and its audit entry are stored in one transaction.
    let store = staff.audited(&state, &format!("item.{}", action.as_str()), &format!("item:{}", item.id), comment);
    let result = if action == Action::Publish {
        ops::publish(&store, &item, today(), staff.user.id, comment, Utc::now()).await
    } else {
        let reason = (to == ItemStatus::Withdrawn).then_some(comment);
        store.transition_item(item.id, item.status, to, reason, &event(&staff, action.as_str(), comment)).await.map_err(AppError::from)
    };
    match result {
        Ok(_) => {
            if action == Action::Return {
                // A returned item is reviewed afresh when resubmitted.
                state.store.supersede_item_reviews(item.id).await?;
            }
            let mut msg = format!("已{}", action.label());
            if action == Action::Publish {
                if let Some(note) = crate::channels::submission::after_publish(&state, &staff.org, item.id).await {
                    msg = format!("{msg}；{note}");
                }
            }
            Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode(&msg))).into_response())
        }
        Err(AppError::BadRequest(m)) | Err(AppError::Conflict { message: m, .. }) => {
            item_view_page(&state, &staff, &item, None, Some(&m), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(super) struct ValidityForm {
    #[serde(default)]
    pub(super) validity: String,
    #[serde(default)]
    pub(super) validity_date: String,
    #[serde(default)]
    pub(super) note: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

pub(super) async fn item_validity(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<ValidityForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    if let Err(e) = workflow::check_validity_change(item.status, &staff.user) {
        return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), StatusCode::FORBIDDEN).await;
    }
    let Some(validity) = Validity::parse(form.validity.trim()) else {
        return item_view_page(&state, &staff, &item, None, Some("请选择有效性"), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let date = match form.validity_date.trim() {
        "" if validity == Validity::Valid => None,
        "" => return item_view_page(&state, &staff, &item, None, Some("标注为已修改、已废止或已失效时，必须填写日期"), StatusCode::UNPROCESSABLE_ENTITY).await,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return item_view_page(&state, &staff, &item, None, Some("有效性日期格式有误，应为 年-月-日"), StatusCode::UNPROCESSABLE_ENTITY).await,
        },
    };
    let note = form.note.trim();
    if note.chars().count() > 500 {
        return item_view_page(&state, &staff, &item, None, Some("有效性说明不能超过 500 字"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    staff
        .audited(&state, "item.validity", &format!("item:{}", item.id), validity.label())
        .set_item_validity(item.id, validity, date, note, &event(&staff, "validity", &format!("{} {}", validity.label(), note)))
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("已更新有效性"))).into_response())
}

pub(super) async fn attachment_upload(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, multipart: Multipart) -> Result<Response, AppError> {
    let item = staff_item(&state, &staff, parse_path_id(&id)?).await?;
    let parts = match item_submit::read_parts(multipart, state.config.max_upload_bytes).await {
        Ok(p) => p,
        Err(e) => return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), e.status()).await,
    };
    let text = |name: &str| parts.texts.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    staff.check_csrf(&text("_csrf"))?;
    if item.org_id != staff.user.org_id || workflow::check_edit(item.status, &staff.user).is_err() {
        return Err(AppError::Forbidden("只有草稿或退回状态的信息可以添加附件，且需要编辑权限".into()));
    }
    let Some((_, filename, bytes)) = parts.files.iter().find(|(k, _, _)| k == "file") else {
        return item_view_page(&state, &staff, &item, None, Some(&upload::UploadError::NoFile.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let checked = match upload::check_file(filename, bytes, state.config.max_upload_bytes) {
        Ok(m) => upload::scan(&state.config.clamav, filename, bytes).await.map(|()| m),
        Err(e) => Err(e),
    };
    let content_type = match checked {
        Ok(m) => m,
        Err(e) => return item_view_page(&state, &staff, &item, None, Some(&e.to_string()), e.status()).await,
    };
    let title = text("title");
    if title.chars().count() > 200 {
        return item_view_page(&state, &staff, &item, None, Some("附件显示名称不能超过 200 字"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let sha256 = crate::channels::package::sha256_hex(bytes);
    staff
        .audited(&state, "attachment.add", &format!("item:{}", item.id), &format!("{} sha256={sha256}", filename.trim()))
        .add_titled_attachment(item.id, filename.trim(), &title, content_type, bytes, Utc::now())
        .await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("附件已上传"))).into_response())
}

pub(super) async fn attachment_download(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_path_id(&id)?;
    let a = state.store.attachment(id).await?.ok_or(AppError::NotFound)?;
    staff_item(&state, &staff, a.item_id).await?;
    let bytes = state.store.attachment_content(id).await?.ok_or(AppError::NotFound)?;
    Ok(attachment_response(&a, bytes))
}

pub(super) async fn attachment_delete(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<CsrfForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let id = parse_path_id(&id)?;
    let a = state.store.attachment(id).await?.ok_or(AppError::NotFound)?;
    let item = staff_item(&state, &staff, a.item_id).await?;
    if item.org_id != staff.user.org_id || workflow::check_edit(item.status, &staff.user).is_err() {
        return Err(AppError::Forbidden("只有草稿或退回状态的信息可以删除附件，且需要编辑权限".into()));
    }
    staff.audited(&state, "attachment.delete", &format!("item:{}", item.id), &a.filename).delete_attachment(id, chrono::Utc::now()).await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("附件已删除"))).into_response())
}

// ---- catalog ----
