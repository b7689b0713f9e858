//! Backup and restore (issue 14): the restore drill — back up while applications
//! are being submitted, restore elsewhere, verify the counts, the attachments'
//! SHA-256 and the audit chain — on SQLite and PostgreSQL; truncated and altered
//! archives refused with nothing restored; retention; the command line.

mod common;

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use gongkai::config::Config;
use gongkai_domain::model::Role;
use gongkai_store::data_keys::DataKeys;
use gongkai_store::{ApplicationQuery, Store};
use sha2::{Digest, Sha256};

/// A server that accepts many applications from one address.
async fn start_busy(store: Store) -> String {
    let web = gongkai_web::WebConfig { apply_submissions_per_hour: 1_000_000, ..Default::default() };
    let state = gongkai_web::AppState::new(store, web).await.expect("state");
    let app = gongkai_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.expect("serve");
    });
    format!("http://{addr}")
}

async fn apply_once(c: &reqwest::Client, base: &str, n: usize) -> bool {
    let Ok(res) = c.get(format!("{base}/org/town/apply")).send().await else { return false };
    let Ok(page) = res.text().await else { return false };
    let token = csrf(&page);
    let description = format!("第{n}件：本镇2023年农村人居环境整治资金的使用情况");
    let form = [
        ("_csrf", token.as_str()),
        ("applicant_type", "natural"),
        ("name", "王小明"),
        ("id_doc_type", "id_card"),
        ("id_doc_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("description", description.as_str()),
        ("form_electronic", "1"),
        ("delivery", "online"),
    ];
    // Stored: the form answers with a redirect to the receipt (POST → redirect → GET).
    c.post(format!("{base}/org/town/apply"))
        .form(&form)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success() || r.headers().get("location").and_then(|l| l.to_str().ok()).is_some_and(|l| l.ends_with("/apply/receipt")))
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every attachment of the organisation's items: (item id, name) → SHA-256 of the content.
async fn attachment_hashes(store: &Store, org_id: i64) -> Vec<(i64, String, String)> {
    let items = store.list_items(&gongkai_store::ItemQuery { org_ids: vec![org_id], ..Default::default() }).await.expect("items").items;
    let mut out = Vec::new();
    for item in items {
        for a in store.attachments(item.id).await.expect("attachments") {
            let bytes = store.attachment_content(a.id).await.expect("content").expect("bytes");
            out.push((item.id, a.filename.clone(), sha(&bytes)));
        }
    }
    out.sort();
    out
}

async fn applications(store: &Store, org_id: i64) -> i64 {
    store.applications(&ApplicationQuery { org_ids: vec![org_id], ..Default::default() }).await.expect("applications").total
}

/// The drill: `source` is live and busy; the archive is restored onto `target`.
async fn drill(store: &Store, source: Config, target: Config) {
    // Personal fields sealed with the data keys of the source's data directory, as `serve` does.
    let keyed = store.clone().with_data_keys(DataKeys::load_or_create(&source.data_dir, None, None).expect("data keys"));
    let store = &keyed;
    let town = org(store, "town", "11441802007183516B").await;
    let boss = user(store, &town, "boss", &[Role::Admin, Role::Reviewer, Role::Editor]).await;
    for (i, day) in ["2024-03-01", "2024-05-08", "2024-09-27"].iter().enumerate() {
        let id = published(store, &town, boss.id, &format!("关于第{i}项工作的通知"), day).await;
        let pdf: Vec<u8> = (0..20_000u32).map(|n| (n.wrapping_mul(2654435761u32).wrapping_add(i as u32) >> 13) as u8).collect();
        store.add_attachment(id, &format!("附件{i}.pdf"), "application/pdf", &pdf, chrono::Utc::now()).await.expect("attachment");
    }
    // A key file under the data directory travels with the backup.
    std::fs::create_dir_all(source.data_dir.join("keys")).expect("keys dir");
    std::fs::write(source.data_dir.join("keys/personal-data.key"), b"0123456789abcdef0123456789abcdef").expect("key");

    let base = start_busy(store.clone()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..2 {
        let (base, stop, done) = (base.clone(), stop.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            let c = client();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                if apply_once(&c, &base, w * 1000 + n).await {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while done.load(Ordering::Relaxed) < 3 {
        assert!(std::time::Instant::now() < deadline, "no application was stored within 120 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let archive_dir = tempfile::tempdir().expect("tempdir");
    let archive = archive_dir.path().join(gongkai::backup::default_name());
    let written = gongkai::backup::create(store, &source, &archive).await.expect("backup while busy");
    let after_backup = done.load(Ordering::Relaxed);
    while done.load(Ordering::Relaxed) < after_backup + 2 {
        assert!(std::time::Instant::now() < deadline, "applications stopped being stored after the backup");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let in_backup = written.manifest.counts["applications"];
    let live = applications(store, town.id).await;
    assert!(in_backup >= 3 && in_backup < live, "backup has {in_backup}, live {live}");
    assert!(written.manifest.files.iter().any(|f| f.path == "data/keys/personal-data.key"), "{:?}", written.manifest.files);

    // Restore elsewhere and compare.
    let restored = gongkai::backup::restore(&archive, &target).await.expect("restore");
    assert_eq!(restored.counts["applications"], in_backup);
    // The restored keys/ open the restored personal data.
    let restored_keys = DataKeys::load(&target.data_dir, None, None).expect("restored data keys").expect("data keys in the backup");
    let copy = Store::connect(&target.database_url()).await.expect("restored store").with_data_keys(restored_keys);
    assert_eq!(applications(&copy, town.id).await, in_backup);
    assert_eq!(copy.verify_audit_chain().await.expect("audit"), None);
    let original = attachment_hashes(store, town.id).await;
    assert_eq!(original.len(), 3);
    assert_eq!(attachment_hashes(&copy, town.id).await, original);
    // Every restored application is one of the source's, byte for byte in its description.
    let q = ApplicationQuery { org_ids: vec![town.id], ..Default::default() };
    let src: Vec<(i64, String)> = store.applications(&q).await.expect("src").items.into_iter().map(|a| (a.id, a.description)).collect();
    for a in copy.applications(&q).await.expect("copy").items {
        assert!(src.contains(&(a.id, a.description.clone())), "restored application {} not in the source", a.id);
        assert_eq!((a.id_doc_number.as_str(), a.phone.as_str()), ("11010519491231002X", "13800138000"), "decrypted with the restored key");
    }
    assert!(copy.data_key_status().await.expect("status").all_current());
    assert_eq!(std::fs::read(target.data_dir.join("keys/personal-data.key")).expect("key restored"), b"0123456789abcdef0123456789abcdef");
    copy.close().await;
    // Key files are the owner's only, whatever the archive says, so the restored
    // installation starts: the binary's own start-up (key checks included) accepts it.
    #[cfg(unix)]
    for entry in std::fs::read_dir(target.data_dir.join("keys")).expect("keys").flatten() {
        use std::os::unix::fs::PermissionsExt;
        let mode = entry.metadata().expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is {:o}", entry.path().display(), mode);
    }
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.arg("migrate").arg("--data-dir").arg(&target.data_dir).env_remove("GONGKAI_CONFIG");
    if let Some(url) = &target.database_url {
        cmd.arg("--database-url").arg(url);
    }
    let out = cmd.output().expect("run gongkai migrate");
    assert!(out.status.success(), "the restored installation does not start: {}", String::from_utf8_lossy(&out.stderr));

    // A second restore onto the now non-empty target is refused.
    let err = gongkai::backup::restore(&archive, &target).await.expect_err("non-empty target");
    assert!(format!("{err:#}").contains("不是空的") || format!("{err:#}").contains("已有数据表") || format!("{err:#}").contains("已存在"), "{err:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restore_drill_sqlite() {
    let (store, db) = gongkai_store::test_support::fresh_sqlite().await;
    let src = tempfile::tempdir().expect("tempdir");
    let dst = tempfile::tempdir().expect("tempdir");
    let source = Config { data_dir: src.path().to_path_buf(), database_url: Some(db.url().to_string()), ..Default::default() };
    // As a fresh package install leaves it: the data directory holds an empty backups/.
    std::fs::create_dir_all(dst.path().join("restored/backups")).expect("backups dir");
    let target = Config { data_dir: dst.path().join("restored"), ..Default::default() };
    drill(&store, source, target).await;
    store.close().await;
}

fn psql(admin: &str, sql: &str) {
    let out = std::process::Command::new("psql").args(["--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--dbname", admin, "-c", sql]).output().expect("psql");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restore_drill_postgres() {
    let Some((store, db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    let admin = std::env::var("GONGKAI_TEST_DATABASE_URL").expect("url");
    let name = format!("gk_restore_{}_{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    psql(&admin, &format!("CREATE DATABASE \"{name}\""));
    let target_url = match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("database url without a path: {admin}"),
    };
    let src = tempfile::tempdir().expect("tempdir");
    let dst = tempfile::tempdir().expect("tempdir");
    let source = Config { data_dir: src.path().to_path_buf(), database_url: Some(db.url().to_string()), ..Default::default() };
    let target = Config { data_dir: dst.path().join("restored"), database_url: Some(target_url), ..Default::default() };
    drill(&store, source, target).await;
    store.close().await;
    psql(&admin, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
}

/// Rewrite an archive, changing one byte of the named entry.
fn tamper(archive: &Path, entry: &str, out: &Path) {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(archive).expect("open")).read_to_end(&mut raw).expect("gunzip");
    let mut reader = tar::Archive::new(raw.as_slice());
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(std::fs::File::create(out).expect("create"), flate2::Compression::fast()));
    for e in reader.entries().expect("entries") {
        let mut e = e.expect("entry");
        let path = e.path().expect("path").into_owned();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).expect("read");
        if path.to_string_lossy() == entry {
            let i = bytes.len() / 2;
            bytes[i] ^= 0x01;
        }
        let mut h = e.header().clone();
        builder.append_data(&mut h, &path, bytes.as_slice()).expect("append");
    }
    builder.into_inner().expect("tar").finish().expect("gz");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_archives_restore_nothing() {
    let (store, db) = gongkai_store::test_support::fresh_sqlite().await;
    let town = org(&store, "town", "11441802007183516B").await;
    let boss = user(&store, &town, "boss", &[Role::Admin]).await;
    published(&store, &town, boss.id, "关于秋季防火的通知", "2024-09-27").await;
    let src = tempfile::tempdir().expect("tempdir");
    let source = Config { data_dir: src.path().to_path_buf(), database_url: Some(db.url().to_string()), ..Default::default() };
    let work = tempfile::tempdir().expect("tempdir");
    let archive = work.path().join("gongkai-backup-20260101T000000Z.tar.gz");
    gongkai::backup::create(&store, &source, &archive).await.expect("backup");
    let bytes = std::fs::read(&archive).expect("read");

    let cases: Vec<(&str, std::path::PathBuf, &str)> = {
        let truncated = work.path().join("truncated.tar.gz");
        std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).expect("write");
        let altered = work.path().join("altered.tar.gz");
        tamper(&archive, "database/gongkai.db", &altered);
        let manifest_only = work.path().join("garbage.tar.gz");
        std::fs::write(&manifest_only, b"this is not an archive").expect("write");
        vec![("truncated", truncated, "不完整或已损坏"), ("altered", altered, "database/gongkai.db 与清单的校验值不符"), ("garbage", manifest_only, "不完整或已损坏")]
    };
    for (what, file, message) in cases {
        let target = Config { data_dir: work.path().join(format!("restored-{what}")), ..Default::default() };
        let err = gongkai::backup::restore(&file, &target).await.expect_err(what);
        let text = format!("{err:#}");
        assert!(text.contains(message), "{what}: {text}");
        assert!(text.contains("未恢复任何数据") || what == "garbage", "{what}: {text}");
        assert!(!target.data_dir.exists(), "{what}: something was restored");
        // No staging directory left behind either.
        let leftovers: Vec<_> = std::fs::read_dir(work.path()).expect("ls").filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with(".gongkai-restore-")).collect();
        assert!(leftovers.is_empty(), "{what}: staging left behind");
    }
    // The intact archive still restores.
    let target = Config { data_dir: work.path().join("restored-ok"), ..Default::default() };
    gongkai::backup::restore(&archive, &target).await.expect("intact archive restores");
    store.close().await;
}

#[test]
fn retention_keeps_the_newest() {
    let dir = tempfile::tempdir().expect("tempdir");
    for d in ["20260101", "20260102", "20260103", "20260104", "20260105"] {
        std::fs::write(dir.path().join(format!("gongkai-backup-{d}T020000Z.tar.gz")), b"x").expect("write");
    }
    std::fs::write(dir.path().join("notes.txt"), b"keep me").expect("write");
    let deleted = gongkai::backup::prune(dir.path(), 2).expect("prune");
    assert_eq!(deleted.len(), 3);
    let mut left: Vec<String> = std::fs::read_dir(dir.path()).expect("ls").filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, vec!["gongkai-backup-20260104T020000Z.tar.gz", "gongkai-backup-20260105T020000Z.tar.gz", "notes.txt"]);
}

#[test]
fn backup_and_restore_from_the_command_line() {
    let run = |args: &[&str], data: &Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai")).args(args).arg("--data-dir").arg(data).env_remove("GONGKAI_CONFIG").output().expect("run");
        (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    assert!(run(&["migrate"], &data).0);
    let (ok, text) = run(&["backup"], &data);
    assert!(ok, "{text}");
    assert!(text.contains("备份完成"), "{text}");
    let archive = std::fs::read_dir(data.join("backups")).expect("backups").filter_map(Result::ok).map(|e| e.path()).find(|p| p.to_string_lossy().ends_with(".tar.gz")).expect("archive");
    let (ok, text) = run(&["restore", "--check-only", archive.to_str().expect("utf8")], &data);
    assert!(ok && text.contains("备份文件完好"), "{text}");
    let restored = dir.path().join("restored");
    let (ok, text) = run(&["restore", archive.to_str().expect("utf8")], &restored);
    assert!(ok && text.contains("恢复完成"), "{text}");
    assert!(restored.join("gongkai.db").exists());
    let (ok, text) = run(&["restore", archive.to_str().expect("utf8")], &restored);
    assert!(!ok && text.contains("不是空的"), "{text}");
}
