//! Fuzzing the domain's command handling as an ordinary test: arbitrary command JSON (known and
//! unknown actions, wrong, missing, extreme and hostile field values) from every kind of actor,
//! at random times, applied in sequence to a filed case. Parsing and `decide` never panic, and
//! every event they produce survives its JSON round trip (events are stored as JSON).
//! Longer run: `PROPTEST_CASES=100000 cargo test -p redress-domain --test fuzz` (docs/reliability.md).

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use redress_domain::case::ItemRef;
use redress_domain::command::FileCase;
use redress_domain::order::{Order, OrderHistory};
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{
    Actor, Case, CaseId, Command, CommandKind, Env, Event, EventBody, MerchantId, Money, Policy, UserId, apply, decide,
    decide_filing,
};
use redress_law::calendar::BusinessCalendar;
use serde_json::{Map, Value, json};
use uuid::Uuid;

const BUYER: UserId = UserId(Uuid::from_u128(1));
const MERCHANT: MerchantId = MerchantId(Uuid::from_u128(10));

/// The real business calendar (official and provisional years), parsed once.
static CALENDAR: std::sync::LazyLock<BusinessCalendar> = std::sync::LazyLock::new(BusinessCalendar::embedded);

fn t0() -> Timestamp {
    "2026-03-02T02:00:00Z".parse().unwrap()
}

/// A paid order of two items, ¥199.00, signed for on 2026-02-28.
fn order() -> Order {
    let item = |sku: &str, quantity: u32, fen: i64| json!({ "sku": sku, "title": sku, "quantity": quantity, "unit_price": fen });
    serde_json::from_value(json!({
        "id": Uuid::from_u128(20), "number": "R2026022500001", "merchant_id": MERCHANT, "buyer_id": BUYER,
        "channel": "channels_shop", "items": [item("MUG", 2, 5_950), item("LAMP", 1, 8_000)],
        "amount_paid": 19_900, "freight": 0, "payment_transaction_id": null,
        "paid_at": "2026-02-25T01:00:00Z", "shipped_at": "2026-02-26T01:00:00Z",
        "signed_at": "2026-02-28T07:00:00Z", "created_at": "2026-02-25T01:00:00Z",
    }))
    .expect("the order fixture")
}

fn actors() -> Vec<Actor> {
    vec![
        Actor::Buyer { user: BUYER },
        Actor::Buyer { user: UserId(Uuid::from_u128(2)) },
        Actor::Merchant { merchant: MERCHANT, user: Some(UserId(Uuid::from_u128(12))), token: None },
        Actor::Merchant { merchant: MerchantId(Uuid::from_u128(11)), user: None, token: None },
        Actor::Agent { user: UserId(Uuid::from_u128(3)) },
        Actor::Agent { user: UserId(Uuid::from_u128(4)) },
        Actor::System,
    ]
}

/// Names that are no action (or not spelled as one), besides every kind's name in the catalogue.
const OTHER_ACTIONS: &[&str] = &["accept_offer", "refund_succeeded", "Timeout", "", "file", "delete"];

fn action() -> impl Strategy<Value = String> {
    let kinds: Vec<&'static str> = CommandKind::all().map(CommandKind::name).collect();
    prop_oneof![
        prop::sample::select(kinds).prop_map(str::to_owned),
        prop::sample::select(OTHER_ACTIONS).prop_map(str::to_owned),
    ]
}

const FIELDS: &[&str] = &[
    "text",
    "evidence",
    "kind",
    "amount",
    "description",
    "carrier",
    "tracking_no",
    "stars",
    "comment",
    "reason",
    "remedy",
    "note",
    "question",
    "party",
    "what",
    "due_in_hours",
    "liable",
    "rationale",
    "cited_rule",
    "uphold",
    "due",
    "refund_id",
    "over_limit",
    "file",
    "unknown",
];

