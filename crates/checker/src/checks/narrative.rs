//! Narrative checks: prose joined across line breaks, "N条，其中…" breakdowns and the
//! narrative's figures against the tables.

use super::*;

// ---------------------------------------------------------------------------------------------
// Narrative
// ---------------------------------------------------------------------------------------------

/// Prose of the report joined across hard line breaks, with a map back to line numbers.
pub(crate) struct Joined {
    pub text: String,
    /// (byte offset in text, line number), ascending.
    pub map: Vec<(usize, usize)>,
}

impl Joined {
    pub(super) fn line_at(&self, offset: usize) -> usize {
        match self.map.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => self.map[i].1,
            Err(0) => self.map.first().map(|m| m.1).unwrap_or(1),
            Err(i) => self.map[i - 1].1,
        }
    }
}

/// Line indices of prose: everything except table lines of sections 二–四 and the signature.
pub(super) fn narrative_text(lines: &[Line], st: &Structure) -> Vec<usize> {
    let table_ranges: Vec<(usize, usize)> = [2u8, 3, 4].iter().filter_map(|t| st.section_range(*t)).collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate().take(st.body_end) {
        if l.is_blank() {
            continue;
        }
        let in_table = table_ranges.iter().any(|(a, b)| i >= *a && i < *b);
        if in_table && l.compact.chars().count() <= 30 {
            continue;
        }
        out.push(i);
    }
    out
}

pub(super) static BREAKDOWN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\s*(条|件|个|宗|起|篇|项|次|场|期)[^。；;\d]{0,4}?其中").expect("regex")
});
pub(super) static PART_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\s*(条|件|个|宗|起|篇|项|次|场|期)").expect("regex"));

pub(crate) fn join_lines(lines: &[Line], idx: &[usize]) -> Joined {
    let mut text = String::new();
    let mut map = Vec::with_capacity(idx.len());
    for &i in idx {
        if let Some(l) = lines.get(i) {
            map.push((text.len(), l.no));
            text.push_str(l.text);
        }
    }
    Joined { text, map }
}

pub(super) fn find_breakdowns(j: &Joined, findings: &mut Vec<Finding>) -> Vec<Breakdown> {
    let mut out = Vec::new();
    for c in BREAKDOWN_RE.captures_iter(&j.text) {
        let (Some(whole), Some(num), Some(unit)) = (c.get(0), c.get(1), c.get(2)) else { continue };
        let Ok(total) = num.as_str().parse::<i64>() else { continue };
        let rest = &j.text[whole.end()..];
        let end = rest.find(['。', '；', ';']).unwrap_or(rest.len()).min(600);
        let mut end = end;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let span = &rest[..end];
        let mut parts = Vec::new();
        let mut mixed = false;
        for p in PART_RE.captures_iter(span) {
            let (Some(n), Some(u)) = (p.get(1), p.get(2)) else { continue };
            if u.as_str() != unit.as_str() {
                mixed = true;
                break;
            }
            if let Ok(v) = n.as_str().parse::<i64>() {
                parts.push(v);
            }
        }
        if mixed || parts.len() < 2 {
            continue;
        }
        let sum: i64 = parts.iter().sum();
        let line = j.line_at(num.start());
        let consistent = sum == total;
        if !consistent {
            push(
                findings,
                "NARRATIVE_SUM",
                Severity::Warning,
                format!(
                    "正文称“{}{}，其中……”，但所列分项之和为 {}（{}），与总数不符",
                    total,
                    unit.as_str(),
                    sum,
                    parts.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("+")
                ),
                Location::line(line),
            );
        }
        out.push(Breakdown { line, total, unit: unit.as_str().to_string(), parts, consistent });
    }
    out
}

pub(super) static NUM_UNIT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\s*(件|宗|个|份|起|条)").expect("regex"));

