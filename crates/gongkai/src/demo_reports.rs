//! The demo town's annual reports for 2023, 2024 and 2025, written the way an office would:
//! generated from the records, the section 二 figures from other systems entered, the
//! narrative of sections 五 and 六 written by staff, submitted by the editor and published by
//! the reviewer on the day the office published it. The 2023 report states every figure of
//! the seed report (66 items in the same 11 columns, no applications, no fees, no
//! reconsiderations or lawsuits) and fills in the three tables the seed left out.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use gongkai_domain::annual_report::validate::{validate, Severity, ValidationContext};
use gongkai_domain::annual_report::{entered_key, Cell, ReportStatus};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::model::Organisation;
use gongkai_store::{NewItemEvent, Store};
use gongkai_web::{ops, reports::records};

use crate::demo::DemoError;

/// One report the demo publishes.
pub struct DemoReport {
    pub year: i32,
    pub published: &'static str,
    /// 行政许可, 行政处罚, 行政强制 decisions and 行政事业性收费 (万元) from other systems.
    pub permits: u64,
    pub penalties: u64,
    pub enforcement: u64,
    pub charges: &'static str,
    pub section5: &'static str,
    pub section6: &'static str,
}

pub static YUANTAN_REPORTS: &[DemoReport] = &[
    DemoReport {
        year: 2023,
        published: "2024-01-17",
        permits: 0,
        penalties: 0,
        enforcement: 0,
        charges: "0",
        section5: "2023年，我镇政府信息公开工作取得一定成效，但仍有不足：一是公开内容不够全面，对群众关注的热点回应不够，公开形式较为单一；二是信息公开工作队伍力量不足，业务能力有待提高；三是信息发布不够规范，个别信息发布滞后。\n\
                   针对上述问题，我镇将聚焦群众关切扩大公开范围，丰富公开形式；加强信息公开工作人员培训；落实信息采集、起草、审核、发布全过程管理，确保信息在法定时限内公开。",
        section6: "2023年，我镇未发出信息处理费收费通知，未收取信息处理费。\n\
                   2024年，我镇将按照区委、区政府的统一部署，结合本镇实际，进一步加大政府信息公开力度，及时准确回应群众关切，持续推进政府信息公开工作制度化、规范化。",
    },
    DemoReport {
        year: 2024,
        published: "2025-01-20",
        permits: 8,
        penalties: 2,
        enforcement: 0,
        charges: "0",
        section5: "2024年，我镇开始通过网上申请渠道受理政府信息公开申请，个别申请办理环节衔接不够顺畅；部分栏目更新频率不高。\n\
                   2025年，我镇将规范依申请公开办理流程，落实专人跟踪办理期限；按目录定期检查各栏目更新情况。",
        section6: "2024年，我镇依法收取信息处理费的情况见本部分统计。\n无其他需要报告的事项。",
    },
    DemoReport {
        year: 2025,
        published: "2026-01-19",
        permits: 11,
        penalties: 1,
        enforcement: 1,
        charges: "0",
        section5: "2025年，我镇依申请公开案件数量增加，答复文书的说理仍需加强；公开栏、电子屏与网站的内容同步不够及时。\n\
                   2026年，我镇将加强答复文书审核，统一各公开渠道的发布流程，做到一次发布、多渠道同步。",
        section6: "2025年，我镇依法收取信息处理费的情况见本部分统计。\n无其他需要报告的事项。",
    },
];

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    // 08:00 UTC is 16:00 in China; office hours either way.
    Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap_or_default())
}

fn data_error(what: &str, detail: impl std::fmt::Display) -> DemoError {
    DemoError::Data { what: what.into(), detail: detail.to_string() }
}

/// Write, review and publish one report of `org`.
pub async fn publish(store: &Store, calendar: &Calendar, org: &Organisation, editor: i64, reviewer: i64, r: &DemoReport) -> Result<(), DemoError> {
    let date = NaiveDate::parse_from_str(r.published, "%Y-%m-%d").map_err(|e| data_error("年报发布日期", e))?;
    let charges = Cell::parse(gongkai_domain::report_format::CellKind::Amount, r.charges).map_err(|e| data_error("行政事业性收费", e))?;
    let figures = vec![
        (entered_key(5, "行政许可", "本年处理决定数量"), Cell::count(r.permits)),
        (entered_key(6, "行政处罚", "本年处理决定数量"), Cell::count(r.penalties)),
        (entered_key(6, "行政强制", "本年处理决定数量"), Cell::count(r.enforcement)),
        (entered_key(8, "行政事业性收费", "本年收费金额（单位：万元）"), charges),
    ];
    store.put_report_figures(org.id, r.year, &figures, editor, at(date, 1)).await?;
    let mut content = records::generate(store, calendar, org, r.year).await?;
    content.section5 = r.section5.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    let fee_line = gongkai_domain::annual_report::narrative::draft_section6(&content);
    content.section6 = r
        .section6
        .lines()
        .map(str::trim)
        .map(|l| if l.contains("依法收取信息处理费的情况见本部分统计") { fee_line.as_str() } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    content.date = Some(date);
    let previous = records::previous_report(store, org.id, r.year).await?;
    let deadline = records::deadline_of(store, org, r.year).await?;
    let findings = validate(&content, &ValidationContext { previous: previous.as_ref(), today: date, deadline, first_published: None });
    if let Some(e) = findings.iter().find(|f| f.severity == Severity::Error) {
        return Err(data_error(&format!("{}年度报告", r.year), &e.message));
    }
    let acknowledged: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
    let stored = store.create_report(org.id, r.year, &content, "", editor, at(date, 1)).await?;
    store.set_report_status(stored.id, ReportStatus::Draft, ReportStatus::InReview, Some(editor), at(date, 2)).await?;
    let node = records::annual_report_node(store, org).await?;
    let fields = records::item_fields(org, &content, node.id, date, 1, "");
    let render = ops::index_renderer(org, date)?;
    let event = NewItemEvent { actor_id: reviewer, action: "publish".into(), comment: format!("发布{}年度报告", r.year), at: at(date, 3) };
    store.publish_report(stored.id, &content, date, reviewer, &acknowledged, &fields, &render, &event).await?;
    debug_assert_eq!(content.year + 1, date.year());
    Ok(())
}
