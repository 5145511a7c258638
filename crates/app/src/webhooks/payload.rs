//! What a webhook says: one case event as the merchant may see it, with a snapshot of the case
//! right after it. The payloads of a change are written to the outbox in the change's own
//! transaction (topic `webhook`), so no committed event is ever left without its deliveries.

use crate::ports::{OutboxItem, StoredEvent};
use crate::views::CaseView;
use jiff::Timestamp;
use redress_domain::event::EventKind;
use redress_domain::{Actor, Case, CaseId, MerchantId, Party};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outbox topic of webhook payloads.
pub const TOPIC: &str = "webhook";

/// Every event type a subscription may ask for: the derived list of what can happen, and of
/// what a merchant is told in its place (the buyer's confidential file as `evidence_withheld`).
pub fn event_types() -> Vec<&'static str> {
    let happened = <EventKind as strum::IntoEnumIterator>::iter().map(<&'static str>::from);
    let withheld = <crate::views::Withheld as strum::IntoEnumIterator>::iter().map(<&'static str>::from);
    happened.chain(withheld).collect()
}

/// One event delivered to a merchant system. `id` is stable (the case and the event's place in
/// its chain): redeliveries carry the same id, so receivers deduplicate on it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
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
    /// The event as the merchant sees it in the case timeline (the buyer's confidential file
    /// only as `evidence_withheld`, nothing of it shown).
    pub event: crate::views::EntryBody,
    /// The case right after the event (the public view, as `GET /api/v1/cases/{id}` shows it).
    pub case: CaseView,
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
        let event = &stored.event;
        let body = crate::views::EntryBody::of(event, Party::Merchant);
        payloads.push(WebhookEvent {
            id: format!("{}.{}", case.id, stored.seq),
            kind: body.type_name().to_owned(),
            case_id: case.id,
            seq: stored.seq,
            actor_role: actor_role(&event.actor).to_owned(),
            at: event.at,
            event: body,
            case: CaseView::from(&case),
        });
    }
    Some(OutboxItem {
        topic: TOPIC.into(),
        case_id: Some(case.id),
        payload: serde_json::json!({ "merchant_id": case.merchant_id, "events": payloads }),
    })
}

/// The payloads of a `webhook` outbox row, each kept as written: it is sent as it is.
#[derive(Deserialize)]
pub struct OutboxPayload {
    pub merchant_id: MerchantId,
    pub events: Vec<Value>,
}

/// What the fan-out reads of a payload: its id, type and case.
#[derive(Deserialize)]
pub struct PayloadHead {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub case_id: CaseId,
}
