//! The working-day clock (工作日计算).
//!
//! Statutory periods of the Regulations are counted in working days (工作日):
//! Art. 26 gives 20 working days to publish proactive information (rule A1),
//! Art. 30 gives 7 working days for a correction notice, Art. 33 gives 20 (+20)
//! working days to reply. Counting needs the PRC holiday calendar published each
//! year by the General Office of the State Council, including the make-up
//! working days (调休上班) on weekends.
//!
//! Conventions (see the spec's "Working-day calendar"):
//! - counting starts on the day *after* the trigger date (practice and
//!   commentary, not statute);
//! - a date is governed by whichever year's data lists it (the 元旦 holiday of
//!   2023 starts on 2022-12-31 and is listed in the 2023 data);
//! - a date whose calendar year has no data is *provisional*: the public
//!   holidays that the holiday regulations (《全国年节及纪念日放假办法》) fix
//!   every year — 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 — are rest
//!   days with certainty, but the year's 调休 (make-up working days, bridged
//!   days, compensation of a holiday falling on a weekend) is unknown until the
//!   notice is entered, and results say so. The lunar festivals come from the
//!   compiled-in table `data/cn_lunar_festivals.tsv` (see [`fixed_holidays`]).
//!
//! The official data for 2019–2026 is compiled in from `data/cn_holidays.json`;
//! administrators may add later years (or replace a year after an emergency
//! change such as the 2020 春节 extension) with [`Calendar::add_year`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Bound;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The official holiday data, compiled in.
const OFFICIAL_JSON: &str = include_str!("../data/cn_holidays.json");

/// Gregorian dates of the lunar festivals (春节, 清明, 端午, 中秋) per year,
/// compiled in. Generated once from the MIT-licensed `borax` lunar calendar
/// and checked by the tests against the official notices of 2019–2026.
const LUNAR_TSV: &str = include_str!("../data/cn_lunar_festivals.tsv");

/// Upper bound on the number of working days [`Calendar::add_working_days`]
/// counts (about 380 years); larger requests are clamped.
pub const MAX_WORKING_DAYS: u32 = 100_000;

/// Earliest year for which holiday data may be loaded.
pub const MIN_YEAR: i32 = 2000;
/// Latest year for which holiday data may be loaded.
pub const MAX_YEAR: i32 = 2100;

/// Longest holiday range accepted, in days (the longest so far, 春节 2020
/// after its extension, had 10).
pub const MAX_HOLIDAY_RANGE_DAYS: i64 = 31;

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum DayKind {
    /// An ordinary working day (Monday to Friday, not a holiday).
    Workday,
    /// Saturday or Sunday, not a make-up working day.
    Weekend,
    /// Official holiday (放假), with the holiday's name, e.g. `春节`.
    Holiday(String),
    /// Weekend day declared a working day (调休上班), with the holiday's name.
    MakeupWorkday(String),
}

impl DayKind {
    /// Whether the day counts as a working day.
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday(_))
    }

    /// Chinese description, e.g. `工作日`, `周末`, `春节假期`, `春节调休上班`.
    pub fn label(&self) -> String {
        match self {
            DayKind::Workday => "工作日".to_string(),
            DayKind::Weekend => "周末".to_string(),
            DayKind::Holiday(name) => format!("{name}假期"),
            DayKind::MakeupWorkday(name) => format!("{name}调休上班"),
        }
    }
}

/// One year's official arrangement, in the shape of one year of
/// `cn_holidays.json`:
/// `{"holidays":[["2023-01-21","2023-01-27","春节"],…],"workdays":[["2023-01-28","春节"],…]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCalendar {
    /// Holiday ranges (first day, last day inclusive, name).
    #[serde(default)]
    pub holidays: Vec<(NaiveDate, NaiveDate, String)>,
    /// Make-up working days on weekends (date, name of the holiday).
    #[serde(default)]
    pub workdays: Vec<(NaiveDate, String)>,
}

/// A non-working day skipped while counting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedDay {
    pub date: NaiveDate,
    /// Chinese reason: `周六`, `周日`, `春节假期`, …
    pub reason: String,
}

/// The result of counting working days from a start date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueDate {
    /// The trigger date (counting starts the day after).
    pub start: NaiveDate,
    /// Working days counted (the requested number unless it exceeded
    /// [`MAX_WORKING_DAYS`] or the date range of `chrono`).
    pub working_days: u32,
    /// The last day of the period.
    pub due: NaiveDate,
    /// Some counted day lies in a year without official holiday data, so only
    /// weekends were skipped there.
    pub provisional: bool,
    /// Non-working days between the start and the due date, in order.
    pub skipped: Vec<SkippedDay>,
    /// Make-up working days (调休上班) that were counted, with the holiday name.
    pub counted_makeup_days: Vec<(NaiveDate, String)>,
}

/// Errors loading or validating holiday data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("节假日数据格式错误：{0}")]
    Json(String),
    #[error("节假日数据中的年份“{0}”无效，应为四位数字年份")]
    InvalidYearKey(String),
    #[error("年份 {0} 超出支持范围（{MIN_YEAR}—{MAX_YEAR}）")]
    YearOutOfRange(i32),
    #[error("{0}年节假日数据为空，至少应包含一个节假日")]
    EmptyYear(i32),
    #[error("{year}年节假日数据中有名称为空的条目（日期 {date}）")]
    EmptyName { year: i32, date: NaiveDate },
    #[error("{year}年节假日数据中的日期 {date} 超出合理范围（应在 {earliest} 至 {latest} 之间）")]
    DateOutsideYear { year: i32, date: NaiveDate, earliest: NaiveDate, latest: NaiveDate },
    #[error("节假日“{name}”的结束日期 {end} 早于开始日期 {start}")]
    RangeReversed { name: String, start: NaiveDate, end: NaiveDate },
    #[error("节假日“{name}”（{start} 至 {end}）超过 {MAX_HOLIDAY_RANGE_DAYS} 天，请检查日期")]
    RangeTooLong { name: String, start: NaiveDate, end: NaiveDate },
    #[error("调休上班日 {date}（{name}）不是周六或周日")]
    MakeupNotWeekend { date: NaiveDate, name: String },
    #[error("日期 {date} 重复出现：既是“{first}”，又是“{second}”")]
    Overlap { date: NaiveDate, first: String, second: String },
}

/// How a listed date is special.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Special {
    Holiday(String),
    Makeup(String),
}

impl Special {
    fn describe(&self) -> String {
        match self {
            Special::Holiday(name) => format!("{name}假期"),
            Special::Makeup(name) => format!("{name}调休上班"),
        }
    }
}

/// The working-day calendar: official years plus years added by administrators.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    official: BTreeMap<i32, YearCalendar>,
    admin: BTreeMap<i32, YearCalendar>,
    /// Every listed date of the effective years → (year whose data lists it, kind).
    index: BTreeMap<NaiveDate, (i32, Special)>,
    /// The fixed statutory holidays of the years *without* data (and not listed
    /// by a neighbouring year's data) → holiday name. Rebuilt with `index`.
    fixed: BTreeMap<NaiveDate, String>,
    /// Whether each day from 1 January [`MIN_YEAR`] to 31 December [`MAX_YEAR`] is a working
    /// day, one bit a day (4.6 KB): what `index` and `fixed` say, looked up without a map
    /// search, as counting a province's deadlines needs. Rebuilt with `index`; empty until then.
    working: Vec<u64>,
}

#[derive(Deserialize)]
struct FileShape {
    years: BTreeMap<String, YearCalendar>,
}

