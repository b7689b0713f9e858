//! Applications for disclosure (依申请公开, Art. 27–45 of the Regulations): the
//! application model, its lifecycle state machine, the reply clock and the section 三
//! statistics of the annual report. No I/O: the storage layer records who did what and
//! which documents were issued, and replays the [`Step`]s through [`Application::apply`].
//!
//! Lifecycle (only these transitions are lawful; everything else is refused with
//! [`ApplicationError::InvalidTransition`]):
//!
//! | step                    | from                                         | to                        |
//! |-------------------------|----------------------------------------------|---------------------------|
//! | `Accept`                | 已收到                                        | 已受理                     |
//! | `RequestCorrection`     | 已受理, 办理中                                 | 待补正                     |
//! | `ReceiveCorrection`     | 待补正                                        | 办理中 (clock restarts)    |
//! | `CorrectionLapsed`      | 待补正                                        | 已结案, 其他处理 1          |
//! | `StartProcessing`       | 已受理                                        | 办理中                     |
//! | `Consult`               | 办理中                                        | 征求第三方意见 / 征求其他机关意见 |
//! | `ConsultationAnswered`  | 征求第三方意见, 征求其他机关意见                   | 办理中                     |
//! | `Extend`                | 办理中                                        | 办理中 (once, ≤ 20 working days) |
//! | `SetReasonablePeriod`   | 办理中                                        | 办理中 (Art. 35, once)      |
//! | `IssueFeeNotice`        | 办理中                                        | 待缴费                     |
//! | `PayFee`                | 待缴费                                        | 办理中                     |
//! | `FeeLapsed`             | 待缴费                                        | 已结案, 其他处理 2          |
//! | `Reply`                 | 已受理, 办理中                                 | 已答复                     |
//! | `Deliver`               | 已答复                                        | 已送达                     |
//! | `Close`                 | 已送达                                        | 已结案                     |
//! | `Withdraw`              | every state before 已答复                       | 已结案, 其他处理 3          |
//!
//! The reply clock (rules A2–A6): 20 working days ([`REPLY_WORKING_DAYS`]) counted from the
//! day after the effective receipt date (the Art. 31 receipt date, or the day the last
//! correction was received), plus the working days paused for consultations (Art. 32, 34)
//! and — by default, configurable because UNCONFIRMED — the fee window, plus an approved
//! extension; an Art. 35 reasonable period replaces the due date.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, DueDate};
use crate::fees::{format_yuan, FeeMethod};
use crate::report_format::{format, format_for_year, FormatVersion, RowRole};

/// Art. 33: reply within 20 working days.
pub const REPLY_WORKING_DAYS: u32 = 20;
/// Art. 30: the correction notice within 7 working days of receipt.
pub const CORRECTION_NOTICE_WORKING_DAYS: u32 = 7;
/// Art. 32 and 34: a consulted third party or agency answers within 15 working days.
pub const CONSULTATION_WORKING_DAYS: u32 = 15;
/// Art. 33: an extension of at most 20 working days.
pub const MAX_EXTENSION_WORKING_DAYS: u32 = 20;
/// Fee measure: payment within 20 working days from the day after the notice is received.
pub const FEE_PAYMENT_WORKING_DAYS: u32 = 20;

/// The remedies every reply must state (rule D4, Art. 51).
pub const REMEDIES_NOTICE: &str = "申请人对本答复不服的，可以自收到本答复之日起60日内依法申请行政复议，\
或者自收到本答复之日起6个月内依法提起行政诉讼；也可以依照《中华人民共和国政府信息公开条例》第五十一条的规定，\
向上一级行政机关或者政府信息公开工作主管部门投诉、举报。";

// ---------------------------------------------------------------------------------------------
// Applicants
// ---------------------------------------------------------------------------------------------

/// Statutory type of a legal person or other organisation (section 三 columns 2–6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgType {
    /// 商业企业
    Commercial,
    /// 科研机构
    Research,
    /// 社会公益组织
    PublicInterest,
    /// 法律服务机构
    LegalService,
    /// 其他
    Other,
}

impl OrgType {
    pub const ALL: [OrgType; 5] = [
        OrgType::Commercial,
        OrgType::Research,
        OrgType::PublicInterest,
        OrgType::LegalService,
        OrgType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::Commercial => "commercial",
            OrgType::Research => "research",
            OrgType::PublicInterest => "public_interest",
            OrgType::LegalService => "legal_service",
            OrgType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<OrgType> {
        OrgType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The section 三 column label.
    pub fn label(self) -> &'static str {
        match self {
            OrgType::Commercial => "商业企业",
            OrgType::Research => "科研机构",
            OrgType::PublicInterest => "社会公益组织",
            OrgType::LegalService => "法律服务机构",
            OrgType::Other => "其他",
        }
    }
}

/// Who applies: a natural person, or a legal person or other organisation of a statutory type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "org_type")]
pub enum ApplicantKind {
    /// 自然人
    NaturalPerson,
    /// 法人或其他组织
    Organisation(OrgType),
}

impl ApplicantKind {
    /// The six kinds in section 三 column order.
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::Organisation(OrgType::Commercial),
        ApplicantKind::Organisation(OrgType::Research),
        ApplicantKind::Organisation(OrgType::PublicInterest),
        ApplicantKind::Organisation(OrgType::LegalService),
        ApplicantKind::Organisation(OrgType::Other),
    ];

    /// Index of the section 三 column (0 = 自然人 … 5 = 其他; 6 is 总计).
    pub fn column(self) -> usize {
        match self {
            ApplicantKind::NaturalPerson => 0,
            ApplicantKind::Organisation(OrgType::Commercial) => 1,
            ApplicantKind::Organisation(OrgType::Research) => 2,
            ApplicantKind::Organisation(OrgType::PublicInterest) => 3,
            ApplicantKind::Organisation(OrgType::LegalService) => 4,
            ApplicantKind::Organisation(OrgType::Other) => 5,
        }
    }

    /// Chinese label: `自然人` or `法人或其他组织（商业企业）`.
    pub fn label(self) -> String {
        match self {
            ApplicantKind::NaturalPerson => "自然人".to_string(),
            ApplicantKind::Organisation(t) => format!("法人或其他组织（{}）", t.label()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Intake channel and the Art. 31 receipt date
// ---------------------------------------------------------------------------------------------

/// How an application arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网上申请 (the portal form)
    Online,
    /// 当面提交
    InPerson,
    /// 挂号信、EMS 等需签收的邮件
    RegisteredPost,
    /// 平常信件（无需签收）
    OrdinaryPost,
    /// 传真
    Fax,
    /// 电子邮件
    Email,
    /// 口头申请（由工作人员代为填写）
    Oral,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Online,
        Channel::InPerson,
        Channel::RegisteredPost,
        Channel::OrdinaryPost,
        Channel::Fax,
        Channel::Email,
        Channel::Oral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::InPerson => "in_person",
            Channel::RegisteredPost => "registered_post",
            Channel::OrdinaryPost => "ordinary_post",
            Channel::Fax => "fax",
            Channel::Email => "email",
            Channel::Oral => "oral",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Online => "网上申请",
            Channel::InPerson => "当面提交",
            Channel::RegisteredPost => "挂号信件（需签收）",
            Channel::OrdinaryPost => "平常信件（无需签收）",
            Channel::Fax => "传真",
            Channel::Email => "电子邮件",
            Channel::Oral => "口头申请",
        }
    }

    /// The Art. 31 rule for this channel, in Chinese.
    pub fn receipt_rule(self) -> &'static str {
        match self {
            Channel::InPerson | Channel::Oral => "以申请人提交申请之日为收到申请之日",
            Channel::RegisteredPost => "以行政机关签收之日为收到申请之日",
            Channel::OrdinaryPost => "以政府信息公开工作机构与申请人确认之日为收到申请之日",
            Channel::Online | Channel::Fax | Channel::Email => "以双方确认之日为收到申请之日",
        }
    }
}

/// The dates known about an incoming application; which ones are needed depends on the
/// channel (rule A3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDates {
    /// The day the applicant submitted, posted or sent the application.
    pub submitted: Option<NaiveDate>,
    /// The day the agency signed for a registered letter, or an ordinary letter arrived.
    pub signed_for: Option<NaiveDate>,
    /// The day the office and the applicant confirmed receipt.
    pub confirmed: Option<NaiveDate>,
}

/// The Art. 31 receipt date for a channel:
/// in person or oral → the day of submission; registered post → the signing date;
/// ordinary post → the day of confirmation with the applicant (not before the letter
/// arrived); online, fax, e-mail → the day both sides confirmed. The receipt date may not
/// precede the submission.
pub fn receipt_date(channel: Channel, dates: &ReceiptDates) -> Result<NaiveDate, ApplicationError> {
    let missing = |what: &'static str| ApplicationError::ReceiptDateMissing {
        channel: channel.label(),
        what,
    };
    let received = match channel {
        Channel::InPerson | Channel::Oral => dates.submitted.ok_or(missing("提交申请的日期"))?,
        Channel::RegisteredPost => dates.signed_for.ok_or(missing("签收日期"))?,
        Channel::OrdinaryPost => {
            let confirmed = dates.confirmed.ok_or(missing("与申请人确认收到的日期"))?;
            if let Some(arrived) = dates.signed_for {
                if confirmed < arrived {
                    return Err(ApplicationError::ConfirmedBeforeArrival { confirmed, arrived });
                }
            }
            confirmed
        }
        Channel::Online | Channel::Fax | Channel::Email => {
            dates.confirmed.ok_or(missing("双方确认的日期"))?
        }
    };
    if let Some(submitted) = dates.submitted {
        if received < submitted {
            return Err(ApplicationError::ReceivedBeforeSubmitted {
                received,
                submitted,
            });
        }
    }
    Ok(received)
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

/// The statutory outcome of an application: exactly one result row of section 三 (rules C9,
/// D2). A case handled by 区分处理 (Art. 37) is [`Outcome::PartlyDisclosed`] only.
/// The order of [`Outcome::ALL`] is the order of the 2021 format's result rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// （一）予以公开
    Disclosed,
    /// （二）部分公开 (区分处理)
    PartlyDisclosed,
    /// 不予公开 1. 属于国家秘密
    WithheldStateSecret,
    /// 不予公开 2. 其他法律行政法规禁止公开
    WithheldProhibitedByLaw,
    /// 不予公开 3. 危及“三安全一稳定”
    WithheldSecurityStability,
    /// 不予公开 4. 保护第三方合法权益
    WithheldThirdPartyRights,
    /// 不予公开 5. 属于三类内部事务信息
    WithheldInternalAffairs,
    /// 不予公开 6. 属于四类过程性信息
    WithheldProcessInformation,
    /// 不予公开 7. 属于行政执法案卷
    WithheldEnforcementFile,
    /// 不予公开 8. 属于行政查询事项
    WithheldQueryMatter,
    /// 无法提供 1. 本机关不掌握相关政府信息
    UnavailableNotHeld,
    /// 无法提供 2. 没有现成信息需要另行制作
    UnavailableNeedsCreation,
    /// 无法提供 3. 补正后申请内容仍不明确
    UnavailableStillUnclear,
    /// 不予处理 1. 信访举报投诉类申请
    NotProcessedPetition,
    /// 不予处理 2. 重复申请
    NotProcessedRepeat,
    /// 不予处理 3. 要求提供公开出版物
    NotProcessedPublication,
    /// 不予处理 4. 无正当理由大量反复申请
    NotProcessedExcessive,
    /// 不予处理 5. 要求行政机关确认或重新出具已获取信息
    NotProcessedConfirmation,
    /// 其他处理 1. 逾期不补正
    OtherNoCorrection,
    /// 其他处理 2. 逾期未缴费
    OtherFeeUnpaid,
    /// 其他处理 3. 其他 (including withdrawal)
    OtherOther,
}

impl Outcome {
    pub const ALL: [Outcome; 21] = [
        Outcome::Disclosed,
        Outcome::PartlyDisclosed,
        Outcome::WithheldStateSecret,
        Outcome::WithheldProhibitedByLaw,
        Outcome::WithheldSecurityStability,
        Outcome::WithheldThirdPartyRights,
        Outcome::WithheldInternalAffairs,
        Outcome::WithheldProcessInformation,
        Outcome::WithheldEnforcementFile,
        Outcome::WithheldQueryMatter,
        Outcome::UnavailableNotHeld,
        Outcome::UnavailableNeedsCreation,
        Outcome::UnavailableStillUnclear,
        Outcome::NotProcessedPetition,
        Outcome::NotProcessedRepeat,
        Outcome::NotProcessedPublication,
        Outcome::NotProcessedExcessive,
        Outcome::NotProcessedConfirmation,
        Outcome::OtherNoCorrection,
        Outcome::OtherFeeUnpaid,
        Outcome::OtherOther,
    ];

    fn index(self) -> usize {
        Outcome::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }

