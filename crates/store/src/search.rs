//! Types of the search support tables: the change log the search index
//! follows, and the anonymous search analytics.

use serde::Serialize;

/// One row of the `search_changes` log: item `item_id` changed in a way that
/// may affect the search index. The index re-reads the item; `op` is for
/// people reading the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchChange {
    pub seq: i64,
    pub item_id: i64,
    pub op: String,
}

/// A query with its counts over a period.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QueryStat {
    pub query: String,
    pub searches: i64,
    pub zero_results: i64,
    /// Result count of the latest search in the period.
    pub last_results: i64,
}

/// Clicks on one item from one query over a period.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClickStat {
    pub query: String,
    pub item_id: i64,
    pub clicks: i64,
}

/// Searches per day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DayStat {
    pub day: String,
    pub searches: i64,
    pub zero_results: i64,
}

/// Aggregates of the analytics tables over a period of days (inclusive).
#[derive(Debug, Clone, Serialize, Default)]
pub struct SearchStats {
    pub total_searches: i64,
    pub total_zero: i64,
    pub total_clicks: i64,
    pub top: Vec<QueryStat>,
    pub zero: Vec<QueryStat>,
    pub clicks: Vec<ClickStat>,
    pub days: Vec<DayStat>,
}
