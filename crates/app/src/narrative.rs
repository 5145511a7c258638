//! Events told in one line each, from the text catalogue (`narration.ftl`, zh-CN and English):
//! one wording wherever a case is retold. The Chinese documents (the dossier, the 12315
//! complaint) use the zh-CN narration.

use redress_domain::event::EventBody;
use redress_domain::event::EventKind;
use redress_domain::{Actor, CaseState, Event, OnTimeout, Outcome, Party};
use redress_text::fluent::FluentValue;
use redress_text::{Args, Label, Lang, text, text_with};

pub fn who(actor: &Actor, lang: Lang) -> String {
    let key = match actor {
        Actor::Buyer { .. } => "actor-buyer",
        Actor::Merchant { .. } => "actor-merchant",
        Actor::Agent { .. } => "actor-agent",
        Actor::Admin { .. } => "actor-admin",
        Actor::System => "actor-system",
    };
    text(lang, key)
}

pub fn party(party: Party, lang: Lang) -> String {
    let key = match party {
        Party::Buyer => "party-buyer",
        Party::Merchant => "party-merchant",
        Party::Platform => "party-platform",
        Party::System => "party-system",
    };
    text(lang, key)
}

/// Every event in one Chinese line, for the Chinese documents (the dossier, the 12315 complaint).
pub fn describe(event: &Event) -> String {
    describe_in(event, Lang::Zh)
}

