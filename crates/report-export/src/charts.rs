//! The report's charts as standalone SVG documents (`xmlns` set, no script, no style sheet):
//! items published per catalog column, applications by outcome, and the trend over years.
//! Each has a `<title>` and a `<desc>` that states every figure, and prints every figure next
//! to its bar, so the chart reads without colour and without the graphic.

use std::fmt::Write as _;

use gongkai_domain::annual_report::AnnualReport;
use gongkai_domain::report_format::RowRole;

use crate::script::Script;
use crate::text::escape;

const FONT: &str = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";
const FONT_SIZE: f64 = 13.0;
const BAR_COLOUR: &str = "#2f6fb0";
const SERIES_COLOURS: [&str; 3] = ["#2f6fb0", "#d9822b", "#4f9a3c"];
const TEXT_COLOUR: &str = "#222";
const AXIS_COLOUR: &str = "#888";

/// Estimated width of `text` at `size` px: CJK and full-width characters take one em, others
/// about 0.6 em.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * size
}

fn open_svg(out: &mut String, id: &str, width: f64, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"report-chart-svg\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"{FONT}\" font-size=\"{FONT_SIZE}\">\n\
         <title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
        w = width.ceil(),
        h = height.ceil(),
        title = escape(title),
        desc = escape(desc),
    );
}

fn heading(out: &mut String, x: f64, text: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x}\" y=\"24\" font-size=\"15\" font-weight=\"bold\" fill=\"{TEXT_COLOUR}\">{}</text>",
        escape(text)
    );
}

/// A horizontal bar chart: one labelled bar per entry, the figure printed after the bar.
fn hbar(id: &str, title: &str, desc: &str, bars: &[(String, u64)], empty: &str) -> String {
    let mut out = String::new();
    if bars.is_empty() {
        let w = (text_width(empty, 15.0) + 40.0).max(text_width(title, 15.0) + 40.0);
        open_svg(&mut out, id, w, 80.0, title, empty);
        heading(&mut out, 20.0, title);
        let _ = writeln!(
            out,
            "<text x=\"20\" y=\"58\" font-size=\"15\" fill=\"{TEXT_COLOUR}\">{}</text>",
            escape(empty)
        );
        out.push_str("</svg>\n");
        return out;
    }
    let label_w = bars
        .iter()
        .map(|(l, _)| text_width(l, FONT_SIZE))
        .fold(0.0, f64::max)
        .min(520.0)
        + 16.0;
    let bar_area = 320.0;
    let row_h = 26.0;
    let top = 40.0;
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let max_num_w = bars
        .iter()
        .map(|(_, v)| text_width(&v.to_string(), FONT_SIZE))
        .fold(0.0, f64::max);
    let width = (label_w + bar_area + max_num_w + 30.0).max(text_width(title, 15.0) + 40.0);
    let height = top + row_h * bars.len() as f64 + 16.0;
    open_svg(&mut out, id, width, height, title, desc);
    heading(&mut out, 10.0, title);
    let x0 = 10.0 + label_w;
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let len = (*value as f64 / max * bar_area).max(if *value > 0 { 1.0 } else { 0.0 });
        let _ = writeln!(
            out,
            "<text x=\"{lx:.1}\" y=\"{ty}\" text-anchor=\"end\" fill=\"{TEXT_COLOUR}\">{label}</text>\n\
             <rect x=\"{x0:.1}\" y=\"{by}\" width=\"{len:.1}\" height=\"{bh}\" fill=\"{BAR_COLOUR}\"/>\n\
             <text x=\"{nx:.1}\" y=\"{ty}\" fill=\"{TEXT_COLOUR}\">{value}</text>",
            lx = x0 - 8.0,
            ty = y + 17.0,
            by = y + 4.0,
            bh = row_h - 8.0,
            nx = x0 + len + 6.0,
            label = escape(label),
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{x0:.1}\" y1=\"{top}\" x2=\"{x0:.1}\" y2=\"{y2}\" stroke=\"{AXIS_COLOUR}\" stroke-width=\"1\"/>",
        y2 = height - 12.0
    );
    out.push_str("</svg>\n");
    out
}

