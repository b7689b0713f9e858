//! The report workflow and deadline.
//!
//! A report revision goes 草稿 → 待审核 → 已发布. Editors and administrators draft and submit;
//! reviewers, office heads and administrators return or publish, never a revision they
//! submitted themselves (four eyes). A published revision is frozen: a correction starts a new
//! revision (with a reason), which is published in turn while the earlier one stays public.
//!
//! Deadline (spec §1.6, A7): by default 31 January of the following year for departments and
//! for townships and subdistricts (Art. 49 for departments; for townships common local practice,
//! the county compiles them), 31 March for a county-level or higher government's own report.
//! Each organisation may set its own date (local rules are often earlier).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{OrgLevel, Role, User};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// 草稿
    Draft,
    /// 待审核
    InReview,
    /// 已发布
    Published,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 3] = [
        ReportStatus::Draft,
        ReportStatus::InReview,
        ReportStatus::Published,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::InReview => "in_review",
            ReportStatus::Published => "published",
        }
    }
    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::Draft => "草稿",
            ReportStatus::InReview => "待审核",
            ReportStatus::Published => "已发布",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Edit the narrative, refresh figures (draft only).
    Edit,
    /// 送审
    Submit,
    /// 退回
    Return,
    /// 发布
    Publish,
    /// 更正: start a new revision of a published report.
    Revise,
}

impl ReportAction {
    pub fn label(self) -> &'static str {
        match self {
            ReportAction::Edit => "编辑",
            ReportAction::Submit => "送审",
            ReportAction::Return => "退回",
            ReportAction::Publish => "发布",
            ReportAction::Revise => "更正",
        }
    }
    fn roles(self) -> &'static [Role] {
        match self {
            ReportAction::Edit | ReportAction::Submit | ReportAction::Revise => {
                &[Role::Editor, Role::Admin]
            }
            ReportAction::Return | ReportAction::Publish => {
                &[Role::Reviewer, Role::OfficeHead, Role::Admin]
            }
        }
    }
    fn roles_label(self) -> &'static str {
        match self {
            ReportAction::Edit | ReportAction::Submit | ReportAction::Revise => "编辑或管理员",
            ReportAction::Return | ReportAction::Publish => "审核人、公开工作机构负责人或管理员",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportWorkflowError {
    #[error("账号已停用，不能执行任何操作")]
    Disabled,
    #[error("年度报告当前状态（{}）不能执行“{}”", .0.label(), .1.label())]
    InvalidState(ReportStatus, ReportAction),
    #[error("只有{}可以{}年度报告", .0.roles_label(), .0.label())]
    RoleRequired(ReportAction),
    #[error("不能{}自己送审的年度报告", .0.label())]
    OwnSubmission(ReportAction),
    #[error("退回时必须填写意见")]
    CommentRequired,
    #[error("更正已发布的年度报告时必须填写更正说明")]
    ReasonRequired,
}

/// Check an action on a revision in `status`, submitted by `submitter` (if submitted).
pub fn check(
    status: ReportStatus,
    action: ReportAction,
    actor: &User,
    submitter: Option<i64>,
    comment: &str,
) -> Result<ReportStatus, ReportWorkflowError> {
    if actor.disabled {
        return Err(ReportWorkflowError::Disabled);
    }
    if !action.roles().iter().any(|r| actor.has_role(*r)) {
        return Err(ReportWorkflowError::RoleRequired(action));
    }
    let target = match (status, action) {
        (ReportStatus::Draft, ReportAction::Edit) => ReportStatus::Draft,
        (ReportStatus::Draft, ReportAction::Submit) => ReportStatus::InReview,
        (ReportStatus::InReview, ReportAction::Return) => ReportStatus::Draft,
        (ReportStatus::InReview, ReportAction::Publish) => ReportStatus::Published,
        (ReportStatus::Published, ReportAction::Revise) => ReportStatus::Draft,
        _ => return Err(ReportWorkflowError::InvalidState(status, action)),
    };
    if action == ReportAction::Publish && submitter == Some(actor.id) {
        return Err(ReportWorkflowError::OwnSubmission(action));
    }
    if comment.trim().is_empty() {
        match action {
            ReportAction::Return => return Err(ReportWorkflowError::CommentRequired),
            ReportAction::Revise => return Err(ReportWorkflowError::ReasonRequired),
            _ => {}
        }
    }
    Ok(target)
}

/// The actions `actor` may take now.
pub fn allowed(status: ReportStatus, actor: &User, submitter: Option<i64>) -> Vec<ReportAction> {
    [
        ReportAction::Edit,
        ReportAction::Submit,
        ReportAction::Return,
        ReportAction::Publish,
        ReportAction::Revise,
    ]
    .into_iter()
    .filter(|a| check(status, *a, actor, submitter, "x").is_ok())
    .collect()
}

/// The publication deadline as month and day of the year after the report year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    pub month: u32,
    pub day: u32,
}

