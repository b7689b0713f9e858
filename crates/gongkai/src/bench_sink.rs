//! Where `gongkai bench seed` writes its bulk rows: `COPY … FROM STDIN` on PostgreSQL,
//! one transaction of multi-row inserts on SQLite (split out of `bench_seed`).

use gongkai_store::Backend;

use crate::bench_seed::SeedError;

/// A value of a bulk row.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    I(i64),
    T(String),
    N,
}

pub(crate) fn t(s: impl Into<String>) -> Val {
    Val::T(s.into())
}

/// Rows of one table waiting to be written.
pub(crate) struct Batch {
    table: &'static str,
    cols: &'static [&'static str],
    pub(crate) rows: Vec<Vec<Val>>,
    /// Approximate size of the rows waiting, for flushing by size.
    pub(crate) bytes: usize,
}

impl Batch {
    pub(crate) fn new(table: &'static str, cols: &'static [&'static str]) -> Batch {
        Batch { table, cols, rows: Vec::new(), bytes: 0 }
    }
    pub(crate) fn push(&mut self, row: Vec<Val>) {
        self.bytes += row.iter().map(|v| if let Val::T(s) = v { s.len() + 1 } else { 9 }).sum::<usize>();
        self.rows.push(row);
    }
}

/// Where bulk rows go: `COPY … FROM STDIN` on PostgreSQL, one transaction of inserts on SQLite.
pub(crate) enum Sink {
    Pg(sqlx::PgPool),
    Lite(sqlx::SqlitePool),
}

/// PostgreSQL COPY text format: backslash, tab, newline and carriage return escaped.
pub(crate) fn copy_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

impl Sink {
    pub(crate) async fn open(url: &str, backend: Backend) -> Result<Sink, SeedError> {
        Ok(match backend {
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::Executor::execute(&mut *conn, "SET synchronous_commit = off").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?;
                Sink::Pg(pool)
            }
            Backend::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
                let options = options.busy_timeout(std::time::Duration::from_secs(30));
                Sink::Lite(sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(options).await?)
            }
        })
    }

    pub(crate) async fn scalar(&self, sql: &str) -> Result<i64, SeedError> {
        Ok(match self {
            Sink::Pg(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await?,
            Sink::Lite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await?,
        })
    }

    pub(crate) async fn execute(&self, sql: &str) -> Result<(), SeedError> {
        match self {
            Sink::Pg(p) => {
                sqlx::query(sql).execute(p).await?;
            }
            Sink::Lite(p) => {
                sqlx::query(sql).execute(p).await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn write(&self, batch: &mut Batch) -> Result<u64, SeedError> {
        if batch.rows.is_empty() {
            return Ok(0);
        }
        let n = batch.rows.len() as u64;
        match self {
            Sink::Pg(pool) => {
                let mut text = String::with_capacity(batch.bytes + batch.rows.len() * 4);
                for row in &batch.rows {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            text.push('\t');
                        }
                        match v {
                            Val::I(x) => text.push_str(&x.to_string()),
                            Val::T(s) => copy_escape(&mut text, s),
                            Val::N => text.push_str("\\N"),
                        }
                    }
                    text.push('\n');
                }
                let mut conn = pool.acquire().await?;
                let mut copy = conn.copy_in_raw(&format!("COPY {} ({}) FROM STDIN", batch.table, batch.cols.join(", "))).await?;
                copy.send(text.into_bytes()).await?;
                copy.finish().await?;
            }
            Sink::Lite(pool) => {
                let marks = vec!["?"; batch.cols.len()].join(", ");
                let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", batch.table, batch.cols.join(", "));
                let mut tx = pool.begin().await?;
                for row in &batch.rows {
                    let mut q = sqlx::query(&sql);
                    for v in row {
                        q = match v {
                            Val::I(x) => q.bind(*x),
                            Val::T(s) => q.bind(s.as_str()),
                            Val::N => q.bind(Option::<String>::None),
                        };
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
        }
        batch.rows.clear();
        batch.bytes = 0;
        Ok(n)
    }

    /// After explicit ids: the identity sequence continues after the largest id.
    pub(crate) async fn reset_identity(&self, table: &str) -> Result<(), SeedError> {
        if let Sink::Pg(_) = self {
            self.execute(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"))
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn close(self) {
        match self {
            Sink::Pg(p) => p.close().await,
            Sink::Lite(p) => p.close().await,
        }
    }
}