impl Calendar {
    /// The official calendar compiled into the program (2019–2026).
    pub fn official() -> Calendar {
        static OFFICIAL: OnceLock<Calendar> = OnceLock::new();
        OFFICIAL
            .get_or_init(|| {
                // The embedded file is checked by the tests; a failure here is a build defect.
                Calendar::from_json(OFFICIAL_JSON).expect("embedded cn_holidays.json is valid")
            })
            .clone()
    }

    /// Load a whole file in the shape of `cn_holidays.json`
    /// (`{"years":{"2023":{…}}}`; other top-level keys are ignored). The years
    /// loaded count as official years.
    pub fn from_json(json: &str) -> Result<Calendar, CalendarError> {
        let file: FileShape = serde_json::from_str(json).map_err(|e| CalendarError::Json(e.to_string()))?;
        let mut cal = Calendar::default();
        for (key, data) in file.years {
            let year = parse_year_key(&key)?;
            cal.check_year(year, &data)?;
            cal.official.insert(year, data);
            cal.rebuild_index();
        }
        cal.rebuild_index();
        Ok(cal)
    }

    /// Parse one year's object (`{"holidays":[…],"workdays":[…]}`). The data
    /// is checked when it is added with [`Calendar::add_year`].
    pub fn parse_year(json: &str) -> Result<YearCalendar, CalendarError> {
        serde_json::from_str(json).map_err(|e| CalendarError::Json(e.to_string()))
    }

    /// Add (or replace) an administrator-supplied year after validating it:
    /// dates within December of the previous year to January of the next,
    /// ordered ranges, make-up days on weekends, no date listed twice (also
    /// across years). A year added this way takes precedence over the
    /// official data for that year, so an emergency change can be entered.
    pub fn add_year(&mut self, year: i32, data: YearCalendar) -> Result<(), CalendarError> {
        self.check_year(year, &data)?;
        self.admin.insert(year, data);
        self.rebuild_index();
        Ok(())
    }

    /// Years of the compiled-in (or [`Calendar::from_json`]) data.
    pub fn official_years(&self) -> Vec<i32> {
        self.official.keys().copied().collect()
    }

    /// Years added by administrators.
    pub fn admin_years(&self) -> Vec<i32> {
        self.admin.keys().copied().collect()
    }

    /// All years with data, ascending.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.official.keys().chain(self.admin.keys()).copied().collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The data in force for a year (an administrator's entry wins).
    pub fn year_data(&self, year: i32) -> Option<&YearCalendar> {
        self.admin.get(&year).or_else(|| self.official.get(&year))
    }

    /// Whether there is holiday data for the year.
    pub fn has_year(&self, year: i32) -> bool {
        self.year_data(year).is_some()
    }

    /// Whether the date's calendar year has no holiday data.
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        !self.has_year(date.year())
    }

    /// What kind of day the date is. In a year without data the fixed
    /// statutory holidays are holidays; no make-up working day is known.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        match self.index.get(&date) {
            Some((_, Special::Holiday(name))) => DayKind::Holiday(name.clone()),
            Some((_, Special::Makeup(name))) => DayKind::MakeupWorkday(name.clone()),
            None => match self.fixed.get(&date) {
                Some(name) => DayKind::Holiday(name.clone()),
                None if is_weekend(date) => DayKind::Weekend,
                None => DayKind::Workday,
            },
        }
    }

    /// Whether the date is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if let Some(bit) = working_bit(date) {
            if let Some(word) = self.working.get(bit / 64) {
                return word >> (bit % 64) & 1 == 1;
            }
        }
        self.is_working_day_listed(date)
    }

    /// [`Calendar::is_working_day`] from the listed dates.
    fn is_working_day_listed(&self, date: NaiveDate) -> bool {
        match self.index.get(&date) {
            Some((_, Special::Holiday(_))) => false,
            Some((_, Special::Makeup(_))) => true,
            None => !self.fixed.contains_key(&date) && !is_weekend(date),
        }
    }

    /// The fixed statutory holidays applied to a year without data (empty for a
    /// year with data), as (date, name) in date order.
    pub fn fixed_holidays_applied(&self, year: i32) -> Vec<(NaiveDate, String)> {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
            return Vec::new();
        };
        self.fixed.range(first..=last).map(|(d, n)| (*d, n.clone())).collect()
    }

    /// Count `n` working days after `start`: counting starts the day after
    /// `start`, and the result is the n-th working day. `n = 0` gives `start`
    /// itself. `n` is clamped to [`MAX_WORKING_DAYS`].
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> DueDate {
        let n = n.min(MAX_WORKING_DAYS);
        let mut date = start;
        let mut counted = 0u32;
        let mut provisional = n == 0 && self.is_provisional(start);
        let mut skipped = Vec::new();
        let mut counted_makeup_days = Vec::new();
        while counted < n {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            if self.is_provisional(date) {
                provisional = true;
            }
            match self.day_kind(date) {
                DayKind::Workday => counted += 1,
                DayKind::MakeupWorkday(name) => {
                    counted += 1;
                    counted_makeup_days.push((date, name));
                }
                DayKind::Weekend => skipped.push(SkippedDay { date, reason: weekend_reason(date).to_string() }),
                DayKind::Holiday(name) => skipped.push(SkippedDay { date, reason: format!("{name}假期") }),
            }
        }
        DueDate { start, working_days: counted, due: date, provisional, skipped, counted_makeup_days }
    }

    /// The due date of [`Calendar::add_working_days`] alone, without the explanation (no
    /// allocation): for counting many deadlines, as the annual report does.
    pub fn working_day_due(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let n = n.min(MAX_WORKING_DAYS);
        let mut date = start;
        let mut counted = 0u32;
        while counted < n {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            if self.is_working_day(date) {
                counted += 1;
            }
        }
        date
    }

    /// Working days after `from` up to and including `to`; negative if `to`
    /// is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to >= from {
            self.count_working_days(from, to)
        } else {
            -self.count_working_days(to, from)
        }
    }

    /// Working days in `(after, until]`, `after <= until`: weekdays by
    /// arithmetic, corrected by the listed holidays and make-up days.
    fn count_working_days(&self, after: NaiveDate, until: NaiveDate) -> i64 {
        let mut count = count_weekdays(after, until);
        for (date, (_, special)) in self.index.range((Bound::Excluded(after), Bound::Included(until))) {
            match special {
                Special::Holiday(_) if !is_weekend(*date) => count -= 1,
                Special::Makeup(_) if is_weekend(*date) => count += 1,
                _ => {}
            }
        }
        // `fixed` never holds a date of `index`.
        for date in self.fixed.range((Bound::Excluded(after), Bound::Included(until))).map(|(d, _)| d) {
            if !is_weekend(*date) {
                count -= 1;
            }
        }
        count
    }

    /// Validate a year's data on its own and against the other years in force.
    fn check_year(&self, year: i32, data: &YearCalendar) -> Result<(), CalendarError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        if data.holidays.is_empty() {
            return Err(CalendarError::EmptyYear(year));
        }
        let (earliest, latest) = match (NaiveDate::from_ymd_opt(year - 1, 12, 1), NaiveDate::from_ymd_opt(year + 1, 1, 31)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(CalendarError::YearOutOfRange(year)),
        };
        let in_window = |date: NaiveDate| -> Result<(), CalendarError> {
            if date < earliest || date > latest {
                Err(CalendarError::DateOutsideYear { year, date, earliest, latest })
            } else {
                Ok(())
            }
        };
        let mut seen: BTreeMap<NaiveDate, Special> = BTreeMap::new();
        let mut mark = |date: NaiveDate, special: Special| -> Result<(), CalendarError> {
            if let Some(first) = seen.get(&date) {
                return Err(CalendarError::Overlap { date, first: first.describe(), second: special.describe() });
            }
            seen.insert(date, special);
            Ok(())
        };
        for (start, end, name) in &data.holidays {
            let name = name.trim();
            if name.is_empty() {
                return Err(CalendarError::EmptyName { year, date: *start });
            }
            if end < start {
                return Err(CalendarError::RangeReversed { name: name.to_string(), start: *start, end: *end });
            }
            in_window(*start)?;
            in_window(*end)?;
            if (*end - *start).num_days() >= MAX_HOLIDAY_RANGE_DAYS {
                return Err(CalendarError::RangeTooLong { name: name.to_string(), start: *start, end: *end });
            }
            for date in start.iter_days().take_while(|d| d <= end) {
                mark(date, Special::Holiday(name.to_string()))?;
            }
        }
        for (date, name) in &data.workdays {
            let name = name.trim();
            if name.is_empty() {
                return Err(CalendarError::EmptyName { year, date: *date });
            }
            in_window(*date)?;
            if !is_weekend(*date) {
                return Err(CalendarError::MakeupNotWeekend { date: *date, name: name.to_string() });
            }
            mark(*date, Special::Makeup(name.to_string()))?;
        }
        // Across years: the dates must not be listed by another year in force.
        for (date, special) in &seen {
            if let Some((other_year, other)) = self.index.get(date) {
                if *other_year != year {
                    return Err(CalendarError::Overlap {
                        date: *date,
                        first: format!("{other_year}年数据中的{}", other.describe()),
                        second: format!("{year}年数据中的{}", special.describe()),
                    });
                }
            }
        }
        Ok(())
    }

    /// Rebuild the date index from the years in force.
    fn rebuild_index(&mut self) {
        let mut index = BTreeMap::new();
        for year in self.years() {
            let Some(data) = self.year_data(year) else { continue };
            for (start, end, name) in &data.holidays {
                for date in start.iter_days().take_while(|d| d <= end) {
                    index.insert(date, (year, Special::Holiday(name.trim().to_string())));
                }
            }
            for (date, name) in &data.workdays {
                index.insert(*date, (year, Special::Makeup(name.trim().to_string())));
            }
        }
        let mut fixed = BTreeMap::new();
        for festivals in lunar_table() {
            if self.has_year(festivals.year) {
                continue;
            }
            for (date, name) in fixed_holidays(festivals) {
                if !index.contains_key(&date) {
                    fixed.insert(date, name.to_string());
                }
            }
        }
        self.index = index;
        self.fixed = fixed;
        self.working = Vec::new();
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1), NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31)) else { return };
        // Weekdays first, then the listed dates over them (as `is_working_day_listed` reads them).
        let mut working = vec![0u64; (last - first).num_days() as usize / 64 + 1];
        let mut set = |date: NaiveDate, on: bool| {
            if let Some(bit) = working_bit(date) {
                if on {
                    working[bit / 64] |= 1 << (bit % 64);
                } else {
                    working[bit / 64] &= !(1 << (bit % 64));
                }
            }
        };
        for date in first.iter_days().take_while(|d| *d <= last) {
            set(date, !is_weekend(date));
        }
        for (date, (_, special)) in &self.index {
            set(*date, matches!(special, Special::Makeup(_)));
        }
        for date in self.fixed.keys() {
            set(*date, false);
        }
        self.working = working;
    }
}

