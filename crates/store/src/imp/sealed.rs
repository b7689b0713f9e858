//! Sealing personal fields on write and opening them on read (`crate::data_keys`),
//! the blind index of identity-document numbers, and the re-encryption pass that
//! moves every sealed value onto the current key and seals clear text left from
//! before encryption.

use std::sync::{Arc, RwLock};


use super::util::RowExt;
use crate::data_keys::{sealed_version, CipherError, DataKeys, Field, BLIND_PREFIX, SEALED_PREFIX};
use crate::{Result, Store};

/// The key ring a store shares between its clones; replaced when keys are reloaded.
pub(crate) struct KeyCell(RwLock<Arc<DataKeys>>);

impl KeyCell {
    fn snapshot(&self) -> Arc<DataKeys> {
        match self.0.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn replace(&self, keys: DataKeys) {
        match self.0.write() {
            Ok(mut g) => *g = Arc::new(keys),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(keys),
        }
    }

    /// Read the key files again; true if the ring changed.
    fn reload(&self) -> Result<bool> {
        let now = self.snapshot();
        match now.reloaded() {
            Some(Ok(fresh)) => {
                let changed = fresh.versions() != now.versions();
                if changed {
                    self.replace(fresh);
                }
                Ok(changed)
            }
            Some(Err(e)) => Err(e),
            None => Ok(false),
        }
    }
}

/// What row readers and writers use: the keys of the moment (or none).
#[derive(Clone)]
pub(crate) struct Sealer {
    cell: Option<Arc<KeyCell>>,
}

impl Sealer {
    /// Seal a value for storage. Without keys only an empty value can be stored.
    pub(crate) fn seal(&self, field: Field, clear: &str) -> Result<String> {
        if clear.is_empty() {
            return Ok(String::new());
        }
        let keys = self.cell.as_ref().ok_or(CipherError::NoKeys)?.snapshot();
        Ok(keys.seal(field, clear)?)
    }

    /// Open a stored value (clear text from before encryption passes through). A
    /// value sealed with a key this process has not loaded yet (added by
    /// `gongkai keys rotate` while it runs) makes it read the key files again.
    pub(crate) fn open(&self, field: Field, stored: &str) -> Result<String> {
        if !stored.starts_with(SEALED_PREFIX) {
            return Ok(stored.to_owned());
        }
        let cell = self.cell.as_ref().ok_or(CipherError::NoKeys)?;
        match cell.snapshot().open(field, stored) {
            Err(CipherError::UnknownKey(v)) => {
                if cell.reload()? {
                    Ok(cell.snapshot().open(field, stored)?)
                } else {
                    Err(CipherError::UnknownKey(v).into())
                }
            }
            other => Ok(other?),
        }
    }

    /// The `id_doc_key` stored for a new application: the blind index of the
    /// normalised number. Without keys only a blank number can be stored.
    pub(crate) fn id_doc_key(&self, number: &str) -> Result<String> {
        let normalised = gongkai_domain::duplicates::id_key(number);
        if normalised.is_empty() {
            return Ok(String::new());
        }
        let keys = self.cell.as_ref().ok_or(CipherError::NoKeys)?.snapshot();
        Ok(keys.blind_index(&normalised))
    }

    /// The `id_doc_key` values one person's applications may carry: the blind index
    /// and, until the re-encryption pass has run, the clear normalised number of rows
    /// from before. Empty for a blank number.
    pub(crate) fn id_doc_lookup(&self, number: &str) -> Vec<String> {
        let normalised = gongkai_domain::duplicates::id_key(number);
        if normalised.is_empty() {
            return Vec::new();
        }
        match &self.cell {
            Some(cell) => vec![cell.snapshot().blind_index(&normalised), normalised],
            None => vec![normalised.clone(), normalised],
        }
    }
}

/// One table whose personal columns are sealed.
struct SealedTable {
    table: &'static str,
    columns: &'static [(&'static str, Field)],
    /// Whether the table carries the identity-document blind index (`id_doc_key`).
    blind_index: bool,
}

const SEALED_TABLES: &[SealedTable] = &[
    SealedTable {
        table: "applications",
        columns: &[("id_doc_number", Field::IdDocNumber), ("phone", Field::Phone), ("email", Field::Email), ("postal_address", Field::PostalAddress)],
        blind_index: true,
    },
    SealedTable { table: "consultations", columns: &[("name", Field::ConsultName), ("contact", Field::ConsultContact)], blind_index: false },
    SealedTable { table: "users", columns: &[("totp_secret", Field::Totp), ("totp_pending", Field::Totp)], blind_index: false },
    SealedTable { table: "outbox", columns: &[("recipient", Field::OutboxRecipient)], blind_index: false },
];

/// How many stored values of one column are in clear text and under each key version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnKeyUse {
    /// `table.column`.
    pub column: String,
    /// Non-empty values still in clear text.
    pub clear: i64,
    /// Values per loaded key version (every loaded version listed, zeros included).
    pub by_version: Vec<(u32, i64)>,
    /// Sealed values under a version that is not loaded.
    pub unknown: i64,
}

