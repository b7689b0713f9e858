//! The back-office page `/admin/import` (editors and administrators): upload a manifest
//! (CSV/XLSX) and its files as a zip; the dry run shows what would be created and every
//! problem; confirming (the files travel back with the form) imports them all or nothing.

use std::io::Read as _;
use std::path::Path;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use chrono::Utc;
use gongkai_domain::model::Role;
use minijinja::context;

use super::{manifest, resolve, Action, ImportError, Importer, Plan};
use crate::auth::Staff;
use crate::error::AppError;
use crate::{render, AppState};

/// Largest manifest, and largest zip of files, accepted by the page.
const MAX_MANIFEST: usize = 10 * 1024 * 1024;
const MAX_ZIP: usize = 200 * 1024 * 1024;
/// Largest total of the files unpacked from the zip.
const MAX_UNPACKED: u64 = 500 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/import", get(page).post(submit))
}

fn can_import(staff: &Staff) -> bool {
    staff.is(Role::Editor) || staff.is(Role::Admin)
}

#[derive(Default)]
struct Form {
    csrf: String,
    confirm: bool,
    manifest: Option<(String, Vec<u8>)>,
    zip: Option<Vec<u8>>,
}

async fn read_form(mut multipart: Multipart) -> Result<Form, String> {
    let mut out = Form::default();
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| "确认时提交的文件内容已损坏，请重新上传".to_string());
    let mut manifest_name = String::new();
    let mut encoded_manifest = None;
    let limit = |name: &str| match name {
        "manifest" => MAX_MANIFEST,
        "manifest_b64" => MAX_MANIFEST / 3 * 4 + 4,
        "files" => MAX_ZIP,
        "files_b64" => MAX_ZIP / 3 * 4 + 4,
        _ => 4096,
    };
    loop {
        let part = crate::upload::next_part(&mut multipart, limit)
            .await
            .map_err(|e| e.message(|name| format!("上传的“{name}”过大：清单上限 {} MB，文件压缩包上限 {} MB", MAX_MANIFEST >> 20, MAX_ZIP >> 20)))?;
        let Some(crate::upload::Part { name, filename, data }) = part else { break };
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "_csrf" => out.csrf = text(),
            "confirm" => out.confirm = text() == "1",
            "manifest" if !data.is_empty() => out.manifest = Some((filename, data)),
            "files" if !data.is_empty() => out.zip = Some(data),
            "manifest_name" => manifest_name = text(),
            "manifest_b64" if !data.is_empty() => encoded_manifest = Some(b64(text().as_bytes())?),
            "files_b64" if !data.is_empty() => out.zip = Some(b64(text().as_bytes())?),
            _ => {}
        }
    }
    if out.manifest.is_none() {
        out.manifest = encoded_manifest.map(|m| (manifest_name, m));
    }
    Ok(out)
}

/// Unpack the zip of files into `dir` (paths kept inside it; size capped).
fn unzip(bytes: &[u8], dir: &Path) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("文件压缩包不是有效的 zip 文件：{e}"))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| format!("文件压缩包第 {} 个文件无法读取：{e}", i + 1))?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(format!("文件压缩包中的路径“{}”不允许", entry.name()));
        };
        let path = dir.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| format!("无法解压：{e}"))?;
            continue;
        }
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("无法解压：{e}"))?;
        }
        let mut data = Vec::new();
        (&mut entry).take(MAX_UNPACKED - total + 1).read_to_end(&mut data).map_err(|e| format!("文件压缩包中的“{}”无法读取：{e}", entry.name()))?;
        total += data.len() as u64;
        if total > MAX_UNPACKED {
            return Err(format!("文件压缩包解压后超过 {} MB", MAX_UNPACKED >> 20));
        }
        std::fs::write(&path, data).map_err(|e| format!("无法解压：{e}"))?;
    }
    Ok(())
}

/// Read the manifest with its files and resolve it into a plan.
async fn plan_of(state: &AppState, staff: &Staff, form: &Form) -> Result<Plan, String> {
    let Some((name, data)) = &form.manifest else {
        return Err("请选择清单文件（CSV 或 XLSX）".into());
    };
    let dir = tempfile::tempdir().map_err(|e| format!("无法建立临时目录：{e}"))?;
    if let Some(zip) = &form.zip {
        unzip(zip, dir.path())?;
    }
    let files = form.zip.as_ref().map(|_| dir.path());
    let (drafts, problems) = manifest::read(name, data, files).map_err(|e| e.to_string())?;
    resolve(&state.store, &staff.org, drafts, problems, &|c| Some(c.to_string()), &state.config.clamav).await.map_err(|e| e.to_string())
}

fn plan_ctx(plan: &Plan) -> minijinja::Value {
    context! {
        create => plan.to_create(), skip => plan.items.len() - plan.to_create(), problems => plan.problems,
        items => plan.items.iter().map(|p| context! {
            source => p.source, title => p.item.fields.title, index_no => p.item.index_no, doc_number => p.item.fields.doc_number,
            publish_date => p.item.publish_date.to_string(), column => p.catalog_name, attachments => p.item.attachments.len(),
            skip => matches!(p.action, Action::Skip(_)),
        }).collect::<Vec<_>>(),
    }
}

async fn view(state: &AppState, staff: &Staff, form: Option<&Form>, plan: Option<&Plan>, err: Option<String>, done: Option<usize>, status: StatusCode) -> Result<Response, AppError> {
    let enc = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let carry = form.filter(|_| plan.is_some_and(|p| p.problems.is_empty() && p.to_create() > 0)).map(|f| {
        context! {
            manifest_name => f.manifest.as_ref().map(|m| m.0.clone()),
            manifest_b64 => f.manifest.as_ref().map(|m| enc(&m.1)),
            files_b64 => f.zip.as_ref().map(|z| enc(z)),
        }
    });
    render::page_with_status(
        status,
        "admin_import.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, err, done,
            plan => plan.map(plan_ctx), carry, can_import => can_import(staff), org_name => staff.org.name,
        },
    )
}

async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    view(&state, &staff, None, None, None, None, StatusCode::OK).await
}

async fn submit(State(state): State<AppState>, staff: Staff, multipart: Multipart) -> Result<Response, AppError> {
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(m) => return view(&state, &staff, None, None, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    staff.check_csrf(&form.csrf)?;
    if !can_import(&staff) {
        return Err(AppError::Forbidden("只有编辑或管理员可以导入已有公开信息".into()));
    }
    let plan = match plan_of(&state, &staff, &form).await {
        Ok(p) => p,
        Err(m) => return view(&state, &staff, None, None, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    if !form.confirm || !plan.problems.is_empty() {
        let status = if plan.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return view(&state, &staff, Some(&form), Some(&plan), None, None, status).await;
    }
    let by = Importer {
        user_id: staff.user.id,
        actor_id: Some(staff.user.id),
        actor_name: staff.user.display_name.clone(),
        client: staff.client.clone(),
        ctx: staff.audit_ctx(),
    };
    match super::apply(&state.store, &staff.org, &plan, by, Utc::now()).await {
        Ok(ids) => view(&state, &staff, None, None, None, Some(ids.len()), StatusCode::OK).await,
        Err(ImportError::Store(gongkai_store::StoreError::Conflict { message, .. })) => {
            view(&state, &staff, None, Some(&plan), Some(format!("{message}；未导入任何信息")), None, StatusCode::CONFLICT).await
        }
        Err(ImportError::Store(e)) => Err(e.into()),
        Err(e) => view(&state, &staff, Some(&form), Some(&plan), Some(e.to_string()), None, StatusCode::CONFLICT).await,
    }
}
