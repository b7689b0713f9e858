//! Narrative vs tables fires on the wording real reports use, also when the report arrives
//! flattened to one line, and stays quiet on clauses about other figures.

mod common;
use common::*;

const SENTENCE: &str = "全年共收到政府信息公开申请13件";

fn with(sentence: &str) -> String {
    replace(CLEAN_2021, SENTENCE, sentence)
}

#[test]
fn received_applications() {
    for wording in [
        "全年共收到政府信息公开申请17件",
        "全年共受理政府信息公开申请 17 件",
        "全年新收政府信息公开申请数量为17件",
        "本年度受理依申请公开17件",
        "全年接收政府信息公开申请17件",
    ] {
        let r = check(&with(wording));
        assert!(has(&r, "NARRATIVE_TABLE_MISMATCH"), "{wording}: {}", r.to_text());
        // Flattened to one line (a copied page): the tables are still read, so it still fires.
        let flat = with(wording).replace(['\n', '\t'], " ");
        assert!(has(&check(&flat), "NARRATIVE_TABLE_MISMATCH"), "{wording} flattened");
    }
    for quiet in ["全年共收到政府信息公开申请13件", "全年共收到政府信息公开申请13件，上年结转1件", "全年办结上年结转申请1件"] {
        let r = check(&with(quiet));
        assert!(!has(&r, "NARRATIVE_TABLE_MISMATCH"), "{quiet}: {}", r.to_text());
    }
}

#[test]
fn reconsiderations_and_lawsuits() {
    let t = replace(CLEAN_2021, "均在法定期限内答复。", "均在法定期限内答复。本年度发生政府信息公开行政复议3件，行政诉讼0件。");
    let r = check(&t);
    let msgs: Vec<&str> = r.with_code("NARRATIVE_TABLE_MISMATCH").map(|f| f.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("行政复议 3 件")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("行政诉讼 0 件")), "{msgs:?}");
}

// Items published (issue 11, item 5): the narrative's figures for 规章 / 规范性文件 and its total
// of items published, against section 二.

/// The clean report (行政规范性文件 制发 2, 废止 1, 现行有效 15; 规章 0 0 0) with `sentence`
/// after the paragraph on proactive disclosure.
fn with_s2(sentence: &str) -> String {
    replace(CLEAN_2021, "工作动态129条。", &format!("工作动态129条。{sentence}"))
}

fn flat(text: &str) -> String {
    text.replace(['\n', '\t'], " ")
}

fn mismatch_messages(text: &str) -> Vec<String> {
    check(text).with_code("NARRATIVE_TABLE_MISMATCH").map(|f| f.message.clone()).collect()
}

#[test]
fn items_published_figures_against_section2() {
    for (wording, cell) in [
        ("本年度制发行政规范性文件5件。", "本年制发件数"),
        ("全年印发规范性文件 5 件。", "本年制发件数"),
        ("全年出台5件行政规范性文件，均按规定公开。", "本年制发件数"),
        ("清理废止规范性文件3件。", "本年废止件数"),
        ("截至年底，现行有效规范性文件20件。", "现行有效件数"),
        ("本局规范性文件现行有效20件。", "现行有效件数"),
        ("本年度新增公开规章1件。", "现行有效件数"),
        ("在门户网站公开规范性文件7件。", "本年制发件数"),
    ] {
        let text = with_s2(wording);
        let msgs = mismatch_messages(&text);
        assert!(msgs.iter().any(|m| m.contains("第二部分") && m.contains(cell)), "{wording}: {msgs:?}");
        let r = check(&text);
        assert!(!r.has_errors(), "{wording}: {:#?}", r.findings);
        // Flattened to one line: still read, still fires.
        let msgs = mismatch_messages(&flat(&text));
        assert!(msgs.iter().any(|m| m.contains("第二部分") && m.contains(cell)), "{wording} flattened: {msgs:?}");
    }
}

#[test]
fn items_published_consistent_or_unrelated_wording_is_quiet() {
    for quiet in [
        "本年度制发行政规范性文件2件，废止1件。",
        "制发规章0件、行政规范性文件2件。",
        "废止规范性文件1件。",
        "截至年底，现行有效规范性文件15件。",
        // 公开 may mean the year's new documents or all those in force: either matches.
        "在门户网站公开规范性文件15件。",
        "公开规范性文件2件。",
        // Other work on documents, other years, other bodies, changes: not the table's figures.
        "对规范性文件5件进行合法性审查。",
        "转发省政府规范性文件5件。",
        "2022年制发规范性文件5件。",
        "较上年增加规范性文件5件。",
        "各部门共制发规范性文件9件。",
        "完善政务公开规章制度3项。",
        "全年主动公开政府信息152条。",
        "制作政策解读3件。",
        "市政府及市政府办政策性文件 11 件。",
    ] {
        for text in [with_s2(quiet), flat(&with_s2(quiet))] {
            let r = check(&text);
            assert!(
                !has(&r, "NARRATIVE_TABLE_MISMATCH") && !has(&r, "NARRATIVE_TOTAL_TOO_SMALL"),
                "{quiet}: {:#?}",
                r.findings
            );
        }
    }
    // The clean reports themselves, and the 2019 format (新制作 / 新公开 / 对外公开总数量).
    for clean in [CLEAN_2021, CLEAN_2019] {
        assert!(check(clean).findings.is_empty());
    }
    let t = replace(CLEAN_2019, "工作动态129条。", "工作动态129条。全年制发规范性文件2件，公开规范性文件15件。");
    assert!(check(&t).findings.is_empty(), "{:#?}", check(&t).findings);
    let t = replace(CLEAN_2019, "工作动态129条。", "工作动态129条。全年制发规范性文件4件。");
    let msgs = mismatch_messages(&t);
    assert!(msgs.iter().any(|m| m.contains("本年新制作数量")), "{msgs:?}");
}

