//! Notifications are stored as a kind plus arguments (JSON) and told in the reader's language
//! when read, so one stored notification reads in zh-CN and in English.

use crate::{Args, Label, Lang, lookup, text};
use fluent_templates::fluent_bundle::FluentValue;
use redress_domain::event::{EventKind, audience};
use redress_domain::vocabulary::{RejectReason, RemedyKind};
use redress_domain::{CaseState, Money};
use serde_json::{Map, Value};

/// Every kind of notification: the stable `kind` stored with each one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum NotificationKind {
    /// A natural-time deadline of a case is near (args: state, due, on_timeout).
    DeadlineReminder,
    /// A working-day deadline moved when a holiday notice was imported (args: old_due, new_due).
    DeadlineRecounted,
    /// A 12315 complaint's clocks moved (args: moved, a list of [old, new]).
    ExternalClockRecounted,
    /// The 12315 complaint's clocks (args: due, optional provisional_year).
    ExternalAcceptanceSoon,
    ExternalAcceptanceOverdue,
    ExternalMediationEndsSoon,
    ExternalMediationEnded,
    /// The other side wrote in an order's conversation (args: order_number, from: a party).
    ConversationMessage,
    // A move on a case, one kind per event kind told to someone (`redress_domain::event::audience`),
    // named as the event (args, as each applies: state, due, party, remedy, amount, kind, reason,
    // carrier, tracking_no, accepted, uphold, stars).
    Filed,
    MessagePosted,
    Revised,
    Withdrawn,
    OfferMade,
    OfferAccepted,
    OfferDeclined,
    QuestionAsked,
    QuestionAnswered,
    Approved,
    Rejected,
    ReturnShipped,
    ReturnReceived,
    ReturnDisputed,
    ReplacementShipped,
    ReplacementConfirmed,
    Escalated,
    Taken,
    EvidenceRequested,
    EvidenceSubmitted,
    MediationProposed,
    MediationAnswered,
    Decided,
    AppealFiled,
    AppealReviewed,
    Rated,
    RefundSucceeded,
    RefundFailed,
    OfflineRefundProved,
    TimedOut,
    EvidenceAdded,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn key(self) -> String {
        format!("notification-{}", self.as_str())
    }

    /// The kind that tells of an event of `kind`; `None` for an event no one is told of.
    pub fn of_event(kind: EventKind) -> Option<NotificationKind> {
        if audience(kind).is_empty() {
            return None;
        }
        let name: &'static str = kind.into();
        name.parse().ok()
    }
}

/// Beijing time, as every reader is shown it (the platform's deadlines are Beijing time).
pub fn beijing(at: jiff::Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M").to_string()
}

/// One argument as the reader sees it: instants in Beijing time, codes as their labels.
fn shown(lang: Lang, name: &str, value: &Value) -> String {
    match value {
        Value::String(s) if name == "state" => s.parse::<CaseState>().map_or_else(|_| s.clone(), |v| v.label(lang)),
        Value::String(s) if name == "from" => lookup(lang, &format!("party-{s}"), None).unwrap_or_else(|| s.clone()),
        Value::String(s) if name == "on_timeout" => {
            lookup(lang, &format!("consequence-{s}"), None).unwrap_or_else(|| text(lang, "consequence-none"))
        }
        Value::String(s) if name == "remedy" => s.parse::<RemedyKind>().map_or_else(|_| s.clone(), |v| v.label(lang)),
        Value::String(s) if name == "reason" => s.parse::<RejectReason>().map_or_else(|_| s.clone(), |v| v.label(lang)),
        Value::String(s) if name == "kind" => {
            s.parse::<redress_law::RequestKind>().map_or_else(|_| s.clone(), |v| v.label(lang))
        }
        Value::String(s) if name == "party" => lookup(lang, &format!("party-{s}"), None).unwrap_or_else(|| s.clone()),
        Value::Number(n) if name == "amount" => {
            n.as_i64().map_or_else(|| n.to_string(), |f| Money::from_fen(f).to_string())
        }
        Value::String(s) => s.parse::<jiff::Timestamp>().map_or_else(|_| s.clone(), beijing),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Array(pair) => pair.iter().map(|v| shown(lang, "", v)).collect::<Vec<_>>().join(" → "),
                other => shown(lang, "", other),
            })
            .collect::<Vec<_>>()
            .join(&text(lang, "notification-list-separator")),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The text of a notification of `kind` with `args`, in `lang`; `None` for a kind the catalogue
