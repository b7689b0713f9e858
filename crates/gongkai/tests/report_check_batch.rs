//! The back-office 年报体检 page with several files at once: every file checked (an
//! unreadable one reported beside the others), findings with their Chinese names and advice,
//! and the supervisor's workbook offered for download (the same as `report check --xlsx`).

mod common;

use common::*;
use gongkai_store::Store;
use reqwest::StatusCode;

const CLEAN: &str = include_str!("../../checker/tests/fixtures/clean_2021.txt");

fn part(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes).file_name(name.to_string())
}

async fn report_check_batch(store: &Store) {
    let town = org(store, "town", "11441802007183516B").await;
    user(store, &town, "clerk", &[gongkai_domain::model::Role::Editor]).await;
    let base = start(store.clone()).await;
    let (c, _, _) = login(&base, "clerk", PASSWORD).await;
    let token = page_csrf(&c, &format!("{base}/admin/report-check")).await;
    let flat = CLEAN.replace(['\n', '\t'], " ");
    let defect = CLEAN.replace("（七）总计\t10\t2\t0\t0\t1\t0\t13", "（七）总计\t10\t2\t0\t0\t1\t0\t14");
    let form = || {
        reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .part("file", part("flat.txt", flat.clone().into_bytes()))
            .part("file", part("defect.txt", defect.clone().into_bytes()))
            .part("file", part("broken.docx", b"PK\x03\x04 not a docx".to_vec()))
    };
    let res = c.post(format!("{base}/admin/report-check")).multipart(form()).send().await.expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("text");
    assert!(html.contains("批量检查结果：3 个文件，其中 1 个无法读取"), "{html}");
    assert!(html.contains("flat.txt") && html.contains("defect.txt") && html.contains("broken.docx"));
    assert!(html.contains("无法读取“broken.docx”"));
    assert!(html.contains("示例县交通运输局"));
    // The arithmetic defect with its Chinese name and advice.
    assert!(html.contains("ARITH_C1</code> C1收支不平衡"), "{html}");
    assert!(html.contains("核对第三部分：本年新收加上年结转应等于办理结果总计加结转下年度。"));
    // The workbook offered on the page (a data: link, no script needed)…
    assert!(html.contains("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"));
    // …and as a direct download.
    let res = c
        .post(format!("{base}/admin/report-check"))
        .multipart(form().text("download", "xlsx"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let bytes = res.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
    // Without the CSRF token: refused.
    let no_token = reqwest::multipart::Form::new().part("file", part("flat.txt", flat.clone().into_bytes()));
    assert_eq!(c.post(format!("{base}/admin/report-check")).multipart(no_token).send().await.expect("post").status(), StatusCode::FORBIDDEN);
}

gongkai_store::on_both_backends!(report_check_batch);
