//! Merchants, orders and their line items: the facts a case is filed against.

use crate::ids::{MerchantId, OrderId, UserId};
use crate::money::Money;
use crate::vocabulary::SalesChannel;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A shop and its legal identity: a regulator complaint names all of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    pub address: String,
    pub phone: Option<String>,
}

pub use redress_law::eligibility::{ConfirmedExclusion, ItemFacts, ItemFlags, Warranty};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub sku: String,
    pub title: String,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn applications(&self, sku: &str) -> u32 {
        self.applications_per_sku.iter().find(|(s, _)| s == sku).map(|(_, n)| *n).unwrap_or(0)
    }
}
