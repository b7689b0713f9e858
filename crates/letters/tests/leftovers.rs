//! Template leftovers (issue 15 item 4): every letter, for every outcome and every kind of
//! applicant, rendered as text, HTML and DOCX, must have no doubled punctuation, no
//! "（单位）" alternative and nothing after the closing formula.

use std::io::{Cursor, Read};

use chrono::NaiveDate;
use gongkai_domain::application::{ApplicantKind, Approver, ConsultParty, Outcome, Step};
use gongkai_domain::fees::{FeeBasis, FeeMethod, FeeSchedule};
use gongkai_domain::model::DisclosureOffice;
use gongkai_letters::{
    address_form, draft, draft_fee_notice_with_quote, paragraphs_from_html, to_html, LetterContext,
    LetterDocument, LetterDraft, LetterKind, CLOSING, CLOSING_CONSULTATION,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn office() -> DisclosureOffice {
    DisclosureOffice {
        name: "源潭镇党政综合办公室".into(),
        address: "源潭镇人民路1号".into(),
        phone: "0763-3681234".into(),
        ..Default::default()
    }
}

/// Descriptions as applicants type them: ending with a full stop, a question mark,
/// nothing, or a stray comma.
const DESCRIPTIONS: [&str; 4] = [
    "2025年度源潭镇农村道路提升改造工程的招标文件及中标结果。",
    "源潭镇2025年低保名单是否已经公示？",
    "源潭镇2025年财政预算",
    "镇区排水管网改造项目的验收报告，",
];

fn ctx(kind: ApplicantKind, description: &str, step: Option<Step>) -> LetterContext {
    LetterContext {
        org_name: "清远市清城区源潭镇人民政府".into(),
        office: office(),
        tracking_code: "YT2026-1201-0007".into(),
        applicant_name: match kind {
            ApplicantKind::NaturalPerson => "王五".into(),
            ApplicantKind::Organisation(_) => "清远某某律师事务所".into(),
        },
        applicant_kind: kind,
        description: description.into(),
        submitted_on: d(2026, 11, 30),
        received: d(2026, 12, 1),
        reply_due: Some(d(2026, 12, 29)),
        issue_date: d(2026, 12, 7),
        step,
        // Staff text with and without a final full stop.
        extra: Some("领取地点：镇政务服务中心一楼3号窗口\n请携带身份证件原件。".into()),
    }
}

/// Every letter the drafting can produce for one applicant and description.
fn all_letters(kind: ApplicantKind, description: &str) -> Vec<(String, LetterDraft)> {
    let mut out = Vec::new();
    let mut push = |label: String, c: LetterContext, k: LetterKind| {
        let l = draft(k, &c).unwrap_or_else(|e| panic!("{label}: {e}"));
        out.push((label, l));
    };
    push(
        "receipt".into(),
        ctx(kind, description, None),
        LetterKind::Receipt,
    );
    let correction = Step::RequestCorrection {
        date: d(2026, 12, 7),
        defects: vec![
            "请写明所需文件的名称或者文号。".into(),
            "请说明所需信息的形成时间；".into(),
            "请补充申请人的联系方式".into(),
        ],
        deadline: d(2026, 12, 21),
    };
    push(
        "correction".into(),
        ctx(kind, description, Some(correction)),
        LetterKind::Correction,
    );
    let extend = Step::Extend {
        date: d(2026, 12, 7),
        working_days: 20,
        approver: Approver {
            user_id: 2,
            is_office_head: true,
        },
        applicant_notified: true,
    };
    let mut c = ctx(kind, description, Some(extend));
    c.reply_due = Some(d(2027, 1, 27));
    push("extension".into(), c, LetterKind::Extension);
    for party in [ConsultParty::ThirdParty, ConsultParty::OtherAgency] {
        let consult = Step::Consult {
            date: d(2026, 12, 7),
            party,
            addressee: "清远某某建设有限公司".into(),
        };
        push(
            format!("consultation {party:?}"),
            ctx(kind, description, Some(consult)),
            LetterKind::Consultation,
        );
    }
    for method in [FeeMethod::PerPiece, FeeMethod::PerPage] {
        let fee = Step::IssueFeeNotice {
            date: d(2026, 12, 7),
            method,
            amount_fen: 120_000,
            notice_received: d(2026, 12, 8),
        };
        push(
            format!("fee notice {method:?}"),
            ctx(kind, description, Some(fee)),
            LetterKind::FeeNotice,
        );
    }
    for o in Outcome::ALL {
        let basis = if o.default_basis().is_some() {
            ""
        } else {
            "《中华人民共和国政府信息公开条例》第三十六条第（七）项。"
        };
        let step = Step::Reply {
            date: d(2026, 12, 7),
            outcome: o,
            basis: basis.into(),
            remedies_stated: true,
            override_reason: None,
        };
        push(
            format!("reply {o:?}"),
            ctx(kind, description, Some(step)),
            LetterKind::Reply,
        );
    }
    let overridden = Step::Reply {
        date: d(2026, 12, 7),
        outcome: Outcome::Disclosed,
        basis: String::new(),
        remedies_stated: true,
        override_reason: Some(
            "该工程涉及公共安全，公众知情的利益明显大于第三方的商业利益。".into(),
        ),
    };
    push(
        "reply override".into(),
        ctx(kind, description, Some(overridden)),
        LetterKind::Reply,
    );
    push(
        "reply correction lapsed".into(),
        ctx(
            kind,
            description,
            Some(Step::CorrectionLapsed {
                date: d(2026, 12, 7),
            }),
        ),
        LetterKind::Reply,
    );
    push(
        "reply fee lapsed".into(),
        ctx(
            kind,
            description,
            Some(Step::FeeLapsed {
                date: d(2026, 12, 7),
            }),
        ),
        LetterKind::Reply,
    );
    // The fee notice with the band-by-band quote.
    let quote = FeeSchedule::default()
        .quote(FeeBasis::PerPage { count: 250 })
        .expect("quote");
    let fee = Step::IssueFeeNotice {
        date: d(2026, 12, 7),
        method: FeeMethod::PerPage,
        amount_fen: quote.total_fen,
        notice_received: d(2026, 12, 8),
    };
    let l = draft_fee_notice_with_quote(&ctx(kind, description, Some(fee)), &quote)
        .expect("fee notice with quote");
    out.push(("fee notice with quote".into(), l));
    out
}

const MARKS: [char; 8] = ['。', '，', '；', '：', '、', '！', '？', '．'];

/// The leftovers this test refuses, with where they are.
fn leftovers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, w) in chars.windows(2).enumerate() {
        if MARKS.contains(&w[0]) && MARKS.contains(&w[1]) {
            found.push(format!("doubled punctuation “{}{}” at {i}", w[0], w[1]));
        }
    }
    for (i, w) in chars.windows(3).enumerate() {
        if matches!(w[0], '。' | '！' | '？')
            && matches!(w[1], '”' | '’' | '）')
            && MARKS.contains(&w[2])
        {
            found.push(format!("“{}{}{}” at {i}", w[0], w[1], w[2]));
        }
    }
    for alt in [
        "（单位）",
        "(单位)",
        "您/单位",
        "您（",
        "贵方（",
        "XX",
        "××",
        "{",
        "}",
    ] {
        if text.contains(alt) {
            found.push(format!("template alternative or placeholder “{alt}”"));
        }
    }
    found
}