impl DeadlineRule {
    /// The default for an organisation level (see the module documentation).
    pub fn default_for(level: OrgLevel) -> DeadlineRule {
        match level {
            OrgLevel::CountyGovernment | OrgLevel::MunicipalGovernment => {
                DeadlineRule { month: 3, day: 31 }
            }
            _ => DeadlineRule { month: 1, day: 31 },
        }
    }

    /// Parse "MM-DD" (e.g. "01-26"); only dates in January–March make sense for a report.
    pub fn parse(s: &str) -> Result<DeadlineRule, String> {
        let bad = || format!("“{}”不是有效的期限，请按“月-日”填写，例如 01-31", s.trim());
        let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
        let (month, day): (u32, u32) = (
            m.trim().parse().map_err(|_| bad())?,
            d.trim().parse().map_err(|_| bad())?,
        );
        // 2024 is a leap year: 02-29 is accepted and falls back to 02-28 in other years.
        if NaiveDate::from_ymd_opt(2024, month, day).is_none() {
            return Err(bad());
        }
        if !(1..=3).contains(&month) {
            return Err("年度报告的发布期限应在次年1月至3月之间".into());
        }
        Ok(DeadlineRule { month, day })
    }

    pub fn as_string(self) -> String {
        format!("{:02}-{:02}", self.month, self.day)
    }
}

/// The last day to publish the report about `year`.
pub fn deadline(year: i32, rule: DeadlineRule) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, rule.month, rule.day)
        .or_else(|| NaiveDate::from_ymd_opt(year + 1, rule.month, rule.day.saturating_sub(1)))
        .or_else(|| NaiveDate::from_ymd_opt(year + 1, 1, 31))
        .unwrap_or(NaiveDate::MIN)
}

/// Where an organisation stands with a year's report, for the dashboard and the roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    /// 未开始
    NotStarted,
    /// 草稿
    Draft,
    /// 待审核
    InReview,
    /// 已发布
    Published,
    /// 逾期发布
    PublishedLate,
    /// 已逾期未发布
    Overdue,
}

impl ProgressStatus {
    pub fn of(
        latest: Option<ReportStatus>,
        published_on: Option<NaiveDate>,
        deadline: NaiveDate,
        today: NaiveDate,
    ) -> ProgressStatus {
        match (latest, published_on) {
            (_, Some(d)) if d > deadline => ProgressStatus::PublishedLate,
            (_, Some(_)) => ProgressStatus::Published,
            _ if today > deadline => ProgressStatus::Overdue,
            (None, None) => ProgressStatus::NotStarted,
            (Some(ReportStatus::InReview), None) => ProgressStatus::InReview,
            (Some(_), None) => ProgressStatus::Draft,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ProgressStatus::NotStarted => "未开始",
            ProgressStatus::Draft => "起草中",
            ProgressStatus::InReview => "待审核",
            ProgressStatus::Published => "已发布",
            ProgressStatus::PublishedLate => "逾期发布",
            ProgressStatus::Overdue => "已逾期未发布",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressStatus::NotStarted => "not_started",
            ProgressStatus::Draft => "draft",
            ProgressStatus::InReview => "in_review",
            ProgressStatus::Published => "published",
            ProgressStatus::PublishedLate => "published_late",
            ProgressStatus::Overdue => "overdue",
        }
    }
}

/// Where one revision of a report stands against the publication deadline, for the report
/// page and the command line. A correction (a revision after the first publication) is
/// measured against its own publication, never against the original deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DeadlineStanding {
    /// The year has not ended: a preview that can be saved, not yet published.
    YearOpen { year_ends: NaiveDate },
    /// Nothing published yet, deadline ahead (or today).
    DaysLeft { days: i64 },
    /// Nothing published yet, deadline passed.
    Overdue { days: i64 },
    /// First published on time (this revision or an earlier one).
    PublishedOnTime { on: NaiveDate },
    /// First published after the deadline.
    PublishedLate { on: NaiveDate, days: i64 },
    /// A correction draft of a report first published on `original`.
    CorrectionDraft { original: NaiveDate },
    /// A correction published on `on`, of a report first published on `original`.
    CorrectionPublished { on: NaiveDate, original: NaiveDate },
}

