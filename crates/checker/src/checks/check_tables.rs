//! The table checks: rows and widths of sections 二 and 三, cells run together, values,
//! the arithmetic rules C1–C4.

use super::*;
use gongkai_domain::report_format::ReportFormat;

// ---------------------------------------------------------------------------------------------
// Section 二
// ---------------------------------------------------------------------------------------------

pub(super) fn read_section2(
    lines: &[Line],
    version: FormatVersion,
    markers: &tables::S2Markers,
    drop_last: bool,
    facts: &[S2Fact],
    findings: &mut Vec<Finding>,
) -> Vec<Section2Row> {
    // Widths follow the format the table itself shows.
    let shown = shown_version(markers, version);
    let fmt = format(shown);
    let width_of = |id: &str| -> usize {
        fmt.section2_rows()
            .find(|(_, r)| *r == id || (id == "规范性文件" && r.ends_with("规范性文件")))
            .map(|(b, _)| b.columns.len())
            .unwrap_or(1)
    };
    let mut read = tables::read_section2(lines, &width_of);
    if drop_last {
        read.drop_last_row();
    }
    // Section 二 has no arithmetic: the narrative's figures are the only thing that can settle
    // a run of digits (rows id → the figures that settled it).
    let settled = settle_by_narrative(&mut read, fmt, facts);
    let mut rows = Vec::new();
    if !read.any_cells && read.rows.is_empty() {
        push(
            findings,
            "TABLE_MISSING",
            Severity::Error,
            "第二部分没有“主动公开政府信息情况”统计表",
            Location::section(2).with_line(lines.first().map(|l| l.no)),
        );
        return rows;
    }
    for (block, label) in fmt.section2_rows() {
        let id = if label.ends_with("规范性文件") { "规范性文件" } else { label };
        let Some(r) = read.get(id) else {
            push(
                findings,
                "ROW_MISSING",
                Severity::Error,
                format!("第二部分缺少“{}”中的“{}”行", block.item, label),
                Location::section(2).with_row(label),
            );
            continue;
        };
        let loc = Location::section(2).with_row(label).with_line(Some(r.line));
        if r.values.len() != block.columns.len() {
            push(
                findings,
                "ROW_WIDTH",
                Severity::Error,
                format!("第二部分“{}”行应有 {} 个数（{}），读到 {} 个", label, block.columns.len(), block.columns.join("、"), r.values.len()),
                loc.clone(),
            );
        }
        for (i, (v, kind)) in r.values.iter().zip(block.kinds.iter()).enumerate() {
            use gongkai_domain::report_format::CellKind;
            let bad = match (v, kind) {
                (Value::Int(n), CellKind::Count) => *n < 0,
                (Value::Dec(_), CellKind::Count | CellKind::SignedCount) => true,
                (Value::Dec(x), CellKind::Amount) => *x < 0.0,
                (Value::Int(n), CellKind::Amount) => *n < 0,
                _ => false,
            };
            if bad {
                push(
                    findings,
                    "VALUE_INVALID",
                    Severity::Error,
                    format!("第二部分“{}”行“{}”为 {}，应为非负整数", label, block.columns.get(i).copied().unwrap_or(""), v),
                    loc.clone().with_column(block.columns.get(i).copied().unwrap_or("")),
                );
            }
        }
        let note = settled.iter().find(|(id, _)| *id == r.id).map(|(_, n)| n.as_str());
        if r.candidates.len() > 1 {
            let (list, differ) = crate::solve::describe(&r.candidates, block.columns);
            let why = match note {
                Some(n) => format!("正文所述（{n}）不足以确定是哪一种"),
                None => "本表没有勾稽关系可以确定，正文也没有可用的数字".to_string(),
            };
            push(
                findings,
                "TABLE_AMBIGUOUS",
                Severity::Warning,
                format!("第二部分“{label}”行的数字连在一起，可拆为 {list}（不同在{differ}列）；{why}，未作猜测，这些格按未读处理"),
                loc.clone(),
            );
        } else if r.run_together {
            let cells = r.values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("、");
            let msg = match note {
                Some(n) => format!("第二部分“{label}”行的数字连在一起，按正文所述（{n}）只有一种拆法：{cells}"),
                None => format!("第二部分“{label}”行的数字连在一起，只有一种拆法：{cells}"),
            };
            push(findings, "CELLS_RUN_TOGETHER", Severity::Warning, msg, loc.clone());
        }
        let mut values = r.values.clone();
        values.resize(block.columns.len(), Value::Blank);
        rows.push(Section2Row { block: block.item.to_string(), label: label.to_string(), values, line: r.line });
    }
    rows
}

