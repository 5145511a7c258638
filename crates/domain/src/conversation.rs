//! The conversation of an order (买家与商家的会话): what the buyer and the shop say to each other
//! before any case, so the negotiation the seeds ask for (第一步:与卖家沟通) is on the platform and
//! on record. Each message is a link of its own hash chain (the same rule as a case's events:
//! `chain::link_hash`), so a case filed later carries a record that cannot be altered unseen.
//! Read receipts are not part of the chain: they only move forward and say who read up to which
//! message, and when.

use crate::actor::{Actor, Party};
use crate::chain::{GENESIS, Link, next_link};
use crate::evidence::EvidenceFile;
use crate::ids::OrderId;
use crate::order::Order;
use crate::rejection::{Detail, Rejection, RejectionCode};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Longest message, in characters.
pub const MAX_TEXT: usize = 2000;
/// Files one message may carry (an upload is one message with its file).
pub const MAX_FILES: usize = 1;

/// One message, exactly as its link's `content` fixes it (canonical JSON of this struct).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Message {
    pub order_id: OrderId,
    /// Its place in the conversation, from 1 without gaps.
    pub seq: i64,
    pub at: Timestamp,
    pub author: Actor,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<EvidenceFile>,
}

impl Message {
    pub fn side(&self) -> Party {
        self.author.party()
    }
}

/// The last message of a conversation, as a new one must follow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub at: Timestamp,
}

impl Head {
    pub fn of(message: &Message, link: &Link) -> Head {
        Head { seq: link.seq, hash: link.hash.clone(), at: message.at }
    }
}

/// May `actor` write in the conversation of `order`? Its buyer and its shop (staff or API token)
/// only; the platform reads it but takes no side in it.
pub fn may_write(actor: &Actor, order: &Order) -> Result<Party, Rejection> {
    match actor {
        Actor::Buyer { user } if *user == order.buyer_id => Ok(Party::Buyer),
        Actor::Merchant { merchant, .. } if *merchant == order.merchant_id => Ok(Party::Merchant),
        Actor::Agent { .. } | Actor::Admin { .. } => {
            Err(Rejection::with(RejectionCode::NotYourTurn, Detail::PlatformReadsConversation))
        }
        _ => Err(Rejection::new(RejectionCode::NotYourOrder)),
    }
}

/// Text a person may send: trimmed, at most `MAX_TEXT` characters, no control characters but
/// line breaks and tabs; empty only when the message carries a file.
fn checked_text(text: &str, files: usize) -> Result<String, Rejection> {
    let text = text.trim();
    if crate::free_text::is_blank(text) && files == 0 {
        return Err(Rejection::invalid(Detail::MessageNeedsTextOrFile));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(Rejection::invalid(Detail::too_long("text", MAX_TEXT)));
    }
    crate::free_text::check_controls("text", text)?;
    Ok(text.to_owned())
}

/// The next message of the conversation after `head` (none: the first), and its link. Its time
/// is never before the message it follows (a clock stepped back does not reorder the record).
pub fn compose(
    order_id: OrderId,
    head: Option<&Head>,
    author: Actor,
    text: &str,
    files: Vec<EvidenceFile>,
    now: Timestamp,
) -> Result<(Message, Link), Rejection> {
    if files.len() > MAX_FILES {
        return Err(Rejection::invalid(Detail::FilesPerMessage { max: MAX_FILES as u64 }));
    }
    for file in &files {
        file.check()?;
        if file.confidential {
            return Err(Rejection::invalid(Detail::ConfidentialInConversation));
        }
    }
    let text = checked_text(text, files.len())?;
    let (seq, prev, at) = match head {
        Some(h) => (h.seq + 1, h.hash.as_str(), now.max(h.at)),
        None => (1, GENESIS, now),
    };
    let message = Message { order_id, seq, at, author, text, files };
    let content = serde_json::to_string(&message).map_err(|e| Rejection::invalid(Detail::json(&e, None)))?;
    Ok((message, next_link(prev, seq, content)))
}

/// A reader's receipt after they read up to `requested`: never beyond the last message, never
/// back from where it was.
pub fn read_up_to(current: Option<i64>, requested: i64, last_seq: i64) -> Result<i64, Rejection> {
    // No range to name ("from 1 to 0"): there is nothing to have read.
    if last_seq < 1 {
        return Err(Rejection::invalid(Detail::NoMessagesYet { field: "up_to".into() }));
    }
    if requested < 1 || requested > last_seq {
        return Err(Rejection::invalid(Detail::Range { field: "up_to".into(), min: 1, max: last_seq }));
    }
    Ok(current.map_or(requested, |c| c.max(requested)))
}