/// Clauses of a text between the delimiters 。，,；;（(）) with their byte offsets; the last
/// clause runs to the end of the text.
pub(super) fn clauses(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut start = 0usize;
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            // ASCII delimiters are single bytes; the full-width ones are 。 (E3 80 82) and
            // ，；（） (EF BC 8C / 9B / 88 / 89).
            let lead = b[i];
            let len = match lead {
                b',' | b';' | b'(' | b')' => 1,
                0xE3 if b.get(i + 1..i + 3) == Some(&[0x80, 0x82]) => 3,
                0xEF if matches!(b.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9B | 0x88 | 0x89])) => 3,
                _ => {
                    i += utf8_len(lead);
                    continue;
                }
            };
            i += len;
            let clause_start = start;
            start = i;
            return Some((clause_start, text.get(clause_start..at).unwrap_or_default()));
        }
        if start <= b.len() {
            let clause_start = start;
            start = b.len() + 1;
            return Some((clause_start, text.get(clause_start..).unwrap_or_default()));
        }
        None
    })
}

pub(super) fn check_narrative_vs_tables(j: &Joined, report: &CheckReport, findings: &mut Vec<Finding>) {
    let t = &report.tables;
    let received = t.section3_row(tables::S3_RECEIVED).and_then(|v| v.get(6).copied());
    let s4 = &t.section4;
    let recon = (s4.len() == 15).then(|| s4[4].or_zero() as i64);
    let litig = (s4.len() == 15).then(|| (s4[9].or_zero() + s4[14].or_zero()) as i64);
    let text = &j.text;
    for (clause_start, clause) in clauses(text) {
        if clause.is_empty() || clause.len() > 400 {
            continue;
        }
        // The figure must be ASCII digits to parse; skip the regex when there are none.
        if !clause.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(m) = NUM_UNIT_RE.captures(clause) else { continue };
        let (Some(nm), Some(_)) = (m.get(1), m.get(2)) else { continue };
        let Ok(n) = nm.as_str().parse::<i64>() else { continue };
        let line = j.line_at(clause_start + nm.start());
        let excluded = ["结转", "顺延", "上年", "答复", "办结", "其中", "转入"].iter().any(|k| clause.contains(k));
        // Real wording: "共收到政府信息公开申请13件", "受理依申请公开13件",
        // "新收政府信息公开申请数量为13件", "依申请公开13件".
        let is_received = clause.contains("申请")
            && ["受理", "收到", "新收", "接收", "提出", "申请数", "依申请公开"].iter().any(|k| clause.contains(k))
            && !clause.contains("行政复议")
            && !clause.contains("行政诉讼")
            && !excluded;
        if is_received {
            if let Some(Value::Int(tv)) = received {
                if tv != n {
                    push(
                        findings,
                        "NARRATIVE_TABLE_MISMATCH",
                        Severity::Warning,
                        format!("正文称收到（受理）政府信息公开申请 {n} 件，但第三部分表中“本年新收”总计为 {tv}"),
                        Location::line(line).with_row(tables::S3_RECEIVED),
                    );
                }
            }
            continue;
        }
        if clause.contains("行政复议") && !clause.contains("行政诉讼") && !excluded {
            if let Some(tv) = recon {
                if tv != n {
                    push(
                        findings,
                        "NARRATIVE_TABLE_MISMATCH",
                        Severity::Warning,
                        format!("正文称政府信息公开行政复议 {n} 件，但第四部分表中行政复议总计为 {tv}"),
                        Location::line(line).with_row("行政复议"),
                    );
                }
            }
            continue;
        }
        if clause.contains("行政诉讼") && !clause.contains("行政复议") && !excluded {
            if let Some(tv) = litig {
                if tv != n {
                    push(
                        findings,
                        "NARRATIVE_TABLE_MISMATCH",
                        Severity::Warning,
                        format!("正文称政府信息公开行政诉讼 {n} 件，但第四部分表中行政诉讼总计为 {tv}（未经复议直接起诉与复议后起诉之和）"),
                        Location::line(line).with_row("行政诉讼"),
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Items published: the narrative's figures for section 二
// ---------------------------------------------------------------------------------------------

/// What a narrative figure about 规章 or 规范性文件 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum S2Kind {
    /// 制发/印发/出台/制定/新增: the year's new documents (本年制发件数; 2019: 本年新制作数量).
    Issued,
    /// 废止/失效 (本年废止件数).
    Repealed,
    /// 现行有效 (现行有效件数).
    Current,
    /// 公开/发布/公布: either the year's new documents or all documents in force, so a figure
    /// is consistent when it equals any of those cells.
    Published,
}

impl S2Kind {
    fn verb(self) -> &'static str {
        match self {
            S2Kind::Issued => "制发",
            S2Kind::Repealed => "废止",
            S2Kind::Current => "现行有效",
            S2Kind::Published => "公开",
        }
    }

    /// Indices of the section 二 columns this kind of figure may stand for, by the column
    /// headings of the format the table uses (2021: 制发/废止/现行有效; 2019: 新制作/新公开/
    /// 对外公开总数量).
    pub(crate) fn columns(self, headings: &[&str]) -> Vec<usize> {
        let wanted: &[&str] = match self {
            S2Kind::Issued => &["制发", "新制作"],
            S2Kind::Repealed => &["废止"],
            S2Kind::Current => &["现行有效"],
            S2Kind::Published => &["制发", "现行有效", "新公开", "对外公开总"],
        };
        headings.iter().enumerate().filter(|(_, h)| wanted.iter().any(|w| h.contains(w))).map(|(i, _)| i).collect()
    }
}

/// A figure the narrative states for a section 二 row of 第二十条第（一）项.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S2Fact {
    /// "规章" or "规范性文件" (the reader's row ids).
    pub row: &'static str,
    pub kind: S2Kind,
    pub value: i64,
    pub line: usize,
}

impl S2Fact {
    /// The candidate reading `cells` (in the block's column order) agrees with this figure.
    pub(crate) fn fits(&self, cells: &[i64], headings: &[&str]) -> bool {
        self.kind.columns(headings).iter().any(|&c| cells.get(c) == Some(&self.value))
    }

    /// Short Chinese description, e.g. "制发规范性文件12件".
    pub(crate) fn describe(&self) -> String {
        format!("{}{}{}件", self.kind.verb(), self.row, self.value)
    }
}

static S2_NOUN_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"行政规范性文件|规范性文件|规章").expect("regex"));
/// The figure after the noun: "规范性文件12件", "规章 1 件", "规范性文件现行有效305件".
static S2_AFTER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^\d、\t|]{0,8}?(\d+)\s*(?:件|个|份|部|篇|条|项)").expect("regex"));
/// The figure before the noun: "出台12件规范性文件".
static S2_BEFORE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)\s*(?:件|个|份|部|篇|项)[^\d、\t|]{0,4}$").expect("regex"));
/// Verbs that say what a figure counts; the last one before the noun (or between the noun and
/// the figure) decides. Verbs not about issuing, repealing or publishing (审查, 备案, 清理,
/// 解读 …) make the figure unusable.
static S2_VERB_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"制发|印发|出台|新制定|制定|新增|发文|废止|失效|现行有效|公开|发布|公布|审查|审核|备案|清理|解读|征求意见|评估|修改|修订|报送|上报|起草|梳理|核查|宣传|转发|执行|贯彻|学习|培训|督查|检查",
    )
    .expect("regex")
});
/// A clause that goes on with the document of the clause before: "废止1件", "现行有效15件".
static S2_CONTINUED_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:本年|全年|年内|同时)?\s*(制发|印发|出台|制定|废止|失效|现行有效)[^\d]{0,3}?(\d+)\s*(?:件|个|份|部|篇|项)\s*$").expect("regex")
});
/// Clauses about other years, other bodies or changes are not statements of the year's figures.
const S2_EXCLUDED: &[&str] = &[
    "同比", "比上年", "较上年", "上年", "累计", "历年", "增加", "减少", "增长", "下降", "各部门", "各单位", "各县", "各区",
    "各乡镇", "各街道", "部门规章", "上级", "国务院", "省政府", "国家", "申请", "规章制度", "规章文件",
];

