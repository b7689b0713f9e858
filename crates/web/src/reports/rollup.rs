//! The district roll-up (下级机关年度报告汇总): each subordinate unit's progress and figures,
//! the combined tables of the published reports, on a page and as an XLSX workbook. Units are
//! listed in directory order and the combined categories in catalog order (never code-point
//! order); figures taken from a report still being drafted or reviewed are marked 进行中.

use gongkai_domain::annual_report::CategoryCount;
use gongkai_report_export::layout::Grid;

use super::*;

/// One subordinate unit's line.
struct UnitRow {
    name: String,
    slug: String,
    level: &'static str,
    deadline: String,
    progress: ProgressStatus,
    published_on: Option<String>,
    items: Option<u64>,
    applications: Option<u64>,
    /// The figures come from a revision not yet published (draft or in review).
    in_progress: bool,
    revisions: usize,
}

struct Rollup {
    rows: Vec<UnitRow>,
    combined: AnnualReport,
    skipped: Vec<String>,
    published: usize,
}

/// Category counts in catalog order: the order the units' reports list them (each report
/// lists its own catalog's columns in order), first appearance first.
fn in_catalog_order(reports: &[&AnnualReport], combined: &[CategoryCount]) -> Vec<CategoryCount> {
    let mut order: Vec<&str> = Vec::new();
    for r in reports {
        for c in &r.figures.categories {
            if !order.contains(&c.name.as_str()) {
                order.push(&c.name);
            }
        }
    }
    let mut out: Vec<CategoryCount> = order.iter().filter_map(|n| combined.iter().find(|c| c.name == *n).cloned()).collect();
    out.extend(combined.iter().filter(|c| !order.contains(&c.name.as_str())).cloned());
    out
}

async fn gather(state: &AppState, staff: &Staff, year: i32) -> Result<Rollup, AppError> {
    let orgs = state.store.orgs().await?;
    let subtree = state.store.org_subtree_ids(staff.org.id).await?;
    // Directory order: the subtree as the store lists it (the organisation, then its units).
    let children: Vec<&Organisation> =
        subtree.iter().filter(|id| **id != staff.org.id).filter_map(|id| orgs.iter().find(|o| o.id == *id)).collect();
    let ids: Vec<i64> = children.iter().map(|o| o.id).collect();
    let reports = state.store.reports(&ids).await?;
    let today = today();
    let mut rows = Vec::new();
    let mut published = Vec::new();
    for child in &children {
        let mine: Vec<StoredReport> = reports.iter().filter(|r| r.org_id == child.id).cloned().collect();
        let revs: Vec<&StoredReport> = mine.iter().filter(|r| r.year == year).collect();
        let latest = revs.iter().max_by_key(|r| r.revision).copied();
        let first_published = revs.iter().filter_map(|r| r.published_on).min();
        let deadline = records::deadline_of(&state.store, child, year).await?;
        let progress = ProgressStatus::of(latest.map(|r| r.status), first_published, deadline, today);
        let latest_pub = records::latest_published(&mine, year).map(|r| r.content.clone());
        let (figures, in_progress) = match (&latest_pub, latest) {
            (Some(p), _) => (Some(p.clone()), false),
            (None, Some(draft)) => (Some(draft.content.clone()), true),
            (None, None) => (None, false),
        };
        rows.push(UnitRow {
            name: child.name.clone(),
            slug: child.slug.clone(),
            level: child.level.label(),
            deadline: date_cn(deadline),
            progress,
            published_on: first_published.map(date_cn),
            items: figures.as_ref().map(|r| r.figures.items_published),
            applications: figures.as_ref().map(|r| r.applications_received()),
            in_progress,
            revisions: revs.len(),
        });
        if let Some(r) = latest_pub {
            published.push(r);
        }
    }
    let refs: Vec<&AnnualReport> = published.iter().collect();
    let (mut combined, skipped) = combine(records::report_org(&staff.org), year, &refs);
    combined.figures.categories = in_catalog_order(&refs, &combined.figures.categories);
    Ok(Rollup { rows, combined, skipped, published: published.len() })
}

