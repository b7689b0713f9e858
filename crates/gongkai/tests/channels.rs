//! The channels that reach people outside the portal, end to end over HTTP:
//! RSS/Atom feeds and the sitemap, the LED screen feed (ETag → 304), the
//! notice-board print sheets (HTML with QR codes, DOCX, refusal of
//! unpublished items, the register), the touch-screen kiosk and the 关怀版
//! switch. Storage-backed parts run on SQLite and PostgreSQL. When Debian's
//! chromium is installed, the kiosk and a print sheet are also rendered in a
//! real headless browser and the screenshots checked for drawn text.

mod common;

use common::*;
use gongkai_domain::model::{ItemStatus, Role};
use gongkai_store::Store;
use reqwest::StatusCode;

async fn get(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let res = c.get(url).send().await.expect("get");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// Parse XML fully; panics on the first well-formedness error.
fn well_formed(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_)) | Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}\n{xml}", reader.buffer_position()),
        }
    }
    elements
}

async fn feeds_led_and_boards(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let clerk = user(store, &town, "clerk", &[Role::Editor, Role::Reviewer, Role::Admin]).await;
    let a = published(store, &town, clerk.id, "关于秋季防火的通知 <重要> & 紧急", "2024-09-27").await;
    let b = published(store, &town, clerk.id, "关于国庆假期值班安排的通知", "2024-09-30").await;
    let base = start(store.clone()).await;
    let anon = client();

    // ---- Feeds ----
    let res = anon.get(format!("{base}/org/town/feed.rss")).send().await.expect("rss");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().expect("ct").starts_with("application/rss+xml"));
    let rss = res.text().await.expect("text");
    well_formed(&rss);
    assert!(rss.contains("<rss version=\"2.0\"") && rss.contains("关于秋季防火的通知 &lt;重要&gt; &amp; 紧急"), "{rss}");
    assert!(rss.contains(&format!("/item/{a}</link>")) && rss.contains("索引号：11441802007183516B"), "{rss}");
    let atom = get(&anon, &format!("{base}/org/town/feed.atom")).await.1;
    well_formed(&atom);
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"") && atom.contains(&format!("/item/{b}\"/>")), "{atom}");
    // Per category: the notices column has both items; another column has none.
    let catalog = store.catalog(town.id).await.expect("catalog");
    let notices = catalog.iter().find(|n| n.name == "通知公告").expect("notices").id;
    let other = catalog.iter().find(|n| n.id != notices && n.parent_id.is_none()).expect("other").id;
    let cat_rss = get(&anon, &format!("{base}/org/town/feed.rss?cat={notices}")).await.1;
    assert_eq!(cat_rss.matches("<item>").count(), 2, "{cat_rss}");
    assert!(cat_rss.contains("通知公告"));
    let empty = get(&anon, &format!("{base}/org/town/feed.atom?cat={other}")).await.1;
    well_formed(&empty);
    assert_eq!(empty.matches("<entry>").count(), 0);
    assert_eq!(get(&anon, &format!("{base}/org/town/feed.rss?cat=abc")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(get(&anon, &format!("{base}/org/nowhere/feed.rss")).await.0, StatusCode::NOT_FOUND);
    // Discoverable from the portal pages.
    let column = get(&anon, &format!("{base}/org/town/xxgk?cat={notices}")).await.1;
    assert!(column.contains(&format!("rel=\"alternate\" type=\"application/rss+xml\" title=\"测试town镇人民政府 通知公告（RSS）\" href=\"/org/town/feed.rss?cat={notices}\"")), "{column}");
    let home = get(&anon, &format!("{base}/org/town")).await.1;
    assert!(home.contains("href=\"/org/town/feed.atom\""));
    // Sitemap: main pages and every published item.
    let sitemap = get(&anon, &format!("{base}/sitemap.xml")).await.1;
    well_formed(&sitemap);
    assert!(sitemap.contains("/org/town/xxgk</loc>") && sitemap.contains(&format!("/item/{a}</loc><lastmod>")) && sitemap.contains(&format!("/item/{b}</loc>")), "{sitemap}");

    // ---- LED screen ----
    store.add_key_work(town.id, "推进农村人居环境整治，开展村庄清洁行动", 1, chrono::Utc::now()).await.expect("key work");
    let mut settings = store.channel_settings(town.id).await.expect("settings");
    settings.led_line_chars = 10;
    settings.led_speed = "fast".into();
    store.put_channel_settings(&settings).await.expect("save");
    // By default only notices of the last 30 days scroll: the 2024 notices do not.
    let fresh_only = get(&anon, &format!("{base}/org/town/led.txt")).await.1;
    assert!(!fresh_only.contains("【公告】") && fresh_only.contains("【重点工作】"), "{fresh_only}");
    let json: serde_json::Value = anon.get(format!("{base}/org/town/led.json")).send().await.expect("json").json().await.expect("json");
    assert_eq!(json["max_age_days"], 30);
    // An administrator widens the age (site setting); the notices come back.
    store.set_site_settings(&[("led_max_age_days", "3650")], chrono::Utc::now()).await.expect("site settings");
    let res = anon.get(format!("{base}/org/town/led.txt")).send().await.expect("led");
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].clone();
    assert!(res.headers()["cache-control"].to_str().expect("cc").contains("max-age=60"));
    let text = res.text().await.expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 10), "{text}");
    assert!(text.contains("【公告】") && text.contains("【重点工作】"), "{text}");
    let joined: String = lines.concat();
    assert!(joined.contains("推进农村人居环境整治，开展村庄清洁行动"), "{joined}");
    // Polling again with the ETag costs a 304 and no body.
    let res = anon.get(format!("{base}/org/town/led.txt")).header("if-none-match", etag.clone()).send().await.expect("led");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert!(res.bytes().await.expect("body").is_empty());
    // A change of key work changes the ETag.
    store.add_key_work(town.id, "做好冬季安全生产检查", 2, chrono::Utc::now()).await.expect("key work");
    let res = anon.get(format!("{base}/org/town/led.txt")).header("if-none-match", etag).send().await.expect("led");
    assert_eq!(res.status(), StatusCode::OK);
    let json: serde_json::Value = anon.get(format!("{base}/org/town/led.json")).send().await.expect("json").json().await.expect("json");
    assert_eq!(json["line_chars"], 10);
    assert_eq!(json["speed"], "fast");
    assert_eq!(json["entries"].as_array().expect("entries").iter().filter(|e| e["kind"] == "key_work").count(), 2);
    let display = get(&anon, &format!("{base}/org/town/led")).await.1;
    assert!(display.contains("class=\"led-roll\"") && display.contains("href=\"/org/town/led.css\"") && !display.contains("style="), "{display}");
    // No refresh timer (axe: meta-refresh): the page reloads only when the feed changes.
    assert!(!display.contains("http-equiv=\"refresh\"") && display.contains("<script src=\"/static/led.js\" defer></script>"), "{display}");
    let css = get(&anon, &format!("{base}/org/town/led.css")).await.1;
    assert!(css.contains(".led-screen { width: 10em;") && css.contains("vw") && css.contains("animation-duration"), "{css}");
    // A configured LED controller resolution gives a fixed pixel box.
    store.set_site_settings(&[("led_resolution", "384x192")], chrono::Utc::now()).await.expect("site settings");
    let css = get(&anon, &format!("{base}/org/town/led.css")).await.1;
    assert!(css.contains("width: 384px; height: 192px"), "{css}");

    // ---- Notice-board sheets ----
    let (status, sheet) = get(&anon, &format!("{base}/org/town/board-sheet?items={a},{b}&paper=A3&board=%E9%95%87%E6%94%BF%E5%BA%9C%E5%85%AC%E5%BC%80%E6%A0%8F")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sheet.matches("class=\"sheet-page density-").count(), 2);
    // The posting period (default 30 days from today) and the 落款 on every sheet.
    let from = gongkai_web::util_today();
    let until = from + chrono::Duration::days(29);
    let cn = |d: chrono::NaiveDate| format!("{}年{}月{}日", chrono::Datelike::year(&d), chrono::Datelike::month(&d), chrono::Datelike::day(&d));
    assert!(sheet.contains(&format!("{}至{}", cn(from), cn(until))), "{sheet}");
    assert_eq!(sheet.matches("class=\"sheet-sign\"").count(), 2);
    assert!(sheet.contains(&format!("<p>测试town镇人民政府</p><p>{}</p>", cn(from))), "{sheet}");
    let (status, period) = get(&anon, &format!("{base}/org/town/board-sheet?items={a}&posted_on=2026-03-02&until=2026-03-16")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(period.contains("2026年3月2日至2026年3月16日") && period.contains("board-sheet.pdf?"), "{period}");
    assert_eq!(get(&anon, &format!("{base}/org/town/board-sheet?items={a}&posted_on=2026-03-16&until=2026-03-02")).await.0, StatusCode::BAD_REQUEST);
    assert!(sheet.contains("sheet-a3") && sheet.contains("镇政府公开栏") && sheet.contains("data:image/svg+xml;base64,") && sheet.contains("11441802007183516B/"), "{sheet}");
    let res = anon.get(format!("{base}/org/town/board-sheet.docx?items={a}&paper=A4")).send().await.expect("docx");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("docx is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").expect("document"), &mut xml).expect("read");
    assert!(xml.contains("关于秋季防火的通知") && xml.contains("索引号"), "docx text");
    let media: Vec<String> = (0..zip.len()).filter_map(|i| zip.by_index(i).ok().map(|f| f.name().to_string())).filter(|n| n.starts_with("word/media/") && !n.ends_with('/')).collect();
    assert_eq!(media.len(), 1, "the QR code image: {media:?}");
    // An unpublished item is refused, in Chinese, for both formats.
    let ev = |a: &str| gongkai_store::NewItemEvent { actor_id: clerk.id, action: a.into(), comment: String::new(), at: chrono::Utc::now() };
    let item = store.item(a).await.expect("item").expect("exists");
    let draft = store.create_item(town.id, clerk.id, &gongkai_domain::model::ItemFields { title: "尚在起草的通知".into(), doc_number: None, ..item.fields.clone() }, &ev("create")).await.expect("draft");
    let (status, html) = get(&anon, &format!("{base}/org/town/board-sheet?items={a},{}", draft.id)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("《尚在起草的通知》尚未发布"), "{html}");
    assert_eq!(get(&anon, &format!("{base}/org/town/board-sheet.docx?items={}", draft.id)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&anon, &format!("{base}/org/town/board-sheet?items={a}&paper=B5")).await.0, StatusCode::BAD_REQUEST);
    // An empty selection: a Chinese explanation inside the site frame.
    let (status, empty) = get(&anon, &format!("{base}/org/town/board-sheet")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(empty.contains("没有选择要张贴的信息") && empty.contains("href=\"/sitemap\"") && empty.contains("<footer class=\"site\">"), "{empty}");
    // The register: boards are configured; posting is recorded; a draft is refused and nothing recorded.
    settings.boards = vec!["镇政府公开栏".into(), "村委会公开栏".into()];
    store.put_channel_settings(&settings).await.expect("save");
    let (staff, _, _) = login(&base, "clerk", PASSWORD).await;
    let token = page_csrf(&staff, &format!("{base}/admin/boards")).await;
    let (a_s, draft_s) = (a.to_string(), draft.id.to_string());
    let res = staff.post(format!("{base}/admin/boards/register")).form(&[("_csrf", token.as_str()), ("board", "村委会公开栏"), ("paper", "A4"), ("items", a_s.as_str()), ("items", draft_s.as_str())]).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("尚未发布"));
    assert!(store.board_postings(town.id, 0).await.expect("register").is_empty());
    let b_s = b.to_string();
    let res = staff
        .post(format!("{base}/admin/boards/register"))
        .form(&[("_csrf", token.as_str()), ("board", "村委会公开栏"), ("paper", "A3"), ("posted_on", "2024-10-08"), ("items", a_s.as_str()), ("items", b_s.as_str())])
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let register = store.board_postings(town.id, 0).await.expect("register");
    assert_eq!(register.len(), 2);
    assert!(register.iter().all(|p| p.board == "村委会公开栏" && p.posted_on.to_string() == "2024-10-08" && p.paper == "A3"));
    let page = get(&staff, &format!("{base}/admin/boards")).await.1;
    assert!(page.contains("张贴登记簿") && page.contains("2024-10-08") && page.contains("村委会公开栏"));
    let res = staff.post(format!("{base}/admin/boards/register")).form(&[("_csrf", token.as_str()), ("board", "不存在的栏"), ("items", a_s.as_str())]).send().await.expect("register");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let _ = ItemStatus::Published;
}