impl DueDate {
    /// A multi-line Chinese explanation of how the due date was reached.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "起算日：{}（{}）", self.start, weekday_name(self.start));
        if self.working_days == 0 {
            let _ = writeln!(out, "期限为 0 个工作日，到期日即起算日。");
        } else {
            let _ = writeln!(out, "自起算日的次日开始计算，共 {} 个工作日。", self.working_days);
            if self.skipped.is_empty() {
                let _ = writeln!(out, "不计入的休息日：无");
            } else {
                let _ = writeln!(out, "不计入的休息日（共{}天）：", self.skipped.len());
                for line in group_skipped(&self.skipped) {
                    let _ = writeln!(out, "  {line}");
                }
            }
            if !self.counted_makeup_days.is_empty() {
                let _ = writeln!(out, "计入的调休上班日：");
                for (date, name) in &self.counted_makeup_days {
                    let _ = writeln!(out, "  {date}（{}）{name}调休上班", weekday_name(*date));
                }
            }
        }
        let _ = writeln!(out, "到期日：{}（{}）", self.due, weekday_name(self.due));
        if self.provisional {
            let _ = writeln!(out, "{PROVISIONAL_NOTE}");
        }
        out
    }
}

/// The note on a provisional result.
pub const PROVISIONAL_NOTE: &str =
    "（暂定：该年度国务院办公厅节假日安排通知尚未录入，已按《全国年节及纪念日放假办法》扣除法定节假日，调休安排未知）";

/// The lunar festivals of one year, as Gregorian dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarFestivals {
    pub year: i32,
    /// 春节: the 1st day of the 1st lunar month (除夕 is the day before).
    pub spring_festival: NaiveDate,
    /// 清明: the day of the 清明 solar term.
    pub qingming: NaiveDate,
    /// 端午: the 5th day of the 5th lunar month.
    pub dragon_boat: NaiveDate,
    /// 中秋: the 15th day of the 8th lunar month.
    pub mid_autumn: NaiveDate,
}

/// The compiled-in lunar festival table (2008–2100), parsed once.
pub fn lunar_table() -> &'static [LunarFestivals] {
    static TABLE: OnceLock<Vec<LunarFestivals>> = OnceLock::new();
    TABLE.get_or_init(|| {
        LUNAR_TSV
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|line| {
                // The embedded table is checked by the tests; a failure here is a build defect.
                let cols: Vec<&str> = line.split('\t').collect();
                let date = |i: usize| NaiveDate::parse_from_str(cols[i], "%Y-%m-%d").expect("embedded lunar table date");
                LunarFestivals {
                    year: cols[0].parse().expect("embedded lunar table year"),
                    spring_festival: date(1),
                    qingming: date(2),
                    dragon_boat: date(3),
                    mid_autumn: date(4),
                }
            })
            .collect()
    })
}

