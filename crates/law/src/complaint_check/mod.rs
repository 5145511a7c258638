//! The complaint checker: reads a draft before it is filed and says why it would fail.
//!
//! The rules are the reasons the seeds give for failed complaints: no time line (when bought,
//! found, contacted), a vague problem, no explicit demand, evidence that does not fit the reason,
//! a demand the rules do not allow, and no attempt to settle with the merchant first. Each finding
//! has a stable code with what its words need ([`Observation`]) and a severity; the words, a
//! message and a concrete suggestion in zh-CN and en, are the text catalogue's (`finding-<code>`).
//! Deterministic: the same draft always gives the same findings in the same order.

mod text;

use serde::{Deserialize, Serialize};

use crate::citation::{Article, Citation};
use crate::damages::{DamagesBreakdown, consumer_fraud_damages, food_safety_damages};
use crate::eligibility::{Refusal, RefusalCode};
use crate::terms::{EvidenceKind, Reason, RequestKind};
use text::{Moments, TextSignals};

/// Below this much text (CJK characters + 2 per Latin word) a description is too short to judge.
pub const MIN_SUBSTANCE: usize = 20;

/// A complaint as the buyer drafted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct ComplaintDraft {
    pub kind: RequestKind,
    pub reason: Reason,
    /// The amount asked for, if any.
    #[serde(default)]
    pub demanded_fen: Option<i64>,
    pub description: String,
    #[serde(default)]
    pub evidence: Vec<EvidenceKind>,
    pub contacted_merchant: bool,
    /// What the buyer paid for the items concerned.
    pub paid_fen: i64,
    #[serde(default)]
    pub facts: EligibilityFacts,
}

/// What the platform already knows about the order, where it matters to the check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(default)]
pub struct EligibilityFacts {
    /// The no-reason return status of the items, if known.
    pub no_reason: Option<NoReasonStatus>,
    /// The items are food (食品安全法 applies).
    pub food: bool,
    /// The platform knows when the order was paid: the description need not date the purchase.
    pub bought_on_record: bool,
    /// The platform's record shows (and dates) the buyer's contact with the merchant: the
    /// description need not date it.
    pub contact_on_record: bool,
    /// The 7 days after signing in which Art. 24 lets non-conforming goods be returned without
    /// more ado have passed.
    pub return_window_passed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoReasonStatus {
    Open,
    WindowClosed,
    Excluded,
    NotSignedFor,
}

impl NoReasonStatus {
    /// From the answer of [`crate::eligibility::check_no_reason_filing`].
    pub fn from_check(result: &Result<(), Refusal>) -> Self {
        match result {
            Ok(()) => Self::Open,
            Err(r) => match r.code() {
                RefusalCode::NoReasonWindowClosed => Self::WindowClosed,
                RefusalCode::NoReasonExcludedItem => Self::Excluded,
                RefusalCode::NotSignedFor => Self::NotSignedFor,
            },
        }
    }
}

/// Errors block a filing's success outright; warnings make failure likely; info is advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// What a finding observed: its code (`FindingCode`, in this order: findings of one severity
/// are ordered by it) and what its words need. Amounts in fen; names of the vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "code", content = "args", rename_all = "snake_case")]
#[strum_discriminants(
    name(FindingCode),
    doc = "The stable code of a finding: findings of one severity are ordered by it.",
    derive(Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema, strum::EnumIter, strum::IntoStaticStr),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case")
)]
pub enum Observation {
    DemandNotPositive,
    DemandExceedsPaid {
        demanded_fen: i64,
        paid_fen: i64,
    },
    NoReasonWindowClosed,
    NoReasonExcludedItem,
    NotSignedFor,
    /// A return of non-conforming goods asked for after Art. 24's 7 days.
    ReturnWindowPassed,
    NoTimeline {
        missing: Vec<Moment>,
    },
    VagueProblem {
        /// Too little was said to judge at all (otherwise: words, but no concrete detail).
        too_short: bool,
    },
    NoExplicitDemand {
        kind: RequestKind,
        paid_fen: i64,
    },
    EvidenceNotFittingReason {
        reason: Reason,
        /// Groups of evidence of which none is attached: each needs one of its kinds.
        missing: Vec<Vec<EvidenceKind>>,
    },
    PromiseWithoutChatRecord,
    HarmWithoutMedicalRecord,
    KindDoesNotFitReason {
        kind: RequestKind,
        reason: Reason,
        /// The kinds that fit the reason.
        fitting: Vec<RequestKind>,
    },
    DemandExceedsStatutoryDamages {
        demanded_fen: i64,
        damages: DamagesBreakdown,
    },
    MerchantNotContacted,
    TimelineIncomplete {
        missing: Vec<Moment>,
    },
    StatutoryDamagesAvailable {
        damages: DamagesBreakdown,
    },
}

