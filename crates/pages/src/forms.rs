//! The form of each action. `spec` derives the fields of a `CommandKind` (an exhaustive match:
//! a new kind does not compile until it has its form), `command` turns a posted form back into
//! the `Command` through the same `Command::from_action` the JSON API uses. The case page shows
//! exactly the kinds the case allows its reader now, each with its form.

use crate::i18n::Tr;
use redress_domain::vocabulary::{RejectReason, RemedyKind, RequestKind};
use redress_domain::{Command, CommandKind, Party, Side};
use redress_text::Label;
use serde_json::{Map, Value};
use strum::IntoEnumIterator;

/// How a field is entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Line,
    /// A secret: never shown as it is typed, never put back after a refusal.
    Password,
    Paragraph,
    /// Yuan with up to two decimals, sent as fen.
    Yuan,
    /// A whole number.
    Whole,
    /// One of the options; a number when `numeric`.
    Choice {
        numeric: bool,
    },
    /// Yes or no, sent as a boolean.
    YesNo,
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The argument's name; `remedy.kind` is the `kind` of the object `remedy`.
    pub name: &'static str,
    pub label: String,
    pub input: Input,
    pub required: bool,
    /// (value, label), for a choice.
    pub options: Vec<(String, String)>,
    /// What was entered (after a refused submission).
    pub value: String,
    /// Why it was refused, in the reader's language, shown beside the field.
    pub error: Option<String>,
}

impl Field {
    /// The HTML id of the field in the form of `action`.
    pub fn id(&self, action: &str) -> String {
        format!("{action}-{}", self.name.replace('.', "-"))
    }

    pub fn widget(&self) -> &'static str {
        match self.input {
            Input::Line => "line",
            Input::Password => "password",
            Input::Paragraph => "paragraph",
            Input::Yuan => "yuan",
            Input::Whole => "whole",
            Input::Choice { .. } | Input::YesNo => "choice",
        }
    }

    pub fn is_selected(&self, value: &str) -> bool {
        self.value == value
    }
}

/// An action's form: its name, button, help and fields, and a refusal not tied to one field.
#[derive(Clone, Debug)]
pub struct ActionForm {
    pub action: &'static str,
    pub button: String,
    pub help: String,
    pub fields: Vec<Field>,
    pub error: Option<String>,
    /// Ends or gives up something (withdraw, reject): shown apart.
    pub grave: bool,
}

impl ActionForm {
    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }
}

fn choice<L: Label>(t: Tr, values: &[L], with_none: bool) -> Vec<(String, String)> {
    let mut options = Vec::new();
    if with_none {
        options.push((String::new(), t.get("form-choose-none")));
    }
    options.extend(values.iter().map(|v| (v.name().to_owned(), t.label(*v))));
    options
}

fn parties(t: Tr, with_none: bool) -> Vec<(String, String)> {
    let mut options = Vec::new();
    if with_none {
        options.push((String::new(), t.get("form-choose-none")));
    }
    options.extend(
        Side::iter().map(Party::from).map(|p| (p.as_str().to_owned(), redress_app::narrative::party(p, t.lang))),
    );
    options
}

