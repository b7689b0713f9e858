//! Import of existing content (issue 14 part 1): a manifest (CSV/XLSX plus a folder of files)
//! or a saved copy of an existing 政府信息公开 column becomes a [`Plan`] — the items that
//! would be created and every problem, each naming its row, page or file — and an applied
//! plan stores all its new items in one transaction, or none.
//!
//! - [`manifest`] reads the manifest, [`site`] and [`page`] read a site copy,
//!   [`mapping`] maps source columns to the catalog; this module resolves sources into a
//!   plan ([`resolve`]) and applies it ([`apply`]).

pub mod admin;
pub mod manifest;
pub mod mapping;
pub mod page;
pub mod site;
mod text;

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::model::{CatalogNode, DisclosureMode, DocType, ItemFields, Organisation, Validity};
use gongkai_store::import::{ImportMatch, ImportedAttachment, ImportedItem};
use gongkai_store::{AuditContext, NewAuditEntry, Store};

pub use text::parse_date;

/// Largest attachment accepted by an import (same as the back office's default upload limit).
pub const MAX_ATTACHMENT_BYTES: usize = 50 * 1024 * 1024;

/// Errors of an import that stop it as a whole (problems of single rows or pages are
/// collected in [`Plan::problems`] instead).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Input(String),
    #[error("导入有 {0} 个问题，未导入任何信息；请先修正后再导入（可先用试运行查看）")]
    Blocked(usize),
    #[error("{0}")]
    Store(#[from] gongkai_store::StoreError),
}

/// An item as read from its source, before it is placed in the catalog.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Where it came from, for messages: “第 3 行” or a page path.
    pub source: String,
    pub title: String,
    pub index_no: Option<String>,
    pub doc_number: Option<String>,
    pub publisher: String,
    pub formed_date: Option<NaiveDate>,
    pub publish_date: Option<NaiveDate>,
    /// The source column (栏目) name.
    pub column: String,
    pub topic: String,
    pub validity: Option<Validity>,
    /// Sanitised body HTML.
    pub body_html: String,
    /// Attachments read and checked.
    pub attachments: Vec<ImportedAttachment>,
}

/// What would happen to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    /// Already stored (the item's id): skipped.
    Skip(i64),
}

/// One planned item.
#[derive(Debug, Clone)]
pub struct Planned {
    pub source: String,
    pub catalog_name: String,
    pub action: Action,
    pub item: ImportedItem,
}

/// What an import would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub items: Vec<Planned>,
    /// Every problem, in Chinese, each naming its row, page or file. Any problem blocks the
    /// real run.
    pub problems: Vec<String>,
}

impl Plan {
    pub fn to_create(&self) -> usize {
        self.items.iter().filter(|p| p.action == Action::Create).count()
    }

    /// The plan as text for the command line and the back office.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let skipped = self.items.len() - self.to_create();
        out.push_str(&format!("将新建 {} 条信息，跳过 {} 条已存在的信息，问题 {} 个\n", self.to_create(), skipped, self.problems.len()));
        for p in &self.items {
            let i = &p.item;
            let what = match p.action {
                Action::Create => "新建".to_string(),
                Action::Skip(id) => format!("已存在，跳过（信息 {id}）"),
            };
            out.push_str(&format!(
                "  [{what}] {}：{}｜索引号 {}｜文号 {}｜发布日期 {}｜栏目 {}｜附件 {} 个\n",
                p.source,
                i.fields.title,
                i.index_no.as_deref().unwrap_or("（导入时编号）"),
                i.fields.doc_number.as_deref().unwrap_or("无"),
                i.publish_date,
                p.catalog_name,
                i.attachments.len()
            ));
        }
        for m in &self.problems {
            out.push_str(&format!("  [问题] {m}\n"));
        }
        out
    }
}

/// Find a catalog node by id or name (also the last part of a “上级/名称” path).
pub fn find_node<'a>(catalog: &'a [CatalogNode], wanted: &str) -> Result<&'a CatalogNode, String> {
    let w = wanted.trim();
    if let Ok(id) = w.parse::<i64>() {
        if let Some(n) = catalog.iter().find(|n| n.id == id) {
            return Ok(n);
        }
    }
    let name = w.rsplit(['/', '／', '>']).next().unwrap_or(w).trim();
    let found: Vec<&CatalogNode> = catalog.iter().filter(|n| n.name == name).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("目录中没有栏目“{w}”")),
        _ => Err(format!("目录中有多个名为“{name}”的栏目，请改用栏目编号")),
    }
}

