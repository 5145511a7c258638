//! Why a command is refused. Each code is stable (clients match on it); its words in zh-CN and
//! English are in the text catalogue (crates/text), keyed by the code. `detail` adds the specifics.

use serde::{Deserialize, Serialize};

macro_rules! rejection_codes {
    ($($variant:ident = $code:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RejectionCode { $($variant,)+ }

        impl RejectionCode {
            /// Every code, in declaration order (the text catalogue's completeness test walks it).
            pub const ALL: &'static [RejectionCode] = &[$(RejectionCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $(RejectionCode::$variant => $code,)+ }
            }

            /// Is the request itself wrong (what it says), rather than the case or the asker
            /// (who asks, or when)? The API answers these 422; the pages show them beside the form.
            pub fn is_about_the_request(self) -> bool {
                use RejectionCode::*;
                matches!(
                    self,
                    InvalidInput
                        | AmountNotPositive
                        | AmountExceedsRefundable
                        | ItemsNotInOrder
                        | NoReasonWindowClosed
                        | NoReasonExcludedItem
                        | NotSignedFor
                        | ControlCharacter
                )
            }
        }
    };
}

rejection_codes! {
    NotAllowedInState = "not_allowed_in_state";
    NotYourTurn = "not_your_turn";
    CaseClosed = "case_closed";
    InvalidInput = "invalid_input";
    AmountNotPositive = "amount_not_positive";
    AmountExceedsRefundable = "amount_exceeds_refundable";
    ItemsNotInOrder = "items_not_in_order";
    ItemsHaveOpenCase = "items_have_open_case";
    MaxApplicationsReached = "max_applications_reached";
    NotYourOrder = "not_your_order";
    OrderNotPaid = "order_not_paid";
    MaxOffersReached = "max_offers_reached";
    EscalationTooEarly = "escalation_too_early";
    NoDecisionToAppeal = "no_decision_to_appeal";
    AppealWindowClosed = "appeal_window_closed";
    AlreadyAppealed = "already_appealed";
    OwnDecision = "own_decision";
    NotAssigned = "not_assigned";
    AlreadyRated = "already_rated";
    NoPendingOffer = "no_pending_offer";
    NoPendingQuestion = "no_pending_question";
    NotNamedForEvidence = "not_named_for_evidence";
    AlreadyAnsweredMediation = "already_answered_mediation";
    NotDue = "not_due";
    NoReasonWindowClosed = "no_reason_window_closed";
    NoReasonExcludedItem = "no_reason_excluded_item";
    NotSignedFor = "not_signed_for";
    CalendarNotCovered = "calendar_not_covered";
    CaseOpenOnOrder = "case_open_on_order";
    ControlCharacter = "control_character";
    CaseChanged = "case_changed";
}

/// A refused command: a stable code plus what exactly was wrong (a code with arguments too).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}{}", code.as_str(), detail.as_ref().map(|d| format!(": {d:?}")).unwrap_or_default())]
pub struct Rejection {
    pub code: RejectionCode,
    pub detail: Option<Detail>,
}

impl Rejection {
    pub fn new(code: RejectionCode) -> Rejection {
        Rejection { code, detail: None }
    }

    pub fn with(code: RejectionCode, detail: Detail) -> Rejection {
        Rejection { code, detail: Some(detail) }
    }

    pub fn invalid(detail: Detail) -> Rejection {
        Rejection::with(RejectionCode::InvalidInput, detail)
    }
}

