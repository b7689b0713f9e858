//! The baseline for the submission benchmark (`scripts/bench-apply.sh`): how
//! many single-row inserts per second SQLite commits with the settings gongkai
//! requires (WAL, synchronous=FULL, foreign keys, busy timeout), from N
//! concurrent tasks on a pool of the store's size, each insert its own
//! transaction. Prints inserts/s and p50/p99 latency.
//!
//!   cargo run --release -p gongkai-store --example bare_insert -- [seconds] [tasks]

use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let tasks: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);
    let dir = tempfile::tempdir()?;
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("bare.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new().max_connections(10).connect_with(options).await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)").execute(&pool).await?;
    let until = Instant::now() + Duration::from_secs(secs);
    let mut handles = Vec::new();
    for n in 0..tasks {
        let pool = pool.clone();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0u64;
            while Instant::now() < until {
                let t = Instant::now();
                let res = sqlx::query("INSERT INTO t (body, at) VALUES ($1, $2)")
                    .bind(format!("申请内容 {n}-{i}"))
                    .bind(chrono::Utc::now().to_rfc3339())
                    .execute(&pool)
                    .await;
                if res.is_ok() {
                    lat.push(t.elapsed());
                }
                i += 1;
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await?);
    }
    all.sort();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    println!(
        "bare single-row insert · SQLite WAL, synchronous=FULL · {tasks} tasks · {secs} s: {:.0} inserts/s, p50 {:.2} ms, p99 {:.2} ms ({} rows)",
        all.len() as f64 / secs as f64,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        all.len()
    );
    Ok(())
}
