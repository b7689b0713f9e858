//! The storage implementation. SIGNATURES ARE THE CONTRACT used by the web
//! crate; the method bodies live in the submodules, one per area:
//! `orgs`, `users` (accounts and sessions), `catalog`, `items`,
//! `attachments`, `audit` and `calendar`.
//!
//! All SQL is portable between SQLite and PostgreSQL and goes through sqlx's
//! `Any` driver with `$n` placeholders. Only the migrations differ per backend.

use std::sync::Once;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::AnyConnection;
use sqlx::{Connection, Executor, Row};

use crate::*;

mod applications;
mod appeals;
mod attachments;
pub(crate) mod audit;
mod calendar;
mod catalog;
mod grants;
mod channels;
mod import;
mod items;
pub(crate) mod mfa;
mod office;
mod orgs;
mod privacy;
pub(crate) mod ops;
mod outbox;
pub(crate) mod past_reports;
pub(crate) mod reports;
pub(crate) mod sealed;
mod search;
pub(crate) mod site_version;
mod site;
mod users;
pub(crate) mod util;
mod writing;

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per pool.
const MAX_CONNECTIONS: u32 = 10;

/// The store: a connection pool plus the backend kind. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
    /// Where new attachment bytes go when set (see `attachments`).
    objects: Option<std::sync::Arc<crate::blobs::ObjectStore>>,
    /// Key of the audit chain's HMAC-SM3 (kept outside the database); `None`
    /// appends unkeyed entries (tests, tools without the key).
    audit_key: Option<std::sync::Arc<Vec<u8>>>,
    /// Keys sealing the personal fields (kept outside the database); `None` can
    /// neither write nor read sealed values (see `sealed`).
    data_keys: Option<std::sync::Arc<sealed::KeyCell>>,
    /// The audit entry the next committed write records in its own transaction
    /// (see [`Store::audited`]).
    pending_audit: Option<std::sync::Arc<PendingAudit>>,
    /// SQLite has one writer at a time: write transactions of this process queue here, in
    /// order, instead of meeting SQLite's busy handler, whose growing sleeps (up to 100 ms
    /// each) made the slowest submissions wait half a second under load. `None` on PostgreSQL.
    write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

/// A write transaction; on SQLite it holds this process's write turn until it commits or
/// is dropped (rolled back).
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// An audit entry waiting for the write it records.
struct PendingAudit {
    entry: crate::NewAuditEntry,
    ctx: audit::AuditContext,
    written: std::sync::atomic::AtomicBool,
}

/// Raised from `after_connect` when a new connection is not durable enough;
/// turned into [`StoreError::Durability`] by [`Store::connect`].
#[derive(Debug)]
struct DurabilityViolation(String);

impl std::fmt::Display for DurabilityViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DurabilityViolation {}

fn durability_error(message: String) -> sqlx::Error {
    sqlx::Error::Configuration(Box::new(DurabilityViolation(message)))
}

/// Map a connection error, recognising durability violations.
fn connect_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Configuration(source) = &e {
        if let Some(d) = source.downcast_ref::<DurabilityViolation>() {
            return StoreError::Durability(d.0.clone());
        }
    }
    StoreError::Db(e)
}

fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(sqlx::any::install_default_drivers);
}

/// A parsed `sqlite:` URL.
struct SqliteTarget {
    /// `None` for an in-memory database.
    path: Option<String>,
    /// Extra query parameters (without `mode`).
    params: Vec<String>,
}

