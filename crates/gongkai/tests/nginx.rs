//! The nginx reverse-proxy configuration in docs/nginx.md, taken verbatim (only
//! ports and certificate paths replaced) in front of a separately started
//! `gongkai serve` process writing JSON logs: portal, login with Secure
//! cookies, HTTP→HTTPS redirect, and request log lines without personal data.

use std::io::{BufRead, BufReader};
use std::path::Path;
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

/// The ```nginx block of the document.
fn documented_config() -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/nginx.md")).expect("docs/nginx.md");
    let start = doc.find("```nginx\n").expect("nginx block") + "```nginx\n".len();
    doc[start..start + doc[start..].find("```").expect("block end")].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_nginx_config_in_front_of_gongkai() {
    if which("nginx").is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "nginx is required under CI=true (apt-get install nginx-light)");
        println!("NOT RUN: nginx is not installed (apt-get install nginx-light)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    // The certificate nginx serves.
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params").self_signed(&key).expect("cert");
    std::fs::write(dir.path().join("fullchain.pem"), cert.pem()).expect("write");
    std::fs::write(dir.path().join("privkey.pem"), key.serialize_pem()).expect("write");

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
        if let Some(p) = line.trim().strip_prefix("密码：") {
            password = p.to_string();
        }
        if line.contains("gongkai 已启动") {
            break;
        }
    }
    assert!(!password.is_empty(), "first start prints the administrator password");
    let log_lines = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<String>>());
    wait_for(app_port);

    // nginx with the documented server blocks.
    let (http_port, https_port) = (free_port(), free_port());
    let block = documented_config()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{app_port}"))
        .replace("listen 80;", &format!("listen 127.0.0.1:{http_port};"))
        .replace("listen 443 ssl http2;", &format!("listen 127.0.0.1:{https_port} ssl http2;"))
        .replace("/etc/gongkai/tls/", &format!("{}/", dir.path().display()));
    let prefix = dir.path().join("nginx");
    std::fs::create_dir_all(prefix.join("logs")).expect("mkdir");
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log;\nevents {{}}\nhttp {{\naccess_log off;\nclient_body_temp_path {p}/body;\nproxy_temp_path {p}/proxy;\nfastcgi_temp_path {p}/fcgi;\nuwsgi_temp_path {p}/uwsgi;\nscgi_temp_path {p}/scgi;\n{block}\n}}\n",
        p = prefix.display()
    );
    std::fs::write(prefix.join("nginx.conf"), conf).expect("conf");
    let nginx = Command::new(which("nginx").expect("nginx"))
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nginx");
    let _nginx = Killed(nginx);
    wait_for(https_port);

    let c = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).expect("ca"))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
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

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([std::path::PathBuf::from("/usr/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}
