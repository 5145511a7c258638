//! Orders: created by admins or by a merchant's own system, read by their parties.

use crate::error::AppError;
use crate::ports::{OrderFilter, User};
use crate::{App, Principal, Role};
use jiff::Timestamp;
use redress_domain::order::{LineItem, Merchant, Order};
use redress_domain::vocabulary::SalesChannel;
use redress_domain::{MerchantId, Money, OrderId, UserId};
use serde::Deserialize;

pub const MAX_PAGE: i64 = 100;
/// ¥100,000,000: no single price or freight is larger, so totals never overflow.
pub const MAX_FEN: i64 = 10_000_000_000;
pub const MAX_QUANTITY: u32 = 100_000;

#[derive(Clone, Debug, Deserialize)]
pub struct NewOrder {
    pub number: String,
    pub merchant_id: MerchantId,
    pub buyer_id: UserId,
    pub channel: SalesChannel,
    pub items: Vec<LineItem>,
    pub amount_paid: Money,
    /// Shipping charged, if any (included in `amount_paid`).
    #[serde(default)]
    pub freight: Money,
    pub payment_transaction_id: Option<String>,
    pub paid_at: Option<Timestamp>,
    pub shipped_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
}

impl App {
    pub async fn create_order(&self, principal: &Principal, new: NewOrder) -> Result<Order, AppError> {
        match principal.role() {
            Role::Admin => {}
            Role::Merchant if principal.merchant_id() == Some(new.merchant_id) => {}
            Role::Merchant => {
                return Err(AppError::Forbidden("a merchant creates orders of its own shop only"));
            }
            _ => {
                return Err(AppError::Forbidden("only admins and merchant systems create orders"));
            }
        }
        let number = new.number.trim();
        if number.is_empty() || number.len() > 64 {
            return Err(AppError::Invalid("number: 1 to 64 characters".into()));
        }
        if new.items.is_empty() || new.items.len() > 100 {
            return Err(AppError::Invalid("items: 1 to 100 line items".into()));
        }
        for item in &new.items {
            let sane = !item.sku.trim().is_empty()
                && item.sku.len() <= 64
                && item.title.chars().count() <= 200
                && (1..=MAX_QUANTITY).contains(&item.quantity)
                && (0..=MAX_FEN).contains(&item.unit_price.fen());
            if !sane {
                return Err(AppError::Invalid(format!(
                    "items: sku `{}` needs a sku (≤ 64), a title (≤ 200), a quantity of 1 to {MAX_QUANTITY} and a price of 0 to {}",
                    item.sku,
                    Money::from_fen(MAX_FEN)
                )));
            }
        }
        let items_total: i64 = new.items.iter().map(|i| i.unit_price.fen() * i64::from(i.quantity)).sum();
        if !(0..=MAX_FEN).contains(&new.freight.fen()) || new.amount_paid.fen() > items_total + new.freight.fen() {
            return Err(AppError::Invalid(format!(
                "amount_paid: at most the items ({}) plus freight ({})",
                Money::from_fen(items_total),
                new.freight
            )));
        }
        let times = [new.paid_at, new.shipped_at, new.signed_at];
        if times.iter().flatten().zip(times.iter().flatten().skip(1)).any(|(a, b)| a > b) {
            return Err(AppError::Invalid("times: paid_at ≤ shipped_at ≤ signed_at".into()));
        }
        if new.payment_transaction_id.as_ref().is_some_and(|t| t.len() > 64) {
            return Err(AppError::Invalid("payment_transaction_id: at most 64 characters".into()));
        }
        if new.items.iter().map(|i| i.sku.as_str()).collect::<std::collections::HashSet<_>>().len() != new.items.len() {
            return Err(AppError::Invalid("items: each sku once".into()));
        }
        if new.amount_paid.fen() < 0 {
            return Err(AppError::Invalid("amount_paid: at least 0".into()));
        }
        if self.store.merchant(new.merchant_id).await?.is_none() {
            return Err(AppError::Invalid("merchant_id: no such merchant".into()));
        }
        match self.store.user(new.buyer_id).await? {
            Some(User { role: Role::Buyer, .. }) => {}
            _ => return Err(AppError::Invalid("buyer_id: no such buyer".into())),
        }
        let order = Order {
            id: OrderId(uuid::Uuid::now_v7()),
            number: number.to_owned(),
            merchant_id: new.merchant_id,
            buyer_id: new.buyer_id,
            channel: new.channel,
            items: new.items,
            amount_paid: new.amount_paid,
            freight: new.freight,
            payment_transaction_id: new.payment_transaction_id,
            paid_at: new.paid_at,
            shipped_at: new.shipped_at,
            signed_at: new.signed_at,
            created_at: self.clock.now(),
        };
        self.store.insert_order(&order).await?;
        Ok(order)
    }

    pub async fn order(&self, principal: &Principal, id: OrderId) -> Result<Order, AppError> {
        let order = self.store.order(id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_order(&order) {
            return Err(AppError::NotFound);
        }
        Ok(order)
    }

    pub async fn list_orders(
        &self,
        principal: &Principal,
        before: Option<OrderId>,
        limit: Option<i64>,
    ) -> Result<Vec<Order>, AppError> {
        let mut filter = OrderFilter { before, limit: page_size(limit)?, ..Default::default() };
        (filter.buyer_id, filter.merchant_id) = principal.list_scope()?;
        Ok(self.store.list_orders(&filter).await?)
    }

    pub async fn create_merchant(&self, principal: &Principal, merchant: Merchant) -> Result<Merchant, AppError> {
        if principal.role() != Role::Admin {
            return Err(AppError::Forbidden("only admins create merchants"));
        }
        if merchant.name.trim().is_empty() || merchant.address.trim().is_empty() {
            return Err(AppError::Invalid("name and address are required: a regulator complaint names them".into()));
        }
        let credit_code = redress_law::Uscc::parse(&merchant.credit_code)
            .map_err(|e| AppError::Invalid(format!("credit_code: not a valid 统一社会信用代码 ({e})")))?;
        let merchant = Merchant { credit_code: credit_code.as_str().to_owned(), ..merchant };
        self.store.insert_merchant(&merchant, self.clock.now()).await?;
        Ok(merchant)
    }
}

pub fn page_size(limit: Option<i64>) -> Result<i64, AppError> {
    match limit {
        None => Ok(20),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::Invalid(format!("limit: from 1 to {MAX_PAGE}"))),
    }
}
