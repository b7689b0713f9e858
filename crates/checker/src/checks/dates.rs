//! Dates (statistical period, publication deadline, years in the text) and the fee
//! report (C11).

use super::*;

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

pub(super) static MISSING_NIAN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])((?:19|20)\d{2})\s?(1[0-2]|0?[1-9])\s*月\s*\d{1,2}\s*日").expect("regex")
});
pub(super) static PERIOD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起\s*)?(?:至|到|—|-|～|~)\s*(?:(\d{4})\s*年\s*)?12\s*月\s*31\s*日").expect("regex")
});
pub(super) static YEAR_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("regex"));

#[derive(Clone, Copy, PartialEq)]
pub(super) enum AgencyKind {
    Township,
    Government,
    Department,
    Unknown,
}

pub(super) fn agency_kind(name: Option<&str>) -> AgencyKind {
    let Some(n) = name else { return AgencyKind::Unknown };
    let c = compact(n);
    if c.ends_with("镇人民政府") || c.ends_with("乡人民政府") || c.contains("街道办事处") || c.ends_with("街道") || c.ends_with('镇') || c.ends_with('乡') {
        AgencyKind::Township
    } else if c.ends_with("人民政府") || c.ends_with("政府") {
        AgencyKind::Government
    } else {
        AgencyKind::Department
    }
}

pub(super) fn check_dates(
    lines: &[Line],
    st: &Structure,
    published: Option<(NaiveDate, usize)>,
    j: &Joined,
    today: Option<NaiveDate>,
    findings: &mut Vec<Finding>,
) {
    // Dates missing 年.
    for l in lines {
        if let Some(c) = l.text.contains('月').then(|| MISSING_NIAN_RE.captures(l.text)).flatten() {
            let m = c.get(0).map(|m| m.as_str().trim_start_matches(|ch: char| !ch.is_ascii_digit())).unwrap_or("");
            push(
                findings,
                "DATE_MISSING_NIAN",
                Severity::Warning,
                format!("日期“{}”缺少“年”字", snippet(m)),
                Location::line(l.no),
            );
        }
    }
    let Some(year) = st.year else { return };
    // Statistical period.
    for c in PERIOD_RE.captures_iter(&j.text) {
        let y1 = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok());
        let y2 = c.get(2).and_then(|m| m.as_str().parse::<i32>().ok()).or(y1);
        if y1 != Some(year) || y2 != Some(year) {
            let off = c.get(0).map(|m| m.start()).unwrap_or(0);
            push(
                findings,
                "DATE_YEAR_MISMATCH",
                Severity::Error,
                format!(
                    "统计期限写为“{}”，与报告年度 {year} 年不符",
                    snippet(c.get(0).map(|m| m.as_str()).unwrap_or(""))
                ),
                Location::line(j.line_at(off)),
            );
        }
    }
    // Year mentions in section 一.
    if let Some((a, b)) = st.section_range(1) {
        let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
        for l in lines.get(a..b).unwrap_or(&[]) {
            for c in YEAR_RE.captures_iter(l.text) {
                if let Some(y) = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok()) {
                    *counts.entry(y).or_insert(0) += 1;
                }
            }
        }
        let own = counts.get(&year).copied().unwrap_or(0);
        if let Some((&other, &n)) = counts.iter().filter(|(y, _)| **y != year && **y != year + 1).max_by_key(|(_, n)| **n) {
            if own == 0 && n >= 2 {
                push(
                    findings,
                    "DATE_YEAR_MISMATCH",
                    Severity::Warning,
                    format!("第一部分多次提到 {other} 年（{n} 处），却没有提到报告年度 {year} 年，疑似沿用其他年度的文字"),
                    Location::section(1).with_line(lines.get(a.saturating_sub(1)).map(|l| l.no)),
                );
            }
        }
    }
    let Some((date, idx)) = published else { return };
    let line = lines.get(idx).map(|l| l.no);
    if date <= NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(date) {
        push(
            findings,
            "DATE_YEAR_MISMATCH",
            Severity::Error,
            format!("发布日期 {date} 早于统计期结束（{year}-12-31），与报告年度不符"),
            Location::line(line.unwrap_or(1)),
        );
        return;
    }
    if let Some(t) = today {
        if date > t {
            push(
                findings,
                "DATE_FUTURE",
                Severity::Warning,
                format!("发布日期 {date} 晚于今天（{t}）"),
                Location::line(line.unwrap_or(1)),
            );
        }
    }
    let name = st.agency.as_deref().or(st.signature_agency.as_ref().map(|(s, _)| s.as_str()));
    let sig_kind = agency_kind(st.signature_agency.as_ref().map(|(s, _)| s.as_str()));
    let kind = match agency_kind(name) {
        AgencyKind::Unknown => sig_kind,
        k if sig_kind == AgencyKind::Township => {
            let _ = k;
            AgencyKind::Township
        }
        k => k,
    };
    let next = year + 1;
    let (deadline, sev, rule) = match kind {
        AgencyKind::Government => (
            NaiveDate::from_ymd_opt(next, 3, 31),
            Severity::Error,
            "县级以上人民政府的年度报告应于次年3月31日前公布（《条例》第四十九条）",
        ),
        AgencyKind::Department => (
            NaiveDate::from_ymd_opt(next, 1, 31),
            Severity::Error,
            "县级以上人民政府部门的年度报告应于次年1月31日前公布（《条例》第四十九条）",
        ),
        AgencyKind::Township => (
            NaiveDate::from_ymd_opt(next, 1, 31),
            Severity::Warning,
            "乡镇（街道）年度报告由县级政府汇总公布，期限按当地要求；此处按部门期限次年1月31日核对",
        ),
        AgencyKind::Unknown => (
            NaiveDate::from_ymd_opt(next, 3, 31),
            Severity::Warning,
            "未能识别机关类型，按最晚的法定期限次年3月31日核对",
        ),
    };
    if let Some(dl) = deadline {
        if date > dl {
            push(
                findings,
                "DATE_LATE",
                sev,
                format!("发布日期 {date} 晚于期限 {dl}：{rule}"),
                Location::line(line.unwrap_or(1)),
            );
        }
    }
    let _ = date.year();
}

// ---------------------------------------------------------------------------------------------
// Fees (C11)
// ---------------------------------------------------------------------------------------------

pub(super) fn check_fee(lines: &[Line], st: &Structure, version: FormatVersion, findings: &mut Vec<Finding>) {
    if version != FormatVersion::V2021 {
        return;
    }
    let Some((a, b)) = st.section_range(6) else { return };
    let sec = lines.get(a..b).unwrap_or(&[]);
    if sec.iter().all(|l| l.is_blank()) {
        return;
    }
    let mentions = sec.iter().any(|l| l.compact.contains("处理费") || l.compact.contains("收费") || l.compact.contains("收取"));
    if !mentions {
        push(
            findings,
            "FEE_NOT_REPORTED",
            Severity::Info,
            "第六部分未说明政府信息公开信息处理费的收取情况（实践中在此报告收费通知数和实收金额）",
            Location::section(6).with_line(st.heading(6).and_then(|h| lines.get(h.idx)).map(|l| l.no)),
        );
    }
}
