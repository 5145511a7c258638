//! Orders: created by admins or by a merchant's own system, read by their parties.

use crate::error::AppError;
use crate::ports::{OrderFilter, OrderInsert, User};
use crate::{App, Principal, Role};
use jiff::Timestamp;
use redress_domain::Detail;
use redress_domain::order::{LineItem, Merchant, Order};
use redress_domain::vocabulary::SalesChannel;
use redress_domain::{MerchantId, Money, OrderId, UserId};
use serde::Deserialize;

pub const MAX_PAGE: i64 = 100;
/// ¥100,000,000: no single price or freight is larger, so totals never overflow.
pub const MAX_FEN: i64 = 10_000_000_000;
use redress_domain::order::MAX_QUANTITY;

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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

/// The most orders one import call takes (the batch endpoint's limit; the CLI sends its file in
/// calls of this size, each one transaction).
pub const MAX_BATCH: usize = 500;

/// Why one order is refused: the field at fault (when one is) and the error a single creation
/// would have answered.
#[derive(Debug)]
pub struct OrderRefusal {
    /// Where in the order: `number`, `items[2].quantity`, ...
    pub field: Option<String>,
    pub error: AppError,
}

impl OrderRefusal {
    pub fn invalid(field: impl Into<String>, detail: Detail) -> OrderRefusal {
        OrderRefusal { error: AppError::Invalid(detail), field: Some(field.into()) }
    }

    /// A JSON order that does not read as one, with the path of the field at fault.
    pub fn unreadable(error: serde_path_to_error::Error<serde_json::Error>) -> OrderRefusal {
        let path = error.path().to_string();
        let field = (path != ".").then_some(path);
        let error = error.into_inner();
        // An order that is not an object at all has no field to name (it read ": takes an object").
        let detail = match (&field, error.classify()) {
            (None, serde_json::error::Category::Data) if error.to_string().starts_with("invalid type") => {
                Detail::NotJsonObject
            }
            _ => Detail::json(&error, field.as_deref()),
        };
        OrderRefusal { field, error: AppError::InvalidJson(detail) }
    }
}

impl NewOrder {
    /// Reads one order of the JSON shape `POST /api/v1/orders` takes; a refusal names the field.
    pub fn from_json(value: serde_json::Value) -> Result<NewOrder, OrderRefusal> {
        serde_path_to_error::deserialize(value).map_err(OrderRefusal::unreadable)
    }
}

impl From<AppError> for OrderRefusal {
    fn from(error: AppError) -> OrderRefusal {
        OrderRefusal { field: None, error }
    }
}

/// What became of one order of an import.
#[derive(Debug)]
pub enum Imported {
    Created(Order),
    /// The shop already had this order (same number, same contents): nothing was written.
    AlreadyPresent(Order),
    Refused(OrderRefusal),
}

/// Merchants and buyers already looked up during one import, so a file of 10,000 orders from a
/// few shops asks the store a few times, not 10,000.
#[derive(Default)]
struct Known {
    merchants: std::collections::HashMap<MerchantId, bool>,
    buyers: std::collections::HashMap<UserId, bool>,
}

impl App {
    pub async fn create_order(&self, principal: &Principal, new: NewOrder) -> Result<Order, AppError> {
        may_create_orders(Some(principal))?;
        let order = self.admit_order(Some(principal), new, &mut Known::default()).await.map_err(|r| r.error)?;
        self.store.insert_order(&order).await?;
        Ok(order)
    }