/// What exactly was wrong with a request, as a stable code (`DetailCode`) with arguments. The
/// words, in zh-CN and English, are in the text catalogue under `detail-<code>`, so neither the
/// domain nor the use cases hold prose. One list for every layer: the domain's refusals, the use
/// cases' bad input and the HTTP layer's own (the completeness test walks `DetailCode`).
///
/// Arguments are codes, names of fields, numbers, amounts, instants (told in Beijing time) and
/// what the caller sent; never words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(rename_all = "snake_case")]
#[strum_discriminants(
    name(DetailCode),
    derive(strum::EnumIter, strum::IntoStaticStr, Hash),
    strum(serialize_all = "snake_case")
)]
pub enum Detail {
    // The case and its state.
    /// The case is in `state`, where this is not possible.
    InState {
        state: crate::CaseState,
    },
    AlreadyYours,
    /// The case closed at `at` with `outcome`: only an appeal or a rating may follow.
    ClosedAs {
        at: jiff::Timestamp,
        outcome: crate::Outcome,
    },
    /// Another agent handles the case (it may be taken over once the platform's deadline passed).
    AnotherAgentsCase,
    /// Case `case` is open on the order: the conversation goes on in it.
    CaseOpen {
        case: String,
    },
    /// The agent made the ruling under appeal: another agent reviews it.
    OwnRulingUnderAppeal,
    NoPendingAppeal,
    /// A refusal that passes after a wait.
    RetryIn {
        seconds: u64,
    },
    /// An appeal overturned into a dismissal after money went out: the record would say
    /// "rejected" while the buyer holds `paid` (recovering money is outside the platform).
    DismissalAfterPayout {
        paid: String,
    },
    AppealPending,
    PlatformRuled,
    RefundNotFailed,
    NoRefundPending,
    UnknownRefund,
    StaleTimeout,
    /// The action was sent for the case at version `read` (`If-Match`); it is at `current`.
    CaseChanged {
        read: i64,
        current: i64,
    },
    NoProvisionalDeadline,
    NoDeadlineProvisionalFor {
        year: i16,
    },
    /// The buyer may ask the platform in from `earliest`, after `days` working days.
    EscalateFrom {
        earliest: jiff::Timestamp,
        days: u32,
    },
    AppealWindowEnded {
        at: jiff::Timestamp,
    },
    CalendarYear {
        year: i16,
    },
    EvidenceNotOnCase {
        evidence: String,
    },
    // A filing.
    NoItems,
    /// `sku` is the item at fault.
    Item {
        sku: String,
    },
    /// The same item listed twice in one filing.
    ItemTwice {
        sku: String,
    },
    /// A quantity of 0, or more than the order has of the item.
    ItemQuantity {
        sku: String,
        asked: u64,
        ordered: u64,
    },
    /// A money demand of zero or less.
    NotPositive {
        amount: String,
    },
    ExceedsRefundable {
        amount: String,
        refundable: String,
    },
    /// A compensation demand above what the law and the refundable amount allow together.
    ExceedsCompensationCap {
        amount: String,
        cap: String,
    },
    NoAmount,
    /// The 7-day no-reason return: an excluded item (`exclusion`, a `NoReasonExclusion` name).
    NoReasonExcluded {
        exclusion: String,
    },
    NoReasonNotSignedFor,
    NoReasonWindowEnded {
        ends_at: jiff::Timestamp,
    },
    // Fields.
    /// `field` must not be empty.
    Empty {
        field: String,
    },
    /// `field` takes at most `max` characters.
    TooLong {
        field: String,
        max: u64,
    },
    /// `field` takes a number from `min` to `max`.
    Range {
        field: String,
        min: i64,
        max: i64,
    },
    /// `field` names a message of a conversation that has none yet.
    NoMessagesYet {
        field: String,
    },
    /// `field` takes one of `values` (codes, comma-separated).
    OneOf {
        field: String,
        values: String,
    },
    /// `field` is not one of its vocabulary's names (`value` as sent).
    Unknown {
        field: String,
        value: String,
    },
    /// `field` is not an id.
    NotAnId {
        field: String,
    },
    /// `field` is not an RFC 3339 time.
    NotATime {
        field: String,
    },
    /// `field` is missing.
    Missing {
        field: String,
    },
    /// `field` is not known here; `known` lists those that are (`Detail::unknown_field`).
    UnknownField {
        field: String,
        known: String,
    },
    /// `field` is sent to a request that takes none.
    NoFieldsTaken {
        field: String,
    },
    /// `field` cannot be combined with `with`.
    Conflicts {
        field: String,
        with: String,
    },
    /// A ruling holds the merchant liable (`field`) but names no remedy: it would dismiss the claim.
    LiableWithoutRemedy {
        field: String,
    },
    // Evidence files.
    /// A file takes at most `bytes`.
    FileLimit {
        bytes: u64,
    },
    /// A case's evidence takes at most `bytes` in total.
    CaseLimit {
        bytes: u64,
    },
    /// The type the bytes say (`found`) is not one accepted.
    UnsupportedType {
        found: String,
    },
    /// The bytes are of no type known, and not text either.
    UnknownType,
    /// The image would take too much memory to decode.
    ImageTooLarge,
    /// The file says it is an image or a document but does not decode as one.
    Undecodable,
    /// The upload ended before the file did.
    UploadCutOff,
    Sha256,
    FileSize,
    Caption {
        max: u64,
    },
    MediaType,
    /// A file described as a photo that is not an image (`found`: what its bytes are).
    PhotoNeedsImage {
        found: String,
    },
    /// A file described as a video that is not a video.
    VideoNeedsVideo {
        found: String,
    },
    OneFilePerUpload,
    TextFieldTooLong {
        bytes: u64,
    },
    /// A request body over the limit of its route.
    BodyLimit {
        bytes: u64,
    },
    /// A request's address (path and query) takes at most `bytes`.
    UriLimit {
        bytes: u64,
    },
    /// A request's headers: at most `count` of them, `bytes` in all.
    HeadersLimit {
        count: u64,
        bytes: u64,
    },
    TextNotUtf8,
    Multipart,
    /// A `multipart/form-data` body without its boundary parameter.
    MultipartBoundary,
    IdempotencyKeyForAnotherFile,
    IdempotencyKey,
    /// The header `name` is sent more than once: which one is meant is not guessed.
    HeaderTwice {
        name: String,
    },
    /// The key answered another request (another body or path) within the last 24 hours.
    IdempotencyKeyForAnotherRequest,
    /// An `If-Match` that is not one entity tag of a case (`"7"`) nor `*`.
    IfMatch,
    // Accounts, shops and orders.
    LoginFormat,
    PasswordTooShort {
        min: u64,
    },
    MerchantStaffNeedShop,
    OnlyMerchantStaffHaveShop,
    NoSuchMerchant,
    CreditCode {
        error: String,
    },
    MerchantCreditCode {
        code: String,
        error: String,
    },
    BatchTooLarge {
        max: u64,
        sent: u64,
    },
    NoSuchBuyer,
    /// `field` takes from `min` to `max` items.
    Length {
        field: String,
        min: u64,
        max: u64,
    },
    /// `field` takes from `min` to `max` characters.
    Chars {
        field: String,
        min: u64,
        max: u64,
    },
    /// `field` is not a phone number: `min_digits` to `max_digits` digits, an optional leading
    /// `+`, spaces or hyphens between.
    PhoneFormat {
        field: String,
        min_digits: u64,
        max_digits: u64,
    },
    /// A request of `request_kind` pays money: it needs an amount.
    AmountNeeded {
        request_kind: crate::vocabulary::RequestKind,
    },
    /// A request whose fields are all optional gave none of them (`fields`, comma-separated).
    AnyOf {
        fields: String,
    },
    /// `field` takes a value of JSON type `expected` (`integer`, `string`, ...).
    WrongType {
        field: String,
        expected: String,
    },
    /// `field` is at least `min`.
    AtLeast {
        field: String,
        min: i64,
    },
    /// `field` is an amount from ¥0.00 to `max`.
    AmountRange {
        field: String,
        max: String,
    },
    AmountPaid {
        items: String,
        freight: String,
    },
    OrderTimes,
    /// An order's time (`field`) later than now (beyond a small clock skew).
    TimeInFuture {
        field: String,
    },
    /// An order's time (`field`) before `earliest`.
    TimeTooEarly {
        field: String,
        earliest: jiff::Timestamp,
    },
    EachSkuOnce,
    /// The shop has order `number` (`id`) with other contents.
    OrderNumberTaken {
        number: String,
        id: String,
    },
    /// A unique fact that exists already (`what`: login, merchant, order_number, ...).
    Duplicate {
        what: String,
    },
    NameAndAddress,
    // Who may do what (forbidden).
    /// Only these roles (codes, comma-separated) may do this.
    OnlyRoles {
        roles: String,
    },
    SystemAction,
    NoShop,
    OwnShopOnly,
    NotForTokens,
    // Busy.
    BusyPasswordChecks,
    BusyDossiers,
    /// A line of an import file that is not a JSON object.
    NotJsonObject,
    /// A line of an import file that is not a CSV row.
    NotCsvRow,
    /// A CSV row of an order whose order columns differ from its first row's (`line`).
    DiffersFromFirstRow {
        line: u64,
    },
    // Policy and calendar.
    PolicyTooSoon,
    PolicyValue {
        name: String,
    },
    /// The calendar file is refused; `rule` is the calendar rule broken, `at` what it names.
    Calendar {
        rule: String,
        at: String,
    },
    DateOutOfRange,
    // External escalations.
    FiledInFuture,
    OnlyComplaintAccepted,
    AcceptedOnRange,
    // Conversations.
    /// The platform reads an order's conversation but neither writes in it nor keeps receipts.
    PlatformReadsConversation,
    MessageNeedsTextOrFile,
    /// `field` may hold line breaks and tabs, no other control characters.
    ControlCharacters {
        field: String,
    },
    /// `field` names a thing on one line: no line break, tab or other control.
    OneLine {
        field: String,
    },
    /// A message carries at most `max` files.
    FilesPerMessage {
        max: u64,
    },
    ConfidentialInConversation,
    // Search.
    NoSearchWord,
    /// A search takes at most `max` words.
    SearchWords {
        max: u64,
    },
    /// `field` is not a cursor the search returned.
    NotACursor {
        field: String,
    },
    // Notifications by email.
    EmailAddress,
    // Webhooks.
    WebhookUrl,
    /// The host of a webhook URL does not resolve.
    WebhookHostUnresolved,
    /// The host of a webhook URL resolves to `address`, not on the public internet.
    WebhookHostNotPublic {
        address: String,
    },
    EventTypesEmpty,
    /// A shop has at most `max` webhook subscriptions.
    SubscriptionsPerShop {
        max: u64,
    },
    DeliveryPending,
    // Metrics.
    MetricsReaders,
    // Bodies.
    /// The JSON body does not fit: `problem` (missing_field, unknown_variant, invalid_type,
    /// invalid_value, duplicate_key, syntax, too_deep, eof, other) at `line`:`column`, about
    /// `name` if any. An unknown field is `UnknownField`, as in a query string.
    Json {
        problem: String,
        name: String,
        line: u64,
        column: u64,
    },
    /// A JSON value (read from a document already parsed, so without a line) that does not fit:
    /// `problem` as for `Json`, at the field `name`.
    JsonField {
        problem: String,
        name: String,
    },
    BodyNotObject,
    /// A change to the API is sent as JSON, saying so.
    NotJson,
    /// A change signed in by the session cookie that a page of `origin` sent.
    CrossSite {
        origin: String,
    },
    /// A field a flattened body cannot list the known ones of.
    UnknownFieldUnlisted {
        field: String,
    },
    /// A query parameter sent to a request that takes none.
    NoQueryParameters {
        field: String,
    },
    /// The body paused longer than the read timeout, or came slower than the least rate.
    BodyNotInTime {
        pause_secs: u64,
        bytes_per_sec: u64,
    },
    /// The path takes only the methods `allowed`.
    MethodsAllowed {
        allowed: String,
    },
    /// The body is empty where the request needs `field` (an empty body reads as `{}`, so that
    /// requests without fields may send none).
    EmptyBody {
        field: String,
    },
    /// `action` is not an action of the API.
    UnknownAction {
        action: String,
    },
    /// A query parameter that does not parse (`name`, if known).
    Query {
        name: String,
    },
    /// A query parameter given more than once (`?limit=1&limit=2`): which one is meant?
    QueryTwice {
        name: String,
    },
}

