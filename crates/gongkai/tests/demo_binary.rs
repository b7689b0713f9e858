//! Runs the real `gongkai serve --demo` binary, as the README says, and checks
//! that the demo town's 2023 column lists exactly the 66 items of its report
//! in the report's per-category counts — on SQLite and on PostgreSQL.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

async fn spawn(args: &[&str]) -> Server {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.arg("serve").arg("--demo").arg("--listen").arg(&listen).args(args);
    cmd.env_remove("GONGKAI_CONFIG").stdout(Stdio::null()).stderr(Stdio::inherit());
    let child = cmd.spawn().expect("spawn gongkai");
    let server = Server { child, base: format!("http://{listen}") };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(res) = client.get(format!("{}/api/v1/organisations", server.base)).send().await {
            if res.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "server did not start within 120 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server
}

const EXPECTED_2023: [(&str, u64); 11] = gongkai::demo_data::SEED_2023_BREAKDOWN;

async fn check_demo(base: &str) {
    let c = reqwest::Client::new();
    // The portal's 2023 listing of the town's column.
    let html = c.get(format!("{base}/org/yuantan/xxgk?year=2023")).send().await.expect("column").text().await.expect("text");
    assert!(html.contains("共 <strong class=\"total\">66</strong> 条"), "2023 listing does not show 66 items");
    // Per category, through the API.
    let catalog: serde_json::Value = c.get(format!("{base}/api/v1/organisations/yuantan/catalog")).send().await.expect("catalog").json().await.expect("json");
    let mut counts = BTreeMap::new();
    for node in catalog["catalog"].as_array().expect("nodes") {
        let id = node["id"].as_i64().expect("id");
        let name = node["name"].as_str().expect("name").to_string();
        let page: serde_json::Value = c
            .get(format!("{base}/api/v1/organisations/yuantan/items?year=2023&catalog={id}&per_page=1"))
            .send()
            .await
            .expect("items")
            .json()
            .await
            .expect("json");
        counts.insert(name, page["total"].as_i64().expect("total"));
    }
    let expected: BTreeMap<String, i64> = EXPECTED_2023.iter().map(|(k, v)| (k.to_string(), *v as i64)).collect();
    assert_eq!(counts, expected);
    // The district shows its towns and department; the repealed document is marked.
    let home = c.get(format!("{base}/org/qingcheng")).send().await.expect("district").text().await.expect("text");
    for town in ["源潭镇", "飞来峡镇", "民政局"] {
        assert!(home.contains(town), "district page lacks {town}");
    }
    let all = c.get(format!("{base}/org/qingcheng/xxgk?scope=all")).send().await.expect("all").text().await.expect("text");
    assert!(all.contains("含下级机关"));
    // Guide page carries the Art. 12 elements.
    let guide = c.get(format!("{base}/org/yuantan/guide")).send().await.expect("guide").text().await.expect("text");
    for label in ["办公地址", "办公时间", "联系电话", "传真号码", "电子邮箱"] {
        assert!(guide.contains(label), "guide lacks {label}");
    }
}

#[tokio::test]
async fn demo_on_sqlite_shows_the_seed_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let server = spawn(&["--data-dir", data.to_str().expect("utf-8 path")]).await;
    check_demo(&server.base).await;
    // The demo accounts were saved privately for the operator.
    let accounts = std::fs::read_to_string(data.join("demo-accounts.txt")).expect("accounts file");
    for u in ["yt_admin", "yt_editor", "yt_reviewer"] {
        assert!(accounts.contains(u));
    }
}

#[tokio::test]
async fn demo_on_postgres_shows_the_seed_counts() {
    let Some((_store, db)) = gongkai_store::test_support::fresh_postgres().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(&["--data-dir", dir.path().to_str().expect("utf-8"), "--database-url", db.url()]).await;
    check_demo(&server.base).await;
}
