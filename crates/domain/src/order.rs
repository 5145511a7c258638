//! Merchants, orders and their line items: the facts a case is filed against.

use crate::ids::{MerchantId, OrderId, UserId};
use crate::money::Money;
use crate::vocabulary::SalesChannel;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A shop and its legal identity: a regulator complaint names all of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    pub address: String,
    pub phone: Option<String>,
}

pub use redress_law::eligibility::{ConfirmedExclusion, ItemFacts, ItemFlags, Warranty};

/// The most of one item an order line holds.
pub const MAX_QUANTITY: u32 = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    pub sku: String,
    pub title: String,
    /// From 1 to 100000.
    #[serde(deserialize_with = "crate::bounded::within::<_, _, 1, { MAX_QUANTITY as i64 }>")]
    pub quantity: u32,
    pub unit_price: Money,
    /// What consumer law needs to know of the item: category flags, exclusions the buyer
    /// confirmed at checkout, freight promise, warranty.
    #[serde(flatten)]
    pub law: ItemFacts,
}

impl LineItem {
    pub fn total(&self) -> Money {
        self.unit_price.checked_mul(i64::from(self.quantity)).unwrap_or(Money::ZERO)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Order {
    pub id: OrderId,
    /// The platform's own order number, as the buyer sees it.
    pub number: String,
    pub merchant_id: MerchantId,
    pub buyer_id: UserId,
    pub channel: SalesChannel,
    pub items: Vec<LineItem>,
    /// What the buyer actually paid (after discounts, with freight): the ceiling of all refunds.
    pub amount_paid: Money,
    /// The shipping charged (运费), part of `amount_paid` but no item's price.
    #[serde(default)]
    pub freight: Money,
    pub payment_transaction_id: Option<String>,
    pub paid_at: Option<Timestamp>,
    pub shipped_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl Order {
    pub fn item(&self, sku: &str) -> Option<&LineItem> {
        self.items.iter().find(|i| i.sku == sku)
    }

    /// What the buyer paid for these items: the amount paid is shared out over the lines in
    /// proportion to their prices (so order discounts are shared too), never more than a line's
    /// own price, then over the units of a line. Unknown SKUs count nothing.
    pub fn paid_for(&self, items: &[crate::case::ItemRef]) -> Money {
        let line_totals: Vec<i64> = self.items.iter().map(|i| i.total().fen()).collect();
        let shares = self.amount_paid.split(&line_totals);
        let mut paid = Money::ZERO;
        for claim in items {
            let Some(index) = self.items.iter().position(|i| i.sku == claim.sku) else { continue };
            let line = &self.items[index];
            let share = shares[index].min(line.total());
            let units = share.split(&vec![1; line.quantity as usize]);
            let claimed: i64 = units.iter().take(claim.quantity as usize).map(|m| m.fen()).sum();
            paid = paid.checked_add(Money::from_fen(claimed)).unwrap_or(paid);
        }
        paid
    }
}

/// How far an order's time may be ahead of the platform's clock: the shop's clock may run a
/// little fast, no more.
pub const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// The earliest time an order may carry: 2000-01-01 00:00 Beijing time. Anything older is a
/// default or a typo in the shop's export, not a purchase anyone can still complain about.
pub const EARLIEST_ORDER_TIME: Timestamp = Timestamp::constant(946_656_000, 0);

/// The times of an order a shop reports (`paid_at`, `shipped_at`, `signed_at`, by name) are
/// plausible at `now`: none later than `now` plus [`CLOCK_SKEW`], none before
/// [`EARLIEST_ORDER_TIME`]. The first that is not is named, with why.
pub fn check_order_times(times: &[(&str, Option<Timestamp>)], now: Timestamp) -> Result<(), (String, crate::Detail)> {
    let latest = now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX);
    for &(field, at) in times {
        let Some(at) = at else { continue };
        if at > latest {
            return Err((field.to_owned(), crate::Detail::TimeInFuture { field: field.into() }));
        }
        if at < EARLIEST_ORDER_TIME {
            let detail = crate::Detail::TimeTooEarly { field: field.into(), earliest: EARLIEST_ORDER_TIME };
            return Err((field.to_owned(), detail));
        }
    }
    Ok(())
}

/// What the store knows about an order's other cases and refunds when a new case is filed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderHistory {
    /// Sum of refunds already executed or reserved by open cases.
    pub committed_refunds: Money,
    /// SKUs that have an open case.
    pub skus_with_open_case: Vec<String>,
    /// Number of earlier cases (any state) per SKU.
    pub applications_per_sku: Vec<(String, u32)>,
    /// Number of earlier cases on the order.
    pub prior_cases: u32,
}

impl OrderHistory {
    /// What the other cases on an order mean for a new one. Each case holds, of what was paid,
    /// the most it may still take (open) or took (closed), never more than its own items' price:
    /// compensation beyond the price is not taken from the order.
    pub fn of(cases: &[crate::Case]) -> OrderHistory {
        let mut history = OrderHistory { prior_cases: cases.len() as u32, ..Default::default() };
        for case in cases {
            let paid_out = case.refunded_total.checked_add(case.compensated_total).unwrap_or(case.refundable);
            let held = if case.is_open() {
                let remedy = case.remedy.map_or(Money::ZERO, |r| r.amount);
                case.amount.max(remedy).max(paid_out)
            } else {
                paid_out
            };
            let held = held.min(case.refundable);
            history.committed_refunds =
                history.committed_refunds.checked_add(held).unwrap_or(history.committed_refunds);
            for item in &case.items {
                if case.is_open() {
                    history.skus_with_open_case.push(item.sku.clone());
                }
                match history.applications_per_sku.iter_mut().find(|(s, _)| s == &item.sku) {
                    Some((_, n)) => *n += 1,
                    None => history.applications_per_sku.push((item.sku.clone(), 1)),
                }
            }
        }
        history
    }