/// does not know.
/// Arguments messages came to take after notifications were stored without them, and the value
/// such a notification reads with: `payout` (a compensation is told as one) reads as a refund.
const ADDED_LATER: &[(&str, &str)] = &[("payout", "refund")];

pub fn render(lang: Lang, kind: &str, args: &Map<String, Value>) -> Option<String> {
    let mut fluent = Args::new();
    for (name, value) in args {
        let told = shown(lang, name, value);
        let name = if name == "on_timeout" { "consequence" } else { name.as_str() };
        fluent.insert(name.to_owned().into(), FluentValue::from(told));
    }
    for (name, value) in ADDED_LATER {
        fluent.entry((*name).into()).or_insert_with(|| FluentValue::from(*value));
    }
    let mut told = lookup(lang, &format!("notification-{kind}"), Some(&fluent))?;
    if args.get("provisional_year").is_some_and(|y| !y.is_null()) {
        told.push_str(&lookup(lang, "notification-provisional", Some(&fluent))?);
    }
    Some(told)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use strum::IntoEnumIterator;

    /// Arguments such as the application stores them, for every kind (a new kind must add its own).
    fn sample(kind: NotificationKind) -> Value {
        use NotificationKind::*;
        let due = "2026-12-03T06:00:00Z";
        match kind {
            DeadlineReminder => json!({ "state": "awaiting_merchant", "due": due, "on_timeout": "auto_approve" }),
            DeadlineRecounted => json!({ "old_due": due, "new_due": "2026-12-04T06:00:00Z" }),
            ExternalClockRecounted => json!({ "moved": [[due, "2026-12-04T06:00:00Z"]] }),
            ExternalAcceptanceSoon | ExternalAcceptanceOverdue | ExternalMediationEndsSoon | ExternalMediationEnded => {
                json!({ "due": due, "provisional_year": 2027 })
            }
            ConversationMessage => json!({ "order_number": "SH-1", "from": "merchant", "at": due }),
            // A move on a case: every argument any of them takes.
            _ => json!({
                "state": "awaiting_buyer", "due": due, "party": "merchant", "remedy": "refund", "amount": 12345,
                "kind": "refund_only", "reason": "outside_return_window", "carrier": "SF", "tracking_no": "SF1",
                "accepted": "yes", "uphold": "no", "stars": 4, "payout": "compensation",
            }),
        }
    }

    fn han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
    }

    /// A payout is told as what it pays; one stored before the message took `payout` reads as
    /// a refund, as it did then (not as its bare kind).
    #[test]
    fn a_compensation_paid_is_told_as_one_and_an_older_notice_still_reads() {
        let args = |payout: Option<&str>| {
            let mut args = json!({ "state": "closed", "due": null, "party": "system", "amount": 159600 });
            if let Some(p) = payout {
                args["payout"] = json!(p);
            }
            args.as_object().unwrap().clone()
        };
        let zh = |payout| render(Lang::Zh, "refund_succeeded", &args(payout));
        assert_eq!(zh(Some("compensation")).as_deref(), Some("赔偿 ¥1596.00 已到账。"));
        assert_eq!(zh(Some("refund")).as_deref(), Some("退款 ¥1596.00 已到账。"));
        assert_eq!(zh(None).as_deref(), Some("退款 ¥1596.00 已到账。"));
        let en = render(Lang::En, "offline_refund_proved", &args(Some("compensation")));
        assert_eq!(en.as_deref(), Some("The merchant proved an offline compensation of ¥1596.00."));
    }

    #[test]
    fn every_notification_kind_reads_in_both_languages() {
        for kind in NotificationKind::iter() {
            let args = sample(kind);
            let args = args.as_object().unwrap();
            let zh = render(Lang::Zh, kind.as_str(), args).unwrap_or_else(|| panic!("{kind:?} has no zh-CN text"));
            let en = render(Lang::En, kind.as_str(), args).unwrap_or_else(|| panic!("{kind:?} has no English text"));
            assert!(han(&zh), "{kind:?}: {zh}");
            assert!(!han(&en), "{kind:?}: {en}");
            let dated = args.contains_key("state") && !told_without_due(kind);
            if !args.contains_key("state") || dated {
                assert!(zh.contains("2026-12-03 14:00") && en.contains("2026-12-03 14:00"), "{zh} / {en}");
            }
        }
    }

    /// Moves whose text names no deadline (the case waits for no one told, or it closed).
    fn told_without_due(kind: NotificationKind) -> bool {
        use NotificationKind::*;
        !matches!(
            kind,
            Filed
                | Revised
                | OfferMade
                | OfferDeclined
                | QuestionAsked
                | QuestionAnswered
                | Rejected
                | ReturnShipped
                | ReplacementShipped
                | EvidenceRequested
                | MediationProposed
        )
    }

    #[test]
    fn every_event_someone_is_told_of_has_its_notification_kind_and_no_other_does() {
        for kind in EventKind::iter() {
            let name: &'static str = kind.into();
            let told = NotificationKind::of_event(kind);
            assert_eq!(
                told.is_some(),
                !audience(kind).is_empty(),
                "{name}: told to {:?} but kind {told:?}",
                audience(kind)
            );
        }
        // Every move kind names an event kind (the others are reminders and clocks).
        let events: Vec<&'static str> = EventKind::iter().map(<&'static str>::from).collect();
        let moves = NotificationKind::iter()
            .filter(|k| events.contains(&k.as_str()) && *k != NotificationKind::DeadlineRecounted);
        for kind in moves {
            let event = EventKind::iter().find(|e| <&'static str>::from(*e) == kind.as_str()).unwrap();
            assert_eq!(NotificationKind::of_event(event), Some(kind));
        }
    }

    #[test]
    fn a_move_tells_amounts_and_vocabularies_in_the_readers_language() {
        let args = sample(NotificationKind::OfferMade);
        let args = args.as_object().unwrap();
        let en = render(Lang::En, "offer_made", args).unwrap();
        assert!(en.contains("¥123.45") && en.contains("Refund"), "{en}");
        let zh = render(Lang::Zh, "rejected", args).unwrap();
        assert!(zh.contains("已超出退换期限"), "{zh}");
        let zh = render(Lang::Zh, "mediation_answered", args).unwrap();
        assert!(zh.contains("商家接受了"), "{zh}");
    }

    #[test]
    fn a_reminder_tells_the_state_and_what_happens_in_the_readers_language() {
        let args = sample(NotificationKind::DeadlineReminder);
        let args = args.as_object().unwrap();
        let en = render(Lang::En, "deadline_reminder", args).unwrap();
        assert!(en.contains("Awaiting merchant") && en.contains("approved as the buyer requested"), "{en}");
        let zh = render(Lang::Zh, "deadline_reminder", args).unwrap();
        assert!(zh.contains("待商家处理") && zh.contains("自动同意"), "{zh}");
    }

    /// Every kind, told in English of every party: a sentence that starts with a capital and no
    /// word twice in a row (the trial read "the the merchant" and notifications that began with
    /// "the platform").
    #[test]
    fn every_notification_reads_as_an_english_sentence_whoever_it_names() {
        for kind in NotificationKind::iter() {
            for party in ["buyer", "merchant", "platform", "system"] {
                let mut args = sample(kind);
                for name in ["party", "from"] {
                    if args.get(name).is_some() {
                        args[name] = json!(party);
                    }
                }
                let en = render(Lang::En, kind.as_str(), args.as_object().unwrap()).unwrap();
                assert!(en.starts_with(|c: char| c.is_uppercase()), "{kind:?} ({party}): {en}");
                let words: Vec<String> = en
                    .split(|c: char| !c.is_alphanumeric() && c != '\'')
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect();
                let doubled =
                    words.windows(2).find(|pair| pair[0] == pair[1] && !pair[0].chars().all(|c| c.is_ascii_digit()));
                assert!(doubled.is_none(), "{kind:?} ({party}): {doubled:?} in {en}");
            }
        }
    }

    #[test]
    fn an_unknown_kind_or_a_missing_argument_is_not_text() {
        assert_eq!(render(Lang::En, "no_such_kind", &Map::new()), None);
        assert_eq!(render(Lang::En, "deadline_recounted", &Map::new()), None);
    }
}