fn list_desc(bars: &[(String, u64)], unit: &str, sep: &str) -> String {
    bars.iter()
        .map(|(l, v)| format!("{l}{v}{unit}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Items published in the year, per catalog column (bar chart).
pub fn categories(report: &AnnualReport, script: Script) -> String {
    let t = |s: &str| script.convert(s);
    let bars: Vec<(String, u64)> = report
        .figures
        .categories
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| (t(&c.name), c.count))
        .collect();
    let title = t(&format!("{}年主动公开政府信息（按栏目）", report.year));
    let desc = if bars.is_empty() {
        t(&format!("{}年未主动公开政府信息。", report.year))
    } else {
        t(&format!(
            "{}年共主动公开政府信息{}条，其中{}。",
            report.year,
            report.figures.items_published,
            list_desc(&bars, "条", "，")
        ))
    };
    hbar(
        &format!("chart-categories-{}", report.year),
        &title,
        &desc,
        &bars,
        &t("本年度无主动公开的政府信息"),
    )
}

/// A result row's label for the chart: sub-group rows carry their group ("不予公开：1.属于国家
/// 秘密"); the explanatory parenthesis of "（二）部分公开（…）" is dropped.
fn outcome_label(label: &str, group: Option<&str>, top_group: Option<&str>) -> String {
    match group {
        Some(g) if Some(g) != top_group => format!("{g}：{label}"),
        _ => {
            // "（二）部分公开（区分处理的…）" → "（二）部分公开"
            let mut chars = label.char_indices().skip(3);
            match chars.find(|(_, c)| *c == '（') {
                Some((i, _)) if label.starts_with('（') => label[..i].to_string(),
                _ => label.to_string(),
            }
        }
    }
}

/// Applications by outcome: the section 三 result rows with a non-zero total.
pub fn outcomes(report: &AnnualReport, script: Script) -> String {
    let t = |s: &str| script.convert(s);
    let top_group = report
        .section3_role(RowRole::ResultTotal)
        .and_then(|r| r.group.as_deref());
    let bars: Vec<(String, u64)> = report
        .section3
        .iter()
        .filter(|r| r.role == RowRole::Result && r.cells[6] > 0)
        .map(|r| (t(&outcome_label(&r.label, r.group.as_deref(), top_group)), r.cells[6]))
        .collect();
    let received = report.applications_received();
    let title = t(&format!("{}年政府信息公开申请办理结果", report.year));
    let empty = t("本年度无政府信息公开申请");
    let desc = if bars.is_empty() {
        if received > 0 {
            t(&format!("{}年收到政府信息公开申请{}件，本年度尚无办结的申请。", report.year, received))
        } else {
            empty.clone()
        }
    } else {
        t(&format!(
            "{}年本年新收政府信息公开申请{}件，办理结果：{}。",
            report.year,
            received,
            list_desc(&bars, "件", "，")
        ))
    };
    let empty_text = if received > 0 {
        t("本年度尚无办结的政府信息公开申请")
    } else {
        empty
    };
    hbar(
        &format!("chart-outcomes-{}", report.year),
        &title,
        &desc,
        &bars,
        &empty_text,
    )
}

/// Items published, applications received and appeals (复议 and 诉讼) per year, as grouped
/// bars, one group per report in year order.
pub fn trend(reports: &[AnnualReport], script: Script) -> String {
    let t = |s: &str| script.convert(s);
    let mut years: Vec<&AnnualReport> = reports.iter().collect();
    years.sort_by_key(|r| r.year);
    let series = [t("主动公开信息（条）"), t("收到申请（件）"), t("行政复议和诉讼（件）")];
    let values: Vec<(i32, [u64; 3])> = years
        .iter()
        .map(|r| {
            let appeals = (0..3).map(|g| r.section4_total(g)).sum();
            (
                r.year,
                [r.figures.items_published, r.applications_received(), appeals],
            )
        })
        .collect();
    let title = match (values.first(), values.last()) {
        (Some((a, _)), Some((b, _))) if a != b => t(&format!("{a}—{b}年政府信息公开工作情况")),
        (Some((a, _)), _) => t(&format!("{a}年政府信息公开工作情况")),
        _ => t("历年政府信息公开工作情况"),
    };
    let id = "chart-trend";
    let mut out = String::new();
    if values.is_empty() {
        let empty = t("暂无年度报告");
        open_svg(&mut out, id, 360.0, 80.0, &title, &empty);
        heading(&mut out, 20.0, &title);
        let _ = writeln!(
            out,
            "<text x=\"20\" y=\"58\" font-size=\"15\" fill=\"{TEXT_COLOUR}\">{}</text>",
            escape(&empty)
        );
        out.push_str("</svg>\n");
        return out;
    }
    let desc = values
        .iter()
        .map(|(y, v)| {
            t(&format!(
                "{y}年：主动公开信息{}条，收到申请{}件，行政复议和诉讼{}件",
                v[0], v[1], v[2]
            ))
        })
        .collect::<Vec<_>>()
        .join("；")
        + "。";

    let bar_w = 24.0;
    let gap = 6.0;
    let group_w = 3.0 * bar_w + 2.0 * gap;
    let group_gap = 36.0;
    let left = 40.0;
    let plot_top = 80.0;
    let plot_h = 200.0;
    let axis_y = plot_top + plot_h;
    let legend_w: f64 = series.iter().map(|s| text_width(s, FONT_SIZE) + 40.0).sum();
    let width = (left + values.len() as f64 * (group_w + group_gap) + 20.0)
        .max(legend_w + 40.0)
        .max(text_width(&title, 15.0) + 40.0);
    let height = axis_y + 40.0;
    open_svg(&mut out, id, width, height, &title, &desc);
    heading(&mut out, 10.0, &title);
    // Legend.
    let mut lx = 10.0;
    for (name, colour) in series.iter().zip(SERIES_COLOURS) {
        let _ = writeln!(
            out,
            "<rect x=\"{lx}\" y=\"40\" width=\"14\" height=\"14\" fill=\"{colour}\"/>\
             <text x=\"{tx}\" y=\"52\" fill=\"{TEXT_COLOUR}\">{}</text>",
            escape(name),
            tx = lx + 20.0
        );
        lx += text_width(name, FONT_SIZE) + 40.0;
    }
    let max = values
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    for (i, (year, v)) in values.iter().enumerate() {
        let gx = left + i as f64 * (group_w + group_gap);
        for (k, value) in v.iter().enumerate() {
            let h = (*value as f64 / max * (plot_h - 20.0)).max(if *value > 0 { 1.0 } else { 0.0 });
            let x = gx + k as f64 * (bar_w + gap);
            let _ = writeln!(
                out,
                "<rect x=\"{x}\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"{h:.1}\" fill=\"{c}\"/>\
                 <text x=\"{cx}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{TEXT_COLOUR}\">{value}</text>",
                y = axis_y - h,
                c = SERIES_COLOURS[k],
                cx = x + bar_w / 2.0,
                ty = axis_y - h - 4.0,
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"{TEXT_COLOUR}\">{}</text>",
            escape(&t(&format!("{year}年"))),
            cx = gx + group_w / 2.0,
            ty = axis_y + 20.0,
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{x1}\" y1=\"{axis_y}\" x2=\"{x2}\" y2=\"{axis_y}\" stroke=\"{AXIS_COLOUR}\" stroke-width=\"1\"/>",
        x1 = left - 10.0,
        x2 = width - 10.0
    );
    out.push_str("</svg>\n");
    out
}
