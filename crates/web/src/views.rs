//! The typed bodies of the HTTP answers that are shaped here (lists, sessions, tokens, reports):
//! what the OpenAPI document describes, so no handler answers untyped JSON. They live in the web
//! crate because these envelopes (pages, cursors, sessions) are the HTTP API's, not a use case's.

use jiff::Timestamp;
use redress_app::Role;
use redress_domain::{MerchantId, TokenId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

/// A page of a list, newest first: `next_before` is the cursor of the next page (`?before=`),
/// null on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_before: Option<uuid::Uuid>,
}

/// A whole (bounded) list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A page of cases: newest first (`next_before`) or, with `sort=due`, soonest deadline first
/// (`next_after`); only the cursor of the chosen order is present.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<redress_app::views::CaseView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<Option<redress_domain::CaseId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<Option<redress_domain::CaseId>>,
}

/// A signed-in session: the bearer token (also set as the `redress_session` cookie) and its user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub token: String,
    pub user: UserView,
}

/// An account as the API shows it (to itself and to admins): never its password hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserView {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub merchant_id: Option<MerchantId>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Where notifications are emailed (shown to the account itself and to admins).
    pub email: Option<String>,
}

impl From<redress_app::ports::User> for UserView {
    fn from(u: redress_app::ports::User) -> UserView {
        UserView {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            role: u.role,
            merchant_id: u.merchant_id,
            phone: u.phone,
            address: u.address,
            email: u.email,
        }
    }
}

/// A shop and its legal identity: a regulator complaint names all of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Merchant)]
pub struct MerchantView {
    pub id: MerchantId,
    pub name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    pub address: String,
    pub phone: Option<String>,
}

impl From<redress_domain::order::Merchant> for MerchantView {
    fn from(m: redress_domain::order::Merchant) -> MerchantView {
        MerchantView { id: m.id, name: m.name, credit_code: m.credit_code, address: m.address, phone: m.phone }
    }
}

/// A version of the platform's policy: what it says and from when.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PolicyVersion)]
pub struct PolicyVersionView {
    pub version: i64,
    pub published_at: Timestamp,
    pub effective_at: Timestamp,
    pub policy: redress_domain::Policy,
}

impl From<redress_app::ports::PolicyVersion> for PolicyVersionView {
    fn from(v: redress_app::ports::PolicyVersion) -> PolicyVersionView {
        PolicyVersionView {
            version: v.version,
            published_at: v.published_at,
            effective_at: v.effective_at,
            policy: v.policy,
        }
    }
}

/// Who is asking: a signed-in user, or a shop's API token.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Me {
    User { user: UserView },
    ApiToken { token_id: TokenId, merchant_id: MerchantId, role: TokenRole },
}

/// The role an API token acts in.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    Merchant,
}

/// A shop's API token, never with its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: TokenId,
    pub merchant_id: MerchantId,
    pub name: String,
    pub created_at: Timestamp,
}

impl From<&redress_app::ports::ApiToken> for TokenView {
    fn from(t: &redress_app::ports::ApiToken) -> TokenView {
        TokenView { id: t.id, merchant_id: t.merchant_id, name: t.name.clone(), created_at: t.created_at }
    }
}

/// A token just issued: the only answer that carries its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub view: TokenView,
    /// The secret, shown once: send it as `Authorization: Bearer …`.
    pub token: String,
}

/// The business calendar in force, in the shape `PUT /calendar` takes, with the years deadlines
/// are counted over provisionally and what to import, in the reader's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// Documentation only: always Asia/Shanghai.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub years: Vec<redress_law::calendar::CalendarYear>,
    /// Output only (ignored on import): the years without an imported notice operators should
    /// act on now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provisional_years: Vec<ProvisionalYearView>,
}

/// A year without an imported State Council notice, and what to do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionalYearView {
    pub year: i16,
    pub message: String,
}

