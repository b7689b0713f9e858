//! Online consultation (网上咨询): citizens ask the organisation a question,
//! staff assign, answer and decide whether the question and answer are
//! published; the reply is due a configurable number of working days after
//! the question was received (default 5), counted on the official calendar
//! (holidays and 调休 make-up days included).
//!
//! A consultation is not an application for disclosure: it has no statutory
//! period of its own. When the question really asks for government
//! information, staff turn it into an application (依申请公开), whose clock
//! then runs under Art. 33.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, DueDate};

/// Default reply period in working days.
pub const DEFAULT_REPLY_WORKING_DAYS: u32 = 5;
/// Longest reply period an organisation may configure.
pub const MAX_REPLY_WORKING_DAYS: u32 = 60;
/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 2000;
/// Longest subject line.
pub const MAX_SUBJECT_CHARS: usize = 60;
/// Longest answer.
pub const MAX_ANSWER_CHARS: usize = 5000;

/// Where a consultation is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultState {
    /// 待分派: received, nobody assigned yet.
    Received,
    /// 办理中: assigned to a staff member.
    Assigned,
    /// 已答复
    Answered,
    /// 已转为政府信息公开申请
    Converted,
}

impl ConsultState {
    pub const ALL: [ConsultState; 4] = [ConsultState::Received, ConsultState::Assigned, ConsultState::Answered, ConsultState::Converted];
    pub fn as_str(self) -> &'static str {
        match self {
            ConsultState::Received => "received",
            ConsultState::Assigned => "assigned",
            ConsultState::Answered => "answered",
            ConsultState::Converted => "converted",
        }
    }
    pub fn parse(s: &str) -> Option<ConsultState> {
        ConsultState::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ConsultState::Received => "待分派",
            ConsultState::Assigned => "办理中",
            ConsultState::Answered => "已答复",
            ConsultState::Converted => "已转为依申请公开",
        }
    }
    /// Still waiting for a reply (the deadline applies).
    pub fn is_open(self) -> bool {
        matches!(self, ConsultState::Received | ConsultState::Assigned)
    }
}

/// What staff do to a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsultAction {
    Assign,
    Answer,
    Publish,
    Unpublish,
    Convert,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsultError {
    #[error("该咨询已答复，不能再分派")]
    AssignClosed,
    #[error("该咨询已{0}，不能再答复")]
    AnswerClosed(&'static str),
    #[error("咨询人选择了不公开，该咨询不能公开")]
    PublishPrivate,
    #[error("尚未答复的咨询不能公开")]
    PublishUnanswered,
    #[error("该咨询已答复或已转办，不能再转为依申请公开")]
    ConvertClosed,
}

/// The state after `action`, or why it is not allowed. `private` is the
/// citizen's choice: private questions are never published.
pub fn apply(state: ConsultState, private: bool, action: ConsultAction) -> Result<ConsultState, ConsultError> {
    match action {
        ConsultAction::Assign if state.is_open() => Ok(ConsultState::Assigned),
        ConsultAction::Assign => Err(ConsultError::AssignClosed),
        ConsultAction::Answer if state.is_open() => Ok(ConsultState::Answered),
        ConsultAction::Answer => Err(ConsultError::AnswerClosed(if state == ConsultState::Converted { "转为依申请公开" } else { "答复" })),
        ConsultAction::Publish if private => Err(ConsultError::PublishPrivate),
        ConsultAction::Publish if state != ConsultState::Answered => Err(ConsultError::PublishUnanswered),
        ConsultAction::Publish | ConsultAction::Unpublish => Ok(state),
        ConsultAction::Convert if state.is_open() => Ok(ConsultState::Converted),
        ConsultAction::Convert => Err(ConsultError::ConvertClosed),
    }
}

/// Per-organisation settings of the consultation channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultSettings {
    /// 姓名 must be given.
    pub require_name: bool,
    /// 联系方式 must be given.
    pub require_contact: bool,
    /// Working days to reply.
    pub reply_working_days: u32,
}