/// A 4-digit year in `s` other than `year`.
fn other_year(s: &str, year: Option<i32>) -> bool {
    let Some(year) = year else { return false };
    let b = s.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
            && s.get(i + 4..).is_some_and(|r| r.trim_start_matches(' ').starts_with('年'))
        {
            let y = b[i..i + 4].iter().fold(0i32, |a, d| a * 10 + i32::from(d - b'0'));
            if y != year {
                return true;
            }
        }
        i += 1;
    }
    false
}

fn verb_kind(v: &str) -> Option<S2Kind> {
    match v {
        "制发" | "印发" | "出台" | "新制定" | "制定" | "新增" | "发文" => Some(S2Kind::Issued),
        "废止" | "失效" => Some(S2Kind::Repealed),
        "现行有效" => Some(S2Kind::Current),
        "公开" | "发布" | "公布" => Some(S2Kind::Published),
        _ => None,
    }
}

/// The narrative's statements of how many 规章 / 规范性文件 were issued, repealed, in force or
/// published in the report year ("制发规范性文件12件", "新增公开市政府规章 1 件",
/// "现行有效规范性文件305件", "出台3件行政规范性文件"). Clauses about other years, other bodies,
/// changes or other work on documents (审查, 备案, 解读 …) are left out. Duplicates are dropped.
pub(crate) fn s2_facts(j: &Joined, year: Option<i32>) -> Vec<S2Fact> {
    let mut out: Vec<S2Fact> = Vec::new();
    let text = &j.text;
    if !(text.contains("规章") || text.contains("规范性文件")) {
        return out;
    }
    // The row of the last figure, for a following clause of the same sentence that names no
    // document ("制发规范性文件2件，废止1件，现行有效15件").
    let mut last_row: Option<&'static str> = None;
    for (clause_start, clause) in clauses(text) {
        let carried = last_row.take();
        if clause.is_empty() || clause.len() > 400 || !clause.bytes().any(|b| b.is_ascii_digit()) {
            continue;
        }
        if S2_EXCLUDED.iter().any(|k| clause.contains(k)) || other_year(clause, year) {
            continue;
        }
        if !(clause.contains("规章") || clause.contains("规范性文件")) {
            let after_comma = text[..clause_start].ends_with(['，', ',']);
            if let (Some(row), true) = (carried, after_comma) {
                if let Some(c) = S2_CONTINUED_RE.captures(clause) {
                    let (Some(v), Some(n)) = (c.get(1), c.get(2)) else { continue };
                    let (Some(kind), Ok(value)) = (verb_kind(v.as_str()), n.as_str().parse::<i64>()) else { continue };
                    let fact = S2Fact { row, kind, value, line: j.line_at(clause_start + n.start()) };
                    if !out.iter().any(|f| f.row == fact.row && f.kind == fact.kind && f.value == fact.value) {
                        out.push(fact);
                    }
                    last_row = Some(row);
                }
            }
            continue;
        }
        // Where the previous figure ended: a verb before it still applies ("制发规章1件、规范性
        // 文件2件"), and a figure is not taken twice.
        let mut taken_to = 0usize;
        for m in S2_NOUN_RE.find_iter(clause) {
            if m.start() < taken_to {
                continue;
            }
            let row = if m.as_str() == "规章" { "规章" } else { "规范性文件" };
            let after = &clause[m.end()..];
            let before = &clause[taken_to..m.start()];
            let (num, num_at, gap, num_end) = if let Some(c) = S2_AFTER_RE.captures(after) {
                let (Some(n), Some(w)) = (c.get(1), c.get(0)) else { continue };
                (n.as_str(), m.end() + n.start(), &after[..n.start()], m.end() + w.end())
            } else if let Some(c) = S2_BEFORE_RE.captures(before) {
                let Some(n) = c.get(1) else { continue };
                (n.as_str(), taken_to + n.start(), "", m.end())
            } else {
                continue;
            };
            // One figure for both kinds of document ("规章和规范性文件12件", "出台12件规章、规范性
            // 文件") belongs to neither row.
            let joint = |t: &str| t.starts_with(['和', '及', '与', '、', '或']) || ["和", "及", "与", "、", "规章", "规范性文件"].iter().any(|k| gap.contains(k));
            let after_noun = before.trim_end().strip_suffix(['和', '及', '与', '、', '或']).is_some_and(|b| b.ends_with("规章") || b.ends_with("规范性文件"));
            if joint(after) || after_noun {
                taken_to = num_end;
                continue;
            }
            let Ok(value) = num.parse::<i64>() else { continue };
            // The verb: one between the noun and the figure ("规范性文件现行有效305件") wins,
            // else the last one before the noun.
            let verb_before = S2_VERB_RE.find_iter(&clause[..m.start()]).last().map(|v| v.as_str());
            let verb = S2_VERB_RE.find_iter(gap).last().map(|v| v.as_str()).or(verb_before);
            taken_to = num_end;
            let Some(kind) = verb.and_then(verb_kind) else { continue };
            last_row = Some(row);
            let fact = S2Fact { row, kind, value, line: j.line_at(clause_start + num_at) };
            if !out.iter().any(|f| f.row == fact.row && f.kind == fact.kind && f.value == fact.value) {
                out.push(fact);
            }
        }
    }
    out
}