impl Detail {
    pub fn code(&self) -> DetailCode {
        self.into()
    }

    /// `field: value` pairs for the catalogue (instants as RFC 3339, numbers as numbers).
    pub fn args(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(outer)) => match outer.into_iter().next() {
                Some((_, serde_json::Value::Object(fields))) => fields,
                _ => serde_json::Map::new(),
            },
            _ => serde_json::Map::new(),
        }
    }

    /// `field` is not among `known` (names separated by commas). serde names none for a
    /// flattened struct (the filing, an order's line item) as for one without fields: the
    /// field is named alone, not said to be one of none.
    pub fn unknown_field(field: String, known: String) -> Detail {
        if known.trim().is_empty() {
            Detail::UnknownFieldUnlisted { field }
        } else {
            Detail::UnknownField { field, known }
        }
    }

    /// This refusal of a body that has no fields at all: a missing field is said as an empty
    /// body needing it (an empty body reads as `{}`).
    pub fn in_empty_body(self) -> Detail {
        match self {
            Detail::JsonField { problem, name } | Detail::Json { problem, name, .. } if problem == "missing_field" => {
                Detail::EmptyBody { field: name }
            }
            other => other,
        }
    }

    /// A JSON body that does not read: what kind of problem, where, and the field or value named
    /// (serde's own English message is not passed on).
    pub fn json(error: &serde_json::Error, field: Option<&str>) -> Detail {
        use serde_json::error::Category;
        let message = error.to_string();
        let named = message.split('`').nth(1).unwrap_or("").to_owned();
        // Unknown fields read the same in a body as in a query string: the field and those known.
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let (unknown, rest) = rest.split_once('`').unwrap_or((rest, ""));
            let known = expected_in(rest).map(expected_names).unwrap_or_default();
            let field = match field.filter(|f| !f.is_empty()) {
                // The path may end at the field itself (`items[0].fragile`, found by leaving it out).
                Some(path) if path == unknown || path.ends_with(&format!(".{unknown}")) => path.to_owned(),
                Some(path) => format!("{path}.{unknown}"),
                None => unknown.to_owned(),
            };
            return Detail::unknown_field(field, known);
        }
        let problem = match error.classify() {
            // serde_json stops at 128 levels: the body is JSON, only too deep to read.
            Category::Syntax if message.starts_with("recursion limit exceeded") => "too_deep",
            Category::Syntax => "syntax",
            Category::Eof => "eof",
            Category::Io => "other",
            Category::Data if message.starts_with("missing field") => "missing_field",
            Category::Data if message.starts_with("unknown variant") => "unknown_variant",
            Category::Data if message.starts_with("duplicate key") => "duplicate_key",
            Category::Data if message.starts_with("invalid type") => "invalid_type",
            Category::Data if message.starts_with("invalid value") || message.starts_with("invalid length") => {
                "invalid_value"
            }
            Category::Data => "other",
        };
        // The backticks hold a field's name for these; for the others they hold the value sent
        // (`{"text": 1}` → "integer `1`"), which is no name: the caller's path is.
        let names_a_field = matches!(problem, "missing_field" | "duplicate_key");
        let name = match (field.filter(|f| !f.is_empty()), names_a_field) {
            (Some(path), true) if !named.is_empty() && path != named && !path.ends_with(&format!(".{named}")) => {
                format!("{path}.{named}")
            }
            (_, true) if !named.is_empty() => named,
            (Some(path), _) => path.to_owned(),
            (None, _) => String::new(),
        };
        // A value that does not fit a named field is told by its field, wherever the body was
        // read from (an action's, parsed from a value, has no line; a conversation message's
        // had one, and read "at line 1, column 9 … text"); where the text itself breaks, the
        // line and column are what locates it.
        match error.line() {
            line if line > 0 && (name.is_empty() || !matches!(error.classify(), Category::Data)) => {
                Detail::Json { problem: problem.into(), name, line: line as u64, column: error.column() as u64 }
            }
            // What the field takes, where serde says it in a way a client can act on (trial
            // helper-45: "amount: a value of the wrong type" did not say an integer).
            _ => match (problem, expected_in(&message), expected_in(&message).and_then(crate::bounded::range_in)) {
                ("invalid_type", Some(expected), _) => match json_type(expected) {
                    Some(expected) => Detail::WrongType { field: name, expected: expected.into() },
                    None => Detail::JsonField { problem: problem.into(), name },
                },
                ("unknown_variant", Some(values), _) => Detail::OneOf { field: name, values: expected_names(values) },
                ("invalid_value", _, Some((min, max))) => Detail::Range { field: name, min, max },
                _ => Detail::JsonField { problem: problem.into(), name },
            },
        }
    }

    /// A text field of `field` that is too long.
    pub fn too_long(field: &str, max: usize) -> Detail {
        Detail::TooLong { field: field.to_owned(), max: max as u64 }
    }
}

