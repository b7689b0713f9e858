//! The information-processing fee (信息处理费), 国办函〔2020〕109号 (spec §4, rules B1–B4).
//!
//! Two methods, exactly one per application (B3), both progressive over bands:
//! - 按件计收 (per piece, B1): the applicant's k-th piece within the natural month costs
//!   0 for k ≤ 10, 100元 for 11 ≤ k ≤ 30, and 100 × (1 + ceil((k − 30)/10))元 from 31 on
//!   (31–40: 200元, 41–50: 300元, …);
//! - 按量计收 (per page, B2): pages 1–30 free, 31–100 at 10元, 101–200 at 20元, 201+ at
//!   40元 (250 pages → 4,700元).
//!
//! The tiers are data ([`FeeSchedule`], with an effective date) so a revision is a data
//! change. Amounts are integer 分 (fen); there are no floats anywhere. Who counts as the
//! "same applicant" for the monthly counter (B4) is UNCONFIRMED and left to the caller,
//! which passes the number of pieces already counted this month.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Fen per yuan.
pub const FEN_PER_YUAN: i64 = 100;
/// Largest piece or page count accepted in one quote.
pub const MAX_COUNT: u32 = 1_000_000;

/// The two charging methods (Art. 3 of the measure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeMethod {
    /// 按件计收
    PerPiece,
    /// 按量计收
    PerPage,
}

impl FeeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            FeeMethod::PerPiece => "per_piece",
            FeeMethod::PerPage => "per_page",
        }
    }

    pub fn parse(s: &str) -> Option<FeeMethod> {
        [FeeMethod::PerPiece, FeeMethod::PerPage]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            FeeMethod::PerPiece => "按件计收",
            FeeMethod::PerPage => "按量计收",
        }
    }

    /// The counting unit: 件 or 页.
    pub fn unit(self) -> &'static str {
        match self {
            FeeMethod::PerPiece => "件",
            FeeMethod::PerPage => "页",
        }
    }
}

/// A rise of the unit price every `size` units within a tier (the open-ended
/// per-piece tier: "以10件为一档，每增加一档，收费标准提高100元/件").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// Units per band (10).
    pub size: u32,
    /// Price increase per band, in fen (10,000 = 100元).
    pub step_fen: i64,
}

/// One tier: units `first..=last` (open-ended when `last` is `None`) cost
/// `unit_fen` each, plus `band.step_fen` for every whole band above `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub first: u32,
    pub last: Option<u32>,
    pub unit_fen: i64,
    #[serde(default)]
    pub band: Option<Band>,
}

impl Tier {
    /// Price of unit `k` (which must lie in the tier).
    fn price(&self, k: u32) -> i64 {
        match self.band {
            Some(b) if b.size > 0 => {
                self.unit_fen + b.step_fen * i64::from((k - self.first) / b.size)
            }
            _ => self.unit_fen,
        }
    }

    fn contains(&self, k: u32) -> bool {
        k >= self.first && self.last.is_none_or(|l| k <= l)
    }
}

/// A fee schedule in force from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// The document that sets the schedule.
    pub document: String,
    /// First day the schedule applies. For the 2020 measure this is UNCONFIRMED
    /// (probably 2021-01-01, spec §4).
    pub effective_from: NaiveDate,
    /// Per-piece tiers, by the applicant's running count in the natural month.
    pub per_piece: Vec<Tier>,
    /// Per-page tiers, by page number within the application.
    pub per_page: Vec<Tier>,
}

impl Default for FeeSchedule {
    /// 国办函〔2020〕109号.
    fn default() -> Self {
        FeeSchedule {
            document: "国办函〔2020〕109号".to_string(),
            effective_from: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or(NaiveDate::MIN),
            per_piece: vec![
                Tier {
                    first: 1,
                    last: Some(10),
                    unit_fen: 0,
                    band: None,
                },
                Tier {
                    first: 11,
                    last: Some(30),
                    unit_fen: 100 * FEN_PER_YUAN,
                    band: None,
                },
                Tier {
                    first: 31,
                    last: None,
                    unit_fen: 200 * FEN_PER_YUAN,
                    band: Some(Band {
                        size: 10,
                        step_fen: 100 * FEN_PER_YUAN,
                    }),
                },
            ],
            per_page: vec![
                Tier {
                    first: 1,
                    last: Some(30),
                    unit_fen: 0,
                    band: None,
                },
                Tier {
                    first: 31,
                    last: Some(100),
                    unit_fen: 10 * FEN_PER_YUAN,
                    band: None,
                },
                Tier {
                    first: 101,
                    last: Some(200),
                    unit_fen: 20 * FEN_PER_YUAN,
                    band: None,
                },
                Tier {
                    first: 201,
                    last: None,
                    unit_fen: 40 * FEN_PER_YUAN,
                    band: None,
                },
            ],
        }
    }
}

