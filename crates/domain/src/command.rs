//! Every move a party can make on an existing case. Filing is `lifecycle::decide_filing`.
//! The API action names are the kebab-case of the variant names (`accept-offer`, ...): the
//! serde tag of `Command` and the names of `CommandKind` are the same by construction.

use crate::actor::Side;
use crate::case::Remedy;
use crate::money::Money;
use crate::vocabulary::{Reason, RejectReason, RequestKind};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct FileCase {
    pub kind: RequestKind,
    pub reason: Reason,
    pub items: Vec<crate::case::ItemRef>,
    pub amount: Money,
    pub description: String,
}

/// The buyer's changes to the request (`revise`); what is left out stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub kind: Option<RequestKind>,
    pub amount: Option<Money>,
    pub description: Option<String>,
}

impl Revision {
    /// Its fields' names, as a client sends them, in alphabetical order (serde_json's map keeps
    /// the declaration order only with its `preserve_order` feature, which another crate of
    /// the build may turn on).
    pub fn field_names() -> String {
        match serde_json::to_value(Revision::default()) {
            Ok(serde_json::Value::Object(fields)) => {
                let mut names: Vec<String> = fields.keys().cloned().collect();
                names.sort();
                names.join(", ")
            }
            _ => unreachable!("a revision is written as an object"),
        }
    }
}

/// A parcel on its way (`ship-return` by the buyer, `ship-replacement` by the merchant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    pub carrier: String,
    pub tracking_no: String,
}

/// A remedy put to the parties with a note (the merchant's `offer`, the platform's
/// `propose-mediation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub remedy: Remedy,
    pub note: String,
}

/// The variants are the one catalogue of actions: `CommandKind` (derived) names them, and the
/// API route, the system-only filter, `allowed_actions` and the authorization walk all read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
#[strum_discriminants(
    name(CommandKind),
    derive(Hash, PartialOrd, Ord, Serialize, Deserialize, strum::EnumIter, strum::EnumString, strum::IntoStaticStr),
    serde(rename_all = "kebab-case"),
    strum(serialize_all = "kebab-case")
)]
pub enum Command {
    // Any party in an open case.
    Message {
        text: String,
        /// Ids of evidence already on the case that the message refers to.
        #[serde(default)]
        evidence: Vec<crate::ids::EvidenceId>,
    },
    // Buyer.
    Revise(Revision),
    Withdraw,
    AcceptOffer,
    DeclineOffer,
    Answer {
        text: String,
    },
    ShipReturn(Shipping),
    ConfirmReplacement,
    Escalate {
        text: String,
    },
    Rate {
        stars: u8,
        comment: String,
    },
    // Merchant.
    Approve,
    Reject {
        reason: RejectReason,
        text: String,
    },
    Offer(Proposal),
    Ask {
        question: String,
    },
    ConfirmReceipt,
    DisputeReceipt {
        text: String,
    },
    ShipReplacement(Shipping),
    /// After the gateway failed for good: the merchant proves an offline refund.
    ProveOfflineRefund {
        note: String,
    },
    // Buyer and merchant.
    AcceptMediation,
    DeclineMediation,
    SubmitEvidence {
        text: String,
    },
    Appeal {
        reason: String,
    },
    // Agent.
    Take,
    RequestEvidence {
        /// `buyer` or `merchant`. (The document of API v1 names the type of all parties; the
        /// platform and the system were never taken.)
        #[schema(value_type = crate::actor::Party)]
        party: Side,
        what: String,
        due_in_hours: Option<i64>,
    },
    ProposeMediation(Proposal),
    Decide {
        remedy: Option<Remedy>,
        /// `buyer`, `merchant` or none (API v1's document names the type of all parties).
        #[schema(value_type = Option<crate::actor::Party>)]
        liable: Option<Side>,
        rationale: String,
        cited_rule: String,
    },
    ReviewAppeal {
        uphold: bool,
        remedy: Option<Remedy>,
        rationale: String,
        cited_rule: String,
    },
    // System.
    /// Fires the case's deadline that was due at `due`; a stale or repeated timeout is refused.
    Timeout {
        due: jiff::Timestamp,
    },
    RefundSucceeded {
        refund_id: String,
    },
    RefundFailed {
        refund_id: String,
        reason: String,
        /// The gateway refused because refunds would exceed what was paid: not a payment
        /// failure the merchant can settle offline, but something for the platform to look at.
        #[serde(default)]
        over_limit: bool,
    },
    /// A year's holiday notice was imported: the case's working-day deadline, counted
    /// provisionally over that `year`, is counted again from its original start. A deadline that
    /// already fired (or was not provisional for that year) is left alone.
    RecountDeadline {
        year: i16,
    },
    /// Records that a clock kept outside the case (a regulator's, 12315) was counted again for
    /// an imported notice, so the chain and the timeline show it. Changes no state; allowed on
    /// closed cases (a complaint outlives the case).
    RecordClockRecount {
        clock: String,
        year: i16,
        old_due: jiff::Timestamp,
        new_due: jiff::Timestamp,
    },
    /// Adds a stored file. Issued by the evidence upload only (after the bytes are stored and
    /// hashed), never through the actions API.
    AddEvidence {
        file: crate::evidence::EvidenceFile,
    },
}