/// How many messages (from the first) were written before `filed_at`: the negotiation record of
/// a case filed then. Always a prefix, so it is a chain of its own from the genesis.
pub fn before_filing(messages: &[Message], filed_at: Timestamp) -> usize {
    messages.iter().take_while(|m| m.at < filed_at).count()
}

/// When the buyer first wrote to the shop, if ever: the record of having contacted the merchant.
pub fn buyer_contacted_at(messages: &[Message]) -> Option<Timestamp> {
    messages.iter().find(|m| m.side() == Party::Buyer).map(|m| m.at)
}

/// Did the shop answer in writing? Then the conversation is a chat record (聊天记录) on file.
pub fn merchant_answered(messages: &[Message]) -> bool {
    messages.iter().any(|m| m.side() == Party::Merchant)
}

/// The messages of stored links, each checked against its own content: a link whose content is
/// not a message of this order is refused, so a verified chain says what it seems to.
pub fn read_links(order_id: OrderId, links: &[Link]) -> Result<Vec<Message>, crate::chain::ChainBreak> {
    links
        .iter()
        .map(|l| match serde_json::from_str::<Message>(&l.content) {
            Ok(m) if m.order_id == order_id && m.seq == l.seq => Ok(m),
            _ => Err(crate::chain::ChainBreak::ContentAltered { seq: l.seq }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{ChainBreak, verify};
    use crate::ids::{EvidenceId, MerchantId, TokenId, UserId};
    use proptest::prelude::*;
    use uuid::Uuid;

    fn id(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    fn order() -> Order {
        let json = serde_json::json!({
            "id": id(1), "number": "CV-1", "merchant_id": id(2), "buyer_id": id(3), "channel": "web",
            "items": [], "amount_paid": 0, "freight": 0, "created_at": "2026-03-01T00:00:00Z"
        });
        serde_json::from_value(json).expect("an order")
    }

    fn buyer() -> Actor {
        Actor::Buyer { user: UserId(id(3)) }
    }

    fn shop() -> Actor {
        Actor::Merchant { merchant: MerchantId(id(2)), user: None, token: Some(TokenId(id(9))) }
    }

    fn file(n: u8) -> EvidenceFile {
        EvidenceFile {
            evidence_id: EvidenceId(id(n)),
            sha256: "ab".repeat(32),
            kind: crate::vocabulary::EvidenceKind::Photo,
            caption: String::new(),
            size: 10,
            media_type: "image/png".into(),
            confidential: false,
        }
    }

    fn at(micros: i64) -> Timestamp {
        Timestamp::from_microsecond(1_780_000_000_000_000 + micros).unwrap()
    }

    /// A conversation written by alternating sides at the given clock readings.
    fn written(clock: &[i64]) -> Vec<(Message, Link)> {
        let order = order();
        let mut out: Vec<(Message, Link)> = Vec::new();
        for (i, &t) in clock.iter().enumerate() {
            let head = out.last().map(|(m, l)| Head::of(m, l));
            let author = if i % 2 == 0 { buyer() } else { shop() };
            let files = if i % 3 == 2 { vec![file(i as u8)] } else { vec![] };
            out.push(compose(order.id, head.as_ref(), author, &format!("第{i}条"), files, at(t)).unwrap());
        }
        out
    }

    proptest! {
        /// Any conversation verifies as a chain, its messages read back from their links, and
        /// its times never go backwards even when the clock does.
        #[test]
        fn a_conversation_is_a_chain_in_time_order(clock in proptest::collection::vec(-1_000_000i64..1_000_000, 0..30)) {
            let written = written(&clock);
            let links: Vec<Link> = written.iter().map(|(_, l)| l.clone()).collect();
            prop_assert_eq!(verify(&links), Ok(()));
            let messages = read_links(order().id, &links).unwrap();
            prop_assert_eq!(messages.len(), clock.len());
            prop_assert!(messages.windows(2).all(|w| w[0].at <= w[1].at && w[0].seq + 1 == w[1].seq));
        }

        /// Changing any message's text, after the fact, is found at that message.
        #[test]
        fn an_altered_message_is_found(n in 1usize..20, pick in 0usize..20, text in "[a-z一-龥]{1,10}") {
            let mut links: Vec<Link> = written(&vec![0; n]).into_iter().map(|(_, l)| l).collect();
            let i = pick % n;
            let mut m: Message = serde_json::from_str(&links[i].content).unwrap();
            prop_assume!(m.text != text);
            m.text = text;
            links[i].content = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(verify(&links), Err(ChainBreak::ContentAltered { seq: i as i64 + 1 }));
        }

        /// A receipt never moves back and never points past the last message.
        #[test]
        fn receipts_only_move_forward(steps in proptest::collection::vec(-3i64..40, 1..30), last in 0i64..30) {
            let mut receipt: Option<i64> = None;
            for requested in steps {
                match read_up_to(receipt, requested, last) {
                    Ok(now) => {
                        prop_assert!((1..=last).contains(&now));
                        prop_assert!(receipt.is_none_or(|r| now >= r) && now >= requested);
                        receipt = Some(now);
                    }
                    Err(e) if last == 0 => {
                        prop_assert_eq!(e.detail, Some(Detail::NoMessagesYet { field: "up_to".into() }))
                    }
                    Err(e) => {
                        prop_assert!(!(1..=last).contains(&requested));
                        prop_assert_eq!(e.detail, Some(Detail::Range { field: "up_to".into(), min: 1, max: last }));
                    }
                }
            }
        }

        /// The negotiation record of a filing is the prefix written before it.
        #[test]
        fn the_record_before_a_filing_is_a_prefix(clock in proptest::collection::vec(0i64..1000, 0..20), filed in 0i64..1100) {
            let messages: Vec<Message> = written(&clock).into_iter().map(|(m, _)| m).collect();
            let n = before_filing(&messages, at(filed));
            prop_assert!(messages[..n].iter().all(|m| m.at < at(filed)));
            prop_assert!(messages.get(n).is_none_or(|m| m.at >= at(filed)));
        }

        /// Text is refused exactly when it is blank without a file, too long or has control characters.
        #[test]
        fn text_rules(text in "\\PC{0,30}|[\\x00-\\x1f]{1,3}", with_file: bool) {
            let files = if with_file { vec![file(7)] } else { vec![] };
            let result = compose(order().id, None, buyer(), &text, files, at(0));
            let trimmed = text.trim();
            let ok = (!crate::free_text::is_blank(trimmed) || with_file) && crate::free_text::forbidden_control(trimmed).is_none();
            prop_assert_eq!(result.is_ok(), ok, "{:?}", text);
        }
    }

    #[test]
    fn only_the_buyer_and_the_shop_write() {
        let order = order();
        assert_eq!(may_write(&buyer(), &order), Ok(Party::Buyer));
        assert_eq!(may_write(&shop(), &order), Ok(Party::Merchant));
        let stranger = Actor::Buyer { user: UserId(id(4)) };
        assert_eq!(may_write(&stranger, &order).unwrap_err().code, RejectionCode::NotYourOrder);
        let other_shop = Actor::Merchant { merchant: MerchantId(id(5)), user: Some(UserId(id(6))), token: None };
        assert_eq!(may_write(&other_shop, &order).unwrap_err().code, RejectionCode::NotYourOrder);
        assert_eq!(
            may_write(&Actor::Agent { user: UserId(id(7)) }, &order).unwrap_err().code,
            RejectionCode::NotYourTurn
        );
        assert!(may_write(&Actor::System, &order).is_err());
    }

    #[test]
    fn a_message_carries_one_visible_file_at_most() {
        let o = order().id;
        assert!(compose(o, None, buyer(), "", vec![file(1)], at(0)).is_ok());
        assert!(compose(o, None, buyer(), "", vec![file(1), file(2)], at(0)).is_err());
        let mut secret = file(3);
        secret.confidential = true;
        assert!(compose(o, None, buyer(), "x", vec![secret], at(0)).is_err());
        assert!(compose(o, None, buyer(), &"长".repeat(MAX_TEXT + 1), vec![], at(0)).is_err());
        assert!(compose(o, None, buyer(), &"长".repeat(MAX_TEXT), vec![], at(0)).is_ok());
    }

    #[test]
    fn contact_and_answers_come_from_the_record() {
        let messages: Vec<Message> = written(&[5, 9]).into_iter().map(|(m, _)| m).collect();
        assert_eq!(buyer_contacted_at(&messages), Some(at(5)));
        assert!(merchant_answered(&messages));
        assert_eq!(buyer_contacted_at(&messages[1..]), None);
        assert!(!merchant_answered(&messages[..1]));
    }

    #[test]
    fn a_link_of_another_order_is_not_read() {
        let links: Vec<Link> = written(&[0, 1]).into_iter().map(|(_, l)| l).collect();
        assert_eq!(read_links(OrderId(id(8)), &links), Err(ChainBreak::ContentAltered { seq: 1 }));
    }
}
