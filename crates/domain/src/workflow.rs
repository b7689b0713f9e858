//! The publishing workflow: 起草 → 送审 → 审核 → 发布 → 撤回.
//!
//! | action     | from                  | to        | who                                   | note                 |
//! |------------|-----------------------|-----------|---------------------------------------|----------------------|
//! | `submit`   | Draft, Returned       | Submitted | editor or admin                       |                      |
//! | `approve`  | Submitted             | Approved  | reviewer, not the author (四眼原则)    |                      |
//! | `return`   | Submitted, Approved   | Returned  | reviewer or admin                     | comment required     |
//! | `publish`  | Approved              | Published | reviewer or admin, not the author     |                      |
//! | `withdraw` | Published             | Withdrawn | reviewer or admin                     | reason required      |
//! | `revise`   | Withdrawn             | Draft     | editor or admin                       |                      |
//!
//! A disabled account can do nothing. Content may be edited only while the
//! item is a draft or has been returned; 有效性 (rule E2) is marked on
//! published items by a reviewer or admin.

use serde::{Deserialize, Serialize};

use crate::model::{ItemStatus, Role, User};

/// A workflow action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 送审
    Submit,
    /// 审核通过
    Approve,
    /// 退回
    Return,
    /// 发布
    Publish,
    /// 撤回
    Withdraw,
    /// 重新编辑 (a withdrawn item goes back to draft)
    Revise,
}

impl Action {
    pub const ALL: [Action; 6] = [Action::Submit, Action::Approve, Action::Return, Action::Publish, Action::Withdraw, Action::Revise];

    /// Code stored in the item history.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Publish => "publish",
            Action::Withdraw => "withdraw",
            Action::Revise => "revise",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Button label.
    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "送审",
            Action::Approve => "审核通过",
            Action::Return => "退回",
            Action::Publish => "发布",
            Action::Withdraw => "撤回",
            Action::Revise => "重新编辑",
        }
    }

    /// The verb used in sentences ("只有审核人可以审核").
    fn verb(self) -> &'static str {
        match self {
            Action::Submit => "送审",
            Action::Approve => "审核",
            Action::Return => "退回",
            Action::Publish => "发布",
            Action::Withdraw => "撤回",
            Action::Revise => "重新编辑",
        }
    }

    /// The status the action leads to.
    pub fn target(self) -> ItemStatus {
        match self {
            Action::Submit => ItemStatus::Submitted,
            Action::Approve => ItemStatus::Approved,
            Action::Return => ItemStatus::Returned,
            Action::Publish => ItemStatus::Published,
            Action::Withdraw => ItemStatus::Withdrawn,
            Action::Revise => ItemStatus::Draft,
        }
    }

    /// The statuses the action can start from.
    pub fn sources(self) -> &'static [ItemStatus] {
        match self {
            Action::Submit => &[ItemStatus::Draft, ItemStatus::Returned],
            Action::Approve => &[ItemStatus::Submitted],
            Action::Return => &[ItemStatus::Submitted, ItemStatus::Approved],
            Action::Publish => &[ItemStatus::Approved],
            Action::Withdraw => &[ItemStatus::Published],
            Action::Revise => &[ItemStatus::Withdrawn],
        }
    }

    /// The roles that may take the action.
    fn roles(self) -> &'static [Role] {
        match self {
            Action::Submit | Action::Revise => &[Role::Editor, Role::Admin],
            Action::Approve => &[Role::Reviewer],
            Action::Return | Action::Publish | Action::Withdraw => &[Role::Reviewer, Role::Admin],
        }
    }

    /// Human description of [`Action::roles`], e.g. `审核人或管理员`.
    fn roles_label(self) -> &'static str {
        match self {
            Action::Submit | Action::Revise => "编辑或管理员",
            Action::Approve => "审核人",
            Action::Return | Action::Publish | Action::Withdraw => "审核人或管理员",
        }
    }

    /// Whether the author of the item is barred from the action (四眼原则).
    fn forbids_author(self) -> bool {
        matches!(self, Action::Approve | Action::Publish)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("账号已停用，不能执行任何操作")]
    Disabled,
    #[error("当前状态（{}）不能执行“{}”", .status.label(), .action.label())]
    InvalidState { status: ItemStatus, action: Action },
    #[error("只有{}可以{}", .action.roles_label(), .action.verb())]
    RoleRequired { action: Action },
    #[error("不能{}自己起草的信息", .action.verb())]
    OwnItem { action: Action },
    #[error("退回时必须填写意见")]
    ReturnCommentRequired,
    #[error("撤回时必须填写理由")]
    WithdrawReasonRequired,
    #[error("只有已发布的信息可以标注有效性（当前状态：{}）", .0.label())]
    ValidityNotPublished(ItemStatus),
    #[error("只有审核人或管理员可以标注有效性")]
    ValidityRoleRequired,
    #[error("只有编辑或管理员可以编辑信息")]
    EditRoleRequired,
    #[error("当前状态（{}）不能修改内容，只有起草或已退回的信息可以编辑", .0.label())]
    NotEditable(ItemStatus),
}

