//! Notifications are stored as a kind plus arguments (JSON) and told in the reader's language
//! when read, so one stored notification reads in zh-CN and in English.

use crate::{Args, Label, Lang, lookup, text};
use fluent_templates::fluent_bundle::FluentValue;
use redress_domain::CaseState;
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
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn key(self) -> String {
        format!("notification-{}", self.as_str())
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
pub fn render(lang: Lang, kind: &str, args: &Map<String, Value>) -> Option<String> {
    let mut fluent = Args::new();
    for (name, value) in args {
        let told = shown(lang, name, value);
        let name = if name == "on_timeout" { "consequence" } else { name.as_str() };
        fluent.insert(name.to_owned().into(), FluentValue::from(told));
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
        }
    }

    fn han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
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
            assert!(zh.contains("2026-12-03 14:00") && en.contains("2026-12-03 14:00"), "{zh} / {en}");
        }
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

    #[test]
    fn an_unknown_kind_or_a_missing_argument_is_not_text() {
        assert_eq!(render(Lang::En, "no_such_kind", &Map::new()), None);
        assert_eq!(render(Lang::En, "deadline_recounted", &Map::new()), None);
    }
}
