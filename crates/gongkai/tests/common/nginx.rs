//! Running the nginx configuration documented in docs/nginx.md in front of gongkai
//! processes started by a test: the document's ```nginx block taken verbatim, with only
//! ports, upstream addresses and certificate paths replaced.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Debian's nginx, if installed.
pub fn binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// The ```nginx block of docs/nginx.md.
pub fn documented_config() -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/nginx.md")).expect("docs/nginx.md");
    let start = doc.find("```nginx\n").expect("nginx block") + "```nginx\n".len();
    doc[start..start + doc[start..].find("```").expect("block end")].to_string()
}

/// A self-signed certificate for `localhost` written as `fullchain.pem` and `privkey.pem`
/// into `dir` (where the document's `/etc/gongkai/tls/` files are looked for); its PEM.
pub fn certificate(dir: &Path) -> String {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params").self_signed(&key).expect("cert");
    std::fs::write(dir.join("fullchain.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("privkey.pem"), key.serialize_pem()).expect("write");
    cert.pem()
}

/// The documented server blocks for `upstreams`, listening on 127.0.0.1 at `http_port` and
/// `https_port` with the certificate in `tls_dir`; `extra_location` is added to the proxied
/// location (e.g. a header naming the upstream that answered).
pub fn server_blocks(upstreams: &[String], http_port: u16, https_port: u16, tls_dir: &Path, extra_location: &str) -> String {
    let servers = upstreams.iter().map(|u| format!("server {u};")).collect::<Vec<_>>().join("\n    ");
    let mut block = documented_config()
        .replace("server 127.0.0.1:8080;", &servers)
        .replace("listen 80;", &format!("listen 127.0.0.1:{http_port};"))
        .replace("listen 443 ssl http2;", &format!("listen 127.0.0.1:{https_port} ssl http2;"))
        .replace("/etc/gongkai/tls/", &format!("{}/", tls_dir.display()));
    if !extra_location.is_empty() {
        block = block.replacen("proxy_pass http://gongkai;", &format!("proxy_pass http://gongkai;\n        {extra_location}"), 1);
    }
    block
}

/// Start nginx with `block` inside an `http {}` of its own under `prefix` (killed on drop).
pub fn start(block: &str, prefix: &Path) -> Running {
    std::fs::create_dir_all(prefix.join("logs")).expect("mkdir");
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log;\nevents {{}}\nhttp {{\naccess_log off;\nclient_body_temp_path {p}/body;\nproxy_temp_path {p}/proxy;\nfastcgi_temp_path {p}/fcgi;\nuwsgi_temp_path {p}/uwsgi;\nscgi_temp_path {p}/scgi;\n{block}\n}}\n",
        p = prefix.display()
    );
    std::fs::write(prefix.join("nginx.conf"), conf).expect("conf");
    let child = Command::new(binary().expect("nginx"))
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nginx");
    Running(child)
}

/// A running nginx, stopped when dropped.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A client trusting the test certificate, keeping cookies, not following redirects.
pub fn client(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("ca"))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
