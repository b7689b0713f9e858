//! The `gongkai` command line as an operator uses it: migrate, users,
//! calendar, configuration errors.

use std::process::{Command, Output};

fn gongkai(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("GONGKAI_CONFIG")
        .output()
        .expect("run gongkai")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn calendar_due_prints_the_date_and_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gongkai(dir.path(), &["calendar", "due", "2023-09-27", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("2023-10-31"));
    assert!(text.contains("国庆"), "{text}");
    let out = gongkai(dir.path(), &["calendar", "due", "2027-03-01", "5"]);
    assert!(stdout(&out).contains("暂定"));
    // January 2027 has no holiday notice yet, but 元旦 is fixed by the regulations:
    // Wed 2026-12-30 + 2 → Thu 12-31, (Fri 2027-01-01 元旦, weekend), Mon 2027-01-04.
    let out = gongkai(dir.path(), &["calendar", "due", "2026-12-30", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("2027-01-04"), "{text}");
    assert!(text.contains("2027-01-01 元旦假期"), "{text}");
    assert!(text.contains("暂定") && text.contains("调休安排未知"), "{text}");
    let out = gongkai(dir.path(), &["calendar", "due", "2023/09/27", "20"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("格式有误"));
}

#[test]
fn users_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gongkai(dir.path(), &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("迁移完成"));
    // No organisation yet: adding a user names the problem.
    let out = gongkai(dir.path(), &["user", "add", "clerk", "--name", "信息员", "--org", "yuantan", "--role", "editor"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("机关“yuantan”不存在"), "{}", stderr(&out));
    // First start: an administrator with a random password, written once to a file only the
    // service user can read, never to standard output (which service logs keep).
    let first = start_and_stop(dir.path());
    assert!(first.contains("用户名：admin") && first.contains("initial-accounts.txt"), "{first}");
    let file = dir.path().join("initial-accounts.txt");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).expect("accounts file").permissions().mode() & 0o777, 0o600);
    }
    let accounts = std::fs::read_to_string(&file).expect("accounts file");
    let password = accounts.lines().find_map(|l| l.trim().strip_prefix("密码：")).expect("password written").to_string();
    assert!(password.len() >= 12);
    assert!(!first.contains(&password) && !first.contains("密码："), "password on standard output: {first}");
    let second = start_and_stop(dir.path());
    assert!(!second.contains("初始密码"), "accounts announced again: {second}");
    // Unknown role.
    let out = gongkai(dir.path(), &["user", "add", "clerk", "--name", "信息员", "--org", "main", "--role", "boss"]);
    assert!(stderr(&out).contains("角色“boss”不存在"), "{}", stderr(&out));
    let out = gongkai(dir.path(), &["user", "add", "clerk", "--name", "信息员", "--org", "main", "--role", "editor,reviewer"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("初始密码"));
    let out = gongkai(dir.path(), &["user", "add", "clerk", "--name", "重复", "--org", "main", "--role", "editor"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("用户名"), "{}", stderr(&out));
    let list = stdout(&gongkai(dir.path(), &["user", "list"]));
    assert!(list.contains("clerk") && list.contains("editor,reviewer") && list.contains("admin"), "{list}");
    let out = gongkai(dir.path(), &["user", "set-password", "clerk"]);
    assert!(stdout(&out).contains("新密码"));
    let out = gongkai(dir.path(), &["user", "disable", "clerk"]);
    assert!(out.status.success());
    assert!(stdout(&gongkai(dir.path(), &["user", "list"])).contains("已停用"));
    let out = gongkai(dir.path(), &["user", "disable", "nobody"]);
    assert!(stderr(&out).contains("不存在"));
}

/// Start `gongkai serve` on a free port, wait until it answers, stop it, and
/// return what it printed.
fn start_and_stop(data: &std::path::Path) -> String {
    use std::io::Read;
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data)
        .env_remove("GONGKAI_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    text
}

#[test]
fn configuration_errors_name_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("gongkai.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:1\"\nsite_nam = \"x\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai")).args(["migrate", "--config"]).arg(&cfg).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("site_nam"), "{}", stderr(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("migrate")
        .arg("--data-dir")
        .arg(dir.path())
        .env("GONGKAI_LISTN", "x")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("GONGKAI_LISTN"));
}