    /// Creates many orders at once, each checked as `create_order` checks one; idempotent on
    /// (shop, number), so a re-run of the same file creates nothing twice. Good orders are
    /// created even when others are refused; the answer has one entry per order, in order.
    /// `None` is the operator on the command line.
    /// The batch is the orders as read: each one, or why it could not be read (its answer is
    /// that refusal).
    pub async fn import_orders(
        &self,
        principal: Option<&Principal>,
        batch: Vec<Result<NewOrder, OrderRefusal>>,
    ) -> Result<Vec<Imported>, AppError> {
        may_create_orders(principal)?;
        if batch.len() > MAX_BATCH {
            return Err(AppError::Invalid(Detail::BatchTooLarge { max: MAX_BATCH as u64, sent: batch.len() as u64 }));
        }
        let mut known = Known::default();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut admitted = Vec::new();
        for new in batch {
            let admission = match new {
                Ok(new) => self.admit_order(principal, new, &mut known).await,
                Err(unreadable) => Err(unreadable),
            };
            match admission {
                Ok(order) => {
                    admitted.push(order);
                    outcomes.push(None);
                }
                // The store failing is no answer about this order: the whole call fails, to be retried.
                Err(OrderRefusal { error: error @ (AppError::Internal(_) | AppError::Contended), .. }) => {
                    return Err(error);
                }
                Err(refusal) => outcomes.push(Some(Imported::Refused(refusal))),
            }
        }
        let stored = self.store.insert_orders(&admitted).await?;
        let mut results = admitted.into_iter().zip(stored).map(|(order, stored)| match stored {
            OrderInsert::Inserted => Imported::Created(order),
            OrderInsert::Existing(existing) if same_order(&existing, &order) => Imported::AlreadyPresent(*existing),
            OrderInsert::Existing(existing) => Imported::Refused(OrderRefusal::from_duplicate(&existing)),
        });
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| results.next().expect("one result per admitted order")))
            .collect())
    }

    /// Checks a new order (the caller's shop, every field, the shop and the buyer exist) and
    /// makes it an order, not yet stored.
    async fn admit_order(
        &self,
        principal: Option<&Principal>,
        new: NewOrder,
        known: &mut Known,
    ) -> Result<Order, OrderRefusal> {
        if let Some(principal) = principal
            && principal.role() == Role::Merchant
            && principal.merchant_id() != Some(new.merchant_id)
        {
            return Err(OrderRefusal {
                field: Some("merchant_id".into()),
                error: AppError::Forbidden(Detail::OwnShopOnly),
            });
        }
        check_new_order(&new, self.clock.now())?;
        let merchant_exists = match known.merchants.get(&new.merchant_id) {
            Some(&exists) => exists,
            None => {
                let exists = self.store.merchant(new.merchant_id).await.map_err(AppError::from)?.is_some();
                known.merchants.insert(new.merchant_id, exists);
                exists
            }
        };
        if !merchant_exists {
            return Err(OrderRefusal::invalid("merchant_id", Detail::NoSuchMerchant));
        }
        let buyer_exists = match known.buyers.get(&new.buyer_id) {
            Some(&exists) => exists,
            None => {
                let user = self.store.user(new.buyer_id).await.map_err(AppError::from)?;
                let exists = matches!(user, Some(User { role: Role::Buyer, .. }));
                known.buyers.insert(new.buyer_id, exists);
                exists
            }
        };
        if !buyer_exists {
            return Err(OrderRefusal::invalid("buyer_id", Detail::NoSuchBuyer));
        }
        Ok(Order {
            id: OrderId(uuid::Uuid::now_v7()),
            number: new.number.trim().to_owned(),
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
        })
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
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin".into() }));
        }
        if merchant.name.trim().is_empty() || merchant.address.trim().is_empty() {
            return Err(AppError::Invalid(Detail::NameAndAddress));
        }
        for (field, text) in [("name", &merchant.name), ("address", &merchant.address)] {
            redress_domain::free_text::check_controls(field, text).map_err(AppError::Rejected)?;
        }
        let credit_code = redress_law::Uscc::parse(&merchant.credit_code)
            .map_err(|e| AppError::Invalid(Detail::CreditCode { error: e.code().into() }))?;
        // The shop's phone is printed in the 12315 complaint too: a phone number, or none.
        let phone = merchant.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned);
        if let Some(phone) = &phone {
            redress_domain::phone::check_phone("phone", phone).map_err(AppError::Invalid)?;
        }
        let merchant = Merchant { credit_code: credit_code.as_str().to_owned(), phone, ..merchant };
        self.store.insert_merchant(&merchant, self.clock.now()).await?;
        Ok(merchant)
    }
}

/// Who may create orders at all: admins, merchant staff and shop tokens (each for its own
/// shop, checked per order), and the operator on the command line (`None`).
fn may_create_orders(principal: Option<&Principal>) -> Result<(), AppError> {
    match principal.map(Principal::role) {
        None | Some(Role::Admin | Role::Merchant) => Ok(()),
        Some(_) => Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin, merchant".into() })),
    }
}