    pub fn applications(&self, sku: &str) -> u32 {
        self.applications_per_sku.iter().find(|(s, _)| s == sku).map(|(_, n)| *n).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod order_times {
        use super::*;
        use proptest::prelude::*;

        fn now() -> Timestamp {
            "2026-03-01T12:00:00Z".parse().unwrap()
        }

        #[test]
        fn the_earliest_time_is_2000_in_beijing() {
            assert_eq!(EARLIEST_ORDER_TIME, "2000-01-01T00:00:00+08:00".parse::<Timestamp>().unwrap());
        }

        #[test]
        fn the_trials_orders_paid_in_1900_and_2099_are_refused_naming_the_field() {
            let at = |s: &str| Some(s.parse::<Timestamp>().unwrap());
            let future = check_order_times(&[("paid_at", at("2099-01-01T00:00:00Z"))], now());
            assert_eq!(future, Err(("paid_at".into(), crate::Detail::TimeInFuture { field: "paid_at".into() })));
            let old = check_order_times(&[("paid_at", None), ("signed_at", at("1900-01-01T00:00:00Z"))], now());
            let detail = crate::Detail::TimeTooEarly { field: "signed_at".into(), earliest: EARLIEST_ORDER_TIME };
            assert_eq!(old, Err(("signed_at".into(), detail)));
            assert_eq!(check_order_times(&[("paid_at", None)], now()), Ok(()));
        }

        proptest! {
            /// A time is accepted exactly when it lies between 2000 (Beijing) and now plus the skew.
            #[test]
            fn a_time_is_accepted_exactly_within_the_plausible_range(offset in -40i64 * 365 * 86_400..80 * 365 * 86_400) {
                let at = now().checked_add(jiff::SignedDuration::from_secs(offset)).unwrap();
                let plausible = at >= EARLIEST_ORDER_TIME && at <= now().checked_add(CLOCK_SKEW).unwrap();
                let checked = check_order_times(&[("shipped_at", Some(at))], now());
                prop_assert_eq!(checked.is_ok(), plausible);
                if let Err((field, _)) = checked {
                    prop_assert_eq!(field, "shipped_at");
                }
            }
        }
    }
    use crate::case::ItemRef;

    fn order(paid: i64) -> Order {
        let line = |sku: &str, quantity, fen| LineItem {
            sku: sku.into(),
            title: sku.into(),
            quantity,
            unit_price: Money::from_fen(fen),
            law: Default::default(),
        };
        Order {
            id: OrderId(uuid::Uuid::nil()),
            number: "N".into(),
            merchant_id: MerchantId(uuid::Uuid::nil()),
            buyer_id: UserId(uuid::Uuid::nil()),
            channel: SalesChannel::Web,
            items: vec![line("TEE", 2, 8900), line("CASE", 1, 4900)],
            amount_paid: Money::from_fen(paid),
            freight: Money::ZERO,
            payment_transaction_id: None,
            paid_at: None,
            shipped_at: None,
            signed_at: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn claim(sku: &str, quantity: u32) -> ItemRef {
        ItemRef { sku: sku.into(), quantity }
    }

    #[test]
    fn an_item_is_worth_its_share_of_what_was_paid() {
        // Paid in full: one of two shirts is one shirt's price, not the order's.
        assert_eq!(order(22700).paid_for(&[claim("TEE", 1)]), Money::from_fen(8900));
        assert_eq!(order(22700).paid_for(&[claim("TEE", 2), claim("CASE", 1)]), Money::from_fen(22700));
        // A ¥27 order discount is shared in proportion: the shirts carry 178/227 of it.
        let discounted = order(20000);
        let all = discounted.paid_for(&[claim("TEE", 2), claim("CASE", 1)]);
        assert_eq!(all, Money::from_fen(20000));
        assert_eq!(
            discounted.paid_for(&[claim("TEE", 2)]).fen() + discounted.paid_for(&[claim("CASE", 1)]).fen(),
            20000
        );
        // Freight paid on top is not an item's price.
        assert_eq!(order(23700).paid_for(&[claim("CASE", 1)]), Money::from_fen(4900));
        assert_eq!(order(22700).paid_for(&[claim("NOPE", 1)]), Money::ZERO);
    }
}
