//! Table extraction for sections 二, 三 and 四 from the usual flattenings: one row per line,
//! tab or space separated, Markdown, one cell per line, values printed before their labels,
//! labels split over several lines, cells run together.

use crate::report::Value;
use std::borrow::Cow;
use crate::text::{compact, split_row, Line, Tok};

/// One row read from a table.
#[derive(Debug, Clone)]
pub struct ReadRow {
    pub id: &'static str,
    pub values: Vec<Value>,
    /// 1-based line number where the row's label was found.
    pub line: usize,
    /// The values were split from a run of digits.
    pub run_together: bool,
    /// More than one split of a run of digits fits: the readings (values then hold the
    /// cells they agree on, the others blank).
    pub candidates: Vec<Vec<i64>>,
}

#[derive(Debug, Clone)]
struct Item<'a> {
    line: usize,
    id: Option<&'static str>,
    label: Cow<'a, str>,
    cells: Vec<Tok<'a>>,
}

/// Result of reading a table.
#[derive(Debug, Clone, Default)]
pub struct ReadTable {
    pub rows: Vec<ReadRow>,
    /// Labels found without values that could be paired: (id, line).
    pub unpaired: Vec<(&'static str, usize)>,
    /// Label misprints: (id, written label, line).
    pub misprints: Vec<(&'static str, String, usize)>,
    /// Any numeric cell was seen in the region.
    pub any_cells: bool,
}

impl ReadTable {
    pub fn get(&self, id: &str) -> Option<&ReadRow> {
        self.rows.iter().find(|r| r.id == id)
    }
    /// Drops the row read last in the text (at a cut, its figures may be incomplete).
    pub fn drop_last_row(&mut self) {
        if let Some((i, _)) = self.rows.iter().enumerate().max_by_key(|(_, r)| r.line) {
            let r = self.rows.remove(i);
            self.unpaired.push((r.id, r.line));
        }
    }
}

// Section 三 row ids (must equal the ids of gongkai_domain::report_format).
pub const S3_RECEIVED: &str = "一、本年新收政府信息公开申请数量";
pub const S3_CARRIED_IN: &str = "二、上年结转政府信息公开申请数量";
pub const S3_TOTAL: &str = "（七）总计";
pub const S3_CARRIED_OUT: &str = "四、结转下年度继续办理";
pub const S3_OTHER_2019: &str = "（六）其他处理";
pub const S3_OTHER_1: &str = "其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请";
pub const S3_OTHER_2: &str = "其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请";
pub const S3_OTHER_3: &str = "其他处理/3.其他";

/// (keywords, id): the first entry whose keyword occurs in the compact label wins.
const S3_KEYS: &[(&[&str], &str)] = &[
    (&["本年新收"], S3_RECEIVED),
    (&["上年结转"], S3_CARRIED_IN),
    (&["结转下年"], S3_CARRIED_OUT),
    (&["予以公开"], "（一）予以公开"),
    (&["部分公开"], "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    (&["国家秘密"], "不予公开/1.属于国家秘密"),
    (&["其他法律行政", "法规禁止公开"], "不予公开/2.其他法律行政法规禁止公开"),
    (&["三安全一稳定", "危及"], "不予公开/3.危及“三安全一稳定”"),
    (&["第三方合法权益", "保护第三方"], "不予公开/4.保护第三方合法权益"),
    (&["三类内部事务", "内部事务信息"], "不予公开/5.属于三类内部事务信息"),
    (&["四类过程性", "过程性信息"], "不予公开/6.属于四类过程性信息"),
    (&["行政执法案卷"], "不予公开/7.属于行政执法案卷"),
    (&["行政查询事项"], "不予公开/8.属于行政查询事项"),
    (&["本机关不掌握", "不掌握相关政府信息"], "无法提供/1.本机关不掌握相关政府信息"),
    (&["没有现成信息", "另行制作"], "无法提供/2.没有现成信息需要另行制作"),
    (&["补正后申请内容", "仍不明确"], "无法提供/3.补正后申请内容仍不明确"),
    (&["信访举报投诉"], "不予处理/1.信访举报投诉类申请"),
    (&["重复申请"], "不予处理/2.重复申请"),
    (&["公开出版物"], "不予处理/3.要求提供公开出版物"),
    (&["大量反复"], "不予处理/4.无正当理由大量反复申请"),
    (&["确认或重新", "重新出具", "已获取信息"], "不予处理/5.要求行政机关确认或重新出具已获取信息"),
    (&["逾期不补", "无正当理由逾期"], S3_OTHER_1),
    (&["收费通知", "缴纳费用"], S3_OTHER_2),
];

fn identify_s3(label: &str, has_cells: bool) -> Option<&'static str> {
    let c = compact(label);
    if c.is_empty() {
        return None;
    }
    for (keys, id) in S3_KEYS {
        if keys.iter().any(|k| c.contains(k)) {
            return Some(id);
        }
    }
    if (c.ends_with("3其他") || c.ends_with("三其他")) && !c.contains("法人") {
        return Some(S3_OTHER_3);
    }
    if c.contains("七总计") || (c.ends_with("总计") && has_cells && !c.contains("自然人") && !c.contains("法人")) {
        return Some(S3_TOTAL);
    }
    if c.contains("其他处理") {
        return Some(S3_OTHER_2019);
    }
    None
}

fn statutory_label(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A sub-row label that is complete on its line but differs from the statutory wording.
fn misprint(id: &str, label: &str) -> Option<String> {
    misprint_tail(id, label).then(|| {
        let want0 = compact(statutory_label(id)).chars().next().unwrap_or(' ');
        match label.rfind(want0) {
            Some(p) => label[p..].trim().to_string(),
            None => label.trim().to_string(),
        }
    })
}

fn misprint_tail(id: &str, label: &str) -> bool {
    if !id.contains('/') {
        return false;
    }
    let want: Vec<char> = compact(statutory_label(id)).chars().collect();
    let got_all: Vec<char> = compact(label).chars().collect();
    if want.len() < 3 {
        return false;
    }
    // Start of the written sub-row label: its number followed by the label's first character.
    let start = got_all.windows(2).rposition(|w| w[0] == want[0] && w[1] == want[1]);
    let Some(start) = start else { return false };
    let got = &got_all[start..];
    if got == want.as_slice() || want.starts_with(got) || got.starts_with(&want) {
        return false;
    }
    // Split labels end early: only compare when the written label ends like the statutory one.
    let last = want[want.len() - 1];
    if got.last() != Some(&last) {
        return false;
    }
    let d = edit_distance(got, &want);
    d > 0 && d <= want.len() / 3 + 1
}

fn items_of<'a>(lines: &[Line<'a>], identify: &dyn Fn(&str, bool) -> Option<&'static str>) -> Vec<Item<'a>> {
    let mut items: Vec<Item> = Vec::new();
    // A row label wrapped over several lines: the unidentified start of a label, carried to
    // the next line when together they name a row.
    let mut pending: Option<(usize, String)> = None;
    for l in lines {
        if l.is_blank() {
            continue;
        }
        let r = split_row(l.text);
        let mut id = identify(&r.label, !r.cells.is_empty());
        let mut label = r.label;
        let mut line_no = l.no;
        if let Some((pno, plabel)) = pending.take() {
            let starts_label = label.starts_with(|c: char| c.is_ascii_digit() || c == '（' || c == '(');
            if !starts_label && !label.is_empty() {
                let joined = format!("{plabel}{label}");
                if let Some(jid) = identify(&joined, !r.cells.is_empty()) {
                    if id.is_none() || id == Some(jid) {
                        id = Some(jid);
                        label = Cow::Owned(joined);
                        line_no = pno;
                    }
                } else if id.is_none() && r.cells.is_empty() && joined.chars().count() <= 60 {
                    pending = Some((pno, joined));
                    continue;
                }
            }
        }
        if id.is_none() && r.cells.is_empty() && ends_in_han(&label) && label.chars().count() <= 40 {
            pending = Some((l.no, label.into_owned()));
            continue;
        }
        let r = crate::text::RowLine { label, cells: r.cells };
        if id.is_none() && r.cells.is_empty() {
            continue;
        }
        items.push(Item { line: line_no, id, label: r.label, cells: r.cells });
    }
    items
}

fn ends_in_han(s: &str) -> bool {
    s.chars().next_back().is_some_and(|c| !c.is_ascii() && c.is_alphabetic())
}

/// Merges consecutive items carrying the same id (a label split over lines).
fn merge_split_labels(items: Vec<Item<'_>>) -> Vec<Item<'_>> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    for it in items {
        if let (Some(id), Some(prev)) = (it.id, out.iter_mut().rev().find(|p| p.id.is_some())) {
            let adjacent_same = prev.id == Some(id) && (prev.cells.is_empty() || it.cells.is_empty());
            if adjacent_same {
                if prev.cells.is_empty() {
                    prev.cells = it.cells;
                }
                prev.label.to_mut().push_str(&it.label);
                continue;
            }
        }
        out.push(it);
    }
    out
}

/// Pairs labels without values and values without labels.
fn assemble(items: Vec<Item<'_>>, width_of: &dyn Fn(&str) -> usize, row_total: bool) -> ReadTable {
    let mut table = ReadTable { any_cells: items.iter().any(|i| !i.cells.is_empty()), ..Default::default() };
    let mut seen: Vec<&'static str> = Vec::new();
    // Positions: (item index) of orphan labels and orphan value items.
    let mut orphan_labels: Vec<usize> = Vec::new();
    let mut orphan_values: Vec<usize> = Vec::new();
    let mut assigned: Vec<Option<Vec<Tok>>> = vec![None; items.len()];
    for (k, it) in items.iter().enumerate() {
        match (it.id, it.cells.is_empty()) {
            (Some(_), true) => orphan_labels.push(k),
            (Some(_), false) => assigned[k] = Some(it.cells.clone()),
            (None, false) => orphan_values.push(k),
            (None, true) => {}
        }
    }
    if !orphan_labels.is_empty() {
        let need: usize = orphan_labels.iter().filter_map(|&k| items[k].id).map(width_of).sum();
        let have: usize = orphan_values.iter().map(|&k| items[k].cells.len()).sum();
        if need == have {
            // In order: the i-th label without values takes the next values in reading order.
            let mut stream = orphan_values.iter().flat_map(|&k| items[k].cells.iter().cloned());
            for &k in &orphan_labels {
                let w = items[k].id.map(width_of).unwrap_or(0);
                let vals: Vec<Tok> = stream.by_ref().take(w).collect();
                assigned[k] = Some(vals);
            }
        } else {
            // Nearest unused value line of the right width, within 3 lines, keeping order.
            let mut used = vec![false; items.len()];
            let mut last_used_line = 0usize;
            for &k in &orphan_labels {
                let w = items[k].id.map(width_of).unwrap_or(0);
                let line = items[k].line;
                let best = orphan_values
                    .iter()
                    .copied()
                    .filter(|&v| !used[v] && items[v].cells.len() == w && items[v].line >= last_used_line)
                    .filter(|&v| items[v].line.abs_diff(line) <= 3)
                    .min_by_key(|&v| (items[v].line.abs_diff(line), usize::from(items[v].line < line)));
                if let Some(v) = best {
                    used[v] = true;
                    last_used_line = items[v].line;
                    assigned[k] = Some(items[v].cells.clone());
                }
            }
            // Labels and values in sequence (one cell per line): a label still without values
            // takes the value items between it and the next label, as far as they go.
            for (n, &k) in orphan_labels.iter().enumerate() {
                if assigned[k].is_some() {
                    continue;
                }
                let next_label = items.iter().enumerate().skip(k + 1).find(|(_, i)| i.id.is_some()).map(|(j, _)| j);
                let end = next_label.unwrap_or(items.len());
                let between: Vec<usize> = orphan_values.iter().copied().filter(|&v| v > k && v < end && !used[v]).collect();
                let cells: Vec<Tok> = between.iter().flat_map(|&v| items[v].cells.iter().cloned()).collect();
                let w = items[k].id.map(width_of).unwrap_or(0);
                let last = n + 1 == orphan_labels.len() && next_label.is_none();
                if cells.len() == w || (last && !cells.is_empty() && cells.len() < w) {
                    for v in between {
                        used[v] = true;
                    }
                    assigned[k] = Some(cells);
                }
            }
        }
    }
    for (k, it) in items.iter().enumerate() {
        let Some(id) = it.id else { continue };
        let Some(cells) = assigned[k].take() else {
            if !seen.contains(&id) {
                table.unpaired.push((id, it.line));
            }
            continue;
        };
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let w = width_of(id);
        let mut run_together = false;
        let mut cells = cells;
        // Padding cells of merged columns ("| 37 | | |"): empty fields beyond the row's width.
        while cells.len() > w && cells.last().is_some_and(|t| t.raw.is_empty()) {
            cells.pop();
        }
        let mut values: Vec<Value> = cells.iter().map(|t| t.value).collect();
        let mut candidates = Vec::new();
        if values.len() < w && w > 1 {
            // Cells run together: every split into the row's cells (that keeps the row total).
            let raws: Vec<&str> = cells.iter().map(|t| t.raw).collect();
            let group = if row_total { w } else { 0 };
            if let Some(found) = crate::solve::splits(&raws, w, group, crate::solve::MAX_CANDIDATES) {
                match found.len() {
                    0 => {}
                    1 => {
                        values = found[0].iter().copied().map(Value::Int).collect();
                        run_together = true;
                    }
                    _ => {
                        values = crate::solve::agreed(&found);
                        candidates = found;
                    }
                }
            }
        }
        if let Some(written) = misprint(id, &it.label) {
            table.misprints.push((id, written, it.line));
        }
        table.rows.push(ReadRow { id, values, line: it.line, run_together, candidates });
    }
    table.unpaired.retain(|(id, _)| !seen.contains(id));
    table
}

/// Reads the section 三 table from the lines of section 三.
pub fn read_section3(lines: &[Line]) -> ReadTable {
    let mut items = merge_split_labels(items_of(lines, &identify_s3));
    // A "（六）其他处理" heading without values over its sub-rows is a group heading.
    let has_subrows = items.iter().any(|i| matches!(i.id, Some(S3_OTHER_1 | S3_OTHER_2 | S3_OTHER_3)));
    if has_subrows {
        items.retain(|i| !(i.id == Some(S3_OTHER_2019) && i.cells.is_empty()));
        // With sub-rows present, a "（六）其他处理 …" line with values is the 3rd sub-row only
        // when it ends in 其他; otherwise keep it as the 2019 row (reported as wrong format).
    }
    assemble(items, &|_| 7, true)
}

// Section 二 ---------------------------------------------------------------------------------

fn identify_s2(label: &str, has_cells: bool) -> Option<&'static str> {
    let c = compact(label);
    let n = c.chars().count();
    if c.is_empty() || (n > 16 && !has_cells) || n > 40 {
        return None;
    }
    if c.contains("第二十条") || c.contains("信息内容") {
        return None;
    }
    if c.contains("规范性文件") {
        return Some("规范性文件");
    }
    ["规章", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费", "政府集中采购"].into_iter().find(|id| c.contains(id))
}

/// Markers of the format version seen in section 二.
#[derive(Debug, Clone, Copy, Default)]
pub struct S2Markers {
    pub v2021: usize,
    pub v2019: usize,
    /// Line of the first 2019 marker.
    pub first_2019_line: Option<usize>,
    pub first_2021_line: Option<usize>,
}

pub fn section2_markers(lines: &[Line]) -> S2Markers {
    let mut m = S2Markers::default();
    for l in lines {
        let c = &l.compact;
        let is21 = ["本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额"].iter().any(|k| c.contains(k));
        let is19 = ["本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "政府集中采购", "第二十条第九项", "其他对外管理服务事项"]
            .iter()
            .any(|k| c.contains(k));
        if is21 {
            m.v2021 += 1;
            m.first_2021_line.get_or_insert(l.no);
        }
        if is19 {
            m.v2019 += 1;
            m.first_2019_line.get_or_insert(l.no);
        }
    }
    m
}

/// Reads section 二 rows; `width_of` gives the number of cells per row id.
pub fn read_section2(lines: &[Line], width_of: &dyn Fn(&str) -> usize) -> ReadTable {
    let items = merge_split_labels(items_of(lines, &identify_s2));
    assemble(items, width_of, false)
}

// Section 四 ---------------------------------------------------------------------------------

/// Reads the 15 cells of section 四: all cells of the table lines in reading order.
/// Returns (cells, line of the first cell).
pub fn read_section4(lines: &[Line]) -> (Vec<Value>, Option<usize>, Vec<Vec<i64>>) {
    let mut cells: Vec<Value> = Vec::new();
    let mut raws: Vec<String> = Vec::new();
    let mut first = None;
    for l in lines {
        if l.is_blank() {
            continue;
        }
        let r = split_row(l.text);
        let label_c = compact(&r.label);
        if r.cells.is_empty() {
            // Prose after the data ends the table.
            if !cells.is_empty() && label_c.chars().count() > 40 {
                break;
            }
            continue;
        }
        // Lines of prose that end in a number are not table rows (a header run together with
        // a row of figures is).
        let run_digits: usize = r.cells.iter().filter(|t| t.raw.bytes().all(|b| b.is_ascii_digit())).map(|t| t.raw.len()).sum();
        if label_c.chars().count() > 30 && r.cells.len() < 5 && run_digits < 15 {
            if !cells.is_empty() {
                break;
            }
            continue;
        }
        first.get_or_insert(l.no);
        let mut row = r.cells.clone();
        // Padding cells at the end of a pipe row.
        while row.last().is_some_and(|t| t.raw.is_empty()) {
            row.pop();
        }
        cells.extend(row.iter().map(|t| t.value));
        raws.extend(row.iter().map(|t| t.raw.to_string()));
        if cells.len() >= 64 {
            break;
        }
    }
    let mut candidates = Vec::new();
    if !cells.is_empty() && cells.len() < 15 {
        // Cells run together: the splits into 15 whose groups of five add up.
        let toks: Vec<&str> = raws.iter().map(String::as_str).collect();
        if let Some(found) = crate::solve::splits(&toks, 15, 5, crate::solve::MAX_CANDIDATES) {
            match found.len() {
                0 => {}
                1 => cells = found[0].iter().copied().map(Value::Int).collect(),
                _ => {
                    cells = crate::solve::agreed(&found);
                    candidates = found;
                }
            }
        }
    }
    (cells, first, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_domain::report_format::{format, FormatVersion};

    #[test]
    fn ids_match_domain() {
        let f21 = format(FormatVersion::V2021);
        let f19 = format(FormatVersion::Trial2019);
        for (_, id) in S3_KEYS {
            assert!(f21.section3_row(id).is_some() || f19.section3_row(id).is_some(), "{id}");
        }
        for id in [S3_TOTAL, S3_OTHER_3, S3_CARRIED_OUT] {
            assert!(f21.section3_row(id).is_some(), "{id}");
        }
        assert!(f19.section3_row(S3_OTHER_2019).is_some());
    }

    #[test]
    fn misprints() {
        assert_eq!(misprint("不予公开/2.其他法律行政法规禁止公开", "三 2.其他法律行政止公开").as_deref(), Some("2.其他法律行政止公开"));
        assert!(misprint("不予公开/2.其他法律行政法规禁止公开", "2.其他法律行政法规禁止公开").is_none());
        assert!(misprint(S3_OTHER_1, "1、申请人无正当理由逾期不补").is_none());
    }
}