/// The form of `kind` in the reader's language; `None` for a system kind (never offered).
pub fn spec(kind: CommandKind, t: Tr) -> Option<ActionForm> {
    use CommandKind as K;
    let action = kind.name();
    let field = |name: &'static str, input: Input, required: bool| Field {
        name,
        label: t.get(&format!("field-{action}-{}", name.replace('.', "-"))),
        input,
        required,
        options: Vec::new(),
        value: String::new(),
        error: None,
    };
    let pick = |name: &'static str, required: bool, options: Vec<(String, String)>| Field {
        options,
        ..field(name, Input::Choice { numeric: false }, required)
    };
    let remedy = |required: bool| {
        vec![
            pick("remedy.kind", required, choice(t, RemedyKind::ALL, !required)),
            field("remedy.amount", Input::Yuan, false),
        ]
    };
    let fields: Vec<Field> = match kind {
        K::Message => vec![field("text", Input::Paragraph, true)],
        K::Revise => vec![
            pick("kind", false, choice(t, RequestKind::ALL, true)),
            field("amount", Input::Yuan, false),
            field("description", Input::Paragraph, false),
        ],
        K::Withdraw
        | K::AcceptOffer
        | K::DeclineOffer
        | K::ConfirmReplacement
        | K::Approve
        | K::ConfirmReceipt
        | K::AcceptMediation
        | K::DeclineMediation
        | K::Take => vec![],
        K::Answer | K::Escalate | K::DisputeReceipt | K::SubmitEvidence => vec![field("text", Input::Paragraph, true)],
        K::Rate => vec![
            Field {
                options: (1..=5).rev().map(|n| (n.to_string(), "★".repeat(n))).collect(),
                ..field("stars", Input::Choice { numeric: true }, true)
            },
            field("comment", Input::Paragraph, false),
        ],
        K::Reject => {
            vec![pick("reason", true, choice(t, RejectReason::ALL, false)), field("text", Input::Paragraph, true)]
        }
        K::Offer | K::ProposeMediation => {
            let mut fields = remedy(true);
            fields.push(field("note", Input::Paragraph, true));
            fields
        }
        K::Ask => vec![field("question", Input::Paragraph, true)],
        K::ShipReturn | K::ShipReplacement => {
            vec![field("carrier", Input::Line, true), field("tracking_no", Input::Line, true)]
        }
        K::ProveOfflineRefund => vec![field("note", Input::Paragraph, true)],
        K::Appeal => vec![field("reason", Input::Paragraph, true)],
        K::RequestEvidence => vec![
            pick("party", true, parties(t, false)),
            field("what", Input::Paragraph, true),
            field("due_in_hours", Input::Whole, false),
        ],
        K::Decide => {
            let mut fields = remedy(false);
            fields.push(pick("liable", false, parties(t, true)));
            fields.push(field("rationale", Input::Paragraph, true));
            fields.push(field("cited_rule", Input::Line, true));
            fields
        }
        K::ReviewAppeal => {
            let yes_no = vec![("true".to_owned(), t.get("form-yes")), ("false".to_owned(), t.get("form-no"))];
            let mut fields = vec![Field { options: yes_no, ..field("uphold", Input::YesNo, true) }];
            fields.extend(remedy(false));
            fields.push(field("rationale", Input::Paragraph, true));
            fields.push(field("cited_rule", Input::Line, true));
            fields
        }
        K::Timeout
        | K::RefundSucceeded
        | K::RefundFailed
        | K::RecountDeadline
        | K::RecordClockRecount
        | K::AddEvidence => {
            return None;
        }
    };
    Some(ActionForm {
        action,
        button: t.get(&format!("action-{action}")),
        help: t.get(&format!("action-{action}-help")),
        fields,
        error: None,
        grave: matches!(kind, K::Withdraw | K::Reject | K::DeclineOffer | K::DeclineMediation),
    })
}

/// A number as typed: full-width digits and marks (`１２．５`, what a Chinese input method types)
/// read as the ASCII they stand for.
fn typed_number(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().collect::<String>().trim().to_owned()
}