impl CalendarView {
    pub fn of(file: redress_law::calendar::CalendarFile, lang: redress_text::Lang) -> CalendarView {
        let provisional_years = file
            .provisional_years
            .iter()
            .map(|w| ProvisionalYearView { year: w.year, message: redress_text::law::provisional_year(lang, w.year) })
            .collect();
        CalendarView { time_zone: file.time_zone, note: file.note, years: file.years, provisional_years }
    }
}

/// What a calendar import changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarImport {
    pub imported_years: Vec<i16>,
    pub recounted_deadlines: usize,
    pub recounted_regulator_clocks: usize,
}

/// One order of a batch, by its index in the request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BatchResult {
    Created { index: usize, id: redress_domain::OrderId, number: String },
    AlreadyPresent { index: usize, id: redress_domain::OrderId, number: String },
    Refused { index: usize, field: Option<String>, problem: crate::ProblemDocument },
}

/// The answer of `POST /orders:batch`: counts, then one result per order, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchReport {
    pub created: usize,
    pub already_present: usize,
    pub refused: usize,
    pub results: Vec<BatchResult>,
}

/// The case's hash chain recomputed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ChainReport {
    /// Every event fits: how many, and the head hash a dossier's manifest is compared with.
    Intact { intact: bool, events: usize, head_hash: Option<String> },
    /// The first event that does not fit.
    Broken { intact: bool, problem: redress_domain::chain::ChainBreak, message: String },
}

/// A file on a case as its reader sees it: what the chain fixes about it (hash, size, type),
/// how it is described, which side added it and whether a preview exists. Who exactly added it
/// (an account or an API token) stays inside; the timeline names the speaker.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub evidence_id: redress_domain::EvidenceId,
    pub case_id: redress_domain::CaseId,
    /// The event that added it.
    pub seq: i64,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub kind: redress_domain::vocabulary::EvidenceKind,
    pub caption: String,
    pub size: u64,
    /// Decided from the bytes at upload (`image/jpeg`, `video/mp4`, `text/plain`, ...).
    pub media_type: String,
    /// Seen only by the platform and the uploader's own side.
    pub confidential: bool,
    pub uploader_party: redress_domain::Party,
    pub added_at: Timestamp,
    pub has_preview: bool,
}

impl From<&redress_app::evidence::EvidenceRecord> for EvidenceView {
    fn from(record: &redress_app::evidence::EvidenceRecord) -> EvidenceView {
        let file = &record.file;
        EvidenceView {
            evidence_id: file.evidence_id,
            case_id: record.case_id,
            seq: record.seq,
            sha256: file.sha256.clone(),
            kind: file.kind,
            caption: file.caption.clone(),
            size: file.size,
            media_type: file.media_type.clone(),
            confidential: file.confidential,
            uploader_party: record.uploader_party(),
            added_at: record.added_at,
            has_preview: record.has_preview(),
        }
    }
}

/// The 12315 complaint drawn from a case, and the regulator's form filled in from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegulatorComplaintView {
    pub complaint: redress_app::regulator::RegulatorComplaint,
    pub form: redress_app::regulator::ComplaintForm,
}

/// A notification as its reader sees it: stored as a kind plus arguments, told in the reader's
/// language when read.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: uuid::Uuid,
    pub case_id: Option<redress_domain::CaseId>,
    pub kind: String,
    #[schema(value_type = Object)]
    pub args: serde_json::Map<String, serde_json::Value>,
    /// What it says, in the reader's language.
    pub text: String,
    pub created_at: jiff::Timestamp,
    pub read_at: Option<jiff::Timestamp>,
}

impl NotificationView {
    pub fn of(n: &redress_app::escalations::Notification, lang: redress_text::Lang) -> NotificationView {
        NotificationView {
            id: n.id,
            case_id: n.case_id,
            kind: n.kind.clone(),
            args: n.args.clone(),
            text: n.text(lang),
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}
