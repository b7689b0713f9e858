//! The letter texts. Every text is written for this project in formal Chinese
//! government-letter style; article numbers follow spec §3.3–§3.4 and §4.

use gongkai_domain::application::{
    ApplicantKind, ConsultParty, Outcome, Step, CONSULTATION_WORKING_DAYS,
    FEE_PAYMENT_WORKING_DAYS, MAX_EXTENSION_WORKING_DAYS, REMEDIES_NOTICE, REPLY_WORKING_DAYS,
};
use gongkai_domain::fees::{schedule_for, FeeMethod, FeeQuote, FeeSchedule, Tier};

use crate::{
    clean_text, format_date_cn as date, format_yuan_letter as yuan, LetterContext, LetterDraft,
    LetterError, LetterKind,
};

/// Short name of the Regulations after the first full citation.
const REGS: &str = "《中华人民共和国政府信息公开条例》";
const FEE_MEASURE: &str = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）";

/// How a letter addresses the applicant: 您 (a natural person) or 贵单位 (a legal person
/// or other organisation), never the template alternative "您（单位）".
pub fn address_form(kind: ApplicantKind) -> &'static str {
    match kind {
        ApplicantKind::NaturalPerson => "您",
        ApplicantKind::Organisation(_) => "贵单位",
    }
}

/// The closing formula of a letter to the applicant; nothing follows it in the body.
pub const CLOSING: &str = "特此告知。";
/// The closing formula of a letter to a consulted party.
pub const CLOSING_CONSULTATION: &str = "特此函告。";

/// Draft the letter; an error (Chinese message) when the context lacks what the kind needs
/// (e.g. a reply without a reply step).
pub fn draft(kind: LetterKind, ctx: &LetterContext) -> Result<LetterDraft, LetterError> {
    check_common(kind, ctx)?;
    let (title, mut paragraphs) = match kind {
        LetterKind::Receipt => receipt(ctx)?,
        LetterKind::Correction => correction(ctx)?,
        LetterKind::Extension => extension(ctx)?,
        LetterKind::Consultation => consultation(ctx)?,
        LetterKind::FeeNotice => fee_notice(ctx, None)?,
        LetterKind::Reply => reply(ctx)?,
    };
    paragraphs.retain(|p| !p.trim().is_empty());
    Ok(LetterDraft {
        kind,
        title,
        paragraphs: finish(kind, paragraphs),
    })
}

/// Tidy the paragraphs (no doubled punctuation) and end with the closing formula.
fn finish(kind: LetterKind, paragraphs: Vec<String>) -> Vec<String> {
    let closing = if kind == LetterKind::Consultation {
        CLOSING_CONSULTATION
    } else {
        CLOSING
    };
    let mut out: Vec<String> = paragraphs
        .into_iter()
        .map(|p| tidy_punctuation(&p))
        .filter(|p| !p.is_empty() && p != closing)
        .collect();
    out.push(closing.to_string());
    out
}

