//! What the law gives this buyer on this order, and how a draft complaint reads: the consumer-law
//! rules of `redress-law` applied to stored orders and cases.

use crate::error::AppError;
use crate::{App, Principal};
use jiff::Timestamp;
use redress_domain::Detail;
use redress_domain::case::ItemRef;
use redress_domain::order::Order;
use redress_domain::vocabulary::{EvidenceKind, Reason, RequestKind};
use redress_domain::{CaseId, Money, OrderId};
use redress_law::citation::Citation;
use redress_law::complaint_check::{
    self, CheckReport, ComplaintDraft, EligibilityFacts, Finding, FindingCode, NoReasonStatus, Severity,
};
use redress_law::damages::{self, DamagesBreakdown, DamagesRule};
use redress_law::eligibility::{self, ItemRights, NoReasonExclusion, Refusal, RefusalCode, SanbaoWindows, Window};
use redress_text::{Lang, law, told};
use serde::{Deserialize, Serialize};

/// What the law gives on an order (or on the items of a case), as computed: windows, refusals
/// and damages as codes and figures. [`RightsView::of`] tells it in a reader's language.
#[derive(Debug, Clone)]
pub struct Rights {
    pub order_id: OrderId,
    pub as_of: Timestamp,
    pub items: Vec<(Item, ItemRights)>,
    pub statutory_damages: Vec<StatutoryDamages>,
}

/// An item the rights are about.
#[derive(Debug, Clone)]
pub struct Item {
    pub sku: String,
    pub title: String,
}

/// A damages rule with its computation for the price concerned, and whether it applies here:
/// `true` when the case's reason (or the items) make the rule applicable; `false` on an order
/// view, where it shows what a fraud or food-safety claim would be worth.
#[derive(Debug, Clone)]
pub struct StatutoryDamages {
    pub applicable: bool,
    pub breakdown: DamagesBreakdown,
}

/// The rights on an order or a case as its reader sees them: each window with its article, and
/// why not, in the reader's language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RightsView {
    pub order_id: OrderId,
    pub as_of: Timestamp,
    pub items: Vec<ItemRightsView>,
    pub statutory_damages: Vec<StatutoryDamagesView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemRightsView {
    pub sku: String,
    pub title: String,
    pub rights: LawRightsView,
}

/// Everything the law gives the buyer on one item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ItemRights)]
pub struct LawRightsView {
    pub no_reason: NoReasonView,
    /// 消法第二十四条: return of non-conforming goods; `None` until signed for.
    pub non_conforming: Option<Window>,
    /// `None` until signed for, and for goods off the 三包 catalogue.
    pub sanbao: Option<SanbaoWindows>,
}

/// The 7-day no-reason return of one item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = NoReasonRights)]
pub struct NoReasonView {
    /// A no-reason return may be filed now.
    pub allowed: bool,
    /// Present when the item is not excluded and was signed for.
    pub window: Option<Window>,
    pub exclusions: Vec<NoReasonExclusion>,
    /// Why it is not allowed now, as the filing would be refused.
    pub refusal: Option<RefusalView>,
}

/// A filing the rules refuse: a stable code with its arguments, the words in the reader's
/// language and the articles.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Refusal)]
pub struct RefusalView {
    pub code: RefusalCode,
    /// What the message says, as data (`exclusion`, `ends_at`).
    #[schema(value_type = Object)]
    pub args: serde_json::Map<String, serde_json::Value>,
    pub message: String,
    pub citations: Vec<Citation>,
}

/// A damages rule, its computation and when it applies, in the reader's language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatutoryDamages)]
pub struct StatutoryDamagesView {
    pub rule: DamagesRule,
    /// `true` when the case's reason (or the items) make the rule applicable; `false` on an
    /// order view, where it shows what a fraud or food-safety claim would be worth.
    pub applicable: bool,
    pub applies_when: String,
    /// The computation in a sentence citing its article.
    pub explanation: String,
    pub breakdown: DamagesBreakdown,
}

