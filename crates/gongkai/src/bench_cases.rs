//! The cases `gongkai bench seed` generates: a statutory outcome by weight and a lifecycle
//! whose every step the domain accepts (split out of `bench_seed`).

use chrono::{Duration, NaiveDate};
use gongkai_domain::application::{
    ApplicantKind, Application, Approver, Channel, ClockConfig, ConsultParty, ConsultationAnswer, DeliveryMethod, Outcome, State, Step,
};
use gongkai_domain::calendar::Calendar;
use rand::rngs::StdRng;
use rand::Rng;

use crate::bench_seed::last_day;

/// The statutory outcomes of replies, with weights (部分类别少见但不为零，使年报各栏都有数).
const OUTCOMES: &[(Outcome, u32)] = &[
    (Outcome::Disclosed, 400),
    (Outcome::PartlyDisclosed, 120),
    (Outcome::WithheldStateSecret, 4),
    (Outcome::WithheldProhibitedByLaw, 6),
    (Outcome::WithheldSecurityStability, 4),
    (Outcome::WithheldThirdPartyRights, 20),
    (Outcome::WithheldInternalAffairs, 25),
    (Outcome::WithheldProcessInformation, 30),
    (Outcome::WithheldEnforcementFile, 15),
    (Outcome::WithheldQueryMatter, 10),
    (Outcome::UnavailableNotHeld, 150),
    (Outcome::UnavailableNeedsCreation, 40),
    (Outcome::UnavailableStillUnclear, 15),
    (Outcome::NotProcessedPetition, 25),
    (Outcome::NotProcessedRepeat, 20),
    (Outcome::NotProcessedPublication, 25),
    (Outcome::NotProcessedExcessive, 5),
    (Outcome::NotProcessedConfirmation, 10),
    (Outcome::OtherOther, 30),
];

pub(crate) fn pick_outcome(rng: &mut StdRng) -> Outcome {
    let total: u32 = OUTCOMES.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (o, w) in OUTCOMES {
        if x < *w {
            return *o;
        }
        x -= w;
    }
    Outcome::Disclosed
}

/// A generated case: its steps (each accepted by the lifecycle) and the final state.
pub(crate) struct Case {
    pub(crate) steps: Vec<(Step, State)>,
    pub(crate) app: Application,
    pub(crate) refused: u64,
}

pub(crate) fn lifecycle(rng: &mut StdRng, cal: &Calendar, applicant: ApplicantKind, channel: Channel, received: NaiveDate, handler: i64, place: &str) -> Case {
    let cfg = ClockConfig::default();
    let mut case = Case { steps: Vec::new(), app: Application::new(applicant, channel, received), refused: 0 };
    let end = last_day();
    // Cases received in the last weeks are still open, stopping after a few steps.
    let stop_after = if (end - received).num_days() < 40 { rng.gen_range(0..4) } else { usize::MAX };
    let take = |case: &mut Case, step: Step| -> bool {
        if case.steps.len() >= stop_after || step.date() > end {
            return false;
        }
        match case.app.apply(&step, cal, &cfg) {
            Ok(()) => {
                let state = case.app.state;
                case.steps.push((step, state));
                true
            }
            Err(_) => {
                case.refused += 1;
                false
            }
        }
    };
    let mut d = received + Duration::days(rng.gen_range(0..2));
    if !take(&mut case, Step::Accept { date: d, handler_id: handler }) {
        return case;
    }
    if rng.gen_bool(0.02) {
        take(&mut case, Step::Withdraw { date: d + Duration::days(3), reason: "申请人来电表示已通过其他途径获取相关信息，主动撤回申请".into() });
        return case;
    }
    let mut corrected = false;
    if rng.gen_bool(0.08) {
        let notice = d + Duration::days(2);
        let deadline = notice + Duration::days(15);
        if take(&mut case, Step::RequestCorrection { date: notice, defects: vec!["所需政府信息的名称、文号或者便于查询的其他特征性描述不明确".into()], deadline }) {
            if rng.gen_bool(0.75) {
                d = notice + Duration::days(rng.gen_range(2..10));
                corrected = take(&mut case, Step::ReceiveCorrection { date: d, late_reason: None });
            } else {
                let lapsed = deadline + Duration::days(1);
                take(&mut case, Step::CorrectionLapsed { date: lapsed });
                take(&mut case, Step::Close { date: lapsed + Duration::days(1) });
                return case;
            }
        }
    }
    if !corrected {
        d += Duration::days(1);
        if !take(&mut case, Step::StartProcessing { date: d }) {
            return case;
        }
    }
    let mut objected = false;
    if rng.gen_bool(0.04) {
        d += Duration::days(2);
        if take(&mut case, Step::Consult { date: d, party: ConsultParty::ThirdParty, addressee: format!("{place}某某实业有限公司") }) {
            d += Duration::days(rng.gen_range(5..12));
            objected = rng.gen_bool(0.3);
            let answer = if objected { ConsultationAnswer::Objected { reasons: "所涉信息属于本公司商业秘密，公开后可能损害本公司合法权益".into() } } else { ConsultationAnswer::Consented };
            take(&mut case, Step::ConsultationAnswered { date: d, answer });
        }
    }
    if rng.gen_bool(0.05) {
        d += Duration::days(10);
        take(
            &mut case,
            Step::Extend { date: d, working_days: 20, approver: Approver { user_id: handler, is_office_head: true }, applicant_notified: true },
        );
    }
    let mut outcome = pick_outcome(rng);
    if outcome == Outcome::UnavailableStillUnclear && !corrected {
        outcome = Outcome::UnavailableNotHeld;
    }
    let reply_day = d + Duration::days(rng.gen_range(2..24));
    let reply = |o: Outcome| Step::Reply {
        date: reply_day,
        outcome: o,
        basis: o.default_basis().unwrap_or("《中华人民共和国政府信息公开条例》第三十六条").into(),
        remedies_stated: true,
        override_reason: (o == Outcome::Disclosed && objected).then(|| "经审查，不公开可能对公共利益造成重大影响，决定予以公开并书面告知第三方".into()),
    };
    if !take(&mut case, reply(outcome)) && !take(&mut case, reply(Outcome::Disclosed)) {
        return case;
    }
    let (method, proof) = match rng.gen_range(0..4) {
        0 => (DeliveryMethod::Post, format!("EMS{:013}", rng.gen_range(0..10_000_000_000_000u64))),
        1 => (DeliveryMethod::Email, "电子邮件发送记录".to_string()),
        2 => (DeliveryMethod::Online, "平台在线获取记录".to_string()),
        _ => (DeliveryMethod::Collection, "申请人签收记录".to_string()),
    };
    let delivered = reply_day + Duration::days(rng.gen_range(0..3));
    if take(&mut case, Step::Deliver { date: delivered, method, proof }) {
        take(&mut case, Step::Close { date: delivered + Duration::days(rng.gen_range(0..5)) });
    }
    case
}

