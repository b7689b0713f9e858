//! Drafting every kind from realistic contexts, HTML round trips, and DOCX validity.

use std::io::{Cursor, Read};

use chrono::NaiveDate;
use gongkai_domain::application::{
    ApplicantKind, Approver, ConsultParty, DeliveryMethod, Outcome, Step,
};
use gongkai_domain::fees::{FeeBasis, FeeMethod, FeeSchedule};
use gongkai_domain::model::DisclosureOffice;
use gongkai_letters::{
    draft, draft_fee_notice_with_quote, paragraphs_from_html, to_docx, to_html, to_html_fragment,
    LetterContext, LetterDraft, LetterError, LetterKind,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn office() -> DisclosureOffice {
    DisclosureOffice {
        name: "元潭镇人民政府党政综合办公室".into(),
        address: "元潭镇人民路1号".into(),
        hours: "工作日 8:30—12:00，14:30—17:30".into(),
        phone: "0571-88001234".into(),
        fax: "0571-88001235".into(),
        email: "gk@yuantan.gov.cn".into(),
        website: "https://yuantan.gov.cn".into(),
    }
}

fn ctx(step: Option<Step>) -> LetterContext {
    LetterContext {
        org_name: "元潭镇人民政府".into(),
        office: office(),
        tracking_code: "YT2024-0117-0003".into(),
        applicant_name: "张三".into(),
        applicant_kind: ApplicantKind::NaturalPerson,
        description: "2023年度元潭镇农村道路提升改造工程的招标文件及中标结果".into(),
        submitted_on: d(2024, 1, 15),
        received: d(2024, 1, 16),
        reply_due: Some(d(2024, 2, 20)),
        issue_date: d(2024, 1, 17),
        step,
        extra: None,
    }
}

fn reply_step(outcome: Outcome, basis: &str) -> Step {
    Step::Reply {
        date: d(2024, 2, 5),
        outcome,
        basis: basis.into(),
        remedies_stated: true,
        override_reason: None,
    }
}

/// A realistic context for each kind.
fn realistic(kind: LetterKind) -> LetterContext {
    let step = match kind {
        LetterKind::Receipt => None,
        LetterKind::Correction => Some(Step::RequestCorrection {
            date: d(2024, 1, 17),
            defects: vec!["请写明所需招标文件的项目名称或者标段编号".into()],
            deadline: d(2024, 2, 2),
        }),
        LetterKind::Extension => Some(Step::Extend {
            date: d(2024, 2, 8),
            working_days: 20,
            approver: Approver {
                user_id: 3,
                is_office_head: true,
            },
            applicant_notified: true,
        }),
        LetterKind::Consultation => Some(Step::Consult {
            date: d(2024, 1, 22),
            party: ConsultParty::ThirdParty,
            addressee: "杭州某某建设工程有限公司".into(),
        }),
        LetterKind::FeeNotice => Some(Step::IssueFeeNotice {
            date: d(2024, 1, 25),
            method: FeeMethod::PerPage,
            amount_fen: 470_000,
            notice_received: d(2024, 1, 26),
        }),
        LetterKind::Reply => Some(Step::Reply {
            date: d(2024, 2, 5),
            outcome: Outcome::PartlyDisclosed,
            basis: "《中华人民共和国政府信息公开条例》第三十七条".into(),
            remedies_stated: true,
            override_reason: None,
        }),
    };
    let mut c = ctx(step);
    if let Some(s) = &c.step {
        c.issue_date = s.date();
    }
    if kind == LetterKind::Extension {
        c.reply_due = Some(d(2024, 3, 19));
    }
    if kind == LetterKind::Reply {
        c.extra = Some("中标人的投标报价明细涉及商业秘密，依照第十五条不予公开。".into());
    }
    c
}

#[test]
fn every_kind_drafts_from_a_realistic_context() {
    for kind in LetterKind::ALL {
        let c = realistic(kind);
        let l = draft(kind, &c).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(l.kind, kind);
        assert!(!l.title.is_empty());
        assert!(l.paragraphs.len() >= 3, "{kind:?}");
        assert!(l
            .paragraphs
            .iter()
            .all(|p| !p.trim().is_empty() && !p.contains('\n')));
        let t = all_text(&l);
        assert!(t.contains(&c.description), "{kind:?} quotes the request");
        assert!(
            t.contains('第') && t.contains('条'),
            "{kind:?} cites an article"
        );
        // Nothing in English leaks into the letter text.
        assert!(
            !t.chars()
                .any(|ch| ch.is_ascii_alphabetic() && !c.tracking_code.contains(ch)),
            "{kind:?}: {t}"
        );
        let bytes = to_docx(
            &l.title,
            &l.paragraphs,
            &c.org_name,
            c.issue_date,
            &c.office,
        )
        .expect("docx");
        assert!(bytes.len() > 1000);
    }
}

fn all_text(l: &LetterDraft) -> String {
    l.paragraphs.join("\n")
}

#[test]
fn receipt_names_dates_and_tracking_code() {
    let l = draft(LetterKind::Receipt, &ctx(None)).expect("receipt");
    assert_eq!(l.kind, LetterKind::Receipt);
    assert!(l.title.contains("登记回执"));
    let t = all_text(&l);
    assert_eq!(l.paragraphs[0], "张三：");
    assert!(t.contains("2024年1月16日"), "{t}");
    assert!(t.contains("2024年1月15日"), "{t}");
    assert!(t.contains("2024年2月20日"), "{t}");
    assert!(t.contains("20个工作日"));
    assert!(t.contains("YT2024-0117-0003"));
    assert!(t.contains("第三十一条") && t.contains("第三十三条"));

    let mut c = ctx(None);
    c.reply_due = None;
    assert!(matches!(
        draft(LetterKind::Receipt, &c),
        Err(LetterError::Missing { .. })
    ));
}

#[test]
fn correction_lists_every_defect() {
    let step = Step::RequestCorrection {
        date: d(2024, 1, 17),
        defects: vec![
            "请写明所需信息的名称、文号或者其他便于查询的特征性描述".into(),
            "请提供申请人身份证明的复印件".into(),
            "请写明获取信息的方式".into(),
        ],
        deadline: d(2024, 2, 2),
    };
    let l = draft(LetterKind::Correction, &ctx(Some(step))).expect("correction");
    let t = all_text(&l);
    assert!(l
        .paragraphs
        .iter()
        .any(|p| p.starts_with("1. 请写明所需信息")));
    assert!(l.paragraphs.iter().any(|p| p.starts_with("2. 请提供")));
    assert!(l.paragraphs.iter().any(|p| p.starts_with("3. 请写明获取")));
    assert!(t.contains("2024年2月2日"));
    assert!(t.contains("重新计算"));
    assert!(t.contains("视为放弃申请"));
    assert!(t.contains("第三十条"));
    assert!(t.contains("一次性告知"));

    let empty = Step::RequestCorrection {
        date: d(2024, 1, 17),
        defects: vec!["  ".into()],
        deadline: d(2024, 2, 2),
    };
    let err = draft(LetterKind::Correction, &ctx(Some(empty))).expect_err("no defects");
    assert!(err.to_string().contains("补正"), "{err}");
    let err = draft(LetterKind::Correction, &ctx(None)).expect_err("no step");
    assert!(matches!(err, LetterError::Missing { .. }));
    let err = draft(
        LetterKind::Correction,
        &ctx(Some(reply_step(Outcome::Disclosed, ""))),
    )
    .expect_err("wrong step");
    assert!(matches!(err, LetterError::WrongStep { .. }), "{err}");
    assert!(err.to_string().contains("答复"));
}

#[test]
fn extension_states_new_due_date_and_approval() {
    let step = Step::Extend {
        date: d(2024, 2, 8),
        working_days: 15,
        approver: Approver {
            user_id: 7,
            is_office_head: true,
        },
        applicant_notified: true,
    };
    let mut c = ctx(Some(step.clone()));
    c.issue_date = d(2024, 2, 8);
    c.reply_due = Some(d(2024, 3, 12));
    let l = draft(LetterKind::Extension, &c).expect("extension");
    let t = all_text(&l);
    assert!(t.contains("2024年3月12日"));
    assert!(t.contains("延长15个工作日"));
    assert!(t.contains("负责人同意"));
    assert!(t.contains("最长不超过20个工作日"));
    assert!(t.contains("第三十三条"));

    let mut not_head = c.clone();
    not_head.step = Some(Step::Extend {
        date: d(2024, 2, 8),
        working_days: 15,
        approver: Approver {
            user_id: 8,
            is_office_head: false,
        },
        applicant_notified: true,
    });
    assert!(draft(LetterKind::Extension, &not_head).is_err());
    let mut too_long = c.clone();
    too_long.step = Some(Step::Extend {
        date: d(2024, 2, 8),
        working_days: 21,
        approver: Approver {
            user_id: 7,
            is_office_head: true,
        },
        applicant_notified: true,
    });
    assert!(draft(LetterKind::Extension, &too_long).is_err());
    let mut no_due = c;
    no_due.reply_due = None;
    assert!(draft(LetterKind::Extension, &no_due).is_err());
}

#[test]
fn consultation_third_party_and_agency() {
    let third = Step::Consult {
        date: d(2024, 1, 22),
        party: ConsultParty::ThirdParty,
        addressee: "杭州某某建设工程有限公司".into(),
    };
    let l = draft(LetterKind::Consultation, &ctx(Some(third))).expect("third party");
    let t = all_text(&l);
    assert_eq!(l.paragraphs[0], "杭州某某建设工程有限公司：");
    assert!(t.contains("15个工作日"));
    assert!(t.contains("书面"));
    assert!(t.contains("第三十二条"));
    assert!(t.contains("由本机关依照"), "silence: the agency decides");
    assert!(
        !t.contains("张三"),
        "the applicant is not named to the third party"
    );
    assert!(!t.contains("YT2024-0117-0003"));

    let agency = Step::Consult {
        date: d(2024, 1, 22),
        party: ConsultParty::OtherAgency,
        addressee: "某某县交通运输局".into(),
    };
    let l = draft(LetterKind::Consultation, &ctx(Some(agency))).expect("agency");
    let t = all_text(&l);
    assert!(t.contains("第三十四条"));
    assert!(t.contains("视为同意公开"));
    assert!(t.contains("15个工作日"));

    let blank = Step::Consult {
        date: d(2024, 1, 22),
        party: ConsultParty::OtherAgency,
        addressee: " ".into(),
    };
    assert!(draft(LetterKind::Consultation, &ctx(Some(blank))).is_err());
}

#[test]
fn fee_notice_amount_tiers_deadline_and_no_separate_review() {
    let step = Step::IssueFeeNotice {
        date: d(2024, 1, 25),
        method: FeeMethod::PerPiece,
        amount_fen: 120_000,
        notice_received: d(2024, 1, 26),
    };
    let mut c = ctx(Some(step));
    c.issue_date = d(2024, 1, 25);
    c.extra = Some("缴费方式：通过本机关提供的非税收入缴款码缴纳。".into());
    let l = draft(LetterKind::FeeNotice, &c).expect("fee notice");
    let t = all_text(&l);
    assert!(t.contains("1,200.00元"), "{t}");
    assert!(t.contains("按件计收"));
    assert!(t.contains("第11—30件的部分每件100.00元"), "{t}");
    assert!(t.contains("次日起20个工作日内"));
    assert!(t.contains("视为放弃申请"));
    assert!(t.contains("不单独作为申请行政复议或者提起行政诉讼"));
    assert!(t.contains("国办函〔2020〕109号"));
    assert!(t.contains("非税收入缴款码"));

    // With the quote: the bands actually applied.
    let quote = FeeSchedule::default()
        .quote(FeeBasis::PerPage { count: 250 })
        .expect("quote");
    let mut c2 = c.clone();
    c2.step = Some(Step::IssueFeeNotice {
        date: d(2024, 1, 25),
        method: FeeMethod::PerPage,
        amount_fen: quote.total_fen,
        notice_received: d(2024, 1, 26),
    });
    let l = draft_fee_notice_with_quote(&c2, &quote).expect("with quote");
    let t = all_text(&l);
    assert!(t.contains("4,700.00元"), "{t}");
    assert!(
        t.contains("第31—100页：70页 × 10.00元/页 = 700.00元"),
        "{t}"
    );
    assert!(
        t.contains("第201—250页：50页 × 40.00元/页 = 2,000.00元"),
        "{t}"
    );
    // A quote that does not match the step is refused.
    let other = FeeSchedule::default()
        .quote(FeeBasis::PerPage { count: 40 })
        .expect("quote");
    assert!(draft_fee_notice_with_quote(&c2, &other).is_err());

    let mut free = c;
    free.step = Some(Step::IssueFeeNotice {
        date: d(2024, 1, 25),
        method: FeeMethod::PerPage,
        amount_fen: 0,
        notice_received: d(2024, 1, 26),
    });
    let err = draft(LetterKind::FeeNotice, &free).expect_err("free");
    assert!(err.to_string().contains("免费额度"), "{err}");
}

/// A basis for the two outcomes without a default article.
fn basis_for(o: Outcome) -> &'static str {
    match o.default_basis() {
        Some(_) => "",
        None => "《中华人民共和国政府信息公开条例》第二条、第三十六条第（三）项",
    }
}

