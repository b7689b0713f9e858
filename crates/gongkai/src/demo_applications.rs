//! Demo applications for disclosure (依申请公开) for 源潭镇 and 清城区民政局,
//! received 2024–2026 (none in 2023, as the seed report says), covering every
//! state of the lifecycle, a spread of outcomes and applicant kinds, fees,
//! a consultation, an extension, a case crossing the 2025 year end, cases
//! still open in November 2026, reply letters and the reconsideration and
//! litigation register.
//!
//! Every step is applied to the domain model first (`Application::apply`), so
//! the demo never records an unlawful history; dates that depend on the
//! working-day calendar are computed from it, never typed.
//!
//! Applicants are fictional: natural persons are called 申请人甲, 申请人乙 …;
//! organisations carry invented names such as 清远某某律师事务所. Identity
//! numbers and credit codes are synthesised with correct check characters.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use gongkai_domain::application::{
    Application, ApplicantKind, Approver, Channel, ClockConfig, ConsultParty, ConsultationAnswer, DeliveryMethod, OrgType, Outcome, Step,
};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::fees::{FeeBasis, FeeMethod, FeeSchedule};
use gongkai_domain::id_check::{id_card_check_char, validate_id_document, IdDocumentKind};
use gongkai_domain::model::Organisation;
use gongkai_domain::validate::{org_code_check_char, uscc_check_char};
use gongkai_letters::{LetterContext, LetterKind};
use gongkai_store::{AppealKind, AppealResult, NewAppeal, NewApplication, Store};
use rand::Rng;

use crate::demo::DemoError;

/// Date at a given hour in China Standard Time, as UTC.
fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let naive = date.and_hms_opt(hour, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&(naive - chrono::Duration::hours(8)))
}

fn day(s: &str) -> Result<NaiveDate, DemoError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DemoError::Data { what: "演示申请日期".into(), detail: format!("“{s}”：{e}") })
}

/// SHA-256 as lower-case hex, the form in which the web crate stores the
/// tracking secret (its helper is private to that crate).
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
        0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

/// A 查询码 such as `2026-7KQ3M9PX` and an 8-character secret (same alphabet
/// and shape as the online form's).
fn new_tracking_code(year: i32) -> (String, String) {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    let mut pick = |n: usize| (0..n).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>();
    (format!("{year}-{}", pick(8)), pick(8))
}

/// An identity document to synthesise.
enum Doc {
    /// 居民身份证: region 441802, birth date `YYYYMMDD`, 3-digit serial.
    IdCard { birth: &'static str, serial: &'static str },
    /// 统一社会信用代码: 2-character registration/category prefix, 6-digit
    /// region, 8-character organisation-code body (both check characters computed).
    Uscc { prefix: &'static str, region: &'static str, body: &'static str },
}

impl Doc {
    fn kind(&self) -> IdDocumentKind {
        match self {
            Doc::IdCard { .. } => IdDocumentKind::IdCard,
            Doc::Uscc { .. } => IdDocumentKind::Uscc,
        }
    }

