//! HTML: an `<article class="annual-report">` fragment for the portal and the item body, and a
//! standalone downloadable document wrapping it. The fragment carries no `style` attribute and
//! no script (the portal's CSP is `default-src 'self'`); it uses class names, and its inline
//! SVG charts use presentation attributes only.

use std::fmt::Write as _;

use gongkai_domain::annual_report::AnnualReport;

use crate::charts;
use crate::layout::Grid;
use crate::script::Script;
use crate::text::{escape, outline, Para};

/// The report as an `<article class="annual-report">` to embed in a page.
pub fn html_fragment(report: &AnnualReport, script: Script) -> String {
    let o = outline(report, script);
    let mut out = String::with_capacity(32 * 1024);
    let _ = writeln!(
        out,
        "<article class=\"annual-report\" lang=\"{}\">",
        script.lang()
    );
    let _ = writeln!(out, "<h1 class=\"report-title\">{}</h1>", escape(&o.title));
    if !o.preamble.is_empty() {
        out.push_str("<div class=\"report-preamble\">\n");
        paragraphs_html(&mut out, &o.preamble);
        out.push_str("</div>\n");
    }
    for s in &o.sections {
        let _ = writeln!(
            out,
            "<section class=\"report-section\" id=\"report-section-{n}\" aria-labelledby=\"report-heading-{n}\">",
            n = s.number
        );
        let _ = writeln!(
            out,
            "<h2 id=\"report-heading-{}\">{}</h2>",
            s.number,
            escape(&s.heading)
        );
        paragraphs_html(&mut out, &s.paragraphs);
        if let Some(grid) = &s.table {
            out.push_str(&grid_html(grid));
        }
        let chart = match s.number {
            2 => Some(charts::categories(report, script)),
            3 => Some(charts::outcomes(report, script)),
            _ => None,
        };
        if let Some(svg) = chart {
            out.push_str("<figure class=\"report-chart\">\n");
            out.push_str(&svg);
            out.push_str("</figure>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("<div class=\"report-signature\">\n");
    let _ = writeln!(out, "<p class=\"report-signer\">{}</p>", escape(&o.signature));
    if let Some(d) = &o.date {
        let _ = writeln!(out, "<p class=\"report-date\">{}</p>", escape(d));
    }
    out.push_str("</div>\n</article>\n");
    out
}

fn paragraphs_html(out: &mut String, paras: &[Para]) {
    for p in paras {
        if p.subheading {
            let _ = writeln!(out, "<h3>{}</h3>", escape(&p.text));
        } else {
            let _ = writeln!(out, "<p>{}</p>", escape(&p.text));
        }
    }
}

fn span_attrs(out: &mut String, rowspan: usize, colspan: usize) {
    if rowspan > 1 {
        let _ = write!(out, " rowspan=\"{rowspan}\"");
    }
    if colspan > 1 {
        let _ = write!(out, " colspan=\"{colspan}\"");
    }
}

/// A grid as an HTML table with real row and column spans (the official layout with every
/// group label: 三、本年度办理结果 → （三）不予公开 → 1. …), for pages that show one table.
pub fn grid_html(grid: &Grid) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<div class=\"report-table-wrap\">\n<table class=\"report-table report-table-{}\">",
        grid.kind.slug()
    );
    for (r, row) in grid.rows.iter().enumerate() {
        if r == 0 && grid.header_rows > 0 {
            out.push_str("<thead>\n");
        }
        if r == grid.header_rows {
            out.push_str("<tbody>\n");
        }
        let heading_row = row.iter().all(|c| c.header);
        out.push_str("<tr>");
        for cell in row {
            if cell.header {
                let scope = match (heading_row, cell.colspan > 1, cell.rowspan > 1) {
                    (true, false, _) => "col",
                    (true, true, _) => "colgroup",
                    (false, _, false) => "row",
                    (false, _, true) => "rowgroup",
                };
                out.push_str("<th");
                span_attrs(&mut out, cell.rowspan, cell.colspan);
                let _ = write!(out, " scope=\"{scope}\"");
                if cell.vertical {
                    out.push_str(" class=\"vertical\"");
                } else if heading_row && cell.colspan == grid.columns {
                    out.push_str(" class=\"block-title\"");
                }
                let _ = write!(out, ">{}</th>", escape(&cell.text));
            } else {
                out.push_str("<td");
                span_attrs(&mut out, cell.rowspan, cell.colspan);
                if cell.number.is_some() {
                    out.push_str(" class=\"num\"");
                }
                let _ = write!(out, ">{}</td>", escape(&cell.text));
            }
        }
        out.push_str("</tr>\n");
        if r + 1 == grid.header_rows {
            out.push_str("</thead>\n");
        }
    }
    if grid.rows.len() > grid.header_rows {
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n</div>\n");
    out
}

const DOCUMENT_STYLE: &str = "\
body{margin:0;padding:2em 1em;background:#fff;color:#111;font-family:\"FangSong\",\"仿宋\",\"STFangsong\",\"Songti SC\",\"SimSun\",serif;font-size:16px;line-height:1.8}
.annual-report{max-width:60em;margin:0 auto}
.report-title{text-align:center;font-family:\"SimSun\",\"宋体\",\"Songti SC\",serif;font-size:1.6em;line-height:1.4;margin:0 0 1em}
.annual-report h2{font-family:\"SimHei\",\"黑体\",\"Heiti SC\",sans-serif;font-size:1.15em;font-weight:normal;margin:1.2em 0 .4em}
.annual-report h3{font-family:\"KaiTi\",\"楷体\",\"Kaiti SC\",serif;font-size:1em;margin:.8em 0 .2em;text-indent:2em}
.annual-report p{margin:.2em 0;text-indent:2em;text-align:justify}
.report-table-wrap{overflow-x:auto;margin:.8em 0}
.report-table{border-collapse:collapse;width:100%;font-size:13px;line-height:1.4}
.report-table th,.report-table td{border:1px solid #000;padding:.3em .4em;text-align:center;vertical-align:middle;font-weight:normal}
.report-table th.block-title{background:#f2f2f2;font-weight:bold}
.report-table-s2 th[scope=row],.report-table-s3 tbody th{text-align:left}
.report-table th.vertical{writing-mode:vertical-rl;text-align:center;letter-spacing:.2em;width:1.8em}
.report-table td.num{font-variant-numeric:tabular-nums}
.report-chart{margin:1em 0;text-align:center}
.report-chart svg{max-width:100%;height:auto}
.report-signature{margin-top:2em;text-align:right}
.report-signature p{text-indent:0;text-align:right}
@page{size:A4;margin:2.5cm 2cm}
@media print{body{padding:0;font-size:15pt}.report-table{font-size:9pt}.report-table-wrap{overflow:visible}thead{display:table-header-group}tr,.report-chart{break-inside:avoid}h2,h3{break-after:avoid}}
";

/// The report as a standalone HTML file (its own styles for table borders and print).
pub fn html_document(report: &AnnualReport, script: Script) -> String {
    let title = escape(&script.convert(report.title.trim()));
    let mut out = String::with_capacity(40 * 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"gongkai\">\n<title>{title}</title>\n<style>\n{DOCUMENT_STYLE}</style>\n</head>\n<body>\n",
        lang = script.lang(),
    );
    out.push_str(&html_fragment(report, script));
    out.push_str("</body>\n</html>\n");
    out
}
