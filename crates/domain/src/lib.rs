//! gongkai-domain: the statutory rules of government information disclosure
//! (政府信息公开), in plain Rust with no I/O.
//!
//! - [`model`]: organisations, users and roles, catalog nodes, information items.
//! - [`calendar`]: the working-day clock (official holidays and 调休 make-up days).
//! - [`index_number`]: the 索引号 pattern and its rendering.
//! - [`workflow`]: the publishing workflow (起草 → 送审 → 审核 → 发布 → 撤回).
//! - [`validate`]: field validation with Chinese messages naming the field.
//! - [`catalog`]: default catalogs and the statutory Art. 20/21 categories.
//! - [`report_format`]: the annual-report formats (2019 trial, 2021) as data.
//! - [`application`]: applications for disclosure (依申请公开): intake, lifecycle, reply clock, section 三 statistics.
//! - [`annual_report`]: the annual report: model, generation from records, narrative draft, validation, workflow, deadline.
//! - [`appeal`]: the reconsideration/litigation register and section 四.
//! - [`fees`]: the information-processing fee (信息处理费).
//! - [`id_check`]: identity-document checks (居民身份证, 统一社会信用代码).
//! - [`signoff`]: sign-off (签发) of letters, the 文书编号 pattern, item review levels and opinions.
//! - [`duplicates`]: recognising resubmitted applications and merging duplicates.
//! - [`consultation`]: online consultation (网上咨询): states, reply deadlines in working days, statistics.
//! - [`privacy`]: the personal-data guard: finds and masks 身份证号, phones, bank cards, passports, addresses and names.

pub mod annual_report;
pub mod appeal;
pub mod art44;
pub mod application;
pub mod calendar;
pub mod catalog;
pub mod consultation;
pub mod duplicates;
pub mod fees;
pub mod id_check;
pub mod index_number;
pub mod mfa;
pub mod model;
pub mod password;
pub mod privacy;
pub mod report_format;
pub mod signoff;
pub mod validate;
pub mod workflow;