/// Collapse doubled punctuation that joining texts can produce: a full stop after a
/// closing quote that already ends a sentence ("。”。" → "。”"), two sentence marks in a
/// row ("。。", "；。" → "。"), and a comma before a full stop.
pub(crate) fn tidy_punctuation(p: &str) -> String {
    const ENDS: [char; 6] = ['。', '；', '！', '？', '，', '：'];
    let chars: Vec<char> = p.trim().chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for &c in &chars {
        if c == '。' {
            // "。”。" / "？”。": the sentence already ended inside the quote.
            if out.len() >= 2
                && matches!(out[out.len() - 1], '”' | '’' | '）')
                && matches!(out[out.len() - 2], '。' | '！' | '？')
            {
                continue;
            }
            if let Some(&last) = out.last() {
                if ENDS.contains(&last) {
                    // "，。" / "；。" / "。。": keep one full stop.
                    out.pop();
                }
            }
        } else if (c == '；' || c == '，') && out.last().is_some_and(|l| ENDS.contains(l)) {
            continue;
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// Text to be quoted inside “…” or followed by the letter's own punctuation: trimmed, on
/// one line, without trailing sentence punctuation.
fn clause(s: &str) -> String {
    one_line(s)
        .trim_end_matches([
            '。', '.', '；', ';', '，', ',', '！', '!', '？', '?', '：', ':', ' ',
        ])
        .to_string()
}

/// A full sentence: trailing punctuation normalised to one "。" unless it already ends a
/// sentence, a lead-in ("：") or a list item ("；"), or with a closing bracket or quote.
fn sentence(s: &str) -> String {
    let t = one_line(s);
    match t.chars().last() {
        None => t,
        // A colon or semicolon ends a lead-in or a list item the staff wrote on purpose.
        Some('。' | '！' | '？' | '）' | '”' | '…' | '：' | '；') => t,
        Some(_) => format!("{}。", clause(&t)),
    }
}

/// The fee notice with the computed quote's band-by-band breakdown (the tiers actually
/// applied). The quote must match the fee-notice step (method and amount).
pub fn draft_fee_notice_with_quote(
    ctx: &LetterContext,
    quote: &FeeQuote,
) -> Result<LetterDraft, LetterError> {
    check_common(LetterKind::FeeNotice, ctx)?;
    let (title, mut paragraphs) = fee_notice(ctx, Some(quote))?;
    paragraphs.retain(|p| !p.trim().is_empty());
    Ok(LetterDraft {
        kind: LetterKind::FeeNotice,
        title,
        paragraphs: finish(LetterKind::FeeNotice, paragraphs),
    })
}

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

fn missing(kind: LetterKind, what: &'static str) -> LetterError {
    LetterError::Missing {
        letter: kind.label(),
        what,
    }
}

fn invalid(kind: LetterKind, reason: impl Into<String>) -> LetterError {
    LetterError::Invalid {
        letter: kind.label(),
        reason: reason.into(),
    }
}

fn wrong_step(kind: LetterKind, expected: &'static str, step: &Step) -> LetterError {
    LetterError::WrongStep {
        letter: kind.label(),
        expected,
        found: step.kind().label(),
    }
}

/// Plain text on one line: control characters removed, runs of whitespace collapsed.
fn one_line(s: &str) -> String {
    clean_text(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_common(kind: LetterKind, ctx: &LetterContext) -> Result<(), LetterError> {
    if ctx.org_name.trim().is_empty() {
        return Err(missing(kind, "机关名称"));
    }
    if ctx.description.trim().is_empty() {
        return Err(missing(kind, "申请公开的政府信息内容描述"));
    }
    if kind != LetterKind::Consultation {
        if ctx.applicant_name.trim().is_empty() {
            return Err(missing(kind, "申请人姓名或者名称"));
        }
        if ctx.tracking_code.trim().is_empty() {
            return Err(missing(kind, "查询码"));
        }
    }
    if ctx.received < ctx.submitted_on {
        return Err(invalid(
            kind,
            format!(
                "收到申请之日（{}）不能早于提交申请之日（{}）",
                date(ctx.received),
                date(ctx.submitted_on)
            ),
        ));
    }
    if ctx.issue_date < ctx.received {
        return Err(invalid(
            kind,
            format!(
                "落款日期（{}）不能早于收到申请之日（{}）",
                date(ctx.issue_date),
                date(ctx.received)
            ),
        ));
    }
    Ok(())
}

fn salutation(ctx: &LetterContext) -> String {
    format!("{}：", one_line(&ctx.applicant_name))
}

/// "您（单位）于…提交的政府信息公开申请（查询码：…），本机关于…收到。申请公开的内容为：“…”。"
fn intro(ctx: &LetterContext) -> String {
    let you = address_form(ctx.applicant_kind);
    let received = if ctx.received == ctx.submitted_on {
        format!(
            "本机关于{}收到{you}提交的政府信息公开申请（查询码：{}）",
            date(ctx.received),
            one_line(&ctx.tracking_code)
        )
    } else {
        format!(
            "{you}于{}提交的政府信息公开申请（查询码：{}），本机关于{}收到",
            date(ctx.submitted_on),
            one_line(&ctx.tracking_code),
            date(ctx.received)
        )
    };
    format!(
        "{received}。申请公开的内容为：“{}”。",
        clause(&ctx.description)
    )
}

/// The staff's free text, one paragraph per non-empty line.
fn extra_paragraphs(ctx: &LetterContext) -> Vec<String> {
    ctx.extra
        .as_deref()
        .map(|e| {
            clean_text(e)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(sentence)
                .collect()
        })
        .unwrap_or_default()
}

fn contact_hint() -> String {
    "如有疑问，请与本机关政府信息公开工作机构联系（联系方式见文末）。".to_string()
}

// ---------------------------------------------------------------------------------------------
// 登记回执
// ---------------------------------------------------------------------------------------------

fn receipt(ctx: &LetterContext) -> Result<(String, Vec<String>), LetterError> {
    let you = address_form(ctx.applicant_kind);
    let kind = LetterKind::Receipt;
    let due = ctx
        .reply_due
        .ok_or_else(|| missing(kind, "答复期限届满日"))?;
    if due <= ctx.received {
        return Err(invalid(kind, "答复期限届满日须晚于收到申请之日"));
    }
    let code = one_line(&ctx.tracking_code);
    let mut p = vec![
        salutation(ctx),
        format!("{}经审查登记，现出具本回执。", intro(ctx)),
        format!(
            "依照{REGS}第三十一条的规定，本机关收到{you}申请之日为{}。依照该条例第三十三条的规定，\
             本机关将自收到申请之日起{REPLY_WORKING_DAYS}个工作日内作出答复，答复期限届满日为{}。\
             需要延长答复期限的，经本机关政府信息公开工作机构负责人同意后将另行书面告知，\
             延长的期限最长不超过{MAX_EXTENSION_WORKING_DAYS}个工作日；\
             征求第三方和其他机关意见所需时间不计算在答复期限内。",
            date(ctx.received),
            date(due)
        ),
        format!(
            "本申请的查询码为{code}。{you}可以凭查询码和提交申请时获得的查询密码，\
             在本机关政府信息公开平台查询办理进度和本机关出具的文书。请妥善保管查询密码，不要告知他人。"
        ),
    ];
    p.extend(extra_paragraphs(ctx));
    p.push(contact_hint());
    Ok(("政府信息公开申请登记回执".to_string(), p))
}

// ---------------------------------------------------------------------------------------------
// 补正告知书 (Art. 30)
// ---------------------------------------------------------------------------------------------

fn correction(ctx: &LetterContext) -> Result<(String, Vec<String>), LetterError> {
    let you = address_form(ctx.applicant_kind);
    let kind = LetterKind::Correction;
    let step = ctx
        .step
        .as_ref()
        .ok_or_else(|| missing(kind, "补正告知环节的记录"))?;
    let Step::RequestCorrection {
        defects, deadline, ..
    } = step
    else {
        return Err(wrong_step(kind, "补正告知", step));
    };
    let defects: Vec<String> = defects
        .iter()
        .map(|d| one_line(d))
        .filter(|d| !d.is_empty())
        .collect();
    if defects.is_empty() {
        return Err(missing(kind, "需要补正的事项（至少一项）"));
    }
    if *deadline <= ctx.issue_date {
        return Err(invalid(kind, "补正期限须晚于告知书落款日期"));
    }
    let mut p = vec![
        salutation(ctx),
        format!(
            "{}经审查，该申请的内容不够明确，本机关无法据此确定{you}所需的政府信息。\
             依照{REGS}第二十九条、第三十条的规定，现将需要补正的事项一次性告知如下：",
            intro(ctx)
        ),
    ];
    p.extend(defects.iter().enumerate().map(|(i, d)| {
        let end = if i + 1 == defects.len() { "。" } else { "；" };
        format!("{}. {}{end}", i + 1, clause(d))
    }));
    p.push(format!(
        "请{you}于{}前（含当日）按上述事项补正，并将补正后的申请提交本机关。\
         答复期限自本机关收到补正后的申请之日起重新计算。",
        date(*deadline)
    ));
    p.push(format!(
        "{you}无正当理由逾期不补正的，视为放弃申请，本机关将不再处理该政府信息公开申请。"
    ));
    p.extend(extra_paragraphs(ctx));
    p.push(contact_hint());
    Ok(("政府信息公开申请补正告知书".to_string(), p))
}

// ---------------------------------------------------------------------------------------------
// 延期告知书 (Art. 33)
// ---------------------------------------------------------------------------------------------

fn extension(ctx: &LetterContext) -> Result<(String, Vec<String>), LetterError> {
    let kind = LetterKind::Extension;
    let step = ctx
        .step
        .as_ref()
        .ok_or_else(|| missing(kind, "延期答复环节的记录"))?;
    let Step::Extend {
        working_days,
        approver,
        ..
    } = step
    else {
        return Err(wrong_step(kind, "延期答复", step));
    };
    if *working_days == 0 || *working_days > MAX_EXTENSION_WORKING_DAYS {
        return Err(invalid(
            kind,
            format!("延长的期限须为1至{MAX_EXTENSION_WORKING_DAYS}个工作日，当前为{working_days}个工作日"),
        ));
    }
    if !approver.is_office_head {
        return Err(invalid(kind, "延期须经政府信息公开工作机构负责人同意"));
    }
    let due = ctx
        .reply_due
        .ok_or_else(|| missing(kind, "延长后的答复期限届满日"))?;
    if due <= ctx.issue_date {
        return Err(invalid(kind, "延长后的答复期限届满日须晚于告知书落款日期"));
    }
    let mut p = vec![
        salutation(ctx),
        format!(
            "{}因所申请信息需要进一步检索、核实，本机关不能在收到申请之日起{REPLY_WORKING_DAYS}个工作日内作出答复。",
            intro(ctx)
        ),
        format!(
            "依照{REGS}第三十三条的规定，经本机关政府信息公开工作机构负责人同意，\
             决定将答复期限延长{working_days}个工作日（延长的期限最长不超过{MAX_EXTENSION_WORKING_DAYS}个工作日），\
             延长后的答复期限届满日为{}。本机关将在延长后的期限内作出答复。",
            date(due)
        ),
    ];
    p.extend(extra_paragraphs(ctx));
    p.push(contact_hint());
    Ok(("政府信息公开申请延期答复告知书".to_string(), p))
}

// ---------------------------------------------------------------------------------------------
// 征求意见函 (Art. 32 third party / Art. 34 other agency)
// ---------------------------------------------------------------------------------------------

fn consultation(ctx: &LetterContext) -> Result<(String, Vec<String>), LetterError> {
    let kind = LetterKind::Consultation;
    let step = ctx
        .step
        .as_ref()
        .ok_or_else(|| missing(kind, "征求意见环节的记录"))?;
    let Step::Consult {
        party, addressee, ..
    } = step
    else {
        return Err(wrong_step(kind, "征求意见", step));
    };
    let addressee = one_line(addressee);
    if addressee.is_empty() {
        return Err(missing(kind, "被征求意见方的名称"));
    }
    // The applicant's identity is not disclosed to the consulted party.
    let request = format!(
        "本机关于{}收到一件政府信息公开申请，申请公开的内容为：“{}”。",
        date(ctx.received),
        clause(&ctx.description)
    );
    let days = CONSULTATION_WORKING_DAYS;
    let (title, mut p) = match party {
        ConsultParty::ThirdParty => (
            "政府信息公开申请征求第三方意见函",
            vec![
                format!("{addressee}："),
                format!(
                    "{request}经审查，本机关认为公开该信息可能损害贵方的合法权益。\
                     依照{REGS}第三十二条的规定，现书面征求贵方意见。"
                ),
                format!(
                    "请贵方自收到本函之日起{days}个工作日内，以书面形式向本机关提出是否同意公开的意见；\
                     不同意公开的，请一并说明理由并提供相关材料。逾期未提出意见的，由本机关依照{REGS}的规定决定是否公开。"
                ),
                "贵方不同意公开且理由合理的，本机关不予公开；但本机关认为不公开可能对公共利益造成重大影响的，\
                 可以决定予以公开，并将决定公开的政府信息内容和理由书面告知贵方。"
                    .to_string(),
            ],
        ),
        ConsultParty::OtherAgency => (
            "政府信息公开申请征求其他机关意见函",
            vec![
                format!("{addressee}："),
                format!(
                    "{request}经审查，该信息涉及贵机关共同制作的政府信息。\
                     依照{REGS}第三十四条的规定，现书面征求贵机关意见。"
                ),
                format!(
                    "请贵机关自收到本函之日起{days}个工作日内，以书面形式向本机关提出是否同意公开的意见；\
                     不同意公开的，请说明理由和依据。逾期未提出意见的，视为同意公开。"
                ),
            ],
        ),
    };
    p.extend(extra_paragraphs(ctx));
    p.push("请将书面意见送交本机关政府信息公开工作机构（联系方式见文末）。".to_string());
    Ok((title.to_string(), p))
}

// ---------------------------------------------------------------------------------------------
// 收费通知书 (fee measure)
// ---------------------------------------------------------------------------------------------

fn tier_text(t: &Tier, unit: &str) -> String {
    let range = match t.last {
        Some(l) if l == t.first => format!("第{}{unit}", t.first),
        Some(l) => format!("第{}—{l}{unit}", t.first),
        None => format!("第{}{unit}及以上", t.first),
    };
    if t.unit_fen == 0 && t.band.is_none() {
        return format!("{range}不收费");
    }
    let mut s = format!("{range}的部分每{unit}{}", yuan(t.unit_fen));
    if let Some(b) = t.band {
        if b.size > 0 {
            s.push_str(&format!(
                "，此后以{}{unit}为一档，每增加一档，每{unit}提高{}",
                b.size,
                yuan(b.step_fen)
            ));
        }
    }
    s
}

fn fee_notice(
    ctx: &LetterContext,
    quote: Option<&FeeQuote>,
) -> Result<(String, Vec<String>), LetterError> {
    let you = address_form(ctx.applicant_kind);
    let kind = LetterKind::FeeNotice;
    let step = ctx
        .step
        .as_ref()
        .ok_or_else(|| missing(kind, "收费通知环节的记录"))?;
    let Step::IssueFeeNotice {
        method, amount_fen, ..
    } = step
    else {
        return Err(wrong_step(kind, "收费通知", step));
    };
    if *amount_fen <= 0 {
        return Err(invalid(
            kind,
            "收费金额须大于0；未超过免费额度的申请不得收取信息处理费",
        ));
    }
    let method = *method;
    let unit = method.unit();
    let mut p = vec![
        salutation(ctx),
        format!(
            "{}依照{REGS}第四十二条和{FEE_MEASURE}的规定，本机关决定对该申请收取信息处理费。",
            intro(ctx)
        ),
    ];
    let counting = match method {
        FeeMethod::PerPiece => "按申请人在同一自然月内累计提出的申请件数计算",
        FeeMethod::PerPage => "按本次提供的政府信息页数计算",
    };
    p.push(format!(
        "计费方式：{}（{counting}，每件申请只适用一种计费方式）。",
        method.label()
    ));
    match quote {
        Some(q) => {
            if q.method() != method {
                return Err(invalid(kind, "计费明细的计费方式与收费通知记录不一致"));
            }
            if q.total_fen != *amount_fen {
                return Err(invalid(
                    kind,
                    format!(
                        "计费明细合计（{}）与收费通知记录的金额（{}）不一致",
                        yuan(q.total_fen),
                        yuan(*amount_fen)
                    ),
                ));
            }
            p.push("本次适用的收费标准及计费明细如下：".to_string());
            for (i, l) in q.lines.iter().enumerate() {
                let end = if i + 1 == q.lines.len() { "。" } else { "；" };
                let range = if l.first == l.last {
                    format!("第{}{unit}", l.first)
                } else {
                    format!("第{}—{}{unit}", l.first, l.last)
                };
                if l.unit_fen == 0 {
                    p.push(format!("{range}：{}{unit}，不收费{end}", l.count));
                } else {
                    p.push(format!(
                        "{range}：{}{unit} × {}/{unit} = {}{end}",
                        l.count,
                        yuan(l.unit_fen),
                        yuan(l.amount_fen)
                    ));
                }
            }
        }
        None => {
            let defaults = [FeeSchedule::default()];
            let schedule = schedule_for(&defaults, ctx.issue_date)
                .map_err(|e| invalid(kind, e.to_string()))?;
            let tiers = match method {
                FeeMethod::PerPiece => &schedule.per_piece,
                FeeMethod::PerPage => &schedule.per_page,
            };
            let text = tiers
                .iter()
                .map(|t| tier_text(t, unit))
                .collect::<Vec<_>>()
                .join("；");
            p.push(format!("适用的收费标准（{}）：{text}。", schedule.document));
        }
    }
    p.push(format!("应缴纳信息处理费：人民币{}。", yuan(*amount_fen)));
    p.push(format!(
        "请{you}自收到本通知书之日的次日起{FEE_PAYMENT_WORKING_DAYS}个工作日内缴纳。\
         {you}逾期未按本通知书要求缴纳费用的，视为放弃申请，本机关将不再处理该政府信息公开申请。"
    ));
    p.extend(extra_paragraphs(ctx));
    p.push(format!(
        "依照{FEE_MEASURE}的规定，本机关作出的收费决定不单独作为申请行政复议或者提起行政诉讼的事项。"
    ));
    p.push(contact_hint());
    Ok(("政府信息公开信息处理费收费通知书".to_string(), p))
}

// ---------------------------------------------------------------------------------------------
// 答复告知书: one text per outcome, always with the remedies (Art. 51, rule D4)
// ---------------------------------------------------------------------------------------------

fn reply(ctx: &LetterContext) -> Result<(String, Vec<String>), LetterError> {
    let kind = LetterKind::Reply;
    let step = ctx
        .step
        .as_ref()
        .ok_or_else(|| missing(kind, "答复环节的记录"))?;
    let (outcome, basis, override_reason) = match step {
        Step::Reply {
            outcome,
            basis,
            override_reason,
            ..
        } => (*outcome, clause(basis), override_reason.as_deref()),
        Step::CorrectionLapsed { .. } => (Outcome::OtherNoCorrection, String::new(), None),
        Step::FeeLapsed { .. } => (Outcome::OtherFeeUnpaid, String::new(), None),
        other => return Err(wrong_step(kind, "答复", other)),
    };
    let basis = if basis.is_empty() {
        outcome
            .default_basis()
            .map(str::to_string)
            .ok_or_else(|| missing(kind, "答复所依据的法律条款"))?
    } else {
        basis
    };
    let extra = extra_paragraphs(ctx);
    if outcome == Outcome::OtherOther && extra.is_empty() {
        return Err(missing(kind, "“其他处理”的具体说明（附言）"));
    }
    if outcome == Outcome::PartlyDisclosed && extra.is_empty() {
        return Err(missing(kind, "不予公开部分的理由（附言）"));
    }
    let mut p = vec![
        salutation(ctx),
        format!("{}经审查，现答复如下：", intro(ctx)),
    ];
    p.extend(outcome_text(
        outcome,
        &basis,
        address_form(ctx.applicant_kind),
    ));
    if let Some(reason) = override_reason.map(clause).filter(|r| !r.is_empty()) {
        p.push(format!(
            "该信息涉及第三方合法权益，第三方不同意公开。本机关认为不公开可能对公共利益造成重大影响，\
             依照{REGS}第三十二条的规定决定予以公开，理由为：{reason}。本机关已将决定公开的内容和理由书面告知第三方。"
        ));
    }
    p.extend(extra);
    p.push(REMEDIES_NOTICE.to_string());
    p.push(contact_hint());
    Ok(("政府信息公开申请答复告知书".to_string(), p))
}

/// What is provided, why not, or where to go, citing `basis`.
fn outcome_text(outcome: Outcome, basis: &str, you: &str) -> Vec<String> {
    let by = format!("根据{basis}的规定");
    let withheld = |what: &str| {
        vec![format!(
            "经审查，{you}申请公开的信息{what}。{by}，本机关决定不予公开。"
        )]
    };
    match outcome {
        Outcome::Disclosed => vec![
            format!(
                "{you}申请公开的信息属于可以公开的政府信息。{by}，本机关决定予以公开。"
            ),
            format!(
                "本机关按照{you}申请时要求的形式提供该信息，随本告知书一并送达；\
                 该信息已经主动公开的，{you}也可以通过本机关政府网站或者政府信息公开专栏查阅、获取。"
            ),
        ],
        Outcome::PartlyDisclosed => vec![
            format!(
                "{you}申请公开的信息中，部分内容属于不应当公开的信息或者不属于政府信息，但能够作区分处理。\
                 {by}，本机关对可以公开的部分予以公开，随本告知书一并提供；对不予公开的部分，说明理由如下："
            ),
        ],
        Outcome::WithheldStateSecret => withheld("属于依法确定为国家秘密的政府信息"),
        Outcome::WithheldProhibitedByLaw => withheld("属于法律、行政法规禁止公开的政府信息"),
        Outcome::WithheldSecurityStability => {
            withheld("公开后可能危及国家安全、公共安全、经济安全和社会稳定")
        }
        Outcome::WithheldThirdPartyRights => withheld(
            "涉及商业秘密、个人隐私等内容，公开会对第三方合法权益造成损害，且第三方不同意公开",
        ),
        Outcome::WithheldInternalAffairs => {
            withheld("属于本机关的人事管理、后勤管理、内部工作流程等内部事务信息")
        }
        Outcome::WithheldProcessInformation => withheld(
            "属于本机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息",
        ),
        Outcome::WithheldEnforcementFile => withheld("属于行政执法案卷信息"),
        Outcome::WithheldQueryMatter => vec![
            format!(
                "经审查，{you}申请获取的信息属于工商、不动产登记资料等有关法律、行政法规对信息的获取有特别规定的信息。\
                 {by}，本机关不按政府信息公开申请提供。"
            ),
            format!("请{you}按照相关法律、行政法规的规定，向有关登记、查询机关办理查询。"),
        ],
        Outcome::UnavailableNotHeld => vec![
            format!(
                "经本机关检索查找，本机关没有制作或者获取{you}申请公开的政府信息，该信息不存在于本机关。\
                 {by}，本机关无法提供。"
            ),
            format!("该信息依法应由其他行政机关负责公开的，建议{you}向该机关提出申请。"),
        ],
        Outcome::UnavailableNeedsCreation => vec![format!(
            "经审查，本机关没有{you}所需的现成信息，提供该信息需要对现有政府信息进行加工、分析或者另行制作。\
             {by}，行政机关向申请人提供的是已制作或者获取的政府信息，除依法区分处理的情形外，\
             不需要对现有政府信息进行加工、分析，因此本机关无法提供。"
        )],
        Outcome::UnavailableStillUnclear => vec![
            format!(
                "本机关已书面告知{you}补正申请内容。经审查，补正后的申请内容仍不明确，本机关无法据此确定{you}所需的政府信息。\
                 {by}，本机关无法提供。"
            ),
            format!("{you}可以在明确所需信息的名称、文号或者其他特征性描述后，重新提出申请。"),
        ],
        Outcome::NotProcessedPetition => vec![
            format!(
                "经审查，{you}以政府信息公开申请的形式提出的是信访、投诉、举报等诉求，不属于政府信息公开申请。\
                 {by}，本机关不作为政府信息公开申请处理。"
            ),
            format!("{you}可以依照《信访工作条例》等规定，通过相应渠道向有权处理的机关提出。"),
        ],
        Outcome::NotProcessedRepeat => vec![format!(
            "经审查，{you}本次提出的申请与此前已向本机关提出并已获答复的申请内容相同，属于重复申请。\
             {by}，本机关不再重复处理。"
        )],
        Outcome::NotProcessedPublication => vec![
            format!(
                "经审查，{you}申请获取的是政府公报、报刊、书籍等公开出版物。{by}，本机关不作为政府信息公开申请处理，\
                 现告知获取途径。"
            ),
            format!("{you}可以通过公开发行渠道购买，或者到公共图书馆、档案馆等场所查阅。"),
        ],
        Outcome::NotProcessedExcessive => vec![format!(
            "经审查，{you}申请公开政府信息的数量、频次明显超过合理范围。本机关已要求{you}说明理由，\
             {you}未说明理由或者所说明的理由不合理。{by}，本机关不予处理。"
        )],
        Outcome::NotProcessedConfirmation => vec![format!(
            "经审查，{you}要求本机关对已经获取的政府信息予以确认或者重新出具，该要求不属于政府信息公开申请的处理范围。\
             {by}，本机关不予处理。"
        )],
        Outcome::OtherNoCorrection => vec![format!(
            "本机关已书面告知{you}补正申请内容并给予合理的补正期限。{you}无正当理由逾期未补正，视为放弃申请。\
             {by}，本机关不再处理该政府信息公开申请。"
        )],
        Outcome::OtherFeeUnpaid => vec![format!(
            "本机关已依照{REGS}第四十二条向{you}发出信息处理费收费通知书。{you}逾期未按通知要求缴纳费用，视为放弃申请。\
             {by}，本机关不再处理该政府信息公开申请。"
        )],
        Outcome::OtherOther => vec![format!(
            "{by}，本机关对{you}的申请作如下处理："
        )],
    }
}
