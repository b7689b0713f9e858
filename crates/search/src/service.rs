//! Keeping a node's index in step with the database.
//!
//! The store appends a row to `search_changes` (seq, item id, op) in the same
//! transaction as every item change that can matter to search (publish,
//! withdraw and other transitions, edits, 有效性, attachments). Each node
//! keeps its own index and, committed with it as the tantivy commit payload,
//! the last seq it applied. [`SearchService::sync`] reads the rows after that
//! seq, re-reads those items and re-indexes them (published) or removes them
//! (anything else), and commits the new seq with the documents, atomically.
//! Re-reading current state makes applying idempotent, so a change applied
//! twice (after a crash between commit and bookkeeping) does no harm.
//!
//! `sync` runs before every search (so a node answers with every change
//! committed before the search began, whichever node made it) and every
//! second in the background. On start the index is rebuilt from the database
//! when it is missing, from another schema version, or further behind than
//! the log reaches (pruned rows). Search results are also checked against
//! the items' current status in the database before they are returned.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

use gongkai_domain::model::{Item, ItemStatus};
use gongkai_store::Store;
use serde::{Deserialize, Serialize};

use crate::index::{IndexDoc, SearchIndex, SearchRequest, SearchResults, WriterOptions, SCHEMA_VERSION};
use crate::SearchError;

/// Changes applied per index commit.
const BATCH: i64 = 500;
/// Items loaded per step of a rebuild.
const REBUILD_CHUNK: usize = 100;
/// Log rows older than this are pruned by the background task.
const KEEP_CHANGES_DAYS: i64 = 30;
/// Longest text taken from one attachment (characters).
const MAX_ATTACHMENT_CHARS: usize = 200_000;

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    version: u32,
    seq: i64,
}

fn payload(seq: i64) -> String {
    serde_json::json!({ "version": SCHEMA_VERSION, "seq": seq }).to_string()
}

/// One node's search index and its link to the database.
pub struct SearchService {
    index: Arc<SearchIndex>,
    store: Store,
    /// The last applied seq; the lock also serialises index writers.
    applied: tokio::sync::Mutex<i64>,
    dir: Option<PathBuf>,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, SearchError> + Send + 'static) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| SearchError::Join(e.to_string()))?
}

fn open_dir(dir: &Path) -> Result<SearchIndex, SearchError> {
    match SearchIndex::open_or_create(dir, WriterOptions::default()) {
        Err(SearchError::Schema(why)) => {
            tracing::warn!(dir = %dir.display(), %why, "search index from another version: deleting it to rebuild");
            std::fs::remove_dir_all(dir).map_err(|e| SearchError::Io(format!("无法删除旧索引目录 {}：{e}", dir.display())))?;
            SearchIndex::open_or_create(dir, WriterOptions::default())
        }
        other => other,
    }
}

impl SearchService {
    /// Open (or create) the index — in `dir`, or in memory when `None` —
    /// without bringing it up to date. Errors: [`SearchError::Locked`] when
    /// another process uses `dir`.
    pub async fn open_index(store: Store, dir: Option<PathBuf>) -> Result<Arc<SearchService>, SearchError> {
        let index = match dir.clone() {
            Some(d) => blocking(move || open_dir(&d)).await?,
            None => SearchIndex::in_ram(WriterOptions::default())?,
        };
        let seq = match index.payload()?.and_then(|p| serde_json::from_str::<Payload>(&p).ok()) {
            Some(p) if p.version == SCHEMA_VERSION => p.seq,
            _ => -1,
        };
        Ok(Arc::new(SearchService { index: Arc::new(index), store, applied: tokio::sync::Mutex::new(seq), dir }))
    }

    /// Open the index and bring it up to date: rebuilt from the database if
    /// it is new, from another version or behind what the log still holds;
    /// otherwise the changes since its last commit are applied.
    pub async fn open(store: Store, dir: Option<PathBuf>) -> Result<Arc<SearchService>, SearchError> {
        let svc = Self::open_index(store, dir).await?;
        let applied = *svc.applied.lock().await;
        let bounds = svc.store.search_change_bounds().await?;
        let stale = match bounds {
            _ if applied < 0 => true,
            None => applied != 0,
            Some((lo, hi)) => applied > hi || applied < lo - 1,
        };
        if stale {
            let n = svc.rebuild(|_, _| {}).await?;
            tracing::info!(items = n, "search index rebuilt from the database");
        } else {
            svc.sync().await?;
        }
        Ok(svc)
    }

    /// The index directory (`None`: in memory).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// The last change-log seq this node has applied.
    pub async fn applied_seq(&self) -> i64 {
        *self.applied.lock().await
    }

