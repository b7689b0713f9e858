//! The narrative: drafts of the preamble and sections 一, 五 and 六 written from the records,
//! and the check that figures quoted in the narrative agree with the tables (spec D-8).
//!
//! Drafts state only what the records show; wording about the office's own work (leadership,
//! training, plans) is left for staff to write, and the draft says so where it matters.

use super::model::{paragraphs, AnnualReport};
use crate::fees::format_yuan;
use crate::report_format::RowRole;

/// How an organisation refers to itself in its report ("我镇", "我街道", "我局", …).
pub fn self_reference(name: &str) -> String {
    let rules: [(&str, &str); 10] = [
        ("镇人民政府", "我镇"),
        ("乡人民政府", "我乡"),
        ("街道办事处", "我街道"),
        ("区人民政府", "我区"),
        ("县人民政府", "我县"),
        ("市人民政府", "我市"),
        ("局", "我局"),
        ("委员会", "我委"),
        ("办公室", "我办"),
        ("中心", "我中心"),
    ];
    rules
        .iter()
        .find(|(suffix, _)| name.ends_with(suffix))
        .map_or_else(|| "本机关".to_string(), |(_, r)| r.to_string())
}

fn fmt_list(parts: &[String]) -> String {
    parts.join("、")
}

/// The opening paragraph.
pub fn draft_preamble(r: &AnnualReport) -> String {
    format!(
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》编制，\
         由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、\
         存在的主要问题及改进情况、其他需要报告的事项等部分组成。报告所列数据的统计期限为{y}年1月1日至{y}年12月31日。",
        y = r.year
    )
}

/// 一、总体情况: proactive disclosure, applications, information management, supervision.
pub fn draft_section1(r: &AnnualReport) -> String {
    let f = &r.figures;
    let (y, me) = (r.year, &f.self_reference);
    let mut out = Vec::new();

    out.push("（一）主动公开".to_string());
    let mut p = format!(
        "{y}年，{me}通过{}公开政府信息{}条",
        f.portal_name, f.items_published
    );
    let cats: Vec<String> = f
        .categories
        .iter()
        .map(|c| format!("{}{}条", c.name, c.count))
        .collect();
    if !cats.is_empty() {
        p.push_str("，其中");
        p.push_str(&fmt_list(&cats));
    }
    p.push('。');
    let reg = |row: &str, col: usize| r.section2_cell(1, row, col).map_or(0, |c| c.value);
    let (rule_label, doc_label) = match r.format {
        crate::report_format::FormatVersion::V2021 => ("规章", "行政规范性文件"),
        crate::report_format::FormatVersion::Trial2019 => ("规章", "规范性文件"),
    };
    for label in [rule_label, doc_label] {
        let (made, ended, total) = (reg(label, 0), reg(label, 1), reg(label, 2));
        if made + ended + total > 0 {
            match r.format {
                crate::report_format::FormatVersion::V2021 => p.push_str(&format!(
                    "本年制发{label}{made}件、废止{ended}件，现行有效{label}{total}件。"
                )),
                crate::report_format::FormatVersion::Trial2019 => p.push_str(&format!(
                    "本年新制作{label}{made}件、新公开{ended}件，对外公开{label}共{total}件。"
                )),
            }
        }
    }
    out.push(p);

    out.push("（二）依申请公开".to_string());
    let row = |role: RowRole| r.section3_role(role).map_or(0, |x| x.cells[6]);
    let (new, carried_in, done, carried_out) = (
        row(RowRole::Received),
        row(RowRole::CarriedIn),
        row(RowRole::ResultTotal),
        row(RowRole::CarriedOut),
    );
    let mut p = format!("{y}年，{me}收到政府信息公开申请{new}件");
    if carried_in > 0 {
        p.push_str(&format!("，上年结转{carried_in}件"));
    }
    if new + carried_in == 0 {
        p.push('。');
    } else {
        p.push_str(&format!("；办结{done}件"));
        let results: Vec<String> = r
            .section3
            .iter()
            .filter(|x| x.role == RowRole::Result && x.cells[6] > 0)
            .map(|x| {
                let label = short_result_label(&x.label, x.group.as_deref());
                format!("{label}{}件", x.cells[6])
            })
            .collect();
        if !results.is_empty() {
            p.push_str("，其中");
            p.push_str(&fmt_list(&results));
        }
        p.push_str(&format!("；结转下年度继续办理{carried_out}件。"));
    }
    if f.late_replies > 0 {
        p.push_str(&format!("有{}件申请未在法定期限内答复。", f.late_replies));
    }
    if let Some(art44) = crate::art44::narrative_sentence(y, me, &f.art44) {
        p.push_str(&art44);
    }
    out.push(p);

    out.push("（三）政府信息管理".to_string());
    let mut p = format!("{me}按照政府信息公开目录发布信息，信息经起草、审核后发布，并编制索引号。");
    if f.guide_updates > 0 {
        p.push_str(&format!("{y}年更新政府信息公开指南{}次。", f.guide_updates));
    }
    if f.validity_marked > 0 {
        p.push_str(&format!(
            "对{}件政府信息标注了有效性变化。",
            f.validity_marked
        ));
    }
    out.push(p);

    out.push("（四）监督保障".to_string());
    let reconsideration = r.section4_total(0);
    let litigation = r.section4_total(1) + r.section4_total(2);
    out.push(if reconsideration + litigation == 0 {
        format!("{y}年，{me}未发生因政府信息公开引起的行政复议、行政诉讼案件。")
    } else {
        format!("{y}年，{me}因政府信息公开被申请行政复议{reconsideration}件、被提起行政诉讼{litigation}件。")
    });
    out.join("\n")
}

