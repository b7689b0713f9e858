//! The organisation's own settings and its child organisations.

use super::*;

#[derive(Deserialize, Default, serde::Serialize, Clone)]
pub(super) struct OrgForm {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) slug: String,
    #[serde(default)]
    pub(super) org_code: String,
    #[serde(default)]
    pub(super) level: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) index_pattern: String,
    #[serde(default)]
    pub(super) office_name: String,
    #[serde(default)]
    pub(super) office_address: String,
    #[serde(default)]
    pub(super) office_hours: String,
    #[serde(default)]
    pub(super) office_phone: String,
    #[serde(default)]
    pub(super) office_fax: String,
    #[serde(default)]
    pub(super) office_email: String,
    #[serde(default)]
    pub(super) office_website: String,
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
}

impl OrgForm {
    fn from_org(o: &Organisation) -> OrgForm {
        OrgForm {
            name: o.name.clone(),
            slug: o.slug.clone(),
            org_code: o.org_code.clone(),
            level: o.level.as_str().into(),
            description: o.description.clone(),
            index_pattern: o.index_pattern.clone(),
            office_name: o.office.name.clone(),
            office_address: o.office.address.clone(),
            office_hours: o.office.hours.clone(),
            office_phone: o.office.phone.clone(),
            office_fax: o.office.fax.clone(),
            office_email: o.office.email.clone(),
            office_website: o.office.website.clone(),
            csrf: String::new(),
        }
    }

    /// Validate into an organisation record (id and parent from `base`).
    fn parse(&self, base_id: i64, parent_id: Option<i64>) -> Result<Organisation, Vec<String>> {
        let mut errors = Vec::new();
        let mut push = |e: Option<FieldError>| {
            if let Some(e) = e {
                errors.push(e.message);
            }
        };
        push(validate::validate_required("name", "机关名称", &self.name, 100));
        push(validate::validate_slug(self.slug.trim()));
        if !self.org_code.trim().is_empty() {
            push(validate::validate_org_code(self.org_code.trim()));
        }
        push(validate::validate_required("office_name", "公开工作机构名称", &self.office_name, 100));
        for (label, v, max) in [
            ("办公地址", &self.office_address, 200usize),
            ("办公时间", &self.office_hours, 200),
            ("联系电话", &self.office_phone, 50),
            ("传真号码", &self.office_fax, 50),
            ("电子邮箱", &self.office_email, 100),
            ("网址", &self.office_website, 200),
            ("机关职能简介", &self.description, 2000),
        ] {
            if v.trim().chars().count() > max {
                errors.push(format!("{label}不能超过 {max} 字"));
            }
        }
        let email = self.office_email.trim();
        if !email.is_empty() && (!email.contains('@') || !email.contains('.')) {
            errors.push(format!("电子邮箱“{email}”格式有误"));
        }
        let pattern = self.index_pattern.trim();
        if let Err(e) = IndexPattern::parse(pattern) {
            errors.push(format!("索引号规则有误：{e}"));
        }
        let level = OrgLevel::parse(self.level.trim());
        if level.is_none() {
            errors.push("请选择机关层级".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Organisation {
            id: base_id,
            slug: self.slug.trim().into(),
            name: self.name.trim().into(),
            org_code: self.org_code.trim().to_uppercase(),
            level: level.unwrap_or(OrgLevel::Other),
            parent_id,
            office: DisclosureOffice {
                name: self.office_name.trim().into(),
                address: self.office_address.trim().into(),
                hours: self.office_hours.trim().into(),
                phone: self.office_phone.trim().into(),
                fax: self.office_fax.trim().into(),
                email: email.into(),
                website: self.office_website.trim().into(),
            },
            index_pattern: pattern.into(),
            description: self.description.trim().into(),
        })
    }
}

pub(super) fn levels(selected: &str) -> Vec<Value> {
    OrgLevel::ALL.iter().map(|l| context! { code => l.as_str(), label => l.label(), selected => l.as_str() == selected }).collect()
}

pub(super) async fn org_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    let form = OrgForm::from_org(&staff.org);
    render::page(
        "admin_org.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, form => Value::from_serialize(&form), levels => levels(&form.level), msg => q.msg, errors => Vec::<String>::new(), example => IndexPattern::parse(&staff.org.index_pattern).ok().map(|p| p.render(&staff.org.org_code, today(), 1)) },
    )
}

pub(super) async fn org_update(State(state): State<AppState>, staff: Staff, Form(form): Form<OrgForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let render_errors = |errors: Vec<String>, status| {
        render::page_with_status(
            status,
            "admin_org.html",
            context! { staff => staff.ctx(), site_name => state.config.site_name, form => Value::from_serialize(&form), levels => levels(&form.level), errors },
        )
    };
    let org = match form.parse(staff.org.id, staff.org.parent_id) {
        Ok(o) => o,
        Err(errors) => return render_errors(errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match staff.audited(&state, "org.update", &format!("org:{}", org.id), &org.name).update_org(&org).await {
        Ok(()) => {
            Ok(Redirect::to("/admin/org?msg=%E5%B7%B2%E4%BF%9D%E5%AD%98").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict { message, .. } => render_errors(vec![message], StatusCode::CONFLICT),
            other => Err(other),
        },
    }
}

pub(super) async fn orgs_page(State(state): State<AppState>, staff: Staff, Query(q): Query<MessageQuery>) -> Result<Response, AppError> {
    staff.require(Role::Admin)?;
    orgs_view(&state, &staff, &OrgForm { level: "township".into(), index_pattern: gongkai_domain::index_number::DEFAULT_PATTERN.into(), ..Default::default() }, q.msg.as_deref(), &[], StatusCode::OK).await
}

pub(super) async fn orgs_view(state: &AppState, staff: &Staff, form: &OrgForm, msg: Option<&str>, errors: &[String], status: StatusCode) -> Result<Response, AppError> {
    let all = state.store.orgs().await?;
    let rows: Vec<Value> = all.iter().filter(|o| staff.scope.contains(&o.id)).map(org_ctx).collect();
    render::page_with_status(
        status,
        "admin_orgs.html",
        context! { staff => staff.ctx(), site_name => state.config.site_name, orgs => rows, form => Value::from_serialize(form), levels => levels(&form.level), msg, errors },
    )
}

pub(super) async fn org_create(State(state): State<AppState>, staff: Staff, Form(form): Form<OrgForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    staff.require(Role::Admin)?;
    let org = match form.parse(0, Some(staff.org.id)) {
        Ok(o) => o,
        Err(errors) => return orgs_view(&state, &staff, &form, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let new = NewOrganisation {
        slug: org.slug,
        name: org.name,
        org_code: org.org_code,
        level: org.level,
        parent_id: Some(staff.org.id),
        office: org.office,
        index_pattern: org.index_pattern,
        description: org.description,
    };
    match ops::provision_org(&staff.audited(&state, "org.create", "org:{id}", &new.name), &new).await {
        Ok(_) => {
            Ok(Redirect::to("/admin/orgs?msg=%E5%B7%B2%E5%88%9B%E5%BB%BA%E4%B8%8B%E7%BA%A7%E6%9C%BA%E5%85%B3").into_response())
        }
        Err(AppError::Conflict { message, .. }) => orgs_view(&state, &staff, &form, None, &[message], StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
}

// ---- working-day calendar ----
