//! `gongkai submission export|import` as an operator uses them: a package is
//! written to a file and imported by the receiving organisation; a malformed
//! or tampered file is refused with a Chinese message and nothing changes.

mod common;

use std::process::{Command, Output};

use common::*;
use gongkai_domain::model::Role;

fn gongkai(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai")).args(args).arg("--data-dir").arg(data).env_remove("GONGKAI_CONFIG").output().expect("run gongkai")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_import_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("gongkai.db").display());
    let store = gongkai_store::Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let town = org(&store, "town", "11441802007183516B").await;
    let district = org(&store, "district", "11441802007183268M").await;
    let clerk = user(&store, &town, "clerk", &[Role::Editor, Role::Reviewer]).await;
    published(&store, &town, clerk.id, "关于秋季防火的通知", "2024-09-27").await;
    published(&store, &town, clerk.id, "关于国庆假期值班安排的通知", "2024-09-30").await;
    store.close().await;

    let pkg = dir.path().join("package.json");
    let pkg_s = pkg.to_str().expect("path");
    let out = gongkai(dir.path(), &["submission", "export", "--org", "town", "--out", pkg_s, "--site", "http://town.example"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 条信息"), "{}", text(&out));

    // A tampered copy and a truncated copy are refused; nothing is recorded.
    let bytes = std::fs::read(&pkg).expect("read");
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, String::from_utf8(bytes.clone()).expect("utf8").replace("秋季防火", "冬季防火")).expect("write");
    let out = gongkai(dir.path(), &["submission", "import", "--org", "district", tampered.to_str().expect("path")]);
    assert!(!out.status.success());
    assert!(text(&out).contains("导入失败，未作任何更改") && text(&out).contains("校验值不符"), "{}", text(&out));
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let out = gongkai(dir.path(), &["submission", "import", "--org", "district", truncated.to_str().expect("path")]);
    assert!(!out.status.success());
    assert!(text(&out).contains("不是有效的 JSON"), "{}", text(&out));

    let out = gongkai(dir.path(), &["submission", "import", "--org", "district", pkg_s]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已导入测试town镇人民政府报送的 2 条信息"), "{}", text(&out));
    let out = gongkai(dir.path(), &["submission", "import", "--org", "district", pkg_s]);
    assert!(!out.status.success());
    assert!(text(&out).contains("已经导入过"), "{}", text(&out));

    let store = gongkai_store::Store::connect(&url).await.expect("connect");
    assert_eq!(store.received_items(district.id, 0, 0).await.expect("received").total, 2);
    assert_eq!(store.submissions(town.id, 0).await.expect("log").len(), 1);
    store.close().await;
}