/// Where the stored personal data stands with respect to the data keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKeyStatus {
    pub current: u32,
    pub columns: Vec<ColumnKeyUse>,
    /// Applications whose `id_doc_key` is still the clear number rather than the blind index.
    pub clear_index_keys: i64,
}

impl DataKeyStatus {
    /// Values under each loaded version, summed over the columns.
    pub fn total_by_version(&self) -> Vec<(u32, i64)> {
        let mut out: Vec<(u32, i64)> = Vec::new();
        for c in &self.columns {
            for &(v, n) in &c.by_version {
                match out.iter_mut().find(|(w, _)| *w == v) {
                    Some((_, m)) => *m += n,
                    None => out.push((v, n)),
                }
            }
        }
        out
    }

    /// Whether every value is sealed with the current key and every index key is blind.
    pub fn all_current(&self) -> bool {
        self.clear_index_keys == 0
            && self.columns.iter().all(|c| c.clear == 0 && c.unknown == 0 && c.by_version.iter().all(|&(v, n)| v == self.current || n == 0))
    }
}

/// What one re-encryption pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reencrypted {
    /// Rows rewritten.
    pub rows: u64,
    /// Rows that could not be opened (unknown key, tampered), left as they are.
    pub failed: u64,
    /// The first such failure, for the log.
    pub first_error: Option<String>,
}

impl Store {
    /// Seal the personal fields with these keys from now on (and open them on read).
    pub fn with_data_keys(mut self, keys: DataKeys) -> Store {
        self.data_keys = Some(Arc::new(KeyCell(RwLock::new(Arc::new(keys)))));
        self
    }

    /// Whether data keys are loaded (without them personal fields can be neither
    /// written nor read once sealed).
    pub fn has_data_keys(&self) -> bool {
        self.data_keys.is_some()
    }

    /// The keys in use, if any.
    pub fn data_keys(&self) -> Option<Arc<DataKeys>> {
        self.data_keys.as_ref().map(|c| c.snapshot())
    }

    /// Read the key files again (after `gongkai keys rotate` added one); true if the
    /// set of versions changed. A no-op for keys not read from files.
    pub fn reload_data_keys(&self) -> Result<bool> {
        match &self.data_keys {
            Some(cell) => cell.reload(),
            None => Ok(false),
        }
    }

    pub(crate) fn sealer(&self) -> Sealer {
        Sealer { cell: self.data_keys.clone() }
    }

    /// How many stored values use each key version, are clear text or use a key not loaded.
    pub async fn data_key_status(&self) -> Result<DataKeyStatus> {
        let keys = self.data_keys().ok_or(CipherError::NoKeys)?;
        let mut columns = Vec::new();
        for t in SEALED_TABLES {
            for (col, _) in t.columns {
                let mut select = format!(
                    "SELECT COUNT(*) AS total, \
                     COALESCE(SUM(CASE WHEN {col} NOT LIKE '{SEALED_PREFIX}%' THEN 1 ELSE 0 END), 0) AS clear"
                );
                for v in keys.versions() {
                    select.push_str(&format!(", COALESCE(SUM(CASE WHEN {col} LIKE '{SEALED_PREFIX}{v}:%' THEN 1 ELSE 0 END), 0) AS v{v}"));
                }
                let row = sqlx::query(&format!("{select} FROM {} WHERE {col} <> ''", t.table)).fetch_one(&self.pool).await?;
                let total = row.int("total")?;
                let clear = row.int("clear")?;
                let by_version = keys.versions().into_iter().map(|v| Ok((v, row.int(&format!("v{v}"))?))).collect::<Result<Vec<_>>>()?;
                let known: i64 = by_version.iter().map(|(_, n)| n).sum();
                columns.push(ColumnKeyUse { column: format!("{}.{col}", t.table), clear, by_version, unknown: total - clear - known });
            }
        }
        let clear_index_keys = sqlx::query(&format!("SELECT COUNT(*) AS n FROM applications WHERE id_doc_key <> '' AND id_doc_key NOT LIKE '{BLIND_PREFIX}%'"))
            .fetch_one(&self.pool)
            .await?
            .int("n")?;
        Ok(DataKeyStatus { current: keys.current(), columns, clear_index_keys })
    }