fn parse_sqlite_url(url: &str) -> Option<SqliteTarget> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let params: Vec<String> = query
        .map(|q| {
            q.split('&')
                .filter(|kv| !kv.is_empty() && !kv.starts_with("mode="))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let memory = path.is_empty()
        || path == ":memory:"
        || query.is_some_and(|q| q.split('&').any(|kv| kv == "mode=memory"));
    Some(SqliteTarget {
        path: if memory { None } else { Some(path.to_owned()) },
        params,
    })
}

/// Set the required pragmas on a new SQLite connection and check they took.
async fn prepare_sqlite_connection(
    conn: &mut AnyConnection,
    in_memory: bool,
) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA busy_timeout = 5000").await?;
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    // Freed pages are overwritten: a personal field re-encrypted (or a row deleted)
    // leaves no clear text behind in the file's free pages.
    conn.execute("PRAGMA secure_delete = ON").await?;
    // Checkpoints run in a background task (`Store::checkpoint`), never inside
    // a committing request; the WAL file is kept at most 64 MiB once reset.
    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
    conn.execute("PRAGMA journal_size_limit = 67108864").await?;
    let foreign_keys: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if foreign_keys != 1 {
        return Err(durability_error(
            "SQLite 未能启用外键约束（foreign_keys）".into(),
        ));
    }
    if in_memory {
        // An in-memory database (tests only) cannot be in WAL mode.
        return Ok(());
    }
    let journal: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if !journal.eq_ignore_ascii_case("wal") {
        return Err(durability_error(format!(
            "SQLite 日志模式为 {journal}，要求 WAL"
        )));
    }
    let synchronous: i64 = sqlx::query("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if synchronous != 2 {
        return Err(durability_error(format!(
            "SQLite synchronous 为 {synchronous}，要求 2（FULL）"
        )));
    }
    Ok(())
}

/// Check that a PostgreSQL session commits durably.
async fn check_postgres_connection(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let fsync: String = sqlx::query("SHOW fsync")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if fsync != "on" {
        return Err(durability_error(format!(
            "PostgreSQL fsync 为 {fsync}，要求 on"
        )));
    }
    // `local`, `remote_write` and `remote_apply` also wait for the local WAL
    // flush; only `off` loses committed transactions on a crash.
    let commit: String = sqlx::query("SHOW synchronous_commit")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if !matches!(
        commit.as_str(),
        "on" | "local" | "remote_write" | "remote_apply"
    ) {
        return Err(durability_error(format!(
            "PostgreSQL synchronous_commit 为 {commit}，要求 on"
        )));
    }
    Ok(())
}

