//! What the law gives this buyer on this order, and how a draft complaint reads: the consumer-law
//! rules of `redress-law` applied to stored orders and cases.

use crate::error::AppError;
use crate::{App, Principal};
use jiff::Timestamp;
use redress_domain::case::ItemRef;
use redress_domain::order::Order;
use redress_domain::vocabulary::{EvidenceKind, Reason, RequestKind};
use redress_domain::{CaseId, Money, OrderId};
use redress_law::complaint_check::{self, CheckReport, ComplaintDraft, EligibilityFacts, NoReasonStatus};
use redress_law::damages::{self, DamagesBreakdown};
use redress_law::eligibility::{self, ItemRights};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RightsView {
    pub order_id: OrderId,
    pub as_of: Timestamp,
    pub items: Vec<ItemRightsView>,
    pub statutory_damages: Vec<StatutoryDamages>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemRightsView {
    pub sku: String,
    pub title: String,
    pub rights: ItemRights,
}

/// A damages rule with its computation for the price concerned, and whether it applies here.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatutoryDamages {
    pub rule: &'static str,
    /// `true` when the case's reason (or the items) make the rule applicable; `false` on an
    /// order view, where it shows what a fraud or food-safety claim would be worth.
    pub applicable: bool,
    pub applies_when_zh: &'static str,
    pub applies_when_en: &'static str,
    pub breakdown: DamagesBreakdown,
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

/// The rights view of an order, or of the items of a case filed for `reason`.
pub fn rights(order: &Order, items: Option<&[ItemRef]>, reason: Option<Reason>, now: Timestamp) -> RightsView {
    let chosen = |sku: &str| items.is_none_or(|items| items.iter().any(|r| r.sku == sku));
    let item_views = order
        .items
        .iter()
        .filter(|i| chosen(&i.sku))
        .map(|i| ItemRightsView {
            sku: i.sku.clone(),
            title: i.title.clone(),
            rights: eligibility::item_rights(&i.law, order.signed_at, now),
        })
        .collect();
    let price = price_of(order, items).fen();
    let food = order.items.iter().any(|i| chosen(&i.sku) && i.law.flags.food);
    let mut statutory_damages = Vec::new();
    if let Ok(breakdown) = damages::consumer_fraud_damages(price) {
        statutory_damages.push(StatutoryDamages {
            rule: "consumer_fraud",
            applicable: matches!(reason, Some(Reason::Counterfeit | Reason::FalseAdvertising)),
            applies_when_zh: "经营者有欺诈行为(如假冒伪劣、虚假宣传)",
            applies_when_en: "the seller committed fraud (counterfeit goods, false advertising)",
            breakdown,
        });
    }
    if food && let Ok(breakdown) = damages::food_safety_damages(price, 0) {
        statutory_damages.push(StatutoryDamages {
            rule: "food_safety",
            applicable: matches!(
                reason,
                Some(Reason::QualityDefect | Reason::Counterfeit | Reason::NotAsDescribed | Reason::FalseAdvertising)
            ),
            applies_when_zh: "食品不符合食品安全标准",
            applies_when_en: "the food does not meet food-safety standards",
            breakdown,
        });
    }
    RightsView { order_id: order.id, as_of: now, items: item_views, statutory_damages }
}

/// A complaint draft as the API takes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
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
    pub async fn order_rights(&self, principal: &Principal, order_id: OrderId) -> Result<RightsView, AppError> {
        let order = self.order(principal, order_id).await?;
        Ok(rights(&order, None, None, self.clock.now()))
    }

    pub async fn case_rights(&self, principal: &Principal, case_id: CaseId) -> Result<RightsView, AppError> {
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