impl Default for ConsultSettings {
    fn default() -> Self {
        ConsultSettings { require_name: false, require_contact: false, reply_working_days: DEFAULT_REPLY_WORKING_DAYS }
    }
}

/// A question as typed by the citizen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionInput {
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub question: String,
    pub private: bool,
}

/// A question that passed validation (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub question: String,
    pub private: bool,
}

fn looks_like_contact(s: &str) -> bool {
    let phone = s.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')')) && s.chars().filter(char::is_ascii_digit).count() >= 5;
    let email = s.contains('@') && s.rsplit('@').next().is_some_and(|d| d.contains('.')) && !s.contains(' ');
    phone || email
}

/// Check a question against the organisation's settings; every problem at
/// once, in Chinese.
pub fn validate_question(input: &QuestionInput, settings: &ConsultSettings) -> Result<Question, Vec<String>> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    let contact = input.contact.trim();
    let subject = input.subject.trim();
    let question = input.question.trim();
    if name.is_empty() && settings.require_name {
        errors.push("请填写姓名".to_string());
    } else if name.chars().count() > 50 {
        errors.push("姓名不能超过 50 字".to_string());
    }
    if contact.is_empty() {
        if settings.require_contact {
            errors.push("请填写联系电话或电子邮箱，以便答复".to_string());
        }
    } else if contact.chars().count() > 100 || !looks_like_contact(contact) {
        errors.push(format!("联系方式“{}”格式有误，请填写电话号码或电子邮箱", contact.chars().take(100).collect::<String>()));
    }
    if subject.is_empty() {
        errors.push("请填写咨询标题".to_string());
    } else if subject.chars().count() > MAX_SUBJECT_CHARS {
        errors.push(format!("咨询标题不能超过 {MAX_SUBJECT_CHARS} 字"));
    }
    if question.is_empty() {
        errors.push("咨询内容不能为空".to_string());
    } else if question.chars().count() > MAX_QUESTION_CHARS {
        errors.push(format!("咨询内容不能超过 {MAX_QUESTION_CHARS} 字（现有 {} 字）", question.chars().count()));
    }
    if errors.is_empty() {
        Ok(Question { name: name.into(), contact: contact.into(), subject: subject.into(), question: question.into(), private: input.private })
    } else {
        Err(errors)
    }
}

/// Check an answer and the replying department (答复部门).
pub fn validate_answer(answer: &str, department: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let answer = answer.trim();
    if answer.is_empty() {
        errors.push("答复内容不能为空".to_string());
    } else if answer.chars().count() > MAX_ANSWER_CHARS {
        errors.push(format!("答复内容不能超过 {MAX_ANSWER_CHARS} 字"));
    }
    let department = department.trim();
    if department.is_empty() {
        errors.push("请填写答复部门".to_string());
    } else if department.chars().count() > 50 {
        errors.push("答复部门不能超过 50 字".to_string());
    }
    errors
}

/// Check a configured reply period.
pub fn validate_reply_days(days: u32) -> Option<String> {
    (!(1..=MAX_REPLY_WORKING_DAYS).contains(&days)).then(|| format!("答复期限应为 1—{MAX_REPLY_WORKING_DAYS} 个工作日"))
}

/// The reply deadline: `days` working days after the day of receipt.
pub fn reply_due(calendar: &Calendar, received: NaiveDate, days: u32) -> DueDate {
    calendar.add_working_days(received, days)
}

/// How a consultation stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeadlineStatus {
    /// Open, more than the reminder threshold left.
    Open { left: i64 },
    /// Open, `left` working days (≤ threshold) left; 0 = due today.
    DueSoon { left: i64 },
    /// Open and past the deadline by `days` working days.
    Overdue { days: i64 },
    /// Answered on or before the deadline.
    AnsweredOnTime,
    /// Answered after the deadline by `days` working days.
    AnsweredLate { days: i64 },
    /// Turned into an application: the consultation deadline no longer applies.
    NotApplicable,
}

