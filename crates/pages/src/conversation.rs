//! The conversation of an order (买家与商家的会话) on the pages: its buyer and its shop read it,
//! write a message and attach a file, before any case (seed 000: 第一步:与卖家沟通); the
//! platform reads it. Once a case is open on the order the page says so and leads to the case,
//! where the talk goes on. The case pages show the part written before the filing as the
//! negotiation record (`NegotiationView`, `negotiation.html`).

use crate::failure::{Failure, app_error_text};
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Posted, Shell, html, see};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_app::conversations::{MessageView, Negotiation};
use redress_app::evidence::Description;
use redress_app::ports::CaseFilter;
use redress_app::{App, AppError};
use redress_domain::OrderId;
use redress_domain::vocabulary::EvidenceKind;
use redress_text::Label;

/// Messages on one page (older ones are a link away).
const PAGE: i64 = 50;

/// A message as the page shows it.
pub struct Said {
    pub who: String,
    pub when: String,
    pub text: String,
    pub files: Vec<SaidFile>,
    /// Written by the reader's side.
    pub mine: bool,
}

pub struct SaidFile {
    pub kind: String,
    pub caption: String,
    pub name: String,
    pub download: String,
    pub preview: Option<String>,
}

fn said(order: OrderId, m: &MessageView, reader: redress_domain::Party, t: Tr) -> Said {
    let base = format!("/api/v1/orders/{order}/conversation/files");
    Said {
        who: crate::case::speaker(&m.by, t),
        when: t.time(m.at),
        text: m.text.clone(),
        files: m
            .files
            .iter()
            .map(|f| SaidFile {
                kind: t.label(f.file.kind),
                caption: f.file.caption.clone(),
                name: format!("{}.{}", f.file.evidence_id, redress_app::evidence::extension(&f.file.media_type)),
                download: format!("{base}/{}", f.file.evidence_id),
                preview: f.has_preview.then(|| format!("{base}/{}/preview", f.file.evidence_id)),
            })
            .collect(),
        mine: m.side == reader,
    }
}

/// A case's negotiation record on its pages (buyer, shop, agent workbench).
pub struct NegotiationView {
    pub messages: Vec<Said>,
    /// How many messages, and when the buyer first contacted the shop (or that they did not).
    pub summary: String,
    /// The whole conversation, when the record has more than is shown.
    pub more: Option<String>,
}

impl NegotiationView {
    pub fn of(record: &Negotiation, reader: redress_domain::Party, t: Tr) -> NegotiationView {
        let contacted = match record.buyer_contacted_at {
            Some(at) => t.with("negotiation-contacted", &[("at", t.time(at))]),
            None => t.get("negotiation-not-contacted"),
        };
        NegotiationView {
            messages: record.latest.iter().map(|m| said(record.order_id, m, reader, t)).collect(),
            summary: format!(
                "{} · {}",
                t.with("negotiation-count", &[("count", record.messages.to_string())]),
                contacted
            ),
            more: record.before.map(|_| format!("/orders/{}/conversation", record.order_id)),
        }
    }
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    t: Tr,
    s: Shell,
    order_id: String,
    number: String,
    messages: Vec<Said>,
    /// How far the other side has read (both sides, to the platform).
    read_by: Vec<String>,
    older: Option<String>,
    /// The reader may write now.
    writable: bool,
    /// The case open on the order, where the talk goes on.
    open_case: Option<String>,
    text: String,
    text_error: Option<String>,
    kinds: Vec<(String, String)>,
    upload_error: Option<String>,
}

/// What a refused message or upload puts back on the page.
#[derive(Default)]
struct Refused {
    text: String,
    text_error: Option<String>,
    upload_error: Option<String>,
}

fn order_id(raw: &str, t: Tr) -> Result<OrderId, Failure> {
    raw.parse().map_err(|_| Failure::NotFound(t))
}

fn back(order: OrderId) -> String {
    format!("/orders/{order}/conversation")
}