/// The clean report with 行政规范性文件 制发 `issued` (现行有效 raised to match).
fn with_issued(issued: u32) -> String {
    replace(CLEAN_2021, "行政规范性文件	2	1	15", &format!("行政规范性文件	{issued}	1	{}", issued + 13))
}

#[test]
fn items_published_total_below_documents_issued() {
    // The narrative's 152 items cannot hold the 160 documents the table says were issued.
    let text = with_issued(160);
    let r = check(&text);
    let f = r.with_code("NARRATIVE_TOTAL_TOO_SMALL").next().unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(f.severity, gongkai_checker::Severity::Warning);
    assert!(f.message.contains("160") && f.message.contains("152"), "{}", f.message);
    assert!(!r.has_errors(), "{:#?}", r.findings);
    assert!(has(&check(&flat(&text)), "NARRATIVE_TOTAL_TOO_SMALL"), "flattened");
    let sentence = "（一）主动公开。全年主动公开政府信息152条，其中机构职能3条，政策文件20条，工作动态129条。";
    for wording in [
        "（一）主动公开。全年主动公开政府信息1条。",
        "（一）主动公开。通过门户网站公开政府信息1条。",
        "（一）主动公开。主动公开各类信息共计 1 条。",
        "（一）主动公开。2023年，我局在政府网站平台主动发布各类政府信息 1 条。",
        "（一）主动公开。全年发布政务信息1条。",
    ] {
        let text = replace(CLEAN_2021, sentence, wording);
        assert!(has(&check(&text), "NARRATIVE_TOTAL_TOO_SMALL"), "{wording}: {:#?}", check(&text).findings);
        assert!(has(&check(&flat(&text)), "NARRATIVE_TOTAL_TOO_SMALL"), "{wording} flattened");
    }
    // Thousands separators.
    let text = replace(&with_issued(1300), sentence, "（一）主动公开。主动公开各类信息共计 1,234 条。");
    assert!(has(&check(&text), "NARRATIVE_TOTAL_TOO_SMALL"), "{:#?}", check(&text).findings);
    // Consistent: equal to, or more than, the documents issued; rough figures; other channels;
    // other kinds of items.
    let quiet_text = replace(&with_issued(1300), sentence, "（一）主动公开。主动公开各类信息共计 1,334 条。");
    assert!(!has(&check(&quiet_text), "NARRATIVE_TOTAL_TOO_SMALL"));
    for quiet in [
        "（一）主动公开。全年发布政务信息2条。",
        "（一）主动公开。主动公开各类政府信息 1 余条。",
        "（一）主动公开。通过政务微博发布信息1条。",
        "（一）主动公开。依申请公开信息1条。",
        "（一）主动公开。发布解读信息1条。",
        "（一）主动公开。2022年主动公开政府信息1条。",
    ] {
        let text = replace(CLEAN_2021, sentence, quiet);
        for t in [text.clone(), flat(&text)] {
            let r = check(&t);
            assert!(!has(&r, "NARRATIVE_TOTAL_TOO_SMALL"), "{quiet}: {:#?}", r.findings);
        }
    }
}

// Section 二 run-together digits settled by the narrative (issue 11, item 3).

/// 行政规范性文件 2 1 15 written as one run: "2115" splits as 2·1·15, 2·11·5 or 21·1·5.
fn run_together(sentence: &str, glued: bool) -> String {
    let row = if glued { "行政规范性文件2115" } else { "行政规范性文件	2115" };
    with_s2(sentence).replacen("行政规范性文件	2	1	15", row, 1)
}

fn s2_cells(r: &gongkai_checker::CheckReport) -> Vec<Option<i64>> {
    r.tables.section2_row("行政规范性文件").map(|v| v.iter().map(|x| x.as_i64()).collect()).unwrap_or_default()
}

