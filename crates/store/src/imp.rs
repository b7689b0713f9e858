//! The storage implementation. SIGNATURES ARE THE CONTRACT used by the web
//! crate; bodies are filled in by the storage work.

use chrono::{DateTime, NaiveDate, Utc};
use gongkai_domain::model::{
    Attachment, CatalogKind, CatalogNode, Item, ItemEvent, ItemFields, ItemStatus, Organisation, Role, User, Validity,
};

use crate::*;

/// The store: a connection pool plus the backend kind. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
}

#[allow(unused_variables)]
impl Store {
    /// Connect to `sqlite:PATH` (file created if missing; WAL, synchronous=FULL,
    /// foreign_keys=ON, busy_timeout on every connection) or `postgres://…`.
    /// Refuses to start if durability settings are weaker than required
    /// (SQLite not WAL/FULL; PostgreSQL fsync or synchronous_commit off).
    pub async fn connect(url: &str) -> Result<Store> { todo!() }
    pub fn backend(&self) -> Backend { self.backend }
    /// Apply this backend's migrations (idempotent).
    pub async fn migrate(&self) -> Result<()> { todo!() }
    pub async fn close(&self) { self.pool.close().await }

    // ---- organisations ----
    /// Errors: Conflict on duplicate slug ("标识") or duplicate org_code ("机构代码").
    pub async fn create_org(&self, new: &NewOrganisation) -> Result<Organisation> { todo!() }
    /// Updates every field but id.
    pub async fn update_org(&self, org: &Organisation) -> Result<()> { todo!() }
    pub async fn org(&self, id: i64) -> Result<Option<Organisation>> { todo!() }
    pub async fn org_by_slug(&self, slug: &str) -> Result<Option<Organisation>> { todo!() }
    /// All organisations ordered by id.
    pub async fn orgs(&self) -> Result<Vec<Organisation>> { todo!() }
    /// The organisation and all its descendants' ids (the organisation first).
    pub async fn org_subtree_ids(&self, id: i64) -> Result<Vec<i64>> { todo!() }

    // ---- users ----
    /// Errors: Conflict on duplicate username ("用户名").
    pub async fn create_user(&self, new: &NewUser, password_hash: &str, now: DateTime<Utc>) -> Result<User> { todo!() }
    pub async fn user(&self, id: i64) -> Result<Option<User>> { todo!() }
    pub async fn user_by_username(&self, username: &str) -> Result<Option<(User, UserAuth)>> { todo!() }
    /// Users of the given organisations (all when `org_ids` is empty), by username.
    pub async fn users(&self, org_ids: &[i64]) -> Result<Vec<User>> { todo!() }
    pub async fn count_users(&self) -> Result<i64> { todo!() }
    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()> { todo!() }
    pub async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<()> { todo!() }
    pub async fn set_user_roles(&self, user_id: i64, roles: &[Role]) -> Result<()> { todo!() }
    pub async fn set_user_display_name(&self, user_id: i64, display_name: &str) -> Result<()> { todo!() }
    /// Record a failed login. If `threshold` failures happen within `window`
    /// of the first one, the account is locked until `now + lock_for`.
    /// Returns the resulting auth state.
    pub async fn record_login_failure(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        threshold: i64,
        window: chrono::Duration,
        lock_for: chrono::Duration,
    ) -> Result<UserAuth> { todo!() }
    /// Clear failures and any lock (successful login or admin unlock).
    pub async fn reset_login_failures(&self, user_id: i64) -> Result<()> { todo!() }

    // ---- sessions ----
    pub async fn create_session(&self, session: &Session) -> Result<()> { todo!() }
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> { todo!() }
    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> { todo!() }
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> { todo!() }
    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<()> { todo!() }
    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> { todo!() }

    // ---- catalog ----
    /// Errors: Conflict on a duplicate name under the same parent ("栏目名称").
    pub async fn create_catalog_node(
        &self,
        org_id: i64,
        parent_id: Option<i64>,
        name: &str,
        sort_order: i64,
        kind: CatalogKind,
    ) -> Result<CatalogNode> { todo!() }
    pub async fn update_catalog_node(&self, id: i64, name: &str, sort_order: i64, parent_id: Option<i64>) -> Result<()> { todo!() }
    /// Errors: Conflict if the node has children or items ("栏目").
    pub async fn delete_catalog_node(&self, id: i64) -> Result<()> { todo!() }
    /// The organisation's catalog, ordered by (sort_order, id).
    pub async fn catalog(&self, org_id: i64) -> Result<Vec<CatalogNode>> { todo!() }
    pub async fn catalog_node(&self, id: i64) -> Result<Option<CatalogNode>> { todo!() }

