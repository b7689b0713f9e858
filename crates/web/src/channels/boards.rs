//! Notice-board sheets (公开栏): print-ready A4/A3 pages of published items
//! chosen for a board, each with its 索引号 and a QR code linking to the item
//! online, the posting period, the attachment list and the 落款 (issuing
//! organisation and date) at the foot; the type scales with the length of the
//! text so short notices fill the page, and A3 has its own larger layout. The
//! same sheets as DOCX and as PDF (printed by Debian's chromium from the very
//! HTML and print style sheet of the preview, so the PDF matches what staff
//! saw, with full CJK shaping and the A4/A3 `@page` sizes); and the register
//! of what was posted on which board when. Unpublished items are refused.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use chrono::{NaiveDate, Utc};
use docx_rs::{AlignmentType, BreakType, Docx, Paragraph, Pic, Run, RunFonts};
use gongkai_domain::model::{Item, ItemStatus, Organisation};
use gongkai_store::{ItemQuery, NewBoardPosting};
use minijinja::context;
use qrcode::QrCode;

use crate::auth::Staff;
use crate::error::AppError;
use crate::util::{today, url_encode};
use crate::{render, AppState};

/// Most items on one print run.
const MAX_ITEMS: usize = 30;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/board-sheet", get(sheet))
        .route("/org/{slug}/board-sheet.docx", get(sheet_docx))
        .route("/org/{slug}/board-sheet.pdf", get(sheet_pdf))
        .route("/admin/boards", get(admin_page))
        .route("/admin/boards/register", post(register))
}

/// Paper sizes: (code, label, page width and height in twips).
const PAPERS: &[(&str, &str, u32, u32)] = &[("A4", "A4（210×297 毫米）", 11_906, 16_838), ("A3", "A3（297×420 毫米）", 16_838, 23_811)];

/// The selection in a query or form: `items` (repeated or comma-separated), `paper`, `board`, `posted_on`.
#[derive(Debug, Default)]
struct Selection {
    items: Vec<i64>,
    paper: String,
    board: String,
    posted_on: String,
    /// Last day of the posting period (`YYYY-MM-DD`); empty = the default period.
    until: String,
    csrf: String,
}

/// Days a sheet stays on the board when no end date is given.
pub const DEFAULT_POSTING_DAYS: i64 = 30;

fn parse_selection(raw: &str) -> Result<Selection, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|_| AppError::BadRequest("请求参数格式有误".into()))?;
    let mut s = Selection { paper: "A4".into(), ..Default::default() };
    for (k, v) in pairs {
        match k.as_str() {
            "items" => {
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let id = part.parse::<i64>().map_err(|_| AppError::BadRequest(format!("信息编号“{part}”无效")))?;
                    if !s.items.contains(&id) {
                        s.items.push(id);
                    }
                }
            }
            "paper" => s.paper = v.trim().to_uppercase(),
            "board" => s.board = v.trim().to_string(),
            "posted_on" => s.posted_on = v.trim().to_string(),
            "until" => s.until = v.trim().to_string(),
            "_csrf" => s.csrf = v,
            _ => {}
        }
    }
    if s.items.is_empty() {
        return Err(AppError::BadRequest("没有选择要张贴的信息：请回到后台“公开栏”页面，勾选至少一条已发布的信息后再打印预览".into()));
    }
    if s.items.len() > MAX_ITEMS {
        return Err(AppError::BadRequest(format!("一次最多打印 {MAX_ITEMS} 条信息")));
    }
    if !PAPERS.iter().any(|p| p.0 == s.paper) {
        return Err(AppError::BadRequest(format!("纸张“{}”不支持，只能选择 A4 或 A3", s.paper)));
    }
    Ok(s)
}

/// The chosen items, all published and of `org`; otherwise a Chinese refusal naming the item.
async fn published_items(state: &AppState, org: &Organisation, ids: &[i64]) -> Result<Vec<Item>, AppError> {
    let mut out = Vec::new();
    for id in ids {
        let item = state.store.item(*id).await?.filter(|i| i.org_id == org.id).ok_or_else(|| AppError::BadRequest(format!("信息（编号 {id}）不存在或不属于{}", org.name)))?;
        if item.status != ItemStatus::Published {
            return Err(AppError::Unprocessable(format!("《{}》尚未发布（当前状态：{}），不能打印张贴。只有已发布的信息才能上公开栏。", item.fields.title, item.status.label())));
        }
        out.push(item);
    }
    Ok(out)
}

