//! What a webhook says: one case event as the merchant may see it, with a snapshot of the case
//! right after it. The payloads of a change are written to the outbox in the change's own
//! transaction (topic `webhook`), so no committed event is ever left without its deliveries.

use crate::ports::{OutboxItem, StoredEvent};
use jiff::Timestamp;
use redress_domain::case::Remedy;
use redress_domain::event::EventKind;
use redress_domain::vocabulary::RemedyKind;
use redress_domain::{Actor, Case, CaseId, CaseState, EventBody, MerchantId, Money, OrderId, Outcome, Party, Stage};
use serde::{Deserialize, Serialize};

/// The outbox topic of webhook payloads.
pub const TOPIC: &str = "webhook";

/// Every event type a subscription may ask for: the derived list of what can happen.
pub fn event_types() -> Vec<&'static str> {
    <EventKind as strum::IntoEnumIterator>::iter().map(<&'static str>::from).collect()
}

/// One event delivered to a merchant system. `id` is stable (the case and the event's place in
/// its chain): redeliveries carry the same id, so receivers deduplicate on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WebhookEvent {
    /// `<case id>.<seq>`: unique, the same on every delivery of this event.
    pub id: String,
    /// The event type (`EventKind`, snake_case), the same as `event.type`.
    #[serde(rename = "type")]
    pub kind: String,
    pub case_id: CaseId,
    /// The event's place in the case's hash chain (1 for the filing).
    pub seq: i64,
    /// Who acted: buyer, merchant, agent, admin or system (a timeout, a refund result).
    pub actor_role: String,
    pub at: Timestamp,
    /// The event as the merchant sees it in the case timeline (the buyer's confidential
    /// evidence without caption).
    pub event: EventBody,
    /// The case right after the event.
    pub case: CaseSnapshot,
}

/// The case as a merchant system needs it after an event: where it stands, whom it waits for
/// and until when, the money, and how it ended.
// A private snapshot until the public view types (`CaseView`, issue 9) land: then replaced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseSnapshot {
    pub id: CaseId,
    pub order_id: OrderId,
    pub merchant_id: MerchantId,
    pub kind: redress_domain::vocabulary::RequestKind,
    pub reason: redress_domain::vocabulary::Reason,
    pub state: CaseState,
    pub stage: Stage,
    pub outcome: Option<Outcome>,
    /// What the buyer asks for.
    pub amount: Money,
    pub refunded_total: Money,
    pub compensated_total: Money,
    /// The current deadline: when it falls and whom it waits for.
    pub deadline: Option<DeadlineSnapshot>,
    /// The remedy agreed or ordered, if any.
    pub remedy: Option<RemedySnapshot>,
    /// An offer waiting for the buyer's answer.
    pub pending_offer: Option<RemedySnapshot>,
    pub filed_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadlineSnapshot {
    pub due: Timestamp,
    pub waits_for: Vec<Party>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RemedySnapshot {
    pub kind: RemedyKind,
    pub amount: Money,
}

impl From<&Remedy> for RemedySnapshot {
    fn from(r: &Remedy) -> RemedySnapshot {
        RemedySnapshot { kind: r.kind, amount: r.amount }
    }
}

pub fn snapshot(case: &Case) -> CaseSnapshot {
    CaseSnapshot {
        id: case.id,
        order_id: case.order_id,
        merchant_id: case.merchant_id,
        kind: case.kind,
        reason: case.reason,
        state: case.state,
        stage: case.stage,
        outcome: case.outcome,
        amount: case.amount,
        refunded_total: case.refunded_total,
        compensated_total: case.compensated_total,
        deadline: case.deadline.as_ref().map(|d| DeadlineSnapshot { due: d.due, waits_for: d.waits_for.clone() }),
        remedy: case.remedy.as_ref().map(Into::into),
        pending_offer: case.pending_offer.as_ref().map(Into::into),
        filed_at: case.filed_at,
        closed_at: case.closed_at,
    }
}

pub fn actor_role(actor: &Actor) -> &'static str {
    match actor {
        Actor::Buyer { .. } => "buyer",
        Actor::Merchant { .. } => "merchant",
        Actor::Agent { .. } => "agent",
        Actor::Admin { .. } => "admin",
        Actor::System => "system",
    }
}

/// The outbox row of a change: each appended event with the case as it was right after it,
/// starting from `before` (the case before the change). All events are the merchant's to see
/// (with the other side's confidential evidence redacted), so all are sent.
pub fn outbox_item(before: Case, events: &[StoredEvent]) -> Option<OutboxItem> {
    events.first()?;
    let mut case = before;
    let mut payloads = Vec::with_capacity(events.len());
    for stored in events {
        case = redress_domain::apply(case, &stored.event);
        let event = redress_domain::evidence::redacted_for(&stored.event, Party::Merchant);
        payloads.push(WebhookEvent {
            id: format!("{}.{}", case.id, stored.seq),
            kind: event.body.type_name().to_owned(),
            case_id: case.id,
            seq: stored.seq,
            actor_role: actor_role(&event.actor).to_owned(),
            at: event.at,
            event: event.body,
            case: snapshot(&case),
        });
    }
    Some(OutboxItem {
        topic: TOPIC.into(),
        case_id: Some(case.id),
        payload: serde_json::json!({ "merchant_id": case.merchant_id, "events": payloads }),
    })
}

/// The payloads of a `webhook` outbox row.
#[derive(Deserialize)]
pub struct OutboxPayload {
    pub merchant_id: MerchantId,
    pub events: Vec<WebhookEvent>,
}
