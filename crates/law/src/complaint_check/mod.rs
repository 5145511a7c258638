//! The complaint checker: reads a draft before it is filed and says why it would fail.
//!
//! The rules are the reasons the seeds give for failed complaints: no time line (when bought,
//! found, contacted), a vague problem, no explicit demand, evidence that does not fit the reason,
//! a demand the rules do not allow, and no attempt to settle with the merchant first. Each finding
//! has a stable code, a severity and a message plus a concrete suggestion in zh-CN and en.
//! Deterministic: the same draft always gives the same findings in the same order.

mod text;

use serde::{Deserialize, Serialize};

use crate::citation::{Article, Citation};
use crate::damages::{consumer_fraud_damages, food_safety_damages, yuan};
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
            Err(r) => match r.code {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    DemandNotPositive,
    DemandExceedsPaid,
    NoReasonWindowClosed,
    NoReasonExcludedItem,
    NotSignedFor,
    NoTimeline,
    VagueProblem,
    NoExplicitDemand,
    EvidenceNotFittingReason,
    PromiseWithoutChatRecord,
    HarmWithoutMedicalRecord,
    KindDoesNotFitReason,
    DemandExceedsStatutoryDamages,
    MerchantNotContacted,
    TimelineIncomplete,
    StatutoryDamagesAvailable,
}

impl FindingCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DemandNotPositive => "demand_not_positive",
            Self::DemandExceedsPaid => "demand_exceeds_paid",
            Self::NoReasonWindowClosed => "no_reason_window_closed",
            Self::NoReasonExcludedItem => "no_reason_excluded_item",
            Self::NotSignedFor => "not_signed_for",
            Self::NoTimeline => "no_timeline",
            Self::VagueProblem => "vague_problem",
            Self::NoExplicitDemand => "no_explicit_demand",
            Self::EvidenceNotFittingReason => "evidence_not_fitting_reason",
            Self::PromiseWithoutChatRecord => "promise_without_chat_record",
            Self::HarmWithoutMedicalRecord => "harm_without_medical_record",
            Self::KindDoesNotFitReason => "kind_does_not_fit_reason",
            Self::DemandExceedsStatutoryDamages => "demand_exceeds_statutory_damages",
            Self::MerchantNotContacted => "merchant_not_contacted",
            Self::TimelineIncomplete => "timeline_incomplete",
            Self::StatutoryDamagesAvailable => "statutory_damages_available",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message_zh: String,
    pub message_en: String,
    pub suggestion_zh: String,
    pub suggestion_en: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

/// The checker's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
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
        self.findings.iter().map(|f| f.code).collect()
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
    check_timeline(draft, &signals, &mut findings);
    check_problem(&signals, &mut findings);
    check_demand(draft, &signals, &mut findings);
    check_evidence(draft, &signals, &mut findings);
    check_kind(draft, &mut findings);
    check_merchant_contact(draft, &mut findings);
    offer_statutory_damages(draft, &mut findings);
    findings.sort_by_key(|f| (f.severity, f.code));
    CheckReport { findings }
}

fn finding(code: FindingCode, severity: Severity, zh: String, en: String) -> Finding {
    Finding {
        code,
        severity,
        message_zh: zh,
        message_en: en,
        suggestion_zh: String::new(),
        suggestion_en: String::new(),
        citations: Vec::new(),
    }
}

impl Finding {
    fn suggest(mut self, zh: impl Into<String>, en: impl Into<String>) -> Self {
        self.suggestion_zh = zh.into();
        self.suggestion_en = en.into();
        self
    }

    fn cite(mut self, article: Article) -> Self {
        self.citations.push(article.citation());
        self
    }
}