#[test]
fn reply_for_every_outcome_cites_an_article_and_the_remedies() {
    let mut seen = std::collections::BTreeSet::new();
    for o in Outcome::ALL {
        let mut c = ctx(Some(reply_step(o, basis_for(o))));
        c.issue_date = d(2024, 2, 5);
        c.extra = Some("附言：具体说明见所附材料。".into());
        let l = draft(LetterKind::Reply, &c).unwrap_or_else(|e| panic!("{o:?}: {e}"));
        let t = all_text(&l);
        assert!(l.title.contains("答复告知书"));
        assert!(
            t.contains('第') && t.contains('条'),
            "{o:?} cites no article: {t}"
        );
        if let Some(b) = o.default_basis() {
            assert!(t.contains(b), "{o:?} must cite {b}");
        }
        assert!(t.contains("60日"), "{o:?}");
        assert!(t.contains("6个月"), "{o:?}");
        assert!(t.contains("行政复议") && t.contains("行政诉讼"));
        assert!(t.contains("第五十一条") && t.contains("上一级行政机关"));
        assert!(t.contains("政府信息公开工作主管部门"));
        // The outcome-specific text differs between outcomes.
        let specific = l.paragraphs[2].clone();
        assert!(
            seen.insert(specific),
            "{o:?} repeats another outcome's text"
        );
    }
}