impl FindingCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A moment of the time line a description should date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    Bought,
    Found,
    Contacted,
}

impl Moment {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Bought => "bought",
            Self::Found => "found",
            Self::Contacted => "contacted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(flatten)]
    pub observation: Observation,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

impl Finding {
    pub fn code(&self) -> FindingCode {
        (&self.observation).into()
    }

    fn cite(mut self, article: Article) -> Self {
        self.citations.push(article.citation());
        self
    }
}

/// The checker's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Ordered by severity, then by code.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// No error and no warning: good enough to file as it is.
    pub fn is_clean(&self) -> bool {
        self.findings.iter().all(|f| f.severity == Severity::Info)
    }

    pub fn codes(&self) -> Vec<FindingCode> {
        self.findings.iter().map(Finding::code).collect()
    }
}

/// The words the checker reads for (Chinese and English), for a search segmenter's dictionary.
pub fn domain_words() -> impl Iterator<Item = &'static str> {
    text::words()
}

/// Checks a draft. Pure and deterministic.
pub fn check(draft: &ComplaintDraft) -> CheckReport {
    let signals = text::analyse(&draft.description);
    let mut findings = Vec::new();
    check_amount(draft, &mut findings);
    check_no_reason(draft, &mut findings);
    check_return_window(draft, &mut findings);
    check_timeline(draft, &signals, &mut findings);
    check_problem(&signals, &mut findings);
    check_demand(draft, &signals, &mut findings);
    check_evidence(draft, &signals, &mut findings);
    check_kind(draft, &mut findings);
    check_merchant_contact(draft, &mut findings);
    offer_statutory_damages(draft, &mut findings);
    findings.sort_by_key(|f| (f.severity, f.code()));
    CheckReport { findings }
}

fn finding(observation: Observation, severity: Severity) -> Finding {
    Finding { observation, severity, citations: Vec::new() }
}

fn check_amount(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    let Some(amount) = draft.demanded_fen else {
        return;
    };
    if amount <= 0 {
        out.push(finding(Observation::DemandNotPositive, Severity::Error));
        return;
    }
    if draft.kind == RequestKind::Compensation {
        check_compensation_cap(draft, amount, out);
    } else if amount > draft.paid_fen {
        let exceeds = Observation::DemandExceedsPaid { demanded_fen: amount, paid_fen: draft.paid_fen };
        out.push(finding(exceeds, Severity::Error));
    }
}

/// A compensation claim for fraud is capped by Art. 55 (price + max(3× price, ¥500)). Food claims
/// are not capped here: 3× the loss depends on a loss the draft does not state.
fn check_compensation_cap(draft: &ComplaintDraft, amount: i64, out: &mut Vec<Finding>) {
    let fraud = matches!(draft.reason, Reason::Counterfeit | Reason::FalseAdvertising);
    if !fraud || draft.facts.food {
        return;
    }
    let Ok(cap) = consumer_fraud_damages(draft.paid_fen.max(0)) else {
        return;
    };
    if amount > cap.total_fen {
        let over = Observation::DemandExceedsStatutoryDamages { demanded_fen: amount, damages: cap };
        out.push(finding(over, Severity::Warning).cite(Article::ConsumerLaw55));
    }
}

fn check_no_reason(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    if draft.reason != Reason::NoReason7Day {
        return;
    }
    let f = match draft.facts.no_reason {
        Some(NoReasonStatus::WindowClosed) => finding(Observation::NoReasonWindowClosed, Severity::Error)
            .cite(Article::ConsumerLaw25)
            .cite(Article::NoReasonMeasures),
        Some(NoReasonStatus::Excluded) => finding(Observation::NoReasonExcludedItem, Severity::Error)
            .cite(Article::ConsumerLaw25)
            .cite(Article::NoReasonMeasures6),
        Some(NoReasonStatus::NotSignedFor) => {
            finding(Observation::NotSignedFor, Severity::Error).cite(Article::NoReasonMeasures)
        }
        Some(NoReasonStatus::Open) | None => return,
    };
    out.push(f);
}