fn check_amount(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    let Some(amount) = draft.demanded_fen else {
        return;
    };
    if amount <= 0 {
        out.push(
            finding(
                FindingCode::DemandNotPositive,
                Severity::Error,
                "要求的金额必须大于零。".into(),
                "The amount demanded must be greater than zero.".into(),
            )
            .suggest(
                "填写具体金额，或不填金额只写明诉求（如换货、补寄）。",
                "Enter the amount, or leave it empty and state the remedy (exchange, reissue).",
            ),
        );
        return;
    }
    if draft.kind == RequestKind::Compensation {
        check_compensation_cap(draft, amount, out);
    } else if amount > draft.paid_fen {
        out.push(
            finding(
                FindingCode::DemandExceedsPaid,
                Severity::Error,
                format!(
                    "要求的金额{}超过了实付金额{}；除赔偿外，要求的金额不能超过实际支付的金额。",
                    yuan(amount),
                    yuan(draft.paid_fen)
                ),
                format!(
                    "The amount demanded, {}, is more than the {} paid; except for compensation, a demand cannot exceed what was paid.",
                    yuan(amount),
                    yuan(draft.paid_fen)
                ),
            )
            .suggest(
                format!(
                    "把金额改为不超过{}；如要主张额外损失或惩罚性赔偿，请选择「赔偿」。",
                    yuan(draft.paid_fen)
                ),
                format!(
                    "Lower the amount to at most {}; to claim further losses or punitive damages, choose \"compensation\".",
                    yuan(draft.paid_fen)
                ),
            ),
        );
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
        out.push(
            finding(
                FindingCode::DemandExceedsStatutoryDamages,
                Severity::Warning,
                format!("要求的赔偿{}超过了法定标准：{}", yuan(amount), cap.explanation_zh),
                format!(
                    "The compensation demanded, {}, is more than the law provides: {}",
                    yuan(amount),
                    cap.explanation_en
                ),
            )
            .suggest(
                format!("按法定标准主张{}，另有实际损失请单独列明并附证据。", yuan(cap.total_fen)),
                format!(
                    "Claim the statutory {}; list any further actual loss separately with evidence.",
                    yuan(cap.total_fen)
                ),
            )
            .cite(Article::ConsumerLaw55),
        );
    }
}

fn check_no_reason(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    if draft.reason != Reason::NoReason7Day {
        return;
    }
    let quality_hint_zh = "如商品有质量问题，请改选「质量问题」并附照片或视频。";
    let quality_hint_en = "If the goods are defective, choose \"quality defect\" and attach a photo or video.";
    let f = match draft.facts.no_reason {
        Some(NoReasonStatus::WindowClosed) => finding(
            FindingCode::NoReasonWindowClosed,
            Severity::Error,
            "七日无理由退货期（自签收次日零时起算满7日，节假日不顺延）已过。".into(),
            "The 7-day no-reason period (7 days from 00:00 of the day after signing, not extended by holidays) has ended.".into(),
        )
        .suggest(quality_hint_zh, quality_hint_en)
        .cite(Article::ConsumerLaw25)
        .cite(Article::NoReasonMeasures),
        Some(NoReasonStatus::Excluded) => finding(
            FindingCode::NoReasonExcludedItem,
            Severity::Error,
            "该商品属于不适用七日无理由退货的商品（定作、鲜活易腐、在线下载或已拆封的数字化商品、报刊，或购买时已确认不退）。".into(),
            "This item is excluded from the 7-day no-reason return (custom-made, perishable, downloaded or unsealed digital goods, periodicals, or confirmed at purchase).".into(),
        )
        .suggest(quality_hint_zh, quality_hint_en)
        .cite(Article::ConsumerLaw25)
        .cite(Article::NoReasonMeasures6),
        Some(NoReasonStatus::NotSignedFor) => finding(
            FindingCode::NotSignedFor,
            Severity::Error,
            "商品尚未签收，七日无理由退货期还没有开始。".into(),
            "The goods have not been signed for, so the 7-day no-reason period has not started.".into(),
        )
        .suggest(
            "签收后再申请；如一直未收到货，请改选「未收到货」并附物流记录。",
            "Apply after delivery; if the goods never arrived, choose \"not delivered\" and attach the logistics record.",
        )
        .cite(Article::NoReasonMeasures),
        Some(NoReasonStatus::Open) | None => return,
    };
    out.push(f);
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
    let missing: Vec<(&str, &str)> = [
        (expected.bought && !dated.bought, ("购买时间", "when you bought it")),
        (expected.found && !dated.found, ("发现问题的时间", "when you found the problem")),
        (expected.contacted && !dated.contacted, ("联系商家的时间", "when you contacted the merchant")),
    ]
    .into_iter()
    .filter_map(|(m, names)| m.then_some(names))
    .collect();
    if missing.is_empty() {
        return;
    }
    let zh = missing.iter().map(|m| m.0).collect::<Vec<_>>().join("、");
    let en = missing.iter().map(|m| m.1).collect::<Vec<_>>().join(", ");
    let suggestion = (
        "按时间顺序写明：几月几日下单购买、几月几日收到并发现问题、几月几日联系商家及商家如何答复。",
        "Tell it in time order: the date you ordered, the date you received it and found the problem, the date you contacted the merchant and what they answered.",
    );
    let f = if s.has_time {
        finding(
            FindingCode::TimelineIncomplete,
            Severity::Info,
            format!("描述中缺少{zh}。"),
            format!("The description does not say {en}."),
        )
    } else {
        finding(
            FindingCode::NoTimeline,
            Severity::Warning,
            format!("描述中没有任何时间节点（缺少{zh}），平台难以判断责任和时效。"),
            format!(
                "The description has no time line (missing {en}), so responsibility and time limits cannot be judged."
            ),
        )
    };
    out.push(f.suggest(suggestion.0, suggestion.1));
}