/// A QR code of `url` as SVG.
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = QrCode::new(url.as_bytes()).map_err(|e| AppError::Internal(format!("qr: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).quiet_zone(true).build())
}

/// A QR code of `url` as a PNG (`scale` pixels per module) and its size in pixels.
pub fn qr_png(url: &str, scale: u32) -> Result<(Vec<u8>, u32), AppError> {
    let code = QrCode::new(url.as_bytes()).map_err(|e| AppError::Internal(format!("qr: {e}")))?;
    let modules = code.width() as u32;
    let quiet = 4;
    let side = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; (side * side) as usize];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i as u32 % modules + quiet, i as u32 / modules + quiet);
            for y in my * scale..(my + 1) * scale {
                let row = (y * side) as usize;
                pixels[row + (mx * scale) as usize..row + ((mx + 1) * scale) as usize].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| AppError::Internal(format!("png: {e}")))?;
        writer.write_image_data(&pixels).map_err(|e| AppError::Internal(format!("png: {e}")))?;
    }
    Ok((out, side))
}

/// Text of sanitised HTML, one entry per block.
fn html_paragraphs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or("").to_ascii_lowercase();
                if matches!(name.as_str(), "p" | "br" | "li" | "tr" | "h2" | "h3" | "h4" | "div" | "blockquote") && !cur.trim().is_empty() {
                    out.push(std::mem::take(&mut cur).trim().to_string());
                }
            }
            c if in_tag => tag.push(c),
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out.into_iter()
        .map(|p| p.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&nbsp;", " ").replace("&amp;", "&"))
        .collect()
}

async fn load(state: &AppState, slug: &str, raw: Option<String>) -> Result<(Organisation, Selection, Vec<Item>), AppError> {
    let org = state.store.org_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let sel = parse_selection(raw.as_deref().unwrap_or(""))?;
    let items = published_items(state, &org, &sel.items).await?;
    Ok((org, sel, items))
}

/// `2026-12-07` → `2026年12月7日`.
fn cn_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The posting period: from `posted_on` (default today) to `until` (default
/// [`DEFAULT_POSTING_DAYS`] days in all).
fn posting_period(sel: &Selection) -> Result<(NaiveDate, NaiveDate), AppError> {
    let parse = |raw: &str, what: &str| NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| AppError::BadRequest(format!("{what}“{raw}”有误，应为 年-月-日")));
    let from = if sel.posted_on.is_empty() { today() } else { parse(&sel.posted_on, "张贴日期")? };
    let until = if sel.until.is_empty() { from + chrono::Duration::days(DEFAULT_POSTING_DAYS - 1) } else { parse(&sel.until, "张贴截止日期")? };
    if until < from {
        return Err(AppError::BadRequest("张贴截止日期不能早于张贴日期".into()));
    }
    Ok((from, until))
}

/// Type density by the length of the text: short notices get large type so
/// the sheet is filled, long documents smaller type (A3 also two columns).
fn density(chars: usize) -> &'static str {
    match chars {
        0..=300 => "short",
        301..=900 => "medium",
        901..=2000 => "long",
        _ => "longer",
    }
}

async fn sheet_html(state: &AppState, slug: &str, raw: Option<String>, headers: &HeaderMap, inline_css: bool) -> Result<(String, String), AppError> {
    let (org, sel, items) = load(state, slug, raw).await?;
    let (from, until) = posting_period(&sel)?;
    let base = crate::portal::feeds::base_url(state, headers);
    let mut pages = Vec::new();
    for item in &items {
        let url = format!("{base}/item/{}", item.id);
        let svg = qr_svg(&url)?;
        let catalog = state.store.catalog_node(item.fields.catalog_id).await?;
        let attachments: Vec<String> = state.store.attachments(item.id).await?.into_iter().map(|a| a.filename).collect();
        let chars: usize = html_paragraphs(&item.fields.body_html).iter().map(|p| p.chars().count()).sum();
        pages.push(context! {
            item => crate::portal::item_detail(item, &org, catalog.as_ref()),
            url, attachments, density => density(chars),
            qr => format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())),
        });
    }
    let query = format!(
        "items={}&paper={}&board={}&posted_on={from}&until={until}",
        sel.items.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
        sel.paper,
        url_encode(&sel.board)
    );
    let html = render::environment().get_template("board_sheet.html")?.render(context! {
        org => crate::portal::org_ctx(&org), board => sel.board, paper => sel.paper.to_lowercase(), paper_label => sel.paper, pages,
        docx => format!("/org/{}/board-sheet.docx?{query}", org.slug),
        pdf => format!("/org/{}/board-sheet.pdf?{query}", org.slug),
        period => format!("{}至{}", cn_date(from), cn_date(until)),
        signed_on => cn_date(from),
        inline_css => inline_css.then_some(include_str!("../../static/site.css")),
    })?;
    Ok((html, sel.paper))
}