impl DeadlineStatus {
    pub fn label(self) -> String {
        match self {
            DeadlineStatus::Open { left } => format!("剩 {left} 个工作日"),
            DeadlineStatus::DueSoon { left: 0 } => "今日到期".to_string(),
            DeadlineStatus::DueSoon { left } => format!("即将到期，剩 {left} 个工作日"),
            DeadlineStatus::Overdue { days } => format!("已超期 {days} 个工作日"),
            DeadlineStatus::AnsweredOnTime => "按期答复".to_string(),
            DeadlineStatus::AnsweredLate { days } => format!("逾期 {days} 个工作日答复"),
            DeadlineStatus::NotApplicable => "已转办".to_string(),
        }
    }
    pub fn is_overdue(self) -> bool {
        matches!(self, DeadlineStatus::Overdue { .. })
    }
    pub fn is_due_soon(self) -> bool {
        matches!(self, DeadlineStatus::DueSoon { .. })
    }
}

/// Where a consultation due on `due` stands on `today`.
pub fn deadline_status(calendar: &Calendar, state: ConsultState, due: NaiveDate, answered_on: Option<NaiveDate>, today: NaiveDate, soon: i64) -> DeadlineStatus {
    match state {
        ConsultState::Converted => DeadlineStatus::NotApplicable,
        ConsultState::Answered => match answered_on {
            Some(a) if a > due => DeadlineStatus::AnsweredLate { days: calendar.working_days_between(due, a) },
            _ => DeadlineStatus::AnsweredOnTime,
        },
        ConsultState::Received | ConsultState::Assigned => {
            if today > due {
                // Late from the first day after the due date, even if that is a rest day.
                DeadlineStatus::Overdue { days: calendar.working_days_between(due, today).max(1) }
            } else {
                let left = calendar.working_days_between(today, due);
                if left <= soon {
                    DeadlineStatus::DueSoon { left }
                } else {
                    DeadlineStatus::Open { left }
                }
            }
        }
    }
}

/// One consultation as the statistics see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatRecord {
    pub received: NaiveDate,
    pub state: ConsultState,
    pub due: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub published: bool,
}

/// Figures of one month (by date of receipt).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthStats {
    pub year: i32,
    pub month: u32,
    pub received: u32,
    pub answered: u32,
    pub answered_on_time: u32,
    pub open: u32,
    pub overdue_open: u32,
    pub converted: u32,
    pub published: u32,
}