impl RightsView {
    pub fn of(rights: &Rights, lang: Lang) -> RightsView {
        let refusal = |r: &Refusal| {
            let detail = Detail::from(r);
            RefusalView { code: r.code(), args: detail.args(), message: told(lang, &detail), citations: r.citations() }
        };
        let items = rights
            .items
            .iter()
            .map(|(item, r)| ItemRightsView {
                sku: item.sku.clone(),
                title: item.title.clone(),
                rights: LawRightsView {
                    no_reason: NoReasonView {
                        allowed: r.no_reason.allowed,
                        window: r.no_reason.window.clone(),
                        exclusions: r.no_reason.exclusions.clone(),
                        refusal: r.no_reason.refusal.as_ref().map(refusal),
                    },
                    non_conforming: r.non_conforming.clone(),
                    sanbao: r.sanbao.clone(),
                },
            })
            .collect();
        let statutory_damages = rights
            .statutory_damages
            .iter()
            .map(|d| StatutoryDamagesView {
                rule: d.breakdown.rule,
                applicable: d.applicable,
                applies_when: law::damages_applies_when(lang, d.breakdown.rule),
                explanation: law::damages_explanation(lang, &d.breakdown),
                breakdown: d.breakdown.clone(),
            })
            .collect();
        RightsView { order_id: rights.order_id, as_of: rights.as_of, items, statutory_damages }
    }
}

/// The complaint checker's answer as its reader sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = CheckReport)]
pub struct CheckReportView {
    /// Ordered by severity, then by code.
    pub findings: Vec<FindingView>,
}

/// A finding: a stable code with its arguments, and its message and suggestion in the reader's
/// language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Finding)]
pub struct FindingView {
    pub code: FindingCode,
    pub severity: Severity,
    /// What the words say, as data (amounts in fen, names of the vocabularies).
    #[schema(value_type = Object)]
    pub args: serde_json::Map<String, serde_json::Value>,
    pub message: String,
    pub suggestion: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
}

impl FindingView {
    pub fn of(f: &Finding, lang: Lang) -> FindingView {
        let (message, suggestion) = law::finding(lang, f);
        FindingView {
            code: f.code(),
            severity: f.severity,
            args: law::finding_args(f),
            message,
            suggestion,
            citations: f.citations.clone(),
        }
    }
}

impl CheckReportView {
    pub fn of(report: &CheckReport, lang: Lang) -> CheckReportView {
        CheckReportView { findings: report.findings.iter().map(|f| FindingView::of(f, lang)).collect() }
    }
}

/// The price of the claimed items, never more than what was paid.
fn price_of(order: &Order, items: Option<&[ItemRef]>) -> Money {
    let total: i64 = match items {
        Some(items) => items
            .iter()
            .filter_map(|r| order.item(&r.sku).map(|i| i.unit_price.fen().saturating_mul(i64::from(r.quantity))))
            .sum(),
        None => order.items.iter().map(|i| i.total().fen()).sum(),
    };
    Money::from_fen(total.min(order.amount_paid.fen()))
}

/// The rights of an order, or of the items of a case filed for `reason`.
pub fn rights(order: &Order, items: Option<&[ItemRef]>, reason: Option<Reason>, now: Timestamp) -> Rights {
    let chosen = |sku: &str| items.is_none_or(|items| items.iter().any(|r| r.sku == sku));
    let item_rights = order
        .items
        .iter()
        .filter(|i| chosen(&i.sku))
        .map(|i| {
            let item = Item { sku: i.sku.clone(), title: i.title.clone() };
            (item, eligibility::item_rights(&i.law, order.signed_at, now))
        })
        .collect();
    let price = price_of(order, items).fen();
    let food = order.items.iter().any(|i| chosen(&i.sku) && i.law.flags.food);
    let mut statutory_damages = Vec::new();
    if let Ok(breakdown) = damages::consumer_fraud_damages(price) {
        let applicable = matches!(reason, Some(Reason::Counterfeit | Reason::FalseAdvertising));
        statutory_damages.push(StatutoryDamages { applicable, breakdown });
    }
    if food && let Ok(breakdown) = damages::food_safety_damages(price, 0) {
        let applicable = matches!(
            reason,
            Some(Reason::QualityDefect | Reason::Counterfeit | Reason::NotAsDescribed | Reason::FalseAdvertising)
        );
        statutory_damages.push(StatutoryDamages { applicable, breakdown });
    }
    Rights { order_id: order.id, as_of: now, items: item_rights, statutory_damages }
}