fn has_any_role(actor: &User, roles: &[Role]) -> bool {
    roles.iter().any(|r| actor.has_role(*r))
}

/// Check one transition. `actor` is the acting user, `author_id` the item's
/// author, `comment` the comment or reason entered with the action. Returns
/// the new status.
pub fn transition(from: ItemStatus, action: Action, actor: &User, author_id: i64, comment: &str) -> Result<ItemStatus, WorkflowError> {
    check_permission(from, action, actor, author_id)?;
    if comment.trim().is_empty() {
        match action {
            Action::Return => return Err(WorkflowError::ReturnCommentRequired),
            Action::Withdraw => return Err(WorkflowError::WithdrawReasonRequired),
            _ => {}
        }
    }
    Ok(action.target())
}

/// Everything but the comment: account, status, role, four-eyes.
fn check_permission(from: ItemStatus, action: Action, actor: &User, author_id: i64) -> Result<(), WorkflowError> {
    if actor.disabled {
        return Err(WorkflowError::Disabled);
    }
    if !action.sources().contains(&from) {
        return Err(WorkflowError::InvalidState { status: from, action });
    }
    if !has_any_role(actor, action.roles()) {
        return Err(WorkflowError::RoleRequired { action });
    }
    if action.forbids_author() && actor.id == author_id {
        return Err(WorkflowError::OwnItem { action });
    }
    Ok(())
}

/// The actions the actor may take now (for showing buttons). Comments are
/// checked when the action is taken.
pub fn allowed_actions(from: ItemStatus, actor: &User, author_id: i64) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| check_permission(from, *a, actor, author_id).is_ok()).collect()
}

/// Who may mark 有效性 (rule E2): published items only; reviewer or admin.
pub fn check_validity_change(status: ItemStatus, actor: &User) -> Result<(), WorkflowError> {
    if actor.disabled {
        return Err(WorkflowError::Disabled);
    }
    if !has_any_role(actor, &[Role::Reviewer, Role::Admin]) {
        return Err(WorkflowError::ValidityRoleRequired);
    }
    if status != ItemStatus::Published {
        return Err(WorkflowError::ValidityNotPublished(status));
    }
    Ok(())
}

/// Who may create or edit drafts: editor or admin, and only while the status
/// is editable (起草 or 已退回). To create a new item, pass `ItemStatus::Draft`.
pub fn check_edit(status: ItemStatus, actor: &User) -> Result<(), WorkflowError> {
    if actor.disabled {
        return Err(WorkflowError::Disabled);
    }
    if !has_any_role(actor, &[Role::Editor, Role::Admin]) {
        return Err(WorkflowError::EditRoleRequired);
    }
    if !status.is_editable() {
        return Err(WorkflowError::NotEditable(status));
    }
    Ok(())
}

