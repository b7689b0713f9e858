//! Sign-off (签发) of letters, the 文书编号 pattern, and the item review levels.
//!
//! A letter that records a decision (reply, extension, fee notice by default; which
//! steps need sign-off is chosen per organisation) goes
//! 起草 (drafted, the decision held on the letter) → 签发 (the office head signs it
//! off) → 出具 (issued: the 文书编号 is allocated and the step is recorded on the
//! case, dated the day of issue). Editing a signed-off draft withdraws the sign-off.
//!
//! Item publication records review opinions (保密审查 and 公开属性审查) at one level
//! (审核) or, where the organisation chooses, three (初审 → 复审 → 终审).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::application::{Step, StepKind};
use crate::model::{Role, User};

// ---------------------------------------------------------------------------------------------
// Which steps need sign-off
// ---------------------------------------------------------------------------------------------

/// Stable code of a step kind (as used in forms and settings).
pub fn step_code(k: StepKind) -> &'static str {
    match k {
        StepKind::Accept => "accept",
        StepKind::RequestCorrection => "request_correction",
        StepKind::ReceiveCorrection => "receive_correction",
        StepKind::CorrectionLapsed => "correction_lapsed",
        StepKind::StartProcessing => "start_processing",
        StepKind::Consult => "consult",
        StepKind::ConsultationAnswered => "consultation_answered",
        StepKind::Extend => "extend",
        StepKind::SetReasonablePeriod => "set_reasonable_period",
        StepKind::IssueFeeNotice => "issue_fee_notice",
        StepKind::PayFee => "pay_fee",
        StepKind::FeeLapsed => "fee_lapsed",
        StepKind::Reply => "reply",
        StepKind::Deliver => "deliver",
        StepKind::Close => "close",
        StepKind::Withdraw => "withdraw",
    }
}

/// The steps whose letter may be made subject to sign-off: the steps that produce a
/// letter to the applicant or another party.
pub const SIGNABLE_STEPS: [StepKind; 5] = [
    StepKind::Reply,
    StepKind::Extend,
    StepKind::IssueFeeNotice,
    StepKind::RequestCorrection,
    StepKind::Consult,
];

/// Default: the reply, the extension and the fee notice are signed off by the office head.
pub const DEFAULT_SIGNOFF_STEPS: [StepKind; 3] = [StepKind::Reply, StepKind::Extend, StepKind::IssueFeeNotice];

/// Per organisation: which steps need the office head's sign-off before their letter
/// is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffPolicy {
    pub steps: Vec<StepKind>,
}

impl Default for SignoffPolicy {
    fn default() -> Self {
        SignoffPolicy { steps: DEFAULT_SIGNOFF_STEPS.to_vec() }
    }
}

impl SignoffPolicy {
    /// Parse the stored comma-separated codes; unknown or unsignable codes are an error.
    pub fn parse(codes: &str) -> Result<SignoffPolicy, SignoffError> {
        let mut steps = Vec::new();
        for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let kind = SIGNABLE_STEPS
                .into_iter()
                .find(|k| step_code(*k) == code)
                .ok_or_else(|| SignoffError::UnknownStep(code.to_string()))?;
            if !steps.contains(&kind) {
                steps.push(kind);
            }
        }
        Ok(SignoffPolicy { steps })
    }

    /// The stored form: comma-separated codes in [`SIGNABLE_STEPS`] order.
    pub fn to_codes(&self) -> String {
        SIGNABLE_STEPS.into_iter().filter(|k| self.steps.contains(k)).map(step_code).collect::<Vec<_>>().join(",")
    }

    pub fn requires(&self, kind: StepKind) -> bool {
        self.steps.contains(&kind)
    }
}

/// Where a letter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    /// 草稿（待签发）
    Draft,
    /// 已签发（待出具）
    SignedOff,
    /// 已出具
    Issued,
}

impl LetterStatus {
    pub fn of(signed_off: bool, issued: bool) -> LetterStatus {
        match (issued, signed_off) {
            (true, _) => LetterStatus::Issued,
            (false, true) => LetterStatus::SignedOff,
            (false, false) => LetterStatus::Draft,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LetterStatus::Draft => "draft",
            LetterStatus::SignedOff => "signed_off",
            LetterStatus::Issued => "issued",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LetterStatus::Draft => "草稿",
            LetterStatus::SignedOff => "已签发，待出具",
            LetterStatus::Issued => "已出具",
        }
    }
}

