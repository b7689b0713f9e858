//! The nginx reverse-proxy configuration in docs/nginx.md, taken verbatim (only
//! ports and certificate paths replaced) in front of a separately started
//! `gongkai serve` process writing JSON logs: portal, login with Secure
//! cookies, HTTP→HTTPS redirect, and request log lines without personal data.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_nginx_config_in_front_of_gongkai() {
    if common::nginx::binary().is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "nginx is required under CI=true (apt-get install nginx-light)");
        println!("NOT RUN: nginx is not installed (apt-get install nginx-light)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    // The certificate nginx serves.
    let cert_pem = common::nginx::certificate(dir.path());

    // gongkai, as its own process, as the document configures it.
    let app_port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["serve", "--data-dir"])
        .arg(&data)
        .env_remove("GONGKAI_CONFIG")
        .env("GONGKAI_LISTEN", format!("127.0.0.1:{app_port}"))
        .env("GONGKAI_SECURE_COOKIES", "true")
        .env("GONGKAI_TRUSTED_PROXIES", "127.0.0.1")
        .env("GONGKAI_LOG_FORMAT", "json")
        .env("GONGKAI_LOG", "info,gongkai::http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gongkai");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let app = Killed(child);
    let mut password = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        assert!(!line.contains("密码："), "a password on standard output: {line}");
        if line.contains("gongkai 已启动") {
            break;
        }
    }
    // The first start writes the three administrators to a 0600 file, the system
    // administrator `admin` first: its password is the first one.
    let accounts = std::fs::read_to_string(data.join("initial-accounts.txt")).expect("initial accounts file");
    if let Some(p) = accounts.lines().find_map(|l| l.trim().strip_prefix("密码：")) {
        password = p.to_string();
    }
    assert!(!password.is_empty(), "first start prints the administrator password");
    let log_lines = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<String>>());
    wait_for(app_port);

    // nginx with the documented server blocks.
    let (http_port, https_port) = (free_port(), free_port());
    let block = common::nginx::server_blocks(&[format!("127.0.0.1:{app_port}")], http_port, https_port, dir.path(), "");
    let _nginx = common::nginx::start(&block, &dir.path().join("nginx"));
    wait_for(https_port);

    let c = common::nginx::client(&cert_pem);
    let base = format!("https://localhost:{https_port}");
    let res = c.get(format!("{base}/healthz")).send().await.expect("healthz through nginx");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.headers().contains_key("strict-transport-security"));
    let res = c.get(format!("{base}/")).send().await.expect("portal");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    // Log in through the proxy: the session cookie is Secure.
    let page = c.get(format!("{base}/admin/login")).send().await.expect("login page").text().await.expect("text");
    let marker = "name=\"_csrf\" value=\"";
    let token = page[page.find(marker).expect("csrf") + marker.len()..].split('"').next().expect("token").to_string();
    let res = c.post(format!("{base}/admin/login")).form(&[("username", "admin"), ("password", password.as_str()), ("_csrf", token.as_str())]).send().await.expect("login");
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let cookie = res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with("__Host-gk_session=")).expect("session cookie with the __Host- prefix").to_string();
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    // The printed password must be replaced first.
    let res = c.get(format!("{base}/admin")).send().await.expect("dashboard");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/password?due=issued"));
    let page = c.get(format!("{base}/admin/password")).send().await.expect("form").text().await.expect("text");
    let token = page[page.find(marker).expect("csrf") + marker.len()..].split('"').next().expect("token").to_string();
    let new = "Tiger-Lamp-Violet-42";
    let res = c.post(format!("{base}/admin/password")).form(&[("_csrf", token.as_str()), ("current", password.as_str()), ("new", new), ("confirm", new)]).send().await.expect("change");
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    // Administrators must set up two-step sign-in next: the authenticator app's secret is
    // on the page; the code it would show confirms it.
    let res = c.get(format!("{base}/admin")).send().await.expect("dashboard");
    assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin/mfa?due=required"));
    let page = c.get(format!("{base}/admin/mfa?due=required")).send().await.expect("mfa").text().await.expect("text");
    let secret_marker = "<code class=\"secret\">";
    let secret = page[page.find(secret_marker).expect("secret shown") + secret_marker.len()..].split('<').next().expect("secret").replace(' ', "");
    let token = page[page.find(marker).expect("csrf") + marker.len()..].split('"').next().expect("token").to_string();
    let bytes = gongkai_domain::mfa::decode_secret(&secret).expect("base32 secret");
    let code = gongkai_domain::mfa::code_at(&bytes, chrono::Utc::now().timestamp() as u64).expect("code");
    let res = c.post(format!("{base}/admin/mfa")).form(&[("_csrf", token.as_str()), ("op", "confirm"), ("code", code.as_str())]).send().await.expect("confirm");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.text().await.expect("text").contains("恢复码（只显示这一次）"));
    let res = c.get(format!("{base}/admin")).send().await.expect("dashboard");
    assert_eq!(res.status(), reqwest::StatusCode::OK);

    // Plain HTTP is redirected to HTTPS, keeping the path.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let res = plain.get(format!("http://localhost:{http_port}/org/x?y=1")).send().await.expect("http");
    assert_eq!(res.status(), reqwest::StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers()["location"], "https://localhost/org/x?y=1");

    // JSON request log lines by route template, without the password or cookies.
    drop(app);
    let lines = log_lines.join().expect("log lines");
    let requests: Vec<serde_json::Value> = lines.iter().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()).filter(|v| v["fields"]["route"].is_string()).collect();
    assert!(requests.iter().any(|v| v["fields"]["route"] == "/admin/login" && v["fields"]["method"] == "POST"), "{lines:?}");
    assert!(lines.iter().filter(|l| !l.trim().is_empty()).all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "every log line is JSON: {lines:?}");
    assert!(!lines.iter().any(|l| l.contains(&password)), "password in the log");
}