    /// Whether any personal field is stored sealed (so keys are needed to read it).
    pub async fn data_keys_needed(&self) -> Result<bool> {
        for t in SEALED_TABLES {
            let cond: Vec<String> = t.columns.iter().map(|(c, _)| format!("{c} LIKE '{SEALED_PREFIX}%'")).collect();
            let found = sqlx::query(&format!("SELECT id FROM {} WHERE {} LIMIT 1", t.table, cond.join(" OR "))).fetch_optional(&self.pool).await?;
            if found.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// What is wrong between the stored personal data and the loaded keys (empty: every
    /// key version in use is loaded, and one value of each column under each version
    /// opens — so a key file replaced by a different key with the same number is found).
    pub async fn check_data_keys(&self) -> Result<Vec<String>> {
        let status = self.data_key_status().await?;
        let sealer = self.sealer();
        let mut problems = Vec::new();
        for c in &status.columns {
            if c.unknown > 0 {
                problems.push(format!("{} 有 {} 个值使用未加载的数据密钥版本", c.column, c.unknown));
            }
        }
        for t in SEALED_TABLES {
            for (col, field) in t.columns {
                for (v, n) in status.columns.iter().find(|c| c.column == format!("{}.{col}", t.table)).map(|c| c.by_version.clone()).unwrap_or_default() {
                    if n == 0 {
                        continue;
                    }
                    let sample = sqlx::query(&format!("SELECT id, {col} FROM {} WHERE {col} LIKE '{SEALED_PREFIX}{v}:%' ORDER BY id LIMIT 1", t.table)).fetch_optional(&self.pool).await?;
                    if let Some(row) = sample {
                        if let Err(e) = sealer.open(*field, &row.text(col)?) {
                            problems.push(format!("{}.{col} 第 {} 行（第 {v} 版密钥）无法解密：{e}", t.table, row.int("id")?));
                        }
                    }
                }
            }
        }
        Ok(problems)
    }

    /// Re-encrypt every row whose values are not all under the current key (clear
    /// text included), `batch` rows per transaction with `pause` between batches so
    /// that requests are served meanwhile. Rows changed by a request meanwhile keep
    /// the request's (current-key) values; rows that cannot be opened (a key not
    /// loaded, tampering) are skipped, counted and left as they are.
    pub async fn reencrypt_all(&self, batch: i64, pause: std::time::Duration) -> Result<Reencrypted> {
        let mut total = Reencrypted::default();
        for t in SEALED_TABLES {
            let mut after = 0;
            loop {
                let (pass, last) = self.reencrypt_rows(t, after, batch.max(1)).await?;
                total.rows += pass.rows;
                total.failed += pass.failed;
                if total.first_error.is_none() {
                    total.first_error = pass.first_error;
                }
                match last {
                    Some(id) => after = id,
                    None => break,
                }
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
        }
        Ok(total)
    }

    /// One batch of [`Store::reencrypt_all`]: up to `batch` stale rows of the table with
    /// an id above `after`, in one transaction; returns the last id looked at (`None`: no more).
    async fn reencrypt_rows(&self, t: &SealedTable, after: i64, batch: i64) -> Result<(Reencrypted, Option<i64>)> {
        let keys = self.data_keys().ok_or(CipherError::NoKeys)?;
        let current = keys.current();
        let sealer = self.sealer();
        let mut done = Reencrypted::default();
        let mut cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
        let mut stale: Vec<String> = cols.iter().map(|c| format!("({c} <> '' AND {c} NOT LIKE '{SEALED_PREFIX}{current}:%')")).collect();
        if t.blind_index {
            stale.push(format!("(id_doc_key <> '' AND id_doc_key NOT LIKE '{BLIND_PREFIX}%')"));
            cols.push("id_doc_key");
        }
        let sql = format!("SELECT id, {} FROM {} WHERE id > $1 AND ({}) ORDER BY id LIMIT $2", cols.join(", "), t.table, stale.join(" OR "));
        let n = cols.len();
        let sets: Vec<String> = cols.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 2)).collect();
        let guards: Vec<String> = cols.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 2 + n)).collect();
        let update = format!("UPDATE {} SET {} WHERE id = $1 AND {}", t.table, sets.join(", "), guards.join(" AND "));
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&sql).bind(after).bind(batch).fetch_all(&mut *tx).await?;
        let mut last = None;
        for row in &rows {
            let id = row.int("id")?;
            last = Some(id);
            let old: Vec<String> = cols.iter().map(|c| row.text(c)).collect::<Result<_>>()?;
            match fresh_values(&sealer, t, current, &old) {
                Ok(new) => {
                    let mut q = sqlx::query(&update).bind(id);
                    for v in new.into_iter().chain(old) {
                        q = q.bind(v);
                    }
                    done.rows += q.execute(&mut *tx).await?.rows_affected();
                }
                Err(e) => {
                    done.failed += 1;
                    done.first_error.get_or_insert(format!("{} 第 {id} 行：{e}", t.table));
                }
            }
        }
        tx.commit().await?;
        Ok((done, last))
    }
}

/// The values of a stale row under the current key (and its blind index), in the
/// order of the table's columns then `id_doc_key`.
fn fresh_values(sealer: &Sealer, t: &SealedTable, current: u32, old: &[String]) -> Result<Vec<String>> {
    let mut new = Vec::with_capacity(old.len());
    let mut id_number = None;
    for ((_, field), stored) in t.columns.iter().zip(old) {
        let clear = sealer.open(*field, stored)?;
        let value = if stored.is_empty() || sealed_version(stored) == Some(current) { stored.clone() } else { sealer.seal(*field, &clear)? };
        if *field == Field::IdDocNumber {
            id_number = Some(clear);
        }
        new.push(value);
    }
    if t.blind_index {
        new.push(sealer.id_doc_key(id_number.as_deref().unwrap_or_default())?);
    }
    Ok(new)
}