    /// Stable code, e.g. `withheld_state_secret`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Disclosed => "disclosed",
            Outcome::PartlyDisclosed => "partly_disclosed",
            Outcome::WithheldStateSecret => "withheld_state_secret",
            Outcome::WithheldProhibitedByLaw => "withheld_prohibited_by_law",
            Outcome::WithheldSecurityStability => "withheld_security_stability",
            Outcome::WithheldThirdPartyRights => "withheld_third_party_rights",
            Outcome::WithheldInternalAffairs => "withheld_internal_affairs",
            Outcome::WithheldProcessInformation => "withheld_process_information",
            Outcome::WithheldEnforcementFile => "withheld_enforcement_file",
            Outcome::WithheldQueryMatter => "withheld_query_matter",
            Outcome::UnavailableNotHeld => "unavailable_not_held",
            Outcome::UnavailableNeedsCreation => "unavailable_needs_creation",
            Outcome::UnavailableStillUnclear => "unavailable_still_unclear",
            Outcome::NotProcessedPetition => "not_processed_petition",
            Outcome::NotProcessedRepeat => "not_processed_repeat",
            Outcome::NotProcessedPublication => "not_processed_publication",
            Outcome::NotProcessedExcessive => "not_processed_excessive",
            Outcome::NotProcessedConfirmation => "not_processed_confirmation",
            Outcome::OtherNoCorrection => "other_no_correction",
            Outcome::OtherFeeUnpaid => "other_fee_unpaid",
            Outcome::OtherOther => "other_other",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The section 三 row id this outcome is counted under in the given format
    /// (the 2019 trial format has one undivided （六）其他处理 row).
    pub fn row_id(self, version: FormatVersion) -> &'static str {
        let rows: Vec<&'static str> = format(version)
            .section3_result_rows()
            .map(|r| r.id)
            .collect();
        let i = self.index().min(rows.len().saturating_sub(1));
        rows.get(i).copied().unwrap_or("")
    }

    /// Chinese name for messages and letters, e.g. `不予公开（属于国家秘密）`.
    pub fn label(self) -> String {
        let row = format(FormatVersion::V2021)
            .section3_result_rows()
            .nth(self.index());
        match row {
            Some(r) => match r.group {
                Some(g) if g != "本年度办理结果" => {
                    let item = r.label.split_once('.').map_or(r.label, |(_, rest)| rest);
                    format!("{g}（{item}）")
                }
                _ => r
                    .label
                    .trim_start_matches(|c| "（）一二".contains(c))
                    .split('（')
                    .next()
                    .unwrap_or(r.label)
                    .to_string(),
            },
            None => String::new(),
        }
    }

    /// The article an outcome usually rests on (spec §1.4 mapping), if there is one.
    pub fn default_basis(self) -> Option<&'static str> {
        Some(match self {
            Outcome::Disclosed => {
                "《中华人民共和国政府信息公开条例》第三十六条第（一）项、第（二）项"
            }
            Outcome::PartlyDisclosed => "《中华人民共和国政府信息公开条例》第三十七条",
            Outcome::WithheldStateSecret
            | Outcome::WithheldProhibitedByLaw
            | Outcome::WithheldSecurityStability => "《中华人民共和国政府信息公开条例》第十四条",
            Outcome::WithheldThirdPartyRights => "《中华人民共和国政府信息公开条例》第十五条",
            Outcome::WithheldInternalAffairs => "《中华人民共和国政府信息公开条例》第十六条第一款",
            Outcome::WithheldProcessInformation | Outcome::WithheldEnforcementFile => {
                "《中华人民共和国政府信息公开条例》第十六条第二款"
            }
            Outcome::WithheldQueryMatter => {
                "《中华人民共和国政府信息公开条例》第三十六条第（七）项"
            }
            Outcome::UnavailableNotHeld => {
                "《中华人民共和国政府信息公开条例》第三十六条第（四）项、第（五）项"
            }
            Outcome::UnavailableNeedsCreation => "《中华人民共和国政府信息公开条例》第三十八条",
            Outcome::UnavailableStillUnclear | Outcome::OtherNoCorrection => {
                "《中华人民共和国政府信息公开条例》第三十条"
            }
            Outcome::NotProcessedPetition | Outcome::NotProcessedPublication => {
                "《中华人民共和国政府信息公开条例》第三十九条"
            }
            Outcome::NotProcessedRepeat => "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
            Outcome::NotProcessedExcessive => "《中华人民共和国政府信息公开条例》第三十五条",
            Outcome::OtherFeeUnpaid => "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
            Outcome::NotProcessedConfirmation | Outcome::OtherOther => return None,
        })
    }

    /// Outcomes reached only through a dedicated step, never through [`Step::Reply`].
    pub fn needs_own_step(self) -> Option<&'static str> {
        match self {
            Outcome::OtherNoCorrection => Some("逾期未补正结案"),
            Outcome::OtherFeeUnpaid => Some("逾期未缴费结案"),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// States and steps
// ---------------------------------------------------------------------------------------------

/// Where an application is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 已收到
    Received,
    /// 已受理 (a handler assigned)
    Accepted,
    /// 待补正
    AwaitingCorrection,
    /// 办理中
    InProgress,
    /// 征求第三方意见
    ThirdPartyConsultation,
    /// 征求其他机关意见
    AgencyConsultation,
    /// 待缴费 (fee notice issued)
    AwaitingFee,
    /// 已答复
    Replied,
    /// 已送达
    Delivered,
    /// 已结案
    Closed,
}

impl State {
    pub const ALL: [State; 10] = [
        State::Received,
        State::Accepted,
        State::AwaitingCorrection,
        State::InProgress,
        State::ThirdPartyConsultation,
        State::AgencyConsultation,
        State::AwaitingFee,
        State::Replied,
        State::Delivered,
        State::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Accepted => "accepted",
            State::AwaitingCorrection => "awaiting_correction",
            State::InProgress => "in_progress",
            State::ThirdPartyConsultation => "third_party_consultation",
            State::AgencyConsultation => "agency_consultation",
            State::AwaitingFee => "awaiting_fee",
            State::Replied => "replied",
            State::Delivered => "delivered",
            State::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Received => "已收到",
            State::Accepted => "已受理",
            State::AwaitingCorrection => "待补正",
            State::InProgress => "办理中",
            State::ThirdPartyConsultation => "征求第三方意见",
            State::AgencyConsultation => "征求其他机关意见",
            State::AwaitingFee => "待缴费",
            State::Replied => "已答复",
            State::Delivered => "已送达",
            State::Closed => "已结案",
        }
    }

    /// Whether the reply is still outstanding (the case counts as carried over at year end).
    pub fn is_open(self) -> bool {
        !matches!(self, State::Replied | State::Delivered | State::Closed)
    }
}

/// Whom an application is consulted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultParty {
    /// 第三方 (Art. 32)
    ThirdParty,
    /// 其他机关 (Art. 34)
    OtherAgency,
}

impl ConsultParty {
    pub fn label(self) -> &'static str {
        match self {
            ConsultParty::ThirdParty => "第三方",
            ConsultParty::OtherAgency => "其他机关",
        }
    }
}

/// The answer to a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum ConsultationAnswer {
    /// 同意公开
    Consented,
    /// 不同意公开, with the reasons given
    Objected { reasons: String },
    /// 逾期未答复 (third party: the agency decides; other agency: consent)
    NoAnswer,
}

/// Approver of an extension. Whether the user holds the office-head role is decided by
/// the caller (the storage layer knows the roles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approver {
    pub user_id: i64,
    pub is_office_head: bool,
}

/// How a reply reached the applicant (送达方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// 邮寄
    Post,
    /// 自行领取 / 当面送达
    Collection,
    /// 电子邮件
    Email,
    /// 在线获取
    Online,
    /// 传真
    Fax,
}

impl DeliveryMethod {
    pub fn label(self) -> &'static str {
        match self {
            DeliveryMethod::Post => "邮寄",
            DeliveryMethod::Collection => "自行领取",
            DeliveryMethod::Email => "电子邮件",
            DeliveryMethod::Online => "在线获取",
            DeliveryMethod::Fax => "传真",
        }
    }
}

/// One step of the lifecycle with the data it needs. Who took it and which documents were
/// issued are kept by the storage layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    /// 受理: a handler is assigned.
    Accept { date: NaiveDate, handler_id: i64 },
    /// 补正告知: one notice listing every defect, with the correction deadline.
    RequestCorrection {
        date: NaiveDate,
        defects: Vec<String>,
        deadline: NaiveDate,
    },
    /// 收到补正: the clock restarts from this day. A correction after the deadline needs
    /// a recorded good reason.
    ReceiveCorrection {
        date: NaiveDate,
        late_reason: Option<String>,
    },
    /// 逾期未补正结案 → 其他处理 1.
    CorrectionLapsed { date: NaiveDate },
    /// 开始办理 (no correction needed).
    StartProcessing { date: NaiveDate },
    /// 征求意见 (in writing, rule D3); the clock pauses.
    Consult {
        date: NaiveDate,
        party: ConsultParty,
        addressee: String,
    },
    /// 收到意见 (or the 15 working days lapsed); the clock resumes.
    ConsultationAnswered {
        date: NaiveDate,
        answer: ConsultationAnswer,
    },
    /// 延期: approved by the office head, the applicant notified.
    Extend {
        date: NaiveDate,
        working_days: u32,
        approver: Approver,
        applicant_notified: bool,
    },
    /// 合理期限 (Art. 35): reasons recorded, a later due date set, the applicant notified.
    SetReasonablePeriod {
        date: NaiveDate,
        reasons: String,
        new_due: NaiveDate,
        applicant_notified: bool,
    },
    /// 收费通知: the amount, and the day the applicant received the notice.
    IssueFeeNotice {
        date: NaiveDate,
        method: FeeMethod,
        amount_fen: i64,
        notice_received: NaiveDate,
    },
    /// 缴费.
    PayFee {
        date: NaiveDate,
        amount_fen: i64,
        receipt_no: String,
    },
    /// 逾期未缴费结案 → 其他处理 2.
    FeeLapsed { date: NaiveDate },
    /// 答复: exactly one outcome, the article it rests on, the remedies stated (D4).
    /// `override_reason`: the public-interest reason when disclosing over a third party's
    /// objection (Art. 32, D3).
    Reply {
        date: NaiveDate,
        outcome: Outcome,
        basis: String,
        remedies_stated: bool,
        override_reason: Option<String>,
    },
    /// 送达.
    Deliver {
        date: NaiveDate,
        method: DeliveryMethod,
        proof: String,
    },
    /// 结案.
    Close { date: NaiveDate },
    /// 申请人撤回申请 → 其他处理 3.
    Withdraw { date: NaiveDate, reason: String },
}

/// The kind of a [`Step`], without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Accept,
    RequestCorrection,
    ReceiveCorrection,
    CorrectionLapsed,
    StartProcessing,
    Consult,
    ConsultationAnswered,
    Extend,
    SetReasonablePeriod,
    IssueFeeNotice,
    PayFee,
    FeeLapsed,
    Reply,
    Deliver,
    Close,
    Withdraw,
}