    /// What the index should hold for item `id` now: `None` unless published.
    pub async fn load_doc(&self, id: i64) -> Result<Option<IndexDoc>, SearchError> {
        let Some(item) = self.store.item(id).await? else { return Ok(None) };
        if item.status != ItemStatus::Published {
            return Ok(None);
        }
        let mut attachments = String::new();
        for a in self.store.attachments(id).await? {
            let Some(bytes) = self.store.attachment_content(a.id).await? else { continue };
            let name = a.filename.clone();
            let text = tokio::task::spawn_blocking(move || gongkai_checker::decode_bytes(&bytes, Some(&name)).map(|d| d.text))
                .await
                .map_err(|e| SearchError::Join(e.to_string()))?;
            match text {
                Ok(text) => {
                    attachments.push_str(&a.filename);
                    attachments.push('\n');
                    attachments.extend(text.chars().take(MAX_ATTACHMENT_CHARS));
                    attachments.push('\n');
                }
                Err(e) => {
                    tracing::info!(attachment = a.id, error = %e, "attachment text not indexed");
                    attachments.push_str(&a.filename);
                    attachments.push('\n');
                }
            }
        }
        Ok(Some(index_doc(&item, attachments)))
    }

    /// Apply every change logged after the last applied seq. Returns how many
    /// log rows were applied.
    pub async fn sync(&self) -> Result<usize, SearchError> {
        let mut applied = self.applied.lock().await;
        self.sync_locked(&mut applied).await
    }

    async fn sync_locked(&self, applied: &mut i64) -> Result<usize, SearchError> {
        let mut count = 0;
        loop {
            let changes = self.store.search_changes_after(*applied, BATCH).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { break };
            let mut ids: Vec<i64> = changes.iter().map(|c| c.item_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut docs = Vec::new();
            for id in &ids {
                if let Some(d) = self.load_doc(*id).await? {
                    docs.push(d);
                }
            }
            let index = self.index.clone();
            let p = payload(last);
            blocking(move || index.apply(&docs, &ids, &p)).await?;
            count += changes.len();
            *applied = last;
        }
        Ok(count)
    }

    /// Rebuild the whole index from the database; `progress(done, total)` is
    /// called as items are loaded. Searches keep seeing the old index until
    /// the new one is committed. Returns the number of items indexed.
    pub async fn rebuild(&self, progress: impl Fn(usize, usize)) -> Result<usize, SearchError> {
        let mut applied = self.applied.lock().await;
        // Read the log position first: changes made while items are read are
        // applied again afterwards, which is harmless.
        let seq = self.store.search_change_bounds().await?.map(|(_, hi)| hi).unwrap_or(0);
        let ids = self.store.published_item_ids().await?;
        let total = ids.len();
        let index = self.index.clone();
        blocking(move || index.clear_uncommitted()).await?;
        progress(0, total);
        let mut done = 0;
        for chunk in ids.chunks(REBUILD_CHUNK) {
            let mut docs = Vec::with_capacity(chunk.len());
            for id in chunk {
                if let Some(d) = self.load_doc(*id).await? {
                    docs.push(d);
                }
            }
            let index = self.index.clone();
            blocking(move || index.add_uncommitted(&docs)).await?;
            done += chunk.len();
            progress(done, total);
        }
        let index = self.index.clone();
        let p = payload(seq);
        blocking(move || index.commit(&p)).await?;
        *applied = seq;
        self.sync_locked(&mut applied).await?;
        Ok(total)
    }

    /// Search with every change committed so far applied, and only items that
    /// are published at this moment returned.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResults, SearchError> {
        self.sync().await?;
        let index = self.index.clone();
        let mut results = blocking(move || index.search(&request)).await?;
        let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
        let published = self.store.published_among(&ids).await?;
        let before = results.hits.len();
        results.hits.retain(|h| published.contains(&h.id));
        results.total = results.total.saturating_sub(before - results.hits.len());
        Ok(results)
    }

    /// Every `every`, apply new changes (and prune the log about hourly);
    /// stops when the service is dropped.
    pub fn spawn_follower(self: &Arc<Self>, every: Duration) {
        let weak: Weak<SearchService> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks: u64 = 0;
            loop {
                tokio::time::sleep(every).await;
                let Some(svc) = weak.upgrade() else { break };
                if let Err(e) = svc.sync().await {
                    tracing::warn!(error = %e, "search index: applying changes failed; will retry");
                }
                ticks += 1;
                if ticks % 3600 == 0 {
                    let before = chrono::Utc::now() - chrono::Duration::days(KEEP_CHANGES_DAYS);
                    if let Err(e) = svc.store.prune_search_changes(before).await {
                        tracing::warn!(error = %e, "search index: pruning the change log failed");
                    }
                }
            }
        });
    }
}

/// The index document of a published item.
pub fn index_doc(item: &Item, attachments: String) -> IndexDoc {
    let f = &item.fields;
    IndexDoc {
        id: item.id,
        org_id: item.org_id,
        catalog_id: f.catalog_id,
        title: f.title.clone(),
        summary: f.summary.clone(),
        body: gongkai_checker::html_to_text(&f.body_html),
        keywords: f.keywords.clone(),
        doc_number: f.doc_number.clone(),
        index_no: item.index_no.clone(),
        publisher: f.publisher.clone(),
        attachments,
        doc_type: f.doc_type.as_str().to_owned(),
        validity: item.validity.as_str().to_owned(),
        publish_date: item.publish_date,
    }
}
