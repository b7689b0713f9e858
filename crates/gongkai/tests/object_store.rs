//! Attachments in an S3-compatible object store, against a real S3 server on
//! loopback (moto's server from PyPI, started here), on SQLite and PostgreSQL:
//! content-addressed storage (one object however often a file is attached),
//! downloads with ETag, 304 and byte ranges, and moving existing attachments
//! between the database and the object store — through the store and through
//! the `gongkai attachments` command — while downloads keep working.
//!
//! Without moto it says NOT RUN; under `CI=true` that is a failure.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use gongkai_domain::model::Role;
use gongkai_store::blobs::{BlobLocation, ObjectStore, S3Config};
use gongkai_store::Store;
use reqwest::StatusCode;

struct S3Server {
    child: Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn moto_available() -> bool {
    Command::new("python3").args(["-c", "import moto.server"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

async fn start_s3() -> Option<S3Server> {
    if !moto_available() {
        assert!(std::env::var("CI").is_err(), "moto[server] is required under CI (pip install 'moto[server]')");
        eprintln!("NOT RUN: object-store tests need an S3 server (pip install 'moto[server]')");
        return None;
    }
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn moto");
    let server = S3Server { child, endpoint: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(&server.endpoint).await.is_err() {
        assert!(Instant::now() < deadline, "S3 server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Some(server)
}

fn s3_config(endpoint: &str, bucket: &str) -> S3Config {
    S3Config {
        endpoint: endpoint.into(),
        bucket: bucket.into(),
        region: "us-east-1".into(),
        access_key_id: "gongkai-test".into(),
        secret_access_key: "gongkai-test-secret".into(),
        path_style: true,
    }
}

/// Deterministic, incompressible-looking bytes.
fn file_bytes(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

async fn download(base: &str, id: i64) -> Vec<u8> {
    let res = client().get(format!("{base}/attachments/{id}")).send().await.expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.expect("bytes").to_vec()
}

async fn scenario(store: &Store, url: &str, s3: &S3Server, bucket: &str) {
    let objects = ObjectStore::new(&s3_config(&s3.endpoint, bucket)).expect("object store");
    objects.create_bucket().await.expect("bucket");
    let org = org(store, "town", "11441802007183516B").await;
    let editor = user(store, &org, "editor1", &[Role::Editor]).await;
    let item_a = published(store, &org, editor.id, "关于公布2026年低保对象名单的公示", "2026-11-02").await;
    let item_b = published(store, &org, editor.id, "关于公布2026年低保对象名单的更正公示", "2026-11-03").await;

    // An attachment written while the bytes still live in the database.
    let old = file_bytes(150_000, 1);
    let in_db = store.add_attachment(item_a, "旧附件.pdf", "application/pdf", &old, chrono::Utc::now()).await.expect("db attachment");

    // New attachments go to the object store; the same file twice is one object.
    let with_s3 = Store::connect(url).await.expect("connect").with_object_store(objects.clone());
    let big = file_bytes(300_000, 2);
    let a1 = with_s3.add_attachment(item_a, "名单.pdf", "application/pdf", &big, chrono::Utc::now()).await.expect("s3 attachment");
    let a2 = with_s3.add_attachment(item_b, "名单（更正）.pdf", "application/pdf", &big, chrono::Utc::now()).await.expect("same file again");
    assert_eq!(a1.sha256, a2.sha256);
    assert!(objects.exists(&a1.sha256).await.expect("head"));
    assert_eq!(with_s3.attachment_locations().await.expect("locations"), (1, 2));
    assert_eq!(with_s3.attachment_content(a2.id).await.expect("read").as_deref(), Some(&big[..]));

    // Served to the public with validators and ranges.
    let base = start(with_s3.clone()).await;
    assert_eq!(download(&base, a1.id).await, big);
    assert_eq!(download(&base, in_db.id).await, old, "database attachments are still served");
    let res = client().get(format!("{base}/attachments/{}", a1.id)).header("range", "bytes=1000-1999").send().await.expect("range");
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()["content-range"], format!("bytes 1000-1999/{}", big.len()).as_str());
    assert_eq!(res.headers()["accept-ranges"], "bytes");
    let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
    assert_eq!(etag, format!("\"{}\"", a1.sha256));
    assert_eq!(res.bytes().await.expect("part").as_ref(), &big[1000..2000]);
    let res = client().get(format!("{base}/attachments/{}", a1.id)).header("range", "bytes=-100").send().await.expect("suffix");
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.bytes().await.expect("part").as_ref(), &big[big.len() - 100..]);
    let res = client().get(format!("{base}/attachments/{}", in_db.id)).header("range", "bytes=10-19").send().await.expect("db range");
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.bytes().await.expect("part").as_ref(), &old[10..20]);
    let res = client().get(format!("{base}/attachments/{}", a1.id)).header("range", format!("bytes={}-", big.len())).send().await.expect("416");
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let res = client().get(format!("{base}/attachments/{}", a1.id)).header("if-none-match", &etag).send().await.expect("304");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = client().get(format!("{base}/attachments/{}", a1.id)).header("range", "bytes=0-9").header("if-range", "\"stale\"").send().await.expect("if-range");
    assert_eq!(res.status(), StatusCode::OK, "a stale If-Range gets the whole file");

    // Moving everything to the object store while downloads go on, then back.
    let reader = {
        let base = base.clone();
        let (ids, want) = (vec![in_db.id, a1.id, a2.id], vec![old.clone(), big.clone(), big.clone()]);
        tokio::spawn(async move {
            let mut n = 0;
            let until = Instant::now() + Duration::from_millis(1500);
            while Instant::now() < until {
                for (id, bytes) in ids.iter().zip(&want) {
                    assert_eq!(&download(&base, *id).await, bytes, "attachment {id} during the move");
                    n += 1;
                }
            }
            n
        })
    };
    let moved = with_s3.move_attachments(BlobLocation::ObjectStore, |_, _| {}).await.expect("move to s3");
    assert_eq!(moved, 1);
    assert_eq!(with_s3.attachment_locations().await.expect("locations"), (0, 3));
    assert_eq!(with_s3.move_attachments(BlobLocation::ObjectStore, |_, _| {}).await.expect("again"), 0, "repeatable");
    let moved = with_s3.move_attachments(BlobLocation::Database, |_, _| {}).await.expect("move back");
    assert_eq!(moved, 3);
    assert_eq!(with_s3.attachment_locations().await.expect("locations"), (3, 0));
    assert!(reader.await.expect("reader") > 0);
    for (id, bytes) in [(in_db.id, &old), (a1.id, &big), (a2.id, &big)] {
        assert_eq!(&download(&base, id).await, bytes);
    }
    with_s3.close().await;
}

async fn cli_move(url: &str, s3: &S3Server) {
    // Keys and backups of this run live in a directory of its own, never in the checkout.
    let data = tempfile::tempdir().expect("tempdir");
    let out = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .args(["--database-url", url])
            .env_remove("GONGKAI_CONFIG")
            .env("GONGKAI_DATA_DIR", data.path())
            .env("GONGKAI_S3_ENDPOINT", &s3.endpoint)
            .env("GONGKAI_S3_BUCKET", "cli-bucket")
            .env("GONGKAI_S3_ACCESS_KEY_ID", "gongkai-test")
            .env("GONGKAI_S3_SECRET_ACCESS_KEY", "gongkai-test-secret")
            .output()
            .expect("run gongkai");
        (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr))
    };
    let (ok, text) = out(&["attachments", "move", "--to", "s3"]);
    assert!(ok, "{text}");
    assert!(text.contains("已迁移 3 个附件"), "{text}");
    let (ok, text) = out(&["attachments", "status"]);
    assert!(ok && text.contains("数据库 0 个，对象存储 3 个"), "{text}");
    let (ok, text) = out(&["attachments", "move", "--to", "elsewhere"]);
    assert!(!ok && text.contains("应为 s3 或 database"), "{text}");
    let (ok, text) = out(&["attachments", "move", "--to", "database"]);
    assert!(ok && text.contains("已迁移 3 个附件"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn object_store_sqlite() {
    let Some(s3) = start_s3().await else { return };
    let (store, db) = gongkai_store::test_support::fresh_sqlite().await;
    scenario(&store, db.url(), &s3, "gongkai-sqlite").await;
    store.close().await;
    ObjectStore::new(&s3_config(&s3.endpoint, "cli-bucket")).expect("os").create_bucket().await.expect("bucket");
    cli_move(db.url(), &s3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn object_store_postgres() {
    let Some((store, db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    let Some(s3) = start_s3().await else { return };
    scenario(&store, db.url(), &s3, "gongkai-postgres").await;
    store.close().await;
}