/// What a fee is computed on. One variant per method, so an application can
/// never be charged by both (B3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum FeeBasis {
    /// `count` pieces in this application; the applicant already had
    /// `already_this_month` pieces in the same natural month (B4).
    PerPiece { count: u32, already_this_month: u32 },
    /// `count` pages.
    PerPage { count: u32 },
}

impl FeeBasis {
    pub fn method(&self) -> FeeMethod {
        match self {
            FeeBasis::PerPiece { .. } => FeeMethod::PerPiece,
            FeeBasis::PerPage { .. } => FeeMethod::PerPage,
        }
    }
}

/// One line of a quote: units `first..=last` at `unit_fen` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeeLine {
    pub first: u32,
    pub last: u32,
    pub count: u32,
    pub unit_fen: i64,
    pub amount_fen: i64,
}

/// A computed fee with its breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeQuote {
    pub basis: FeeBasis,
    pub lines: Vec<FeeLine>,
    pub total_fen: i64,
}

/// Errors of fee schedules and quotes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("{0}数须大于0")]
    ZeroCount(&'static str),
    #[error("{unit}数 {count} 超出上限（{MAX_COUNT}）")]
    TooLarge { unit: &'static str, count: u32 },
    #[error("收费标准（{method}）无效：{reason}")]
    InvalidSchedule {
        method: &'static str,
        reason: String,
    },
    #[error("金额计算溢出")]
    Overflow,
    #[error("{date} 没有生效的信息处理费收费标准")]
    NoSchedule { date: NaiveDate },
}

/// Format an amount in fen as yuan: `4700元`, `12.50元`, `-3.05元`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let (yuan, rest) = (abs / 100, abs % 100);
    if rest == 0 {
        format!("{sign}{yuan}元")
    } else {
        format!("{sign}{yuan}.{rest:02}元")
    }
}

impl FeeSchedule {
    /// Check both tier lists: they start at 1, are contiguous and ascending, only the
    /// last is open-ended, prices are non-negative, band sizes are positive.
    pub fn validate(&self) -> Result<(), FeeError> {
        for (method, tiers) in [
            (FeeMethod::PerPiece, &self.per_piece),
            (FeeMethod::PerPage, &self.per_page),
        ] {
            let bad = |reason: String| FeeError::InvalidSchedule {
                method: method.label(),
                reason,
            };
            if tiers.is_empty() {
                return Err(bad("至少需要一档".to_string()));
            }
            let mut expected_first = 1u32;
            for (i, t) in tiers.iter().enumerate() {
                let n = i + 1;
                if t.first != expected_first {
                    return Err(bad(format!(
                        "第{n}档应从第{expected_first}{}开始（实际为{}）",
                        method.unit(),
                        t.first
                    )));
                }
                if t.unit_fen < 0 {
                    return Err(bad(format!("第{n}档单价不能为负数")));
                }
                if let Some(b) = t.band {
                    if b.size == 0 {
                        return Err(bad(format!("第{n}档的递增档宽须大于0")));
                    }
                    if b.step_fen < 0 {
                        return Err(bad(format!("第{n}档的每档加价不能为负数")));
                    }
                }
                match t.last {
                    Some(last) if last < t.first => {
                        return Err(bad(format!(
                            "第{n}档的结束{}数小于开始{}数",
                            method.unit(),
                            method.unit()
                        )));
                    }
                    Some(last) => {
                        if i + 1 == tiers.len() {
                            return Err(bad("最后一档应不设上限".to_string()));
                        }
                        expected_first = last.saturating_add(1);
                    }
                    None if i + 1 != tiers.len() => {
                        return Err(bad(format!("只有最后一档可以不设上限（第{n}档）")))
                    }
                    None => {}
                }
            }
        }
        Ok(())
    }

    fn tiers(&self, method: FeeMethod) -> &[Tier] {
        match method {
            FeeMethod::PerPiece => &self.per_piece,
            FeeMethod::PerPage => &self.per_page,
        }
    }

    /// Price of unit number `k` (1-based) under `method`.
    pub fn unit_price(&self, method: FeeMethod, k: u32) -> Option<i64> {
        self.tiers(method)
            .iter()
            .find(|t| t.contains(k))
            .map(|t| t.price(k))
    }