fn closing_for(l: &LetterDraft) -> &'static str {
    if l.kind == LetterKind::Consultation {
        CLOSING_CONSULTATION
    } else {
        CLOSING
    }
}

#[test]
fn no_letter_has_leftovers_for_any_outcome_or_applicant() {
    let mut checked = 0;
    for kind in ApplicantKind::ALL {
        for description in DESCRIPTIONS {
            for (label, l) in all_letters(kind, description) {
                let what = format!("{label} / {kind:?} / {description}");
                // Text: no leftovers, one closing formula and nothing after it.
                let text = format!("{}\n{}", l.title, l.paragraphs.join("\n"));
                let bad = leftovers(&text);
                assert!(bad.is_empty(), "{what}: {bad:?}\n{text}");
                let closing = closing_for(&l);
                assert_eq!(
                    l.paragraphs.last().map(String::as_str),
                    Some(closing),
                    "{what}: ends with the closing formula\n{text}"
                );
                assert_eq!(
                    text.matches("特此").count(),
                    1,
                    "{what}: one closing formula\n{text}"
                );
                // The applicant is addressed by kind; the consulted party never sees who asked.
                if l.kind != LetterKind::Consultation {
                    let you = address_form(kind);
                    let other = if you == "您" { "贵单位" } else { "您" };
                    assert!(
                        !text.contains(other),
                        "{what}: addressed as {other}\n{text}"
                    );
                }
                // Stored HTML round-trips without change.
                assert_eq!(paragraphs_from_html(&to_html(&l)), l.paragraphs, "{what}");
                // Print view: the closing formula is the last paragraph of the body.
                let doc = LetterDocument::new(
                    &l.title,
                    &l.paragraphs,
                    "清远市清城区源潭镇人民政府",
                    d(2026, 12, 7),
                    &office(),
                )
                .with_doc_number(Some("源潭府信公〔2026〕第7号"));
                let html = doc.html_fragment();
                let body = html
                    .split("<div class=\"letter-body\">")
                    .nth(1)
                    .and_then(|b| b.split("</div>").next())
                    .expect("letter body");
                assert!(
                    body.trim_end()
                        .ends_with(&format!("<p class=\"letter-closing\">{closing}</p>")),
                    "{what}: {body}"
                );
                // DOCX: after the closing formula only the signature, date and contact line.
                let bytes = doc.docx().expect("docx");
                let texts = docx_paragraphs(&bytes);
                let at = texts
                    .iter()
                    .position(|t| t == closing)
                    .unwrap_or_else(|| panic!("{what}: closing missing in DOCX"));
                let after: Vec<&String> =
                    texts[at + 1..].iter().filter(|t| !t.is_empty()).collect();
                assert_eq!(after.len(), 3, "{what}: {after:?}");
                assert_eq!(after[0], "清远市清城区源潭镇人民政府");
                assert_eq!(after[1], "2026年12月7日");
                assert!(after[2].starts_with("联系机构："), "{what}: {after:?}");
                checked += 1;
            }
        }
    }
    // 6 applicant kinds × 4 descriptions × (receipt, correction, extension, 2 consultations, 2 fee notices, one reply per outcome, 3 more replies, the quoted fee notice).
    assert_eq!(checked, 6 * 4 * (11 + Outcome::ALL.len()));
}