/// The narrative's total of items published in the year ("全年主动公开政府信息1234条",
/// "通过门户网站公开政府信息66条", "主动公开各类信息共计 1,234 条", "发布政务信息12条").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublishedTotal {
    pub value: i64,
    /// "5500余条", "约", "近", "多": a rough figure.
    pub approx: bool,
    pub line: usize,
    pub text: String,
}

/// A figure of items after 信息: "信息1234条", "信息共计 1,234 条", "信息 5500 余条". Searched
/// from the literal 信息 (rare beside a figure), then the verb is looked for before it.
static TOTAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"信息([^，。；;\d\t|]{0,8}?)(\d{1,3}(?:,\d{3})+|\d+)\s*(余|多)?\s*(?:条|件|篇)").expect("regex")
});
static TOTAL_VERB_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"公开|发布|公布|更新|推送").expect("regex"));
/// Words that make a matched figure a part, another kind of item or not the year's total.
const TOTAL_EXCLUDED: &[&str] = &[
    "解读", "新闻", "申请", "规章", "规范性文件", "文件", "政策", "其中", "同比", "上年", "较上年", "累计", "增加", "减少",
    "增长", "下降", "不予", "转载", "报送",
];
/// Words between 信息 and the figure that make it a rough figure.
const TOTAL_APPROX: &[&str] = &["约", "近", "超过", "逾", "余"];
/// Channels that do not carry the year's documents.
const NEW_MEDIA: &[&str] = &["微博", "微信", "公众号", "新媒体", "抖音", "头条", "快手", "视频号", "公开栏", "电子屏", "触摸屏", "客户端", "小程序"];