    /// Compute the fee with its breakdown (lines of consecutive units at the same
    /// price, free units included).
    pub fn quote(&self, basis: FeeBasis) -> Result<FeeQuote, FeeError> {
        self.validate()?;
        let method = basis.method();
        let (first, count) = match basis {
            FeeBasis::PerPiece {
                count,
                already_this_month,
            } => (already_this_month.checked_add(1), count),
            FeeBasis::PerPage { count } => (Some(1), count),
        };
        if count == 0 {
            return Err(FeeError::ZeroCount(method.unit()));
        }
        if count > MAX_COUNT {
            return Err(FeeError::TooLarge {
                unit: method.unit(),
                count,
            });
        }
        let first = first
            .filter(|f| *f <= MAX_COUNT)
            .ok_or(FeeError::TooLarge {
                unit: method.unit(),
                count: u32::MAX,
            })?;
        let last = first + count - 1; // both ≤ MAX_COUNT, no overflow
        let mut lines: Vec<FeeLine> = Vec::new();
        let mut total: i64 = 0;
        for k in first..=last {
            let price = self.unit_price(method, k).ok_or(FeeError::Overflow)?;
            total = total.checked_add(price).ok_or(FeeError::Overflow)?;
            match lines.last_mut() {
                Some(line) if line.unit_fen == price => {
                    line.last = k;
                    line.count += 1;
                    line.amount_fen = line
                        .amount_fen
                        .checked_add(price)
                        .ok_or(FeeError::Overflow)?;
                }
                _ => lines.push(FeeLine {
                    first: k,
                    last: k,
                    count: 1,
                    unit_fen: price,
                    amount_fen: price,
                }),
            }
        }
        Ok(FeeQuote {
            basis,
            lines,
            total_fen: total,
        })
    }
}

/// The schedule in force on `date`: the one with the latest `effective_from`
/// not after `date`.
pub fn schedule_for(schedules: &[FeeSchedule], date: NaiveDate) -> Result<&FeeSchedule, FeeError> {
    schedules
        .iter()
        .filter(|s| s.effective_from <= date)
        .max_by_key(|s| s.effective_from)
        .ok_or(FeeError::NoSchedule { date })
}

impl FeeQuote {
    pub fn method(&self) -> FeeMethod {
        self.basis.method()
    }

    /// Whether the application is under the free threshold (no fee may be charged).
    pub fn is_free(&self) -> bool {
        self.total_fen == 0
    }