#[test]
fn the_checker_itself_catches_the_old_leftovers() {
    assert!(!leftovers("申请公开的内容为：“招标文件。”。").is_empty());
    assert!(!leftovers("请您（单位）于2026年12月21日前补正。").is_empty());
    assert!(!leftovers("本机关决定不予公开。。").is_empty());
    assert!(!leftovers("第1—10页，不收费；。").is_empty());
    assert!(leftovers("申请公开的内容为：“招标文件”。").is_empty());
}

#[test]
fn organisations_are_addressed_as_such() {
    let kind = ApplicantKind::ALL[1];
    let l = draft(LetterKind::Receipt, &ctx(kind, DESCRIPTIONS[0], None)).expect("receipt");
    let text = l.paragraphs.join("\n");
    assert!(
        text.contains("贵单位于2026年11月30日提交的政府信息公开申请"),
        "{text}"
    );
    assert!(
        text.contains(
            "申请公开的内容为：“2025年度源潭镇农村道路提升改造工程的招标文件及中标结果”。"
        ),
        "{text}"
    );
    let l = draft(
        LetterKind::Receipt,
        &ctx(ApplicantKind::NaturalPerson, DESCRIPTIONS[1], None),
    )
    .expect("receipt");
    let text = l.paragraphs.join("\n");
    assert!(text.contains("您于2026年11月30日提交的"), "{text}");
    assert!(
        text.contains("“源潭镇2025年低保名单是否已经公示？”。")
            || text.contains("“源潭镇2025年低保名单是否已经公示”。"),
        "{text}"
    );
}

fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut out = Vec::new();
    for p in xml.split("</w:p>") {
        let mut text = String::new();
        let mut rest = p;
        while let Some(i) = rest.find("<w:t") {
            rest = &rest[i..];
            let Some(open_end) = rest.find('>') else {
                break;
            };
            if rest[..open_end].ends_with('/') {
                rest = &rest[open_end + 1..];
                continue;
            }
            let after = &rest[open_end + 1..];
            let Some(close) = after.find("</w:t>") else {
                break;
            };
            // "<w:tab", "<w:tbl…" are not text runs.
            let tag = &rest[..open_end];
            if tag == "<w:t" || tag.starts_with("<w:t ") {
                text.push_str(&after[..close]);
            }
            rest = &after[close..];
        }
        out.push(
            text.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">"),
        );
    }
    out
}
