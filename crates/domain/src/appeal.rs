//! The reconsideration and litigation register behind the annual report's
//! section 四 (行政复议 and 行政诉讼 arising from disclosure work), and its
//! 15 cells.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Kind of an appeal in the section 四 register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// 行政复议
    Reconsideration,
    /// 行政诉讼：未经复议直接起诉
    LitigationDirect,
    /// 行政诉讼：复议后起诉
    LitigationAfterReconsideration,
}

impl AppealKind {
    pub const ALL: [AppealKind; 3] = [AppealKind::Reconsideration, AppealKind::LitigationDirect, AppealKind::LitigationAfterReconsideration];
    pub fn as_str(self) -> &'static str {
        match self {
            AppealKind::Reconsideration => "reconsideration",
            AppealKind::LitigationDirect => "litigation_direct",
            AppealKind::LitigationAfterReconsideration => "litigation_after_reconsideration",
        }
    }
    pub fn parse(s: &str) -> Option<AppealKind> {
        AppealKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            AppealKind::Reconsideration => "行政复议",
            AppealKind::LitigationDirect => "行政诉讼（未经复议直接起诉）",
            AppealKind::LitigationAfterReconsideration => "行政诉讼（复议后起诉）",
        }
    }
}

/// Result of an appeal (section 四 columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealResult {
    /// 结果维持
    Upheld,
    /// 结果纠正
    Corrected,
    /// 其他结果
    Other,
    /// 尚未审结
    Pending,
}

impl AppealResult {
    pub const ALL: [AppealResult; 4] = [AppealResult::Upheld, AppealResult::Corrected, AppealResult::Other, AppealResult::Pending];
    pub fn as_str(self) -> &'static str {
        match self {
            AppealResult::Upheld => "upheld",
            AppealResult::Corrected => "corrected",
            AppealResult::Other => "other",
            AppealResult::Pending => "pending",
        }
    }
    pub fn parse(s: &str) -> Option<AppealResult> {
        AppealResult::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            AppealResult::Upheld => "结果维持",
            AppealResult::Corrected => "结果纠正",
            AppealResult::Other => "其他结果",
            AppealResult::Pending => "尚未审结",
        }
    }
}


/// One register entry as the statistics need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealRecord {
    pub kind: AppealKind,
    pub filed_on: NaiveDate,
    pub result: AppealResult,
    pub decided_on: Option<NaiveDate>,
}

/// Section 四 of a report year: for 行政复议, 未经复议直接起诉 and 复议后起诉,
/// the cells 结果维持, 结果纠正, 其他结果, 尚未审结, 总计 — 15 numbers in
/// the statutory order.
///
/// Counting rule (the official filling rule is UNCONFIRMED, spec §1.5): a case
/// counts in the year it was filed; its column is its result if it was decided
/// by 31 December of that year, otherwise 尚未审结. So each group's 总计 is the
/// sum of its four cells by construction (rule C4).
pub fn section4_statistics(records: &[AppealRecord], year: i32) -> [u64; 15] {
    let mut cells = [0u64; 15];
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31);
    for r in records.iter().filter(|r| r.filed_on.year() == year) {
        let group = match r.kind {
            AppealKind::Reconsideration => 0,
            AppealKind::LitigationDirect => 1,
            AppealKind::LitigationAfterReconsideration => 2,
        };
        let decided_in_time = matches!((r.decided_on, year_end), (Some(d), Some(end)) if d <= end);
        let column = match (r.result, decided_in_time) {
            (AppealResult::Upheld, true) => 0,
            (AppealResult::Corrected, true) => 1,
            (AppealResult::Other, true) => 2,
            _ => 3,
        };
        cells[group * 5 + column] += 1;
        cells[group * 5 + 4] += 1;
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn cells_follow_kind_result_and_year_end() {
        let records = [
            AppealRecord { kind: AppealKind::Reconsideration, filed_on: d(2024, 3, 1), result: AppealResult::Upheld, decided_on: Some(d(2024, 5, 1)) },
            AppealRecord { kind: AppealKind::Reconsideration, filed_on: d(2024, 11, 1), result: AppealResult::Corrected, decided_on: Some(d(2025, 1, 10)) },
            AppealRecord { kind: AppealKind::LitigationDirect, filed_on: d(2024, 6, 1), result: AppealResult::Corrected, decided_on: Some(d(2024, 12, 31)) },
            AppealRecord { kind: AppealKind::LitigationAfterReconsideration, filed_on: d(2024, 7, 1), result: AppealResult::Pending, decided_on: None },
            AppealRecord { kind: AppealKind::Reconsideration, filed_on: d(2023, 12, 1), result: AppealResult::Other, decided_on: Some(d(2024, 1, 5)) },
        ];
        let c = section4_statistics(&records, 2024);
        assert_eq!(c, [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]);
        let c = section4_statistics(&records, 2023);
        assert_eq!(c, [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn codes_round_trip() {
        for k in AppealKind::ALL {
            assert_eq!(AppealKind::parse(k.as_str()), Some(k));
        }
        for r in AppealResult::ALL {
            assert_eq!(AppealResult::parse(r.as_str()), Some(r));
        }
    }

    proptest! {
        /// C4: in each group 总计 = 维持 + 纠正 + 其他 + 尚未审结, and the totals
        /// count every case filed in the year.
        #[test]
        fn totals_hold(raw in proptest::collection::vec((0usize..3, 0usize..4, 0i64..1500, proptest::option::of(0i64..400)), 0..60)) {
            let base = d(2023, 1, 1);
            let records: Vec<AppealRecord> = raw.iter().map(|(k, r, filed, dec)| {
                let filed_on = base + chrono::Duration::days(*filed);
                AppealRecord { kind: AppealKind::ALL[*k], filed_on, result: AppealResult::ALL[*r], decided_on: dec.map(|x| filed_on + chrono::Duration::days(x)) }
            }).collect();
            for year in 2023..=2027 {
                let c = section4_statistics(&records, year);
                for g in 0..3 {
                    prop_assert_eq!(c[g * 5 + 4], c[g * 5] + c[g * 5 + 1] + c[g * 5 + 2] + c[g * 5 + 3]);
                }
                let filed = records.iter().filter(|r| r.filed_on.year() == year).count() as u64;
                prop_assert_eq!(c[4] + c[9] + c[14], filed);
            }
        }
    }
}