async fn render(
    app: &App,
    signed: &Signed,
    id: OrderId,
    before: Option<i64>,
    refused: Refused,
    status: StatusCode,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let err = |e| Failure::from_app(e, t);
    let order = app.order(&signed.principal, id).await.map_err(err)?;
    let page = app.conversation(&signed.principal, id, before, Some(PAGE)).await.map_err(err)?;
    let reader = signed.principal.actor().party();
    // Reading the newest page is reading the conversation (the platform only reads: no receipt).
    if before.is_none()
        && !signed.principal.is_platform()
        && let Some(last) = page.items.last()
    {
        app.mark_conversation_read(&signed.principal, id, last.seq).await.map_err(err)?;
    }
    let read_by = read_by(&page, reader, t);
    let filter = CaseFilter { order_id: Some(id), limit: 100, ..Default::default() };
    let cases = app.list_cases(&signed.principal, filter, Some(100)).await.map_err(err)?;
    let open_case = cases.iter().find(|c| c.is_open()).map(|c| format!("/cases/{}", c.id));
    let page = ConversationPage {
        t,
        s: Shell::of(signed),
        order_id: id.to_string(),
        number: order.number.clone(),
        messages: page.items.iter().map(|m| said(id, m, reader, t)).collect(),
        read_by,
        older: page.next_before.map(|b| format!("{}?before={b}", back(id))),
        writable: page.can_write && redress_domain::conversation::may_write(&signed.principal.actor(), &order).is_ok(),
        open_case,
        text: refused.text,
        text_error: refused.text_error,
        kinds: EvidenceKind::ALL.iter().map(|k| (k.name().to_owned(), t.label(*k))).collect(),
        upload_error: refused.upload_error,
    };
    Ok(html(status, &page))
}

/// The other side's receipts in words, the furthest per side: "read up to the message of
/// <time> (at <time>)"; the reader's own side is not told about itself.
fn read_by(page: &redress_app::conversations::ConversationPage, reader: redress_domain::Party, t: Tr) -> Vec<String> {
    let mut lines = Vec::new();
    for side in [redress_domain::Party::Buyer, redress_domain::Party::Merchant] {
        let furthest =
            page.receipts.iter().filter(|r| r.side == side && side != reader).max_by_key(|r| (r.up_to, r.read_at));
        let Some(receipt) = furthest else { continue };
        let side_name = t.get(&format!("party-{}", side.as_str()));
        lines.push(match page.items.iter().rev().find(|m| m.seq <= receipt.up_to) {
            Some(m) => t.with(
                "conversation-read-up-to",
                &[("side", side_name), ("said", t.time(m.at)), ("at", t.time(receipt.read_at))],
            ),
            None => t.with("conversation-read-at", &[("side", side_name), ("at", t.time(receipt.read_at))]),
        });
    }
    lines
}

#[derive(serde::Deserialize)]
pub struct Older {
    before: Option<i64>,
}

/// `GET /orders/{id}/conversation[?before=N]`
pub async fn page(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    axum::extract::Query(older): axum::extract::Query<Older>,
) -> Result<Response, Failure> {
    let id = order_id(&id, signed.tr)?;
    render(&app, &signed, id, older.before, Refused::default(), StatusCode::OK).await
}

/// `POST /orders/{id}/conversation` (csrf, text): on to the page when sent, or the page again
/// with the refusal beside the text.
pub async fn post(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let id = order_id(&id, t)?;
    let text = posted.get("text").unwrap_or("").to_owned();
    if redress_domain::free_text::is_blank(&text) {
        let refused = Refused { text, text_error: Some(t.get("form-error-required")), ..Refused::default() };
        return render(&app, &signed, id, None, refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match app.post_message(&signed.principal, id, &text, None).await {
        Ok(_) => Ok(see(&format!("{}#latest", back(id)))),
        Err(e @ (AppError::Rejected(_) | AppError::Invalid(_))) => {
            let refused = Refused { text_error: Some(app_error_text(&e, t)), text, ..Refused::default() };
            render(&app, &signed, id, None, refused, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(Failure::from_app(e, t).back_to(&back(id))),
    }
}

/// `POST /orders/{id}/conversation/files` (`multipart/form-data`: csrf, kind, caption, text, file).
pub async fn upload(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let id = order_id(&id, t)?;
    let mut multipart = multipart.map_err(|_| Failure::StaleForm(t))?;
    let room = app
        .conversation_file_room(&signed.principal, id)
        .await
        .map_err(|e| Failure::from_app(e, t).back_to(&back(id)))?;
    let form = crate::upload::read(&app, &mut multipart, room, &signed.csrf, t).await?;
    let refuse = |message: String| Refused { upload_error: Some(message), ..Refused::default() };
    let (received, kind, fields) = match form.evidence(t) {
        Ok(brought) => brought,
        Err(message) => {
            return render(&app, &signed, id, None, refuse(message), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let description =
        Description { kind, caption: fields.get("caption").unwrap_or("").to_owned(), confidential: false };
    let text = fields.get("text").unwrap_or("").to_owned();
    match app.post_file(&signed.principal, id, received, description, &text, None).await {
        Ok(_) => Ok(see(&format!("{}#latest", back(id)))),
        Err(e @ (AppError::Evidence(_) | AppError::Invalid(_) | AppError::Rejected(_))) => {
            render(&app, &signed, id, None, refuse(app_error_text(&e, t)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(Failure::from_app(e, t).back_to(&back(id))),
    }
}