pub(crate) fn published_totals(j: &Joined, year: Option<i32>) -> Vec<PublishedTotal> {
    let text = &j.text;
    let mut out = Vec::new();
    if !text.contains("信息") {
        return out;
    }
    for c in TOTAL_RE.captures_iter(text) {
        let (Some(info), Some(g2), Some(num)) = (c.get(0), c.get(1), c.get(2)) else { continue };
        // The verb before 信息, with only words between them ("主动公开各类政府信息"): the last
        // verb after the last delimiter or figure, at most 16 characters before 信息.
        let mut from = info.start().saturating_sub(60);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let before = &text[from..info.start()];
        let seg_at = before.rfind(|ch: char| matches!(ch, '，' | '。' | '；' | ';' | ',' | '\t' | '|') || ch.is_ascii_digit()).map(|p| {
            p + before[p..].chars().next().map(char::len_utf8).unwrap_or(1)
        });
        let seg_at = from + seg_at.unwrap_or(0);
        let Some(verb) = TOTAL_VERB_RE.find_iter(&text[seg_at..info.start()]).last() else { continue };
        let verb_at = seg_at + verb.start();
        let g1 = &text[seg_at + verb.end()..info.start()];
        if g1.chars().count() > 16 {
            continue;
        }
        let whole_text = &text[verb_at..info.end()];
        let lead = &text[from..verb_at];
        let lead = lead.rfind(['。', '；', ';']).map(|p| &lead[p..]).unwrap_or(lead);
        // The clause before the verb: "依申请公开", "不予公开", "其中发布" …
        let clause_lead = lead.rfind(['，', ',']).map(|p| &lead[p..]).unwrap_or(lead);
        let words = [g1, clause_lead];
        if words.iter().any(|w| TOTAL_EXCLUDED.iter().any(|k| w.contains(k)))
            || ["增加", "减少", "同比"].iter().any(|k| g2.as_str().contains(k))
        {
            continue;
        }
        // Only items of every kind: "政府信息", "各类政务信息"; "人事任免信息", "招聘信息",
        // "预决算信息" are one kind among many and need not include the documents.
        let mut kind = g1.trim().to_string();
        for w in ["各类", "各项", "各种", "政府", "政务", "公共", "相关", "的", "等", "类", " "] {
            kind = kind.replace(w, "");
        }
        if !kind.is_empty() {
            continue;
        }
        let channel = lead.to_string();
        if NEW_MEDIA.iter().any(|k| channel.contains(k)) && !(channel.contains("网站") || channel.contains("门户")) {
            continue;
        }
        if other_year(lead, year) {
            continue;
        }
        let Ok(value) = num.as_str().replace(',', "").parse::<i64>() else { continue };
        out.push(PublishedTotal {
            value,
            approx: c.get(3).is_some() || TOTAL_APPROX.iter().any(|k| g2.as_str().contains(k)),
            line: j.line_at(num.start()),
            text: whole_text.to_string(),
        });
    }
    out
}