#[test]
fn section2_run_settled_by_narrative() {
    for glued in [false, true] {
        // Without a narrative figure: ambiguous, as before.
        let r = check(&run_together("", glued));
        assert!(has(&r, "TABLE_AMBIGUOUS"), "{:#?}", r.findings);
        // One stated figure that only one reading has.
        for sentence in ["截至年底，现行有效规范性文件15件。", "本年度制发行政规范性文件2件，废止1件。"] {
            for text in [run_together(sentence, glued), flat(&run_together(sentence, glued))] {
                let r = check(&text);
                assert!(!has(&r, "TABLE_AMBIGUOUS"), "{sentence}: {:#?}", r.findings);
                assert!(!has(&r, "NARRATIVE_TABLE_MISMATCH"), "{sentence}: {:#?}", r.findings);
                let f = r.with_code("CELLS_RUN_TOGETHER").next().unwrap_or_else(|| panic!("{:#?}", r.findings));
                assert!(f.message.contains("正文"), "{}", f.message);
                assert_eq!(s2_cells(&r), vec![Some(2), Some(1), Some(15)]);
                assert!(!r.has_errors(), "{:#?}", r.findings);
            }
        }
        // A figure two readings share (制发 2: 2·1·15 and 2·11·5): narrowed, still ambiguous.
        let r = check(&run_together("本年度制发行政规范性文件2件。", glued));
        let f = r.with_code("TABLE_AMBIGUOUS").next().unwrap_or_else(|| panic!("{:#?}", r.findings));
        assert!(f.message.contains("2、1、15") && f.message.contains("2、11、5") && !f.message.contains("21、1、5"), "{}", f.message);
        assert_eq!(s2_cells(&r)[0], Some(2), "the cell both readings agree on is read");
        // A figure no reading has: ambiguous, and said so.
        let r = check(&run_together("本年度制发行政规范性文件7件。", glued));
        let f = r.with_code("TABLE_AMBIGUOUS").next().unwrap_or_else(|| panic!("{:#?}", r.findings));
        assert!(f.message.contains("都不符"), "{}", f.message);
    }
    // The 2019 format: 新制作 from 制发, 新公开 / 对外公开总数量 from 公开.
    let t = replace(CLEAN_2019, "规范性文件	2	2	15", "规范性文件	2215");
    let t = replace(&t, "工作动态129条。", "工作动态129条。全年制发规范性文件2件，公开规范性文件15件。");
    let r = check(&t);
    assert!(!has(&r, "TABLE_AMBIGUOUS"), "{:#?}", r.findings);
    assert_eq!(
        r.tables.section2_row("规范性文件").map(|v| v.iter().map(|x| x.as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(2), Some(2), Some(15)])
    );
}

/// An invented township report in the 2021 format, flattened to one line as a copied web page
/// arrives, with section 二's 行政规范性文件 row written without separators ("3120": 3·1·20,
/// 3·12·0 or 31·2·0) and the narrative's own figures.
fn township_one_line(narrative: &str) -> String {
    format!(
        "青禾县云溪镇人民政府2023年政府信息公开工作年度报告 一、总体情况 {narrative} \
         二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 0 0 0 行政规范性文件 3120 \
         第二十条第（五）项 信息内容 本年处理决定数量 行政许可 6 第二十条第（六）项 信息内容 本年处理决定数量 行政处罚 2 行政强制 0 \
         第二十条第（八）项 信息内容 本年收费金额（单位：万元） 行政事业性收费 0 \
         三、收到和处理政府信息公开申请情况 一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1 \
         四、政府信息公开行政复议、行政诉讼情况 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 \
         五、存在的主要问题及改进情况 宣传不足。 六、其他需要报告的事项 无。"
    )
}

#[test]
fn one_line_township_report() {
    // The narrative settles the run and agrees with the total.
    let r = check(&township_one_line("2023年，我镇主动公开政府信息12条。制发行政规范性文件3件，废止1件。"));
    assert_eq!(s2_cells(&r), vec![Some(3), Some(1), Some(20)], "{}", r.to_text());
    assert!(!has(&r, "TABLE_AMBIGUOUS") && !has(&r, "NARRATIVE_TABLE_MISMATCH") && !has(&r, "NARRATIVE_TOTAL_TOO_SMALL"), "{}", r.to_text());
    assert!(r.with_code("CELLS_RUN_TOGETHER").any(|f| f.message.contains("正文")), "{}", r.to_text());
    // Without figures for the documents: ambiguous, no cell guessed.
    let r = check(&township_one_line("2023年，我镇主动公开政府信息12条。"));
    assert!(has(&r, "TABLE_AMBIGUOUS"), "{}", r.to_text());
    assert!(s2_cells(&r).iter().all(|c| c.is_none()), "{:?}", s2_cells(&r));
    // A total smaller than the documents the narrative and the table agree were issued.
    let r = check(&township_one_line("2023年，我镇主动公开政府信息2条。制发行政规范性文件3件，废止1件。"));
    assert!(has(&r, "NARRATIVE_TOTAL_TOO_SMALL"), "{}", r.to_text());
}
