//! Notifications of every move on a case: each event a change appends tells the parties its kind
//! names (`redress_domain::event::audience`), in their inbox, written as outbox items in the
//! change's own transaction (the store keeps an item of `NOTIFICATION_TOPIC` in the inbox, with
//! an email job for a recipient who has an address). Stored as kind + arguments, told in the
//! reader's language when read or mailed.

use crate::App;
use crate::error::AppError;
use crate::escalations::Notification;
use crate::ports::OutboxItem;
use redress_domain::event::{EventKind, audience};
use redress_domain::{Actor, Case, Event, EventBody, Party, UserId};
use redress_text::NotificationKind;
use serde_json::{Value, json};

/// The outbox topic whose items are notifications, stored in the inbox by the transaction itself.
pub const NOTIFICATION_TOPIC: &str = "notification";

/// Outbox items that put `notifications` in their readers' inboxes, in the transaction that
/// writes them (for any change that tells someone, such as an order conversation's message).
pub fn inbox_items(notifications: &[Notification]) -> Result<Vec<OutboxItem>, AppError> {
    notifications
        .iter()
        .map(|n| {
            Ok(OutboxItem {
                topic: NOTIFICATION_TOPIC.into(),
                case_id: n.case_id,
                payload: serde_json::to_value(n).map_err(anyhow::Error::from)?,
            })
        })
        .collect()
}

/// What the text of `event`'s notification needs, with the case as the change leaves it.
fn args(case: &Case, event: &Event) -> Value {
    let mut args = json!({
        "state": case.state.as_str(),
        "due": case.deadline.as_ref().map(|d| d.due),
        "party": event.actor.party().as_str(),
    });
    let more = match &event.body {
        EventBody::Filed(f) => json!({ "kind": f.kind.as_str(), "amount": f.amount }),
        EventBody::Revised { kind, amount, .. } => json!({ "kind": kind.as_str(), "amount": amount }),
        EventBody::OfferMade { remedy, .. }
        | EventBody::OfferAccepted { remedy }
        | EventBody::Approved { remedy }
        | EventBody::MediationProposed { remedy, .. } => {
            json!({ "remedy": remedy.kind.as_str(), "amount": remedy.amount })
        }
        EventBody::Rejected { rejection } => json!({ "reason": rejection.reason.as_str() }),
        EventBody::ReturnShipped { shipment } | EventBody::ReplacementShipped { shipment } => {
            json!({ "carrier": shipment.carrier, "tracking_no": shipment.tracking_no })
        }
        EventBody::EvidenceRequested { request } => json!({ "party": request.party.as_str() }),
        EventBody::EvidenceSubmitted { party, .. } | EventBody::AppealFiled { party, .. } => {
            json!({ "party": party.as_str() })
        }
        EventBody::MediationAnswered { party, accepted } => {
            json!({ "party": party.as_str(), "accepted": if *accepted { "yes" } else { "no" } })
        }
        EventBody::AppealReviewed { uphold, .. } => json!({ "uphold": if *uphold { "yes" } else { "no" } }),
        EventBody::Rated { stars, .. } => json!({ "stars": stars }),
        // A payout is told as what it pays: a compensation is no refund.
        EventBody::RefundSucceeded { amount, .. } | EventBody::OfflineRefundProved { amount, .. } => {
            json!({ "amount": amount, "payout": case.remedy.map(|r| r.kind.as_str()) })
        }
        _ => json!({}),
    };
    if let (Value::Object(args), Value::Object(more)) = (&mut args, more) {
        args.extend(more);
    }
    args
}

/// The parties told of `event`: its kind's audience, less the side that made it.
pub fn told(event: &Event) -> impl Iterator<Item = Party> + '_ {
    audience(EventKind::from(&event.body)).iter().copied().filter(|p| *p != event.actor.party())
}

/// The person who made `event`, never told of their own move.
fn author(actor: &Actor) -> Option<UserId> {
    match *actor {
        Actor::Buyer { user } | Actor::Agent { user } | Actor::Admin { user } => Some(user),
        Actor::Merchant { user, .. } => user,
        Actor::System => None,
    }
}

impl App {
    /// The notifications the events of one change give, as outbox items of the change.
    pub(crate) async fn notices(&self, case: &Case, events: &[Event]) -> Result<Vec<OutboxItem>, AppError> {
        self.notices_to(case, events, None).await
    }

    /// `notices`, with the shop's staff already read (`known_staff`) or read here when needed.
    pub(crate) async fn notices_to(
        &self,
        case: &Case,
        events: &[Event],
        known_staff: Option<&[UserId]>,
    ) -> Result<Vec<OutboxItem>, AppError> {
        let mut staff = known_staff.map(<[UserId]>::to_vec);
        let mut notifications = Vec::new();
        for event in events {
            let Some(kind) = NotificationKind::of_event(EventKind::from(&event.body)) else { continue };
            let args = args(case, event);
            for party in told(event) {
                let users = match party {
                    Party::Buyer => vec![case.buyer_id],
                    Party::Merchant => match &staff {
                        Some(staff) => Clone::clone(staff),
                        None => staff.insert(self.store.merchant_staff(case.merchant_id).await?).clone(),
                    },
                    Party::Platform => case.assigned_agent.into_iter().collect(),
                    Party::System => Vec::new(),
                };
                notifications.extend(
                    users
                        .into_iter()
                        .filter(|u| Some(*u) != author(&event.actor))
                        .map(|u| Notification::new(u, Some(case.id), kind, args.clone(), event.at)),
                );
            }
        }
        inbox_items(&notifications)
    }
}