/// Yuan as typed (`12`, `12.5`, `¥12.50`, `１２．５`) in fen.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let text = typed_number(text);
    let text = text.trim_start_matches('¥').trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 2 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = format!("{fraction:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

/// Fills `form` with what was posted and checks each field; the command when every field is
/// fine, else `None` with the errors beside the fields.
pub fn command(kind: CommandKind, form: &mut ActionForm, posted: &crate::shell::Posted, t: Tr) -> Option<Command> {
    let mut arguments = Map::new();
    for field in &mut form.fields {
        field.value = posted.get(field.name).unwrap_or("").to_owned();
        let text = field.value.trim();
        if text.is_empty() {
            if field.required {
                field.error = Some(t.get("form-error-required"));
            }
            continue;
        }
        let value = match field.input {
            Input::Line | Input::Password | Input::Paragraph => Some(Value::from(field.value.clone())),
            Input::Yuan => parse_yuan(text).map(Value::from),
            Input::Whole => typed_number(text).parse::<i64>().ok().map(Value::from),
            Input::Choice { numeric } => field.options.iter().find(|(v, _)| v == text).map(|(v, _)| {
                if numeric { v.parse::<i64>().map_or(Value::Null, Value::from) } else { Value::from(v.clone()) }
            }),
            Input::YesNo => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
        };
        let Some(value) = value else {
            field.error = Some(t.get(match field.input {
                Input::Yuan => "form-error-yuan",
                Input::Whole => "form-error-whole",
                _ => "form-error-choice",
            }));
            continue;
        };
        match field.name.split_once('.') {
            Some((object, member)) => {
                let entry = arguments.entry(object.to_owned()).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(member.to_owned(), value);
                }
            }
            None => {
                arguments.insert(field.name.to_owned(), value);
            }
        }
    }
    // A remedy is its kind: an amount without one is refused (it would be dropped, and the case
    // closed as if nothing were awarded); a kind alone pays nothing.
    if let Some(Value::Object(remedy)) = arguments.get_mut("remedy") {
        if remedy.contains_key("kind") {
            remedy.entry("amount").or_insert(Value::from(0));
        } else if let Some(kind) = form.fields.iter_mut().find(|f| f.name == "remedy.kind") {
            kind.error = Some(t.get("form-error-remedy-kind"));
        }
    }
    // An action's form also carries the version of the case it was shown with.
    let carried = form.fields.iter().map(|f| f.name).chain([VERSION]);
    if let Some(unknown) = unknown_field(posted, carried) {
        form.error = Some(t.with("form-error-unknown-field", &[("name", unknown.to_owned())]));
    }
    if form.has_errors() {
        return None;
    }
    match Command::from_action(kind, arguments) {
        Ok(command) => Some(command),
        Err(e) => {
            tracing::warn!(action = kind.name(), error = %e, "a page's form made no command");
            form.error = Some(redress_text::problem_title(t.lang, "invalid_input"));
            None
        }
    }
}

/// The hidden field of an action's form with the version of the case the page showed.
pub const VERSION: &str = "version";

/// The first posted name that is none of `fields` (nor the CSRF token or the way back): a form
/// sent with a field it does not have is refused, not read without it.
pub fn unknown_field(
    posted: &crate::shell::Posted,
    fields: impl Iterator<Item = &'static str> + Clone,
) -> Option<&str> {
    posted
        .0
        .iter()
        .map(|(name, _)| name.as_str())
        .find(|name| *name != crate::csrf::FIELD && *name != "back" && !fields.clone().any(|f| f == *name))
}

/// The field a refusal of the rules is about, if it is about one.
pub fn field_of(code: redress_domain::RejectionCode) -> &'static [&'static str] {
    use redress_domain::RejectionCode::*;
    match code {
        AmountNotPositive | AmountExceedsRefundable => &["amount", "remedy.amount"],
        ItemsNotInOrder | ItemsHaveOpenCase => &["items"],
        _ => &[],
    }
}