#[test]
fn reply_specifics() {
    let mut c = ctx(Some(reply_step(Outcome::WithheldStateSecret, "")));
    c.issue_date = d(2024, 2, 5);
    let t = all_text(&draft(LetterKind::Reply, &c).expect("secret"));
    assert!(t.contains("国家秘密") && t.contains("第十四条") && t.contains("不予公开"));

    // A basis given on the step wins over the default.
    c.step = Some(reply_step(
        Outcome::UnavailableNotHeld,
        "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
    ));
    let t = all_text(&draft(LetterKind::Reply, &c).expect("not held"));
    assert!(t.contains("第三十六条第（四）项的规定"));
    assert!(!t.contains("第（五）项"));

    // Disclosure over a third party's objection states the public-interest reason.
    c.step = Some(Step::Reply {
        date: d(2024, 2, 5),
        outcome: Outcome::Disclosed,
        basis: String::new(),
        remedies_stated: true,
        override_reason: Some("该工程涉及公共资金使用，公开有利于社会监督".into()),
    });
    c.extra = Some("请于2024年2月20日前到元潭镇便民服务中心3号窗口领取纸质材料。".into());
    let t = all_text(&draft(LetterKind::Reply, &c).expect("disclosed"));
    assert!(t.contains("公共利益") && t.contains("社会监督"));
    assert!(t.contains("3号窗口"));

    // Lapsed steps draft the matching 其他处理 letter.
    c.step = Some(Step::CorrectionLapsed {
        date: d(2024, 2, 5),
    });
    let t = all_text(&draft(LetterKind::Reply, &c).expect("lapsed"));
    assert!(t.contains("逾期未补正") && t.contains("第三十条"));
    c.step = Some(Step::FeeLapsed {
        date: d(2024, 2, 5),
    });
    let t = all_text(&draft(LetterKind::Reply, &c).expect("fee lapsed"));
    assert!(t.contains("逾期未按通知要求缴纳费用") && t.contains("第四十二条"));
}