async fn sheet(State(state): State<AppState>, Path(slug): Path<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response, AppError> {
    let (html, _) = sheet_html(&state, &slug, raw, &headers, false).await?;
    Ok(axum::response::Html(html).into_response())
}

/// The chromium used for PDF output.
const CHROMIUM: &str = "/usr/bin/chromium";

/// The sheets as PDF, printed by headless chromium from a temporary file of
/// the same HTML with the style sheet inlined (nothing is fetched).
async fn sheet_pdf(State(state): State<AppState>, Path(slug): Path<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response, AppError> {
    let (html, paper) = sheet_html(&state, &slug, raw, &headers, true).await?;
    if !std::path::Path::new(CHROMIUM).exists() {
        return Err(AppError::Unprocessable("本服务器没有安装 chromium，无法生成 PDF。请使用“打印预览”后用浏览器打印，或下载 DOCX。".into()));
    }
    let pdf = tokio::task::spawn_blocking(move || print_pdf(&html))
        .await
        .map_err(|e| AppError::Internal(format!("pdf task: {e}")))??;
    let mut res = pdf.into_response();
    let hd = res.headers_mut();
    hd.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    let name = format!("attachment; filename=\"board-sheet-{}.pdf\"", paper.to_lowercase());
    if let Ok(v) = HeaderValue::from_str(&name) {
        hd.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

fn print_pdf(html: &str) -> Result<Vec<u8>, AppError> {
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(format!("pdf temp dir: {e}")))?;
    let input = dir.path().join("sheet.html");
    let output = dir.path().join("sheet.pdf");
    std::fs::write(&input, html).map_err(|e| AppError::Internal(format!("pdf input: {e}")))?;
    let status = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            &format!("--print-to-pdf={}", output.display()),
        ])
        .arg(format!("file://{}", input.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| AppError::Internal(format!("chromium: {e}")))?;
    let bytes = std::fs::read(&output).map_err(|e| AppError::Internal(format!("chromium produced no PDF ({status}): {e}")))?;
    if !bytes.starts_with(b"%PDF") {
        return Err(AppError::Internal("chromium output is not a PDF".into()));
    }
    Ok(bytes)
}

fn fonts() -> RunFonts {
    RunFonts::new().ascii("SimSun").hi_ansi("SimSun").east_asia("宋体").cs("SimSun").hint("eastAsia")
}

async fn sheet_docx(State(state): State<AppState>, Path(slug): Path<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response, AppError> {
    let (org, sel, items) = load(&state, &slug, raw).await?;
    let base = crate::portal::feeds::base_url(&state, &headers);
    let (_, _, w, h) = PAPERS.iter().find(|p| p.0 == sel.paper).copied().unwrap_or(PAPERS[0]);
    let big = sel.paper == "A3";
    let (title_size, body_size, meta_size) = if big { (56, 36, 28) } else { (44, 30, 24) };
    let mut doc = Docx::new().page_size(w, h).default_fonts(fonts()).default_size(body_size);
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        }
        if !sel.board.is_empty() {
            doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().fonts(fonts()).size(meta_size).add_text(format!("{} · {}", org.name, sel.board))));
        }
        doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().fonts(fonts()).size(title_size).bold().add_text(item.fields.title.clone())));
        let mut meta = vec![format!("索引号：{}", item.index_no.clone().unwrap_or_default()), format!("发布机构：{}", item.fields.publisher)];
        if let Some(d) = item.publish_date {
            meta.push(format!("发布日期：{d}"));
        }
        if let Some(doc_no) = &item.fields.doc_number {
            meta.push(format!("文号：{doc_no}"));
        }
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().fonts(fonts()).size(meta_size).add_text(meta.join("　"))));
        for p in html_paragraphs(&item.fields.body_html) {
            doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().fonts(fonts()).size(body_size).add_text(p)));
        }
        let url = format!("{base}/item/{}", item.id);
        let (png, side) = qr_png(&url, 8)?;
        // 3.5 cm square (1 cm = 360 000 EMU).
        let emu = 1_260_000;
        doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(Run::new().add_image(Pic::new_with_dimensions(png, side, side).size(emu, emu))));
        doc = doc.add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(Run::new().fonts(fonts()).size(meta_size).add_text(format!("扫码查看原文：{url}"))));
    }
    let mut cursor = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut cursor).map_err(|e| AppError::Internal(format!("docx: {e}")))?;
    let mut res = cursor.into_inner().into_response();
    let hd = res.headers_mut();
    hd.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
    hd.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"board-sheet.docx\"; filename*=UTF-8''%E5%85%AC%E5%BC%80%E6%A0%8F.docx"));
    Ok(res)
}