/// Why a sign-off or an issue is refused. Nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignoffError {
    #[error("签发须由公开工作机构负责人进行，您没有签发权限")]
    NotOfficeHead,
    #[error("账号已停用，不能签发")]
    Disabled,
    #[error("该文书已出具，不能再签发")]
    AlreadyIssued,
    #[error("该文书已签发")]
    AlreadySignedOff,
    #[error("该文书须经公开工作机构负责人签发后才能出具")]
    NotSignedOff,
    #[error("“{0}”不是可以设置签发的办理步骤")]
    UnknownStep(String),
    #[error("文书编号格式须包含“{{号}}”（顺序号），可选“{{年}}”，例如“〔{{年}}〕第{{号}}号”")]
    PatternWithoutNumber,
    #[error("文书编号格式不能超过 40 个字")]
    PatternTooLong,
    #[error("审核级次只能是一级（审核）或三级（初审、复审、终审）")]
    BadReviewLevels,
    #[error("请填写{0}意见")]
    OpinionMissing(&'static str),
    #[error("{0}意见不能超过 500 字")]
    OpinionTooLong(&'static str),
    #[error("本信息已通过{0}，须由其他审核人进行下一级审核")]
    SameReviewerTwice(&'static str),
}

/// May `user` sign off a letter in this status?
pub fn check_signoff(user: &User, status: LetterStatus) -> Result<(), SignoffError> {
    if user.disabled {
        return Err(SignoffError::Disabled);
    }
    if !user.has_role(Role::OfficeHead) {
        return Err(SignoffError::NotOfficeHead);
    }
    match status {
        LetterStatus::Issued => Err(SignoffError::AlreadyIssued),
        LetterStatus::SignedOff => Err(SignoffError::AlreadySignedOff),
        LetterStatus::Draft => Ok(()),
    }
}

/// May a letter in this status be issued, given whether its step needs sign-off?
pub fn check_issue(status: LetterStatus, needs_signoff: bool) -> Result<(), SignoffError> {
    match status {
        LetterStatus::Issued => Err(SignoffError::AlreadyIssued),
        LetterStatus::Draft if needs_signoff => Err(SignoffError::NotSignedOff),
        _ => Ok(()),
    }
}

/// The held step as recorded when its letter is issued: dated the day of issue (the
/// decision takes effect when the letter goes out) and, for an extension, approved
/// by the office head who signed the letter off.
pub fn step_on_issue(step: &Step, issue_date: NaiveDate, signer: Option<i64>) -> Step {
    let mut s = step.clone();
    match &mut s {
        Step::Accept { date, .. }
        | Step::RequestCorrection { date, .. }
        | Step::ReceiveCorrection { date, .. }
        | Step::CorrectionLapsed { date }
        | Step::StartProcessing { date }
        | Step::Consult { date, .. }
        | Step::ConsultationAnswered { date, .. }
        | Step::SetReasonablePeriod { date, .. }
        | Step::PayFee { date, .. }
        | Step::FeeLapsed { date }
        | Step::Reply { date, .. }
        | Step::Deliver { date, .. }
        | Step::Close { date }
        | Step::Withdraw { date, .. } => *date = issue_date.max(*date),
        Step::Extend { date, approver, .. } => {
            *date = issue_date.max(*date);
            if let Some(id) = signer {
                approver.user_id = id;
                approver.is_office_head = true;
            }
        }
        Step::IssueFeeNotice { date, notice_received, .. } => {
            *date = issue_date.max(*date);
            if *notice_received < *date {
                *notice_received = *date;
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// 文书编号
// ---------------------------------------------------------------------------------------------

/// Default pattern: 〔2026〕第7号.
pub const DEFAULT_DOC_NUMBER_PATTERN: &str = "〔{年}〕第{号}号";

/// A per-organisation 文书编号 pattern with the placeholders `{年}` (year) and `{号}`
/// (the sequence number, restarting each year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocNumberPattern(String);

impl DocNumberPattern {
    pub fn parse(s: &str) -> Result<DocNumberPattern, SignoffError> {
        let s = s.trim();
        if !s.contains("{号}") {
            return Err(SignoffError::PatternWithoutNumber);
        }
        if s.chars().count() > 40 {
            return Err(SignoffError::PatternTooLong);
        }
        Ok(DocNumberPattern(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn render(&self, year: i32, number: i64) -> String {
        self.0.replace("{年}", &year.to_string()).replace("{号}", &number.to_string())
    }
}

impl Default for DocNumberPattern {
    fn default() -> Self {
        DocNumberPattern(DEFAULT_DOC_NUMBER_PATTERN.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Item review levels and opinions
// ---------------------------------------------------------------------------------------------

/// One review level of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewLevel {
    /// 审核 (one-level review)
    Single,
    /// 初审
    First,
    /// 复审
    Second,
    /// 终审
    Final,
}

impl ReviewLevel {
    pub const ALL: [ReviewLevel; 4] = [ReviewLevel::Single, ReviewLevel::First, ReviewLevel::Second, ReviewLevel::Final];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewLevel::Single => "single",
            ReviewLevel::First => "first",
            ReviewLevel::Second => "second",
            ReviewLevel::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewLevel> {
        ReviewLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewLevel::Single => "审核",
            ReviewLevel::First => "初审",
            ReviewLevel::Second => "复审",
            ReviewLevel::Final => "终审",
        }
    }

    /// The levels an organisation's items go through: 1 → 审核, 3 → 初审/复审/终审.
    pub fn sequence(levels: u8) -> Result<&'static [ReviewLevel], SignoffError> {
        match levels {
            1 => Ok(&[ReviewLevel::Single]),
            3 => Ok(&[ReviewLevel::First, ReviewLevel::Second, ReviewLevel::Final]),
            _ => Err(SignoffError::BadReviewLevels),
        }
    }
}

/// The next review level an item needs, given the levels already recorded (in order)
/// for its current submission; `None` when all are done.
pub fn next_review_level(levels: u8, done: &[ReviewLevel]) -> Result<Option<ReviewLevel>, SignoffError> {
    let seq = ReviewLevel::sequence(levels)?;
    Ok(seq.iter().copied().find(|l| !done.contains(l)))
}

/// The two opinions a reviewer records (条例第十七条: 保密审查; 公开属性审查).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOpinions {
    /// 保密审查意见
    pub secrecy: String,
    /// 公开属性审查意见
    pub disclosure: String,
}

impl ReviewOpinions {
    /// Both opinions are required, each at most 500 characters.
    pub fn validate(secrecy: &str, disclosure: &str) -> Result<ReviewOpinions, SignoffError> {
        let check = |s: &str, what: &'static str| -> Result<String, SignoffError> {
            let t = s.trim();
            if t.is_empty() {
                Err(SignoffError::OpinionMissing(what))
            } else if t.chars().count() > 500 {
                Err(SignoffError::OpinionTooLong(what))
            } else {
                Ok(t.to_string())
            }
        };
        Ok(ReviewOpinions { secrecy: check(secrecy, "保密审查")?, disclosure: check(disclosure, "公开属性审查")? })
    }
}

/// A reviewer may take only one level of the same item's review (三级审核 means three
/// people). `done` pairs each recorded level with its reviewer.
pub fn check_reviewer(levels: u8, done: &[(ReviewLevel, i64)], reviewer_id: i64) -> Result<(), SignoffError> {
    if levels == 3 {
        if let Some((l, _)) = done.iter().find(|(_, r)| *r == reviewer_id) {
            return Err(SignoffError::SameReviewerTwice(l.label()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::{Approver, Outcome};

    fn user(roles: &[Role]) -> User {
        User {
            id: 7,
            username: "u".into(),
            display_name: "U".into(),
            org_id: 1,
            roles: roles.to_vec(),
            disabled: false,
        }
    }

    #[test]
    fn policy_round_trip_and_default() {
        let p = SignoffPolicy::default();
        assert!(p.requires(StepKind::Reply) && p.requires(StepKind::Extend) && p.requires(StepKind::IssueFeeNotice));
        assert!(!p.requires(StepKind::Consult));
        assert_eq!(p.to_codes(), "reply,extend,issue_fee_notice");
        assert_eq!(SignoffPolicy::parse(&p.to_codes()).unwrap(), p);
        assert_eq!(SignoffPolicy::parse("").unwrap().steps, vec![]);
        assert_eq!(SignoffPolicy::parse("accept"), Err(SignoffError::UnknownStep("accept".into())));
        assert_eq!(SignoffPolicy::parse("reply, reply").unwrap().steps, vec![StepKind::Reply]);
    }

    #[test]
    fn only_office_head_signs_off_drafts() {
        assert_eq!(check_signoff(&user(&[Role::Editor, Role::Reviewer, Role::Admin]), LetterStatus::Draft), Err(SignoffError::NotOfficeHead));
        assert_eq!(check_signoff(&user(&[Role::OfficeHead]), LetterStatus::Draft), Ok(()));
        assert_eq!(check_signoff(&user(&[Role::OfficeHead]), LetterStatus::Issued), Err(SignoffError::AlreadyIssued));
        assert_eq!(check_signoff(&user(&[Role::OfficeHead]), LetterStatus::SignedOff), Err(SignoffError::AlreadySignedOff));
        let mut disabled = user(&[Role::OfficeHead]);
        disabled.disabled = true;
        assert_eq!(check_signoff(&disabled, LetterStatus::Draft), Err(SignoffError::Disabled));
    }

    #[test]
    fn issue_needs_signoff_when_required() {
        assert_eq!(check_issue(LetterStatus::Draft, true), Err(SignoffError::NotSignedOff));
        assert_eq!(check_issue(LetterStatus::Draft, false), Ok(()));
        assert_eq!(check_issue(LetterStatus::SignedOff, true), Ok(()));
        assert_eq!(check_issue(LetterStatus::Issued, false), Err(SignoffError::AlreadyIssued));
        assert_eq!(LetterStatus::of(true, false), LetterStatus::SignedOff);
        assert_eq!(LetterStatus::of(false, true), LetterStatus::Issued);
    }

    #[test]
    fn issued_step_is_dated_on_issue_and_approved_by_signer() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ext = Step::Extend { date: d("2026-03-02"), working_days: 10, approver: Approver { user_id: 3, is_office_head: false }, applicant_notified: true };
        match step_on_issue(&ext, d("2026-03-04"), Some(9)) {
            Step::Extend { date, approver, .. } => {
                assert_eq!(date, d("2026-03-04"));
                assert_eq!(approver, Approver { user_id: 9, is_office_head: true });
            }
            other => panic!("{other:?}"),
        }
        let reply = Step::Reply { date: d("2026-03-05"), outcome: Outcome::Disclosed, basis: "x".into(), remedies_stated: true, override_reason: None };
        // Never earlier than the drafted date.
        assert_eq!(step_on_issue(&reply, d("2026-03-04"), None).date(), d("2026-03-05"));
    }

    #[test]
    fn doc_number_pattern() {
        let p = DocNumberPattern::default();
        assert_eq!(p.render(2026, 7), "〔2026〕第7号");
        assert_eq!(DocNumberPattern::parse("源政信公〔{年}〕{号}号").unwrap().render(2026, 12), "源政信公〔2026〕12号");
        assert_eq!(DocNumberPattern::parse("〔{年}〕号"), Err(SignoffError::PatternWithoutNumber));
        assert_eq!(DocNumberPattern::parse(&format!("{}{{号}}", "长".repeat(40))), Err(SignoffError::PatternTooLong));
    }

    #[test]
    fn review_levels() {
        assert_eq!(next_review_level(1, &[]).unwrap(), Some(ReviewLevel::Single));
        assert_eq!(next_review_level(1, &[ReviewLevel::Single]).unwrap(), None);
        assert_eq!(next_review_level(3, &[ReviewLevel::First]).unwrap(), Some(ReviewLevel::Second));
        assert_eq!(next_review_level(3, &[ReviewLevel::First, ReviewLevel::Second, ReviewLevel::Final]).unwrap(), None);
        assert_eq!(next_review_level(2, &[]), Err(SignoffError::BadReviewLevels));
        assert_eq!(check_reviewer(3, &[(ReviewLevel::First, 7)], 7), Err(SignoffError::SameReviewerTwice("初审")));
        assert_eq!(check_reviewer(3, &[(ReviewLevel::First, 7)], 8), Ok(()));
        assert_eq!(check_reviewer(1, &[], 7), Ok(()));
    }

    #[test]
    fn opinions_required() {
        assert_eq!(ReviewOpinions::validate(" ", "可以公开"), Err(SignoffError::OpinionMissing("保密审查")));
        assert_eq!(ReviewOpinions::validate("不涉密", ""), Err(SignoffError::OpinionMissing("公开属性审查")));
        assert_eq!(ReviewOpinions::validate(&"密".repeat(501), "x"), Err(SignoffError::OpinionTooLong("保密审查")));
        assert!(ReviewOpinions::validate("不涉及国家秘密", "主动公开").is_ok());
    }
}