/// The checks of a new order that need nothing but the order itself.
fn check_new_order(new: &NewOrder, now: Timestamp) -> Result<(), OrderRefusal> {
    if !takes_chars(&new.number, 64) {
        return Err(OrderRefusal::invalid("number", Detail::Chars { field: "number".into(), min: 1, max: 64 }));
    }
    if new.items.is_empty() || new.items.len() > 100 {
        return Err(OrderRefusal::invalid("items", Detail::Length { field: "items".into(), min: 1, max: 100 }));
    }
    // What the order says is shown to its buyer and printed in the dossier, each on one line: a
    // control character or a bidi override in it would make it read otherwise (trial helper-45:
    // an order number with U+202E), a line break would split its row of a CSV export.
    let texts = [("number".to_owned(), new.number.as_str())]
        .into_iter()
        .chain(new.payment_transaction_id.as_deref().map(|t| ("payment_transaction_id".to_owned(), t)))
        .chain(new.items.iter().enumerate().flat_map(|(index, item)| {
            [(format!("items[{index}].sku"), item.sku.as_str()), (format!("items[{index}].title"), item.title.as_str())]
        }));
    for (field, text) in texts {
        if let Err(refused) = redress_domain::free_text::check_one_line(&field, text) {
            return Err(OrderRefusal { field: Some(field), error: AppError::Rejected(refused) });
        }
    }
    let max_fen = Money::from_fen(MAX_FEN).to_string();
    for (index, item) in new.items.iter().enumerate() {
        let field = |name: &str| format!("items[{index}].{name}");
        let refused = if !takes_chars(&item.sku, 64) {
            Some((field("sku"), Detail::Chars { field: field("sku"), min: 1, max: 64 }))
        } else if item.title.chars().count() > 200 {
            Some((field("title"), Detail::too_long(&field("title"), 200)))
        } else if !(1..=MAX_QUANTITY).contains(&item.quantity) {
            let range = Detail::Range { field: field("quantity"), min: 1, max: i64::from(MAX_QUANTITY) };
            Some((field("quantity"), range))
        } else if !(0..=MAX_FEN).contains(&item.unit_price.fen()) {
            Some((field("unit_price"), Detail::AmountRange { field: field("unit_price"), max: max_fen.clone() }))
        } else {
            None
        };
        if let Some((field, detail)) = refused {
            return Err(OrderRefusal::invalid(field, detail));
        }
    }
    if !(0..=MAX_FEN).contains(&new.freight.fen()) {
        return Err(OrderRefusal::invalid("freight", Detail::AmountRange { field: "freight".into(), max: max_fen }));
    }
    let items_total: i64 = new.items.iter().map(|i| i.unit_price.fen() * i64::from(i.quantity)).sum();
    if new.amount_paid.fen() > items_total + new.freight.fen() {
        return Err(OrderRefusal::invalid(
            "amount_paid",
            Detail::AmountPaid { items: Money::from_fen(items_total).to_string(), freight: new.freight.to_string() },
        ));
    }
    let named = [("paid_at", new.paid_at), ("shipped_at", new.shipped_at), ("signed_at", new.signed_at)];
    redress_domain::order::check_order_times(&named, now).map_err(|(field, d)| OrderRefusal::invalid(field, d))?;
    let times = named.map(|(_, at)| at);
    if times.iter().flatten().zip(times.iter().flatten().skip(1)).any(|(a, b)| a > b) {
        return Err(OrderRefusal::invalid("times", Detail::OrderTimes));
    }
    if new.payment_transaction_id.as_ref().is_some_and(|t| t.chars().count() > 64) {
        return Err(OrderRefusal::invalid("payment_transaction_id", Detail::too_long("payment_transaction_id", 64)));
    }
    if new.items.iter().map(|i| i.sku.as_str()).collect::<std::collections::HashSet<_>>().len() != new.items.len() {
        return Err(OrderRefusal::invalid("items", Detail::EachSkuOnce));
    }
    if new.amount_paid.fen() < 0 {
        return Err(OrderRefusal::invalid("amount_paid", Detail::AtLeast { field: "amount_paid".into(), min: 0 }));
    }
    Ok(())
}

/// Whether `text`, stored as sent, says something in at most `max` characters: its length is
/// counted untrimmed, so that what is stored is bounded (a SKU of one letter and a megabyte of
/// spaces passed when only the trimmed text was counted).
fn takes_chars(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().nth(max).is_none()
}

/// Whether an order already stored is the one being imported again (all but its id and the
/// time it was created).
fn same_order(stored: &Order, new: &Order) -> bool {
    *stored == Order { id: stored.id, created_at: stored.created_at, ..new.clone() }
}

impl OrderRefusal {
    /// The shop has an order with this number that says something else: orders are facts cases
    /// are filed against, so an import never rewrites one.
    fn from_duplicate(stored: &Order) -> OrderRefusal {
        OrderRefusal {
            field: Some("number".into()),
            error: AppError::Duplicate(Detail::OrderNumberTaken {
                number: stored.number.clone(),
                id: stored.id.to_string(),
            }),
        }
    }
}

pub fn page_size(limit: Option<i64>) -> Result<i64, AppError> {
    match limit {
        None => Ok(20),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::Invalid(Detail::Range { field: "limit".into(), min: 1, max: MAX_PAGE })),
    }
}
