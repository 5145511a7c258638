//! Filing a case (买家申请售后): the checks on the order and the buyer's demand.

use super::Env;
use super::deadlines::enter;
use crate::actor::Actor;
use crate::case::{Case, CaseState, Stage};
use crate::command::FileCase;
use crate::event::{Event, EventBody, Filed};
use crate::ids::CaseId;
use crate::money::Money;
use crate::order::{Order, OrderHistory};
use crate::rejection::{Detail, Rejection, RejectionCode};
use crate::vocabulary::RemedyKind;
use std::collections::HashSet;

pub const MAX_TEXT: usize = 5000;

/// Checks a filing and returns its `Filed` event. `case_id` is minted by the caller.
pub fn decide_filing(
    case_id: CaseId,
    request: &FileCase,
    order: &Order,
    history: &OrderHistory,
    policy_version: i64,
    actor: Actor,
    env: &Env,
) -> Result<Event, Rejection> {
    match actor {
        Actor::Buyer { user } if user == order.buyer_id => {}
        _ => return Err(Rejection::new(RejectionCode::NotYourOrder)),
    }
    if order.paid_at.is_none() {
        return Err(Rejection::new(RejectionCode::OrderNotPaid));
    }
    if request.items.is_empty() {
        return Err(Rejection::invalid(Detail::NoItems));
    }
    let mut seen = HashSet::new();
    for item in &request.items {
        let not_in_order = |detail| Err(Rejection::with(RejectionCode::ItemsNotInOrder, detail));
        let sku = item.sku.clone();
        let Some(ordered) = order.item(&item.sku) else { return not_in_order(Detail::Item { sku }) };
        if !seen.insert(item.sku.as_str()) {
            return not_in_order(Detail::ItemTwice { sku });
        }
        if item.quantity == 0 || item.quantity > ordered.quantity {
            let (asked, ordered) = (u64::from(item.quantity), u64::from(ordered.quantity));
            return not_in_order(Detail::ItemQuantity { sku, asked, ordered });
        }
        if history.skus_with_open_case.iter().any(|s| s == &item.sku) {
            return Err(Rejection::with(RejectionCode::ItemsHaveOpenCase, Detail::Item { sku: item.sku.clone() }));
        }
        if history.applications(&item.sku) >= env.policy.max_applications_per_item {
            return Err(Rejection::with(RejectionCode::MaxApplicationsReached, Detail::Item { sku: item.sku.clone() }));
        }
    }
    if request.reason == crate::vocabulary::Reason::NoReason7Day {
        for item in &request.items {
            let facts = &order.item(&item.sku).expect("checked above").law;
            redress_law::eligibility::check_no_reason_filing(facts, order.signed_at, env.now)
                .map_err(|r| refusal(&r))?;
        }
    }
    // The merchant answers what the buyer says happened: a filing says something.
    require_text("description", &request.description)?;
    // A case refunds at most what was paid for its items, and never what other cases took.
    let price = order.paid_for(&request.items);
    let refundable = price.min(order.amount_paid.saturating_remaining(history.committed_refunds));
    let food = request.items.iter().filter_map(|r| order.item(&r.sku)).any(|i| i.law.flags.food);
    let ceiling = match RemedyKind::requested(request.kind) {
        RemedyKind::Compensation => refundable.max(statutory_ceiling(request.reason, food, price)),
        _ => refundable,
    };
    let remedy = RemedyKind::requested(request.kind);
    check_demand(remedy.pays_money(), remedy == RemedyKind::Compensation, request.amount, ceiling)?;

    let filed = Filed {
        case_id,
        order_id: order.id,
        buyer_id: order.buyer_id,
        merchant_id: order.merchant_id,
        kind: request.kind,
        reason: request.reason,
        items: request.items.clone(),
        amount: request.amount,
        refundable,
        price,
        food,
        description: request.description.trim().to_owned(),
        policy_version,
        is_repeat: history.prior_cases > 0,
    };
    let case = Case::opened(&filed, env.now);
    let transition = enter(&case, CaseState::AwaitingMerchant, Stage::Negotiation, env)?;
    Ok(Event { at: env.now, actor, body: EventBody::Filed(Box::new(filed)), transition: Some(transition) })
}

/// The most the law gives on top of a refund for this reason: 消法第五十五条 (fraud: price + 3×,
/// the punitive part at least ¥500) and 食品安全法第一百四十八条 (food: 10× the price, at least
/// ¥1000; a larger 3× loss is for the agent to weigh). Zero where neither applies.
pub fn statutory_ceiling(reason: crate::vocabulary::Reason, food: bool, price: Money) -> Money {
    use crate::vocabulary::Reason::{Counterfeit, FalseAdvertising, NotAsDescribed, QualityDefect};
    // Food-safety damages are for unsafe food, not for a late parcel of it.
    let food = food && matches!(reason, QualityDefect | Counterfeit | NotAsDescribed | FalseAdvertising);
    use redress_law::damages::{consumer_fraud_damages, food_safety_damages};
    let fraud =
        matches!(reason, Counterfeit | FalseAdvertising).then(|| consumer_fraud_damages(price.fen()).ok()).flatten();
    let food = food.then(|| food_safety_damages(price.fen(), 0).ok()).flatten();
    [fraud, food].into_iter().flatten().map(|d| Money::from_fen(d.total_fen)).max().unwrap_or(Money::ZERO)
}

/// A money demand is positive and within what is refundable; other demands carry no money.
/// `compensation`: the ceiling is a compensation's cap (the law's damages included), and the
/// refusal says so.
pub(super) fn check_demand(
    pays_money: bool,
    compensation: bool,
    amount: Money,
    refundable: Money,
) -> Result<(), Rejection> {
    if pays_money {
        if !amount.is_positive() {
            return Err(Rejection::with(
                RejectionCode::AmountNotPositive,
                Detail::NotPositive { amount: amount.to_string() },
            ));
        }
        if amount > refundable {
            let (amount, limit) = (amount.to_string(), refundable.to_string());
            let detail = if compensation {
                Detail::ExceedsCompensationCap { amount, cap: limit }
            } else {
                Detail::ExceedsRefundable { amount, refundable: limit }
            };
            return Err(Rejection::with(RejectionCode::AmountExceedsRefundable, detail));
        }
    } else if amount != Money::ZERO {
        return Err(Rejection::invalid(Detail::NoAmount));
    }
    Ok(())
}

pub(super) fn check_text(field: &str, text: &str) -> Result<(), Rejection> {
    if text.chars().count() > MAX_TEXT {
        return Err(Rejection::invalid(Detail::too_long(field, MAX_TEXT)));
    }
    crate::free_text::check_controls(field, text)
}

pub(super) fn require_text(field: &str, text: &str) -> Result<(), Rejection> {
    if crate::free_text::is_blank(text) {
        return Err(Rejection::invalid(Detail::Empty { field: field.to_owned() }));
    }
    check_text(field, text)
}

/// The law crate's refusal as a rejection: its code, and what the catalogue's words need.
fn refusal(r: &redress_law::eligibility::Refusal) -> Rejection {
    use redress_law::eligibility::RefusalCode;
    let code = match r.code() {
        RefusalCode::NoReasonWindowClosed => RejectionCode::NoReasonWindowClosed,
        RefusalCode::NoReasonExcludedItem => RejectionCode::NoReasonExcludedItem,
        RefusalCode::NotSignedFor => RejectionCode::NotSignedFor,
    };
    Rejection::with(code, Detail::from(r))
}