fn check_problem(s: &TextSignals, out: &mut Vec<Finding>) {
    // A concrete detail says what happened however briefly it is put ("左耳无声").
    let (zh, en) = if s.has_detail {
        return;
    } else if s.substance < MIN_SUBSTANCE {
        ("问题描述过短，平台无法据此判断发生了什么。", "The description is too short to tell what happened.")
    } else {
        (
            "问题描述没有具体细节（哪里坏了、与页面哪一项不符、少了什么），只有笼统的评价。",
            "The description gives no concrete detail (what is broken, which listed feature differs, what is missing), only a general judgement.",
        )
    };
    out.push(
        finding(FindingCode::VagueProblem, Severity::Warning, zh.into(), en.into()).suggest(
            "具体写明问题：部位、现象、程度、数量，以及与商品页描述的具体差异。",
            "Say exactly what is wrong: which part, what happens, how bad, how many, and how it differs from the product page.",
        ),
    );
}

fn check_demand(draft: &ComplaintDraft, s: &TextSignals, out: &mut Vec<Finding>) {
    if draft.demanded_fen.is_some() || s.has_demand_word {
        return;
    }
    out.push(
        finding(
            FindingCode::NoExplicitDemand,
            Severity::Warning,
            "没有写明诉求：希望全额退款、部分退款、换货、补寄还是赔偿？".into(),
            "No explicit demand: do you want a full refund, a partial refund, an exchange, a reissue or compensation?"
                .into(),
        )
        .suggest(
            format!("写明诉求和金额，例如「要求{}，退款{}」。", draft.kind.label_zh(), yuan(draft.paid_fen)),
            format!(
                "State the remedy and amount, e.g. \"I ask for: {}, {}\".",
                draft.kind.label_en().to_lowercase(),
                yuan(draft.paid_fen)
            ),
        ),
    );
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

/// Why each reason needs what it needs, as a suggestion.
fn evidence_advice(reason: Reason) -> (&'static str, &'static str) {
    match reason {
        Reason::QualityDefect => (
            "拍摄清晰的照片或视频，直观展示瑕疵部位、损坏程度或功能异常。",
            "Take clear photos or a video showing the defect, the damage or the malfunction.",
        ),
        Reason::WrongOrMissingItem => (
            "拍摄开箱照片或视频，显示收到的商品、数量和包装面单。",
            "Photograph or film the unboxing: what arrived, how many, and the parcel label.",
        ),
        Reason::NotAsDescribed => (
            "截图商品详情页中相关的描述，并拍摄实物照片对比差异。",
            "Screenshot the relevant part of the product page and photograph the item to show the difference.",
        ),
        Reason::Counterfeit => (
            "提供检测报告、品牌方鉴定或发票，以及商品页宣称正品的截图。",
            "Provide an inspection report or brand verification, the invoice, and the product page claiming it is genuine.",
        ),
        Reason::NotDelivered => (
            "截图物流轨迹（显示未妥投、停滞或签收异常）。",
            "Screenshot the tracking history (not delivered, stalled, or signed for by someone else).",
        ),
        Reason::LateShipment => (
            "截图商品页或聊天中承诺的发货时间，以及显示未发货的订单或物流记录。",
            "Screenshot the promised dispatch time (product page or chat) and the order or tracking record showing it was not shipped.",
        ),
        Reason::DamagedInTransit => (
            "拍摄外包装和商品损坏的照片或视频，并截图签收时间的物流记录。",
            "Photograph the damaged parcel and item, and screenshot the tracking record with the delivery time.",
        ),
        Reason::FalseAdvertising => (
            "截图宣传内容（商品页或聊天），并用照片、视频或检测报告证明与事实不符。",
            "Screenshot the claim (product page or chat) and show with photos, video or a test report that it is untrue.",
        ),
        Reason::ServiceNotFulfilled => (
            "提供记录服务承诺的聊天记录、商品页或订单截图。",
            "Provide the chat record, product page or order showing the promised service.",
        ),
        Reason::NoReason7Day | Reason::Other => ("", ""),
    }
}

fn check_evidence(draft: &ComplaintDraft, s: &TextSignals, out: &mut Vec<Finding>) {
    let has = |k: &EvidenceKind| draft.evidence.contains(k);
    let missing: Vec<&[EvidenceKind]> =
        evidence_needed(draft.reason).iter().copied().filter(|group| !group.iter().any(has)).collect();
    if !missing.is_empty() {
        let zh = missing
            .iter()
            .map(|g| g.iter().map(|k| k.label_zh()).collect::<Vec<_>>().join("或"))
            .collect::<Vec<_>>()
            .join("，以及");
        let en = missing
            .iter()
            .map(|g| g.iter().map(|k| k.label_en().to_lowercase()).collect::<Vec<_>>().join(" or "))
            .collect::<Vec<_>>()
            .join(", and ");
        let (advice_zh, advice_en) = evidence_advice(draft.reason);
        out.push(
            finding(
                FindingCode::EvidenceNotFittingReason,
                Severity::Warning,
                format!("所附证据不足以支持「{}」：缺少{}。", draft.reason.label_zh(), zh),
                format!(
                    "The evidence attached does not support \"{}\": missing {}.",
                    draft.reason.label_en().to_lowercase(),
                    en
                ),
            )
            .suggest(advice_zh, advice_en),
        );
    }
    let promise_recorded = has(&EvidenceKind::ChatRecord) || has(&EvidenceKind::ProductPage);
    if s.mentions_promise && !promise_recorded {
        out.push(
            finding(
                FindingCode::PromiseWithoutChatRecord,
                Severity::Warning,
                "描述提到了商家的承诺，但没有附上记录该承诺的聊天记录或商品页截图。".into(),
                "The description mentions a promise by the merchant, but no chat record or product page recording it is attached.".into(),
            )
            .suggest(
                "附上商家作出承诺的完整聊天记录截图（含时间），或写明该承诺的商品页截图。",
                "Attach a complete, dated screenshot of the chat where the merchant promised it, or of the product page stating it.",
            ),
        );
    }
    if s.mentions_harm && !has(&EvidenceKind::MedicalRecord) {
        out.push(
            finding(
                FindingCode::HarmWithoutMedicalRecord,
                Severity::Warning,
                "描述提到了人身损害（就医、过敏、受伤等），但没有附医疗记录。".into(),
                "The description mentions harm to health (treatment, allergy, injury), but no medical record is attached.".into(),
            )
            .suggest(
                "附上病历、诊断证明和医疗费票据，它们是主张赔偿损失的依据。",
                "Attach the medical record, diagnosis and receipts: they are the basis of a claim for the loss.",
            ),
        );
    }
}

fn check_kind(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    use RequestKind::*;
    let (fits, zh, en): (&[RequestKind], &str, &str) = match draft.reason {
        Reason::NoReason7Day => (
            &[ReturnRefund],
            "七日无理由是退货：需要把商品寄回后退款。",
            "a no-reason return means returning the goods for a refund.",
        ),
        Reason::NotDelivered | Reason::LateShipment => (
            &[RefundOnly, Reissue, Compensation],
            "没有收到的商品无法退回、换货或维修。",
            "goods never received cannot be returned, exchanged or repaired.",
        ),
        _ => return,
    };
    if fits.contains(&draft.kind) {
        return;
    }
    let names_zh = fits.iter().map(|k| k.label_zh()).collect::<Vec<_>>().join("、");
    let names_en = fits.iter().map(|k| k.label_en().to_lowercase()).collect::<Vec<_>>().join(", ");
    out.push(
        finding(
            FindingCode::KindDoesNotFitReason,
            Severity::Warning,
            format!("售后类型「{}」与原因「{}」不符：{zh}", draft.kind.label_zh(), draft.reason.label_zh()),
            format!(
                "The request \"{}\" does not fit the reason \"{}\": {en}",
                draft.kind.label_en().to_lowercase(),
                draft.reason.label_en().to_lowercase()
            ),
        )
        .suggest(format!("改选：{names_zh}。"), format!("Choose one of: {names_en}.")),
    );
}

fn check_merchant_contact(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    if draft.contacted_merchant {
        return;
    }
    out.push(
        finding(
            FindingCode::MerchantNotContacted,
            Severity::Warning,
            "还没有先与商家协商。平台和监管部门通常要求先与商家沟通，协商不成再介入。".into(),
            "You have not tried to settle with the merchant. Platforms and regulators usually expect that first and step in when it fails.".into(),
        )
        .suggest(
            "先通过平台聊天联系商家，说明问题和诉求，保留聊天记录；商家拒绝或超时不处理再投诉。",
            "Contact the merchant through the platform chat first, state the problem and your demand, and keep the record; complain if they refuse or do not answer in time.",
        ),
    );
}

fn offer_statutory_damages(draft: &ComplaintDraft, out: &mut Vec<Finding>) {
    if draft.kind == RequestKind::Compensation || draft.paid_fen < 0 {
        return;
    }
    let food_reason = matches!(
        draft.reason,
        Reason::QualityDefect | Reason::Counterfeit | Reason::FalseAdvertising | Reason::NotAsDescribed
    );
    let (breakdown, article, if_zh, if_en) = if draft.facts.food && food_reason {
        (
            food_safety_damages(draft.paid_fen, 0),
            Article::FoodSafetyLaw148,
            "如能证明食品不符合食品安全标准",
            "If the food can be shown not to meet food safety standards",
        )
    } else if matches!(draft.reason, Reason::Counterfeit | Reason::FalseAdvertising) {
        (
            consumer_fraud_damages(draft.paid_fen),
            Article::ConsumerLaw55,
            "如能证明商家存在欺诈行为",
            "If the merchant can be shown to have acted fraudulently",
        )
    } else {
        return;
    };
    let Ok(b) = breakdown else { return };
    out.push(
        finding(
            FindingCode::StatutoryDamagesAvailable,
            Severity::Info,
            format!("{if_zh}，可主张法定赔偿：{}", b.explanation_zh),
            format!("{if_en}, statutory damages are available: {}", b.explanation_en),
        )
        .suggest(
            "如要主张，请选择「赔偿」并附上相应证据（检测报告、鉴定意见、宣传截图等）。",
            "To claim them, choose \"compensation\" and attach the evidence (test report, verification, screenshots of the claims).",
        )
        .cite(article),
    );
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
        assert!(
            report.findings[0].message_zh.contains("购买时间") && report.findings[0].message_zh.contains("联系商家")
        );
    }

    #[test]
    fn a_short_description_without_a_detail_is_still_vague() {
        let mut draft = readme_example(EligibilityFacts::default());
        draft.description = "东西不好".into();
        assert!(check(&draft).codes().contains(&FindingCode::VagueProblem));
    }
}