/// What serde's message says was expected (`…, expected i64 at line 1 column 9`): after the
/// last `, expected `, since the value sent comes before it and may hold those words itself.
fn expected_in(message: &str) -> Option<&str> {
    let expected = message.rsplit_once(", expected ")?.1;
    Some(expected.split(" at line ").next().unwrap_or(expected))
}

/// The names serde lists as expected, comma-separated: it says "`a`", "`a` or `b`" or
/// "one of `a`, `b`, `c`".
fn expected_names(expected: &str) -> String {
    expected.trim_start_matches("one of ").replace("` or `", "`, `").replace('`', "")
}

/// serde's name of an expected type as one of the JSON types a client sends (`json-type-*` in
/// the catalogue); none for a type of Redress's own (its own message says more).
fn json_type(expected: &str) -> Option<&'static str> {
    const INTEGERS: [&str; 8] = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"];
    match expected {
        e if INTEGERS.contains(&e) || e == "an integer" => Some("integer"),
        crate::money::AMOUNT_EXPECTED => Some("amount"),
        "f32" | "f64" => Some("number"),
        "a string" | "a borrowed string" | "a character" => Some("string"),
        "a boolean" => Some("boolean"),
        "a sequence" => Some("list"),
        e if e.starts_with("struct ") || e == "a map" => Some("object"),
        _ => None,
    }
}