impl StepKind {
    pub const ALL: [StepKind; 16] = [
        StepKind::Accept,
        StepKind::RequestCorrection,
        StepKind::ReceiveCorrection,
        StepKind::CorrectionLapsed,
        StepKind::StartProcessing,
        StepKind::Consult,
        StepKind::ConsultationAnswered,
        StepKind::Extend,
        StepKind::SetReasonablePeriod,
        StepKind::IssueFeeNotice,
        StepKind::PayFee,
        StepKind::FeeLapsed,
        StepKind::Reply,
        StepKind::Deliver,
        StepKind::Close,
        StepKind::Withdraw,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StepKind::Accept => "受理",
            StepKind::RequestCorrection => "补正告知",
            StepKind::ReceiveCorrection => "收到补正",
            StepKind::CorrectionLapsed => "逾期未补正结案",
            StepKind::StartProcessing => "开始办理",
            StepKind::Consult => "征求意见",
            StepKind::ConsultationAnswered => "收到征求意见答复",
            StepKind::Extend => "延期答复",
            StepKind::SetReasonablePeriod => "确定合理答复期限",
            StepKind::IssueFeeNotice => "收费通知",
            StepKind::PayFee => "缴费",
            StepKind::FeeLapsed => "逾期未缴费结案",
            StepKind::Reply => "答复",
            StepKind::Deliver => "送达",
            StepKind::Close => "结案",
            StepKind::Withdraw => "撤回申请",
        }
    }

    /// The states the step may be taken from.
    pub fn sources(self) -> &'static [State] {
        use State::*;
        match self {
            StepKind::Accept => &[Received],
            StepKind::RequestCorrection => &[Accepted, InProgress],
            StepKind::ReceiveCorrection | StepKind::CorrectionLapsed => &[AwaitingCorrection],
            StepKind::StartProcessing => &[Accepted],
            StepKind::Consult
            | StepKind::Extend
            | StepKind::SetReasonablePeriod
            | StepKind::IssueFeeNotice => &[InProgress],
            StepKind::ConsultationAnswered => &[ThirdPartyConsultation, AgencyConsultation],
            StepKind::PayFee | StepKind::FeeLapsed => &[AwaitingFee],
            StepKind::Reply => &[Accepted, InProgress],
            StepKind::Deliver => &[Replied],
            StepKind::Close => &[Delivered],
            StepKind::Withdraw => &[
                Received,
                Accepted,
                AwaitingCorrection,
                InProgress,
                ThirdPartyConsultation,
                AgencyConsultation,
                AwaitingFee,
            ],
        }
    }
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Accept { .. } => StepKind::Accept,
            Step::RequestCorrection { .. } => StepKind::RequestCorrection,
            Step::ReceiveCorrection { .. } => StepKind::ReceiveCorrection,
            Step::CorrectionLapsed { .. } => StepKind::CorrectionLapsed,
            Step::StartProcessing { .. } => StepKind::StartProcessing,
            Step::Consult { .. } => StepKind::Consult,
            Step::ConsultationAnswered { .. } => StepKind::ConsultationAnswered,
            Step::Extend { .. } => StepKind::Extend,
            Step::SetReasonablePeriod { .. } => StepKind::SetReasonablePeriod,
            Step::IssueFeeNotice { .. } => StepKind::IssueFeeNotice,
            Step::PayFee { .. } => StepKind::PayFee,
            Step::FeeLapsed { .. } => StepKind::FeeLapsed,
            Step::Reply { .. } => StepKind::Reply,
            Step::Deliver { .. } => StepKind::Deliver,
            Step::Close { .. } => StepKind::Close,
            Step::Withdraw { .. } => StepKind::Withdraw,
        }
    }

    /// The day the step took effect.
    pub fn date(&self) -> NaiveDate {
        match self {
            Step::Accept { date, .. }
            | Step::RequestCorrection { date, .. }
            | Step::ReceiveCorrection { date, .. }
            | Step::CorrectionLapsed { date }
            | Step::StartProcessing { date }
            | Step::Consult { date, .. }
            | Step::ConsultationAnswered { date, .. }
            | Step::Extend { date, .. }
            | Step::SetReasonablePeriod { date, .. }
            | Step::IssueFeeNotice { date, .. }
            | Step::PayFee { date, .. }
            | Step::FeeLapsed { date }
            | Step::Reply { date, .. }
            | Step::Deliver { date, .. }
            | Step::Close { date }
            | Step::Withdraw { date, .. } => *date,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a receipt date cannot be set or a step is refused. The application is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("{channel}方式的申请须填写{what}，才能确定收到申请之日")]
    ReceiptDateMissing {
        channel: &'static str,
        what: &'static str,
    },
    #[error("收到申请之日（{received}）不能早于申请人提交申请之日（{submitted}）")]
    ReceivedBeforeSubmitted {
        received: NaiveDate,
        submitted: NaiveDate,
    },
    #[error("与申请人确认的日期（{confirmed}）不能早于信件到达之日（{arrived}）")]
    ConfirmedBeforeArrival {
        confirmed: NaiveDate,
        arrived: NaiveDate,
    },
    #[error("当前状态（{}）不能执行“{}”", .state.label(), .step.label())]
    InvalidTransition { state: State, step: StepKind },
    #[error("“{}”的日期（{date}）不能早于上一步骤的日期（{previous}）", .step.label())]
    DateBeforePrevious {
        step: StepKind,
        date: NaiveDate,
        previous: NaiveDate,
    },
    #[error("本次申请已发出补正告知，补正事项应一次性告知，不能再次要求补正")]
    CorrectionAlreadyRequested,
    #[error("补正告知应逐项列明需要补正的全部事项")]
    NoDefects,
    #[error("补正告知应在收到申请之日起7个工作日内发出（最迟 {due}），已逾期，不能再要求补正")]
    CorrectionNoticeLate { due: NaiveDate },
    #[error("补正期限（{deadline}）应晚于补正告知日期（{date}）")]
    CorrectionDeadlineInvalid {
        date: NaiveDate,
        deadline: NaiveDate,
    },
    #[error("补正期限已于 {deadline} 届满；逾期补正须记录正当理由，否则应按“逾期未补正”结案")]
    CorrectionLate { deadline: NaiveDate },
    #[error("补正期限（{deadline}）尚未届满，不能按逾期未补正结案")]
    CorrectionNotLapsed { deadline: NaiveDate },
    #[error("征求意见须写明被征求意见的{}", .0.label())]
    AddresseeMissing(ConsultParty),
    #[error("{}的答复期限（{due}）尚未届满，不能按逾期未答复处理", .party.label())]
    ConsultationNotLapsed { party: ConsultParty, due: NaiveDate },
    #[error("不同意公开的意见须记录理由")]
    ObjectionReasonsMissing,
    #[error("本申请已经延期答复过一次，不能再次延期")]
    ExtensionAlreadyGranted,
    #[error("延长答复期限须为1至{MAX_EXTENSION_WORKING_DAYS}个工作日（填写的是{0}个）")]
    ExtensionOutOfRange(u32),
    #[error("延期答复须经政府信息公开工作机构负责人同意")]
    ExtensionNotApprovedByHead,
    #[error("{0}须告知申请人")]
    ApplicantNotNotified(&'static str),
    #[error("{what}应在答复期限届满（{due}）前作出")]
    AfterDue { what: &'static str, due: NaiveDate },
    #[error("本申请已经确定过合理答复期限")]
    ReasonablePeriodAlreadySet,
    #[error("确定合理答复期限须记录理由（条例第三十五条）")]
    ReasonablePeriodReasonsMissing,
    #[error("合理答复期限（{new_due}）应晚于当前答复期限（{due}）")]
    ReasonablePeriodNotLater { new_due: NaiveDate, due: NaiveDate },
    #[error("本申请已发出过收费通知，每件申请只能按一种方式收费一次")]
    FeeAlreadyCharged,
    #[error("收费金额为{}：申请未超过免费额度，不得发出收费通知", format_yuan(*.0))]
    FeeNotPositive(i64),
    #[error("申请人收到收费通知的日期（{received}）不能早于通知发出日期（{issued}）")]
    FeeNoticeReceivedBeforeIssued {
        issued: NaiveDate,
        received: NaiveDate,
    },
    #[error("缴费金额（{}）与收费通知金额（{}）不一致", format_yuan(*.paid), format_yuan(*.due))]
    FeeAmountMismatch { paid: i64, due: i64 },
    #[error("缴费须记录收据号码")]
    ReceiptNumberMissing,
    #[error("缴费期限已于 {due} 届满，应按逾期未缴费结案")]
    FeePaymentLate { due: NaiveDate },
    #[error("缴费期限（{due}）尚未届满，不能按逾期未缴费结案")]
    FeeNotLapsed { due: NaiveDate },
    #[error("“{}”不能通过答复选择，应执行“{step}”", .outcome.label())]
    OutcomeNeedsOwnStep {
        outcome: Outcome,
        step: &'static str,
    },
    #[error("答复须写明所依据的法律条款")]
    BasisMissing,
    #[error("答复须告知申请人救济途径（行政复议、行政诉讼及投诉举报渠道）")]
    RemediesMissing,
    #[error("申请未经补正，不能以“补正后申请内容仍不明确”答复")]
    NoCorrectionYet,
    #[error("第三方已提出不同意公开的意见，决定予以公开须记录公共利益理由，并书面告知第三方")]
    OverrideReasonMissing,
    #[error("送达须记录送达凭证（如邮件单号、签收记录或发送记录）")]
    ProofMissing,
    #[error("撤回申请须记录申请人撤回的方式或理由")]
    WithdrawReasonMissing,
}

// ---------------------------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------------------------

/// Configuration of the reply clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockConfig {
    /// Whether the fee window (notice to payment) pauses the reply clock. UNCONFIRMED in
    /// the spec (§4); common practice, so on by default.
    pub fee_window_pauses_clock: bool,
}

impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig {
            fee_window_pauses_clock: true,
        }
    }
}

/// Why the reply clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    ThirdPartyConsultation,
    AgencyConsultation,
    FeeWindow,
}

impl PauseKind {
    pub fn label(self) -> &'static str {
        match self {
            PauseKind::ThirdPartyConsultation => "征求第三方意见",
            PauseKind::AgencyConsultation => "征求其他机关意见",
            PauseKind::FeeWindow => "收费通知至缴费",
        }
    }
}

/// A pause of the reply clock: working days in `(start, end]` are not counted. An open
/// pause has no end yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub kind: PauseKind,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// An open correction request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionRequest {
    pub notice_date: NaiveDate,
    pub deadline: NaiveDate,
    pub defects: Vec<String>,
}

/// A fee notice and its payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRecord {
    pub method: FeeMethod,
    pub amount_fen: i64,
    pub issued: NaiveDate,
    pub notice_received: NaiveDate,
    /// Last day to pay: 20 working days from the day after the notice was received.
    pub payment_due: NaiveDate,
    pub paid: Option<(NaiveDate, String)>,
}

/// The reply as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRecord {
    pub date: NaiveDate,
    pub outcome: Outcome,
    pub basis: String,
    pub override_reason: Option<String>,
}