#[test]
fn missing_data_is_an_error() {
    // Reply without a step, or with a step of another kind.
    let err = draft(LetterKind::Reply, &ctx(None)).expect_err("no step");
    assert!(err.to_string().contains("答复"), "{err}");
    let deliver = Step::Deliver {
        date: d(2024, 2, 6),
        method: DeliveryMethod::Post,
        proof: "EMS1234".into(),
    };
    assert!(matches!(
        draft(LetterKind::Reply, &ctx(Some(deliver))),
        Err(LetterError::WrongStep { .. })
    ));
    // No basis and no default basis.
    let err = draft(
        LetterKind::Reply,
        &ctx(Some(reply_step(Outcome::NotProcessedConfirmation, " "))),
    )
    .expect_err("no basis");
    assert!(err.to_string().contains("法律条款"), "{err}");
    // 部分公开 needs the reasons for the withheld part; 其他处理 needs an explanation.
    assert!(draft(
        LetterKind::Reply,
        &ctx(Some(reply_step(Outcome::PartlyDisclosed, "")))
    )
    .is_err());
    let other = reply_step(
        Outcome::OtherOther,
        "《中华人民共和国政府信息公开条例》第三十六条",
    );
    assert!(draft(LetterKind::Reply, &ctx(Some(other))).is_err());
    // Context fields.
    let mut c = ctx(None);
    c.applicant_name = "  ".into();
    assert!(draft(LetterKind::Receipt, &c).is_err());
    let mut c = ctx(None);
    c.org_name.clear();
    assert!(draft(LetterKind::Receipt, &c).is_err());
    let mut c = ctx(None);
    c.received = d(2024, 1, 10);
    let err = draft(LetterKind::Receipt, &c).expect_err("impossible dates");
    assert!(err.to_string().contains("不能早于"), "{err}");
    let mut c = ctx(None);
    c.issue_date = d(2024, 1, 1);
    assert!(draft(LetterKind::Receipt, &c).is_err());
}

