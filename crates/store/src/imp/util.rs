//! Encoding helpers shared by the storage modules: text forms of dates and
//! timestamps, typed row access that reports corrupt data, dynamic argument
//! lists, and recognition of constraint violations.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::error::ErrorKind;
use sqlx::query::Query;
use sqlx::{Any, Row};

use crate::{Result, StoreError};

/// A timestamp as stored: RFC 3339 UTC with nine fractional digits, so that
/// text order is time order (years 0000–9999).
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// The last representable stored timestamp (keeps text order for huge durations).
fn max_ts() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("9999-12-31T23:59:59.999999999Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn min_ts() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("0000-01-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `t + d`, clamped to the storable range.
pub(crate) fn ts_add(t: DateTime<Utc>, d: chrono::Duration) -> String {
    let r = t
        .checked_add_signed(d)
        .unwrap_or(if d < chrono::Duration::zero() {
            min_ts()
        } else {
            max_ts()
        });
    ts(r.clamp(min_ts(), max_ts()))
}

/// A date as stored: `YYYY-MM-DD`.
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}：{detail}"))
}

fn parse_ts(col: &str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(&format!("字段 {col} 的时间“{s}”无法解析"), e))
}

fn parse_day(col: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| corrupt(&format!("字段 {col} 的日期“{s}”无法解析"), e))
}

/// Typed access to a row, turning decode failures into [`StoreError::Corrupt`].
pub(crate) trait RowExt {
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn blob(&self, col: &str) -> Result<Vec<u8>>;
    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.int(col)? != 0)
    }
    fn time(&self, col: &str) -> Result<DateTime<Utc>> {
        parse_ts(col, &self.text(col)?)
    }
    fn opt_time(&self, col: &str) -> Result<Option<DateTime<Utc>>> {
        self.opt_text(col)?.map(|s| parse_ts(col, &s)).transpose()
    }
    fn date(&self, col: &str) -> Result<NaiveDate> {
        parse_day(col, &self.text(col)?)
    }
    fn opt_date(&self, col: &str) -> Result<Option<NaiveDate>> {
        self.opt_text(col)?.map(|s| parse_day(col, &s)).transpose()
    }
    /// A text column holding an enum code, parsed with `parse`.
    fn code<T>(&self, col: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
        let s = self.text(col)?;
        parse(&s).ok_or_else(|| corrupt(&format!("字段 {col}"), format!("未知取值“{s}”")))
    }
    fn opt_code<T>(&self, col: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
        match self.opt_text(col)? {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .ok_or_else(|| corrupt(&format!("字段 {col}"), format!("未知取值“{s}”"))),
        }
    }
}

fn decode_error(col: &str, e: sqlx::Error) -> StoreError {
    corrupt(&format!("字段 {col} 无法读取"), e)
}

impl RowExt for AnyRow {
    fn int(&self, col: &str) -> Result<i64> {
        self.try_get::<i64, _>(col)
            .map_err(|e| decode_error(col, e))
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        self.try_get::<Option<i64>, _>(col)
            .map_err(|e| decode_error(col, e))
    }
    fn text(&self, col: &str) -> Result<String> {
        self.try_get::<String, _>(col)
            .map_err(|e| decode_error(col, e))
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        self.try_get::<Option<String>, _>(col)
            .map_err(|e| decode_error(col, e))
    }
    fn blob(&self, col: &str) -> Result<Vec<u8>> {
        self.try_get::<Vec<u8>, _>(col)
            .map_err(|e| decode_error(col, e))
    }
}

/// A dynamically bound argument.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// A WHERE clause built from numbered placeholders and its arguments.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Filter {
    /// Add an argument and return its placeholder (`$n`).
    pub(crate) fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
    /// `col = $n`. `col` must be a trusted identifier, never user input.
    pub(crate) fn eq(&mut self, col: &str, a: Arg) {
        let p = self.arg(a);
        self.clauses.push(format!("{col} = {p}"));
    }
    /// `col IN ($n, …)`; an empty list matches nothing.
    pub(crate) fn any_of(&mut self, col: &str, values: impl IntoIterator<Item = Arg>) {
        let ps: Vec<String> = values.into_iter().map(|a| self.arg(a)).collect();
        if ps.is_empty() {
            self.clauses.push("1 = 0".to_owned());
        } else {
            self.clauses.push(format!("{col} IN ({})", ps.join(", ")));
        }
    }
    /// A literal clause (trusted SQL).
    pub(crate) fn clause(&mut self, sql: String) {
        self.clauses.push(sql);
    }
    /// ` WHERE …` or the empty string.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Ids as arguments, e.g. for [`Filter::any_of`].
pub(crate) fn ints(ids: &[i64]) -> impl Iterator<Item = Arg> + '_ {
    ids.iter().map(|&i| Arg::Int(i))
}

/// Bind `args` in order.
pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    args: &'q [Arg],
) -> Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// The violated constraint's kind and a text naming it (constraint name on
/// PostgreSQL, the message naming the columns on SQLite).
fn violation(e: &sqlx::Error) -> Option<(ErrorKind, String)> {
    match e {
        sqlx::Error::Database(db) => {
            let mut text = db.message().to_owned();
            if let Some(c) = db.constraint() {
                text.push(' ');
                text.push_str(c);
            }
            Some((db.kind(), text))
        }
        _ => None,
    }
}

/// If `e` is a unique violation, the text naming the constraint.
pub(crate) fn unique_violation(e: &sqlx::Error) -> Option<String> {
    violation(e).and_then(|(k, t)| matches!(k, ErrorKind::UniqueViolation).then_some(t))
}

pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    matches!(violation(e), Some((ErrorKind::ForeignKeyViolation, _)))
}

/// The 文号 in normalised form, used for the per-organisation uniqueness
/// check: whitespace (including full-width spaces) removed, and brackets
/// around a four-digit year — `[ ] ( ) （ ） ［ ］ 【 】 ﹝ ﹞ 〔 〕` — made
/// `〔 〕`, so that `清城府(2023)12号` and `清城府〔2023〕12号` collide.
/// `None` when nothing is left.
pub(crate) fn doc_number_key(doc_number: &str) -> Option<String> {
    // One rule for 文号 equality, owned by the domain.
    let key = gongkai_domain::validate::normalise_doc_number(doc_number);
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_number_variants_share_a_key() {
        let k = doc_number_key("清城府〔2023〕12号");
        assert_eq!(k.as_deref(), Some("清城府〔2023〕12号"));
        for v in [
            "清城府(2023)12号",
            "清城府（2023）12号",
            " 清城府 [2023] 12 号",
            "清城府【2023】12号",
            "清城府［2023］12号",
            "清城府﹝2023﹞12号",
            "清城府\u{3000}(2023)12号",
        ] {
            assert_eq!(doc_number_key(v), k, "{v}");
        }
        assert_ne!(doc_number_key("清城府〔2023〕13号"), k);
        // brackets not around a year are kept
        assert_eq!(
            doc_number_key("粤府(试行)1号").as_deref(),
            Some("粤府(试行)1号")
        );
        assert_eq!(doc_number_key("   "), None);
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let b = a + chrono::Duration::nanoseconds(1);
        assert!(ts(a) < ts(b));
        assert_eq!(ts(a), "2024-01-02T03:04:05.000000000Z");
        assert_eq!(
            ts_add(a, chrono::Duration::MAX),
            "9999-12-31T23:59:59.999999999Z"
        );
    }
}