/// An application for disclosure and everything the lifecycle and the clock need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub applicant: ApplicantKind,
    pub channel: Channel,
    /// The Art. 31 receipt date (counts for 本年新收).
    pub received: NaiveDate,
    pub state: State,
    pub handler_id: Option<i64>,
    /// The day the reply clock runs from: `received`, or the day the last correction was
    /// received.
    pub clock_start: NaiveDate,
    /// Corrections received so far.
    pub corrections_received: u32,
    /// A correction notice was issued for the current `clock_start` (one notice only).
    pub correction_requested: bool,
    pub open_correction: Option<CorrectionRequest>,
    /// Consultations and fee windows, in order.
    pub pauses: Vec<Pause>,
    /// The open consultation: party and answer due date.
    pub consultation: Option<(ConsultParty, NaiveDate)>,
    pub third_party_objected: bool,
    /// Extension in working days (approved, applicant notified).
    pub extension_days: Option<u32>,
    /// Art. 35 reasonable period: the new due date and the reasons.
    pub reasonable_period: Option<(NaiveDate, String)>,
    pub fee: Option<FeeRecord>,
    pub reply: Option<ReplyRecord>,
    pub delivered: Option<(NaiveDate, DeliveryMethod)>,
    /// The statutory outcome, once decided (reply, lapse or withdrawal).
    pub outcome: Option<Outcome>,
    /// The day the outcome was decided (counts for 本年度办理结果).
    pub decided_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// Date of the latest step (steps may not go back in time).
    pub last_date: NaiveDate,
    pub steps: Vec<Step>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl Application {
    /// A newly received application (state 已收到).
    pub fn new(applicant: ApplicantKind, channel: Channel, received: NaiveDate) -> Application {
        Application {
            applicant,
            channel,
            received,
            state: State::Received,
            handler_id: None,
            clock_start: received,
            corrections_received: 0,
            correction_requested: false,
            open_correction: None,
            pauses: Vec::new(),
            consultation: None,
            third_party_objected: false,
            extension_days: None,
            reasonable_period: None,
            fee: None,
            reply: None,
            delivered: None,
            outcome: None,
            decided_on: None,
            closed_on: None,
            last_date: received,
            steps: Vec::new(),
        }
    }

    /// Rebuild an application from its recorded steps. On failure returns the index of the
    /// refused step and the reason.
    pub fn replay(
        applicant: ApplicantKind,
        channel: Channel,
        received: NaiveDate,
        steps: &[Step],
        cal: &Calendar,
        cfg: &ClockConfig,
    ) -> Result<Application, (usize, ApplicationError)> {
        let mut app = Application::new(applicant, channel, received);
        // In place: on an error the half-applied case is dropped with the error, so the copy
        // `apply` takes to stay unchanged is not needed.
        for (i, step) in steps.iter().enumerate() {
            app.apply_inner(step, cal, cfg).map_err(|e| (i, e))?;
        }
        Ok(app)
    }

    /// The steps allowed in the current state (for showing buttons; the data of a step is
    /// checked when it is applied).
    pub fn allowed_steps(&self) -> Vec<StepKind> {
        StepKind::ALL
            .into_iter()
            .filter(|k| k.sources().contains(&self.state))
            .collect()
    }

    /// Take a step. On error the application is unchanged.
    pub fn apply(
        &mut self,
        step: &Step,
        cal: &Calendar,
        cfg: &ClockConfig,
    ) -> Result<(), ApplicationError> {
        let mut next = self.clone();
        next.apply_inner(step, cal, cfg)?;
        *self = next;
        Ok(())
    }

    fn current_due(
        &self,
        cal: &Calendar,
        cfg: &ClockConfig,
        as_of: NaiveDate,
    ) -> Option<NaiveDate> {
        self.clock(cal, cfg, as_of).due
    }

    fn decide(&mut self, outcome: Outcome, date: NaiveDate) {
        self.outcome = Some(outcome);
        self.decided_on = Some(date);
    }

    fn close_open_pauses(&mut self, date: NaiveDate) {
        for p in &mut self.pauses {
            if p.end.is_none() {
                p.end = Some(date.max(p.start));
            }
        }
    }

    fn apply_inner(
        &mut self,
        step: &Step,
        cal: &Calendar,
        cfg: &ClockConfig,
    ) -> Result<(), ApplicationError> {
        let kind = step.kind();
        if !kind.sources().contains(&self.state) {
            return Err(ApplicationError::InvalidTransition {
                state: self.state,
                step: kind,
            });
        }
        let date = step.date();
        if date < self.last_date {
            return Err(ApplicationError::DateBeforePrevious {
                step: kind,
                date,
                previous: self.last_date,
            });
        }
        match step {
            Step::Accept { handler_id, .. } => {
                self.handler_id = Some(*handler_id);
                self.state = State::Accepted;
            }
            Step::RequestCorrection {
                defects, deadline, ..
            } => {
                if self.correction_requested {
                    return Err(ApplicationError::CorrectionAlreadyRequested);
                }
                if defects.is_empty() || defects.iter().any(|d| blank(d)) {
                    return Err(ApplicationError::NoDefects);
                }
                let due = cal.working_day_due(self.clock_start, CORRECTION_NOTICE_WORKING_DAYS);
                if date > due {
                    return Err(ApplicationError::CorrectionNoticeLate { due });
                }
                if *deadline <= date {
                    return Err(ApplicationError::CorrectionDeadlineInvalid {
                        date,
                        deadline: *deadline,
                    });
                }
                self.correction_requested = true;
                self.open_correction = Some(CorrectionRequest {
                    notice_date: date,
                    deadline: *deadline,
                    defects: defects.clone(),
                });
                self.state = State::AwaitingCorrection;
            }
            Step::ReceiveCorrection { late_reason, .. } => {
                let Some(req) = &self.open_correction else {
                    return Err(ApplicationError::InvalidTransition {
                        state: self.state,
                        step: kind,
                    });
                };
                if date > req.deadline && late_reason.as_deref().is_none_or(blank) {
                    return Err(ApplicationError::CorrectionLate {
                        deadline: req.deadline,
                    });
                }
                // The clock restarts: a fresh period, a fresh extension and Art. 35 period.
                self.open_correction = None;
                self.correction_requested = false;
                self.corrections_received += 1;
                self.clock_start = date;
                self.extension_days = None;
                self.reasonable_period = None;
                self.state = State::InProgress;
            }
            Step::CorrectionLapsed { .. } => {
                let Some(req) = &self.open_correction else {
                    return Err(ApplicationError::InvalidTransition {
                        state: self.state,
                        step: kind,
                    });
                };
                if date <= req.deadline {
                    return Err(ApplicationError::CorrectionNotLapsed {
                        deadline: req.deadline,
                    });
                }
                self.open_correction = None;
                self.decide(Outcome::OtherNoCorrection, date);
                self.closed_on = Some(date);
                self.state = State::Closed;
            }
            Step::StartProcessing { .. } => self.state = State::InProgress,
            Step::Consult {
                party, addressee, ..
            } => {
                if blank(addressee) {
                    return Err(ApplicationError::AddresseeMissing(*party));
                }
                let due = cal.working_day_due(date, CONSULTATION_WORKING_DAYS);
                self.consultation = Some((*party, due));
                let (pause, state) = match party {
                    ConsultParty::ThirdParty => (
                        PauseKind::ThirdPartyConsultation,
                        State::ThirdPartyConsultation,
                    ),
                    ConsultParty::OtherAgency => {
                        (PauseKind::AgencyConsultation, State::AgencyConsultation)
                    }
                };
                self.pauses.push(Pause {
                    kind: pause,
                    start: date,
                    end: None,
                });
                self.state = state;
            }
            Step::ConsultationAnswered { answer, .. } => {
                let party = if self.state == State::ThirdPartyConsultation {
                    ConsultParty::ThirdParty
                } else {
                    ConsultParty::OtherAgency
                };
                let due = self.consultation.map_or(date, |(_, due)| due);
                match answer {
                    ConsultationAnswer::NoAnswer if date < due => {
                        return Err(ApplicationError::ConsultationNotLapsed { party, due });
                    }
                    ConsultationAnswer::Objected { reasons } if blank(reasons) => {
                        return Err(ApplicationError::ObjectionReasonsMissing);
                    }
                    ConsultationAnswer::Objected { .. } if party == ConsultParty::ThirdParty => {
                        self.third_party_objected = true;
                    }
                    _ => {}
                }
                self.close_open_pauses(date);
                self.consultation = None;
                self.state = State::InProgress;
            }
            Step::Extend {
                working_days,
                approver,
                applicant_notified,
                ..
            } => {
                if self.extension_days.is_some() {
                    return Err(ApplicationError::ExtensionAlreadyGranted);
                }
                if *working_days == 0 || *working_days > MAX_EXTENSION_WORKING_DAYS {
                    return Err(ApplicationError::ExtensionOutOfRange(*working_days));
                }
                if !approver.is_office_head {
                    return Err(ApplicationError::ExtensionNotApprovedByHead);
                }
                if !applicant_notified {
                    return Err(ApplicationError::ApplicantNotNotified("延期答复"));
                }
                if let Some(due) = self.current_due(cal, cfg, date) {
                    if date > due {
                        return Err(ApplicationError::AfterDue {
                            what: "延期答复的决定",
                            due,
                        });
                    }
                }
                self.extension_days = Some(*working_days);
            }
            Step::SetReasonablePeriod {
                reasons,
                new_due,
                applicant_notified,
                ..
            } => {
                if self.reasonable_period.is_some() {
                    return Err(ApplicationError::ReasonablePeriodAlreadySet);
                }
                if blank(reasons) {
                    return Err(ApplicationError::ReasonablePeriodReasonsMissing);
                }
                if !applicant_notified {
                    return Err(ApplicationError::ApplicantNotNotified("合理答复期限"));
                }
                if let Some(due) = self.current_due(cal, cfg, date) {
                    if date > due {
                        return Err(ApplicationError::AfterDue {
                            what: "确定合理答复期限",
                            due,
                        });
                    }
                    if *new_due <= due {
                        return Err(ApplicationError::ReasonablePeriodNotLater {
                            new_due: *new_due,
                            due,
                        });
                    }
                }
                self.reasonable_period = Some((*new_due, reasons.trim().to_string()));
            }
            Step::IssueFeeNotice {
                method,
                amount_fen,
                notice_received,
                ..
            } => {
                if self.fee.is_some() {
                    return Err(ApplicationError::FeeAlreadyCharged);
                }
                if *amount_fen <= 0 {
                    return Err(ApplicationError::FeeNotPositive(*amount_fen));
                }
                if *notice_received < date {
                    return Err(ApplicationError::FeeNoticeReceivedBeforeIssued {
                        issued: date,
                        received: *notice_received,
                    });
                }
                if let Some(due) = self.current_due(cal, cfg, date) {
                    if date > due {
                        return Err(ApplicationError::AfterDue {
                            what: "收费通知",
                            due,
                        });
                    }
                }
                let payment_due = cal.working_day_due(*notice_received, FEE_PAYMENT_WORKING_DAYS);
                self.fee = Some(FeeRecord {
                    method: *method,
                    amount_fen: *amount_fen,
                    issued: date,
                    notice_received: *notice_received,
                    payment_due,
                    paid: None,
                });
                self.pauses.push(Pause {
                    kind: PauseKind::FeeWindow,
                    start: date,
                    end: None,
                });
                self.state = State::AwaitingFee;
            }
            Step::PayFee {
                amount_fen,
                receipt_no,
                ..
            } => {
                let Some(fee) = &mut self.fee else {
                    return Err(ApplicationError::InvalidTransition {
                        state: self.state,
                        step: kind,
                    });
                };
                if *amount_fen != fee.amount_fen {
                    return Err(ApplicationError::FeeAmountMismatch {
                        paid: *amount_fen,
                        due: fee.amount_fen,
                    });
                }
                if blank(receipt_no) {
                    return Err(ApplicationError::ReceiptNumberMissing);
                }
                if date > fee.payment_due {
                    return Err(ApplicationError::FeePaymentLate {
                        due: fee.payment_due,
                    });
                }
                fee.paid = Some((date, receipt_no.trim().to_string()));
                self.close_open_pauses(date);
                self.state = State::InProgress;
            }
            Step::FeeLapsed { .. } => {
                let Some(fee) = &self.fee else {
                    return Err(ApplicationError::InvalidTransition {
                        state: self.state,
                        step: kind,
                    });
                };
                if date <= fee.payment_due {
                    return Err(ApplicationError::FeeNotLapsed {
                        due: fee.payment_due,
                    });
                }
                self.close_open_pauses(date);
                self.decide(Outcome::OtherFeeUnpaid, date);
                self.closed_on = Some(date);
                self.state = State::Closed;
            }
            Step::Reply {
                outcome,
                basis,
                remedies_stated,
                override_reason,
                ..
            } => {
                if let Some(step) = outcome.needs_own_step() {
                    return Err(ApplicationError::OutcomeNeedsOwnStep {
                        outcome: *outcome,
                        step,
                    });
                }
                if blank(basis) {
                    return Err(ApplicationError::BasisMissing);
                }
                if !remedies_stated {
                    return Err(ApplicationError::RemediesMissing);
                }
                if *outcome == Outcome::UnavailableStillUnclear && self.corrections_received == 0 {
                    return Err(ApplicationError::NoCorrectionYet);
                }
                if *outcome == Outcome::Disclosed
                    && self.third_party_objected
                    && override_reason.as_deref().is_none_or(blank)
                {
                    return Err(ApplicationError::OverrideReasonMissing);
                }
                self.reply = Some(ReplyRecord {
                    date,
                    outcome: *outcome,
                    basis: basis.trim().to_string(),
                    override_reason: override_reason.as_ref().map(|s| s.trim().to_string()),
                });
                self.decide(*outcome, date);
                self.state = State::Replied;
            }
            Step::Deliver { method, proof, .. } => {
                if blank(proof) {
                    return Err(ApplicationError::ProofMissing);
                }
                self.delivered = Some((date, *method));
                self.state = State::Delivered;
            }
            Step::Close { .. } => {
                self.closed_on = Some(date);
                self.state = State::Closed;
            }
            Step::Withdraw { reason, .. } => {
                if blank(reason) {
                    return Err(ApplicationError::WithdrawReasonMissing);
                }
                self.close_open_pauses(date);
                self.open_correction = None;
                self.decide(Outcome::OtherOther, date);
                self.closed_on = Some(date);
                self.state = State::Closed;
            }
        }
        self.last_date = date;
        self.steps.push(step.clone());
        Ok(())
    }

    /// The last day for the correction notice (Art. 30: 7 working days from receipt).
    pub fn correction_notice_due(&self, cal: &Calendar) -> NaiveDate {
        cal.working_day_due(self.clock_start, CORRECTION_NOTICE_WORKING_DAYS)
    }

    /// The data the reply clock runs on.
    pub fn clock_input(&self) -> ClockInput {
        ClockInput {
            start: self.clock_start,
            restarted_by_correction: self.corrections_received > 0,
            awaiting_correction: self.open_correction.as_ref().map(|c| c.deadline),
            pauses: self
                .pauses
                .iter()
                .copied()
                .filter(|p| p.end.is_none_or(|e| e > self.clock_start))
                .collect(),
            extension_days: self.extension_days.unwrap_or(0),
            reasonable_period_due: self.reasonable_period.as_ref().map(|(d, _)| *d),
            stopped_on: self.decided_on,
        }
    }

    /// The reply clock as of `as_of`.
    pub fn clock(&self, cal: &Calendar, cfg: &ClockConfig, as_of: NaiveDate) -> ReplyClock {
        reply_clock(&self.clock_input(), cal, cfg, as_of)
    }

    /// Whether the case was decided after its reply due date (see [`decided_late`]).
    pub fn decided_late(&self, cal: &Calendar, cfg: &ClockConfig) -> bool {
        decided_late(&self.clock_input(), cal, cfg)
    }

    /// The record the annual-report statistics need.
    pub fn case_record(&self) -> CaseRecord {
        CaseRecord {
            applicant: self.applicant,
            received: self.received,
            decision: self.outcome.zip(self.decided_on),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The reply clock
// ---------------------------------------------------------------------------------------------

/// What the reply clock is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInput {
    /// The effective receipt date (the Art. 31 date or the last correction received).
    pub start: NaiveDate,
    /// Whether `start` is the day a correction was received.
    pub restarted_by_correction: bool,
    /// Waiting for a correction: its deadline. The clock does not run.
    pub awaiting_correction: Option<NaiveDate>,
    pub pauses: Vec<Pause>,
    pub extension_days: u32,
    pub reasonable_period_due: Option<NaiveDate>,
    /// The day the outcome was decided: the clock stops.
    pub stopped_on: Option<NaiveDate>,
}

/// The state of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "pause")]
pub enum ClockStatus {
    /// 计时中
    Running,
    /// 暂停计时 (an open consultation or fee window)
    Paused(PauseKind),
    /// 待补正: the period will restart from the correction.
    AwaitingCorrection,
    /// 已办结
    Stopped,
}

impl ClockStatus {
    pub fn label(self) -> String {
        match self {
            ClockStatus::Running => "计时中".to_string(),
            ClockStatus::Paused(k) => format!("暂停计时（{}）", k.label()),
            ClockStatus::AwaitingCorrection => "待补正（补正后重新计算答复期限）".to_string(),
            ClockStatus::Stopped => "已办结".to_string(),
        }
    }
}

/// The reply due date and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyClock {
    pub status: ClockStatus,
    pub start: NaiveDate,
    /// The due date (`None` while awaiting a correction). While a pause is open it is
    /// computed as if the pause ended on the as-of date.
    pub due: Option<NaiveDate>,
    /// Working days of the period: 20 + extension.
    pub period_working_days: u32,
    /// Working days up to the due date that were paused.
    pub paused_working_days: u32,
    /// Working days from the as-of date (or the decision date once stopped) to the due
    /// date; negative when overdue.
    pub working_days_left: Option<i64>,
    pub overdue: bool,
    /// Some counted day lies in a year without official holiday data.
    pub provisional: bool,
    /// The working-day count behind the due date (period + paused days).
    pub detail: Option<DueDate>,
    /// Multi-line Chinese explanation.
    pub explanation: String,
}

/// Merge pause intervals `(start, end]` (open ones end at `open_end`).
fn merged_pauses(
    pauses: &[Pause],
    cfg: &ClockConfig,
    open_end: NaiveDate,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut spans: Vec<(NaiveDate, NaiveDate)> = pauses
        .iter()
        .filter(|p| cfg.fee_window_pauses_clock || p.kind != PauseKind::FeeWindow)
        .map(|p| (p.start, p.end.unwrap_or(open_end).max(p.start)))
        .collect();
    spans.sort();
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Paused working days in `(start, until]`.
fn paused_working_days(
    cal: &Calendar,
    spans: &[(NaiveDate, NaiveDate)],
    start: NaiveDate,
    until: NaiveDate,
) -> u32 {
    spans
        .iter()
        .map(|(s, e)| {
            let from = (*s).max(start);
            let to = (*e).min(until);
            if to > from {
                u32::try_from(cal.working_days_between(from, to).max(0)).unwrap_or(0)
            } else {
                0
            }
        })
        .sum()
}

fn weekday_cn(date: NaiveDate) -> &'static str {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][date.weekday().num_days_from_monday() as usize]
}

/// The working days paused before the due date, which the due date moves by: the fixed point
/// of due = the (period + p)-th working day after `start`, p = paused working days up to due.
fn paused_into_period(cal: &Calendar, spans: &[(NaiveDate, NaiveDate)], start: NaiveDate, period: u32) -> u32 {
    let mut paused = 0u32;
    let mut due = cal.working_day_due(start, period);
    for _ in 0..1000 {
        let p = paused_working_days(cal, spans, start, due);
        if p == paused {
            break;
        }
        paused = p;
        due = cal.working_day_due(start, period + paused);
    }
    paused
}

/// Whether a decided case was decided after its reply due date: what the annual report counts
/// as a late reply. The same due date as [`reply_clock`] as of the decision, without the
/// explanation, for counting a province's cases.
pub fn decided_late(input: &ClockInput, cal: &Calendar, cfg: &ClockConfig) -> bool {
    let Some(decided) = input.stopped_on else { return false };
    if input.awaiting_correction.is_some() {
        return false;
    }
    let due = match input.reasonable_period_due {
        Some(due) => due,
        None => {
            let period = REPLY_WORKING_DAYS + input.extension_days;
            let spans = merged_pauses(&input.pauses, cfg, decided);
            cal.working_day_due(input.start, period + paused_into_period(cal, &spans, input.start, period))
        }
    };
    decided > due
}

/// Compute the reply clock (rules A2–A6) as of `as_of`.
pub fn reply_clock(
    input: &ClockInput,
    cal: &Calendar,
    cfg: &ClockConfig,
    as_of: NaiveDate,
) -> ReplyClock {
    let mut text = String::new();
    let start = input.start;
    if input.restarted_by_correction {
        let _ = writeln!(
            text,
            "收到补正之日：{start}（{}），答复期限自次日起重新计算（条例第三十条）。",
            weekday_cn(start)
        );
    } else {
        let _ = writeln!(text, "收到申请之日：{start}（{}）。", weekday_cn(start));
    }
    if let Some(deadline) = input.awaiting_correction {
        let _ = writeln!(
            text,
            "已发出补正告知，补正期限至 {deadline}；答复期限自收到补正之日起重新计算。"
        );
        return ReplyClock {
            status: ClockStatus::AwaitingCorrection,
            start,
            due: None,
            period_working_days: REPLY_WORKING_DAYS,
            paused_working_days: 0,
            working_days_left: None,
            overdue: false,
            provisional: cal.is_provisional(deadline),
            detail: None,
            explanation: text,
        };
    }
    let period = REPLY_WORKING_DAYS + input.extension_days;
    let open_pause = input
        .pauses
        .iter()
        .rev()
        .find(|p| p.end.is_none())
        .map(|p| p.kind);
    let counts_pause = |k: PauseKind| cfg.fee_window_pauses_clock || k != PauseKind::FeeWindow;
    let reference = input.stopped_on.unwrap_or(as_of);
    let spans = merged_pauses(&input.pauses, cfg, reference);

    let paused = paused_into_period(cal, &spans, start, period);
    let detail = cal.add_working_days(start, period + paused);

    let _ = write!(
        text,
        "答复期限：{REPLY_WORKING_DAYS}个工作日（条例第三十三条）"
    );
    if input.extension_days > 0 {
        let _ = write!(
            text,
            "，经批准延长{}个工作日，共{period}个工作日",
            input.extension_days
        );
    }
    let _ = writeln!(text, "。");
    let relevant: Vec<&Pause> = input
        .pauses
        .iter()
        .filter(|p| p.end.is_none_or(|e| e > start))
        .collect();
    if !relevant.is_empty() {
        let _ = writeln!(text, "暂停计时（不计入答复期限）：");
        for p in &relevant {
            let end_text = match p.end {
                Some(e) => e.to_string(),
                None => format!("尚未结束（按截至 {reference} 计算）"),
            };
            if counts_pause(p.kind) {
                let until = p.end.unwrap_or(reference).max(p.start);
                let n = paused_working_days(cal, &[(p.start, until)], start, detail.due);
                let _ = writeln!(
                    text,
                    "  {}：{} 至 {end_text}，不计入{n}个工作日",
                    p.kind.label(),
                    p.start
                );
            } else {
                let _ = writeln!(
                    text,
                    "  {}：{} 至 {end_text}，按配置不暂停计时",
                    p.kind.label(),
                    p.start
                );
            }
        }
    }
    if paused > 0 {
        let _ = writeln!(
            text,
            "推算到期日时计入期限的工作日为 {period} + {paused}（暂停计时）= {} 个：",
            period + paused
        );
    }
    text.push_str(&detail.explain());

    let mut due = detail.due;
    let mut provisional = detail.provisional;
    if let Some(new_due) = input.reasonable_period_due {
        let _ = writeln!(
            text,
            "依条例第三十五条确定的合理答复期限：{new_due}（{}），以此为答复期限。",
            weekday_cn(new_due)
        );
        due = new_due;
        provisional = provisional || cal.is_provisional(new_due);
    }
    let left = cal.working_days_between(reference, due);
    let status = if input.stopped_on.is_some() {
        ClockStatus::Stopped
    } else if let Some(k) = open_pause.filter(|k| counts_pause(*k)) {
        ClockStatus::Paused(k)
    } else {
        ClockStatus::Running
    };
    let overdue = reference > due;
    match status {
        ClockStatus::Stopped if overdue => {
            let _ = writeln!(
                text,
                "已于 {reference} 办结，超过答复期限 {} 个工作日。",
                -left
            );
        }
        ClockStatus::Stopped => {
            let _ = writeln!(text, "已于 {reference} 办结，在答复期限内。");
        }
        _ if overdue => {
            let _ = writeln!(
                text,
                "截至 {reference}，已超过答复期限 {} 个工作日。",
                -left
            );
        }
        ClockStatus::Paused(_) => {
            let _ = writeln!(text, "目前暂停计时，到期日按暂停至 {reference} 计算，暂停结束后顺延。剩余 {left} 个工作日。");
        }
        _ => {
            let _ = writeln!(text, "截至 {reference}，剩余 {left} 个工作日。");
        }
    }
    ReplyClock {
        status,
        start,
        due: Some(due),
        period_working_days: period,
        paused_working_days: paused,
        working_days_left: Some(left),
        overdue,
        provisional,
        detail: Some(detail),
        explanation: text,
    }
}

// ---------------------------------------------------------------------------------------------
// Section 三 statistics
// ---------------------------------------------------------------------------------------------

/// What the annual report needs of one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub applicant: ApplicantKind,
    /// The Art. 31 receipt date.
    pub received: NaiveDate,
    /// The outcome and the day it was decided, once decided.
    pub decision: Option<(Outcome, NaiveDate)>,
}

