//! Default catalogs and the statutory categories of Art. 20/21 (spec §3.1),
//! used as a second classification axis of information items.

use crate::model::{CatalogKind, OrgLevel};

/// A default catalog entry: name and special kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultNode {
    pub name: &'static str,
    pub kind: CatalogKind,
}

const fn n(name: &'static str) -> DefaultNode {
    DefaultNode { name, kind: CatalogKind::Normal }
}

/// The categories a township's disclosure report counts (the seed report's list).
pub const TOWNSHIP_CATALOG: &[DefaultNode] = &[
    n("机构概况"),
    n("领导分工"),
    n("内设机构"),
    n("规章文件"),
    n("总结报告计划"),
    n("资金信息"),
    n("镇动态信息"),
    DefaultNode { name: "通知公告", kind: CatalogKind::Notice },
    n("人事任免信息"),
    DefaultNode { name: "信息公开指南", kind: CatalogKind::Guide },
    DefaultNode { name: "信息公开年报", kind: CatalogKind::AnnualReport },
];

/// Default catalog for county-level governments and departments.
pub const COUNTY_CATALOG: &[DefaultNode] = &[
    n("机构职能"),
    n("领导信息"),
    n("政策文件"),
    n("规划计划"),
    n("财政预决算"),
    n("行政许可"),
    n("行政处罚"),
    n("工作动态"),
    DefaultNode { name: "通知公告", kind: CatalogKind::Notice },
    n("人事信息"),
    DefaultNode { name: "信息公开指南", kind: CatalogKind::Guide },
    DefaultNode { name: "信息公开年报", kind: CatalogKind::AnnualReport },
];

/// The default catalog for an organisation of the given level.
pub fn default_catalog(level: OrgLevel) -> &'static [DefaultNode] {
    if level.is_grassroots() {
        TOWNSHIP_CATALOG
    } else {
        COUNTY_CATALOG
    }
}

/// A statutory category: code and exact label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatutoryCategory {
    pub code: &'static str,
    pub label: &'static str,
    /// Which levels the category applies to; `None` = all.
    pub scope: StatutoryScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatutoryScope {
    /// Art. 20: all administrative organs.
    All,
    /// Art. 21: cities with districts, county governments and their departments.
    County,
    /// Art. 21: township governments.
    Township,
}

const fn a20(code: &'static str, label: &'static str) -> StatutoryCategory {
    StatutoryCategory { code, label, scope: StatutoryScope::All }
}
const fn a21c(code: &'static str, label: &'static str) -> StatutoryCategory {
    StatutoryCategory { code, label, scope: StatutoryScope::County }
}
const fn a21t(code: &'static str, label: &'static str) -> StatutoryCategory {
    StatutoryCategory { code, label, scope: StatutoryScope::Township }
}

/// Art. 20 (items 1–15, exact labels) and Art. 21 local items.
pub const STATUTORY_CATEGORIES: &[StatutoryCategory] = &[
    a20("art20-1", "（一）行政法规、规章和规范性文件"),
    a20("art20-2", "（二）机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"),
    a20("art20-3", "（三）国民经济和社会发展规划、专项规划、区域规划及相关政策"),
    a20("art20-4", "（四）国民经济和社会发展统计信息"),
    a20("art20-5", "（五）办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"),
    a20("art20-6", "（六）实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定"),
    a20("art20-7", "（七）财政预算、决算信息"),
    a20("art20-8", "（八）行政事业性收费项目及其依据、标准"),
    a20("art20-9", "（九）政府集中采购项目的目录、标准及实施情况"),
    a20("art20-10", "（十）重大建设项目的批准和实施情况"),
    a20("art20-11", "（十一）扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"),
    a20("art20-12", "（十二）突发公共事件的应急预案、预警信息及应对情况"),
    a20("art20-13", "（十三）环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"),
    a20("art20-14", "（十四）公务员招考的职位、名额、报考条件等事项以及录用结果"),
    a20("art20-15", "（十五）法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"),
    a21c("art21-c-1", "市政建设"),
    a21c("art21-c-2", "公共服务"),
    a21c("art21-c-3", "公益事业"),
    a21c("art21-c-4", "土地征收"),
    a21c("art21-c-5", "房屋征收"),
    a21c("art21-c-6", "治安管理"),
    a21c("art21-c-7", "社会救助"),
    a21t("art21-t-1", "贯彻落实农业农村政策"),
    a21t("art21-t-2", "农田水利工程建设运营"),
    a21t("art21-t-3", "农村土地承包经营权流转"),
    a21t("art21-t-4", "宅基地使用情况审核"),
    a21t("art21-t-5", "土地征收"),
    a21t("art21-t-6", "房屋征收"),
    a21t("art21-t-7", "筹资筹劳"),
    a21t("art21-t-8", "社会救助"),
];

/// Look up a statutory category by code.
pub fn statutory_category(code: &str) -> Option<&'static StatutoryCategory> {
    STATUTORY_CATEGORIES.iter().find(|c| c.code == code)
}

/// The statutory categories that apply to an organisation level.
pub fn statutory_categories_for(level: OrgLevel) -> impl Iterator<Item = &'static StatutoryCategory> {
    STATUTORY_CATEGORIES.iter().filter(move |c| match c.scope {
        StatutoryScope::All => true,
        StatutoryScope::Township => level.is_grassroots(),
        StatutoryScope::County => !level.is_grassroots(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn township_catalog_has_the_seed_categories_in_order() {
        let names: Vec<_> = TOWNSHIP_CATALOG.iter().map(|n| n.name).collect();
        assert_eq!(
            names,
            ["机构概况", "领导分工", "内设机构", "规章文件", "总结报告计划", "资金信息", "镇动态信息", "通知公告", "人事任免信息", "信息公开指南", "信息公开年报"]
        );
    }

    #[test]
    fn statutory_codes_are_unique_and_art20_complete() {
        let mut codes: Vec<_> = STATUTORY_CATEGORIES.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), STATUTORY_CATEGORIES.len());
        assert_eq!(STATUTORY_CATEGORIES.iter().filter(|c| c.scope == StatutoryScope::All).count(), 15);
        assert!(statutory_categories_for(OrgLevel::Township).any(|c| c.code == "art21-t-4"));
        assert!(!statutory_categories_for(OrgLevel::Township).any(|c| c.code == "art21-c-1"));
    }
}