impl Store {
    /// Connect to `sqlite:PATH` (file created if missing; WAL, synchronous=FULL,
    /// foreign_keys=ON, busy_timeout on every connection) or `postgres://…`.
    /// Refuses to start if durability settings are weaker than required
    /// (SQLite not WAL/FULL; PostgreSQL fsync or synchronous_commit off).
    ///
    /// `sqlite::memory:` is accepted for tests: a single-connection pool
    /// (nothing is durable there, so the WAL/FULL checks are skipped).
    pub async fn connect(url: &str) -> Result<Store> {
        install_drivers();
        if let Some(target) = parse_sqlite_url(url) {
            Self::connect_sqlite(target).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url).await
        } else {
            // Never echo credentials back.
            let scheme = url.split(':').next().unwrap_or_default();
            Err(StoreError::UnsupportedUrl(format!("{scheme}:…")))
        }
    }

    async fn connect_sqlite(target: SqliteTarget) -> Result<Store> {
        let in_memory = target.path.is_none();
        let mut url = match &target.path {
            Some(path) => {
                let parent = std::path::Path::new(path)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty());
                if let Some(parent) = parent {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
                }
                format!("sqlite:{path}?mode=rwc")
            }
            None => "sqlite::memory:?mode=memory".to_owned(),
        };
        for p in &target.params {
            url.push('&');
            url.push_str(p);
        }
        // Check on a connection of our own first: a failing `after_connect`
        // only makes the pool retry until it times out.
        let mut probe = AnyConnection::connect(&url).await.map_err(connect_error)?;
        let checked = prepare_sqlite_connection(&mut probe, in_memory).await;
        let _ = probe.close().await;
        checked.map_err(connect_error)?;
        let mut options = AnyPoolOptions::new().after_connect(move |conn, _meta| {
            Box::pin(async move { prepare_sqlite_connection(conn, in_memory).await })
        });
        options = if in_memory {
            // Every new connection to `:memory:` would be a new, empty database:
            // keep exactly one connection for the pool's whole life.
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            options.max_connections(MAX_CONNECTIONS)
        };
        let pool = options.connect(&url).await.map_err(connect_error)?;
        Ok(Store {
            audit_key: None,
            data_keys: None,
            pending_audit: None,
            pool,
            backend: Backend::Sqlite,
            objects: None,
            write_gate: Some(std::sync::Arc::new(tokio::sync::Mutex::new(()))),
        })
    }

    async fn connect_postgres(url: &str) -> Result<Store> {
        let mut probe = AnyConnection::connect(url).await.map_err(connect_error)?;
        let checked = check_postgres_connection(&mut probe).await;
        let _ = probe.close().await;
        checked.map_err(connect_error)?;
        let pool = AnyPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .after_connect(|conn, _meta| {
                Box::pin(async move { check_postgres_connection(conn).await })
            })
            .connect(url)
            .await
            .map_err(connect_error)?;
        Ok(Store {
            audit_key: None,
            data_keys: None,
            pending_audit: None,
            pool,
            backend: Backend::Postgres,
            objects: None,
            write_gate: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Keep new attachments' bytes in this object store (existing ones stay
    /// where they are until [`Store::move_attachments`] moves them).
    pub fn with_object_store(mut self, objects: crate::blobs::ObjectStore) -> Store {
        self.objects = Some(std::sync::Arc::new(objects));
        self
    }

    /// Whether an object store is configured.
    pub fn has_object_store(&self) -> bool {
        self.objects.is_some()
    }

    /// Whether [`Store::close`] has been called.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// Apply this backend's migrations (idempotent).
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await
    }

    /// The pool, for `test_support` only.
    pub(crate) fn pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }

    /// Begin a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes can
    /// never fail to upgrade its lock; on PostgreSQL it is READ COMMITTED and
    /// the statements lock what they touch (conditional updates, upserts).
    /// A handle on the same store whose next committed write also appends `entry` to the
    /// audit log, in the same transaction: the action and its record are stored together or
    /// not at all (a crash cannot leave one without the other). `{id}` in the entry's target
    /// and detail is replaced by the id of the record the write creates, where it creates one.
    /// The entry is written once, by the first write that commits.
    pub fn audited(&self, entry: crate::NewAuditEntry, ctx: audit::AuditContext) -> Store {
        let mut s = self.clone();
        s.pending_audit = Some(std::sync::Arc::new(PendingAudit { entry, ctx, written: std::sync::atomic::AtomicBool::new(false) }));
        s
    }

    /// Commit a write, with the pending audit entry if there is one.
    pub(crate) async fn commit(&self, tx: WriteTx) -> Result<()> {
        self.commit_for(tx, None).await
    }

    /// Commit a write that created record `id`, with the pending audit entry if there is one.
    pub(crate) async fn commit_for(&self, mut tx: WriteTx, id: Option<i64>) -> Result<()> {
        use std::sync::atomic::Ordering;
        match self.pending_audit.as_ref().filter(|p| !p.written.load(Ordering::Acquire)) {
            Some(p) => {
                let mut entry = p.entry.clone();
                if let Some(id) = id {
                    entry.target = entry.target.replace("{id}", &id.to_string());
                    entry.detail = entry.detail.replace("{id}", &id.to_string());
                }
                self.append_audit_in(&mut tx, &entry, &p.ctx).await?;
                tx.commit().await?;
                p.written.store(true, Ordering::Release);
            }
            None => tx.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn begin(&self) -> Result<WriteTx> {
        // Waiting longer than SQLite's own busy timeout would have means something holds
        // the turn far too long: fail like a busy database instead of waiting for ever.
        let turn = match &self.write_gate {
            Some(gate) => Some(
                tokio::time::timeout(std::time::Duration::from_secs(30), gate.clone().lock_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?,
            ),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }
}