impl Command {
    /// Which action this is, without its arguments.
    pub fn kind(&self) -> CommandKind {
        self.into()
    }

    /// The action's API name.
    pub fn action_name(&self) -> &'static str {
        self.kind().name()
    }

    /// The command of an API action: `kind` with its arguments, a JSON object without `action`.
    /// An argument the action does not have is refused, whatever the shape of the action: serde
    /// refuses them for actions with fields (`deny_unknown_fields`) but reads an action without
    /// any (`take`, `withdraw`) from any object, so the arguments are compared with the fields
    /// the command has, which are those it writes back.
    pub fn from_action(
        kind: CommandKind,
        mut arguments: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Command, serde_json::Error> {
        let given: Vec<String> = arguments.keys().cloned().collect();
        arguments.insert("action".into(), kind.name().into());
        let command: Command = serde_json::from_value(serde_json::Value::Object(arguments))?;
        let serde_json::Value::Object(fields) = serde_json::to_value(&command)? else {
            unreachable!("a command is written as an object")
        };
        match given.iter().find(|name| *name == "action" || !fields.contains_key(name.as_str())) {
            Some(unknown) => {
                let mut known: Vec<String> =
                    fields.keys().filter(|k| *k != "action").map(|k| format!("`{k}`")).collect();
                known.sort();
                let expected = match known.len() {
                    0 => "there are no fields".to_owned(),
                    _ => format!("expected one of {}", known.join(", ")),
                };
                // serde's own wording, which `Detail::json` reads (its `unknown_field` takes
                // only names known at compile time).
                Err(<serde_json::Error as serde::de::Error>::custom(format!("unknown field `{unknown}`, {expected}")))
            }
            None => Ok(command),
        }
    }

    /// Why `arguments` are no `kind`, naming the field at fault (`remedy.amount`, `evidence[0]`):
    /// serde cannot say which field of a tagged enum did not fit (`fault::field_at_fault`).
    pub fn arguments_refused(
        kind: CommandKind,
        arguments: &serde_json::Map<String, serde_json::Value>,
        error: &serde_json::Error,
    ) -> crate::Detail {
        let read = |fields| Command::from_action(kind, fields).err().map(|e| e.to_string());
        let name = crate::fault::field_at_fault(arguments, &error.to_string(), read);
        match crate::Detail::json(error, (!name.is_empty()).then_some(name.as_str())) {
            // An action's own refusal (`from_action`) lists its fields: none, it takes none.
            crate::Detail::UnknownFieldUnlisted { field } => crate::Detail::NoFieldsTaken { field },
            detail => detail,
        }
    }
}

impl CommandKind {
    /// The action's API name (kebab-case).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Issued by the platform itself (the deadline sweeper, the payment gateway's answer, a
    /// calendar import's recount, the evidence upload after the bytes are stored), never through
    /// the actions API.
    pub fn is_system(self) -> bool {
        matches!(
            self,
            CommandKind::Timeout
                | CommandKind::RefundSucceeded
                | CommandKind::RefundFailed
                | CommandKind::RecountDeadline
                | CommandKind::RecordClockRecount
                | CommandKind::AddEvidence
        )
    }

    /// Every kind, in catalogue order.
    pub fn all() -> impl Iterator<Item = CommandKind> {
        <CommandKind as strum::IntoEnumIterator>::iter()
    }

    /// The kinds a person or a merchant system may request through the API.
    pub fn public() -> impl Iterator<Item = CommandKind> {
        CommandKind::all().filter(|k| !k.is_system())
    }

    /// The public kind of an API action name; `None` for an unknown or a system action.
    pub fn public_named(name: &str) -> Option<CommandKind> {
        name.parse::<CommandKind>().ok().filter(|k| !k.is_system())
    }
}