impl DeadlineStanding {
    /// `this_published`: this revision's publication date; `first_published`: the earliest
    /// publication of any revision of the year's report.
    pub fn of(
        year: i32,
        deadline: NaiveDate,
        this_published: Option<NaiveDate>,
        first_published: Option<NaiveDate>,
        today: NaiveDate,
    ) -> DeadlineStanding {
        match (this_published, first_published) {
            (Some(on), Some(first)) if on > first => DeadlineStanding::CorrectionPublished { on, original: first },
            (Some(on), _) if on > deadline => DeadlineStanding::PublishedLate { on, days: (on - deadline).num_days() },
            (Some(on), _) => DeadlineStanding::PublishedOnTime { on },
            (None, Some(original)) => DeadlineStanding::CorrectionDraft { original },
            (None, None) if year >= today.year() => DeadlineStanding::YearOpen {
                year_ends: NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
            },
            (None, None) if today > deadline => DeadlineStanding::Overdue { days: (today - deadline).num_days() },
            (None, None) => DeadlineStanding::DaysLeft { days: (deadline - today).num_days() },
        }
    }

    /// Chinese text after "发布期限 2027年1月31日", e.g. `还剩 55 天`, `已于2026年1月20日按期发布`.
    pub fn label(self) -> String {
        let cn = |d: NaiveDate| d.format("%Y年%-m月%-d日").to_string();
        match self {
            DeadlineStanding::YearOpen { year_ends } => {
                format!("本年度至{}结束，现为预览草稿，可以保存，次年1月1日起可以送审和发布", cn(year_ends))
            }
            DeadlineStanding::DaysLeft { days } => format!("还剩 {days} 天"),
            DeadlineStanding::Overdue { days } => format!("已超过发布期限 {days} 天，发布后将记为逾期发布"),
            DeadlineStanding::PublishedOnTime { on } => format!("已于{}按期发布", cn(on)),
            DeadlineStanding::PublishedLate { on, days } => format!("于{}发布，逾期 {days} 天", cn(on)),
            DeadlineStanding::CorrectionDraft { original } => {
                format!("更正稿：原报告已于{}发布，更正以本版本的发布日期为准", cn(original))
            }
            DeadlineStanding::CorrectionPublished { on, original } => {
                format!("更正版本于{}发布（原报告于{}发布）", cn(on), cn(original))
            }
        }
    }

