//! No double entry: recognising an application submitted twice, and the rules for
//! merging duplicates.
//!
//! Two applications are the same when they come from the same applicant (same name and
//! identity-document number) to the same organisation and ask for the same information
//! (descriptions equal after dropping whitespace and punctuation), and the second
//! arrives within [`DUPLICATE_WINDOW_HOURS`] hours of the first.

use chrono::{DateTime, Utc};

/// The window within which an identical application is treated as a resubmission.
pub const DUPLICATE_WINDOW_HOURS: i64 = 24;

/// Descriptions compared without whitespace, punctuation or letter case.
pub fn description_key(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Identity-document numbers compared without whitespace, upper-cased.
pub fn id_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// The identifying facts of an application, as submitted.
#[derive(Debug, Clone)]
pub struct Fingerprint<'a> {
    pub org_id: i64,
    pub applicant_name: &'a str,
    pub id_doc_number: &'a str,
    pub description: &'a str,
    pub at: DateTime<Utc>,
}

/// Whether `new` repeats `earlier`.
pub fn is_resubmission(earlier: &Fingerprint<'_>, new: &Fingerprint<'_>) -> bool {
    let within = new.at >= earlier.at && new.at - earlier.at <= chrono::Duration::hours(DUPLICATE_WINDOW_HOURS);
    earlier.org_id == new.org_id
        && within
        && earlier.applicant_name.trim() == new.applicant_name.trim()
        && id_key(earlier.id_doc_number) == id_key(new.id_doc_number)
        && !description_key(new.description).is_empty()
        && description_key(earlier.description) == description_key(new.description)
}

/// Why two applications cannot be merged. Nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("不能把申请与其自身合并")]
    SameApplication,
    #[error("两件申请属于不同机关，不能合并")]
    DifferentOrganisations,
    #[error("两件申请的申请人不同，不能作为重复申请合并")]
    DifferentApplicants,
    #[error("被合并的申请已经办理（已有办理记录），不能合并；请按正常程序办结")]
    DuplicateHasSteps,
    #[error("该申请已合并到其他申请")]
    AlreadyMerged,
}

/// Facts the merge rule needs about one application.
#[derive(Debug, Clone)]
pub struct MergeSide<'a> {
    pub id: i64,
    pub org_id: i64,
    pub applicant_name: &'a str,
    pub id_doc_number: &'a str,
    pub steps: i64,
    pub merged_into: Option<i64>,
}

/// Merging `duplicate` into `keep`: same organisation, same applicant, the duplicate
/// not yet worked on, neither already merged away.
pub fn check_merge(duplicate: &MergeSide<'_>, keep: &MergeSide<'_>) -> Result<(), MergeError> {
    if duplicate.id == keep.id {
        return Err(MergeError::SameApplication);
    }
    if duplicate.org_id != keep.org_id {
        return Err(MergeError::DifferentOrganisations);
    }
    if duplicate.merged_into.is_some() || keep.merged_into.is_some() {
        return Err(MergeError::AlreadyMerged);
    }
    if duplicate.applicant_name.trim() != keep.applicant_name.trim() || id_key(duplicate.id_doc_number) != id_key(keep.id_doc_number) {
        return Err(MergeError::DifferentApplicants);
    }
    if duplicate.steps > 0 {
        return Err(MergeError::DuplicateHasSteps);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp<'a>(desc: &'a str, hours: i64) -> Fingerprint<'a> {
        let base = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z").unwrap().with_timezone(&Utc);
        Fingerprint { org_id: 1, applicant_name: "张三", id_doc_number: "11010519491231002x", description: desc, at: base + chrono::Duration::hours(hours) }
    }

    #[test]
    fn resubmission_within_a_day() {
        let a = fp("2025年 村级财务公开情况。", 0);
        assert!(is_resubmission(&a, &fp("2025年村级财务公开情况", 3)));
        assert!(is_resubmission(&a, &Fingerprint { id_doc_number: "11010519491231002X ", ..fp("2025年村级财务公开情况", 23) }));
        assert!(!is_resubmission(&a, &fp("2025年村级财务公开情况", 25)), "outside the window");
        assert!(!is_resubmission(&a, &fp("2024年村级财务公开情况", 1)), "other information");
        assert!(!is_resubmission(&a, &Fingerprint { applicant_name: "李四", ..fp("2025年村级财务公开情况", 1) }));
        assert!(!is_resubmission(&a, &Fingerprint { org_id: 2, ..fp("2025年村级财务公开情况", 1) }));
        assert!(!is_resubmission(&fp("。。", 0), &fp("  ", 1)), "blank descriptions never match");
    }

    fn side(id: i64, org: i64, steps: i64) -> MergeSide<'static> {
        MergeSide { id, org_id: org, applicant_name: "张三", id_doc_number: "X1", steps, merged_into: None }
    }

    #[test]
    fn merge_rules() {
        assert_eq!(check_merge(&side(2, 1, 0), &side(1, 1, 3)), Ok(()));
        assert_eq!(check_merge(&side(2, 2, 0), &side(1, 1, 0)), Err(MergeError::DifferentOrganisations));
        assert_eq!(check_merge(&side(1, 1, 0), &side(1, 1, 0)), Err(MergeError::SameApplication));
        assert_eq!(check_merge(&side(2, 1, 1), &side(1, 1, 0)), Err(MergeError::DuplicateHasSteps));
        assert_eq!(check_merge(&MergeSide { applicant_name: "李四", ..side(2, 1, 0) }, &side(1, 1, 0)), Err(MergeError::DifferentApplicants));
        assert_eq!(check_merge(&MergeSide { merged_into: Some(5), ..side(2, 1, 0) }, &side(1, 1, 0)), Err(MergeError::AlreadyMerged));
    }
}