pub(super) async fn rollup(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let year = figures_year(q.year.as_deref())?;
    let r = gather(&state, &staff, year).await?;
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|u| {
            context! {
                name => u.name, slug => u.slug, level => u.level, deadline => u.deadline,
                progress => u.progress.as_str(), progress_label => u.progress.label(), published_on => u.published_on,
                items => u.items, applications => u.applications, in_progress => u.in_progress, revisions => u.revisions,
            }
        })
        .collect();
    render::page(
        "admin_report_rollup.html",
        context! {
            staff => staff.ctx(), site_name => state.config.site_name, year, prev => year - 1, next => year + 1,
            rows, published => r.published, total => r.rows.len(), skipped => r.skipped,
            any_in_progress => r.rows.iter().any(|u| u.in_progress),
            tables => grids_ctx(&r.combined), items => r.combined.figures.items_published,
            chart => Value::from_safe_string(charts::categories(&r.combined, Script::Hans)),
        },
    )
}

/// The roll-up as an XLSX workbook: 汇总 (one line per unit), 分类 (combined categories in
/// catalog order) and one sheet per combined table.
pub(super) async fn rollup_export(State(state): State<AppState>, staff: Staff, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let year = figures_year(q.year.as_deref())?;
    let r = gather(&state, &staff, year).await?;
    let bytes = workbook(&staff.org.name, year, &r).map_err(|e| AppError::Internal(format!("生成 XLSX 失败：{e}")))?;
    staff.audit(&state, "report.rollup_export", &format!("org:{}", staff.org.id), &format!("{year} 年，{} 个机关", r.rows.len()), true).await?;
    Ok(crate::admin::file_response(
        bytes,
        crate::admin::XLSX_MIME,
        &format!("rollup-{year}.xlsx"),
        &format!("{}{year}年度报告汇总.xlsx", staff.org.name),
    ))
}

const IN_PROGRESS: &str = "进行中（草稿或待审核，数字未定）";

fn workbook(org_name: &str, year: i32, r: &Rollup) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Note, Workbook};
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_text_wrap().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter);
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
    let pending = Format::new().set_italic().set_font_color(Color::RGB(0x9C5700)).set_background_color(Color::RGB(0xFFEB9C)).set_border(FormatBorder::Thin);

    let ws = wb.add_worksheet();
    ws.set_name("汇总")?;
    ws.write_string_with_format(0, 0, format!("{org_name}下级机关{year}年政府信息公开工作年度报告汇总"), &title)?;
    ws.write_string(1, 0, format!("已发布 {}/{} 个机关；标为“进行中”的数字取自尚未发布的草稿或待审核稿，可能变化，未计入合并表格。", r.published, r.rows.len()))?;
    let header = ["机关", "层级", "发布期限", "状态", "发布日期", "主动公开（条）", "新收申请（件）", "数字来源", "修订次数"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &head)?;
    }
    for (c, w) in [30.0, 10.0, 16.0, 14.0, 16.0, 14.0, 14.0, 30.0, 10.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, u) in r.rows.iter().enumerate() {
        let row = (i + 4) as u32;
        ws.write_string_with_format(row, 0, &u.name, &cell)?;
        ws.write_string_with_format(row, 1, u.level, &cell)?;
        ws.write_string_with_format(row, 2, &u.deadline, &cell)?;
        ws.write_string_with_format(row, 3, u.progress.label(), &cell)?;
        ws.write_string_with_format(row, 4, u.published_on.as_deref().unwrap_or(""), &cell)?;
        let number_format = if u.in_progress { &pending } else { &cell };
        for (col, v) in [(5u16, u.items), (6, u.applications)] {
            match v {
                Some(n) => ws.write_number_with_format(row, col, n as f64, number_format)?,
                None => ws.write_string_with_format(row, col, "", &cell)?,
            };
            if u.in_progress && v.is_some() {
                ws.insert_note(row, col, &Note::new(IN_PROGRESS).set_author("gongkai"))?;
            }
        }
        let source = match (u.in_progress, u.items.is_some()) {
            (true, _) => IN_PROGRESS,
            (false, true) => "已发布的年度报告",
            (false, false) => "尚未起草",
        };
        ws.write_string_with_format(row, 7, source, if u.in_progress { &pending } else { &cell })?;
        ws.write_number_with_format(row, 8, u.revisions as f64, &cell)?;
    }
    ws.set_freeze_panes(4, 1)?;

    let ws = wb.add_worksheet();
    ws.set_name("主动公开分类")?;
    ws.write_string_with_format(0, 0, "栏目（按目录顺序）", &head)?;
    ws.write_string_with_format(0, 1, "已发布报告合计（条）", &head)?;
    ws.set_column_width(0, 30.0)?;
    ws.set_column_width(1, 20.0)?;
    for (i, c) in r.combined.figures.categories.iter().enumerate() {
        ws.write_string_with_format((i + 1) as u32, 0, &c.name, &cell)?;
        ws.write_number_with_format((i + 1) as u32, 1, c.count as f64, &cell)?;
    }

    let mut names: Vec<String> = Vec::new();
    for grid in layout::grids(&r.combined, Script::Hans) {
        let ws = wb.add_worksheet();
        let mut name = sheet_name(&grid);
        if names.contains(&name) {
            name = format!("{name}{}", names.len() + 1);
        }
        names.push(name.clone());
        ws.set_name(&name)?;
        write_grid(ws, &grid, &head, &cell)?;
    }
    wb.save_to_buffer()
}