fn short_result_label(label: &str, group: Option<&str>) -> String {
    match group {
        Some(g @ ("不予公开" | "无法提供" | "不予处理" | "其他处理")) => {
            let item = label.split_once('.').map_or(label, |(_, rest)| rest);
            format!("{g}（{item}）")
        }
        _ => label
            .trim_start_matches(|c: char| "（）一二三四五六七".contains(c))
            .split('（')
            .next()
            .unwrap_or(label)
            .to_string(),
    }
}

/// 五、存在的主要问题及改进情况: the problems the records show.
pub fn draft_section5(r: &AnnualReport) -> String {
    let f = &r.figures;
    let me = &f.self_reference;
    let mut problems = Vec::new();
    if f.late_publications > 0 {
        problems.push(format!(
            "有{}条政府信息未在形成或者变更之日起20个工作日内公开",
            f.late_publications
        ));
    }
    if f.late_replies > 0 {
        problems.push(format!(
            "有{}件政府信息公开申请未在法定期限内答复",
            f.late_replies
        ));
    }
    let mut out = Vec::new();
    if problems.is_empty() {
        out.push(format!(
            "{}年，{me}政府信息均在法定时限内发布，政府信息公开申请均在法定期限内答复。（请补充工作中存在的其他问题。）",
            r.year
        ));
    } else {
        out.push(format!(
            "{}年，{me}政府信息公开工作中存在以下问题：{}。",
            r.year,
            problems.join("；")
        ));
    }
    out.push(format!(
        "{}年，{me}将落实政府信息采集、起草、审核、发布全过程管理，按期办理政府信息公开申请。（请补充具体改进措施。）",
        r.year + 1
    ));
    out.join("\n")
}

/// 六、其他需要报告的事项: the information-processing fees (spec C11).
pub fn draft_section6(r: &AnnualReport) -> String {
    let f = &r.figures;
    let me = &f.self_reference;
    if f.fee_notices == 0 && f.fees_collected_fen == 0 {
        format!(
            "{}年，{me}未发出信息处理费收费通知，未收取信息处理费。",
            r.year
        )
    } else {
        format!(
            "{}年，{me}发出信息处理费收费通知{}件，金额共计{}，实际收取信息处理费{}。",
            r.year,
            f.fee_notices,
            format_yuan(f.fees_noticed_fen),
            format_yuan(f.fees_collected_fen)
        )
    }
}

/// A figure quoted in the narrative that disagrees with the tables or records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// 1, 5 or 6 (or 0 for the preamble).
    pub section: u8,
    pub quoted: String,
    pub expected: String,
    pub what: String,
}

/// Numbers right after `keyword` (skipping up to `gap` characters that are not digits, not
/// sentence ends) followed by one of `units`.
fn numbers_after(text: &str, keyword: &str, gap: usize, units: &[char]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(keyword) {
        let after = &rest[pos + keyword.len()..];
        let mut chars = after.chars().peekable();
        let mut skipped = 0;
        while let Some(c) = chars.peek() {
            if c.is_ascii_digit() || "。；;！？\n".contains(*c) || skipped >= gap {
                break;
            }
            chars.next();
            skipped += 1;
        }
        let digits: String = chars.clone().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() {
            let unit = chars.nth(digits.len());
            if unit.is_some_and(|u| units.contains(&u)) {
                if let Ok(n) = digits.parse() {
                    out.push(n);
                }
            }
        }
        rest = after;
    }
    out
}