    /// Whether the standing is a warning (deadline passed without publication).
    pub fn is_warning(self) -> bool {
        matches!(self, DeadlineStanding::Overdue { .. } | DeadlineStanding::PublishedLate { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, roles: &[Role]) -> User {
        User {
            id,
            username: format!("u{id}"),
            display_name: String::new(),
            org_id: 1,
            roles: roles.to_vec(),
            disabled: false,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn deadline_standing() {
        let deadline = d(2026, 1, 31);
        let of = |this, first, today| DeadlineStanding::of(2025, deadline, this, first, today);
        // Published on time: no warning, whenever it is looked at (the false 逾期 of issue 15).
        let s = of(Some(d(2026, 1, 20)), Some(d(2026, 1, 20)), d(2026, 12, 7));
        assert_eq!(s, DeadlineStanding::PublishedOnTime { on: d(2026, 1, 20) });
        assert!(!s.is_warning());
        assert_eq!(s.label(), "已于2026年1月20日按期发布");
        // A correction draft is not "已逾期 310 天".
        let s = of(None, Some(d(2026, 1, 20)), d(2026, 12, 7));
        assert_eq!(s, DeadlineStanding::CorrectionDraft { original: d(2026, 1, 20) });
        assert!(!s.is_warning());
        assert!(!s.label().contains("逾期"));
        let s = of(Some(d(2026, 12, 7)), Some(d(2026, 1, 20)), d(2026, 12, 7));
        assert_eq!(s, DeadlineStanding::CorrectionPublished { on: d(2026, 12, 7), original: d(2026, 1, 20) });
        assert!(!s.is_warning());
        // First published late.
        let s = of(Some(d(2026, 2, 3)), Some(d(2026, 2, 3)), d(2026, 12, 7));
        assert_eq!(s, DeadlineStanding::PublishedLate { on: d(2026, 2, 3), days: 3 });
        // Not published.
        assert_eq!(of(None, None, d(2026, 1, 1)), DeadlineStanding::DaysLeft { days: 30 });
        assert_eq!(of(None, None, d(2026, 1, 31)), DeadlineStanding::DaysLeft { days: 0 });
        assert_eq!(of(None, None, d(2026, 2, 2)), DeadlineStanding::Overdue { days: 2 });
        // The current year from 1 December: a preview.
        let s = DeadlineStanding::of(2026, d(2027, 1, 31), None, None, d(2026, 12, 7));
        assert_eq!(s, DeadlineStanding::YearOpen { year_ends: d(2026, 12, 31) });
        assert!(s.label().contains("预览"));
    }

    #[test]
    fn deadlines_by_level() {
        assert_eq!(
            deadline(2023, DeadlineRule::default_for(OrgLevel::Township)),
            d(2024, 1, 31)
        );
        assert_eq!(
            deadline(2023, DeadlineRule::default_for(OrgLevel::CountyDepartment)),
            d(2024, 1, 31)
        );
        assert_eq!(
            deadline(2023, DeadlineRule::default_for(OrgLevel::CountyGovernment)),
            d(2024, 3, 31)
        );
        assert_eq!(
            deadline(2024, DeadlineRule { month: 2, day: 29 }),
            d(2025, 2, 28)
        );
        assert_eq!(
            deadline(2023, DeadlineRule { month: 2, day: 29 }),
            d(2024, 2, 29)
        );
        assert_eq!(
            DeadlineRule::parse("01-26"),
            Ok(DeadlineRule { month: 1, day: 26 })
        );
        assert!(DeadlineRule::parse("13-01").is_err());
        assert!(DeadlineRule::parse("06-30").is_err());
        assert!(DeadlineRule::parse("x").is_err());
    }

    #[test]
    fn four_eyes_and_roles() {
        let editor = user(1, &[Role::Editor]);
        let reviewer = user(2, &[Role::Reviewer]);
        let both = user(3, &[Role::Editor, Role::Reviewer]);
        assert_eq!(
            check(ReportStatus::Draft, ReportAction::Submit, &editor, None, ""),
            Ok(ReportStatus::InReview)
        );
        assert_eq!(
            check(
                ReportStatus::Draft,
                ReportAction::Submit,
                &reviewer,
                None,
                ""
            ),
            Err(ReportWorkflowError::RoleRequired(ReportAction::Submit))
        );
        assert_eq!(
            check(
                ReportStatus::InReview,
                ReportAction::Publish,
                &reviewer,
                Some(1),
                ""
            ),
            Ok(ReportStatus::Published)
        );
        assert_eq!(
            check(
                ReportStatus::InReview,
                ReportAction::Publish,
                &both,
                Some(3),
                ""
            ),
            Err(ReportWorkflowError::OwnSubmission(ReportAction::Publish))
        );
        assert_eq!(
            check(
                ReportStatus::InReview,
                ReportAction::Return,
                &reviewer,
                Some(1),
                " "
            ),
            Err(ReportWorkflowError::CommentRequired)
        );
        assert_eq!(
            check(
                ReportStatus::Published,
                ReportAction::Edit,
                &editor,
                Some(1),
                ""
            ),
            Err(ReportWorkflowError::InvalidState(
                ReportStatus::Published,
                ReportAction::Edit
            ))
        );
        assert_eq!(
            check(
                ReportStatus::Published,
                ReportAction::Revise,
                &editor,
                Some(1),
                ""
            ),
            Err(ReportWorkflowError::ReasonRequired)
        );
        assert_eq!(
            check(
                ReportStatus::Published,
                ReportAction::Revise,
                &editor,
                Some(1),
                "更正数据"
            ),
            Ok(ReportStatus::Draft)
        );
        let mut disabled = editor.clone();
        disabled.disabled = true;
        assert_eq!(
            check(ReportStatus::Draft, ReportAction::Edit, &disabled, None, ""),
            Err(ReportWorkflowError::Disabled)
        );
        assert_eq!(
            allowed(ReportStatus::InReview, &both, Some(3)),
            vec![ReportAction::Return]
        );
    }

    #[test]
    fn progress() {
        let dl = d(2024, 1, 31);
        assert_eq!(
            ProgressStatus::of(None, None, dl, d(2024, 1, 10)),
            ProgressStatus::NotStarted
        );
        assert_eq!(
            ProgressStatus::of(Some(ReportStatus::Draft), None, dl, d(2024, 1, 10)),
            ProgressStatus::Draft
        );
        assert_eq!(
            ProgressStatus::of(Some(ReportStatus::InReview), None, dl, d(2024, 1, 10)),
            ProgressStatus::InReview
        );
        assert_eq!(
            ProgressStatus::of(Some(ReportStatus::Draft), None, dl, d(2024, 2, 1)),
            ProgressStatus::Overdue
        );
        assert_eq!(
            ProgressStatus::of(
                Some(ReportStatus::Published),
                Some(d(2024, 1, 17)),
                dl,
                d(2024, 2, 1)
            ),
            ProgressStatus::Published
        );
        assert_eq!(
            ProgressStatus::of(
                Some(ReportStatus::Published),
                Some(d(2024, 2, 2)),
                dl,
                d(2024, 3, 1)
            ),
            ProgressStatus::PublishedLate
        );
    }
}