async fn kiosk_and_care(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    let clerk = user(store, &town, "clerk", &[Role::Editor, Role::Reviewer]).await;
    let a = published(store, &town, clerk.id, "关于秋季防火的通知", "2024-09-27").await;
    // A body with an outside link: shown as text on the kiosk.
    let item = store.item(a).await.expect("item").expect("exists");
    let _ = item;
    let base = start(store.clone()).await;
    let anon = client();

    let (status, home) = get(&anon, &format!("{base}/kiosk")).await;
    assert_eq!(status, StatusCode::OK);
    // No page refresh that throws readers out (axe: meta-refresh); the idle
    // return is the kiosk's own script with a visible countdown.
    assert!(!home.contains("http-equiv=\"refresh\""), "{home}");
    assert!(home.contains("<script src=\"/static/kiosk.js\" defer></script>") && home.contains("data-idle=\"120\"") && home.contains("data-home=\"/kiosk\""), "{home}");
    assert!(home.contains("id=\"kiosk-countdown\"") && home.contains("继续阅读"), "{home}");
    assert!(home.contains("href=\"/org/town/kiosk\"") && home.contains("/static/care-on.css"));
    // The start page fills the screen: notices, how to apply, a QR code to the phone portal.
    assert!(home.contains("最新公告") && home.contains("关于秋季防火的通知") && home.contains("如何申请政府信息公开") && home.contains("alt=\"二维码：http"), "{home}");
    let js = anon.get(format!("{base}/static/kiosk.js")).send().await.expect("js");
    assert!(js.headers()["content-type"].to_str().expect("ct").starts_with("text/javascript"));
    assert!(js.text().await.expect("js").contains("location.assign(home)"));
    let org_page = get(&anon, &format!("{base}/org/town/kiosk")).await.1;
    assert!(org_page.contains("data-home=\"/org/town/kiosk\"") && !org_page.contains("http-equiv=\"refresh\""), "{org_page}");
    assert!(org_page.contains("按栏目查看") && org_page.contains("按主题查看") && org_page.contains("综合政务") && org_page.contains("2024 年"), "{org_page}");
    let catalog = store.catalog(town.id).await.expect("catalog");
    let notices = catalog.iter().find(|n| n.name == "通知公告").expect("notices").id;
    let list = get(&anon, &format!("{base}/org/town/kiosk/list?cat={notices}&year=2024")).await.1;
    assert!(list.contains("关于秋季防火的通知") && list.contains(&format!("/org/town/kiosk/item/{a}")), "{list}");
    let none = get(&anon, &format!("{base}/org/town/kiosk/list?year=2023")).await.1;
    assert!(none.contains("没有符合条件的信息"));
    let topic = get(&anon, &format!("{base}/org/town/kiosk/list?topic=%E7%BB%BC%E5%90%88%E6%94%BF%E5%8A%A1")).await.1;
    assert!(topic.contains("关于秋季防火的通知"));
    let (status, page) = get(&anon, &format!("{base}/org/town/kiosk/item/{a}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("索引号") && page.contains("正文第一段"));
    // No links leave the kiosk: every href is local.
    for html in [&home, &org_page, &list, &page] {
        for part in html.split("href=\"").skip(1) {
            assert!(part.starts_with('/'), "external link on the kiosk: {}", &part[..part.len().min(60)]);
        }
    }
    assert_eq!(get(&anon, &format!("{base}/org/town/kiosk/list?year=abc")).await.0, StatusCode::BAD_REQUEST);

    // The 关怀版 switch is remembered in a cookie and changes the style sheet.
    let plain = get(&anon, &format!("{base}/static/care.css")).await.1;
    assert!(!plain.contains("font-size"), "{plain}");
    let c = client();
    let res = c.get(format!("{base}/care?on=1&back=/org/town")).send().await.expect("switch");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/org/town");
    let cookie = res.headers()["set-cookie"].to_str().expect("cookie").to_string();
    assert!(cookie.starts_with("gk_care=1;") && cookie.contains("Max-Age=31536000"), "{cookie}");
    let res = c.get(format!("{base}/static/care.css")).send().await.expect("css");
    assert!(res.headers()["vary"].to_str().expect("vary").contains("cookie"));
    assert!(res.text().await.expect("css").contains("font-size: 22px"));
    let portal = get(&c, &format!("{base}/org/town")).await.1;
    assert!(portal.contains("href=\"/static/care.css\"") && portal.contains("关怀版"));
    let res = c.get(format!("{base}/care?on=0&back=//evil.example/")).send().await.expect("switch");
    assert_eq!(res.headers()["location"], "/");
    assert!(!get(&c, &format!("{base}/static/care.css")).await.1.contains("font-size"));
    assert_eq!(get(&c, &format!("{base}/care?on=2")).await.0, StatusCode::BAD_REQUEST);
}

gongkai_store::on_both_backends!(feeds_led_and_boards, kiosk_and_care);

/// Count pixels that are clearly not white in a PNG screenshot.
fn non_white_pixels(path: &std::path::Path) -> (usize, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("screenshot"));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let pixels = bytes.len() / channels;
    let dark = bytes.chunks(channels).filter(|p| p.iter().take(3).any(|&v| v < 200)).count();
    (dark, pixels)
}

fn screenshot(url: &str, out: &std::path::Path, size: &str) -> bool {
    let status = std::process::Command::new("/usr/bin/chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", &format!("--window-size={size}"), &format!("--screenshot={}", out.display()), url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    matches!(status, Ok(s) if s.success()) && out.exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kiosk_and_print_sheet_in_a_real_browser() {
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "chromium is required under CI=true (apt-get install chromium fonts-noto-cjk)");
        println!("NOT RUN: chromium not installed (apt-get install chromium fonts-noto-cjk to run the browser check)");
        return;
    }
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let town = org(&store, "town", "11441802007183516B").await;
    let clerk = user(&store, &town, "clerk", &[Role::Editor, Role::Reviewer]).await;
    let a = published(&store, &town, clerk.id, "关于秋季防火的通知", "2024-09-27").await;
    let base = start(store.clone()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let pages = [
        ("kiosk", format!("{base}/org/town/kiosk"), "1080,1920"),
        ("sheet", format!("{base}/org/town/board-sheet?items={a}&paper=A4"), "900,1300"),
    ];
    for (name, url, size) in pages {
        let out = dir.path().join(format!("{name}.png"));
        let url2 = url.clone();
        let out2 = out.clone();
        let ok = tokio::task::spawn_blocking(move || screenshot(&url2, &out2, size)).await.expect("join");
        assert!(ok, "chromium could not take a screenshot of {url}");
        let (dark, total) = non_white_pixels(&out);
        // Text, tiles and the QR code are drawn: a blank page has no dark pixels.
        assert!(dark > total / 200, "{name}: only {dark} of {total} pixels are not white — page looks blank");
        println!("{name}: {dark} of {total} pixels drawn");
    }
    // The sheet as PDF, printed by chromium on A4 and A3 paper.
    // Chromium writes A4 as 594.96×841.92 pt and A3 as 841.92×1191.12 pt.
    for (paper, width) in [("A4", "/MediaBox [0 0 594."), ("A3", "/MediaBox [0 0 841.")] {
        let res = reqwest::get(format!("{base}/org/town/board-sheet.pdf?items={a}&paper={paper}")).await.expect("pdf");
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{paper}");
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let bytes = res.bytes().await.expect("bytes");
        assert!(bytes.starts_with(b"%PDF"), "{paper}: not a PDF");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(width), "{paper}: page size not {paper}");
        println!("{paper} PDF: {} bytes", bytes.len());
    }
}

/// `serve --demo` shows every channel with something in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_fills_the_channels() {
    let (store, _db) = gongkai_store::test_support::fresh_sqlite().await;
    let accounts = gongkai::demo::load(&store).await.expect("demo loads");
    let base = start(store.clone()).await;
    let anon = client();
    let yuantan = store.org_by_slug("yuantan").await.expect("org").expect("yuantan");
    let all = store.consultations(&gongkai_store::ConsultationQuery { org_ids: vec![yuantan.id], ..Default::default() }).await.expect("list").items;
    assert!(all.iter().any(|c| c.published));
    assert!(all.iter().any(|c| c.private && c.answered_on.is_some() && !c.published));
    let public = get(&anon, &format!("{base}/org/yuantan/consult")).await.1;
    assert!(public.contains("农村危房改造补助如何申请") && public.contains("源潭镇党政综合办公室"), "{public}");
    assert!(!public.contains("个人社保缴费记录查询"), "the private question stays private");
    let led = get(&anon, &format!("{base}/org/yuantan/led.txt")).await.1;
    assert!(led.contains("【重点工作】"), "{led}");
    assert!(!store.board_postings(yuantan.id, 0).await.expect("register").is_empty());
    let password = &accounts.iter().find(|a| a.username == "yt_editor").expect("account").password;
    let (staff, _, _) = login(&base, "yt_editor", password).await;
    let dash = get(&staff, &format!("{base}/admin")).await.1;
    assert!(dash.contains("村道硬底化工程进度"), "the demo's overdue consultation is on the dashboard: {dash}");
    let boards = get(&staff, &format!("{base}/admin/boards")).await.1;
    assert!(boards.contains("镇政府大院公开栏"));
}