#[test]
fn fee_quote_prints_the_amount_and_tiers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gongkai(dir.path(), &["fee", "quote", "--pages", "250"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("4700元"));
    assert!(text.contains("第201—250页"), "{text}");
    let out = gongkai(dir.path(), &["fee", "quote", "--pieces", "5", "--already-this-month", "28"]);
    assert_eq!(stdout(&out).lines().next(), Some("800元"));
    let out = gongkai(dir.path(), &["fee", "quote", "--pieces", "10"]);
    assert_eq!(stdout(&out).lines().next(), Some("0元"));
    // One method only; zero is refused with a clear message.
    let out = gongkai(dir.path(), &["fee", "quote", "--pieces", "3", "--pages", "40"]);
    assert_eq!(out.status.code(), Some(2));
    let out = gongkai(dir.path(), &["fee", "quote", "--pieces", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("件数"));
}

#[test]
fn report_generate_exports_the_demo_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("gongkai.db");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        // Sealed with the data directory's keys, which the command run below loads.
        let keys = gongkai_store::data_keys::DataKeys::load_or_create(dir.path(), None, None).expect("data keys");
        let store = gongkai_store::Store::connect(&format!("sqlite:{}", db.display())).await.expect("connect").with_data_keys(keys);
        store.migrate().await.expect("migrate");
        gongkai::demo::load(&store).await.expect("demo");
        store.close().await;
    });
    let out = dir.path().join("2023.docx");
    let o = gongkai(dir.path(), &["report", "generate", "--org", "yuantan", "--year", "2023", "--format", "docx", "-o", out.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("已保存的第1版（已发布）"), "{}", stderr(&o));
    // Published on time (2024-01-17, deadline 2024-01-31): no false 逾期 message.
    assert!(stderr(&o).contains("已于2024年1月17日按期发布"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("已超过发布期限") && !stderr(&o).contains("逾期"), "{}", stderr(&o));
    assert!(std::fs::read(&out).expect("docx").starts_with(b"PK\x03\x04"));
    // Traditional Markdown, regenerated from the records.
    let md = dir.path().join("2023.md");
    let o = gongkai(dir.path(), &["report", "generate", "--org", "yuantan", "--year", "2023", "--format", "md", "--script", "hant", "--fresh", "-o", md.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&md).expect("md");
    assert!(text.contains("公開政府信息66條"), "{text}");
    // Unknown format and organisation: a Chinese message naming what exists; nothing written.
    let bad = dir.path().join("x.pdf");
    let o = gongkai(dir.path(), &["report", "generate", "--org", "yuantan", "--year", "2023", "--format", "pdf", "-o", bad.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("docx") && stderr(&o).contains("xlsx"), "{}", stderr(&o));
    assert!(!bad.exists());
    let o = gongkai(dir.path(), &["report", "generate", "--org", "nosuch", "--year", "2023", "-o", bad.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("找不到机关“nosuch”") && stderr(&o).contains("yuantan"), "{}", stderr(&o));
}

/// `gongkai keys`: status counts values per data-key version and clear text; rotate adds
/// the next key (0600); reencrypt moves every value onto it and seals clear text left
/// from before encryption; a missing key file makes status fail, naming the problem.
#[test]
fn keys_rotate_reencrypt_and_status() {
    use sqlx::Row;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("gongkai.db");
    let url = format!("sqlite:{}", db.display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let raw_count = |sql: &'static str| {
        runtime.block_on(async {
            let store = gongkai_store::Store::connect(&url).await.expect("connect");
            let n: i64 = sqlx::query(sql).fetch_one(gongkai_store::test_support::raw_pool(&store)).await.expect("count").get(0);
            store.close().await;
            n
        })
    };
    runtime.block_on(async {
        let keys = gongkai_store::data_keys::DataKeys::load_or_create(dir.path(), None, None).expect("data keys");
        let store = gongkai_store::Store::connect(&url).await.expect("connect").with_data_keys(keys);
        store.migrate().await.expect("migrate");
        gongkai::demo::load(&store).await.expect("demo");
        // One value as an installation before encryption left it.
        sqlx::query("UPDATE applications SET phone = '13800138000' WHERE id = (SELECT MIN(id) FROM applications)")
            .execute(gongkai_store::test_support::raw_pool(&store))
            .await
            .expect("clear row");
        store.close().await;
    });
    let sealed_v1 = raw_count("SELECT COUNT(*) FROM applications WHERE id_doc_number LIKE 'sm4g:1:%'");
    assert!(sealed_v1 > 0, "the demo's applications are sealed");

    let out = gongkai(dir.path(), &["keys", "status"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("当前数据密钥：第 1 版") && text.contains("applications.phone") && text.contains("明文 1"), "{text}");

    let out = gongkai(dir.path(), &["keys", "rotate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("已生成第 2 版数据密钥"), "{}", stdout(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("keys/data-2.key")).expect("new key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let out = gongkai(dir.path(), &["keys", "reencrypt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("全部个人信息字段均已用当前密钥加密"), "{text}");
    assert_eq!(raw_count("SELECT COUNT(*) FROM applications WHERE id_doc_number LIKE 'sm4g:1:%' OR phone LIKE 'sm4g:1:%'"), 0);
    assert_eq!(raw_count("SELECT COUNT(*) FROM applications WHERE phone = '13800138000'"), 0);
    assert_eq!(raw_count("SELECT COUNT(*) FROM applications WHERE id_doc_number LIKE 'sm4g:2:%'"), sealed_v1);

    // The current key lost: status names the values it cannot open and fails.
    std::fs::remove_file(dir.path().join("keys/data-2.key")).expect("remove key");
    let out = gongkai(dir.path(), &["keys", "status"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("未加载的数据密钥版本"), "{}", stdout(&out));
}