/// Column headings of the section 二 block of 第二十条第（一）项 in the format the table uses.
fn s2_doc_headings(version: FormatVersion) -> &'static [&'static str] {
    format(version).section2_block(1).map(|b| b.columns).unwrap_or(&[])
}

/// The narrative's figures for 规章 and 规范性文件 against section 二, and its total of items
/// published against the documents section 二 says were issued (which that total must include).
pub(super) fn check_items_published(
    facts: &[S2Fact],
    totals: &[PublishedTotal],
    rows: &[Section2Row],
    shown: FormatVersion,
    findings: &mut Vec<Finding>,
) {
    let headings = s2_doc_headings(shown);
    let row_of = |id: &str| rows.iter().find(|r| if id == "规章" { r.label == "规章" } else { r.label.ends_with("规范性文件") });
    for f in facts {
        let Some(r) = row_of(f.row) else { continue };
        let cols = f.kind.columns(headings);
        if cols.is_empty() {
            continue;
        }
        // Only figures the table states: a blank (or unsettled) cell is not compared.
        let cells: Option<Vec<i64>> = cols.iter().map(|&c| match r.values.get(c) {
            Some(Value::Int(v)) => Some(*v),
            _ => None,
        }).collect();
        let Some(cells) = cells else { continue };
        if cells.contains(&f.value) {
            continue;
        }
        let table = cols
            .iter()
            .zip(&cells)
            .map(|(&c, v)| format!("“{}”为 {v}", headings.get(c).copied().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join("、");
        let msg = match f.kind {
            S2Kind::Published => format!(
                "正文称公开{} {} 件，但第二部分表中“{}”行{}，与哪一个都不一致",
                f.row, f.value, r.label, table
            ),
            _ => format!("正文称{}{} {} 件，但第二部分表中“{}”行{}", f.kind.verb(), f.row, f.value, r.label, table),
        };
        push(
            findings,
            "NARRATIVE_TABLE_MISMATCH",
            Severity::Warning,
            msg,
            Location::section(2).with_row(r.label.as_str()).with_line(Some(f.line)),
        );
    }
    // The year's new 规章 and 规范性文件 are themselves items published: a stated total of
    // items published cannot be smaller than their sum. Blank cells count as 0, so the sum is
    // a lower bound and the warning never fires on a consistent report.
    let new_cols: Vec<usize> = headings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("制发") || h.contains("新公开"))
        .map(|(i, _)| i)
        .collect();
    let Some(&col) = new_cols.first() else { return };
    let parts: Vec<(&str, i64)> = ["规章", "规范性文件"]
        .iter()
        .filter_map(|id| row_of(id))
        .map(|r| (r.label.as_str(), r.values.get(col).map(|v| v.or_zero() as i64).unwrap_or(0).max(0)))
        .collect();
    let sum: i64 = parts.iter().map(|(_, v)| v).sum();
    for t in totals {
        if t.approx || t.value >= sum {
            continue;
        }
        push(
            findings,
            "NARRATIVE_TOTAL_TOO_SMALL",
            Severity::Warning,
            format!(
                "正文称“{}”，少于第二部分表中本年“{}”的规章和规范性文件之和 {sum}（{}）；本年制发的文件本身也是主动公开的信息",
                t.text,
                headings.get(col).copied().unwrap_or("制发"),
                parts.iter().map(|(l, v)| format!("{l} {v}")).collect::<Vec<_>>().join("、")
            ),
            Location::line(t.line),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(s: &str) -> Joined {
        Joined { text: s.to_string(), map: vec![(0, 1)] }
    }

    fn facts(s: &str) -> Vec<(&'static str, S2Kind, i64)> {
        s2_facts(&joined(s), Some(2023)).into_iter().map(|f| (f.row, f.kind, f.value)).collect()
    }

    fn totals(s: &str) -> Vec<(i64, bool)> {
        published_totals(&joined(s), Some(2023)).into_iter().map(|t| (t.value, t.approx)).collect()
    }

    #[test]
    fn document_figures() {
        use S2Kind::*;
        // Invented sentences in the forms PDF-extracted reports take (spaces around figures,
        // a line break joined inside a word).
        assert_eq!(
            facts("2023 年，县政府网站主动公开各类政府信息 4200 余条，全年新增公开县政府规章 2 件、县政府办政策性文件 9 件。"),
            vec![("规章", Published, 2)]
        );
        assert_eq!(
            facts("本年度制发行政规范性文件2件，废止1件，现行有效15件。"),
            vec![("规范性文件", Issued, 2), ("规范性文件", Repealed, 1), ("规范性文件", Current, 15)]
        );
        assert_eq!(facts("制发规章1件、废止规范性文件3件。"), vec![("规章", Issued, 1), ("规范性文件", Repealed, 3)]);
        assert_eq!(facts("全年出台12件规范性文件。"), vec![("规范性文件", Issued, 12)]);
        assert_eq!(facts("制发规章和规范性文件12件。"), vec![]);
        assert_eq!(facts("出台12件规章、规范性文件。"), vec![]);
        assert_eq!(facts("制发规章、规范性文件共12件。"), vec![]);
        assert_eq!(facts("截至年底，规范性文件现行有效305件。"), vec![("规范性文件", Current, 305)]);
        for none in [
            "2022年制发规范性文件5件。",
            "对规范性文件5件进行合法性审查。",
            "备案规范性文件4件。",
            "转发省政府规范性文件5件。",
            "完善信息公开规章制度3项。",
            "其中规章文件3条，通知公告16条。",
            "全年主动公开政府信息152条，其中规范性文件12条。",
            "较上年增加规范性文件5件。",
        ] {
            assert_eq!(facts(none), vec![], "{none}");
        }
    }

    #[test]
    fn published_total_wording() {
        assert_eq!(totals("2023 年，我区在政府网站平台主动公开政府信息 1136 条。"), vec![(1136, false)]);
        assert_eq!(totals("全年主动发布各类政府信息 2428 条，公开政府常务会议 7 期，解读信息发布 7 条。"), vec![(2428, false)]);
        assert_eq!(totals("市政府网站主动公开各类政府信息 5500 余条。"), vec![(5500, true)]);
        assert_eq!(totals("主动公开各类信息共计 1,234 条。"), vec![(1234, false)]);
        assert_eq!(totals("2023年,我镇通过区政府门户网站公开政府信息66条,其中发布机构概况1条,信息公开指南1条。"), vec![(66, false)]);
        assert_eq!(totals("发布政务信息35条。"), vec![(35, false)]);
        for none in [
            "通过政务微博发布信息300条。",
            "依申请公开信息5条。",
            "发布政策解读信息12条。",
            "2022年主动公开政府信息100条。",
            "主动公开政府信息同比增加30条。",
            "全年公开政府信息约2000条。",
            "公开人事任免信息5条。",
            "发布招聘信息3条。",
        ] {
            assert!(totals(none).iter().all(|(_, approx)| *approx), "{none}: {:?}", totals(none));
        }
    }
}