/// Puts a refusal beside the field it is about (by its code, or an invalid input's detail
/// naming the field), or above the form.
pub fn place_error(form: &mut ActionForm, rejection: &redress_domain::Rejection, message: String) {
    let names = field_of(rejection.code);
    let args = rejection.detail.as_ref().map(redress_domain::Detail::args).unwrap_or_default();
    let named = match (rejection.code, args.get("field").and_then(|f| f.as_str())) {
        (redress_domain::RejectionCode::InvalidInput, Some(field)) => Some(field),
        _ => None,
    };
    match form.fields.iter_mut().find(|f| names.contains(&f.name) || named == Some(f.name)) {
        Some(field) => field.error = Some(message),
        None => form.error = Some(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use redress_text::Lang;

    /// Every public kind has a form, and every word of every form is in both languages.
    #[test]
    fn every_public_kind_has_a_form_in_both_languages() {
        for lang in Lang::ALL {
            let t = Tr::new(lang);
            for kind in CommandKind::all() {
                let form = spec(kind, t);
                assert_eq!(form.is_some(), !kind.is_system(), "{kind}");
                let Some(form) = form else { continue };
                let mut keys = vec![format!("action-{kind}"), format!("action-{kind}-help")];
                keys.extend(form.fields.iter().map(|f| format!("field-{kind}-{}", f.name.replace('.', "-"))));
                for key in keys {
                    assert!(redress_text::has(lang, &key), "{key} ({lang:?})");
                }
            }
        }
    }

    fn posted(fields: &[(&str, &str)]) -> crate::shell::Posted {
        crate::shell::Posted(fields.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn a_filled_form_makes_the_command_the_api_would() {
        let t = Tr::new(Lang::En);
        let mut form = spec(CommandKind::Offer, t).unwrap();
        let got = command(
            CommandKind::Offer,
            &mut form,
            &posted(&[("remedy.kind", "refund"), ("remedy.amount", "12.5"), ("note", "half")]),
            t,
        );
        let json = serde_json::json!({"action": "offer", "remedy": {"kind": "refund", "amount": 1250}, "note": "half"});
        assert_eq!(got, Some(serde_json::from_value(json).unwrap()));
        let mut form = spec(CommandKind::Decide, t).unwrap();
        let got = command(CommandKind::Decide, &mut form, &posted(&[("rationale", "r"), ("cited_rule", "Art. 24")]), t);
        let json = serde_json::json!({"action": "decide", "rationale": "r", "cited_rule": "Art. 24"});
        assert_eq!(got, Some(serde_json::from_value(json).unwrap()));
    }

    #[test]
    fn a_bad_field_is_refused_beside_the_field_in_the_readers_language() {
        let t = Tr::new(Lang::Zh);
        let mut form = spec(CommandKind::Reject, t).unwrap();
        let got = command(CommandKind::Reject, &mut form, &posted(&[("reason", "nonsense")]), t);
        assert_eq!(got, None);
        let reason = form.fields.iter().find(|f| f.name == "reason").unwrap();
        assert_eq!(reason.error, Some(t.get("form-error-choice")));
        let text = form.fields.iter().find(|f| f.name == "text").unwrap();
        assert_eq!(text.error, Some(t.get("form-error-required")));
        assert!(text.error.as_ref().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }

    /// Fen as yuan, as a person types it (`12.50`).
    fn yuan_text(fen: i64) -> String {
        format!("{}.{:02}", fen / 100, fen % 100)
    }

    proptest! {
        #[test]
        fn yuan_round_trips(fen in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_yuan(&yuan_text(fen)), Some(fen));
        }

        #[test]
        fn yuan_parsing_never_panics(text in ".{0,24}") {
            let _ = parse_yuan(&text);
        }
    }

    #[test]
    fn yuan_as_typed() {
        assert_eq!(parse_yuan("12"), Some(1200));
        assert_eq!(parse_yuan("¥12.5"), Some(1250));
        assert_eq!(parse_yuan(" 0.05 "), Some(5));
        assert_eq!(parse_yuan("１２．５"), Some(1250), "full-width, as an input method types");
        assert_eq!(parse_yuan("￥１２"), Some(1200));
        for bad in ["", "-1", "1.234", "1e3", "12.", "abc", "1.-5"] {
            assert_eq!(parse_yuan(bad), if bad == "12." { Some(1200) } else { None }, "{bad}");
        }
    }
}
