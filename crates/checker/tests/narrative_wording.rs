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