/// The public holidays the holiday regulations fix for a year, without any
/// 调休. Three regimes of 《全国年节及纪念日放假办法》: 2008–2013 (春节 =
/// 除夕 and the 1st–2nd lunar), 2014–2024 (春节 = 1st–3rd lunar), and from
/// 2025 (春节 = 除夕 and 1st–3rd lunar; 劳动节 1–2 May). A date holding two
/// festivals (中秋 on 1–3 October) carries both names.
pub fn fixed_holidays(f: &LunarFestivals) -> Vec<(NaiveDate, &'static str)> {
    let y = f.year;
    let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let mut out: Vec<(NaiveDate, &'static str)> = Vec::new();
    let mut push = |date: Option<NaiveDate>, name: &'static str| {
        if let Some(date) = date {
            out.push((date, name));
        }
    };
    push(ymd(1, 1), "元旦");
    let eve = f.spring_festival.pred_opt();
    let lunar_day = |n: u64| f.spring_festival.checked_add_days(chrono::Days::new(n));
    if y >= 2025 {
        push(eve, "春节");
        (0..3).for_each(|n| push(lunar_day(n), "春节"));
    } else if y >= 2014 {
        (0..3).for_each(|n| push(lunar_day(n), "春节"));
    } else {
        push(eve, "春节");
        (0..2).for_each(|n| push(lunar_day(n), "春节"));
    }
    push(Some(f.qingming), "清明节");
    push(ymd(5, 1), "劳动节");
    if y >= 2025 {
        push(ymd(5, 2), "劳动节");
    }
    push(Some(f.dragon_boat), "端午节");
    push(Some(f.mid_autumn), "中秋节");
    (1..=3).for_each(|d| push(ymd(10, d), "国庆节"));
    out.sort_by_key(|(d, _)| *d);
    // Merge a day holding two festivals into one entry named after both.
    let mut merged: Vec<(NaiveDate, &'static str)> = Vec::new();
    for (date, name) in out {
        match merged.last_mut() {
            Some((d, n)) if *d == date => {
                *n = if *n == "国庆节" || name == "国庆节" { "中秋节、国庆节" } else { n };
            }
            _ => merged.push((date, name)),
        }
    }
    merged
}

/// Group consecutive skipped days with the same reason (Saturday and Sunday
/// together as 周末) into lines such as
/// `2023-09-29 至 2023-10-06 中秋节、国庆节假期（8天）`.
fn group_skipped(skipped: &[SkippedDay]) -> Vec<String> {
    fn key(day: &SkippedDay) -> &str {
        match day.reason.as_str() {
            "周六" | "周日" => "周末",
            other => other,
        }
    }
    let mut lines = Vec::new();
    let mut i = 0;
    while i < skipped.len() {
        let first = &skipped[i];
        let mut j = i + 1;
        while j < skipped.len() && key(&skipped[j]) == key(first) && skipped[j - 1].date.succ_opt() == Some(skipped[j].date) {
            j += 1;
        }
        let last = &skipped[j - 1];
        if j - i == 1 {
            lines.push(format!("{} {}", first.date, first.reason));
        } else {
            lines.push(format!("{} 至 {} {}（{}天）", first.date, last.date, key(first), j - i));
        }
        i = j;
    }
    lines
}

fn parse_year_key(key: &str) -> Result<i32, CalendarError> {
    let trimmed = key.trim();
    if trimmed.len() != 4 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CalendarError::InvalidYearKey(key.to_string()));
    }
    trimmed.parse().map_err(|_| CalendarError::InvalidYearKey(key.to_string()))
}

/// The bit of `date` in [`Calendar`]'s working-day bits, if it is in their span.
fn working_bit(date: NaiveDate) -> Option<usize> {
    let first = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1)?;
    if date > NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31)? {
        return None;
    }
    usize::try_from((date - first).num_days()).ok()
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekend_reason(date: NaiveDate) -> &'static str {
    if date.weekday() == Weekday::Sat {
        "周六"
    } else {
        "周日"
    }
}