/// Words the fields expect, and some they do not.
const WORDS: &[&str] = &[
    "refund",
    "return_refund",
    "exchange",
    "partial_refund",
    "compensation",
    "buyer",
    "merchant",
    "platform",
    "system",
    "other",
    "used_or_damaged_by_buyer",
    "quality_defect",
    "SF1234567890",
    "顺丰速运",
    "2026-03-05T01:00:00Z",
    "2026-03-02T02:00:00Z",
    "9999-12-31T23:59:59Z",
    "0000-01-01",
    "ab",
    "",
    "\u{0}\u{7}\u{202e}",
    "01890a5d-ac96-774b-bcce-b302099a8057",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![Just(0i64), Just(1), Just(-1), Just(19_900), Just(19_901), Just(i64::MAX), Just(i64::MIN)]
            .prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(WORDS).prop_map(|w| json!(w)),
        ".{0,40}".prop_map(Value::String),
        (1usize..6000).prop_map(|n| json!("长".repeat(n))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

use CommandKind as K;

/// The fields each action takes, so that a good share of the commands parse and reach `decide`.
const SHAPES: &[(CommandKind, &[&str])] = &[
    (K::Message, &["text"]),
    (K::Revise, &["kind", "amount", "description"]),
    (K::Answer, &["text"]),
    (K::ShipReturn, &["carrier", "tracking_no"]),
    (K::Escalate, &["text"]),
    (K::Rate, &["stars", "comment"]),
    (K::Reject, &["reason", "text"]),
    (K::Offer, &["remedy", "note"]),
    (K::Ask, &["question"]),
    (K::DisputeReceipt, &["text"]),
    (K::ShipReplacement, &["carrier", "tracking_no"]),
    (K::ProveOfflineRefund, &["note"]),
    (K::SubmitEvidence, &["text"]),
    (K::Appeal, &["reason"]),
    (K::RequestEvidence, &["party", "what", "due_in_hours"]),
    (K::ProposeMediation, &["remedy", "note"]),
    (K::Decide, &["remedy", "liable", "rationale", "cited_rule"]),
    (K::ReviewAppeal, &["uphold", "remedy", "rationale", "cited_rule"]),
    (K::Timeout, &["due"]),
    (K::RefundSucceeded, &["refund_id"]),
    (K::RefundFailed, &["refund_id", "reason", "over_limit"]),
];

/// A remedy-shaped value: a remedy kind (or not) and any amount.
fn remedy() -> impl Strategy<Value = Value> {
    (prop::sample::select(WORDS), prop_oneof![any::<i64>(), 0i64..30_000])
        .prop_map(|(kind, amount)| json!({ "kind": kind, "amount": amount }))
}

/// A value for a field: mostly of the type it wants (often extreme), sometimes anything.
fn field_value(field: &str) -> BoxedStrategy<Value> {
    let typed: BoxedStrategy<Value> = match field {
        "amount" | "due_in_hours" | "stars" => prop_oneof![-10i64..30_000, any::<i64>()].prop_map(|n| json!(n)).boxed(),
        "uphold" | "over_limit" => any::<bool>().prop_map(Value::Bool).boxed(),
        "remedy" => remedy().boxed(),
        "liable" | "party" | "kind" | "reason" | "due" => prop::sample::select(WORDS).prop_map(|w| json!(w)).boxed(),
        _ => prop_oneof![".{0,40}".prop_map(Value::String), (1usize..6000).prop_map(|n| json!("长".repeat(n)))].boxed(),
    };
    prop_oneof![4 => typed, 1 => leaf()].boxed()
}

fn command_json() -> impl Strategy<Value = Value> {
    let free = (action(), prop::collection::vec((prop::sample::select(FIELDS), value()), 0..6)).prop_map(
        |(action, fields)| {
            let mut map: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            map.insert("action".into(), json!(action));
            Value::Object(map)
        },
    );
    let shaped = prop::sample::select(SHAPES).prop_flat_map(|(kind, fields)| {
        let values: Vec<BoxedStrategy<Value>> = fields.iter().map(|f| field_value(f)).collect();
        values.prop_map(move |values| {
            let mut map = Map::new();
            map.insert("action".into(), json!(kind.name()));
            for (field, value) in fields.iter().zip(values) {
                map.insert((*field).to_owned(), value);
            }
            Value::Object(map)
        })
    });
    prop_oneof![1 => free, 3 => shaped]
}

fn filed_case() -> Case {
    let policy = Policy::default();
    let env = Env { now: t0(), policy: &policy, calendar: &*CALENDAR };
    let request = FileCase {
        kind: RequestKind::ReturnRefund,
        reason: Reason::QualityDefect,
        items: vec![ItemRef { sku: "MUG".into(), quantity: 2 }, ItemRef { sku: "LAMP".into(), quantity: 1 }],
        amount: Money::from_fen(19_900),
        description: "杯子把手开裂".into(),
    };
    let filed = decide_filing(
        CaseId(Uuid::from_u128(30)),
        &request,
        &order(),
        &OrderHistory::default(),
        1,
        Actor::Buyer { user: BUYER },
        &env,
    )
    .expect("the fixture files");
    let EventBody::Filed(f) = &filed.body else { unreachable!() };
    apply(Case::opened(f, t0()), &filed)
}

proptest! {
    // 256 cases by default; PROPTEST_CASES sets more.
    /// Any text at all: parsing a command never panics.
    #[test]
    fn any_text_parses_or_is_refused(text in ".{0,200}") {
        let _ = serde_json::from_str::<Command>(&text);
    }

    /// Sequences of arbitrary command JSON, from every actor, at random times.
    #[test]
    fn arbitrary_commands_never_panic(
        steps in prop::collection::vec((0usize..7, command_json(), 0i64..400), 1..30)
    ) {
        let policy = Policy::default();
        let actors = actors();
        let mut case = filed_case();
        let mut now = t0();
        for (who, raw, hours) in steps {
            now = now.checked_add(SignedDuration::from_hours(hours)).unwrap();
            let Ok(command) = serde_json::from_value::<Command>(raw) else { continue };
            let env = Env { now, policy: &policy, calendar: &*CALENDAR };
            if let Ok(events) = decide(&case, &command, actors[who], &env) {
                for event in &events {
                    let text = serde_json::to_string(event).unwrap();
                    prop_assert_eq!(&serde_json::from_str::<Event>(&text).unwrap(), event);
                }
                case = events.iter().fold(case, apply);
            }
        }
    }
}

/// The generator reaches `decide`: a fair share of its commands parse (otherwise the fuzzing
/// above would test only the parser).
#[test]
fn the_generator_makes_commands_that_parse() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = command_json();
    let parsed = (0..1000)
        .filter(|_| serde_json::from_value::<Command>(strategy.new_tree(&mut runner).unwrap().current()).is_ok())
        .count();
    assert!(parsed >= 300, "{parsed} of 1000 parse");
}