fn hostile_draft() -> LetterDraft {
    let mut c = ctx(None);
    c.applicant_name = "<script>alert('x')</script>".into();
    c.description = "A&B \"公司\" <b>合同</b>".into();
    draft(LetterKind::Receipt, &c).expect("receipt")
}

#[test]
fn html_escapes_script() {
    let l = hostile_draft();
    let html = to_html(&l);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("A&amp;B &quot;公司&quot;"));
    let frag = to_html_fragment(
        "<script>标题</script>",
        &l.paragraphs,
        "元潭镇<script>",
        d(2024, 1, 17),
        &office(),
    );
    assert!(!frag.contains("<script>"), "{frag}");
    assert!(!frag.contains("style="), "no inline style");
    assert!(!frag.contains("<style"), "no style element");
}

#[test]
fn paragraphs_round_trip_through_html() {
    let l = hostile_draft();
    assert_eq!(paragraphs_from_html(&to_html(&l)), l.paragraphs);
    for kind in LetterKind::ALL {
        let l = draft(kind, &realistic(kind)).expect("draft");
        assert_eq!(paragraphs_from_html(&to_html(&l)), l.paragraphs, "{kind:?}");
    }
    let step = Step::RequestCorrection {
        date: d(2024, 1, 17),
        defects: vec!["请说明 <所需> 信息 & 文号".into(), "第二项".into()],
        deadline: d(2024, 2, 2),
    };
    let l = draft(LetterKind::Correction, &ctx(Some(step))).expect("correction");
    assert_eq!(paragraphs_from_html(&to_html(&l)), l.paragraphs);
    for o in Outcome::ALL {
        let mut c = ctx(Some(reply_step(o, basis_for(o))));
        c.issue_date = d(2024, 2, 5);
        c.extra = Some("附言一\n附言二 'quoted' & <tag>".into());
        let l = draft(LetterKind::Reply, &c).expect("reply");
        assert_eq!(paragraphs_from_html(&to_html(&l)), l.paragraphs, "{o:?}");
    }
}

