//! What the item form submits: the fields (URL-encoded, or multipart when files come along),
//! a DOCX to import as 正文, and attachments with display titles added in the same form.
//! Every file is checked before anything is saved, so bad input changes nothing.

use axum::extract::{FromRequest, Request};

use super::*;
use crate::body::docx::docx_to_html;

/// Attachment slots in the item form.
pub(super) const ATTACHMENT_SLOTS: usize = 5;
/// Longest display title.
const MAX_TITLE_CHARS: usize = 200;

/// An attachment checked and ready to store.
pub(super) struct NewFile {
    pub(super) filename: String,
    pub(super) title: String,
    pub(super) content_type: String,
    pub(super) bytes: Vec<u8>,
}

/// The item form as submitted.
pub(super) struct Submission {
    pub(super) form: ItemForm,
    /// The DOCX to import as 正文: (file name, bytes).
    pub(super) docx: Option<(String, Vec<u8>)>,
    /// (slot, file name, bytes) of the attachments, and the titles by slot.
    files: Vec<(usize, String, Vec<u8>)>,
    titles: HashMap<usize, String>,
}

/// Multipart text fields and files.
pub(super) struct Parts {
    pub(super) texts: Vec<(String, String)>,
    /// (field name, file name, bytes); empty file inputs are left out.
    pub(super) files: Vec<(String, String, Vec<u8>)>,
}

/// Read every part of a multipart form; files larger than `max` are refused while reading.
pub(super) async fn read_parts(mut multipart: Multipart, max: usize) -> Result<Parts, upload::UploadError> {
    use upload::UploadError;
    let mut parts = Parts { texts: Vec::new(), files: Vec::new() };
    let too_large = |name: String, size: usize| UploadError::TooLarge { name, size_mb: size as f64 / 1048576.0, max_mb: max / 1048576 };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(too_large("上传内容".into(), max + 1));
                }
                return Err(UploadError::Malformed(e.body_text()));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            None => {
                let text = field.text().await.map_err(|e| UploadError::Malformed(e.body_text()))?;
                parts.texts.push((name, text));
            }
            Some(filename) => {
                let mut data = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if data.len() + chunk.len() > max {
                                return Err(too_large(filename, data.len() + chunk.len()));
                            }
                            data.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                                return Err(too_large(filename, max + 1));
                            }
                            return Err(UploadError::Malformed(e.body_text()));
                        }
                    }
                }
                if !(filename.is_empty() && data.is_empty()) {
                    parts.files.push((name, filename, data));
                }
            }
        }
    }
    Ok(parts)
}

fn form_from_texts(texts: &[(String, String)]) -> ItemForm {
    let map: serde_json::Map<String, serde_json::Value> = texts
        .iter()
        .filter(|(k, _)| !k.starts_with("attachment_title_"))
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default()
}

fn slot_of(name: &str, prefix: &str) -> Option<usize> {
    name.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok()).filter(|n| (1..=ATTACHMENT_SLOTS).contains(n))
}

/// Read the item form, URL-encoded or multipart. A bad multipart body gives the Chinese
/// message to show on the form, with whatever fields could be read.
pub(super) async fn read_submission(state: &AppState, req: Request) -> Result<Result<Submission, (ItemForm, String, StatusCode)>, AppError> {
    let is_multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let Form(form) = Form::<ItemForm>::from_request(req, state).await.map_err(|e| AppError::BadRequest(format!("表单数据有误：{e}")))?;
        return Ok(Ok(Submission { form, docx: None, files: Vec::new(), titles: HashMap::new() }));
    }
    let multipart = Multipart::from_request(req, state).await.map_err(|e| AppError::BadRequest(format!("表单数据有误：{e}")))?;
    let parts = match read_parts(multipart, state.config.max_upload_bytes).await {
        Ok(p) => p,
        Err(upload::UploadError::Csrf) => return Err(AppError::Csrf),
        Err(e) => return Ok(Err((ItemForm::default(), e.to_string(), e.status()))),
    };
    let form = form_from_texts(&parts.texts);
    let titles: HashMap<usize, String> =
        parts.texts.iter().filter_map(|(k, v)| slot_of(k, "attachment_title_").map(|s| (s, v.trim().to_string()))).collect();
    let mut docx = None;
    let mut files = Vec::new();
    for (name, filename, bytes) in parts.files {
        if name == "body_docx" {
            docx = Some((filename, bytes));
        } else if let Some(slot) = slot_of(&name, "attachment_") {
            files.push((slot, filename, bytes));
        }
    }
    Ok(Ok(Submission { form, docx, files, titles }))
}