/// Arguments of a narration, by name.
fn args<const N: usize>(pairs: [(&'static str, String); N]) -> Args {
    pairs.into_iter().map(|(name, value)| (name.into(), FluentValue::from(value))).collect()
}

fn yes(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

/// Every event in one line in `lang`, from the catalogue (`event-<kind>`): the full timeline,
/// bookkeeping included.
pub fn describe_in(event: &Event, lang: Lang) -> String {
    let remedy = |r: &redress_domain::case::Remedy| {
        text_with(lang, "remedy", &args([("kind", r.kind.label(lang)), ("amount", r.amount.to_string())]))
    };
    let key = format!("event-{}", <&str>::from(EventKind::from(&event.body)));
    let told = |args: Args| text_with(lang, &key, &args);
    match &event.body {
        EventBody::Filed(f) => told(args([
            ("kind", f.kind.label(lang)),
            ("reason", f.reason.label(lang)),
            ("amount", f.amount.to_string()),
            ("description", f.description.clone()),
        ])),
        EventBody::MessagePosted { text, evidence } if evidence.is_empty() => told(args([("text", text.clone())])),
        EventBody::MessagePosted { text: said, evidence } => {
            let ids: Vec<String> = evidence.iter().map(ToString::to_string).collect();
            let cited = ids.join(&text(lang, "event-list-separator"));
            text_with(lang, "event-message_posted-with-evidence", &args([("text", said.clone()), ("evidence", cited)]))
        }
        EventBody::Revised { kind, amount, description } => told(args([
            ("kind", kind.label(lang)),
            ("amount", amount.to_string()),
            ("description", description.clone()),
        ])),
        EventBody::OfferMade { remedy: r, note } | EventBody::MediationProposed { remedy: r, note } => {
            told(args([("remedy", remedy(r)), ("note", note.clone())]))
        }
        EventBody::OfferAccepted { remedy: r } | EventBody::Approved { remedy: r } => {
            told(args([("remedy", remedy(r))]))
        }
        EventBody::QuestionAsked { question } => told(args([("question", question.clone())])),
        EventBody::QuestionAnswered { text }
        | EventBody::ReturnDisputed { text }
        | EventBody::Escalated { text }
        | EventBody::EvidenceSubmitted { text, .. } => told(args([("text", text.clone())])),
        EventBody::Rejected { rejection } => {
            told(args([("reason", rejection.reason.label(lang)), ("text", rejection.text.clone())]))
        }
        EventBody::ReturnShipped { shipment } | EventBody::ReplacementShipped { shipment } => {
            told(args([("carrier", shipment.carrier.clone()), ("tracking_no", shipment.tracking_no.clone())]))
        }
        EventBody::EvidenceRequested { request } => {
            told(args([("party", party(request.party, lang)), ("what", request.what.clone())]))
        }
        EventBody::MediationAnswered { accepted, .. } => told(args([("accepted", yes(*accepted))])),
        EventBody::Decided { remedy: Some(r), rationale, cited_rule, .. } => {
            told(args([("remedy", remedy(r)), ("rationale", rationale.clone()), ("cited_rule", cited_rule.clone())]))
        }
        EventBody::Decided { remedy: None, rationale, cited_rule, .. } => text_with(
            lang,
            "event-decided-dismissed",
            &args([("rationale", rationale.clone()), ("cited_rule", cited_rule.clone())]),
        ),
        EventBody::AppealFiled { reason, .. } => told(args([("reason", reason.clone())])),
        EventBody::AppealReviewed { uphold: true, rationale, .. } => {
            told(args([("uphold", yes(true)), ("rationale", rationale.clone())]))
        }
        // Overturned: the new ruling in force, as a decision says it.
        EventBody::AppealReviewed { uphold: false, remedy: Some(r), rationale, cited_rule } => text_with(
            lang,
            "event-appeal_reviewed-changed",
            &args([("remedy", remedy(r)), ("rationale", rationale.clone()), ("cited_rule", cited_rule.clone())]),
        ),
        EventBody::AppealReviewed { uphold: false, remedy: None, rationale, cited_rule } => text_with(
            lang,
            "event-appeal_reviewed-dismissed",
            &args([("rationale", rationale.clone()), ("cited_rule", cited_rule.clone())]),
        ),
        EventBody::Rated { stars, comment } => told(args([("stars", stars.to_string()), ("comment", comment.clone())])),
        // A payout is told as what it pays: a compensation is no refund.
        EventBody::RefundStarted { refund } => {
            told(args([("amount", refund.amount.to_string()), ("payout", refund.outcome.as_str().to_owned())]))
        }
        EventBody::RefundSucceeded { amount, .. } => told(args([("amount", amount.to_string())])),
        EventBody::RefundFailed { reason, .. } => told(args([("reason", reason.clone())])),
        EventBody::OfflineRefundProved { note, amount } => {
            told(args([("amount", amount.to_string()), ("note", note.clone())]))
        }
        EventBody::TimedOut { what } => told(args([("what", timed_out(*what, event.transition.as_ref(), lang))])),
        EventBody::SlaBreached { which } => told(args([("which", which.clone())])),
        EventBody::DeadlineRecounted { clock, year, old_due, new_due } => told(args([
            ("year", year.to_string()),
            ("clock", clock.clone()),
            ("old_due", beijing(*old_due)),
            ("new_due", beijing(*new_due)),
        ])),
        // A file without a caption is named by its kind alone (not `Photo ""`).
        EventBody::EvidenceAdded { file } if file.caption.trim().is_empty() => text_with(
            lang,
            "event-evidence_added-uncaptioned",
            &args([
                ("kind", file.kind.label(lang)),
                ("confidential", yes(file.confidential)),
                ("sha256", file.sha256.clone()),
            ]),
        ),
        EventBody::EvidenceAdded { file } => told(args([
            ("kind", file.kind.label(lang)),
            ("caption", file.caption.clone()),
            ("confidential", yes(file.confidential)),
            ("sha256", file.sha256.clone()),
        ])),
        EventBody::Withdrawn
        | EventBody::OfferDeclined
        | EventBody::ReturnReceived
        | EventBody::ReplacementConfirmed
        | EventBody::Taken { .. } => text(lang, &key),
    }
}

pub use redress_text::beijing;

/// What the rules did when a deadline passed unanswered, not just that they did something.
fn timed_out(what: OnTimeout, transition: Option<&redress_domain::event::Transition>, lang: Lang) -> String {
    let to_platform = transition.is_some_and(|t| t.to == CaseState::PlatformReview);
    let closed = |key: &str, outcome: Outcome| text_with(lang, key, &args([("outcome", outcome.label(lang))]));
    match what {
        // Silence approves only what the price bounds; a larger claim goes to the platform.
        OnTimeout::AutoApprove if to_platform => text(lang, "timeout-auto_approve-to_platform"),
        OnTimeout::AutoApprove => text(lang, "timeout-auto_approve"),
        OnTimeout::Close(outcome @ (Outcome::Exchanged | Outcome::Reissued | Outcome::Repaired)) => {
            closed("timeout-close-received", outcome)
        }
        OnTimeout::Close(Outcome::Cancelled) => text(lang, "timeout-close-cancelled"),
        OnTimeout::Close(outcome) => closed("timeout-close", outcome),
        OnTimeout::AutoRefund => text(lang, "timeout-auto_refund"),
        OnTimeout::EscalateToPlatform => text(lang, "timeout-escalate_to_platform"),
        OnTimeout::BackToPlatformReview => text(lang, "timeout-back_to_platform_review"),
        OnTimeout::RequireOfflineRefund => text(lang, "timeout-require_offline_refund"),
        OnTimeout::FlagFirstActionSla | OnTimeout::FlagDecisionSla => text(lang, "timeout-sla"),
        OnTimeout::Overdue => text(lang, "timeout-overdue"),
    }
}

/// A timeline entry as its reader sees it, in one line in `lang`: a withheld file says only
/// that the other side added one.
pub fn describe_entry(entry: &crate::views::TimelineEntryView, lang: Lang) -> String {
    use crate::views::EntryBody;
    let EntryBody::Event(body) = &entry.body else { return text(lang, "event-evidence_withheld") };
    // The narration reads the body and the transition only; who acted is the entry's `by`.
    let transition = entry.transition.as_ref().map(|t| redress_domain::event::Transition {
        to: t.to,
        stage: t.stage,
        deadline: t.deadline.as_ref().map(|d| redress_domain::Deadline {
            due: d.due,
            waits_for: d.waits_for.clone(),
            on_timeout: d.on_timeout,
            reminders: Vec::new(),
            provisional: d.provisional,
            provisional_year: d.provisional_year,
        }),
        outcome: t.outcome,
    });
    describe_in(&Event { at: entry.at, actor: redress_domain::Actor::System, body: body.clone(), transition }, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_domain::event::Transition;
    use redress_domain::{Actor, Stage};

    fn fired(what: OnTimeout, to: CaseState) -> Event {
        let transition = Transition { to, stage: Stage::Negotiation, deadline: None, outcome: None };
        Event {
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: Actor::System,
            body: EventBody::TimedOut { what },
            transition: Some(transition),
        }
    }

    /// Every kind of event is narrated in both languages (`EventKind` is derived from `EventBody`).
    #[test]
    fn every_event_kind_has_a_narration_in_both_languages() {
        use strum::IntoEnumIterator;
        for kind in EventKind::iter() {
            for lang in Lang::ALL {
                let key = format!("event-{}", <&str>::from(kind));
                assert!(redress_text::has(lang, &key), "{key} has no text in {lang:?}");
            }
        }
    }

    #[test]
    fn a_timeout_is_told_in_english_without_chinese() {
        for what in [OnTimeout::AutoApprove, OnTimeout::Close(Outcome::Expired), OnTimeout::RequireOfflineRefund] {
            let told = describe_in(&fired(what, CaseState::Closed), Lang::En);
            assert!(!told.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{told}");
            assert!(!told.starts_with("timeout-"), "{told}");
        }
        assert!(
            describe_in(&fired(OnTimeout::Close(Outcome::Expired), CaseState::Closed), Lang::En).contains("Expired")
        );
    }

    /// Issue 9: a timeout was told as "系统按规则自动处理", never what the rules did.
    #[test]
    fn a_timeout_says_what_happened() {
        let told = |what, to| describe(&fired(what, to));
        assert_eq!(
            told(OnTimeout::AutoApprove, CaseState::Refunding),
            "商家逾期未处理，系统按规则自动同意买家的申请。"
        );
        assert!(told(OnTimeout::AutoApprove, CaseState::PlatformReview).contains("转平台介入"));
        assert_eq!(
            told(OnTimeout::Close(Outcome::Expired), CaseState::Closed),
            "买家逾期未操作，售后单按规则关闭（已超时关闭）。"
        );
        assert!(told(OnTimeout::Close(Outcome::Reissued), CaseState::Closed).contains("视为已收到"));
        assert!(told(OnTimeout::EscalateToPlatform, CaseState::PlatformReview).contains("转平台介入"));
        for what in [OnTimeout::AutoRefund, OnTimeout::BackToPlatformReview, OnTimeout::RequireOfflineRefund] {
            assert!(!told(what, CaseState::PlatformReview).contains("自动处理"), "{what:?}");
        }
    }

    /// A payout is told as what it pays (the second trial read "发起退款" for a compensation).
    #[test]
    fn a_compensation_is_told_as_one() {
        let started = |outcome| Event {
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: Actor::System,
            body: EventBody::RefundStarted {
                refund: redress_domain::case::PendingRefund {
                    refund_id: "r".into(),
                    amount: redress_domain::Money::from_fen(159600),
                    outcome,
                    failed: false,
                },
            },
            transition: None,
        };
        assert_eq!(describe_in(&started(Outcome::Compensated), Lang::Zh), "发起赔偿 ¥1596.00。");
        assert_eq!(describe_in(&started(Outcome::Refunded), Lang::Zh), "发起退款 ¥1596.00。");
        assert_eq!(describe_in(&started(Outcome::Compensated), Lang::En), "Started a compensation of ¥1596.00.");
        let paid = Event {
            body: EventBody::RefundSucceeded { refund_id: "r".into(), amount: redress_domain::Money::from_fen(100) },
            ..started(Outcome::Compensated)
        };
        assert_eq!(describe_in(&paid, Lang::Zh), "款项 ¥1.00 已到账。");
    }
}