fn sheet_name(grid: &Grid) -> String {
    let n = grid.kind.section();
    format!("第{}部分表格", ["", "一", "二", "三", "四"].get(n as usize).copied().unwrap_or("")).chars().take(31).collect()
}

/// A combined table with its merged cells.
fn write_grid(ws: &mut rust_xlsxwriter::Worksheet, grid: &Grid, head: &rust_xlsxwriter::Format, cell: &rust_xlsxwriter::Format) -> Result<(), rust_xlsxwriter::XlsxError> {
    for c in 0..grid.columns {
        ws.set_column_width(c as u16, if c == 0 { 24.0 } else { 12.0 })?;
    }
    for p in grid.placed() {
        let (r, c) = (p.row as u32, p.col as u16);
        let format = if p.cell.header { head } else { cell };
        if p.cell.rowspan > 1 || p.cell.colspan > 1 {
            let (r2, c2) = (r + p.cell.rowspan as u32 - 1, c + p.cell.colspan as u16 - 1);
            ws.merge_range(r, c, r2, c2, &p.cell.text, format)?;
            if let Some(n) = p.cell.number {
                ws.write_number_with_format(r, c, n, format)?;
            }
        } else if let Some(n) = p.cell.number {
            ws.write_number_with_format(r, c, n, format)?;
        } else {
            ws.write_string_with_format(r, c, &p.cell.text, format)?;
        }
    }
    ws.set_freeze_panes(grid.header_rows as u32, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_the_catalogs_not_code_points() {
        let org = gongkai_domain::annual_report::ReportOrg { id: 1, name: "测试区".into(), code: String::new(), level: gongkai_domain::model::OrgLevel::CountyGovernment };
        let mut a = combine(org, 2024, &[]).0;
        a.figures.categories = ["机构职能", "政策文件", "财政信息"].iter().map(|n| CategoryCount { name: n.to_string(), count: 1 }).collect();
        let mut b = a.clone();
        b.figures.categories = ["机构职能", "应急管理", "财政信息"].iter().map(|n| CategoryCount { name: n.to_string(), count: 2 }).collect();
        let mut combined: Vec<CategoryCount> =
            ["应急管理", "政策文件", "机构职能", "财政信息"].iter().map(|n| CategoryCount { name: n.to_string(), count: 0 }).collect();
        combined.sort_by(|x, y| x.name.cmp(&y.name));
        let ordered: Vec<String> = in_catalog_order(&[&a, &b], &combined).into_iter().map(|c| c.name).collect();
        assert_eq!(ordered, ["机构职能", "政策文件", "财政信息", "应急管理"]);
    }
}