/// Art. 24: non-conforming goods may be returned within 7 days of receipt; after that a return
/// needs grounds to end the contract, otherwise the merchant owes an exchange or a repair.
fn check_return_window(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    let non_conforming = matches!(
        draft.reason,
        Reason::NotAsDescribed | Reason::QualityDefect | Reason::WrongOrMissingItem | Reason::DamagedInTransit
    );
    if draft.kind == RequestKind::ReturnRefund && non_conforming && draft.facts.return_window_passed {
        out.push(finding(Observation::ReturnWindowPassed, Severity::Warning).cite(Article::ConsumerLaw24));
    }
}

fn check_timeline(draft: &ComplaintDraft, s: &TextSignals, out: &mut Vec<Finding>) {
    // A no-reason return has no problem to find; only the purchase (and contact) need dates.
    // What the platform's record dates already (the payment, the conversation) is not asked for.
    let expected = Moments {
        bought: !draft.facts.bought_on_record,
        found: draft.reason != Reason::NoReason7Day,
        contacted: draft.contacted_merchant && !draft.facts.contact_on_record,
    };
    let dated = if s.has_time { s.dated } else { Moments::default() };
    let missing: Vec<Moment> = [
        (expected.bought && !dated.bought, Moment::Bought),
        (expected.found && !dated.found, Moment::Found),
        (expected.contacted && !dated.contacted, Moment::Contacted),
    ]
    .into_iter()
    .filter_map(|(m, moment)| m.then_some(moment))
    .collect();
    if missing.is_empty() {
        return;
    }
    out.push(if s.has_time {
        finding(Observation::TimelineIncomplete { missing }, Severity::Info)
    } else {
        finding(Observation::NoTimeline { missing }, Severity::Warning)
    });
}

fn check_problem(s: &TextSignals, out: &mut Vec<Finding>) {
    // A concrete detail says what happened however briefly it is put ("左耳无声").
    if s.has_detail {
        return;
    }
    out.push(finding(Observation::VagueProblem { too_short: s.substance < MIN_SUBSTANCE }, Severity::Warning));
}

fn check_demand(draft: &ComplaintDraft, s: &TextSignals, out: &mut Vec<Finding>) {
    if draft.demanded_fen.is_some() || s.has_demand_word {
        return;
    }
    out.push(finding(Observation::NoExplicitDemand { kind: draft.kind, paid_fen: draft.paid_fen }, Severity::Warning));
}

/// For each reason, the groups of evidence that support it: every group needs one of its kinds.
pub fn evidence_needed(reason: Reason) -> &'static [&'static [EvidenceKind]] {
    use EvidenceKind::*;
    match reason {
        Reason::QualityDefect | Reason::WrongOrMissingItem => &[&[Photo, Video]],
        Reason::NotAsDescribed => &[&[ProductPage], &[Photo, Video]],
        Reason::Counterfeit => &[&[InspectionReport, Invoice, ProductPage]],
        Reason::NotDelivered => &[&[LogisticsRecord]],
        Reason::LateShipment => &[&[ProductPage, ChatRecord], &[OrderRecord, LogisticsRecord]],
        Reason::DamagedInTransit => &[&[Photo, Video], &[LogisticsRecord]],
        Reason::FalseAdvertising => &[&[ProductPage, ChatRecord], &[Photo, Video, InspectionReport]],
        Reason::ServiceNotFulfilled => &[&[ChatRecord, ProductPage, OrderRecord]],
        Reason::NoReason7Day | Reason::Other => &[],
    }
}