/// Review opinions on approval (条例第十七条): an approval records the 保密审查 and
/// 公开属性审查 opinions at the next review level of the organisation (one level, or
/// 初审 → 复审 → 终审 by three different reviewers). Returns the level recorded and
/// whether it completes the review (the item then becomes 审核通过).
pub fn approval_review(
    levels: u8,
    done: &[(crate::signoff::ReviewLevel, i64)],
    reviewer: &User,
    secrecy: &str,
    disclosure: &str,
) -> Result<(crate::signoff::ReviewLevel, crate::signoff::ReviewOpinions, bool), crate::signoff::SignoffError> {
    let opinions = crate::signoff::ReviewOpinions::validate(secrecy, disclosure)?;
    crate::signoff::check_reviewer(levels, done, reviewer.id)?;
    let levels_done: Vec<_> = done.iter().map(|(l, _)| *l).collect();
    let level = crate::signoff::next_review_level(levels, &levels_done)?.ok_or(crate::signoff::SignoffError::BadReviewLevels)?;
    let mut after = levels_done.clone();
    after.push(level);
    let complete = crate::signoff::next_review_level(levels, &after)?.is_none();
    Ok((level, opinions, complete))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AUTHOR: i64 = 7;
    const OTHER: i64 = 8;

    fn user(id: i64, roles: &[Role], disabled: bool) -> User {
        User { id, username: format!("u{id}"), display_name: format!("用户{id}"), org_id: 1, roles: roles.to_vec(), disabled }
    }

    /// Every subset of the three roles.
    fn role_sets() -> Vec<Vec<Role>> {
        (0u8..8).map(|mask| Role::ALL.into_iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| r).collect()).collect()
    }

    use ItemStatus as S;

    /// The allowed transitions for a single role, written out literally:
    /// (from, action, role, actor is the author) → to.
    const ALLOWED: &[(ItemStatus, Action, Role, bool, ItemStatus)] = &[
        (S::Draft, Action::Submit, Role::Editor, true, S::Submitted),
        (S::Draft, Action::Submit, Role::Editor, false, S::Submitted),
        (S::Draft, Action::Submit, Role::Admin, true, S::Submitted),
        (S::Draft, Action::Submit, Role::Admin, false, S::Submitted),
        (S::Returned, Action::Submit, Role::Editor, true, S::Submitted),
        (S::Returned, Action::Submit, Role::Editor, false, S::Submitted),
        (S::Returned, Action::Submit, Role::Admin, true, S::Submitted),
        (S::Returned, Action::Submit, Role::Admin, false, S::Submitted),
        (S::Submitted, Action::Approve, Role::Reviewer, false, S::Approved),
        (S::Submitted, Action::Return, Role::Reviewer, true, S::Returned),
        (S::Submitted, Action::Return, Role::Reviewer, false, S::Returned),
        (S::Submitted, Action::Return, Role::Admin, true, S::Returned),
        (S::Submitted, Action::Return, Role::Admin, false, S::Returned),
        (S::Approved, Action::Return, Role::Reviewer, true, S::Returned),
        (S::Approved, Action::Return, Role::Reviewer, false, S::Returned),
        (S::Approved, Action::Return, Role::Admin, true, S::Returned),
        (S::Approved, Action::Return, Role::Admin, false, S::Returned),
        (S::Approved, Action::Publish, Role::Reviewer, false, S::Published),
        (S::Approved, Action::Publish, Role::Admin, false, S::Published),
        (S::Published, Action::Withdraw, Role::Reviewer, true, S::Withdrawn),
        (S::Published, Action::Withdraw, Role::Reviewer, false, S::Withdrawn),
        (S::Published, Action::Withdraw, Role::Admin, true, S::Withdrawn),
        (S::Published, Action::Withdraw, Role::Admin, false, S::Withdrawn),
        (S::Withdrawn, Action::Revise, Role::Editor, true, S::Draft),
        (S::Withdrawn, Action::Revise, Role::Editor, false, S::Draft),
        (S::Withdrawn, Action::Revise, Role::Admin, true, S::Draft),
        (S::Withdrawn, Action::Revise, Role::Admin, false, S::Draft),
    ];

    fn expected(from: ItemStatus, action: Action, roles: &[Role], own: bool, disabled: bool) -> Option<ItemStatus> {
        if disabled {
            return None;
        }
        ALLOWED.iter().find(|(f, a, r, o, _)| *f == from && *a == action && roles.contains(r) && *o == own).map(|(_, _, _, _, to)| *to)
    }

    #[test]
    fn exhaustive_status_action_role_author_table() {
        let mut allowed_count = 0;
        let mut combos = 0;
        for from in ItemStatus::ALL {
            for action in Action::ALL {
                for roles in role_sets() {
                    for own in [true, false] {
                        for disabled in [false, true] {
                            combos += 1;
                            let actor = user(if own { AUTHOR } else { OTHER }, &roles, disabled);
                            let got = transition(from, action, &actor, AUTHOR, "意见").ok();
                            let want = expected(from, action, &roles, own, disabled);
                            assert_eq!(got, want, "{from:?} {action:?} roles={roles:?} own={own} disabled={disabled}");
                            if got.is_some() {
                                allowed_count += 1;
                            }
                            let buttons = allowed_actions(from, &actor, AUTHOR);
                            assert_eq!(buttons.contains(&action), want.is_some(), "buttons {from:?} {action:?} {roles:?} own={own}");
                        }
                    }
                }
            }
        }
        assert_eq!(combos, 6 * 6 * 8 * 2 * 2);
        // Single roles: exactly the table.
        let single: usize = Role::ALL
            .into_iter()
            .map(|r| {
                ItemStatus::ALL
                    .into_iter()
                    .flat_map(|f| Action::ALL.into_iter().map(move |a| (f, a)))
                    .flat_map(|(f, a)| [true, false].into_iter().map(move |o| (f, a, o)))
                    .filter(|(f, a, o)| transition(*f, *a, &user(if *o { AUTHOR } else { OTHER }, &[r], false), AUTHOR, "x").is_ok())
                    .count()
            })
            .sum();
        assert_eq!(single, ALLOWED.len());
        assert!(allowed_count > ALLOWED.len());
    }

    #[test]
    fn error_messages() {
        let editor = user(AUTHOR, &[Role::Editor], false);
        let reviewer = user(OTHER, &[Role::Reviewer], false);
        let author_reviewer = user(AUTHOR, &[Role::Reviewer, Role::Editor], false);
        let admin = user(OTHER, &[Role::Admin], false);
        let author_admin = user(AUTHOR, &[Role::Admin], false);
        let disabled = user(OTHER, &[Role::Admin, Role::Reviewer, Role::Editor], true);

        let msg = |r: Result<ItemStatus, WorkflowError>| r.expect_err("refused").to_string();
        assert_eq!(msg(transition(S::Submitted, Action::Approve, &author_reviewer, AUTHOR, "")), "不能审核自己起草的信息");
        assert_eq!(msg(transition(S::Submitted, Action::Approve, &editor, AUTHOR, "")), "只有审核人可以审核");
        assert_eq!(msg(transition(S::Submitted, Action::Approve, &admin, AUTHOR, "")), "只有审核人可以审核");
        assert_eq!(msg(transition(S::Submitted, Action::Return, &reviewer, AUTHOR, "  ")), "退回时必须填写意见");
        assert_eq!(msg(transition(S::Published, Action::Withdraw, &admin, AUTHOR, "\n\t")), "撤回时必须填写理由");
        assert_eq!(msg(transition(S::Published, Action::Submit, &editor, AUTHOR, "")), "当前状态（已发布）不能执行“送审”");
        assert_eq!(msg(transition(S::Draft, Action::Publish, &admin, AUTHOR, "")), "当前状态（起草）不能执行“发布”");
        assert_eq!(msg(transition(S::Approved, Action::Publish, &author_admin, AUTHOR, "")), "不能发布自己起草的信息");
        assert_eq!(msg(transition(S::Approved, Action::Publish, &editor, AUTHOR, "")), "只有审核人或管理员可以发布");
        assert_eq!(msg(transition(S::Draft, Action::Submit, &reviewer, AUTHOR, "")), "只有编辑或管理员可以送审");
        assert_eq!(msg(transition(S::Withdrawn, Action::Revise, &reviewer, AUTHOR, "")), "只有编辑或管理员可以重新编辑");
        assert_eq!(msg(transition(S::Published, Action::Withdraw, &editor, AUTHOR, "理由")), "只有审核人或管理员可以撤回");
        assert_eq!(msg(transition(S::Draft, Action::Submit, &disabled, AUTHOR, "")), "账号已停用，不能执行任何操作");
        // With a comment the same actions succeed.
        assert_eq!(transition(S::Submitted, Action::Return, &reviewer, AUTHOR, "请补充内容概述"), Ok(S::Returned));
        assert_eq!(transition(S::Published, Action::Withdraw, &admin, AUTHOR, "内容有误"), Ok(S::Withdrawn));
        // Submit does not require a comment.
        assert_eq!(transition(S::Draft, Action::Submit, &editor, AUTHOR, ""), Ok(S::Submitted));
    }

    #[test]
    fn allowed_actions_for_buttons() {
        let reviewer = user(OTHER, &[Role::Reviewer], false);
        let author = user(AUTHOR, &[Role::Editor, Role::Reviewer], false);
        let admin = user(OTHER, &[Role::Admin], false);
        assert_eq!(allowed_actions(S::Submitted, &reviewer, AUTHOR), vec![Action::Approve, Action::Return]);
        assert_eq!(allowed_actions(S::Submitted, &author, AUTHOR), vec![Action::Return]);
        assert_eq!(allowed_actions(S::Approved, &admin, AUTHOR), vec![Action::Return, Action::Publish]);
        assert_eq!(allowed_actions(S::Draft, &author, AUTHOR), vec![Action::Submit]);
        assert_eq!(allowed_actions(S::Published, &admin, AUTHOR), vec![Action::Withdraw]);
        assert_eq!(allowed_actions(S::Withdrawn, &admin, AUTHOR), vec![Action::Revise]);
        assert!(allowed_actions(S::Draft, &user(OTHER, &[Role::Admin], true), AUTHOR).is_empty());
        assert!(allowed_actions(S::Draft, &user(OTHER, &[], false), AUTHOR).is_empty());
    }

    #[test]
    fn action_codes_labels_and_parse() {
        let codes: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(codes, ["submit", "approve", "return", "publish", "withdraw", "revise"]);
        let labels: Vec<_> = Action::ALL.iter().map(|a| a.label()).collect();
        assert_eq!(labels, ["送审", "审核通过", "退回", "发布", "撤回", "重新编辑"]);
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert_eq!(a.to_string(), a.label());
            assert_eq!(serde_json::to_string(&a).expect("json"), format!("\"{}\"", a.as_str()));
        }
        assert_eq!(Action::parse("Submit"), None);
        assert_eq!(Action::parse(""), None);
    }

    #[test]
    fn validity_change_rules() {
        let reviewer = user(OTHER, &[Role::Reviewer], false);
        let admin = user(OTHER, &[Role::Admin], false);
        let editor = user(OTHER, &[Role::Editor], false);
        for status in ItemStatus::ALL {
            let want = status == S::Published;
            assert_eq!(check_validity_change(status, &reviewer).is_ok(), want);
            assert_eq!(check_validity_change(status, &admin).is_ok(), want);
            assert!(check_validity_change(status, &editor).is_err());
            assert!(check_validity_change(status, &user(OTHER, &[Role::Admin], true)).is_err());
        }
        assert_eq!(check_validity_change(S::Published, &editor).expect_err("editor").to_string(), "只有审核人或管理员可以标注有效性");
        assert_eq!(
            check_validity_change(S::Withdrawn, &admin).expect_err("withdrawn").to_string(),
            "只有已发布的信息可以标注有效性（当前状态：已撤回）"
        );
    }

    #[test]
    fn edit_rules() {
        for roles in role_sets() {
            for status in ItemStatus::ALL {
                for disabled in [false, true] {
                    let u = user(OTHER, &roles, disabled);
                    let want = !disabled
                        && (roles.contains(&Role::Editor) || roles.contains(&Role::Admin))
                        && matches!(status, S::Draft | S::Returned);
                    assert_eq!(check_edit(status, &u).is_ok(), want, "{roles:?} {status:?} {disabled}");
                }
            }
        }
        let reviewer = user(OTHER, &[Role::Reviewer], false);
        assert_eq!(check_edit(S::Draft, &reviewer).expect_err("r").to_string(), "只有编辑或管理员可以编辑信息");
        let editor = user(OTHER, &[Role::Editor], false);
        assert_eq!(
            check_edit(S::Submitted, &editor).expect_err("e").to_string(),
            "当前状态（待审核）不能修改内容，只有起草或已退回的信息可以编辑"
        );
    }

    #[test]
    fn full_life_cycle() {
        let editor = user(AUTHOR, &[Role::Editor], false);
        let reviewer = user(OTHER, &[Role::Reviewer], false);
        let mut status = S::Draft;
        for (action, actor, comment) in [
            (Action::Submit, &editor, ""),
            (Action::Return, &reviewer, "请补充文号"),
            (Action::Submit, &editor, ""),
            (Action::Approve, &reviewer, ""),
            (Action::Publish, &reviewer, ""),
            (Action::Withdraw, &reviewer, "文件已废止，误发"),
            (Action::Revise, &editor, ""),
        ] {
            status = transition(status, action, actor, AUTHOR, comment).expect("step");
        }
        assert_eq!(status, S::Draft);
    }

    fn arb_roles() -> impl Strategy<Value = Vec<Role>> {
        (0u8..8).prop_map(|mask| Role::ALL.into_iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| r).collect())
    }

    fn arb_action() -> impl Strategy<Value = Action> {
        (0usize..6).prop_map(|i| Action::ALL[i])
    }

    proptest! {
        /// Random walks: Published is only ever entered from Approved via
        /// Publish by someone other than the author holding Reviewer or Admin.
        #[test]
        fn published_only_via_publish_by_non_author(
            steps in proptest::collection::vec((arb_action(), arb_roles(), any::<bool>(), any::<bool>(), any::<bool>()), 1..60)
        ) {
            let mut status = S::Draft;
            for (action, roles, own, disabled, with_comment) in steps {
                let actor = user(if own { AUTHOR } else { OTHER }, &roles, disabled);
                let comment = if with_comment { "意见" } else { "" };
                if let Ok(next) = transition(status, action, &actor, AUTHOR, comment) {
                    prop_assert_eq!(next, action.target());
                    prop_assert!(action.sources().contains(&status));
                    prop_assert!(!actor.disabled);
                    if next == S::Published {
                        prop_assert_eq!(status, S::Approved);
                        prop_assert_eq!(action, Action::Publish);
                        prop_assert_ne!(actor.id, AUTHOR);
                        prop_assert!(actor.has_role(Role::Reviewer) || actor.has_role(Role::Admin));
                    }
                    if next == S::Approved {
                        prop_assert_ne!(actor.id, AUTHOR);
                        prop_assert!(actor.has_role(Role::Reviewer));
                    }
                    status = next;
                }
            }
        }

        /// Single steps from any status: Published results only from
        /// Approved + Publish by a non-author.
        #[test]
        fn published_single_step(
            from in (0usize..6).prop_map(|i| ItemStatus::ALL[i]),
            action in arb_action(),
            roles in arb_roles(),
            own in any::<bool>(),
            disabled in any::<bool>(),
            comment in "\\PC{0,5}",
        ) {
            let actor = user(if own { AUTHOR } else { OTHER }, &roles, disabled);
            if let Ok(ItemStatus::Published) = transition(from, action, &actor, AUTHOR, &comment) {
                prop_assert_eq!(from, S::Approved);
                prop_assert_eq!(action, Action::Publish);
                prop_assert!(!own && !disabled);
            }
        }
    }

    #[test]
    fn approval_records_opinions_level_by_level() {
        use crate::signoff::{ReviewLevel, SignoffError};
        let r = |id: i64| User { id, username: "r".into(), display_name: "R".into(), org_id: 1, roles: vec![Role::Reviewer], disabled: false };
        assert_eq!(approval_review(1, &[], &r(5), "", "主动公开"), Err(SignoffError::OpinionMissing("保密审查")));
        let (level, _, complete) = approval_review(1, &[], &r(5), "不涉密", "主动公开").unwrap();
        assert_eq!((level, complete), (ReviewLevel::Single, true));
        let (level, _, complete) = approval_review(3, &[], &r(5), "不涉密", "主动公开").unwrap();
        assert_eq!((level, complete), (ReviewLevel::First, false));
        assert_eq!(approval_review(3, &[(ReviewLevel::First, 5)], &r(5), "不涉密", "主动公开"), Err(SignoffError::SameReviewerTwice("初审")));
        let (level, _, complete) = approval_review(3, &[(ReviewLevel::First, 5), (ReviewLevel::Second, 6)], &r(7), "不涉密", "主动公开").unwrap();
        assert_eq!((level, complete), (ReviewLevel::Final, true));
    }
}