/// Figures quoted in the narrative that disagree with the tables (D-8): the number of items
/// published and per column, applications received, reconsiderations and lawsuits, fee notices.
pub fn check_figures(r: &AnnualReport) -> Vec<Mismatch> {
    let f = &r.figures;
    let mut out = Vec::new();
    let sections: [(u8, &str); 4] = [
        (0, &r.preamble),
        (1, &r.section1),
        (5, &r.section5),
        (6, &r.section6),
    ];
    let mut check = |section: u8,
                     text: &str,
                     keyword: &str,
                     gap: usize,
                     units: &[char],
                     expected: u64,
                     what: &str| {
        for n in numbers_after(text, keyword, gap, units) {
            if n != expected {
                out.push(Mismatch {
                    section,
                    quoted: n.to_string(),
                    expected: expected.to_string(),
                    what: what.to_string(),
                });
            }
        }
    };
    let received = r.applications_received();
    let reconsideration = r.section4_total(0);
    let litigation = r.section4_total(1) + r.section4_total(2);
    for (n, text) in sections {
        for p in paragraphs(text) {
            check(
                n,
                p,
                "公开政府信息",
                0,
                &['条'],
                f.items_published,
                "本年公开政府信息条数",
            );
            for c in &f.categories {
                // "其中机构概况1条" — the column name directly followed by its count; longer
                // column names that contain this one ("通知公告" for "公告") are masked first.
                let mut masked = p.to_string();
                for other in f
                    .categories
                    .iter()
                    .filter(|o| o.name.len() > c.name.len() && o.name.contains(&c.name))
                {
                    masked = masked.replace(&other.name, "□");
                }
                check(
                    n,
                    &masked,
                    &c.name,
                    0,
                    &['条'],
                    c.count,
                    &format!("“{}”栏目公开条数", c.name),
                );
            }
            check(
                n,
                p,
                "收到政府信息公开申请",
                0,
                &['件', '宗', '个'],
                received,
                "本年新收政府信息公开申请数（第三部分表格）",
            );
            check(
                n,
                p,
                "申请行政复议",
                0,
                &['件', '起', '宗'],
                reconsideration,
                "行政复议总计（第四部分表格）",
            );
            check(
                n,
                p,
                "提起行政诉讼",
                0,
                &['件', '起', '宗'],
                litigation,
                "行政诉讼总计（第四部分表格）",
            );
            check(
                n,
                p,
                "收费通知",
                0,
                &['件', '份'],
                f.fee_notices,
                "信息处理费收费通知件数",
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_references() {
        assert_eq!(self_reference("清远市清城区源潭镇人民政府"), "我镇");
        assert_eq!(self_reference("清远市清城区民政局"), "我局");
        assert_eq!(self_reference("某某街道办事处"), "我街道");
        assert_eq!(self_reference("清远市清城区人民政府"), "我区");
        assert_eq!(self_reference("某某协会"), "本机关");
    }

    #[test]
    fn numbers_after_keywords() {
        assert_eq!(
            numbers_after(
                "公开政府信息66条，其中机构概况1条",
                "公开政府信息",
                0,
                &['条']
            ),
            vec![66]
        );
        assert_eq!(
            numbers_after(
                "收到政府信息公开申请3件。",
                "收到政府信息公开申请",
                0,
                &['件']
            ),
            vec![3]
        );
        assert_eq!(
            numbers_after("公开政府信息共66条", "公开政府信息", 0, &['条']),
            Vec::<u64>::new()
        );
        assert_eq!(
            numbers_after("公开政府信息共66条", "公开政府信息", 2, &['条']),
            vec![66]
        );
        assert_eq!(
            numbers_after("机构概况1人", "机构概况", 0, &['条']),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn result_labels_are_short() {
        assert_eq!(
            short_result_label("（一）予以公开", Some("本年度办理结果")),
            "予以公开"
        );
        assert_eq!(
            short_result_label(
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                Some("本年度办理结果")
            ),
            "部分公开"
        );
        assert_eq!(
            short_result_label("1.属于国家秘密", Some("不予公开")),
            "不予公开（属于国家秘密）"
        );
    }
}
