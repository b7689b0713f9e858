//! Core records. Identifiers are database row ids (i64); every record
//! belongs to an organisation.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Administrative level of an organisation (机关层级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    /// 乡镇
    Township,
    /// 街道
    Subdistrict,
    /// 县级部门 (also district-level departments)
    CountyDepartment,
    /// 县级人民政府 (county, county-level city, city district)
    CountyGovernment,
    /// 市级部门
    MunicipalDepartment,
    /// 市级人民政府
    MunicipalGovernment,
    /// 其他
    Other,
}

impl OrgLevel {
    pub const ALL: [OrgLevel; 7] = [
        OrgLevel::Township,
        OrgLevel::Subdistrict,
        OrgLevel::CountyDepartment,
        OrgLevel::CountyGovernment,
        OrgLevel::MunicipalDepartment,
        OrgLevel::MunicipalGovernment,
        OrgLevel::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OrgLevel::Township => "township",
            OrgLevel::Subdistrict => "subdistrict",
            OrgLevel::CountyDepartment => "county_department",
            OrgLevel::CountyGovernment => "county_government",
            OrgLevel::MunicipalDepartment => "municipal_department",
            OrgLevel::MunicipalGovernment => "municipal_government",
            OrgLevel::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<OrgLevel> {
        OrgLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            OrgLevel::Township => "乡镇",
            OrgLevel::Subdistrict => "街道",
            OrgLevel::CountyDepartment => "县级部门",
            OrgLevel::CountyGovernment => "县级人民政府",
            OrgLevel::MunicipalDepartment => "市级部门",
            OrgLevel::MunicipalGovernment => "市级人民政府",
            OrgLevel::Other => "其他",
        }
    }
    /// Townships and subdistricts get the township default catalog.
    pub fn is_grassroots(self) -> bool {
        matches!(self, OrgLevel::Township | OrgLevel::Subdistrict)
    }
}

/// The disclosure office (政府信息公开工作机构): the Art. 12 elements of the 指南.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureOffice {
    pub name: String,
    pub address: String,
    pub hours: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub website: String,
}

/// An organisation (机关) hosted on the installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: i64,
    /// Short ASCII slug used in URLs, e.g. `yuantan`.
    pub slug: String,
    pub name: String,
    /// 统一社会信用代码 (18) or 组织机构代码 (9); used in the 索引号.
    pub org_code: String,
    pub level: OrgLevel,
    pub parent_id: Option<i64>,
    pub office: DisclosureOffice,
    /// 索引号 pattern, see [`crate::index_number`].
    pub index_pattern: String,
    /// Short description shown in the 指南 (机关职能).
    pub description: String,
}

/// Staff roles (角色).
///
/// The first three are the administrators of 三员分立 (separation of the three
/// administrators, 等保 2.0 level 3): [`Role::Admin`] (系统管理员) keeps accounts,
/// configuration and settings, [`Role::SecurityAdmin`] (安全管理员) assigns roles and
/// keeps security policies and reveal grants, [`Role::AuditAdmin`] (审计管理员) reads
/// and exports the audit log and changes nothing. No account may hold two of them
/// unless the installation runs in single-person mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 编辑
    Editor,
    /// 审核人
    Reviewer,
    /// 公开工作机构负责人 (office head: approves extensions of reply periods)
    OfficeHead,
    /// 安全管理员
    SecurityAdmin,
    /// 审计管理员
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Admin, Role::Editor, Role::Reviewer, Role::OfficeHead, Role::SecurityAdmin, Role::AuditAdmin];
    /// The three administrators of 三员分立.
    pub const ADMINISTRATORS: [Role; 3] = [Role::Admin, Role::SecurityAdmin, Role::AuditAdmin];
    /// The business roles of disclosure work (not administrators).
    pub const BUSINESS: [Role; 3] = [Role::Editor, Role::Reviewer, Role::OfficeHead];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::OfficeHead => "office_head",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Editor => "编辑",
            Role::Reviewer => "审核人",
            Role::OfficeHead => "公开工作机构负责人",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }
    /// One of the three administrators of 三员分立.
    pub fn is_administrator(self) -> bool {
        Role::ADMINISTRATORS.contains(&self)
    }
    /// Whether holders of this role at a supervising organisation open the cases of the
    /// organisations below it (and so can use a reveal grant): today the system administrator.
    pub fn supervises_subordinate_cases(self) -> bool {
        self == Role::Admin
    }
}

/// The administrator roles of 三员分立 that `roles` holds, when it holds more than one
/// (an account that could act as two of the three administrators); empty otherwise.
pub fn merged_administrator_roles(roles: &[Role]) -> Vec<Role> {
    let held: Vec<Role> = Role::ADMINISTRATORS.into_iter().filter(|r| roles.contains(r)).collect();
    if held.len() > 1 {
        held
    } else {
        Vec::new()
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub roles: Vec<Role>,
    pub disabled: bool,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A node of an organisation's catalog tree (目录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogNode {
    pub id: i64,
    pub org_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i64,
    /// Special role of a node, if any (the 指南 and 年报 columns).
    pub kind: CatalogKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogKind {
    Normal,
    /// 信息公开指南
    Guide,
    /// 信息公开年报
    AnnualReport,
    /// 通知公告 (shown on the portal home page as notices)
    Notice,
}

impl CatalogKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CatalogKind::Normal => "normal",
            CatalogKind::Guide => "guide",
            CatalogKind::AnnualReport => "annual_report",
            CatalogKind::Notice => "notice",
        }
    }
    pub fn parse(s: &str) -> Option<CatalogKind> {
        [CatalogKind::Normal, CatalogKind::Guide, CatalogKind::AnnualReport, CatalogKind::Notice]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// 有效性 of an item (rule E2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// 有效
    Valid,
    /// 已修改
    Amended,
    /// 已废止
    Repealed,
    /// 已失效
    Expired,
}