async fn admin_page(State(state): State<AppState>, staff: Staff, axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>) -> Result<Response, AppError> {
    board_page(&state, &staff, q.get("msg").map(String::as_str), None, StatusCode::OK).await
}

async fn board_page(state: &AppState, staff: &Staff, msg: Option<&str>, err: Option<&str>, status: StatusCode) -> Result<Response, AppError> {
    let settings = state.store.channel_settings(staff.org.id).await?;
    let items = state.store.list_items(&ItemQuery { org_ids: vec![staff.org.id], statuses: vec![ItemStatus::Published], limit: 60, ..Default::default() }).await?;
    let register: Vec<_> = state
        .store
        .board_postings(staff.org.id, 200)
        .await?
        .into_iter()
        .map(|p| context! { board => p.board, title => p.item_title, item_id => p.item_id, index_no => p.index_no, posted_on => p.posted_on.to_string(), paper => p.paper, by => p.posted_by_name })
        .collect();
    render::page_with_status(
        status,
        "admin_boards.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, msg, err, boards => settings.boards, register,
            papers => PAPERS.iter().map(|p| context! { code => p.0, label => p.1 }).collect::<Vec<_>>(),
            items => items.items.iter().map(|i| context! { id => i.id, title => i.fields.title, index_no => i.index_no, publish_date => i.publish_date.map(|d| d.to_string()) }).collect::<Vec<_>>(),
            today => today().to_string(),
        },
    )
}

/// Record that the selected items were posted on a board.
async fn register(State(state): State<AppState>, staff: Staff, body: String) -> Result<Response, AppError> {
    let sel = match parse_selection(&body) {
        Ok(s) => s,
        Err(AppError::BadRequest(m)) => {
            // The token is checked before anything is shown.
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
            staff.check_csrf(pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str()).unwrap_or(""))?;
            return board_page(&state, &staff, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e),
    };
    staff.check_csrf(&sel.csrf)?;
    let settings = state.store.channel_settings(staff.org.id).await?;
    if !settings.boards.contains(&sel.board) {
        return board_page(&state, &staff, None, Some("请选择公开栏（公开栏由管理员在“渠道设置”中配置）"), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let posted_on = if sel.posted_on.is_empty() {
        today()
    } else {
        match NaiveDate::parse_from_str(&sel.posted_on, "%Y-%m-%d") {
            Ok(d) if d <= today() => d,
            _ => return board_page(&state, &staff, None, Some(&format!("张贴日期“{}”有误：应为 年-月-日，且不晚于今天", sel.posted_on)), StatusCode::UNPROCESSABLE_ENTITY).await,
        }
    };
    let items = match published_items(&state, &staff.org, &sel.items).await {
        Ok(i) => i,
        Err(AppError::Unprocessable(m)) | Err(AppError::BadRequest(m)) => return board_page(&state, &staff, None, Some(&m), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => return Err(e),
    };
    let now = Utc::now();
    let postings: Vec<NewBoardPosting> = items
        .iter()
        .map(|i| NewBoardPosting { org_id: staff.org.id, board: sel.board.clone(), item_id: i.id, posted_on, paper: sel.paper.clone(), posted_by: staff.user.id, at: now })
        .collect();
    staff
        .audited(&state, "board.post", &format!("org:{}", staff.org.id), &format!("{} {} 条 {posted_on}", sel.board, postings.len()))
        .add_board_postings(&postings)
        .await?;
    let msg = format!("已登记：{posted_on} 在“{}”张贴 {} 条信息", sel.board, postings.len());
    Ok(Redirect::to(&format!("/admin/boards?msg={}", url_encode(&msg))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_parsing() {
        let s = parse_selection("items=3&items=5,7&paper=a3&board=%E6%9D%91").expect("ok");
        assert_eq!(s.items, vec![3, 5, 7]);
        assert_eq!(s.paper, "A3");
        assert_eq!(s.board, "村");
        assert!(parse_selection("paper=A4").is_err());
        assert!(parse_selection("items=1&paper=B5").is_err());
        assert!(parse_selection("items=x").is_err());
    }

    #[test]
    fn qr_outputs() {
        let svg = qr_svg("http://127.0.0.1/item/1").expect("svg");
        assert!(svg.contains("<svg"));
        let (png, side) = qr_png("http://127.0.0.1/item/1", 4).expect("png");
        assert!(png.starts_with(&[137, 80, 78, 71]));
        assert!(side >= 29 * 4);
    }

    #[test]
    fn html_to_paragraphs() {
        assert_eq!(html_paragraphs("<p>一&amp;二</p>\n<p>三<br>四</p>"), vec!["一&二", "三", "四"]);
    }
}