/// The words of a law crate refusal (the rights view says why a no-reason return is refused).
impl From<&redress_law::eligibility::Refusal> for Detail {
    fn from(r: &redress_law::eligibility::Refusal) -> Detail {
        use redress_law::eligibility::Refusal;
        match r {
            Refusal::NoReasonWindowClosed { ends_at } => Detail::NoReasonWindowEnded { ends_at: *ends_at },
            Refusal::NoReasonExcludedItem { exclusion } => {
                Detail::NoReasonExcluded { exclusion: exclusion.as_str().to_owned() }
            }
            Refusal::NotSignedFor => Detail::NoReasonNotSignedFor,
        }
    }
}

impl DetailCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // Only read, to make serde's errors.
    struct Message {
        text: String,
    }

    /// A value of the wrong type is told by its field whether the body was read from text or
    /// from a value; broken text is told by its line and column.
    #[test]
    fn a_field_is_named_and_broken_text_is_located() {
        let from_text = serde_json::from_str::<Message>(r#"{"text": 1}"#).unwrap_err();
        let from_value = serde_json::from_value::<Message>(serde_json::json!({ "text": 1 })).unwrap_err();
        let wrong_type = Detail::WrongType { field: "text".into(), expected: "string".into() };
        assert_eq!(Detail::json(&from_text, Some("text")), wrong_type);
        assert_eq!(Detail::json(&from_value, Some("text")), wrong_type);
        let cut_off = serde_json::from_str::<Message>(r#"{"text":"#).unwrap_err();
        assert_eq!(
            Detail::json(&cut_off, None),
            Detail::Json { problem: "eof".into(), name: String::new(), line: 1, column: 8 }
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)] // Only read, to make serde's errors.
    enum Party {
        Buyer,
        Merchant,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // Only read, to make serde's errors.
    struct Item {
        quantity: u32,
        price: crate::Money,
    }

    /// Review of session 24: an amount and a count were both told "an integer (amounts: whole
    /// fen)"; each is told as what it is.
    #[test]
    fn an_amount_is_told_as_an_amount_and_a_count_as_an_integer() {
        let told = |body| Detail::json(&serde_json::from_value::<Item>(body).unwrap_err(), None);
        let amount = Detail::WrongType { field: String::new(), expected: "amount".into() };
        assert_eq!(told(serde_json::json!({ "quantity": 1, "price": 12.5 })), amount);
        assert_eq!(told(serde_json::json!({ "quantity": 1, "price": "12" })), amount);
        let integer = Detail::WrongType { field: String::new(), expected: "integer".into() };
        assert_eq!(told(serde_json::json!({ "quantity": 1.5, "price": 1 })), integer);
        assert!(serde_json::from_value::<Item>(serde_json::json!({ "quantity": 1, "price": u64::MAX })).is_err());
        let price = serde_json::from_value::<Item>(serde_json::json!({ "quantity": 1, "price": 1250 })).unwrap().price;
        assert_eq!(price, crate::Money::from_fen(1250));
    }

    /// Review of session 24: a two-name choice ("`a` or `b`") came through as "a or b", English
    /// in the Chinese sentence; and a value sent that says ", expected" itself is not taken for
    /// serde's list.
    #[test]
    fn the_choices_are_names_whatever_serde_says_around_them() {
        let two = serde_json::from_value::<Party>(serde_json::json!("shop")).unwrap_err();
        let values = "buyer, merchant".to_owned();
        assert_eq!(Detail::json(&two, Some("party")), Detail::OneOf { field: "party".into(), values: values.clone() });
        let tricky = serde_json::from_value::<Party>(serde_json::json!("x, expected `evil`")).unwrap_err();
        assert_eq!(Detail::json(&tricky, Some("party")), Detail::OneOf { field: "party".into(), values });
    }
}