/// The format whose section 二 the table shows (its widths and column headings), else the
/// one the year requires.
pub(super) fn shown_version(markers: &tables::S2Markers, version: FormatVersion) -> FormatVersion {
    if markers.v2019 > markers.v2021 {
        FormatVersion::Trial2019
    } else if markers.v2021 > 0 {
        FormatVersion::V2021
    } else {
        version
    }
}

/// Keeps, for each section 二 row whose digits split several ways, only the readings that agree
/// with every figure the narrative states for that row; a single survivor becomes the row's
/// values. Returns (row id, the figures used) for every row the narrative narrowed or settled,
/// and for rows it contradicted in every reading (left as they were).
fn settle_by_narrative(read: &mut ReadTable, fmt: &ReportFormat, facts: &[S2Fact]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let Some(block) = fmt.section2_block(1) else { return out };
    for r in read.rows.iter_mut().filter(|r| r.candidates.len() > 1) {
        let applicable: Vec<&S2Fact> =
            facts.iter().filter(|f| f.row == r.id && !f.kind.columns(block.columns).is_empty()).collect();
        if applicable.is_empty() {
            continue;
        }
        let used = applicable.iter().map(|f| f.describe()).collect::<Vec<_>>().join("，");
        let kept: Vec<Vec<i64>> =
            r.candidates.iter().filter(|c| applicable.iter().all(|f| f.fits(c, block.columns))).cloned().collect();
        match kept.len() {
            0 => {
                out.push((r.id, format!("{used}，与每一种拆法都不符")));
            }
            1 => {
                r.values = kept[0].iter().copied().map(Value::Int).collect();
                r.run_together = true;
                r.candidates.clear();
                out.push((r.id, used));
            }
            n if n < r.candidates.len() => {
                r.values = crate::solve::agreed(&kept);
                r.candidates = kept;
                out.push((r.id, used));
            }
            _ => out.push((r.id, used)),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Section 三
// ---------------------------------------------------------------------------------------------

pub(super) fn section3_rows(s3: &ReadTable, version: FormatVersion, findings: &mut Vec<Finding>) -> Vec<Section3Row> {
    let cols = format(version).section3_columns;
    let mut rows = Vec::new();
    if !s3.any_cells && s3.rows.is_empty() {
        push(
            findings,
            "TABLE_MISSING",
            Severity::Error,
            "第三部分没有“收到和处理政府信息公开申请情况”统计表",
            Location::section(3),
        );
        return rows;
    }
    // Rows in statutory order of the version; the 2019 single row is kept where the report has it.
    let fmt = format(version);
    let other = format(match version {
        FormatVersion::V2021 => FormatVersion::Trial2019,
        FormatVersion::Trial2019 => FormatVersion::V2021,
    });
    let mut order: Vec<&'static str> = fmt.section3_rows.iter().map(|r| r.id).collect();
    for r in other.section3_rows {
        if s3.get(r.id).is_some() && !order.contains(&r.id) {
            let pos = order.iter().position(|id| *id == tables::S3_TOTAL).unwrap_or(order.len());
            order.insert(pos, r.id);
        }
    }
    let replaced_by_2019 = s3.get(tables::S3_OTHER_2019).is_some();
    let replaced_by_2021 = s3.rows.iter().any(|r| r.id.starts_with("其他处理/"));
    for id in order {
        let Some(r) = s3.get(id) else {
            let covered = (id.starts_with("其他处理/") && replaced_by_2019) || (id == tables::S3_OTHER_2019 && replaced_by_2021);
            if !covered {
                let line = s3.unpaired.iter().find(|(u, _)| *u == id).map(|(_, l)| *l);
                let msg = if line.is_some() {
                    format!("第三部分“{id}”行找到了标签，但没有找到对应的数字")
                } else {
                    format!("第三部分缺少“{id}”行")
                };
                push(findings, "ROW_MISSING", Severity::Error, msg, Location::section(3).with_row(id).with_line(line));
            }
            continue;
        };
        let loc = Location::section(3).with_row(id).with_line(Some(r.line));
        let mut values = r.values.clone();
        // A pipe row whose last cells are blank and not written out ("| 3 |  |  |"): blanks.
        if values.len() < 7 && values.len() >= 2 && values.last().is_some_and(|v| v.is_blank()) {
            values.resize(7, Value::Blank);
        }
        if values.len() != 7 {
            push(
                findings,
                "ROW_WIDTH",
                Severity::Error,
                format!("第三部分“{}”行应有 7 个数（{}），读到 {} 个", id, cols.join("、"), values.len()),
                loc.clone(),
            );
            if values.len() > 7 {
                values = values.split_off(values.len() - 7);
            } else {
                values.resize(7, Value::Blank);
            }
        }
        if r.run_together {
            push(
                findings,
                "CELLS_RUN_TOGETHER",
                Severity::Warning,
                format!(
                    "第三部分“{}”行的数字连在一起，已按“总计等于各列之和”拆分为 {}",
                    id,
                    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("、")
                ),
                loc.clone(),
            );
        }
        for (i, v) in values.iter().enumerate() {
            let bad = match v {
                Value::Int(n) => *n < 0,
                Value::Dec(_) => true,
                Value::Blank => false,
            };
            if bad {
                push(
                    findings,
                    "VALUE_INVALID",
                    Severity::Error,
                    format!("第三部分“{}”行“{}”列为 {}，申请数应为非负整数", id, cols[i], v),
                    loc.clone().with_column(cols[i]),
                );
            }
        }
        rows.push(Section3Row { label: id.to_string(), values, line: r.line });
    }
    for (id, written, line) in &s3.misprints {
        push(
            findings,
            "LABEL_MISPRINT",
            Severity::Warning,
            format!("第三部分行标签“{}”与法定标签“{}”不一致", written.trim(), id.rsplit('/').next().unwrap_or(id)),
            Location::section(3).with_row(*id).with_line(Some(*line)),
        );
    }
    rows
}

pub(super) fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub(super) fn check_section3(rows: &[Section3Row], version: FormatVersion, ambiguous: &[&str], findings: &mut Vec<Finding>) {
    let fmt = format(version);
    let cols = fmt.section3_columns;
    let get = |id: &str| rows.iter().find(|r| r.label == id);
    let by_role = |role: RowRole| fmt.section3_row_with_role(role).and_then(|r| get(r.id));

    // C2: row totals.
    for r in rows {
        if ambiguous.contains(&r.label.as_str()) {
            continue;
        }
        let parts: f64 = r.values[..6].iter().map(|v| v.or_zero()).sum();
        let total = r.values[6];
        // A blank total cannot be checked (one BLANK_CELLS warning covers the table).
        if total.is_blank() {
            continue;
        }
        if (parts - total.or_zero()).abs() > 1e-9 {
            push(
                findings,
                "ARITH_C2",
                Severity::Error,
                format!(
                    "C2：第三部分“{}”行的“总计”为 {}，但自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六列之和为 {}（{}）",
                    r.label,
                    total,
                    fmt_num(parts),
                    r.values[..6].iter().map(|v| v.to_string()).collect::<Vec<_>>().join("+")
                ),
                Location::section(3).with_row(&r.label).with_column("总计").with_line(Some(r.line)),
            );
        }
    }

    // Column identities need every cell: not checked while a row's reading is open.
    if !ambiguous.is_empty() {
        return;
    }
    // C1: 新收 + 上年结转 = 总计 + 结转下年度, per column.
    if let (Some(a), Some(b), Some(t), Some(c)) = (
        by_role(RowRole::Received),
        by_role(RowRole::CarriedIn),
        by_role(RowRole::ResultTotal),
        by_role(RowRole::CarriedOut),
    ) {
        for (i, col) in cols.iter().enumerate() {
            let left = a.values[i].or_zero() + b.values[i].or_zero();
            let right = t.values[i].or_zero() + c.values[i].or_zero();
            if (left - right).abs() > 1e-9 {
                push(
                    findings,
                    "ARITH_C1",
                    Severity::Error,
                    format!(
                        "C1：“{col}”列中，本年新收 {} + 上年结转 {} = {}，但（七）总计 {} + 结转下年度 {} = {}；两者应相等",
                        a.values[i], b.values[i], fmt_num(left), t.values[i], c.values[i], fmt_num(right)
                    ),
                    Location::section(3).with_column(*col).with_line(Some(t.line)),
                );
            }
        }
    }

    // C3: （七）总计 = sum of result rows, per column (the rows the report actually has).
    if let Some(t) = by_role(RowRole::ResultTotal) {
        let result_rows: Vec<&Section3Row> = rows
            .iter()
            .filter(|r| {
                r.label == tables::S3_OTHER_2019
                    || format(FormatVersion::V2021).section3_row(&r.label).is_some_and(|s| s.role == RowRole::Result)
            })
            .collect();
        if !result_rows.is_empty() {
            for (i, col) in cols.iter().enumerate() {
                let sum: f64 = result_rows.iter().map(|r| r.values[i].or_zero()).sum();
                if (sum - t.values[i].or_zero()).abs() > 1e-9 {
                    let mut nonzero: Vec<String> = result_rows
                        .iter()
                        .filter(|r| r.values[i].or_zero() != 0.0)
                        .map(|r| format!("{} {}", short_label(&r.label), r.values[i]))
                        .collect();
                    if nonzero.len() > 8 {
                        let more = nonzero.len() - 8;
                        nonzero.truncate(8);
                        nonzero.push(format!("等 {more} 项"));
                    }
                    push(
                        findings,
                        "ARITH_C3",
                        Severity::Error,
                        format!(
                            "C3：“{col}”列中，（七）总计为 {}，但各项办理结果之和为 {}（{}）",
                            t.values[i],
                            fmt_num(sum),
                            if nonzero.is_empty() { "均为0".to_string() } else { nonzero.join(" + ") }
                        ),
                        Location::section(3).with_row(tables::S3_TOTAL).with_column(*col).with_line(Some(t.line)),
                    );
                }
            }
        }
    }
}

pub(super) fn short_label(id: &str) -> String {
    let tail = id.rsplit('/').next().unwrap_or(id);
    let group = if id.contains('/') { id.split('/').next().unwrap_or("") } else { "" };
    let tail: String = tail.chars().take(10).collect();
    if group.is_empty() {
        tail
    } else {
        format!("{group}{tail}")
    }
}

// ---------------------------------------------------------------------------------------------
// Section 四
// ---------------------------------------------------------------------------------------------

pub(super) fn check_section4_shape(cells: &[Value], first_line: Option<usize>, findings: &mut Vec<Finding>) {
    if cells.is_empty() {
        push(
            findings,
            "TABLE_MISSING",
            Severity::Error,
            "第四部分没有“行政复议、行政诉讼情况”统计表",
            Location::section(4),
        );
    } else if cells.len() != 15 {
        push(
            findings,
            "TABLE_INCOMPLETE",
            Severity::Error,
            format!("第四部分统计表应有 15 个数（行政复议、未经复议直接起诉、复议后起诉各 5 个），读到 {} 个", cells.len()),
            Location::section(4).with_line(first_line),
        );
    }
}

pub(super) fn check_section4(cells: &[Value], line: Option<usize>, findings: &mut Vec<Finding>) {
    let fmt = format(FormatVersion::V2021);
    for (i, v) in cells.iter().enumerate() {
        let bad = matches!(v, Value::Int(n) if *n < 0) || matches!(v, Value::Dec(_));
        if bad {
            let c = &fmt.section4[i];
            push(
                findings,
                "VALUE_INVALID",
                Severity::Error,
                format!("第四部分“{}”的“{}”为 {}，应为非负整数", c.group, c.column, v),
                Location::section(4).with_row(c.group).with_column(c.column).with_line(line),
            );
        }
    }
    for (g, group) in fmt.section4_groups().iter().enumerate() {
        let part = &cells[g * 5..g * 5 + 5];
        if part[4].is_blank() {
            continue;
        }
        let sum: f64 = part[..4].iter().map(|v| v.or_zero()).sum();
        if (sum - part[4].or_zero()).abs() > 1e-9 {
            push(
                findings,
                "ARITH_C4",
                Severity::Error,
                format!(
                    "C4：第四部分“{}”的总计为 {}，但结果维持 {} + 结果纠正 {} + 其他结果 {} + 尚未审结 {} = {}",
                    group.replace('/', "（") + if group.contains('/') { "）" } else { "" },
                    part[4],
                    part[0],
                    part[1],
                    part[2],
                    part[3],
                    fmt_num(sum)
                ),
                Location::section(4).with_row(*group).with_column("总计").with_line(line),
            );
        }
    }
}