    fn number(&self) -> Result<String, DemoError> {
        let bad = |detail: String| DemoError::Data { what: "演示申请人证件号码".into(), detail };
        match self {
            Doc::IdCard { birth, serial } => {
                let first17 = format!("441802{birth}{serial}");
                let check = id_card_check_char(&first17).ok_or_else(|| bad(format!("“{first17}”不是17位数字")))?;
                Ok(format!("{first17}{check}"))
            }
            Doc::Uscc { prefix, region, body } => {
                let org_check = org_code_check_char(body).ok_or_else(|| bad(format!("组织机构代码本体“{body}”无效")))?;
                let first17 = format!("{prefix}{region}{body}{org_check}");
                let check = uscc_check_char(&first17).ok_or_else(|| bad(format!("“{first17}”含无效字符")))?;
                Ok(format!("{first17}{check}"))
            }
        }
    }
}

struct Who {
    kind: ApplicantKind,
    name: &'static str,
    doc: Doc,
    phone: &'static str,
    email: &'static str,
    /// Used only when delivery is by post.
    address: &'static str,
}

fn person(name: &'static str, birth: &'static str, serial: &'static str, phone: &'static str, email: &'static str) -> Who {
    Who { kind: ApplicantKind::NaturalPerson, name, doc: Doc::IdCard { birth, serial }, phone, email, address: "清远市清城区源潭镇某某村（演示地址）" }
}

#[allow(clippy::too_many_arguments)]
fn entity(kind: OrgType, name: &'static str, prefix: &'static str, region: &'static str, body: &'static str, phone: &'static str, email: &'static str, address: &'static str) -> Who {
    Who { kind: ApplicantKind::Organisation(kind), name, doc: Doc::Uscc { prefix, region, body }, phone, email, address }
}

/// One step with who took it and a note.
struct Planned {
    step: Step,
    actor: i64,
    note: &'static str,
}

fn planned(step: Step, actor: i64) -> Planned {
    Planned { step, actor, note: "" }
}

fn noted(step: Step, actor: i64, note: &'static str) -> Planned {
    Planned { step, actor, note }
}

fn reply(date: NaiveDate, outcome: Outcome) -> Result<Step, DemoError> {
    let basis = outcome
        .default_basis()
        .ok_or_else(|| DemoError::Data { what: "演示答复".into(), detail: format!("“{}”没有默认的法律依据", outcome.label()) })?;
    Ok(Step::Reply { date, outcome, basis: basis.into(), remedies_stated: true, override_reason: None })
}

fn deliver(date: NaiveDate, method: DeliveryMethod, proof: &str) -> Step {
    Step::Deliver { date, method, proof: proof.into() }
}

fn fee_fen(pages: u32) -> Result<i64, DemoError> {
    FeeSchedule::default()
        .quote(FeeBasis::PerPage { count: pages })
        .map(|q| q.total_fen)
        .map_err(|e| DemoError::Data { what: "演示收费".into(), detail: e.to_string() })
}

struct Case {
    who: Who,
    channel: Channel,
    submitted: NaiveDate,
    received: NaiveDate,
    description: &'static str,
    /// Comma-separated form codes (paper, email, electronic, on_site).
    forms: &'static str,
    /// Delivery code (post, collection, email, online).
    delivery: &'static str,
    steps: Vec<Planned>,
    /// Draft and issue an 答复告知书 for the reply step.
    reply_letter: bool,
    /// The letter's 附言 (e.g. the reasons for the withheld parts of a 部分公开).
    letter_extra: Option<&'static str>,
}

/// What a stored demo case is needed for afterwards (appeals).
struct Stored {
    id: i64,
}

async fn store_case(store: &Store, cal: &Calendar, cfg: &ClockConfig, org: &Organisation, staff: i64, case: Case) -> Result<Stored, DemoError> {
    if case.received.year() < 2024 {
        return Err(DemoError::Data { what: case.description.into(), detail: "演示申请不应早于2024年收到".into() });
    }
    let number = case.who.doc.number()?;
    let kind = case.who.doc.kind();
    if let Some(err) = validate_id_document(kind, &number, case.received) {
        return Err(DemoError::Data { what: case.who.name.into(), detail: format!("证件号码“{number}”：{}", err.message) });
    }
    let (tracking_code, secret) = new_tracking_code(case.received.year());
    let online = case.channel == Channel::Online;
    let postal_address = if case.delivery == "post" { case.who.address.to_string() } else { String::new() };
    let created = store
        .create_application(&NewApplication {
            org_id: org.id,
            tracking_code: tracking_code.clone(),
            secret_hash: sha256_hex(secret.as_bytes()),
            applicant: case.who.kind,
            applicant_name: case.who.name.into(),
            id_doc_type: kind.as_str().into(),
            id_doc_number: number,
            phone: case.who.phone.into(),
            email: case.who.email.into(),
            postal_address,
            description: case.description.into(),
            forms: case.forms.into(),
            delivery: case.delivery.into(),
            channel: case.channel,
            submitted_on: case.submitted,
            received: case.received,
            registered_by: (!online).then_some(staff),
            at: at(if online { case.submitted } else { case.received }, 9),
        })
        .await?;

    let mut app = Application::new(case.who.kind, case.channel, case.received);
    let mut seq = 0i64;
    // Steps on the day of receipt (or twice on one day) come an hour later each.
    let mut last = (case.received, 9u32);
    for (index, p) in case.steps.into_iter().enumerate() {
        let date = p.step.date();
        let before = app.clone();
        app.apply(&p.step, cal, cfg).map_err(|source| DemoError::Step {
            case: case.description.into(),
            index: index + 1,
            step: p.step.kind().label(),
            source,
        })?;
        let hour = if date == last.0 { last.1 + 1 } else { 9 };
        last = (date, hour);
        let when = at(date, hour);
        let stored = store.append_application_step(created.id, seq, &p.step, app.state, app.handler_id, Some(p.actor), p.note, when).await?;
        seq = stored.seq;
        if case.reply_letter && matches!(p.step, Step::Reply { .. }) {
            let ctx = LetterContext {
                org_name: org.name.clone(),
                office: org.office.clone(),
                tracking_code: tracking_code.clone(),
                applicant_name: case.who.name.into(),
                applicant_kind: case.who.kind,
                description: case.description.into(),
                submitted_on: case.submitted,
                received: case.received,
                reply_due: before.clock(cal, cfg, date).due,
                issue_date: date,
                step: Some(p.step.clone()),
                extra: case.letter_extra.map(str::to_string),
            };
            let draft = gongkai_letters::draft(LetterKind::Reply, &ctx)?;
            let body = gongkai_letters::to_html(&draft);
            let letter = store.create_letter(created.id, LetterKind::Reply.as_str(), Some(stored.seq), &draft.title, &body, Some(p.actor), when).await?;
            store.issue_letter(letter.id, Some(p.actor), when).await?;
        }
    }
    Ok(Stored { id: created.id })
}

/// Create the demo applications and appeals; returns the number of
/// applications created.
pub async fn load_applications(
    store: &Store,
    yuantan: &Organisation,
    minzheng: &Organisation,
    yt_handler: i64,
    yt_head: i64,
    mz_handler: i64,
) -> Result<usize, DemoError> {
    let cal = Calendar::official();
    let cfg = ClockConfig::default();
    let w = |from: NaiveDate, n: u32| cal.add_working_days(from, n).due;
    let h = yt_handler;
    let accept = |date: NaiveDate| Planned { step: Step::Accept { date, handler_id: yt_handler }, actor: yt_head, note: "" };
    let start = |date: NaiveDate| planned(Step::StartProcessing { date }, yt_handler);
    let close = |date: NaiveDate| planned(Step::Close { date }, yt_handler);
    let mut count = 0usize;

    // ---------------------------------------------------------------- 2024
    // 予以公开, online, with a reply letter.
    let r = day("2024-03-11")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人甲", "19780412", "031", "13800000101", "applicant01@example.com"),
            channel: Channel::Online,
            submitted: day("2024-03-10")?,
            received: r,
            description: "源潭镇2023年度农村人居环境整治项目清单及资金使用情况（项目名称、实施地点、资金金额、施工单位）",
            forms: "email",
            delivery: "email",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                planned(reply(w(r, 12), Outcome::Disclosed)?, h),
                planned(deliver(w(r, 12), DeliveryMethod::Email, "已将答复告知书及所附信息发送至申请人电子邮箱，发送记录已存档"), h),
                close(w(r, 14)),
            ],
            reply_letter: true,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // 不予公开（保护第三方合法权益）after the third party objected; later a 行政复议, upheld.
    let r = day("2024-05-20")?;
    let y2 = store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人乙", "19650923", "112", "13800000102", ""),
            channel: Channel::InPerson,
            submitted: r,
            received: r,
            description: "源潭镇某村2023年农村宅基地审批情况，包括申请人姓名、批准面积、四至范围及审批表",
            forms: "paper",
            delivery: "collection",
            steps: vec![
                accept(r),
                start(w(r, 1)),
                noted(
                    Step::Consult { date: w(r, 3), party: ConsultParty::ThirdParty, addressee: "宅基地审批表所涉农户（第三方）".into() },
                    h,
                    "审批表载有第三方个人信息，书面征求其意见",
                ),
                planned(
                    Step::ConsultationAnswered {
                        date: w(r, 10),
                        answer: ConsultationAnswer::Objected { reasons: "审批表载有本户家庭成员身份证号码、住址等个人信息，不同意公开".into() },
                    },
                    h,
                ),
                noted(reply(w(r, 12), Outcome::WithheldThirdPartyRights)?, h, "第三方不同意公开，且不公开不会对公共利益造成重大影响"),
                planned(deliver(w(r, 13), DeliveryMethod::Collection, "申请人到镇党政综合办公室领取答复告知书，签收单已存档"), h),
                close(w(r, 14)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // 部分公开 for a law firm, registered post, per-page fee 250 pages → 4,700元, paid.
    let r = day("2024-07-03")?;
    let fee = fee_fen(250)?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: entity(OrgType::LegalService, "清远某某律师事务所", "31", "441802", "MD4F2B7K", "0763-0000901", "lawfirm@example.com", "清远市清城区某某路某号（演示地址）"),
            channel: Channel::RegisteredPost,
            submitted: day("2024-07-01")?,
            received: r,
            description: "源潭镇某村2019年至2023年集体土地征收补偿款发放明细表及相关村民代表会议纪要（受当事人委托申请）",
            forms: "paper",
            delivery: "post",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(
                    Step::IssueFeeNotice { date: w(r, 6), method: FeeMethod::PerPage, amount_fen: fee, notice_received: w(r, 8) },
                    h,
                    "所需信息共250页，按件计费不适用，按页计收信息处理费",
                ),
                planned(Step::PayFee { date: w(r, 12), amount_fen: fee, receipt_no: "广东省非税收入票据 No.44180224000123".into() }, h),
                noted(reply(w(r, 20), Outcome::PartlyDisclosed)?, h, "会议纪要和明细表中的身份证号码、银行账号已作区分处理"),
                planned(deliver(w(r, 21), DeliveryMethod::Post, "EMS 1158800000001，签收回执已存档"), h),
                close(w(r, 24)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // 补正 requested, never answered → 其他处理 1.
    let r = day("2024-09-10")?;
    let notice = w(r, 3);
    let deadline = w(notice, 15);
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人丙", "19910305", "224", "13800000103", "applicant03@example.com"),
            channel: Channel::Email,
            submitted: day("2024-09-09")?,
            received: r,
            description: "镇里关于我家那块地的所有文件",
            forms: "email",
            delivery: "email",
            steps: vec![
                accept(w(r, 1)),
                planned(
                    Step::RequestCorrection {
                        date: notice,
                        defects: vec![
                            "所需政府信息指向不明确，请写明土地所在村民小组、地块位置，或相关文件的名称、文号、形成时间".into(),
                            "未提供申请人身份证明，请补充居民身份证复印件或扫描件".into(),
                        ],
                        deadline,
                    },
                    h,
                ),
                noted(Step::CorrectionLapsed { date: w(deadline, 2) }, h, "补正期限届满，申请人未补正"),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // 无法提供（本机关不掌握）; later a 行政诉讼 filed directly, corrected.
    let r = day("2024-11-18")?;
    let y5 = store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人丁", "19720818", "356", "13800000104", "applicant04@example.com"),
            channel: Channel::Online,
            submitted: r,
            received: r,
            description: "源潭镇某工业园区2015年某企业国有建设用地使用权出让合同及出让金缴纳凭证",
            forms: "electronic",
            delivery: "online",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(reply(w(r, 9), Outcome::UnavailableNotHeld)?, h, "国有建设用地使用权出让由自然资源主管部门负责，已告知申请人向该部门申请"),
                planned(deliver(w(r, 9), DeliveryMethod::Online, "答复告知书已在线推送，申请人已查看"), h),
                close(w(r, 10)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // ---------------------------------------------------------------- 2025
    // Extension approved by the office head, then 部分公开, with a reply letter.
    let r = day("2025-03-04")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: entity(OrgType::Commercial, "广东某某农业科技有限公司", "91", "441802", "MA5K3T8E", "0763-0000902", "agritech@example.com", ""),
            channel: Channel::Online,
            submitted: day("2025-03-03")?,
            received: r,
            description: "2024年源潭镇高标准农田建设项目的招标文件、中标通知书、施工合同及竣工验收报告",
            forms: "electronic",
            delivery: "email",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(
                    Step::Extend {
                        date: w(r, 18),
                        working_days: 20,
                        approver: Approver { user_id: yt_head, is_office_head: true },
                        applicant_notified: true,
                    },
                    yt_head,
                    "资料分散于项目建设、财政等多个部门，需逐项检索核对，经公开办负责人同意延期答复，已书面告知申请人",
                ),
                noted(reply(w(r, 33), Outcome::PartlyDisclosed)?, h, "投标文件中涉及投标人商业秘密的内容已作区分处理"),
                planned(deliver(w(r, 33), DeliveryMethod::Email, "已发送至申请人电子邮箱，发送记录已存档"), h),
                close(w(r, 35)),
            ],
            reply_letter: true,
            letter_extra: Some(
                "所提供的投标文件中，投标人的报价明细、技术方案等内容属于商业秘密，公开后可能损害其合法权益，本机关已作区分处理，不予公开该部分内容，其余信息予以公开。",
            ),
        },
    )
    .await?;
    count += 1;

    // 不予处理（重复申请）by the applicant of 2024; a 行政复议 still pending.
    let r = day("2025-10-20")?;
    let y7 = store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人甲", "19780412", "031", "13800000101", "applicant01@example.com"),
            channel: Channel::InPerson,
            submitted: r,
            received: r,
            description: "源潭镇2023年度农村人居环境整治项目清单及资金使用情况",
            forms: "paper",
            delivery: "collection",
            steps: vec![
                accept(r),
                start(w(r, 1)),
                noted(reply(w(r, 5), Outcome::NotProcessedRepeat)?, h, "申请人已于2024年3月就同一政府信息提出申请，本机关已依法答复"),
                planned(deliver(w(r, 6), DeliveryMethod::Collection, "申请人到镇党政综合办公室领取，签收单已存档"), h),
                close(w(r, 7)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Fee notice (200 pages → 2,700元) not paid in time → 其他处理 2.
    let r = day("2025-08-06")?;
    let fee = fee_fen(200)?;
    let notice_received = w(r, 10);
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: entity(OrgType::Other, "清远市清城区源潭镇某某村股份经济合作社", "N1", "441802", "MB2C6D9P", "0763-0000903", "", "清远市清城区源潭镇某某村村委会（演示地址）"),
            channel: Channel::RegisteredPost,
            submitted: day("2025-08-04")?,
            received: r,
            description: "2020年至2024年源潭镇各村（社区）财政转移支付资金分配明细及拨付凭证",
            forms: "paper",
            delivery: "post",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(
                    Step::IssueFeeNotice { date: w(r, 8), method: FeeMethod::PerPage, amount_fen: fee, notice_received },
                    h,
                    "所需信息共200页，按页计收信息处理费，收费通知书以挂号信寄出",
                ),
                noted(Step::FeeLapsed { date: w(notice_received, 21) }, h, "缴费期限届满，申请人未缴纳信息处理费"),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Received late December 2025, replied January 2026 (结转下年度 / 上年结转).
    let r = day("2025-12-22")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人戊", "19860127", "447", "13800000105", "applicant05@example.com"),
            channel: Channel::Online,
            submitted: day("2025-12-21")?,
            received: r,
            description: "源潭镇2025年度防汛救灾物资采购清单及采购结果",
            forms: "electronic",
            delivery: "online",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                planned(reply(w(r, 14), Outcome::Disclosed)?, h),
                planned(deliver(w(r, 14), DeliveryMethod::Online, "答复告知书及所附信息已在线推送，申请人已下载"), h),
                close(w(r, 15)),
            ],
            reply_letter: true,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // ---------------------------------------------------------------- 2026
    // Withdrawn → 其他处理 3.
    let r = day("2026-03-09")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人己", "19930611", "518", "13800000106", "applicant06@example.com"),
            channel: Channel::Online,
            submitted: day("2026-03-08")?,
            received: r,
            description: "源潭镇某路段道路改造工程的施工许可及工期安排",
            forms: "electronic",
            delivery: "online",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 2)),
                planned(
                    Step::Withdraw { date: w(r, 5), reason: "申请人来电表示已在镇政府门户网站查阅到相关信息，随后提交书面撤回申请".into() },
                    h,
                ),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Delivered (结案 pending).
    let r = day("2026-10-19")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人庚", "19580730", "603", "13800000107", ""),
            channel: Channel::InPerson,
            submitted: r,
            received: r,
            description: "源潭镇2026年秋冬季森林防火工作方案",
            forms: "paper",
            delivery: "post",
            steps: vec![
                accept(r),
                start(w(r, 1)),
                planned(reply(w(r, 14), Outcome::Disclosed)?, h),
                planned(deliver(w(r, 15), DeliveryMethod::Post, "EMS 1158800000002，已妥投"), h),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Replied, not yet delivered.
    let r = day("2026-11-02")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人辛", "19800214", "725", "13800000108", "applicant08@example.com"),
            channel: Channel::Email,
            submitted: day("2026-11-01")?,
            received: r,
            description: "源潭镇2026年度城乡居民基本医疗保险参保缴费补助对象名单",
            forms: "email",
            delivery: "email",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(reply(w(r, 18), Outcome::PartlyDisclosed)?, h, "名单中的身份证号码、联系电话已作区分处理"),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Awaiting payment of a fee (60 pages → 300元).
    let r = day("2026-10-26")?;
    let fee = fee_fen(60)?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: entity(OrgType::LegalService, "广东某某律师事务所清远分所", "31", "441802", "MD7H3N5Q", "0763-0000904", "", "清远市清城区某某大道某号（演示地址）"),
            channel: Channel::RegisteredPost,
            submitted: day("2026-10-22")?,
            received: r,
            description: "源潭镇某村2025年土地承包经营权确权登记公示材料及异议处理记录",
            forms: "paper",
            delivery: "post",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(
                    Step::IssueFeeNotice { date: w(r, 12), method: FeeMethod::PerPage, amount_fen: fee, notice_received: w(r, 14) },
                    h,
                    "所需信息共60页，按页计收信息处理费",
                ),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // In progress and overdue on 2026-11-29.
    let r = day("2026-10-15")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人壬", "19690506", "836", "13800000109", "applicant09@example.com"),
            channel: Channel::Online,
            submitted: day("2026-10-14")?,
            received: r,
            description: "源潭镇某村2018年至2020年集体土地承包经营权流转备案资料",
            forms: "electronic",
            delivery: "online",
            steps: vec![accept(w(r, 1)), noted(Step::StartProcessing { date: w(r, 2) }, h, "需调阅镇档案室历年备案资料")],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Accepted, due in a few working days after 2026-11-29.
    let r = day("2026-11-04")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人癸", "19750919", "947", "13800000110", ""),
            channel: Channel::InPerson,
            submitted: r,
            received: r,
            description: "源潭镇2026年农村生活污水治理项目的实施方案及资金预算",
            forms: "paper",
            delivery: "collection",
            steps: vec![accept(w(r, 1))],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Received online, not yet accepted.
    let r = day("2026-11-27")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人子", "20000103", "052", "13800000111", "applicant11@example.com"),
            channel: Channel::Online,
            submitted: r,
            received: r,
            description: "源潭镇2026年度民生实事项目完成情况",
            forms: "electronic",
            delivery: "online",
            steps: vec![],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Awaiting correction.
    let r = day("2026-11-19")?;
    let notice = w(r, 2);
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人丑", "19880822", "163", "13800000112", "applicant12@example.com"),
            channel: Channel::Email,
            submitted: day("2026-11-18")?,
            received: r,
            description: "镇政府关于村道建设的文件",
            forms: "email",
            delivery: "email",
            steps: vec![
                accept(w(r, 1)),
                planned(
                    Step::RequestCorrection {
                        date: notice,
                        defects: vec!["所需政府信息描述不明确，请写明村道名称或所在村、文件名称、文号或者形成时间等便于查询的特征".into()],
                        deadline: w(notice, 10),
                    },
                    h,
                ),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Consulting a third party.
    let r = day("2026-11-05")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: entity(OrgType::Commercial, "清远某某物流有限公司", "91", "441802", "MA4W7K2X", "0763-0000905", "logistics@example.com", ""),
            channel: Channel::Online,
            submitted: r,
            received: r,
            description: "源潭镇某工业园区某化工企业2025年环保整改验收意见",
            forms: "electronic",
            delivery: "email",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(
                    Step::Consult { date: w(r, 6), party: ConsultParty::ThirdParty, addressee: "广东某某化工有限公司（所涉企业）".into() },
                    h,
                    "验收意见涉及企业生产工艺等信息，书面征求企业意见",
                ),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // Consulting another agency.
    let r = day("2026-11-09")?;
    store_case(
        store,
        &cal,
        &cfg,
        yuantan,
        h,
        Case {
            who: person("申请人寅", "19621117", "274", "13800000113", ""),
            channel: Channel::RegisteredPost,
            submitted: day("2026-11-06")?,
            received: r,
            description: "源潭镇某村2024年农村危房改造项目的房屋安全鉴定报告及补助发放情况",
            forms: "paper",
            delivery: "post",
            steps: vec![
                accept(w(r, 1)),
                start(w(r, 1)),
                noted(
                    Step::Consult { date: w(r, 5), party: ConsultParty::OtherAgency, addressee: "清远市清城区住房和城乡建设局".into() },
                    h,
                    "房屋安全鉴定报告由区住房和城乡建设部门组织形成，征求其意见",
                ),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // ---------------------------------------------------------------- 民政局
    let m = mz_handler;
    let mz_accept = |date: NaiveDate| planned(Step::Accept { date, handler_id: mz_handler }, mz_handler);
    let mz_start = |date: NaiveDate| planned(Step::StartProcessing { date }, mz_handler);
    let mz_close = |date: NaiveDate| planned(Step::Close { date }, mz_handler);

    let r = day("2024-04-08")?;
    store_case(
        store,
        &cal,
        &cfg,
        minzheng,
        m,
        Case {
            who: person("申请人卯", "19700320", "385", "13800000201", "applicant21@example.com"),
            channel: Channel::Online,
            submitted: r,
            received: r,
            description: "清城区2024年城乡居民最低生活保障标准调整文件",
            forms: "electronic",
            delivery: "online",
            steps: vec![
                mz_accept(r),
                mz_start(w(r, 1)),
                planned(reply(w(r, 6), Outcome::Disclosed)?, m),
                planned(deliver(w(r, 6), DeliveryMethod::Online, "答复告知书已在线推送，申请人已查看"), m),
                mz_close(w(r, 7)),
            ],
            reply_letter: true,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    let r = day("2024-10-14")?;
    store_case(
        store,
        &cal,
        &cfg,
        minzheng,
        m,
        Case {
            who: entity(OrgType::PublicInterest, "清远市某某社会工作服务中心", "52", "441802", "MJ3R6T1L", "0763-0000906", "social@example.com", ""),
            channel: Channel::Email,
            submitted: day("2024-10-12")?,
            received: r,
            description: "2024年清城区政府购买居家养老服务项目的合同及第三方绩效评估报告",
            forms: "email",
            delivery: "email",
            steps: vec![
                mz_accept(w(r, 1)),
                mz_start(w(r, 1)),
                noted(reply(w(r, 15), Outcome::PartlyDisclosed)?, m, "服务对象名单及个人信息已作区分处理"),
                planned(deliver(w(r, 15), DeliveryMethod::Email, "已发送至申请人电子邮箱，发送记录已存档"), m),
                mz_close(w(r, 16)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    let r = day("2025-06-09")?;
    store_case(
        store,
        &cal,
        &cfg,
        minzheng,
        m,
        Case {
            who: entity(OrgType::Research, "广东某某社会科学研究院", "12", "440000", "MB1D4G7H", "020-00000907", "research@example.com", ""),
            channel: Channel::Online,
            submitted: day("2025-06-08")?,
            received: r,
            description: "清城区2015年至2024年各年度结婚登记人数按年龄段分组的统计数据",
            forms: "electronic",
            delivery: "online",
            steps: vec![
                mz_accept(w(r, 1)),
                mz_start(w(r, 1)),
                noted(reply(w(r, 10), Outcome::UnavailableNeedsCreation)?, m, "本机关未按年龄段分组统计，所需信息需另行加工制作"),
                planned(deliver(w(r, 10), DeliveryMethod::Online, "答复告知书已在线推送，申请人已查看"), m),
                mz_close(w(r, 11)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    let r = day("2026-09-14")?;
    store_case(
        store,
        &cal,
        &cfg,
        minzheng,
        m,
        Case {
            who: person("申请人辰", "19550608", "496", "13800000202", ""),
            channel: Channel::InPerson,
            submitted: r,
            received: r,
            description: "清城区殡葬服务基本收费项目及收费标准",
            forms: "paper",
            delivery: "collection",
            steps: vec![
                mz_accept(r),
                mz_start(w(r, 1)),
                planned(reply(w(r, 3), Outcome::Disclosed)?, m),
                planned(deliver(w(r, 4), DeliveryMethod::Collection, "申请人到局办公室领取，签收单已存档"), m),
                mz_close(w(r, 4)),
            ],
            reply_letter: false,
            letter_extra: None,
        },
    )
    .await?;
    count += 1;

    // ---------------------------------------------------------------- appeals
    let appeals = [
        (
            y2.id,
            AppealKind::Reconsideration,
            "清远市清城区人民政府",
            "2024-07-15",
            AppealResult::Upheld,
            Some("2024-09-10"),
            "复议机关认为被申请人的答复认定事实清楚、适用依据正确、程序合法，决定维持",
        ),
        (
            y5.id,
            AppealKind::LitigationDirect,
            "清远市清城区人民法院",
            "2025-02-20",
            AppealResult::Corrected,
            Some("2025-06-18"),
            "法院认为被告未尽合理检索义务，判决撤销原答复，责令被告在法定期限内重新答复",
        ),
        (y7.id, AppealKind::Reconsideration, "清远市清城区人民政府", "2025-12-15", AppealResult::Pending, None, "复议机关已受理，尚未作出复议决定"),
    ];
    for (application_id, kind, body, filed, result, decided, note) in appeals {
        let filed_on = day(filed)?;
        let decided_on = decided.map(day).transpose()?;
        store
            .create_appeal(&NewAppeal {
                org_id: yuantan.id,
                application_id: Some(application_id),
                kind,
                body: body.into(),
                filed_on,
                result,
                decided_on,
                note: note.into(),
                created_by: yt_head,
                at: at(decided_on.unwrap_or(filed_on), 10),
            })
            .await?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn synthesised_documents_pass_the_checks() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        for doc in [
            Doc::IdCard { birth: "19780412", serial: "031" },
            Doc::Uscc { prefix: "91", region: "441802", body: "MA5K3T8E" },
            Doc::Uscc { prefix: "N1", region: "441802", body: "MB2C6D9P" },
        ] {
            let number = doc.number().expect("number");
            assert!(validate_id_document(doc.kind(), &number, today).is_none(), "{number}");
        }
    }

    #[test]
    fn per_page_fee_for_250_pages_is_4700_yuan() {
        assert_eq!(fee_fen(250).expect("fee"), 470_000);
    }
}