    // ---- items ----
    /// Creates a draft. Errors: Conflict on a duplicate 文号 within the
    /// organisation ("文号"); NotFound("栏目") if the catalog node is not the org's.
    pub async fn create_item(&self, org_id: i64, author_id: i64, fields: &ItemFields, event: &NewItemEvent) -> Result<Item> { todo!() }
    /// Replace the editable fields (only while editable; Conflict("状态") otherwise),
    /// with the same 文号 and catalog checks, and record the event.
    pub async fn update_item_fields(&self, id: i64, fields: &ItemFields, event: &NewItemEvent) -> Result<Item> { todo!() }
    pub async fn item(&self, id: i64) -> Result<Option<Item>> { todo!() }
    /// Move an item from `from` to `to` and record the event, atomically; Conflict("状态")
    /// if the item is no longer in `from` (someone else acted first).
    /// `withdraw_reason` is stored when `to` is Withdrawn and cleared otherwise.
    pub async fn transition_item(
        &self,
        id: i64,
        from: ItemStatus,
        to: ItemStatus,
        withdraw_reason: Option<&str>,
        event: &NewItemEvent,
    ) -> Result<Item> { todo!() }
    /// Publish an Approved item: set status Published and 发布日期, and, if it has
    /// none yet, assign the next 索引号 serial for (org, year of `publish_date`)
    /// rendered by `render_index(serial)`; the serial counter and the uniqueness of
    /// 索引号 are guaranteed by the store, in one transaction with the event.
    pub async fn publish_item(
        &self,
        id: i64,
        publish_date: NaiveDate,
        render_index: &(dyn Fn(u64) -> String + Send + Sync),
        event: &NewItemEvent,
    ) -> Result<Item> { todo!() }
    /// Set 有效性 (published items only; Conflict("状态") otherwise).
    pub async fn set_item_validity(
        &self,
        id: i64,
        validity: Validity,
        validity_date: Option<NaiveDate>,
        note: &str,
        event: &NewItemEvent,
    ) -> Result<Item> { todo!() }
    /// History, oldest first, with actor display names.
    pub async fn item_events(&self, item_id: i64) -> Result<Vec<ItemEvent>> { todo!() }
    pub async fn list_items(&self, q: &ItemQuery) -> Result<Page<Item>> { todo!() }
    /// Published-item counts per catalog node for an organisation, optionally in one publish year.
    pub async fn published_counts_by_catalog(&self, org_id: i64, publish_year: Option<i32>) -> Result<Vec<(i64, i64)>> { todo!() }
    /// Years in which the organisations published items, newest first.
    pub async fn publish_years(&self, org_ids: &[i64]) -> Result<Vec<i32>> { todo!() }
    /// Items not yet published (draft/submitted/returned/approved) of the
    /// organisations, oldest 成文日期 first: the Art. 26 deadline watch list.
    pub async fn unpublished_items(&self, org_ids: &[i64]) -> Result<Vec<Item>> { todo!() }

    // ---- attachments ----
    /// Store the bytes with their SHA-256. The web layer has already checked
    /// size and type.
    pub async fn add_attachment(&self, item_id: i64, filename: &str, content_type: &str, bytes: &[u8], now: DateTime<Utc>) -> Result<Attachment> { todo!() }
    pub async fn attachments(&self, item_id: i64) -> Result<Vec<Attachment>> { todo!() }
    pub async fn attachment(&self, id: i64) -> Result<Option<Attachment>> { todo!() }
    pub async fn attachment_content(&self, id: i64) -> Result<Option<Vec<u8>>> { todo!() }
    pub async fn delete_attachment(&self, id: i64) -> Result<()> { todo!() }

    // ---- audit log (append-only, SM3 hash chain) ----
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry> { todo!() }
    /// Newest first.
    pub async fn audit_entries(&self, limit: i64, offset: i64) -> Result<Page<AuditEntry>> { todo!() }
    /// Verify the whole chain; Ok(None) when intact, Ok(Some(id)) = first broken entry.
    pub async fn verify_audit_chain(&self) -> Result<Option<i64>> { todo!() }

    // ---- working-day calendar years added by administrators ----
    pub async fn calendar_years(&self) -> Result<Vec<StoredCalendarYear>> { todo!() }
    /// Insert or replace a year.
    pub async fn put_calendar_year(&self, year: &StoredCalendarYear) -> Result<()> { todo!() }
}