/// A complaint draft as the API takes it; a field it does not have is refused.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub order_id: Option<OrderId>,
    #[serde(default)]
    pub items: Option<Vec<ItemRef>>,
    pub kind: RequestKind,
    pub reason: Reason,
    #[serde(default)]
    pub demanded_amount: Option<Money>,
    #[serde(default)]
    pub description: String,
    /// What the draft says it has; with an `order_id` the files actually attached in the
    /// order's conversation count instead.
    #[serde(default)]
    pub evidence_kinds: Vec<EvidenceKind>,
    /// What the draft says; with an `order_id` the conversation's record counts instead.
    #[serde(default)]
    pub contacted_merchant: bool,
}

/// Reads a draft against the order it concerns (if given): amounts, windows, food, and what
/// the platform's record of the order says (`record`: the conversation). With an order, the
/// record decides whether the buyer contacted the merchant and which evidence exists; what the
/// draft declares counts only for a draft without an order. `attached`: files that come with
/// the filing itself (the filing form's chosen photo), not declared but about to be added, so
/// they count either way.
pub fn check_draft(
    draft: &Draft,
    order: Option<&Order>,
    record: Option<&crate::conversations::RecordFacts>,
    attached: &[EvidenceKind],
    now: Timestamp,
) -> CheckReport {
    let items = draft.items.as_deref();
    let (contacted_merchant, mut evidence) = match (order, record) {
        (Some(_), Some(record)) => (record.buyer_contacted_at.is_some(), record.evidence.clone()),
        _ => (draft.contacted_merchant, draft.evidence_kinds.clone()),
    };
    for kind in attached {
        if !evidence.contains(kind) {
            evidence.push(*kind);
        }
    }
    let (paid, facts) = match order {
        Some(order) => {
            let chosen: Vec<_> =
                order.items.iter().filter(|i| items.is_none_or(|r| r.iter().any(|r| r.sku == i.sku))).collect();
            let no_reason = chosen
                .iter()
                .map(|i| NoReasonStatus::from_check(&eligibility::check_no_reason_filing(&i.law, order.signed_at, now)))
                .find(|s| *s != NoReasonStatus::Open)
                .or(Some(NoReasonStatus::Open));
            let food = chosen.iter().any(|i| i.law.flags.food);
            let facts = EligibilityFacts {
                no_reason,
                food,
                bought_on_record: order.paid_at.is_some(),
                contact_on_record: contacted_merchant && record.is_some(),
                return_window_passed: order.signed_at.is_some_and(|signed| {
                    eligibility::non_conforming_window(signed, now).status == eligibility::WindowStatus::Closed
                }),
            };
            (price_of(order, items).fen(), facts)
        }
        None => (draft.demanded_amount.map_or(0, Money::fen), EligibilityFacts::default()),
    };
    complaint_check::check(&ComplaintDraft {
        kind: draft.kind,
        reason: draft.reason,
        demanded_fen: draft.demanded_amount.map(Money::fen),
        description: draft.description.clone(),
        evidence,
        contacted_merchant,
        paid_fen: paid,
        facts,
    })
}

impl App {
    pub async fn order_rights(&self, principal: &Principal, order_id: OrderId) -> Result<Rights, AppError> {
        let order = self.order(principal, order_id).await?;
        Ok(rights(&order, None, None, self.clock.now()))
    }

    pub async fn case_rights(&self, principal: &Principal, case_id: CaseId) -> Result<Rights, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        let order = self.store.order(record.case.order_id).await?.ok_or(AppError::NotFound)?;
        Ok(rights(&order, Some(&record.case.items), Some(record.case.reason), self.clock.now()))
    }

    pub async fn complaint_check(&self, principal: &Principal, draft: &Draft) -> Result<CheckReport, AppError> {
        self.complaint_check_filing(principal, draft, &[]).await
    }

    /// The checker's reading of a filing with `attached` files coming with it (see `check_draft`).
    pub async fn complaint_check_filing(
        &self,
        principal: &Principal,
        draft: &Draft,
        attached: &[EvidenceKind],
    ) -> Result<CheckReport, AppError> {
        let order = match draft.order_id {
            Some(id) => Some(self.order(principal, id).await?),
            None => None,
        };
        let record = match &order {
            Some(order) => Some(self.record_facts(order.id).await?),
            None => None,
        };
        Ok(check_draft(draft, order.as_ref(), record.as_ref(), attached, self.clock.now()))
    }
}