fn check_evidence(draft: &ComplaintDraft, s: &TextSignals, out: &mut Vec<Finding>) {
    let has = |k: &EvidenceKind| draft.evidence.contains(k);
    let missing: Vec<Vec<EvidenceKind>> = evidence_needed(draft.reason)
        .iter()
        .filter(|group| !group.iter().any(has))
        .map(|group| group.to_vec())
        .collect();
    if !missing.is_empty() {
        let unfit = Observation::EvidenceNotFittingReason { reason: draft.reason, missing };
        out.push(finding(unfit, Severity::Warning));
    }
    let promise_recorded = has(&EvidenceKind::ChatRecord) || has(&EvidenceKind::ProductPage);
    if s.mentions_promise && !promise_recorded {
        out.push(finding(Observation::PromiseWithoutChatRecord, Severity::Warning));
    }
    if s.mentions_harm && !has(&EvidenceKind::MedicalRecord) {
        out.push(finding(Observation::HarmWithoutMedicalRecord, Severity::Warning));
    }
}

/// The kinds of request that fit a reason, where only some do.
pub fn kinds_fitting(reason: Reason) -> Option<&'static [RequestKind]> {
    use RequestKind::*;
    match reason {
        // A no-reason return means returning the goods for a refund.
        Reason::NoReason7Day => Some(&[ReturnRefund]),
        // Goods never received cannot be returned, exchanged or repaired.
        Reason::NotDelivered | Reason::LateShipment => Some(&[RefundOnly, Reissue, Compensation]),
        _ => None,
    }
}

fn check_kind(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    let Some(fits) = kinds_fitting(draft.reason) else {
        return;
    };
    if fits.contains(&draft.kind) {
        return;
    }
    let unfit = Observation::KindDoesNotFitReason { kind: draft.kind, reason: draft.reason, fitting: fits.to_vec() };
    out.push(finding(unfit, Severity::Warning));
}

fn check_merchant_contact(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    if !draft.contacted_merchant {
        out.push(finding(Observation::MerchantNotContacted, Severity::Warning));
    }
}

fn offer_statutory_damages(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    if draft.kind == RequestKind::Compensation || draft.paid_fen < 0 {
        return;
    }
    let food_reason = matches!(
        draft.reason,
        Reason::QualityDefect | Reason::Counterfeit | Reason::FalseAdvertising | Reason::NotAsDescribed
    );
    let (breakdown, article) = if draft.facts.food && food_reason {
        (food_safety_damages(draft.paid_fen, 0), Article::FoodSafetyLaw148)
    } else if matches!(draft.reason, Reason::Counterfeit | Reason::FalseAdvertising) {
        (consumer_fraud_damages(draft.paid_fen), Article::ConsumerLaw55)
    } else {
        return;
    };
    let Ok(damages) = breakdown else { return };
    out.push(finding(Observation::StatutoryDamagesAvailable { damages }, Severity::Info).cite(article));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readme_example(facts: EligibilityFacts) -> ComplaintDraft {
        ComplaintDraft {
            kind: RequestKind::RefundOnly,
            reason: Reason::QualityDefect,
            demanded_fen: Some(39900),
            description: "11月20日签收,左耳无声,要求全额退款".into(),
            evidence: vec![EvidenceKind::Photo, EvidenceKind::ChatRecord],
            contacted_merchant: true,
            paid_fen: 39900,
            facts,
        }
    }

    /// The README's own example complaint, on an order the platform knows was paid and whose
    /// buyer wrote to the merchant on the platform: it says what is wrong (左耳无声) and dates what
    /// the record does not. It used to be flagged `vague_problem` and `timeline_incomplete`.
    #[test]
    fn the_readme_example_is_clean_when_the_record_dates_purchase_and_contact() {
        let on_record = EligibilityFacts { bought_on_record: true, contact_on_record: true, ..Default::default() };
        let report = check(&readme_example(on_record));
        assert!(report.is_clean(), "{:?}", report.codes());
        assert!(!report.codes().contains(&FindingCode::TimelineIncomplete), "{:?}", report.codes());
        // Without the record, the purchase and the contact still want their dates.
        let report = check(&readme_example(EligibilityFacts::default()));
        assert_eq!(report.codes(), vec![FindingCode::TimelineIncomplete]);
        let missing = vec![Moment::Bought, Moment::Contacted];
        assert_eq!(report.findings[0].observation, Observation::TimelineIncomplete { missing });
    }

    #[test]
    fn a_short_description_without_a_detail_is_still_vague() {
        let mut draft = readme_example(EligibilityFacts::default());
        draft.description = "东西不好".into();
        assert!(check(&draft).codes().contains(&FindingCode::VagueProblem));
    }
}