impl Submission {
    /// Import the DOCX (if any) into the form's 正文, replacing it. Error: the message.
    pub(super) fn import_docx(&mut self) -> Result<(), String> {
        if let Some((name, bytes)) = &self.docx {
            let name = if name.trim().is_empty() { "上传的文件" } else { name.trim() };
            let html = docx_to_html(name, bytes).map_err(|e| e.to_string())?;
            self.form.body = html;
        }
        Ok(())
    }

    /// Check every attachment (type by content, size, name, title, and the virus scanner when
    /// one is configured). Errors: one message each.
    pub(super) async fn checked_files(&self, max: usize, scanner: &crate::malware_scan::Scanner) -> Result<Vec<NewFile>, Vec<String>> {
        let mut ok = Vec::new();
        let mut errors = Vec::new();
        let mut files: Vec<&(usize, String, Vec<u8>)> = self.files.iter().collect();
        files.sort_by_key(|f| f.0);
        for (slot, filename, bytes) in files {
            let title = self.titles.get(slot).cloned().unwrap_or_default();
            if title.chars().count() > MAX_TITLE_CHARS {
                errors.push(format!("附件 {slot} 的显示名称超过 {MAX_TITLE_CHARS} 字"));
                continue;
            }
            let checked = match upload::check_file(filename, bytes, max) {
                Ok(mime) => upload::scan(scanner, filename, bytes).await.map(|()| mime),
                Err(e) => Err(e),
            };
            match checked {
                Ok(mime) => ok.push(NewFile { filename: filename.trim().to_string(), title, content_type: mime.to_string(), bytes: bytes.clone() }),
                Err(e) => errors.push(format!("附件 {slot}：{e}")),
            }
        }
        // A title without a file is a mistake worth pointing out.
        for (slot, title) in &self.titles {
            if !title.is_empty() && !self.files.iter().any(|f| f.0 == *slot) {
                errors.push(format!("附件 {slot} 填写了显示名称“{title}”，但没有选择文件"));
            }
        }
        if errors.is_empty() {
            Ok(ok)
        } else {
            Err(errors)
        }
    }
}

/// Store checked attachments on an item and audit each.
pub(super) async fn store_files(state: &AppState, staff: &Staff, item_id: i64, files: Vec<NewFile>) -> Result<(), AppError> {
    for f in files {
        let sha256 = crate::channels::package::sha256_hex(&f.bytes);
        staff
            .audited(state, "attachment.add", &format!("item:{item_id}"), &format!("{} sha256={sha256}", f.filename))
            .add_titled_attachment(item_id, &f.filename, &f.title, &f.content_type, &f.bytes, Utc::now())
            .await?;
    }
    Ok(())
}

#[derive(Deserialize)]
pub(super) struct TitleForm {
    #[serde(default)]
    title: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Change an attachment's display title.
pub(super) async fn attachment_title(State(state): State<AppState>, staff: Staff, Path(id): Path<String>, Form(form): Form<TitleForm>) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let id = parse_path_id(&id)?;
    let a = state.store.attachment(id).await?.ok_or(AppError::NotFound)?;
    let item = staff_item(&state, &staff, a.item_id).await?;
    if item.org_id != staff.user.org_id || workflow::check_edit(item.status, &staff.user).is_err() {
        return Err(AppError::Forbidden("只有草稿或退回状态的信息可以修改附件，且需要编辑权限".into()));
    }
    let title = form.title.trim();
    if title.chars().count() > MAX_TITLE_CHARS {
        return item_view_page(&state, &staff, &item, None, Some(&format!("附件显示名称不能超过 {MAX_TITLE_CHARS} 字")), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    staff.audited(&state, "attachment.title", &format!("item:{}", item.id), &format!("{} → {title}", a.filename)).set_attachment_title(id, title).await?;
    Ok(Redirect::to(&format!("/admin/items/{}?msg={}", item.id, crate::util::url_encode("附件显示名称已保存"))).into_response())
}