/// One row of the section 三 table: the 7 cells (自然人, 5 organisation types, 总计).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section3Line {
    pub id: &'static str,
    pub label: &'static str,
    pub role: RowRole,
    pub cells: [u64; 7],
}

/// The section 三 table of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section3Stats {
    pub year: i32,
    pub version: FormatVersion,
    /// Every row of the format, in table order.
    pub lines: Vec<Section3Line>,
}

impl Section3Stats {
    /// The cells of a row by id.
    pub fn row(&self, id: &str) -> Option<&[u64; 7]> {
        self.lines.iter().find(|l| l.id == id).map(|l| &l.cells)
    }

    fn role(&self, role: RowRole) -> [u64; 7] {
        self.lines
            .iter()
            .find(|l| l.role == role)
            .map_or([0; 7], |l| l.cells)
    }

    /// Check C1–C3; returns the violations in Chinese (empty when consistent).
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (new, carried_in, total, carried_out) = (
            self.role(RowRole::Received),
            self.role(RowRole::CarriedIn),
            self.role(RowRole::ResultTotal),
            self.role(RowRole::CarriedOut),
        );
        let columns = format(self.version).section3_columns;
        for c in 0..7 {
            if new[c] + carried_in[c] != total[c] + carried_out[c] {
                out.push(format!(
                    "“{}”列：新收加上年结转不等于办理结果总计加结转下年度",
                    columns[c]
                ));
            }
            let sum: u64 = self
                .lines
                .iter()
                .filter(|l| l.role == RowRole::Result)
                .map(|l| l.cells[c])
                .sum();
            if sum != total[c] {
                out.push(format!(
                    "“{}”列：各项办理结果之和不等于（七）总计",
                    columns[c]
                ));
            }
        }
        for l in &self.lines {
            if l.cells[..6].iter().sum::<u64>() != l.cells[6] {
                out.push(format!("“{}”行：总计不等于各类申请人之和", l.label));
            }
        }
        out
    }
}