/// Monthly statistics, newest month first.
pub fn monthly_stats(records: &[StatRecord], today: NaiveDate) -> Vec<MonthStats> {
    let mut months: std::collections::BTreeMap<(i32, u32), MonthStats> = std::collections::BTreeMap::new();
    for r in records {
        let key = (r.received.year(), r.received.month());
        let m = months.entry(key).or_insert_with(|| MonthStats { year: key.0, month: key.1, ..Default::default() });
        m.received += 1;
        match r.state {
            ConsultState::Answered => {
                m.answered += 1;
                if r.answered_on.is_none_or(|a| a <= r.due) {
                    m.answered_on_time += 1;
                }
            }
            ConsultState::Converted => m.converted += 1,
            ConsultState::Received | ConsultState::Assigned => {
                m.open += 1;
                if today > r.due {
                    m.overdue_open += 1;
                }
            }
        }
        if r.published {
            m.published += 1;
        }
    }
    months.into_values().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn cal() -> Calendar {
        Calendar::official()
    }

    #[test]
    fn ordinary_week() {
        // Monday 2024-03-04 + 5 working days = Monday 2024-03-11.
        assert_eq!(reply_due(&cal(), d("2024-03-04"), 5).due, d("2024-03-11"));
        // Received on a Friday: the weekend is skipped.
        assert_eq!(reply_due(&cal(), d("2024-03-08"), 5).due, d("2024-03-15"));
    }

    #[test]
    fn across_spring_festival_with_makeup_days() {
        // 2024 春节: holiday 02-10…02-17, make-up working days Sun 02-04 and Sun 02-18.
        // Received Fri 02-02: Sun 02-04 (调休) counts, then 02-05…02-08 → due Thu 02-08.
        let due = reply_due(&cal(), d("2024-02-02"), 5);
        assert_eq!(due.due, d("2024-02-08"));
        assert!(due.counted_makeup_days.iter().any(|(day, _)| *day == d("2024-02-04")));
        // Received Thu 02-08: Fri 02-09 (1), holiday to 02-17, Sun 02-18 调休 (2), 02-19…02-21 (3–5).
        let due = reply_due(&cal(), d("2024-02-08"), 5);
        assert_eq!(due.due, d("2024-02-21"));
        assert!(due.skipped.iter().any(|s| s.reason.contains("春节")));
        // 2025 春节: holiday 01-28…02-04, make-up Sun 01-26 and Sat 02-08.
        // Received Fri 01-24: Sun 01-26 (1), Mon 01-27 (2), holiday, Wed 02-05 (3), Thu (4), Fri 02-07 (5).
        assert_eq!(reply_due(&cal(), d("2025-01-24"), 5).due, d("2025-02-07"));
    }

    #[test]
    fn across_national_day() {
        // 2024 国庆: holiday 10-01…10-07, make-up Sun 09-29 and Sat 10-12.
        // Received Fri 09-27: Sun 09-29 (1), Mon 09-30 (2), holiday, Tue 10-08 (3), Wed (4), Thu 10-10 (5).
        assert_eq!(reply_due(&cal(), d("2024-09-27"), 5).due, d("2024-10-10"));
        // Received Mon 09-30 with 10 days: 10-08…10-11 (4), Sat 10-12 调休 (5), 10-14…10-18 (10).
        assert_eq!(reply_due(&cal(), d("2024-09-30"), 10).due, d("2024-10-18"));
        // A question received on a holiday: counting starts the next day.
        assert_eq!(reply_due(&cal(), d("2024-10-03"), 1).due, d("2024-10-08"));
    }

    #[test]
    fn deadline_states() {
        let c = cal();
        let due = d("2024-10-10");
        assert_eq!(deadline_status(&c, ConsultState::Received, due, None, d("2024-09-30"), 2), DeadlineStatus::Open { left: 3 });
        assert_eq!(deadline_status(&c, ConsultState::Assigned, due, None, d("2024-10-08"), 2), DeadlineStatus::DueSoon { left: 2 });
        assert_eq!(deadline_status(&c, ConsultState::Assigned, due, None, due, 2), DeadlineStatus::DueSoon { left: 0 });
        assert_eq!(deadline_status(&c, ConsultState::Assigned, due, None, d("2024-10-14"), 2), DeadlineStatus::Overdue { days: 3 });
        // Saturday 10-12 is a make-up working day, so the 11th and 12th both count.
        assert_eq!(deadline_status(&c, ConsultState::Assigned, due, None, d("2024-10-12"), 2), DeadlineStatus::Overdue { days: 2 });
        assert_eq!(deadline_status(&c, ConsultState::Answered, due, Some(d("2024-10-09")), d("2024-12-01"), 2), DeadlineStatus::AnsweredOnTime);
        assert_eq!(deadline_status(&c, ConsultState::Answered, due, Some(d("2024-10-11")), d("2024-12-01"), 2), DeadlineStatus::AnsweredLate { days: 1 });
        assert_eq!(deadline_status(&c, ConsultState::Converted, due, None, d("2024-12-01"), 2), DeadlineStatus::NotApplicable);
        // Late on the Saturday after a Friday due date (no working day in between).
        assert_eq!(deadline_status(&c, ConsultState::Received, d("2024-03-08"), None, d("2024-03-09"), 2), DeadlineStatus::Overdue { days: 1 });
    }

    #[test]
    fn question_validation() {
        let s = ConsultSettings::default();
        let ok = QuestionInput { subject: "低保申请".into(), question: "请问低保如何申请？".into(), ..Default::default() };
        let q = validate_question(&ok, &s).expect("anonymous question allowed by default");
        assert_eq!(q.name, "");
        let empty = QuestionInput { subject: "  ".into(), question: " \n ".into(), ..Default::default() };
        let errs = validate_question(&empty, &s).expect_err("empty");
        assert!(errs.iter().any(|e| e == "咨询内容不能为空"), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("标题")), "{errs:?}");
        let long = QuestionInput { question: "问".repeat(MAX_QUESTION_CHARS + 1), ..ok.clone() };
        assert!(validate_question(&long, &s).expect_err("long")[0].contains("不能超过 2000 字"));
        let strict = ConsultSettings { require_name: true, require_contact: true, ..s };
        let errs = validate_question(&ok, &strict).expect_err("strict");
        assert_eq!(errs.len(), 2, "{errs:?}");
        let bad_contact = QuestionInput { contact: "随便".into(), ..ok.clone() };
        assert!(validate_question(&bad_contact, &s).is_err());
        for good in ["0763-1234567", "13800138000", "a@b.cn"] {
            assert!(validate_question(&QuestionInput { contact: good.into(), ..ok.clone() }, &s).is_ok(), "{good}");
        }
        assert!(validate_reply_days(0).is_some());
        assert!(validate_reply_days(5).is_none());
        assert!(validate_reply_days(61).is_some());
        assert_eq!(validate_answer(" ", "").len(), 2);
    }

    #[test]
    fn transitions() {
        use ConsultAction::*;
        use ConsultState::*;
        assert_eq!(apply(Received, false, Assign), Ok(Assigned));
        assert_eq!(apply(Assigned, false, Assign), Ok(Assigned));
        assert_eq!(apply(Received, false, Answer), Ok(Answered));
        assert!(apply(Answered, false, Answer).is_err());
        assert_eq!(apply(Answered, true, Publish), Err(ConsultError::PublishPrivate));
        assert_eq!(apply(Assigned, false, Publish), Err(ConsultError::PublishUnanswered));
        assert_eq!(apply(Answered, false, Publish), Ok(Answered));
        assert_eq!(apply(Assigned, false, Convert), Ok(Converted));
        assert!(apply(Converted, false, Answer).is_err());
        assert!(apply(Answered, false, Convert).is_err());
    }

    #[test]
    fn statistics_by_month() {
        let recs = [
            StatRecord { received: d("2024-09-27"), state: ConsultState::Answered, due: d("2024-10-10"), answered_on: Some(d("2024-10-08")), published: true },
            StatRecord { received: d("2024-09-30"), state: ConsultState::Answered, due: d("2024-10-11"), answered_on: Some(d("2024-10-14")), published: false },
            StatRecord { received: d("2024-10-09"), state: ConsultState::Assigned, due: d("2024-10-16"), answered_on: None, published: false },
            StatRecord { received: d("2024-10-10"), state: ConsultState::Converted, due: d("2024-10-17"), answered_on: None, published: false },
        ];
        let stats = monthly_stats(&recs, d("2024-10-20"));
        assert_eq!(stats.len(), 2);
        assert_eq!((stats[0].year, stats[0].month, stats[0].received, stats[0].open, stats[0].overdue_open, stats[0].converted), (2024, 10, 2, 1, 1, 1));
        assert_eq!((stats[1].month, stats[1].received, stats[1].answered, stats[1].answered_on_time, stats[1].published), (9, 2, 2, 1, 1));
    }
}