    /// Chinese breakdown, one line per band, e.g.
    /// `第31—100页：70页 × 10元 = 700元`, then `合计：4700元`.
    pub fn explain(&self) -> String {
        let method = self.method();
        let unit = method.unit();
        let mut out = format!("计费方式：{}", method.label());
        if let FeeBasis::PerPiece {
            count,
            already_this_month,
        } = self.basis
        {
            out.push_str(&format!(
                "（本自然月此前已申请{already_this_month}件，本次{count}件）"
            ));
        }
        out.push('\n');
        for l in &self.lines {
            let range = if l.first == l.last {
                format!("第{}{unit}", l.first)
            } else {
                format!("第{}—{}{unit}", l.first, l.last)
            };
            if l.unit_fen == 0 {
                out.push_str(&format!("{range}：{}{unit}，免费\n", l.count));
            } else {
                out.push_str(&format!(
                    "{range}：{}{unit} × {} = {}\n",
                    l.count,
                    format_yuan(l.unit_fen),
                    format_yuan(l.amount_fen)
                ));
            }
        }
        out.push_str(&format!("合计：{}", format_yuan(self.total_fen)));
        if self.is_free() {
            out.push_str("（未超过免费额度，不收费）");
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pieces(count: u32, already: u32) -> i64 {
        FeeSchedule::default()
            .quote(FeeBasis::PerPiece {
                count,
                already_this_month: already,
            })
            .expect("quote")
            .total_fen
    }

    fn pages(count: u32) -> i64 {
        FeeSchedule::default()
            .quote(FeeBasis::PerPage { count })
            .expect("quote")
            .total_fen
    }

    /// B1 written out: price of the k-th piece in yuan.
    fn b1(k: u32) -> i64 {
        if k <= 10 {
            0
        } else if k <= 30 {
            100
        } else {
            100 * (1 + i64::from((k - 30).div_ceil(10)))
        }
    }

    const Y: i64 = FEN_PER_YUAN;

    #[test]
    fn default_schedule_is_valid() {
        let s = FeeSchedule::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.document, "国办函〔2020〕109号");
    }

    #[test]
    fn per_piece_unit_prices_at_boundaries() {
        let s = FeeSchedule::default();
        let p = |k| s.unit_price(FeeMethod::PerPiece, k).expect("price") / Y;
        assert_eq!((p(1), p(10), p(11)), (0, 0, 100));
        assert_eq!((p(30), p(31)), (100, 200));
        assert_eq!((p(40), p(41)), (200, 300));
        assert_eq!((p(50), p(51), p(60), p(61)), (300, 400, 400, 500));
        for k in 1..=500 {
            assert_eq!(p(k), b1(k), "k = {k}");
        }
    }

    #[test]
    fn per_piece_totals_at_boundaries() {
        // A single application of n pieces, nothing earlier this month.
        assert_eq!(pieces(10, 0), 0);
        assert_eq!(pieces(11, 0), 100 * Y);
        assert_eq!(pieces(30, 0), 2000 * Y);
        assert_eq!(pieces(31, 0), 2200 * Y);
        assert_eq!(pieces(40, 0), 4000 * Y);
        assert_eq!(pieces(41, 0), 4300 * Y);
        // Monthly counter: the 11th piece of the month costs 100元 even alone.
        assert_eq!(pieces(1, 9), 0);
        assert_eq!(pieces(1, 10), 100 * Y);
        assert_eq!(pieces(1, 29), 100 * Y);
        assert_eq!(pieces(1, 30), 200 * Y);
        assert_eq!(pieces(1, 39), 200 * Y);
        assert_eq!(pieces(1, 40), 300 * Y);
        assert_eq!(pieces(2, 9), 100 * Y);
        let q = FeeSchedule::default()
            .quote(FeeBasis::PerPiece {
                count: 15,
                already_this_month: 28,
            })
            .expect("q");
        // pieces 29–43: 2×100 + 10×200 + 3×300
        assert_eq!(q.total_fen, 3100 * Y);
        assert_eq!(q.lines.len(), 3);
        assert_eq!(
            (q.lines[0].first, q.lines[0].last, q.lines[0].count),
            (29, 30, 2)
        );
        assert_eq!(
            (q.lines[2].first, q.lines[2].last, q.lines[2].amount_fen),
            (41, 43, 900 * Y)
        );
    }

    #[test]
    fn per_page_at_boundaries() {
        assert_eq!(pages(1), 0);
        assert_eq!(pages(30), 0);
        assert_eq!(pages(31), 10 * Y);
        assert_eq!(pages(100), 700 * Y);
        assert_eq!(pages(101), 720 * Y);
        assert_eq!(pages(200), 2700 * Y);
        assert_eq!(pages(201), 2740 * Y);
        // B2 worked example.
        assert_eq!(pages(250), 4700 * Y);
        let q = FeeSchedule::default()
            .quote(FeeBasis::PerPage { count: 250 })
            .expect("q");
        assert_eq!(q.lines.len(), 4);
        assert_eq!(
            q.explain(),
            "计费方式：按量计收\n第1—30页：30页，免费\n第31—100页：70页 × 10元 = 700元\n\
             第101—200页：100页 × 20元 = 2000元\n第201—250页：50页 × 40元 = 2000元\n合计：4700元\n"
        );
        assert!(!q.is_free());
    }

    #[test]
    fn free_quote_and_explain() {
        let q = FeeSchedule::default()
            .quote(FeeBasis::PerPiece {
                count: 3,
                already_this_month: 2,
            })
            .expect("q");
        assert!(q.is_free());
        assert_eq!(q.explain(), "计费方式：按件计收（本自然月此前已申请2件，本次3件）\n第3—5件：3件，免费\n合计：0元（未超过免费额度，不收费）\n");
        let q = FeeSchedule::default()
            .quote(FeeBasis::PerPage { count: 31 })
            .expect("q");
        assert!(q.explain().contains("第31页：1页 × 10元 = 10元"));
    }

    #[test]
    fn bad_counts() {
        let s = FeeSchedule::default();
        let e = s.quote(FeeBasis::PerPage { count: 0 }).expect_err("zero");
        assert_eq!(e.to_string(), "页数须大于0");
        let e = s
            .quote(FeeBasis::PerPiece {
                count: 0,
                already_this_month: 3,
            })
            .expect_err("zero");
        assert_eq!(e.to_string(), "件数须大于0");
        assert!(matches!(
            s.quote(FeeBasis::PerPage {
                count: MAX_COUNT + 1
            }),
            Err(FeeError::TooLarge { .. })
        ));
        assert!(s
            .quote(FeeBasis::PerPiece {
                count: 1,
                already_this_month: u32::MAX
            })
            .is_err());
        assert!(s
            .quote(FeeBasis::PerPiece {
                count: MAX_COUNT,
                already_this_month: MAX_COUNT
            })
            .is_err());
        // The largest accepted quote does not overflow.
        assert!(s
            .quote(FeeBasis::PerPiece {
                count: MAX_COUNT,
                already_this_month: 0
            })
            .is_ok());
    }

    #[test]
    fn invalid_schedules() {
        let mut s = FeeSchedule::default();
        s.per_page[1].first = 32;
        let e = s.validate().expect_err("gap");
        assert_eq!(
            e.to_string(),
            "收费标准（按量计收）无效：第2档应从第31页开始（实际为32）"
        );
        let mut s = FeeSchedule::default();
        s.per_piece[2].last = Some(100);
        assert_eq!(
            s.validate().expect_err("closed").to_string(),
            "收费标准（按件计收）无效：最后一档应不设上限"
        );
        let mut s = FeeSchedule::default();
        s.per_piece[0].last = None;
        assert!(s.validate().is_err());
        let mut s = FeeSchedule::default();
        s.per_page[0].unit_fen = -1;
        assert!(s.validate().is_err());
        let mut s = FeeSchedule::default();
        s.per_piece[2].band = Some(Band {
            size: 0,
            step_fen: 1,
        });
        assert!(s.validate().is_err());
        assert!(s.quote(FeeBasis::PerPage { count: 1 }).is_err());
        let mut s = FeeSchedule::default();
        s.per_page.clear();
        assert!(s.validate().is_err());
    }

    #[test]
    fn schedules_by_effective_date() {
        let old = FeeSchedule::default();
        let mut new = FeeSchedule {
            effective_from: NaiveDate::from_ymd_opt(2027, 1, 1).expect("d"),
            ..FeeSchedule::default()
        };
        new.per_page[1].unit_fen = 15 * Y;
        let all = [old, new];
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("d");
        assert_eq!(
            schedule_for(&all, d("2026-12-31")).expect("s").per_page[1].unit_fen,
            10 * Y
        );
        assert_eq!(
            schedule_for(&all, d("2027-01-01")).expect("s").per_page[1].unit_fen,
            15 * Y
        );
        let e = schedule_for(&all, d("2020-12-31")).expect_err("none");
        assert_eq!(e.to_string(), "2020-12-31 没有生效的信息处理费收费标准");
    }

    #[test]
    fn yuan_formatting_and_serde() {
        assert_eq!(format_yuan(470_000), "4700元");
        assert_eq!(format_yuan(1250), "12.50元");
        assert_eq!(format_yuan(-305), "-3.05元");
        assert_eq!(format_yuan(0), "0元");
        let json = serde_json::to_string(&FeeBasis::PerPage { count: 3 }).expect("json");
        assert_eq!(json, r#"{"method":"per_page","count":3}"#);
        let s: FeeSchedule =
            serde_json::from_str(&serde_json::to_string(&FeeSchedule::default()).expect("j"))
                .expect("back");
        assert_eq!(s, FeeSchedule::default());
        assert_eq!(FeeMethod::parse("per_piece"), Some(FeeMethod::PerPiece));
    }

    proptest! {
        #[test]
        fn per_piece_matches_b1(count in 1u32..200, already in 0u32..200) {
            let expected: i64 = (already + 1..=already + count).map(b1).sum::<i64>() * Y;
            let q = FeeSchedule::default().quote(FeeBasis::PerPiece { count, already_this_month: already }).expect("q");
            prop_assert_eq!(q.total_fen, expected);
            prop_assert_eq!(q.lines.iter().map(|l| l.amount_fen).sum::<i64>(), q.total_fen);
            prop_assert_eq!(q.lines.iter().map(|l| l.count).sum::<u32>(), count);
        }

        #[test]
        fn splitting_an_application_does_not_change_the_monthly_total(a in 1u32..80, b in 1u32..80) {
            prop_assert_eq!(pieces(a, 0) + pieces(b, a), pieces(a + b, 0));
        }

        #[test]
        fn per_page_is_monotonic(n in 1u32..1000) {
            prop_assert!(pages(n + 1) >= pages(n));
        }
    }
}