/// Section 三 for `year` (format by [`format_for_year`]):
/// - 新收: received in the year;
/// - 上年结转: received earlier and not decided before the year;
/// - result rows and （七）总计: of those two, decided by the end of the year, each under its
///   one outcome row (C9);
/// - 结转下年度: of those two, not decided by the end of the year.
///
/// C1–C3 hold by construction; records received after the year are ignored.
pub fn section3_statistics(records: &[CaseRecord], year: i32) -> Section3Stats {
    let version = format_for_year(year);
    let fmt = format(version);
    let mut lines: Vec<Section3Line> = fmt
        .section3_rows
        .iter()
        .map(|r| Section3Line {
            id: r.id,
            label: r.label,
            role: r.role,
            cells: [0; 7],
        })
        .collect();
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Section3Stats {
            year,
            version,
            lines,
        };
    };
    let role_index: BTreeMap<&'static str, usize> = fmt
        .section3_rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let find_role = |role: RowRole| fmt.section3_rows.iter().position(|r| r.role == role);
    let (Some(received_i), Some(carried_in_i), Some(total_i), Some(carried_out_i)) = (
        find_role(RowRole::Received),
        find_role(RowRole::CarriedIn),
        find_role(RowRole::ResultTotal),
        find_role(RowRole::CarriedOut),
    ) else {
        return Section3Stats {
            year,
            version,
            lines,
        };
    };
    let mut bump = |row: usize, col: usize| {
        if let Some(line) = lines.get_mut(row) {
            line.cells[col] += 1;
            line.cells[6] += 1;
        }
    };
    for r in records {
        if r.received > last {
            continue;
        }
        let col = r.applicant.column();
        if r.received >= first {
            bump(received_i, col);
        } else if r.decision.is_none_or(|(_, d)| d >= first) {
            bump(carried_in_i, col);
        } else {
            continue;
        }
        match r.decision {
            Some((outcome, d)) if d <= last => {
                let row = role_index
                    .get(outcome.row_id(version))
                    .copied()
                    .unwrap_or(total_i);
                bump(row, col);
                bump(total_i, col);
            }
            _ => bump(carried_out_i, col),
        }
    }
    Section3Stats {
        year,
        version,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn cal() -> Calendar {
        Calendar::official()
    }

    fn cfg() -> ClockConfig {
        ClockConfig::default()
    }

    fn head() -> Approver {
        Approver {
            user_id: 7,
            is_office_head: true,
        }
    }

    fn reply(date: &str, outcome: Outcome) -> Step {
        Step::Reply {
            date: d(date),
            outcome,
            basis: outcome
                .default_basis()
                .unwrap_or("条例第三十六条")
                .to_string(),
            remedies_stated: true,
            override_reason: None,
        }
    }

    fn run(app: &mut Application, step: Step) {
        let kind = step.kind();
        app.apply(&step, &cal(), &cfg())
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }

    // ------------------------------------------------------------------ receipt dates

    #[test]
    fn receipt_date_per_channel() {
        let dates = ReceiptDates {
            submitted: Some(d("2024-09-18")),
            signed_for: Some(d("2024-09-20")),
            confirmed: Some(d("2024-09-23")),
        };
        assert_eq!(receipt_date(Channel::InPerson, &dates), Ok(d("2024-09-18")));
        assert_eq!(receipt_date(Channel::Oral, &dates), Ok(d("2024-09-18")));
        assert_eq!(
            receipt_date(Channel::RegisteredPost, &dates),
            Ok(d("2024-09-20"))
        );
        assert_eq!(
            receipt_date(Channel::OrdinaryPost, &dates),
            Ok(d("2024-09-23"))
        );
        assert_eq!(receipt_date(Channel::Online, &dates), Ok(d("2024-09-23")));
        assert_eq!(receipt_date(Channel::Fax, &dates), Ok(d("2024-09-23")));
        assert_eq!(receipt_date(Channel::Email, &dates), Ok(d("2024-09-23")));
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
            assert!(!c.receipt_rule().is_empty());
        }
    }

    #[test]
    fn receipt_date_missing_or_impossible() {
        let none = ReceiptDates::default();
        let e = receipt_date(Channel::RegisteredPost, &none).expect_err("missing");
        assert_eq!(
            e.to_string(),
            "挂号信件（需签收）方式的申请须填写签收日期，才能确定收到申请之日"
        );
        let e = receipt_date(Channel::InPerson, &none).expect_err("missing");
        assert_eq!(
            e.to_string(),
            "当面提交方式的申请须填写提交申请的日期，才能确定收到申请之日"
        );
        let e = receipt_date(
            Channel::OrdinaryPost,
            &ReceiptDates {
                signed_for: Some(d("2024-09-20")),
                ..none
            },
        )
        .expect_err("unconfirmed");
        assert_eq!(
            e.to_string(),
            "平常信件（无需签收）方式的申请须填写与申请人确认收到的日期，才能确定收到申请之日"
        );
        assert!(receipt_date(
            Channel::Online,
            &ReceiptDates {
                submitted: Some(d("2024-09-20")),
                ..none
            }
        )
        .is_err());
        // A registered letter cannot be signed for before it was posted.
        let e = receipt_date(
            Channel::RegisteredPost,
            &ReceiptDates {
                submitted: Some(d("2024-09-21")),
                signed_for: Some(d("2024-09-20")),
                confirmed: None,
            },
        )
        .expect_err("before submission");
        assert_eq!(
            e.to_string(),
            "收到申请之日（2024-09-20）不能早于申请人提交申请之日（2024-09-21）"
        );
        let e = receipt_date(
            Channel::OrdinaryPost,
            &ReceiptDates {
                submitted: None,
                signed_for: Some(d("2024-09-20")),
                confirmed: Some(d("2024-09-19")),
            },
        )
        .expect_err("confirmed before arrival");
        assert!(matches!(e, ApplicationError::ConfirmedBeforeArrival { .. }));
        // Confirming on the day of arrival is the rule; later confirmation counts as well.
        assert_eq!(
            receipt_date(
                Channel::OrdinaryPost,
                &ReceiptDates {
                    submitted: None,
                    signed_for: Some(d("2024-09-20")),
                    confirmed: Some(d("2024-09-20"))
                }
            ),
            Ok(d("2024-09-20"))
        );
    }

    // ------------------------------------------------------------------ applicants / outcomes

    #[test]
    fn applicant_columns_follow_section3() {
        let cols = format(FormatVersion::V2021).section3_columns;
        for (i, k) in ApplicantKind::ALL.into_iter().enumerate() {
            assert_eq!(k.column(), i);
            if let ApplicantKind::Organisation(t) = k {
                assert_eq!(t.label(), cols[i]);
                assert_eq!(OrgType::parse(t.as_str()), Some(t));
            }
        }
        assert_eq!(cols[ApplicantKind::NaturalPerson.column()], "自然人");
        assert_eq!(
            ApplicantKind::Organisation(OrgType::LegalService).label(),
            "法人或其他组织（法律服务机构）"
        );
    }

    #[test]
    fn outcomes_map_one_to_one_onto_result_rows() {
        let f = format(FormatVersion::V2021);
        let ids: Vec<&str> = f.section3_result_rows().map(|r| r.id).collect();
        let mapped: Vec<&str> = Outcome::ALL
            .iter()
            .map(|o| o.row_id(FormatVersion::V2021))
            .collect();
        assert_eq!(ids, mapped);
        let t = format(FormatVersion::Trial2019);
        for o in Outcome::ALL {
            let id = o.row_id(FormatVersion::Trial2019);
            assert_eq!(
                t.section3_row(id).map(|r| r.role),
                Some(RowRole::Result),
                "{o:?}"
            );
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(
            Outcome::OtherFeeUnpaid.row_id(FormatVersion::Trial2019),
            "（六）其他处理"
        );
        assert_eq!(
            Outcome::NotProcessedRepeat.row_id(FormatVersion::Trial2019),
            "不予处理/2.重复申请"
        );
        assert_eq!(Outcome::Disclosed.label(), "予以公开");
        assert_eq!(Outcome::PartlyDisclosed.label(), "部分公开");
        assert_eq!(
            Outcome::WithheldStateSecret.label(),
            "不予公开（属于国家秘密）"
        );
        assert_eq!(Outcome::OtherOther.label(), "其他处理（其他）");
        assert_eq!(
            Outcome::WithheldThirdPartyRights.default_basis(),
            Some("《中华人民共和国政府信息公开条例》第十五条")
        );
        assert_eq!(Outcome::NotProcessedConfirmation.default_basis(), None);
    }

    // ------------------------------------------------------------------ state × step table

    const D0: &str = "2024-03-04";

    fn fresh() -> Application {
        Application::new(ApplicantKind::NaturalPerson, Channel::Online, d(D0))
    }

    fn in_state(s: State) -> Application {
        let mut a = fresh();
        let accept = Step::Accept {
            date: d(D0),
            handler_id: 1,
        };
        let start = Step::StartProcessing {
            date: d("2024-03-05"),
        };
        match s {
            State::Received => {}
            State::Accepted => run(&mut a, accept),
            State::AwaitingCorrection => {
                run(&mut a, accept);
                run(
                    &mut a,
                    Step::RequestCorrection {
                        date: d("2024-03-05"),
                        defects: vec!["文号不明".into()],
                        deadline: d("2024-03-20"),
                    },
                );
            }
            State::InProgress => {
                run(&mut a, accept);
                run(&mut a, start);
            }
            State::ThirdPartyConsultation | State::AgencyConsultation => {
                run(&mut a, accept);
                run(&mut a, start);
                let party = if s == State::ThirdPartyConsultation {
                    ConsultParty::ThirdParty
                } else {
                    ConsultParty::OtherAgency
                };
                run(
                    &mut a,
                    Step::Consult {
                        date: d("2024-03-06"),
                        party,
                        addressee: "某公司".into(),
                    },
                );
            }
            State::AwaitingFee => {
                run(&mut a, accept);
                run(&mut a, start);
                run(
                    &mut a,
                    Step::IssueFeeNotice {
                        date: d("2024-03-06"),
                        method: FeeMethod::PerPage,
                        amount_fen: 10_000,
                        notice_received: d("2024-03-07"),
                    },
                );
            }
            State::Replied | State::Delivered | State::Closed => {
                run(&mut a, accept);
                run(&mut a, start);
                run(&mut a, reply("2024-03-06", Outcome::Disclosed));
                if s != State::Replied {
                    run(
                        &mut a,
                        Step::Deliver {
                            date: d("2024-03-07"),
                            method: DeliveryMethod::Email,
                            proof: "邮件发送记录".into(),
                        },
                    );
                }
                if s == State::Closed {
                    run(
                        &mut a,
                        Step::Close {
                            date: d("2024-03-08"),
                        },
                    );
                }
            }
        }
        assert_eq!(a.state, s);
        a
    }

    /// A step of the kind that is valid whenever the kind is allowed by state.
    fn sample(k: StepKind) -> (Step, State) {
        let t = d("2024-03-08");
        match k {
            StepKind::Accept => (
                Step::Accept {
                    date: t,
                    handler_id: 2,
                },
                State::Accepted,
            ),
            StepKind::RequestCorrection => (
                Step::RequestCorrection {
                    date: t,
                    defects: vec!["未写明所需信息的名称或文号".into()],
                    deadline: d("2024-03-29"),
                },
                State::AwaitingCorrection,
            ),
            StepKind::ReceiveCorrection => (
                Step::ReceiveCorrection {
                    date: d("2024-03-11"),
                    late_reason: None,
                },
                State::InProgress,
            ),
            StepKind::CorrectionLapsed => (
                Step::CorrectionLapsed {
                    date: d("2024-03-25"),
                },
                State::Closed,
            ),
            StepKind::StartProcessing => (Step::StartProcessing { date: t }, State::InProgress),
            StepKind::Consult => (
                Step::Consult {
                    date: t,
                    party: ConsultParty::ThirdParty,
                    addressee: "某公司".into(),
                },
                State::ThirdPartyConsultation,
            ),
            StepKind::ConsultationAnswered => (
                Step::ConsultationAnswered {
                    date: t,
                    answer: ConsultationAnswer::Consented,
                },
                State::InProgress,
            ),
            StepKind::Extend => (
                Step::Extend {
                    date: t,
                    working_days: 10,
                    approver: head(),
                    applicant_notified: true,
                },
                State::InProgress,
            ),
            StepKind::SetReasonablePeriod => (
                Step::SetReasonablePeriod {
                    date: t,
                    reasons: "申请数量明显超过合理范围".into(),
                    new_due: d("2024-06-28"),
                    applicant_notified: true,
                },
                State::InProgress,
            ),
            StepKind::IssueFeeNotice => (
                Step::IssueFeeNotice {
                    date: t,
                    method: FeeMethod::PerPiece,
                    amount_fen: 10_000,
                    notice_received: t,
                },
                State::AwaitingFee,
            ),
            StepKind::PayFee => (
                Step::PayFee {
                    date: d("2024-03-11"),
                    amount_fen: 10_000,
                    receipt_no: "No.0001".into(),
                },
                State::InProgress,
            ),
            StepKind::FeeLapsed => (
                Step::FeeLapsed {
                    date: d("2024-05-31"),
                },
                State::Closed,
            ),
            StepKind::Reply => (reply("2024-03-08", Outcome::Disclosed), State::Replied),
            StepKind::Deliver => (
                Step::Deliver {
                    date: t,
                    method: DeliveryMethod::Post,
                    proof: "EMS 1234567890".into(),
                },
                State::Delivered,
            ),
            StepKind::Close => (Step::Close { date: t }, State::Closed),
            StepKind::Withdraw => (
                Step::Withdraw {
                    date: t,
                    reason: "申请人书面撤回".into(),
                },
                State::Closed,
            ),
        }
    }

    #[test]
    fn every_state_and_step_pair() {
        let mut allowed_pairs = 0;
        for s in State::ALL {
            let base = in_state(s);
            let allowed = base.allowed_steps();
            for k in StepKind::ALL {
                let (step, target) = sample(k);
                assert_eq!(step.kind(), k);
                let mut a = base.clone();
                let r = a.apply(&step, &cal(), &cfg());
                if k.sources().contains(&s) {
                    allowed_pairs += 1;
                    assert!(allowed.contains(&k));
                    r.unwrap_or_else(|e| panic!("{s:?} × {k:?} should succeed: {e}"));
                    assert_eq!(a.state, target, "{s:?} × {k:?}");
                    assert_eq!(a.steps.last(), Some(&step));
                } else {
                    assert!(!allowed.contains(&k));
                    let e = r.expect_err("refused");
                    assert_eq!(
                        e,
                        ApplicationError::InvalidTransition { state: s, step: k },
                        "{s:?} × {k:?}"
                    );
                    assert!(
                        e.to_string()
                            .starts_with(&format!("当前状态（{}）不能执行", s.label())),
                        "{e}"
                    );
                    assert_eq!(a, base, "refused step must leave the case unchanged");
                }
            }
        }
        assert_eq!(allowed_pairs, 25);
        // A closed case allows nothing.
        assert!(in_state(State::Closed).allowed_steps().is_empty());
    }

    #[test]
    fn closing_steps_set_the_statutory_outcome() {
        let mut a = in_state(State::AwaitingCorrection);
        run(
            &mut a,
            Step::CorrectionLapsed {
                date: d("2024-03-21"),
            },
        );
        assert_eq!(a.outcome, Some(Outcome::OtherNoCorrection));
        assert_eq!(a.decided_on, Some(d("2024-03-21")));
        let mut a = in_state(State::AwaitingFee);
        // payment due: notice received 2024-03-07 + 20 working days = 2024-04-07 (清明调休上班, Sunday)
        assert_eq!(a.fee.as_ref().map(|f| f.payment_due), Some(d("2024-04-07")));
        let e = a
            .apply(
                &Step::FeeLapsed {
                    date: d("2024-04-07"),
                },
                &cal(),
                &cfg(),
            )
            .expect_err("not yet");
        assert_eq!(
            e.to_string(),
            "缴费期限（2024-04-07）尚未届满，不能按逾期未缴费结案"
        );
        run(
            &mut a,
            Step::FeeLapsed {
                date: d("2024-04-08"),
            },
        );
        assert_eq!(a.outcome, Some(Outcome::OtherFeeUnpaid));
        for s in [
            State::Received,
            State::ThirdPartyConsultation,
            State::AwaitingFee,
        ] {
            let mut a = in_state(s);
            run(
                &mut a,
                Step::Withdraw {
                    date: d("2024-03-08"),
                    reason: "电话撤回，已记录".into(),
                },
            );
            assert_eq!(a.outcome, Some(Outcome::OtherOther));
            assert!(a.pauses.iter().all(|p| p.end.is_some()));
            assert_eq!(
                a.clock(&cal(), &cfg(), d("2024-04-30")).status,
                ClockStatus::Stopped
            );
        }
    }

    // ------------------------------------------------------------------ refused steps

    fn refuse(a: &Application, step: Step) -> ApplicationError {
        let mut b = a.clone();
        let e = b
            .apply(&step, &cal(), &cfg())
            .expect_err("should be refused");
        assert_eq!(&b, a, "unchanged after {e}");
        e
    }

    #[test]
    fn correction_rules() {
        let a = in_state(State::Accepted);
        // 7 working days from 2024-03-04 → 2024-03-13.
        assert_eq!(a.correction_notice_due(&cal()), d("2024-03-13"));
        let e = refuse(
            &a,
            Step::RequestCorrection {
                date: d("2024-03-14"),
                defects: vec!["x".into()],
                deadline: d("2024-03-30"),
            },
        );
        assert_eq!(
            e.to_string(),
            "补正告知应在收到申请之日起7个工作日内发出（最迟 2024-03-13），已逾期，不能再要求补正"
        );
        assert!(
            refuse(
                &a,
                Step::RequestCorrection {
                    date: d("2024-03-13"),
                    defects: vec![],
                    deadline: d("2024-03-30")
                }
            ) == ApplicationError::NoDefects
        );
        assert!(
            refuse(
                &a,
                Step::RequestCorrection {
                    date: d("2024-03-13"),
                    defects: vec!["a".into(), " ".into()],
                    deadline: d("2024-03-30")
                }
            ) == ApplicationError::NoDefects
        );
        assert!(matches!(
            refuse(
                &a,
                Step::RequestCorrection {
                    date: d("2024-03-13"),
                    defects: vec!["a".into()],
                    deadline: d("2024-03-13")
                }
            ),
            ApplicationError::CorrectionDeadlineInvalid { .. }
        ));
        let e = refuse(
            &a,
            Step::Accept {
                date: d("2024-03-01"),
                handler_id: 1,
            },
        );
        assert!(matches!(e, ApplicationError::InvalidTransition { .. }));
        let e = refuse(
            &a,
            Step::StartProcessing {
                date: d("2024-03-01"),
            },
        );
        assert_eq!(
            e.to_string(),
            "“开始办理”的日期（2024-03-01）不能早于上一步骤的日期（2024-03-04）"
        );

        let w = in_state(State::AwaitingCorrection);
        let e = refuse(
            &w,
            Step::ReceiveCorrection {
                date: d("2024-03-21"),
                late_reason: None,
            },
        );
        assert_eq!(
            e.to_string(),
            "补正期限已于 2024-03-20 届满；逾期补正须记录正当理由，否则应按“逾期未补正”结案"
        );
        assert!(
            refuse(
                &w,
                Step::ReceiveCorrection {
                    date: d("2024-03-21"),
                    late_reason: Some("  ".into())
                }
            ) == ApplicationError::CorrectionLate {
                deadline: d("2024-03-20")
            }
        );
        let e = refuse(
            &w,
            Step::CorrectionLapsed {
                date: d("2024-03-20"),
            },
        );
        assert_eq!(
            e,
            ApplicationError::CorrectionNotLapsed {
                deadline: d("2024-03-20")
            }
        );
        let mut late = w.clone();
        run(
            &mut late,
            Step::ReceiveCorrection {
                date: d("2024-03-22"),
                late_reason: Some("邮路延误，有邮戳为证".into()),
            },
        );
        assert_eq!(late.clock_start, d("2024-03-22"));
        // One notice per receipt: no second request before a correction arrives …
        let mut b = in_state(State::AwaitingCorrection);
        run(
            &mut b,
            Step::ReceiveCorrection {
                date: d("2024-03-11"),
                late_reason: None,
            },
        );
        // … but after a correction a new notice is allowed within 7 working days of it.
        let mut c = b.clone();
        run(
            &mut c,
            Step::RequestCorrection {
                date: d("2024-03-20"),
                defects: vec!["仍不明确".into()],
                deadline: d("2024-04-10"),
            },
        );
        let e = refuse(
            &b,
            Step::RequestCorrection {
                date: d("2024-03-21"),
                defects: vec!["x".into()],
                deadline: d("2024-04-10"),
            },
        );
        assert!(
            matches!(e, ApplicationError::CorrectionNoticeLate { due } if due == d("2024-03-20"))
        );
        // A single notice: a case in progress that already had its notice for this receipt.
        let mut once = in_state(State::Accepted);
        run(
            &mut once,
            Step::RequestCorrection {
                date: d("2024-03-05"),
                defects: vec!["a".into()],
                deadline: d("2024-03-15"),
            },
        );
        assert!(once.correction_requested);
        // 补正后仍不明确 needs a correction; without one it is refused.
        let e = refuse(
            &in_state(State::InProgress),
            reply("2024-03-08", Outcome::UnavailableStillUnclear),
        );
        assert_eq!(
            e.to_string(),
            "申请未经补正，不能以“补正后申请内容仍不明确”答复"
        );
        let mut ok = b.clone();
        run(
            &mut ok,
            reply("2024-03-12", Outcome::UnavailableStillUnclear),
        );
    }

    #[test]
    fn consultation_rules() {
        let a = in_state(State::InProgress);
        assert_eq!(
            refuse(
                &a,
                Step::Consult {
                    date: d("2024-03-06"),
                    party: ConsultParty::ThirdParty,
                    addressee: " ".into()
                }
            )
            .to_string(),
            "征求意见须写明被征求意见的第三方"
        );
        let t = in_state(State::ThirdPartyConsultation);
        // consulted 2024-03-06 + 15 working days = 2024-03-27
        assert_eq!(
            t.consultation,
            Some((ConsultParty::ThirdParty, d("2024-03-27")))
        );
        let e = refuse(
            &t,
            Step::ConsultationAnswered {
                date: d("2024-03-26"),
                answer: ConsultationAnswer::NoAnswer,
            },
        );
        assert_eq!(
            e.to_string(),
            "第三方的答复期限（2024-03-27）尚未届满，不能按逾期未答复处理"
        );
        let mut silent = t.clone();
        run(
            &mut silent,
            Step::ConsultationAnswered {
                date: d("2024-03-27"),
                answer: ConsultationAnswer::NoAnswer,
            },
        );
        assert!(!silent.third_party_objected);
        assert_eq!(
            refuse(
                &t,
                Step::ConsultationAnswered {
                    date: d("2024-03-08"),
                    answer: ConsultationAnswer::Objected { reasons: "".into() }
                }
            ),
            ApplicationError::ObjectionReasonsMissing
        );
        let mut objected = t.clone();
        run(
            &mut objected,
            Step::ConsultationAnswered {
                date: d("2024-03-08"),
                answer: ConsultationAnswer::Objected {
                    reasons: "涉及商业秘密".into(),
                },
            },
        );
        assert!(objected.third_party_objected);
        let e = refuse(&objected, reply("2024-03-11", Outcome::Disclosed));
        assert_eq!(e, ApplicationError::OverrideReasonMissing);
        let mut over = objected.clone();
        run(
            &mut over,
            Step::Reply {
                date: d("2024-03-11"),
                outcome: Outcome::Disclosed,
                basis: "条例第三十二条".into(),
                remedies_stated: true,
                override_reason: Some("不公开可能对公共利益造成重大影响".into()),
            },
        );
        let mut withheld = objected.clone();
        run(
            &mut withheld,
            reply("2024-03-11", Outcome::WithheldThirdPartyRights),
        );
        // Another agency's objection does not set the third-party flag.
        let mut ag = in_state(State::AgencyConsultation);
        run(
            &mut ag,
            Step::ConsultationAnswered {
                date: d("2024-03-08"),
                answer: ConsultationAnswer::Objected {
                    reasons: "尚在研究".into(),
                },
            },
        );
        assert!(!ag.third_party_objected);
    }

    #[test]
    fn extension_and_reasonable_period_rules() {
        let a = in_state(State::InProgress);
        let ext = |n: u32, head_ok: bool, notified: bool, date: &str| Step::Extend {
            date: d(date),
            working_days: n,
            approver: Approver {
                user_id: 3,
                is_office_head: head_ok,
            },
            applicant_notified: notified,
        };
        assert_eq!(
            refuse(&a, ext(0, true, true, "2024-03-08")),
            ApplicationError::ExtensionOutOfRange(0)
        );
        assert_eq!(
            refuse(&a, ext(21, true, true, "2024-03-08")).to_string(),
            "延长答复期限须为1至20个工作日（填写的是21个）"
        );
        assert_eq!(
            refuse(&a, ext(20, false, true, "2024-03-08")).to_string(),
            "延期答复须经政府信息公开工作机构负责人同意"
        );
        assert_eq!(
            refuse(&a, ext(20, true, false, "2024-03-08")).to_string(),
            "延期答复须告知申请人"
        );
        // due 2024-04-01; deciding later is refused
        assert_eq!(
            refuse(&a, ext(20, true, true, "2024-04-02")).to_string(),
            "延期答复的决定应在答复期限届满（2024-04-01）前作出"
        );
        let mut b = a.clone();
        run(&mut b, ext(20, true, true, "2024-04-01"));
        assert_eq!(
            refuse(&b, ext(1, true, true, "2024-04-02")),
            ApplicationError::ExtensionAlreadyGranted
        );

        let rp = |reasons: &str, due: &str, notified: bool| Step::SetReasonablePeriod {
            date: d("2024-03-08"),
            reasons: reasons.into(),
            new_due: d(due),
            applicant_notified: notified,
        };
        assert_eq!(
            refuse(&a, rp(" ", "2024-06-28", true)),
            ApplicationError::ReasonablePeriodReasonsMissing
        );
        assert_eq!(
            refuse(&a, rp("数量大", "2024-06-28", false)).to_string(),
            "合理答复期限须告知申请人"
        );
        assert_eq!(
            refuse(&a, rp("数量大", "2024-04-01", true)).to_string(),
            "合理答复期限（2024-04-01）应晚于当前答复期限（2024-04-01）"
        );
        let mut c = a.clone();
        run(&mut c, rp("数量大", "2024-06-28", true));
        assert_eq!(
            refuse(&c, rp("数量大", "2024-07-28", true)),
            ApplicationError::ReasonablePeriodAlreadySet
        );
        let clock = c.clock(&cal(), &cfg(), d("2024-04-15"));
        assert_eq!(clock.due, Some(d("2024-06-28")));
        assert!(!clock.overdue);
        assert!(
            clock
                .explanation
                .contains("依条例第三十五条确定的合理答复期限：2024-06-28"),
            "{}",
            clock.explanation
        );
    }

    #[test]
    fn fee_and_reply_rules() {
        let a = in_state(State::InProgress);
        let notice = |amount: i64, received: &str| Step::IssueFeeNotice {
            date: d("2024-03-08"),
            method: FeeMethod::PerPage,
            amount_fen: amount,
            notice_received: d(received),
        };
        assert_eq!(
            refuse(&a, notice(0, "2024-03-08")).to_string(),
            "收费金额为0元：申请未超过免费额度，不得发出收费通知"
        );
        assert!(matches!(
            refuse(&a, notice(-5, "2024-03-08")),
            ApplicationError::FeeNotPositive(-5)
        ));
        assert!(matches!(
            refuse(&a, notice(100, "2024-03-07")),
            ApplicationError::FeeNoticeReceivedBeforeIssued { .. }
        ));
        let late = Step::IssueFeeNotice {
            date: d("2024-04-02"),
            method: FeeMethod::PerPage,
            amount_fen: 100,
            notice_received: d("2024-04-02"),
        };
        assert_eq!(
            refuse(&a, late).to_string(),
            "收费通知应在答复期限届满（2024-04-01）前作出"
        );
        let f = in_state(State::AwaitingFee);
        let pay = |amount: i64, no: &str, date: &str| Step::PayFee {
            date: d(date),
            amount_fen: amount,
            receipt_no: no.into(),
        };
        assert_eq!(
            refuse(&f, pay(9_999, "R1", "2024-03-11")).to_string(),
            "缴费金额（99.99元）与收费通知金额（100元）不一致"
        );
        assert_eq!(
            refuse(&f, pay(10_000, " ", "2024-03-11")),
            ApplicationError::ReceiptNumberMissing
        );
        assert_eq!(
            refuse(&f, pay(10_000, "R1", "2024-04-08")).to_string(),
            "缴费期限已于 2024-04-07 届满，应按逾期未缴费结案"
        );
        let mut paid = f.clone();
        run(&mut paid, pay(10_000, "R1", "2024-04-07"));
        assert_eq!(paid.state, State::InProgress);
        // One fee per application (one method, B3).
        let again = Step::IssueFeeNotice {
            date: d("2024-04-08"),
            method: FeeMethod::PerPiece,
            amount_fen: 100,
            notice_received: d("2024-04-08"),
        };
        assert_eq!(refuse(&paid, again), ApplicationError::FeeAlreadyCharged);

        let r = |outcome: Outcome, basis: &str, remedies: bool| Step::Reply {
            date: d("2024-03-08"),
            outcome,
            basis: basis.into(),
            remedies_stated: remedies,
            override_reason: None,
        };
        assert_eq!(
            refuse(&a, r(Outcome::Disclosed, " ", true)).to_string(),
            "答复须写明所依据的法律条款"
        );
        assert_eq!(
            refuse(&a, r(Outcome::Disclosed, "第三十六条", false)),
            ApplicationError::RemediesMissing
        );
        assert_eq!(refuse(&a, r(Outcome::OtherNoCorrection, "第三十条", true)).to_string(), "“其他处理（申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请）”不能通过答复选择，应执行“逾期未补正结案”");
        assert!(matches!(
            refuse(&a, r(Outcome::OtherFeeUnpaid, "x", true)),
            ApplicationError::OutcomeNeedsOwnStep { .. }
        ));
        // Every other outcome can be given by a reply, from 受理 (on the spot) or 办理中.
        for o in Outcome::ALL
            .into_iter()
            .filter(|o| o.needs_own_step().is_none() && *o != Outcome::UnavailableStillUnclear)
        {
            for s in [State::Accepted, State::InProgress] {
                let mut b = in_state(s);
                run(&mut b, r(o, "第三十六条", true));
                assert_eq!(b.outcome, Some(o));
                assert_eq!(b.case_record().decision, Some((o, d("2024-03-08"))));
            }
        }
        let rep = in_state(State::Replied);
        assert_eq!(
            refuse(
                &rep,
                Step::Deliver {
                    date: d("2024-03-08"),
                    method: DeliveryMethod::Post,
                    proof: "".into()
                }
            ),
            ApplicationError::ProofMissing
        );
        assert_eq!(
            refuse(
                &in_state(State::InProgress),
                Step::Withdraw {
                    date: d("2024-03-08"),
                    reason: " ".into()
                }
            ),
            ApplicationError::WithdrawReasonMissing
        );
        assert!(
            !REMEDIES_NOTICE.is_empty()
                && REMEDIES_NOTICE.contains("60日")
                && REMEDIES_NOTICE.contains("6个月")
                && REMEDIES_NOTICE.contains("第五十一条")
        );
    }

    // ------------------------------------------------------------------ the clock

    #[test]
    fn clock_across_national_day_with_correction_consultation_extension_and_fee() {
        let c = cal();
        let mut a = Application::new(
            ApplicantKind::Organisation(OrgType::Research),
            Channel::RegisteredPost,
            d("2024-09-20"),
        );
        // 20 working days from Fri 2024-09-20, across 中秋/国庆 and the 09-29 / 10-12 make-up days.
        let k = a.clock(&c, &cfg(), d("2024-09-20"));
        assert_eq!(k.due, Some(d("2024-10-23")));
        assert_eq!(k.status, ClockStatus::Running);
        assert!(
            k.explanation.contains("国庆节调休上班"),
            "{}",
            k.explanation
        );
        assert!(k.explanation.contains("国庆节假期"), "{}", k.explanation);
        assert!(!k.provisional);
        // Overdue if nothing happens.
        let k = a.clock(&c, &cfg(), d("2024-10-25"));
        assert!(k.overdue);
        assert_eq!(k.working_days_left, Some(-2));
        assert!(
            k.explanation.contains("已超过答复期限 2 个工作日"),
            "{}",
            k.explanation
        );

        run(
            &mut a,
            Step::Accept {
                date: d("2024-09-23"),
                handler_id: 5,
            },
        );
        assert_eq!(a.correction_notice_due(&c), d("2024-09-30"));
        run(
            &mut a,
            Step::RequestCorrection {
                date: d("2024-09-27"),
                defects: vec!["请写明文件名称或文号".into(), "请提供身份证明".into()],
                deadline: d("2024-10-18"),
            },
        );
        let k = a.clock(&c, &cfg(), d("2024-10-08"));
        assert_eq!(k.status, ClockStatus::AwaitingCorrection);
        assert_eq!(k.due, None);
        // The correction restarts the clock: Thu 2024-10-10 + 20 → 2024-11-06.
        run(
            &mut a,
            Step::ReceiveCorrection {
                date: d("2024-10-10"),
                late_reason: None,
            },
        );
        let k = a.clock(&c, &cfg(), d("2024-10-10"));
        assert_eq!(k.due, Some(d("2024-11-06")));
        assert_eq!(k.working_days_left, Some(20));
        assert!(
            k.explanation
                .starts_with("收到补正之日：2024-10-10（星期四）"),
            "{}",
            k.explanation
        );
        // Third-party consultation pauses the clock; while open, the due date assumes it ends today.
        run(
            &mut a,
            Step::Consult {
                date: d("2024-10-14"),
                party: ConsultParty::ThirdParty,
                addressee: "某科技有限公司".into(),
            },
        );
        assert_eq!(
            a.consultation,
            Some((ConsultParty::ThirdParty, d("2024-11-04")))
        );
        let k = a.clock(&c, &cfg(), d("2024-10-18"));
        assert_eq!(
            k.status,
            ClockStatus::Paused(PauseKind::ThirdPartyConsultation)
        );
        assert_eq!(k.due, Some(d("2024-11-12")));
        assert_eq!(k.paused_working_days, 4);
        run(
            &mut a,
            Step::ConsultationAnswered {
                date: d("2024-10-25"),
                answer: ConsultationAnswer::Objected {
                    reasons: "涉及商业秘密".into(),
                },
            },
        );
        let k = a.clock(&c, &cfg(), d("2024-10-25"));
        assert_eq!(k.due, Some(d("2024-11-19")));
        assert_eq!(k.paused_working_days, 9);
        assert!(
            k.explanation
                .contains("征求第三方意见：2024-10-14 至 2024-10-25，不计入9个工作日"),
            "{}",
            k.explanation
        );
        // Extension of 10 working days approved by the office head.
        run(
            &mut a,
            Step::Extend {
                date: d("2024-11-01"),
                working_days: 10,
                approver: head(),
                applicant_notified: true,
            },
        );
        let k = a.clock(&c, &cfg(), d("2024-11-01"));
        assert_eq!(k.due, Some(d("2024-12-03")));
        assert_eq!(k.period_working_days, 30);
        assert!(
            k.explanation.contains("经批准延长10个工作日，共30个工作日"),
            "{}",
            k.explanation
        );
        // Fee notice: the fee window pauses the clock by default.
        run(
            &mut a,
            Step::IssueFeeNotice {
                date: d("2024-11-20"),
                method: FeeMethod::PerPage,
                amount_fen: 470_000,
                notice_received: d("2024-11-22"),
            },
        );
        assert_eq!(a.fee.as_ref().map(|f| f.payment_due), Some(d("2024-12-20")));
        assert_eq!(
            a.clock(&c, &cfg(), d("2024-11-25")).status,
            ClockStatus::Paused(PauseKind::FeeWindow)
        );
        run(
            &mut a,
            Step::PayFee {
                date: d("2024-12-02"),
                amount_fen: 470_000,
                receipt_no: "财政票据 0012345".into(),
            },
        );
        let k = a.clock(&c, &cfg(), d("2024-12-02"));
        assert_eq!(k.due, Some(d("2024-12-13")));
        assert_eq!(k.paused_working_days, 17);
        // With the (UNCONFIRMED) fee pause switched off, only the consultation counts.
        let off = ClockConfig {
            fee_window_pauses_clock: false,
        };
        let k = a.clock(&c, &off, d("2024-12-02"));
        assert_eq!(k.due, Some(d("2024-12-03")));
        assert!(
            k.explanation.contains("按配置不暂停计时"),
            "{}",
            k.explanation
        );
        // Reply 部分公开 on 2024-12-10: on time, three working days to spare.
        run(&mut a, reply("2024-12-10", Outcome::PartlyDisclosed));
        let k = a.clock(&c, &cfg(), d("2025-03-01"));
        assert_eq!(k.status, ClockStatus::Stopped);
        assert_eq!(k.working_days_left, Some(3));
        assert!(!k.overdue);
        assert!(
            k.explanation.contains("已于 2024-12-10 办结，在答复期限内"),
            "{}",
            k.explanation
        );
        run(
            &mut a,
            Step::Deliver {
                date: d("2024-12-11"),
                method: DeliveryMethod::Post,
                proof: "EMS 1100000000000".into(),
            },
        );
        run(
            &mut a,
            Step::Close {
                date: d("2024-12-12"),
            },
        );
        // Replaying the recorded steps gives the same case.
        let again = Application::replay(a.applicant, a.channel, a.received, &a.steps, &c, &cfg())
            .expect("replay");
        assert_eq!(again, a);
        let mut bad = a.steps.clone();
        bad.swap(0, 1);
        assert!(matches!(
            Application::replay(a.applicant, a.channel, a.received, &bad, &c, &cfg()),
            Err((0, _))
        ));
    }

    #[test]
    fn clock_across_spring_festival() {
        let c = cal();
        let a = Application::new(
            ApplicantKind::NaturalPerson,
            Channel::InPerson,
            d("2025-01-20"),
        );
        let k = a.clock(&c, &cfg(), d("2025-01-27"));
        // 春节 2025-01-28..02-04 with make-up days Sun 01-26 and Sat 02-08.
        assert_eq!(k.due, Some(d("2025-02-21")));
        assert_eq!(k.working_days_left, Some(14));
        assert!(k.explanation.contains("春节假期"), "{}", k.explanation);
        assert!(
            k.explanation.contains("2025-01-26（星期日）春节调休上班"),
            "{}",
            k.explanation
        );
        let a = Application::new(
            ApplicantKind::NaturalPerson,
            Channel::Online,
            d("2026-02-06"),
        );
        assert_eq!(
            a.clock(&c, &cfg(), d("2026-02-06")).due,
            Some(d("2026-03-12"))
        );
    }

    #[test]
    fn clock_in_a_provisional_year() {
        let a = Application::new(
            ApplicantKind::NaturalPerson,
            Channel::Email,
            d("2026-12-15"),
        );
        let k = a.clock(&cal(), &cfg(), d("2026-12-15"));
        // 元旦 2027-01-01 is fixed by the holiday regulations even before the notice.
        assert_eq!(k.due, Some(d("2027-01-13")));
        assert!(k.provisional);
        assert!(k.explanation.contains("暂定"), "{}", k.explanation);
        let a = Application::new(
            ApplicantKind::NaturalPerson,
            Channel::Email,
            d("2026-11-02"),
        );
        assert!(!a.clock(&cal(), &cfg(), d("2026-11-02")).provisional);
    }

    #[test]
    fn pauses_before_a_restart_and_overlapping_pauses() {
        let c = cal();
        let input = ClockInput {
            start: d("2024-03-04"),
            restarted_by_correction: false,
            awaiting_correction: None,
            pauses: vec![
                Pause {
                    kind: PauseKind::ThirdPartyConsultation,
                    start: d("2024-03-05"),
                    end: Some(d("2024-03-12")),
                },
                Pause {
                    kind: PauseKind::AgencyConsultation,
                    start: d("2024-03-08"),
                    end: Some(d("2024-03-14")),
                },
                // entirely before the start: ignored
                Pause {
                    kind: PauseKind::FeeWindow,
                    start: d("2024-02-01"),
                    end: Some(d("2024-02-20")),
                },
            ],
            extension_days: 0,
            reasonable_period_due: None,
            stopped_on: None,
        };
        let k = reply_clock(&input, &c, &cfg(), d("2024-03-15"));
        // (03-05, 03-14] = 7 working days paused; 2024-03-04 + 27 → 2024-04-12 (清明 04-04..06, 04-07 make-up)
        assert_eq!(k.paused_working_days, 7);
        assert_eq!(k.due, Some(c.add_working_days(d("2024-03-04"), 27).due));
        // A pause that starts after the due date does not move it.
        let late = ClockInput {
            pauses: vec![Pause {
                kind: PauseKind::ThirdPartyConsultation,
                start: d("2024-04-10"),
                end: Some(d("2024-04-30")),
            }],
            ..input
        };
        let k = reply_clock(&late, &c, &cfg(), d("2024-05-06"));
        assert_eq!(k.due, Some(d("2024-04-01")));
        assert!(k.overdue);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The due date has exactly `period` unpaused working days after the start, and is one of them.
        #[test]
        fn due_counts_only_active_days(start_off in 0i64..900, pauses in proptest::collection::vec((0i64..60, 0i64..20), 0..4), ext in 0u32..=20) {
            let c = Calendar::official();
            let start = d("2024-01-01") + chrono::Duration::days(start_off);
            let pauses: Vec<Pause> = pauses.iter().map(|(o, len)| Pause {
                kind: PauseKind::ThirdPartyConsultation,
                start: start + chrono::Duration::days(*o),
                end: Some(start + chrono::Duration::days(o + len)),
            }).collect();
            let input = ClockInput { start, restarted_by_correction: false, awaiting_correction: None, pauses: pauses.clone(), extension_days: ext, reasonable_period_due: None, stopped_on: None };
            let k = reply_clock(&input, &c, &ClockConfig::default(), start);
            let due = k.due.expect("due");
            let paused = |x: NaiveDate| pauses.iter().any(|p| p.start < x && p.end.is_some_and(|e| x <= e));
            let active = start.iter_days().skip(1).take_while(|x| *x <= due).filter(|x| c.is_working_day(*x) && !paused(*x)).count();
            prop_assert_eq!(active as u32, REPLY_WORKING_DAYS + ext);
            prop_assert!(c.is_working_day(due) && !paused(due));
        }

        /// The annual report's late-reply count agrees with the full clock as of the decision,
        /// whatever the pauses (open ones too, and fee windows under either setting), the
        /// extension, a reasonable period or an awaited correction.
        #[test]
        fn decided_late_agrees_with_the_clock(
            start_off in 0i64..900,
            pauses in proptest::collection::vec((0i64..60, 0i64..20, any::<bool>(), any::<bool>()), 0..4),
            ext in 0u32..=20,
            decided_after in 0i64..90,
            reasonable in proptest::option::of(0i64..120),
            awaiting in any::<bool>(),
            fee_pauses in any::<bool>(),
        ) {
            let c = Calendar::official();
            let start = d("2024-01-01") + chrono::Duration::days(start_off);
            let pauses: Vec<Pause> = pauses.iter().map(|(o, len, open, fee)| Pause {
                kind: if *fee { PauseKind::FeeWindow } else { PauseKind::ThirdPartyConsultation },
                start: start + chrono::Duration::days(*o),
                end: (!open).then(|| start + chrono::Duration::days(o + len)),
            }).collect();
            let decided = start + chrono::Duration::days(decided_after);
            let input = ClockInput {
                start,
                restarted_by_correction: false,
                awaiting_correction: awaiting.then_some(decided),
                pauses,
                extension_days: ext,
                reasonable_period_due: reasonable.map(|r| start + chrono::Duration::days(r)),
                stopped_on: Some(decided),
            };
            let config = ClockConfig { fee_window_pauses_clock: fee_pauses };
            let k = reply_clock(&input, &c, &config, decided);
            prop_assert_eq!(decided_late(&input, &c, &config), k.status == ClockStatus::Stopped && k.overdue);
        }
    }

    // ------------------------------------------------------------------ statistics

    fn rec(kind: usize, received: &str, decision: Option<(Outcome, &str)>) -> CaseRecord {
        CaseRecord {
            applicant: ApplicantKind::ALL[kind],
            received: d(received),
            decision: decision.map(|(o, x)| (o, d(x))),
        }
    }

    #[test]
    fn section3_example_with_carry_over() {
        let records = vec![
            rec(0, "2024-03-01", Some((Outcome::Disclosed, "2024-03-20"))),
            rec(
                0,
                "2024-12-20",
                Some((Outcome::PartlyDisclosed, "2025-01-15")),
            ), // carried over into 2025
            rec(1, "2024-12-30", None), // still open
            rec(
                4,
                "2025-02-01",
                Some((Outcome::OtherFeeUnpaid, "2025-04-01")),
            ),
            rec(3, "2025-12-30", None),
            rec(2, "2023-05-05", Some((Outcome::Disclosed, "2023-06-01"))), // closed before 2025
            rec(5, "2026-01-05", None),                                     // after the year
        ];
        let s = section3_statistics(&records, 2025);
        assert_eq!(s.version, FormatVersion::V2021);
        assert!(s.check().is_empty(), "{:?}", s.check());
        assert_eq!(
            s.row("一、本年新收政府信息公开申请数量"),
            Some(&[0, 0, 0, 1, 1, 0, 2])
        );
        assert_eq!(
            s.row("二、上年结转政府信息公开申请数量"),
            Some(&[1, 1, 0, 0, 0, 0, 2])
        );
        assert_eq!(
            s.row("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            Some(&[1, 0, 0, 0, 0, 0, 1])
        );
        assert_eq!(
            s.row(Outcome::OtherFeeUnpaid.row_id(FormatVersion::V2021)),
            Some(&[0, 0, 0, 0, 1, 0, 1])
        );
        assert_eq!(s.row("（七）总计"), Some(&[1, 0, 0, 0, 1, 0, 2]));
        assert_eq!(
            s.row("四、结转下年度继续办理"),
            Some(&[0, 1, 0, 1, 0, 0, 2])
        );
        // 2024: the December cases are carried over to the next year (C5 continuity).
        let s24 = section3_statistics(&records, 2024);
        assert_eq!(
            s24.row("四、结转下年度继续办理"),
            s.row("二、上年结转政府信息公开申请数量")
        );
        // The 2019 trial format for 2020: 其他处理 is one row.
        let old = section3_statistics(
            &[rec(
                0,
                "2020-03-01",
                Some((Outcome::OtherNoCorrection, "2020-04-01")),
            )],
            2020,
        );
        assert_eq!(old.version, FormatVersion::Trial2019);
        assert_eq!(old.row("（六）其他处理"), Some(&[1, 0, 0, 0, 0, 0, 1]));
        assert!(old.check().is_empty());
        // Lines come in table order with every row of the format.
        assert_eq!(
            s.lines.len(),
            format(FormatVersion::V2021).section3_rows.len()
        );
    }

    #[test]
    fn section3_from_applications() {
        let mut a = in_state(State::InProgress);
        run(
            &mut a,
            reply("2024-03-08", Outcome::WithheldProcessInformation),
        );
        let s = section3_statistics(
            &[a.case_record(), in_state(State::AwaitingFee).case_record()],
            2024,
        );
        assert_eq!(
            s.row("不予公开/6.属于四类过程性信息"),
            Some(&[1, 0, 0, 0, 0, 0, 1])
        );
        assert_eq!(
            s.row("四、结转下年度继续办理"),
            Some(&[1, 0, 0, 0, 0, 0, 1])
        );
    }

    fn any_record() -> impl Strategy<Value = CaseRecord> {
        (
            0usize..6,
            0i64..1500,
            proptest::option::of((0usize..21, 0i64..500)),
        )
            .prop_map(|(k, r, dec)| {
                let received = d("2022-06-01") + chrono::Duration::days(r);
                CaseRecord {
                    applicant: ApplicantKind::ALL[k],
                    received,
                    decision: dec.map(|(o, after)| {
                        (Outcome::ALL[o], received + chrono::Duration::days(after))
                    }),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn section3_identities_hold(records in proptest::collection::vec(any_record(), 0..80), year in 2020i32..2027) {
            let s = section3_statistics(&records, year);
            prop_assert!(s.check().is_empty(), "{:?}", s.check());
            let f = format(s.version);
            let total = |role: RowRole| s.lines.iter().find(|l| l.role == role).map(|l| l.cells).expect("row");
            let (new, inn, res, out) = (total(RowRole::Received), total(RowRole::CarriedIn), total(RowRole::ResultTotal), total(RowRole::CarriedOut));
            for c in 0..7 {
                // C1
                prop_assert_eq!(new[c] + inn[c], res[c] + out[c]);
                // C3
                prop_assert_eq!(f.section3_result_rows().map(|r| s.row(r.id).expect("row")[c]).sum::<u64>(), res[c]);
            }
            // C2
            for l in &s.lines {
                prop_assert_eq!(l.cells[..6].iter().sum::<u64>(), l.cells[6]);
            }
            // C9: each decided case in the year is counted in exactly one result row.
            let decided_in_year = records.iter().filter(|r| {
                r.received.year() <= year && r.decision.is_some_and(|(_, x)| x.year() == year)
            }).count() as u64;
            prop_assert_eq!(res[6], decided_in_year);
            // C5: carried out of year N = carried into N + 1.
            let next = section3_statistics(&records, year + 1);
            prop_assert_eq!(next.row(f.section3_row_with_role(RowRole::CarriedIn).expect("in").id).copied(),
                            s.row(f.section3_row_with_role(RowRole::CarriedOut).expect("out").id).copied());
        }
    }
}