#[test]
fn fragment_structure() {
    let l = draft(LetterKind::Receipt, &ctx(None)).expect("receipt");
    let f = to_html_fragment(
        &l.title,
        &l.paragraphs,
        "元潭镇人民政府",
        d(2024, 1, 17),
        &office(),
    );
    assert!(f.starts_with("<article class=\"letter\">"));
    assert!(f.trim_end().ends_with("</article>"));
    assert!(f.contains("<h1 class=\"letter-title\">政府信息公开申请登记回执</h1>"));
    assert!(f.contains("<p class=\"letter-salutation\">张三：</p>"));
    assert!(f.contains(
        "<p class=\"letter-sign-date\"><time datetime=\"2024-01-17\">2024年1月17日</time></p>"
    ));
    assert!(f.contains("class=\"letter-contact\""));
    assert!(f.contains("0571-88001234"));
    assert_eq!(
        f.matches(">元潭镇人民政府<").count(),
        2,
        "letterhead and signature"
    );
}

fn unzip(bytes: &[u8]) -> zip::ZipArchive<Cursor<&[u8]>> {
    zip::ZipArchive::new(Cursor::new(bytes)).expect("docx is a zip")
}

fn entry(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> String {
    let mut f = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8 xml");
    s
}

/// Parse with quick-xml; return the concatenated text of each `w:p`.
fn xml_paragraph_texts(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_text = false;
    loop {
        match reader.read_event().expect("well-formed xml") {
            Event::Start(e) if e.name().as_ref() == b"w:p" => current = Some(String::new()),
            Event::End(e) if e.name().as_ref() == b"w:p" => {
                if let Some(p) = current.take() {
                    out.push(p);
                }
            }
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::Text(t) if in_text => {
                let s = t.decode().expect("text").into_owned();
                let s = quick_xml::escape::unescape(&s)
                    .expect("unescape")
                    .into_owned();
                if let Some(p) = current.as_mut() {
                    p.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().expect("ref").into_owned();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                if let Some(p) = current.as_mut() {
                    p.push_str(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed xml: {e}"),
        }
    }
}

#[test]
fn docx_is_valid_ooxml_with_every_paragraph() {
    let mut letters = vec![hostile_draft()];
    for o in [Outcome::PartlyDisclosed, Outcome::WithheldThirdPartyRights] {
        let mut c = ctx(Some(reply_step(o, "")));
        c.issue_date = d(2024, 2, 5);
        c.extra = Some("第3页第2段涉及个人隐私，已作遮盖处理。".into());
        letters.push(draft(LetterKind::Reply, &c).expect("reply"));
    }
    for l in letters {
        let bytes = to_docx(
            &l.title,
            &l.paragraphs,
            "元潭镇人民政府",
            d(2024, 1, 17),
            &office(),
        )
        .expect("docx");
        assert!(bytes.starts_with(b"PK"));
        let mut zip = unzip(&bytes);
        let types = entry(&mut zip, "[Content_Types].xml");
        assert_well_formed(&types);
        assert!(types.contains("wordprocessingml.document.main+xml"));
        let doc = entry(&mut zip, "word/document.xml");
        assert_well_formed(&doc);
        let texts = xml_paragraph_texts(&doc);
        assert!(texts.iter().any(|t| t == &l.title), "title in document.xml");
        for p in &l.paragraphs {
            assert!(texts.iter().any(|t| t == p), "paragraph missing: {p}");
        }
        assert!(texts.iter().any(|t| t == "2024年1月17日"));
        assert_eq!(texts.iter().filter(|t| *t == "元潭镇人民政府").count(), 2);
        // A4, SimSun hints, centred title, right-aligned signature, 2-char indent.
        assert!(
            doc.contains("w:w=\"11906\"") && doc.contains("w:h=\"16838\""),
            "A4"
        );
        // GB/T 9704 typefaces, the 22-line grid and page-number footers.
        assert!(doc.contains("仿宋_GB2312") && doc.contains("方正小标宋简体"));
        assert!(doc.contains("w:linePitch=\"579\""), "22-line grid");
        assert!(doc.contains("w:footerReference") && doc.contains("w:type=\"even\""));
        let footer = entry(&mut zip, "word/footer1.xml");
        assert!(
            footer.contains(">PAGE<") && footer.contains("— ") && footer.contains(" —"),
            "{footer}"
        );
        assert!(entry(&mut zip, "word/settings.xml").contains("evenAndOddHeaders"));
        assert!(doc.contains("w:val=\"center\""));
        assert!(doc.contains("w:val=\"right\""));
        assert!(doc.contains("w:firstLine=\"640\""), "2-char indent at 16pt");
        let styles = entry(&mut zip, "word/styles.xml");
        assert_well_formed(&styles);
    }
}

#[test]
fn docx_strips_control_characters() {
    let paragraphs = vec!["甲\u{1}乙".to_string(), "多行\n第二行".to_string()];
    let bytes = to_docx(
        "标题\u{0}",
        &paragraphs,
        "机关",
        d(2024, 1, 17),
        &DisclosureOffice::default(),
    )
    .expect("docx");
    let mut zip = unzip(&bytes);
    let doc = entry(&mut zip, "word/document.xml");
    assert_well_formed(&doc);
    let texts = xml_paragraph_texts(&doc);
    assert!(texts.iter().any(|t| t == "甲乙"));
    assert!(texts.iter().any(|t| t == "多行第二行"));
}

/// A tool on PATH, or `None` with a clear "NOT RUN" (a failure under `CI=true`).
fn tool(names: &[&str], why: &str) -> Option<String> {
    let found = names.iter().find(|b| {
        std::process::Command::new(b)
            .arg(if **b == "pdftotext" {
                "-v"
            } else {
                "--version"
            })
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    });
    match found {
        Some(b) => Some(b.to_string()),
        None => {
            let msg = format!("NOT RUN: {} is not installed ({why})", names.join("/"));
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{msg}; CI=true requires it"
            );
            eprintln!("{msg}");
            None
        }
    }
}

#[test]
fn docx_converts_to_pdf_with_page_numbers_when_libreoffice_is_available() {
    let why = "converting the letter DOCX to PDF to check the page numbers";
    let (Some(soffice), Some(pdftotext)) = (
        tool(&["soffice", "libreoffice"], why),
        tool(&["pdftotext"], why),
    ) else {
        return;
    };
    // A long reply (three pages) with a 文书编号.
    let mut c = ctx(Some(reply_step(Outcome::PartlyDisclosed, "")));
    c.issue_date = d(2024, 2, 5);
    c.extra = Some(
        (1..=30)
            .map(|i| format!("第{i}页涉及第三方的个人信息（姓名、身份证件号码、联系电话），已作遮盖处理，其余内容予以公开。"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let l = draft(LetterKind::Reply, &c).expect("reply");
    let bytes = gongkai_letters::LetterDocument::new(
        &l.title,
        &l.paragraphs,
        "元潭镇人民政府",
        d(2024, 2, 5),
        &office(),
    )
    .with_doc_number(Some("元潭府信公〔2024〕第3号"))
    .docx()
    .expect("docx");
    let dir = std::env::temp_dir().join(format!("gongkai-letters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let input = dir.join("letter.docx");
    std::fs::write(&input, bytes).expect("write docx");
    let status = std::process::Command::new(&soffice)
        .args([
            "--headless",
            "--norestore",
            &format!("-env:UserInstallation=file://{}/profile", dir.display()),
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&input)
        .output()
        .expect("run libreoffice");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pdf = dir.join("letter.pdf");
    assert!(std::fs::read(&pdf)
        .expect("pdf written")
        .starts_with(b"%PDF"));
    let out = std::process::Command::new(&pdftotext)
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(
        pages.len() >= 2,
        "a long letter spans pages: {}",
        pages.len()
    );
    for (i, page) in pages.iter().enumerate() {
        // pdftotext may drop the thin spaces around the number.
        let number = format!("—{}—", i + 1);
        let last = page
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        assert!(
            last.replace(' ', "").contains(&number),
            "page {} ends with {number}: {last:?}",
            i + 1
        );
        // Odd pages right, even pages left.
        let indent = last.len() - last.trim_start().len();
        if i % 2 == 0 {
            assert!(indent > 20, "odd page number on the right: {last:?}");
        } else {
            assert!(indent < 10, "even page number on the left: {last:?}");
        }
    }
    // pdftotext puts spaces between Chinese and digits.
    assert!(pages[0]
        .replace(' ', "")
        .contains("元潭府信公〔2024〕第3号"));
    assert!(text.replace(' ', "").contains("2024年2月5日"));
    let _ = std::fs::remove_dir_all(&dir);
}