/// Chinese weekday name, e.g. `星期三`.
pub fn weekday_name(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// Monday-to-Friday days in `(after, until]`, `after <= until`.
fn count_weekdays(after: NaiveDate, until: NaiveDate) -> i64 {
    let total = (until - after).num_days();
    let full_weeks = total / 7;
    let mut count = full_weeks * 5;
    // The remaining days are the last `total % 7` days before `until`, inclusive.
    let rest = total % 7;
    // Weekday index of the first remaining day: after + 7*full_weeks + 1.
    let first = (i64::from(after.weekday().num_days_from_monday()) + 1) % 7;
    for k in 0..rest {
        if (first + k) % 7 < 5 {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn cal() -> Calendar {
        Calendar::official()
    }

    fn due(start: &str, n: u32) -> DueDate {
        cal().add_working_days(d(start), n)
    }

    // ---------------------------------------------------------------- data

    #[test]
    fn official_data_loads_2019_to_2026() {
        let c = cal();
        assert_eq!(c.official_years(), (2019..=2026).collect::<Vec<_>>());
        assert!(c.admin_years().is_empty());
        for y in 2019..=2026 {
            assert!(c.has_year(y));
        }
        assert!(!c.has_year(2018));
        assert!(!c.has_year(2027));
    }

    #[test]
    fn embedded_copy_matches_the_shared_data_shape() {
        // Every make-up day is a weekend day and every holiday range is ordered:
        // the loader enforces it, so loading is the check; count a few things too.
        let c = cal();
        let y2020 = c.year_data(2020).expect("2020");
        assert_eq!(y2020.holidays.len(), 6);
        assert!(y2020.holidays.iter().any(|(s, e, n)| n == "春节" && *s == d("2020-01-24") && *e == d("2020-02-02")));
        assert!(!y2020.workdays.iter().any(|(date, _)| *date == d("2020-02-01")));
    }

    #[test]
    fn day_kinds() {
        let c = cal();
        assert_eq!(c.day_kind(d("2023-09-27")), DayKind::Workday);
        assert_eq!(c.day_kind(d("2023-10-14")), DayKind::Weekend);
        assert_eq!(c.day_kind(d("2023-10-01")), DayKind::Holiday("中秋节、国庆节".into()));
        assert_eq!(c.day_kind(d("2023-10-07")), DayKind::MakeupWorkday("中秋节、国庆节".into()));
        assert_eq!(c.day_kind(d("2024-02-04")), DayKind::MakeupWorkday("春节".into()));
        assert_eq!(c.day_kind(d("2024-02-12")), DayKind::Holiday("春节".into()));
        // 2020-02-01 (Sat) stopped being a make-up day when 春节 was extended.
        assert_eq!(c.day_kind(d("2020-02-01")), DayKind::Holiday("春节".into()));
        assert_eq!(c.day_kind(d("2020-02-03")), DayKind::Workday);
        assert_eq!(c.day_kind(d("2020-01-19")), DayKind::MakeupWorkday("春节".into()));
        // Provisional year: 元旦 2027-01-01 (Fri) is fixed by the regulations;
        // the weekend after it stays a weekend (调休 unknown).
        assert_eq!(c.day_kind(d("2027-01-01")), DayKind::Holiday("元旦".into()));
        assert_eq!(c.day_kind(d("2027-01-02")), DayKind::Weekend);
        assert_eq!(c.day_kind(d("2027-01-04")), DayKind::Workday);
        assert!(DayKind::MakeupWorkday("春节".into()).is_working());
        assert!(!DayKind::Holiday("春节".into()).is_working());
        assert_eq!(DayKind::Holiday("春节".into()).label(), "春节假期");
        assert_eq!(DayKind::MakeupWorkday("春节".into()).label(), "春节调休上班");
    }

    #[test]
    fn dates_are_governed_by_the_year_that_lists_them() {
        let c = cal();
        // 元旦 2023 starts on 2022-12-31 (listed in the 2023 data).
        assert_eq!(c.day_kind(d("2022-12-31")), DayKind::Holiday("元旦".into()));
        // 元旦 2019 starts on 2018-12-30, with a make-up day 2018-12-29 (Sat).
        assert_eq!(c.day_kind(d("2018-12-30")), DayKind::Holiday("元旦".into()));
        assert_eq!(c.day_kind(d("2018-12-29")), DayKind::MakeupWorkday("元旦".into()));
        // 2018 itself has no data: provisional.
        assert!(c.is_provisional(d("2018-12-29")));
        assert!(!c.is_provisional(d("2022-12-31")));
        assert!(c.is_provisional(d("2027-06-01")));
    }

    // ------------------------------------------------------------ counting

    #[test]
    fn known_check_2023_national_day() {
        let r = due("2023-09-27", 20);
        assert_eq!(r.due, d("2023-10-31"));
        assert_eq!(r.working_days, 20);
        assert!(!r.provisional);
        let holiday: Vec<_> = r.skipped.iter().filter(|s| s.reason == "中秋节、国庆节假期").collect();
        assert_eq!(holiday.len(), 8);
        assert_eq!(holiday[0].date, d("2023-09-29"));
        assert_eq!(holiday[7].date, d("2023-10-06"));
        assert_eq!(
            r.counted_makeup_days,
            vec![(d("2023-10-07"), "中秋节、国庆节".to_string()), (d("2023-10-08"), "中秋节、国庆节".to_string())]
        );
        // Weekends 10-14/15, 10-21/22, 10-28/29.
        assert_eq!(r.skipped.len(), 8 + 6);
        assert_eq!(r.skipped.iter().filter(|s| s.reason == "周六").count(), 3);
        assert_eq!(r.skipped.iter().filter(|s| s.reason == "周日").count(), 3);
        assert_eq!(cal().working_days_between(d("2023-09-27"), d("2023-10-31")), 20);
    }

    #[test]
    fn explain_groups_runs_and_lists_makeup_days() {
        let text = due("2023-09-27", 20).explain();
        assert!(text.contains("起算日：2023-09-27（星期三）"), "{text}");
        assert!(text.contains("2023-09-29 至 2023-10-06 中秋节、国庆节假期（8天）"), "{text}");
        assert!(text.contains("2023-10-14 至 2023-10-15 周末（2天）"), "{text}");
        assert!(text.contains("2023-10-07（星期六）中秋节、国庆节调休上班"), "{text}");
        assert!(text.contains("2023-10-08（星期日）中秋节、国庆节调休上班"), "{text}");
        assert!(text.contains("到期日：2023-10-31（星期二）"), "{text}");
        assert!(!text.contains("暂定"), "{text}");
    }

    #[test]
    fn explain_single_days_and_zero() {
        let text = due("2023-10-13", 1).explain(); // Fri → Mon 10-16
        assert!(text.contains("2023-10-14 至 2023-10-15 周末（2天）"), "{text}");
        let text = due("2023-10-14", 1).explain(); // Sat → skips Sun only
        assert!(text.contains("2023-10-15 周日"), "{text}");
        assert!(!text.contains("计入的调休上班日"), "{text}");
        let text = due("2023-10-01", 0).explain();
        assert!(text.contains("到期日即起算日"), "{text}");
        assert!(text.contains("到期日：2023-10-01（星期日）"), "{text}");
        let text = due("2023-10-09", 3).explain();
        assert!(text.contains("不计入的休息日：无"), "{text}");
    }

    #[test]
    fn explain_separates_a_weekend_next_to_a_holiday() {
        // 2024 劳动节 05-01..05 (Wed–Sun), then 05-11 (Sat) make-up; start Tue 04-30.
        let r = due("2024-04-30", 1);
        assert_eq!(r.due, d("2024-05-06"));
        let text = r.explain();
        assert!(text.contains("2024-05-01 至 2024-05-05 劳动节假期（5天）"), "{text}");
    }

    #[test]
    fn spring_festival_2023_makeup_saturday_counts() {
        // Fri 01-20 → 01-21..27 holiday, 01-28 (Sat) make-up is the first working day.
        let r = due("2023-01-20", 1);
        assert_eq!(r.due, d("2023-01-28"));
        assert_eq!(r.counted_makeup_days, vec![(d("2023-01-28"), "春节".to_string())]);
        assert_eq!(r.skipped.len(), 7);
        assert!(r.skipped.iter().all(|s| s.reason == "春节假期"));
        assert_eq!(due("2023-01-20", 2).due, d("2023-01-29"));
        assert_eq!(due("2023-01-20", 3).due, d("2023-01-30"));
    }

    #[test]
    fn national_day_2019() {
        // Fri 09-27: Sat 09-28 weekend, Sun 09-29 make-up (1), Mon 09-30 (2),
        // 10-01..07 holiday, Tue 10-08 (3).
        let r = due("2019-09-27", 3);
        assert_eq!(r.due, d("2019-10-08"));
        assert_eq!(r.counted_makeup_days, vec![(d("2019-09-29"), "国庆节".to_string())]);
        assert_eq!(r.skipped.first().map(|s| s.reason.as_str()), Some("周六"));
        // 20 working days: 09-29, 09-30, 10-08..11 (4), Sat 10-12 make-up,
        // 10-14..18 (5), 10-21..25 (5), 10-28..30 (3) = 2+4+1+5+5+3.
        assert_eq!(due("2019-09-27", 20).due, d("2019-10-30"));
        // 2019 劳动节 after the March 2019 change: 05-01..04 off, 04-28 and 05-05 (Sun) worked.
        assert_eq!(due("2019-04-30", 1).due, d("2019-05-05"));
    }

    #[test]
    fn spring_festival_2020_extended() {
        // Thu 01-23 → holiday 01-24..02-02 (10 days), Mon 02-03.
        let r = due("2020-01-23", 1);
        assert_eq!(r.due, d("2020-02-03"));
        assert_eq!(r.skipped.len(), 10);
        assert!(r.counted_makeup_days.is_empty());
        assert!(r.explain().contains("2020-01-24 至 2020-02-02 春节假期（10天）"));
        // The Sunday make-up day before it: Fri 01-17 +1 → Sun 01-19.
        assert_eq!(due("2020-01-17", 1).due, d("2020-01-19"));
        // 2020 国庆节、中秋节 01-08 Oct; make-up 09-27 (Sun) and 10-10 (Sat).
        assert_eq!(due("2020-09-25", 1).due, d("2020-09-27"));
        assert_eq!(due("2020-09-30", 1).due, d("2020-10-09"));
        assert_eq!(due("2020-10-09", 1).due, d("2020-10-10"));
    }

    #[test]
    fn spring_festival_2024() {
        // Thu 02-08: Fri 02-09 (1), 02-10..17 holiday, Sun 02-18 make-up (2).
        let r = due("2024-02-08", 2);
        assert_eq!(r.due, d("2024-02-18"));
        assert_eq!(r.counted_makeup_days, vec![(d("2024-02-18"), "春节".to_string())]);
        // Fri 02-02: Sat 02-03 weekend, Sun 02-04 make-up (1).
        assert_eq!(due("2024-02-02", 1).due, d("2024-02-04"));
    }

    #[test]
    fn national_day_2025() {
        // Fri 09-26: Sat 09-27 off, Sun 09-28 make-up (1), 09-29 (2), 09-30 (3),
        // 10-01..08 holiday, Thu 10-09 (4), Fri 10-10 (5), Sat 10-11 make-up (6).
        assert_eq!(due("2025-09-26", 6).due, d("2025-10-11"));
        assert_eq!(due("2025-09-26", 7).due, d("2025-10-13"));
        let r = due("2025-09-26", 20);
        // 7 → 10-13; 10-13..17 is 7..11, 10-20..24 is 12..16, 10-27..30 is 17..20.
        assert_eq!(r.due, d("2025-10-30"));
        assert_eq!(r.counted_makeup_days.len(), 2);
        // 2025 春节 01-28..02-04, make-up 01-26 (Sun) and 02-08 (Sat).
        assert_eq!(due("2025-01-24", 1).due, d("2025-01-26"));
        assert_eq!(due("2025-01-27", 1).due, d("2025-02-05"));
    }

    #[test]
    fn year_2026() {
        // 元旦 01-01..03, Sun 01-04 make-up.
        assert_eq!(due("2025-12-31", 1).due, d("2026-01-04"));
        // 春节 02-15..23 (Sun–Mon), make-up Sat 02-14 and Sat 02-28.
        assert_eq!(due("2026-02-13", 1).due, d("2026-02-14"));
        assert_eq!(due("2026-02-14", 1).due, d("2026-02-24"));
        assert_eq!(due("2026-02-27", 1).due, d("2026-02-28"));
        // 国庆节 10-01..07, make-up Sat 10-10; 中秋节 09-25..27 with make-up Sun 09-20.
        assert_eq!(due("2026-09-30", 1).due, d("2026-10-08"));
        assert_eq!(due("2026-09-24", 1).due, d("2026-09-28"));
        assert!(!due("2026-09-24", 20).provisional);
    }

    #[test]
    fn provisional_year_2027_skips_the_fixed_holidays() {
        // Wed 2026-12-30 + 2: Thu 12-31 counts, Fri 2027-01-01 (元旦) is skipped
        // with the weekend, Mon 2027-01-04 is the second working day.
        let r = due("2026-12-30", 2);
        assert_eq!(r.due, d("2027-01-04"));
        assert!(r.provisional);
        assert_eq!(r.skipped[0], SkippedDay { date: d("2027-01-01"), reason: "元旦假期".into() });
        assert!(r.explain().contains(PROVISIONAL_NOTE));
        assert!(r.explain().contains("2027-01-01 元旦假期"), "{}", r.explain());
        // Mon 2027-09-27 + 20: four whole weeks plus 国庆节 1–3 October (Fri–Sun)
        // and 中秋节 (2027-09-15 is before the start) → Tue 10-26.
        let r = due("2027-09-27", 20);
        assert_eq!(r.due, d("2027-10-26"));
        assert!(r.provisional);
        assert!(r.counted_makeup_days.is_empty());
        assert!(r.skipped.iter().any(|s| s.date == d("2027-10-01") && s.reason == "国庆节假期"));
        // 春节 2027: 除夕 Fri 02-05, 02-06 (Sat) .. 02-08 (Mon) — Thu 02-04 + 1 → Tue 02-09.
        let r = due("2027-02-04", 1);
        assert_eq!(r.due, d("2027-02-09"));
        assert_eq!(cal().day_kind(d("2027-02-05")), DayKind::Holiday("春节".into()));
        // 清明 Mon 2027-04-05, 劳动节 Sat–Sun 05-01..02, 端午 Wed 06-09, 中秋 Wed 09-15.
        for (date, name) in [("2027-04-05", "清明节"), ("2027-05-01", "劳动节"), ("2027-05-02", "劳动节"), ("2027-06-09", "端午节"), ("2027-09-15", "中秋节")] {
            assert_eq!(cal().day_kind(d(date)), DayKind::Holiday(name.into()), "{date}");
        }
        assert_eq!(cal().fixed_holidays_applied(2027).len(), 13);
        assert!(cal().fixed_holidays_applied(2026).is_empty());
        // n = 0 in a provisional year is itself provisional.
        assert!(due("2027-03-01", 0).provisional);
        assert!(!due("2026-03-02", 0).provisional);
    }

    #[test]
    fn year_boundaries() {
        // Fri 2022-12-30: 12-31 .. 2023-01-02 元旦 (2023 data), Tue 01-03.
        let r = due("2022-12-30", 1);
        assert_eq!(r.due, d("2023-01-03"));
        assert_eq!(r.skipped.len(), 3);
        assert!(r.skipped.iter().all(|s| s.reason == "元旦假期"));
        assert!(!r.provisional);
        // Into a year without data: Wed 2026-12-30 + 3 → Thu 12-31, (元旦 Fri 2027-01-01), Mon 01-04, Tue 01-05.
        let r = due("2026-12-30", 3);
        assert_eq!(r.due, d("2027-01-05"));
        assert!(r.provisional);
        // Only 2026 days counted: not provisional.
        assert!(!due("2026-12-29", 2).provisional);
        // From 2018 (no data) into 2019 data: Fri 2018-12-28 + 1 → Sat 12-29 make-up.
        let r = due("2018-12-28", 1);
        assert_eq!(r.due, d("2018-12-29"));
        assert!(r.provisional);
        // 2018-12-29 (make-up), then 12-30..2019-01-01 off, Wed 2019-01-02.
        assert_eq!(due("2018-12-28", 2).due, d("2019-01-02"));
    }

    #[test]
    fn start_on_holiday_or_weekend() {
        // Counting starts the next day regardless of the start day's kind.
        assert_eq!(due("2023-10-01", 1).due, d("2023-10-07"));
        assert_eq!(due("2023-10-06", 1).due, d("2023-10-07"));
        assert_eq!(due("2023-10-14", 1).due, d("2023-10-16"));
        assert_eq!(due("2023-10-15", 1).due, d("2023-10-16"));
        assert_eq!(due("2024-02-10", 1).due, d("2024-02-18"));
    }

    #[test]
    fn zero_days_is_the_start_itself() {
        for s in ["2023-10-01", "2023-10-14", "2023-09-27", "2020-01-24"] {
            let r = due(s, 0);
            assert_eq!(r.due, d(s));
            assert!(r.skipped.is_empty());
            assert!(r.counted_makeup_days.is_empty());
            assert_eq!(r.working_days, 0);
        }
    }

    #[test]
    fn huge_n_is_clamped_and_end_of_time_does_not_panic() {
        let r = due("2023-01-01", u32::MAX);
        assert_eq!(r.working_days, MAX_WORKING_DAYS);
        assert_eq!(cal().working_days_between(d("2023-01-01"), r.due), i64::from(MAX_WORKING_DAYS));
        let r = cal().add_working_days(NaiveDate::MAX, 5);
        assert_eq!(r.due, NaiveDate::MAX);
        assert_eq!(r.working_days, 0);
        assert!(cal().working_days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
    }

    #[test]
    fn working_days_between_examples() {
        let c = cal();
        assert_eq!(c.working_days_between(d("2023-09-27"), d("2023-09-27")), 0);
        assert_eq!(c.working_days_between(d("2023-09-27"), d("2023-09-28")), 1);
        assert_eq!(c.working_days_between(d("2023-09-28"), d("2023-10-06")), 0);
        assert_eq!(c.working_days_between(d("2023-09-28"), d("2023-10-08")), 2);
        assert_eq!(c.working_days_between(d("2023-10-31"), d("2023-09-27")), -20);
        // Working days in whole years (counted independently from the data file).
        assert_eq!(c.working_days_between(d("2022-12-31"), d("2023-12-31")), 249);
        assert_eq!(c.working_days_between(d("2023-12-31"), d("2024-12-31")), 251);
        assert_eq!(c.working_days_between(d("2019-12-31"), d("2020-12-31")), 249);
        // Provisional 2027: 261 weekdays less the fixed holidays on weekdays (元旦, 除夕,
        // 初三, 清明, 端午, 中秋, 1 October).
        assert_eq!(c.working_days_between(d("2026-12-31"), d("2027-12-31")), 254);
    }

    // ------------------------------------------------------- loading/admin

    const Y2027: &str = r#"{"holidays":[["2027-01-01","2027-01-03","元旦"],["2027-02-06","2027-02-12","春节"]],
                            "workdays":[["2027-02-13","春节"]]}"#;

    #[test]
    fn add_year_makes_it_non_provisional_and_can_replace() {
        let mut c = cal();
        let data = Calendar::parse_year(Y2027).expect("parse");
        assert_eq!(data.holidays.len(), 2);
        c.add_year(2027, data).expect("add");
        assert!(c.has_year(2027));
        assert_eq!(c.admin_years(), vec![2027]);
        assert_eq!(c.official_years(), (2019..=2026).collect::<Vec<_>>());
        assert_eq!(c.years(), (2019..=2027).collect::<Vec<_>>());
        assert!(!c.is_provisional(d("2027-05-01")));
        assert_eq!(c.day_kind(d("2027-01-01")), DayKind::Holiday("元旦".into()));
        // Wed 2026-12-30 + 3 → Thu 12-31, then 01-01..03 off, Mon 01-04, Tue 01-05.
        let r = c.add_working_days(d("2026-12-30"), 3);
        assert_eq!(r.due, d("2027-01-05"));
        assert!(!r.provisional);
        assert_eq!(c.add_working_days(d("2027-02-05"), 1).due, d("2027-02-13"));
        // Replace with a different arrangement: old dates disappear.
        let replaced = YearCalendar { holidays: vec![(d("2027-01-01"), d("2027-01-01"), "元旦".into())], workdays: vec![] };
        c.add_year(2027, replaced).expect("replace");
        assert_eq!(c.day_kind(d("2027-02-08")), DayKind::Workday);
        assert_eq!(c.day_kind(d("2027-02-13")), DayKind::Weekend);
        assert_eq!(c.admin_years(), vec![2027]);
    }

    #[test]
    fn admin_year_overrides_official_year() {
        // Enter the original 2020 春节 arrangement (before the extension).
        let mut c = cal();
        let mut y = c.year_data(2020).cloned().expect("2020");
        for h in &mut y.holidays {
            if h.2 == "春节" {
                h.1 = d("2020-01-30");
            }
        }
        y.workdays.push((d("2020-02-01"), "春节".into()));
        c.add_year(2020, y).expect("override");
        assert_eq!(c.day_kind(d("2020-01-31")), DayKind::Workday);
        assert_eq!(c.day_kind(d("2020-02-01")), DayKind::MakeupWorkday("春节".into()));
        assert_eq!(c.add_working_days(d("2020-01-23"), 1).due, d("2020-01-31"));
        assert!(c.official_years().contains(&2020));
        assert_eq!(c.admin_years(), vec![2020]);
    }

    #[test]
    fn year_calendar_serialises_in_file_shape() {
        let y = Calendar::parse_year(Y2027).expect("parse");
        let json = serde_json::to_string(&y).expect("json");
        assert!(json.contains(r#"["2027-01-01","2027-01-03","元旦"]"#), "{json}");
        assert!(json.contains(r#"["2027-02-13","春节"]"#), "{json}");
        assert_eq!(Calendar::parse_year(&json).expect("round trip"), y);
        // Missing workdays is fine.
        let y = Calendar::parse_year(r#"{"holidays":[["2027-01-01","2027-01-01","元旦"]]}"#).expect("no workdays");
        assert!(y.workdays.is_empty());
    }

    fn add(json: &str, year: i32) -> Result<(), CalendarError> {
        let mut c = cal();
        c.add_year(year, Calendar::parse_year(json)?)
    }

    #[test]
    fn invalid_year_data_is_rejected_with_chinese_messages() {
        let e = Calendar::parse_year("{").expect_err("json");
        assert!(e.to_string().starts_with("节假日数据格式错误"), "{e}");
        let e = Calendar::parse_year(r#"{"holidays":[["2027-13-01","2027-01-01","元旦"]]}"#).expect_err("bad date");
        assert!(matches!(e, CalendarError::Json(_)));

        let e = add(r#"{"holidays":[]}"#, 2027).expect_err("empty");
        assert_eq!(e, CalendarError::EmptyYear(2027));
        assert_eq!(e.to_string(), "2027年节假日数据为空，至少应包含一个节假日");

        let e = add(r#"{"holidays":[["2027-01-03","2027-01-01","元旦"]]}"#, 2027).expect_err("reversed");
        assert_eq!(e.to_string(), "节假日“元旦”的结束日期 2027-01-01 早于开始日期 2027-01-03");

        let e = add(r#"{"holidays":[["2029-01-01","2029-01-01","元旦"]]}"#, 2027).expect_err("outside");
        assert!(matches!(e, CalendarError::DateOutsideYear { .. }), "{e}");
        assert!(e.to_string().contains("2026-12-01 至 2028-01-31"), "{e}");

        let e = add(r#"{"holidays":[["2027-01-01","2027-03-01","元旦"]]}"#, 2027).expect_err("long");
        assert!(matches!(e, CalendarError::RangeTooLong { .. }), "{e}");

        // 2027-02-15 is a Monday.
        let e = add(r#"{"holidays":[["2027-01-01","2027-01-01","元旦"]],"workdays":[["2027-02-15","春节"]]}"#, 2027)
            .expect_err("makeup weekday");
        assert_eq!(e.to_string(), "调休上班日 2027-02-15（春节）不是周六或周日");

        let e = add(r#"{"holidays":[["2027-01-01","2027-01-03","元旦"],["2027-01-03","2027-01-04","春节"]]}"#, 2027).expect_err("overlap");
        assert_eq!(e.to_string(), "日期 2027-01-03 重复出现：既是“元旦假期”，又是“春节假期”");

        let e = add(r#"{"holidays":[["2027-01-01","2027-01-03","元旦"]],"workdays":[["2027-01-02","元旦"]]}"#, 2027)
            .expect_err("makeup inside holiday");
        assert!(matches!(e, CalendarError::Overlap { .. }));

        let e = add(r#"{"holidays":[["2027-01-01","2027-01-01","  "]]}"#, 2027).expect_err("empty name");
        assert!(matches!(e, CalendarError::EmptyName { .. }));

        let e = add(r#"{"holidays":[["1990-01-01","1990-01-01","元旦"]]}"#, 1990).expect_err("year range");
        assert_eq!(e, CalendarError::YearOutOfRange(1990));
    }

    #[test]
    fn cross_year_overlap_is_rejected() {
        // 2027 data may list dates at the end of 2026 that 2026 does not list …
        assert!(add(r#"{"holidays":[["2026-12-31","2027-01-02","元旦"]],"workdays":[["2026-12-26","元旦"]]}"#, 2027).is_ok());
        // … but not a date the 2026 data lists (国庆节 2026-10-01 is outside the window anyway,
        // so use a 2024 date claimed by replacement 2023 data).
        let mut c = cal();
        let mut y2023 = c.year_data(2023).cloned().expect("2023");
        y2023.holidays.push((d("2023-12-30"), d("2024-01-01"), "元旦".into()));
        let e = c.add_year(2023, y2023).expect_err("cross-year");
        assert_eq!(e.to_string(), "日期 2024-01-01 重复出现：既是“2024年数据中的元旦假期”，又是“2023年数据中的元旦假期”");
        // Replacing a year with data that re-lists its own dates is fine.
        let own = Calendar::parse_year(r#"{"holidays":[["2018-12-30","2019-01-01","元旦"]]}"#).expect("parse");
        assert!(c.add_year(2019, own).is_ok());
        assert_eq!(c.day_kind(d("2018-12-29")), DayKind::Weekend);
    }

    #[test]
    fn from_json_whole_file() {
        let c = Calendar::from_json(
            r#"{"source_notes":{"2027":"test"},"years":{"2027":{"holidays":[["2027-01-01","2027-01-01","元旦"]],"workdays":[]}}}"#,
        )
        .expect("file");
        assert_eq!(c.official_years(), vec![2027]);
        assert!(c.is_provisional(d("2026-06-01")));
        assert_eq!(c.day_kind(d("2027-01-01")), DayKind::Holiday("元旦".into()));
        let e = Calendar::from_json(r#"{"years":{"20x7":{"holidays":[]}}}"#).expect_err("key");
        assert_eq!(e.to_string(), "节假日数据中的年份“20x7”无效，应为四位数字年份");
        assert!(Calendar::from_json(r#"{"nope":1}"#).is_err());
        // Overlap across years inside one file.
        let e = Calendar::from_json(
            r#"{"years":{"2026":{"holidays":[["2026-12-31","2026-12-31","元旦"]]},"2027":{"holidays":[["2026-12-31","2027-01-01","元旦"]]}}}"#,
        )
        .expect_err("overlap");
        assert!(matches!(e, CalendarError::Overlap { .. }));
    }

    #[test]
    fn lunar_table_matches_the_official_notices() {
        // Every fixed holiday the regulations give for 2019–2026 is a holiday in
        // that year's official notice: checks the lunar dates (春节, 清明, 端午,
        // 中秋) and the regimes (除夕 and 劳动节 2 May from 2025).
        let c = cal();
        let table = lunar_table();
        assert_eq!(table.first().map(|f| f.year), Some(2008));
        assert_eq!(table.last().map(|f| f.year), Some(MAX_YEAR));
        assert!(table.windows(2).all(|w| w[1].year == w[0].year + 1));
        for y in 2019..=2026 {
            let f = table.iter().find(|f| f.year == y).expect("year in table");
            let fixed = fixed_holidays(f);
            assert!(fixed.len() >= 10, "{y}");
            for (date, name) in fixed {
                assert!(!c.is_working_day(date), "{y}: {date} {name} is a working day in the notice");
                if let DayKind::Holiday(official) = c.day_kind(date) {
                    let first = name.split('、').next().unwrap_or(name);
                    // 2020 named its October holiday 国庆节、中秋节; a weekend day may be unnamed.
                    assert!(official.contains(first) || first == "元旦" || official.contains("国庆"), "{y}: {date} {name} vs {official}");
                }
            }
            // Each lunar festival itself is named as such in the notice.
            for (date, name) in [(f.spring_festival, "春节"), (f.qingming, "清明"), (f.dragon_boat, "端午"), (f.mid_autumn, "中秋")] {
                match c.day_kind(date) {
                    DayKind::Holiday(official) => assert!(official.contains(name), "{y}: {date} {name} vs {official}"),
                    other => panic!("{y}: {date} {name} is {other:?}"),
                }
            }
        }
        // 中秋 on 3 October 2028 merges with 国庆.
        let f2028 = table.iter().find(|f| f.year == 2028).expect("2028");
        assert_eq!(f2028.mid_autumn, d("2028-10-03"));
        assert!(fixed_holidays(f2028).contains(&(d("2028-10-03"), "中秋节、国庆节")));
    }

    #[test]
    fn entering_the_notice_replaces_the_fixed_holidays() {
        let mut c = cal();
        assert_eq!(c.day_kind(d("2027-05-03")), DayKind::Workday);
        let y2027 = Calendar::parse_year(
            r#"{"holidays":[["2027-01-01","2027-01-03","元旦"],["2027-05-01","2027-05-05","劳动节"]],"workdays":[["2027-05-08","劳动节"]]}"#,
        )
        .expect("parse");
        c.add_year(2027, y2027).expect("add");
        assert_eq!(c.day_kind(d("2027-05-03")), DayKind::Holiday("劳动节".into()));
        // The notice is the whole truth for its year: no fixed entry survives.
        assert_eq!(c.day_kind(d("2027-10-01")), DayKind::Workday);
        assert!(c.fixed_holidays_applied(2027).is_empty());
        assert!(!c.add_working_days(d("2026-12-30"), 2).provisional);
        // 2028 has no notice: its 元旦 still applies.
        assert_eq!(c.day_kind(d("2028-01-01")), DayKind::Holiday("元旦".into()));
    }

    #[test]
    fn count_weekdays_matches_naive_loop() {
        let start = d("2023-01-01");
        for offset in 0..30 {
            let a = start + chrono::Duration::days(offset);
            for len in 0..30 {
                let b = a + chrono::Duration::days(len);
                let naive = a.iter_days().skip(1).take_while(|x| *x <= b).filter(|x| !is_weekend(*x)).count() as i64;
                assert_eq!(count_weekdays(a, b), naive, "{a} {b}");
            }
        }
    }

    // ----------------------------------------------------------- properties

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        // 2017-06-01 .. 2029-06-01: covers years with and without data.
        (0i64..4383).prop_map(|o| d("2017-06-01") + chrono::Duration::days(o))
    }

    /// The working-day bits say what the listed dates say, every day of the span, with the
    /// official years and with a year an administrator replaced.
    #[test]
    fn working_bits_agree_with_the_listed_dates() {
        let mut c = Calendar::official();
        let check = |c: &Calendar| {
            let first = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).expect("first");
            let last = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).expect("last");
            for date in first.iter_days().take_while(|x| *x <= last) {
                assert_eq!(c.is_working_day(date), c.is_working_day_listed(date), "{date}");
            }
            assert!(!c.working.is_empty());
        };
        check(&c);
        let mut data = c.year_data(2024).cloned().expect("2024");
        data.holidays.push((d("2024-03-04"), d("2024-03-05"), "测试假日".into()));
        c.add_year(2024, data).expect("replace 2024");
        assert!(!c.is_working_day(d("2024-03-04")));
        check(&c);
        // Outside the span the listed dates answer.
        assert!(c.is_working_day(d("2101-01-03")) == c.is_working_day_listed(d("2101-01-03")));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn due_is_a_working_day_and_between_inverts(start in any_date(), n in 0u32..80) {
            let c = Calendar::official();
            let r = c.add_working_days(start, n);
            prop_assert_eq!(c.working_day_due(start, n), r.due);
            if n > 0 {
                prop_assert!(c.is_working_day(r.due));
                prop_assert!(r.due > start);
            } else {
                prop_assert_eq!(r.due, start);
            }
            prop_assert_eq!(r.working_days, n);
            prop_assert_eq!(c.working_days_between(start, r.due), i64::from(n));
            prop_assert_eq!(c.working_days_between(r.due, start), -i64::from(n));
            // Every day in (start, due] is either counted or skipped.
            prop_assert_eq!((r.due - start).num_days(), i64::from(n) + r.skipped.len() as i64);
            for s in &r.skipped {
                prop_assert!(!c.is_working_day(s.date));
            }
            for (date, _) in &r.counted_makeup_days {
                prop_assert!(matches!(c.day_kind(*date), DayKind::MakeupWorkday(_)));
            }
            prop_assert_eq!(r.provisional, start.iter_days().skip(1).take_while(|x| *x <= r.due).any(|x| c.is_provisional(x)) || (n == 0 && c.is_provisional(start)));
        }

        #[test]
        fn monotonic_in_n(start in any_date(), n in 0u32..80) {
            let c = Calendar::official();
            let a = c.add_working_days(start, n).due;
            let b = c.add_working_days(start, n + 1).due;
            prop_assert!(b > a);
        }

        #[test]
        fn between_is_additive_and_matches_day_by_day(a in any_date(), b in any_date(), m in any_date()) {
            let c = Calendar::official();
            prop_assert_eq!(c.working_days_between(a, b), c.working_days_between(a, m) + c.working_days_between(m, b));
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let naive = lo.iter_days().skip(1).take_while(|x| *x <= hi).filter(|x| c.is_working_day(*x)).count() as i64;
            prop_assert_eq!(c.working_days_between(lo, hi), naive);
        }
    }
}