impl std::fmt::Display for CommandKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_nested_field_at_fault() {
        let named = |kind: CommandKind, args: serde_json::Value| {
            let serde_json::Value::Object(args) = args else { unreachable!() };
            let error = Command::from_action(kind, args.clone()).unwrap_err();
            match Command::arguments_refused(kind, &args, &error) {
                crate::Detail::JsonField { problem, name } => format!("{problem} {name}"),
                crate::Detail::UnknownField { field, known } => format!("unknown_field {field} ({known})"),
                crate::Detail::NoFieldsTaken { field } => format!("no_fields_taken {field}"),
                crate::Detail::WrongType { field, expected } => format!("invalid_type {field} ({expected})"),
                crate::Detail::OneOf { field, .. } => format!("unknown_variant {field}"),
                other => format!("{other:?}"),
            }
        };
        let decide = |remedy: serde_json::Value| serde_json::json!({"remedy": remedy, "liable": "merchant", "rationale": "r", "cited_rule": "c"});
        let cases = [
            (
                CommandKind::Decide,
                decide(serde_json::json!({"kind": "refund", "amount": "abc"})),
                "invalid_type remedy.amount (amount)",
            ),
            (CommandKind::Decide, decide(serde_json::json!({"kind": "refund"})), "missing_field remedy.amount"),
            (
                CommandKind::Decide,
                decide(serde_json::json!({"kind": "gift", "amount": 1})),
                "unknown_variant remedy.kind",
            ),
            (CommandKind::Decide, decide(serde_json::json!(5)), "invalid_type remedy (object)"),
            (CommandKind::Rate, serde_json::json!({"comment": "ok"}), "missing_field stars"),
            // Trial finding: told as `remedy.note` (the remedy's absence changed the refusal too).
            (
                CommandKind::Offer,
                serde_json::json!({"remedy": {"kind": "refund", "amount": 2000}}),
                "missing_field note",
            ),
            (
                CommandKind::Offer,
                serde_json::json!({"remedy": {"kind": "refund"}, "note": "n"}),
                "missing_field remedy.amount",
            ),
            (CommandKind::Rate, serde_json::json!({"comment": "ok", "stars": "five"}), "invalid_type stars (integer)"),
            (CommandKind::Message, serde_json::json!({"text": "t", "evidence": ["x"]}), "other evidence[0]"),
            (CommandKind::Take, serde_json::json!({"x": 1}), "no_fields_taken x"),
            (CommandKind::Withdraw, serde_json::json!({"action": "take"}), "no_fields_taken action"),
            (
                CommandKind::Rate,
                serde_json::json!({"stars": 4, "comment": "ok", "photo": "p"}),
                "unknown_field photo (stars, comment)",
            ),
        ];
        for (kind, args, expected) in cases {
            assert_eq!(named(kind, args.clone()), expected, "{kind} {args}");
        }
    }

    #[test]
    fn names_are_kebab_case_and_parse_back() {
        assert_eq!(CommandKind::AcceptOffer.name(), "accept-offer");
        assert_eq!(CommandKind::Withdraw.to_string(), "withdraw");
        for kind in CommandKind::all() {
            assert_eq!(kind.name().parse::<CommandKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
        assert_eq!(CommandKind::public_named("timeout"), None);
        assert_eq!(CommandKind::public_named("accept_offer"), None);
        assert_eq!(CommandKind::public_named("revise"), Some(CommandKind::Revise));
    }

    #[test]
    fn an_action_and_its_arguments_make_the_command() {
        let fields = serde_json::json!({ "stars": 4, "comment": "ok" });
        let serde_json::Value::Object(fields) = fields else { unreachable!() };
        let command = Command::from_action(CommandKind::Rate, fields).unwrap();
        assert_eq!(command, Command::Rate { stars: 4, comment: "ok".into() });
        assert_eq!(command.kind(), CommandKind::Rate);
        let unit = Command::from_action(CommandKind::AcceptOffer, Default::default()).unwrap();
        assert_eq!(unit.action_name(), "accept-offer");
    }

    #[test]
    fn unknown_arguments_are_refused_whatever_the_shape_of_the_arguments() {
        let fields = |v: serde_json::Value| match v {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        };
        let shipping = serde_json::json!({ "carrier": "顺丰", "tracking_no": "SF1" });
        let shipped = Command::from_action(CommandKind::ShipReturn, fields(shipping.clone())).unwrap();
        assert_eq!(shipped, Command::ShipReturn(Shipping { carrier: "顺丰".into(), tracking_no: "SF1".into() }));
        let mut extra = fields(shipping);
        extra.insert("insured".into(), true.into());
        assert!(Command::from_action(CommandKind::ShipReturn, extra).is_err());
        let rate = serde_json::json!({ "stars": 4, "comment": "", "photo": "x" });
        assert!(Command::from_action(CommandKind::Rate, fields(rate)).is_err());
        // An action without fields, and the action's name given again as an argument.
        for kind in CommandKind::public() {
            let unknown = fields(serde_json::json!({ "x": 1 }));
            assert!(Command::from_action(kind, unknown).is_err(), "{kind}");
        }
        let error = Command::from_action(CommandKind::Take, fields(serde_json::json!({ "x": 1 }))).unwrap_err();
        assert_eq!(error.to_string(), "unknown field `x`, there are no fields");
        assert!(Command::from_action(CommandKind::Take, fields(serde_json::json!({ "action": "take" }))).is_err());
        assert_eq!(Command::from_action(CommandKind::Take, Default::default()).unwrap(), Command::Take);
        let revise = Command::from_action(CommandKind::Revise, fields(serde_json::json!({ "amount": 100 }))).unwrap();
        assert_eq!(revise, Command::Revise(Revision { amount: Some(Money::from_fen(100)), ..Default::default() }));
    }
}
