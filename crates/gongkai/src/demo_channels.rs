//! Demo data for the channels: 源潭镇's notice boards, LED settings and key
//! work, a board register entry, and online consultations — answered and
//! published, private, one overdue and one just received — with reply
//! deadlines computed from the working-day calendar, never typed.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::consultation::reply_due;
use gongkai_domain::model::{ItemStatus, Organisation};
use gongkai_store::{ChannelSettings, ItemQuery, NewBoardPosting, NewConsultation, Store};

use crate::demo::DemoError;

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let naive = date.and_hms_opt(hour, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&(naive - chrono::Duration::hours(8)))
}

fn day(s: &str) -> Result<NaiveDate, DemoError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DemoError::Data { what: "演示咨询日期".into(), detail: format!("“{s}”：{e}") })
}

/// (received, name, contact, subject, question, private, answer: Some((working days after receipt, answer text, publish)) or None = open)
type DemoQuestion = (&'static str, &'static str, &'static str, &'static str, &'static str, bool, Option<(u32, &'static str, bool)>);

const QUESTIONS: &[DemoQuestion] = &[
    (
        "2025-09-26",
        "陈先生",
        "13800000001",
        "农村危房改造补助如何申请",
        "我家住源潭镇某村，房屋年久失修，请问农村危房改造补助的申请条件和办理流程是什么？需要准备哪些材料？",
        false,
        Some((
            4,
            "您好！农村危房改造对象为住房安全等级鉴定为C级或D级的低保户、特困供养人员、低保边缘家庭等。请持户口簿、身份证和住房情况说明向所在村（居）委会提出申请，经村评议公示后报镇审核。具体政策可查阅本镇政府信息公开专栏“民生保障”栏目。",
            true,
        )),
    ),
    (
        "2026-03-02",
        "",
        "",
        "镇政府信息公开指南在哪里查看",
        "请问源潭镇政府信息公开指南在网站哪个位置？能否现场查阅？",
        false,
        Some((2, "您好！信息公开指南可在本平台源潭镇页面的“信息公开指南”栏目查看，也可在工作日到镇党政综合办公室现场查阅。", true)),
    ),
    (
        "2026-05-11",
        "李女士",
        "li@example.cn",
        "个人社保缴费记录查询",
        "我想查询本人近三年的社保缴费记录，是否可以在镇里办理？",
        true,
        Some((3, "您好！个人社保缴费记录可持身份证到镇社会保障服务站查询打印，也可通过广东政务服务网查询。本答复已通过电子邮件发送给您。", false)),
    ),
    (
        "2026-06-01",
        "王先生",
        "0763-0000000",
        "村道硬底化工程进度",
        "请问某村至某村的村道硬底化工程什么时候完工？目前施工暂停的原因是什么？",
        false,
        None,
    ),
];

const KEY_WORK: &[(&str, i64)] = &[
    ("持续推进农村人居环境整治，开展村庄清洁行动", 10),
    ("做好秋冬季森林防火和安全生产检查", 20),
    ("落实“百县千镇万村高质量发展工程”年度任务", 30),
];

/// Load the channels demo for the town.
pub async fn load_channels(store: &Store, town: &Organisation, editor: i64, reviewer: i64) -> Result<(), DemoError> {
    let calendar = Calendar::official();
    let mut settings = ChannelSettings::defaults(town.id);
    settings.boards = vec!["镇政府大院公开栏".into(), "源潭村委会公开栏".into()];
    settings.led_line_chars = 20;
    store.put_channel_settings(&settings).await?;
    for (line, order) in KEY_WORK {
        store.add_key_work(town.id, line, *order, at(day("2026-11-02")?, 9)).await?;
    }
    for (received, name, contact, subject, question, private, answer) in QUESTIONS {
        let received = day(received)?;
        let due = reply_due(&calendar, received, settings.consult.reply_working_days).due;
        let c = store
            .create_consultation(&NewConsultation {
                org_id: town.id,
                name: (*name).into(),
                contact: (*contact).into(),
                subject: (*subject).into(),
                question: (*question).into(),
                private: *private,
                received,
                due,
                at: at(received, 10),
            })
            .await?;
        store.assign_consultation(c.id, editor, at(received, 15)).await?;
        if let Some((after, text, publish)) = answer {
            let answered = calendar.add_working_days(received, *after).due;
            store.answer_consultation(c.id, text, "源潭镇党政综合办公室", answered, reviewer, *publish, at(answered, 16)).await?;
        }
    }
    // One question received on the day the demo is loaded: due soon.
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    store
        .create_consultation(&NewConsultation {
            org_id: town.id,
            name: "赵女士".into(),
            contact: "13900000002".into(),
            subject: "老年人优待证办理地点".into(),
            question: "请问 65 周岁以上老年人优待证在哪里办理？需要带什么材料？".into(),
            private: false,
            received: today,
            due: reply_due(&calendar, today, settings.consult.reply_working_days).due,
            at: Utc::now(),
        })
        .await?;
    // The two latest notices went up on the town hall's board.
    let latest = store.list_items(&ItemQuery { org_ids: vec![town.id], statuses: vec![ItemStatus::Published], limit: 2, ..Default::default() }).await?.items;
    let postings: Vec<NewBoardPosting> = latest
        .iter()
        .filter_map(|i| i.publish_date.map(|d| (i, d)))
        .map(|(i, d)| NewBoardPosting { org_id: town.id, board: settings.boards[0].clone(), item_id: i.id, posted_on: d, paper: "A4".into(), posted_by: editor, at: at(d, 16) })
        .collect();
    store.add_board_postings(&postings).await?;
    Ok(())
}