/// Turn drafts into a plan: each draft is placed in the catalog (`column_of` maps its source
/// column to a node name or id), completed with defaults (发布机构 = the organisation,
/// 成文日期 = 发布日期) and checked against what is already stored; attachments go
/// through the virus scanner when one is configured.
pub async fn resolve(
    store: &Store,
    org: &Organisation,
    drafts: Vec<Draft>,
    mut problems: Vec<String>,
    column_of: &(dyn Fn(&str) -> Option<String> + Sync),
    scanner: &crate::malware_scan::Scanner,
) -> Result<Plan, ImportError> {
    let catalog = store.catalog(org.id).await?;
    let mut items: Vec<Planned> = Vec::new();
    for d in drafts {
        let mut bad = Vec::new();
        if d.title.trim().is_empty() {
            bad.push("缺少标题".to_string());
        }
        let Some(publish_date) = d.publish_date else {
            problems.push(format!("{}：缺少发布日期", d.source));
            continue;
        };
        let node = match column_of(&d.column) {
            Some(target) => match find_node(&catalog, &target) {
                Ok(n) => Some(n),
                Err(m) => {
                    bad.push(format!("栏目“{}”无法对应：{m}", d.column));
                    None
                }
            },
            None => {
                bad.push(if d.column.is_empty() { "没有栏目".to_string() } else { format!("栏目“{}”没有对应到目录（请在对应表中补充）", d.column) });
                None
            }
        };
        if d.index_no.is_none() {
            if let Err(e) = crate::ops::index_renderer(org, publish_date) {
                bad.push(format!("没有索引号，无法编号：{e}"));
            }
        }
        if let Some(ix) = &d.index_no {
            if let Some(other) = items.iter().find(|p| p.item.index_no.as_ref() == Some(ix)) {
                bad.push(format!("索引号“{ix}”与{}重复", other.source));
            }
        } else if let Some(other) = items.iter().find(|p| {
            p.item.index_no.is_none()
                && p.item.fields.title == d.title.trim()
                && p.item.publish_date == publish_date
                && p.item.fields.doc_number.as_deref().map(str::trim) == d.doc_number.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }) {
            bad.push(format!("与{}的标题、发布日期和文号都相同（重复）", other.source));
        }
        for a in &d.attachments {
            if let Err(e) = crate::upload::scan(scanner, &a.filename, &a.bytes).await {
                bad.push(e.to_string());
            }
        }
        if !bad.is_empty() || node.is_none() {
            problems.push(format!("{}：{}", d.source, bad.join("；")));
            continue;
        }
        let Some(node) = node else { continue };
        let fields = ItemFields {
            catalog_id: node.id,
            title: d.title.trim().to_string(),
            summary: String::new(),
            body_html: d.body_html,
            publisher: if d.publisher.trim().is_empty() { org.name.clone() } else { d.publisher.trim().to_string() },
            formed_date: d.formed_date.unwrap_or(publish_date),
            doc_number: d.doc_number.filter(|s| !s.trim().is_empty()),
            topic: d.topic,
            genre: String::new(),
            keywords: String::new(),
            disclosure_mode: DisclosureMode::Proactive,
            doc_type: DocType::Other,
            statutory_category: None,
        };
        let action = match store.import_match(org.id, d.index_no.as_deref(), &fields.title, publish_date, fields.doc_number.as_deref()).await? {
            ImportMatch::New => {
                if let Some(doc) = fields.doc_number.as_deref() {
                    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                    let twin = items.iter().find(|p| p.action == Action::Create && p.item.fields.doc_number.as_deref().map(norm) == Some(norm(doc)));
                    if let Some(other) = twin {
                        problems.push(format!("{}：文号“{doc}”与{}重复", d.source, other.source));
                        continue;
                    }
                    if store.doc_number_taken(org.id, doc).await? {
                        problems.push(format!("{}：文号“{doc}”在本机关已被其他信息使用", d.source));
                        continue;
                    }
                }
                Action::Create
            }
            ImportMatch::Exists(id) => Action::Skip(id),
            ImportMatch::IndexTaken => {
                problems.push(format!("{}：索引号“{}”已被其他机关的信息使用", d.source, d.index_no.as_deref().unwrap_or_default()));
                continue;
            }
        };
        items.push(Planned {
            source: d.source,
            catalog_name: node.name.clone(),
            action,
            item: ImportedItem {
                fields,
                index_no: d.index_no,
                publish_date,
                validity: d.validity.unwrap_or(Validity::Valid),
                attachments: d.attachments,
            },
        });
    }
    Ok(Plan { items, problems })
}

/// Who performs an import, for the item events and the audit log.
pub struct Importer {
    /// The staff account the items' events name.
    pub user_id: i64,
    /// The audit log's actor (`None` with `actor_name` “命令行” from the command line).
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub client: String,
    pub ctx: AuditContext,
}

/// Store a plan without problems: all new items in one transaction with one audit entry
/// `item.import`; returns the ids created.
pub async fn apply(store: &Store, org: &Organisation, plan: &Plan, by: Importer, at: DateTime<Utc>) -> Result<Vec<i64>, ImportError> {
    if !plan.problems.is_empty() {
        return Err(ImportError::Blocked(plan.problems.len()));
    }
    let new: Vec<ImportedItem> = plan.items.iter().filter(|p| p.action == Action::Create).map(|p| p.item.clone()).collect();
    if new.is_empty() {
        return Ok(Vec::new());
    }
    // Items without a 索引号 are numbered by the organisation's rule (checked by `resolve`).
    let pattern = gongkai_domain::index_number::IndexPattern::parse(&org.index_pattern);
    if new.iter().any(|i| i.index_no.is_none()) && (pattern.is_err() || org.org_code.trim().is_empty()) {
        return Err(ImportError::Input("本机关的机构代码或索引号规则不完整，无法为没有索引号的信息编号".into()));
    }
    let code = org.org_code.clone();
    let render = move |date: NaiveDate, serial: u64| match &pattern {
        Ok(p) => p.render(&code, date, serial),
        // Unreachable: every item has its own 索引号 when the rule is broken (checked above).
        Err(_) => String::new(),
    };
    let entry = NewAuditEntry {
        at,
        actor_id: by.actor_id,
        actor_name: by.actor_name,
        org_id: Some(org.id),
        action: "item.import".into(),
        target: format!("org:{}", org.id),
        detail: format!("导入已有公开信息 {} 条（跳过已存在 {} 条）", new.len(), plan.items.len() - new.len()),
        client: by.client,
        success: true,
    };
    let audited = store.audited(entry, by.ctx);
    let ids = audited.import_items(org.id, by.user_id, &new, &render, at).await?;
    // Running servers empty their page caches when the site generation moves.
    store.bump_site_generation().await?;
    Ok(ids.into_iter().flatten().collect())
}