impl Validity {
    pub const ALL: [Validity; 4] = [Validity::Valid, Validity::Amended, Validity::Repealed, Validity::Expired];
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Amended => "amended",
            Validity::Repealed => "repealed",
            Validity::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<Validity> {
        Validity::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Validity::Valid => "有效",
            Validity::Amended => "已修改",
            Validity::Repealed => "已废止",
            Validity::Expired => "已失效",
        }
    }
}

/// Document type where the annual report's section 二 counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// 规章
    Regulation,
    /// 行政规范性文件
    NormativeDocument,
    /// 其他
    Other,
}

impl DocType {
    pub const ALL: [DocType; 3] = [DocType::Regulation, DocType::NormativeDocument, DocType::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Regulation => "regulation",
            DocType::NormativeDocument => "normative_document",
            DocType::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            DocType::Regulation => "规章",
            DocType::NormativeDocument => "行政规范性文件",
            DocType::Other => "其他",
        }
    }
}

/// 公开方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureMode {
    /// 主动公开
    Proactive,
    /// 依申请公开
    OnRequest,
}

impl DisclosureMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureMode::Proactive => "proactive",
            DisclosureMode::OnRequest => "on_request",
        }
    }
    pub fn parse(s: &str) -> Option<DisclosureMode> {
        match s {
            "proactive" => Some(DisclosureMode::Proactive),
            "on_request" => Some(DisclosureMode::OnRequest),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DisclosureMode::Proactive => "主动公开",
            DisclosureMode::OnRequest => "依申请公开",
        }
    }
}

/// Where an item is in the publishing workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// 起草
    Draft,
    /// 送审 (waiting for review)
    Submitted,
    /// 退回 (returned with comments)
    Returned,
    /// 审核通过 (approved, not yet published)
    Approved,
    /// 已发布
    Published,
    /// 已撤回
    Withdrawn,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 6] = [
        ItemStatus::Draft,
        ItemStatus::Submitted,
        ItemStatus::Returned,
        ItemStatus::Approved,
        ItemStatus::Published,
        ItemStatus::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::Submitted => "submitted",
            ItemStatus::Returned => "returned",
            ItemStatus::Approved => "approved",
            ItemStatus::Published => "published",
            ItemStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Draft => "起草",
            ItemStatus::Submitted => "待审核",
            ItemStatus::Returned => "已退回",
            ItemStatus::Approved => "审核通过",
            ItemStatus::Published => "已发布",
            ItemStatus::Withdrawn => "已撤回",
        }
    }
    /// Whether the item's content may still be edited.
    pub fn is_editable(self) -> bool {
        matches!(self, ItemStatus::Draft | ItemStatus::Returned)
    }
}

/// The editable fields of an information item (政府信息), as entered by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFields {
    pub catalog_id: i64,
    /// 名称
    pub title: String,
    /// 内容概述
    pub summary: String,
    /// 正文 (sanitised HTML)
    pub body_html: String,
    /// 发布机构
    pub publisher: String,
    /// 成文日期
    pub formed_date: NaiveDate,
    /// 文号
    pub doc_number: Option<String>,
    /// 主题分类
    pub topic: String,
    /// 体裁分类
    pub genre: String,
    /// 关键词 (comma- or space-separated as entered; normalised to "，"-joined)
    pub keywords: String,
    /// 公开方式
    pub disclosure_mode: DisclosureMode,
    /// 规章 / 行政规范性文件 / 其他
    pub doc_type: DocType,
    /// Statutory category code (Art. 20/21 second axis), see [`crate::catalog::STATUTORY_CATEGORIES`].
    pub statutory_category: Option<String>,
}

/// A stored information item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    pub org_id: i64,
    pub fields: ItemFields,
    /// 索引号, assigned on first publication.
    pub index_no: Option<String>,
    pub status: ItemStatus,
    /// 发布日期
    pub publish_date: Option<NaiveDate>,
    /// 有效性
    pub validity: Validity,
    /// Date the validity changed (废止日期 etc.).
    pub validity_date: Option<NaiveDate>,
    pub validity_note: String,
    pub author_id: i64,
    pub withdraw_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One recorded step of an item's workflow history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemEvent {
    pub id: i64,
    pub item_id: i64,
    pub actor_id: i64,
    /// Display name of the actor at the time.
    pub actor_name: String,
    /// Action code, see [`crate::workflow::Action::as_str`] (plus `create`, `edit`, `validity`).
    pub action: String,
    pub from_status: Option<ItemStatus>,
    pub to_status: ItemStatus,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// An attachment's metadata (the bytes live in storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub item_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The title shown instead of the file name (附件显示名称); empty = the file name.
    #[serde(default)]
    pub display_title: String,
}
