//! The case page, the same for every reader: the status in words, who must act and by when,
//! the request, the rights, the timeline, the messages, the evidence gallery, the downloads, and
//! exactly the actions the case allows its reader now, each as a form.

use crate::failure::{Failure, app_error_text, is_about_the_case};
use crate::forms::{self, ActionForm};
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Posted, Shell, html, ok, see};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_app::cases::CaseDetail;
use redress_app::evidence::Description;
use redress_app::views::CaseView;
use redress_app::{App, AppError};
use redress_domain::event::EventBody;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{Case, CaseId, CommandKind, Party};
use redress_text::Label;

/// Who must act and by when.
pub struct DeadlineView {
    pub due: String,
    /// RFC 3339, for the live countdown.
    pub due_rfc3339: String,
    pub countdown: String,
    pub waits_for: String,
    /// "Waiting for the merchant", in words.
    pub waiting: String,
    pub consequence: String,
    pub provisional: Option<String>,
    pub overdue: bool,
    pub due_soon: bool,
    /// The reader is among those it waits for.
    pub yours: bool,
}

impl DeadlineView {
    pub fn of(case: &CaseView, reader: Party, now: jiff::Timestamp, t: Tr) -> Option<DeadlineView> {
        let deadline = case.deadline.as_ref()?;
        let left = deadline.due.duration_since(now);
        let waits_for: Vec<String> =
            deadline.waits_for.iter().map(|p| redress_app::narrative::party(*p, t.lang)).collect();
        let on_timeout = serde_json::to_value(deadline.on_timeout).ok();
        let consequence = on_timeout
            .as_ref()
            .and_then(|v| v.as_str())
            .and_then(|s| redress_text::lookup(t.lang, &format!("consequence-{s}"), None))
            .map(|c| c.trim_start_matches([';', ';', ' ']).to_owned())
            .unwrap_or_default();
        Some(DeadlineView {
            due: t.time(deadline.due),
            due_rfc3339: deadline.due.to_string(),
            countdown: t.countdown(now, deadline.due),
            waiting: t.with("deadline-waits-for", &[("who", waits_for.join(" · "))]),
            waits_for: waits_for.join(" · "),
            consequence,
            provisional: deadline.provisional.then(|| {
                let year = deadline.provisional_year.map(|y| y.to_string()).unwrap_or_default();
                t.with("deadline-provisional", &[("year", year)])
            }),
            overdue: left.is_negative(),
            due_soon: !left.is_negative() && left < jiff::SignedDuration::from_hours(24),
            yours: deadline.waits_for.contains(&reader),
        })
    }
}

/// One line of the timeline or of the messages.
pub struct Line {
    pub when: String,
    pub who: String,
    pub text: String,
}

pub struct EvidenceItem {
    pub caption: String,
    pub kind: String,
    pub by: String,
    pub when: String,
    pub preview: Option<String>,
    pub download: String,
    pub name: String,
}

/// The rights on the order, in words: each window with its exact end, who pays the return
/// freight and the article; the statutory damages with theirs.
pub struct RightsLines {
    /// "Your rights" to the buyer; "the buyer's rights" to anyone else (they are never theirs).
    pub title: String,
    /// (item, lines)
    pub items: Vec<(String, Vec<String>)>,
    pub damages: Vec<String>,
}

pub fn rights_lines(rights: &redress_app::rights::Rights, reader: Party, t: Tr) -> RightsLines {
    let view = redress_app::rights::RightsView::of(rights, t.lang);
    let cite = |c: &redress_law::citation::Citation| redress_text::law::cited(t.lang, c).to_owned();
    let window = |key: &str, w: &redress_law::eligibility::Window| {
        let status = match w.status {
            redress_law::eligibility::WindowStatus::Open => "open",
            redress_law::eligibility::WindowStatus::Closed => "closed",
        };
        let freight = match w.freight_payer {
            redress_law::eligibility::FreightPayer::Buyer => "buyer",
            redress_law::eligibility::FreightPayer::Merchant => "merchant",
        };
        let articles: Vec<String> = w.citations.iter().map(cite).collect();
        t.with(
            key,
            &[
                ("status", t.get(&format!("rights-window-{status}"))),
                ("end", t.time(w.ends_at)),
                ("freight", t.get(&format!("rights-freight-{freight}"))),
                ("article", articles.join("; ")),
            ],
        )
    };
    let items = view
        .items
        .iter()
        .map(|item| {
            let r = &item.rights;
            let mut lines = Vec::new();
            match (&r.no_reason.window, &r.no_reason.refusal) {
                (_, Some(refusal)) => {
                    lines.push(t.with("rights-no-reason-refused", &[("why", refusal.message.clone())]))
                }
                (Some(w), None) => lines.push(window("rights-no-reason", w)),
                (None, None) => {}
            }
            if let Some(w) = &r.non_conforming {
                lines.push(window("rights-non-conforming", w));
            }
            if let Some(s) = &r.sanbao {
                lines.push(window("rights-sanbao-return", &s.return_exchange_or_repair));
                lines.push(window("rights-sanbao-exchange", &s.exchange_or_repair));
            }
            if lines.is_empty() {
                lines.push(t.get("rights-not-signed"));
            }
            (format!("{} ({})", item.title, item.sku), lines)
        })
        .collect();
    let damages = view
        .statutory_damages
        .iter()
        .map(|d| {
            t.with(
                if d.applicable { "rights-damages-applicable" } else { "rights-damages-if" },
                &[
                    ("when", d.applies_when.clone()),
                    ("amount", redress_domain::Money::from_fen(d.breakdown.total_fen).to_string()),
                    ("article", cite(&d.breakdown.citation)),
                ],
            )
        })
        .collect();
    let title = t.get(if reader == Party::Buyer { "rights-title" } else { "rights-title-buyers" });
    RightsLines { title, items, damages }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    t: Tr,
    s: Shell,
    id: String,
    /// The version the reader sees: its actions are taken on it or refused (`case_changed`).
    version: i64,
    title: String,
    state: String,
    stage: String,
    outcome: Option<String>,
    deadline: Option<DeadlineView>,
    /// A decided case the reader may still appeal: until when, in words.
    appeal_until: Option<String>,
    /// (label, value)
    request: Vec<(String, String)>,
    /// (party label, name, phone, address)
    parties: Vec<(String, String, String, String)>,
    rights: Option<RightsLines>,
    timeline: Vec<Line>,
    messages: Vec<Line>,
    /// The order's conversation before the filing.
    negotiation: crate::conversation::NegotiationView,
    evidence: Vec<EvidenceItem>,
    forms: Vec<ActionForm>,
    /// The case page itself: actions come back here.
    back: Option<String>,
    /// The evidence upload, when the case takes a file from the reader now.
    upload: Option<UploadForm>,
    dossier: String,
    /// The 12315 complaint, for a reader who may open it.
    complaint: Option<String>,
}

pub struct UploadForm {
    pub kinds: Vec<(String, String)>,
    pub error: Option<String>,
}

/// What a refused submission puts back on the page.
#[derive(Default)]
pub struct Refused {
    pub form: Option<ActionForm>,
    pub upload_error: Option<String>,
}

async fn render(
    app: &App,
    signed: &Signed,
    id: CaseId,
    refused: Refused,
    status: StatusCode,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let err = |e| Failure::from_app(e, t);
    let detail: CaseDetail = app.case_detail(&signed.principal, id).await.map_err(err)?;
    let evidence = app.list_evidence(&signed.principal, id).await.map_err(err)?;
    let reader = signed.principal.actor().party();
    let rights = app.case_rights(&signed.principal, id).await.ok().map(|r| rights_lines(&r, reader, t));
    let can_upload = app.evidence_room(&signed.principal, id).await.is_ok();
    let now = app.clock.now();
    let case = &detail.case;
    let forms = action_forms(&detail, refused.form, t);
    let speaker = |by: &redress_app::contacts::Speaker| speaker(by, t);
    let timeline = detail
        .timeline
        .iter()
        .map(|e| Line {
            when: t.time(e.at),
            who: speaker(&e.by),
            text: redress_app::narrative::describe_entry(e, t.lang),
        })
        .collect();
    let messages = detail
        .timeline
        .iter()
        .filter_map(|e| said(&e.body).map(|text| Line { when: t.time(e.at), who: speaker(&e.by), text }))
        .collect();
    let evidence = evidence.iter().map(|e| evidence_item(id, e, t)).collect();
    let items: Vec<String> = case.items.iter().map(|i| format!("{} × {}", i.sku, i.quantity)).collect();
    let request = vec![
        (t.get("case-kind"), t.label(case.kind)),
        (t.get("case-reason"), t.label(case.reason)),
        (t.get("case-amount"), case.amount.to_string()),
        (t.get("case-items"), items.join(", ")),
        (t.get("case-filed-at"), t.time(case.filed_at)),
        (t.get("case-description"), case.description.clone()),
    ];
    let contact = |label: &str, c: &redress_app::contacts::Contact| {
        (t.get(label), c.name.clone(), c.phone.clone().unwrap_or_default(), c.address.clone().unwrap_or_default())
    };
    let parties =
        vec![contact("case-buyer", &detail.parties.buyer), contact("case-merchant", &detail.parties.merchant)];
    let page = CasePage {
        t,
        s: Shell::of(signed),
        id: id.to_string(),
        version: detail.version,
        title: t.with("case-title", &[("kind", t.label(case.kind))]),
        state: t.label(case.state),
        stage: t.label(case.stage),
        outcome: case.outcome.map(|o| t.label(o)),
        deadline: DeadlineView::of(case, reader, now, t),
        appeal_until: detail.appeal_until.map(|at| t.with("deadline-appeal-until", &[("end", t.time(at))])),
        request,
        parties,
        rights,
        timeline,
        messages,
        negotiation: crate::conversation::NegotiationView::of(&detail.negotiation, reader, t),
        evidence,
        forms,
        back: None,
        upload: can_upload.then(|| UploadForm {
            kinds: EvidenceKind::ALL.iter().map(|k| (k.name().to_owned(), t.label(*k))).collect(),
            error: refused.upload_error,
        }),
        dossier: format!("/api/v1/cases/{id}/dossier"),
        complaint: App::may_read_regulator_complaint(&signed.principal)
            .is_ok()
            .then(|| format!("/api/v1/cases/{id}/complaint-12315?format=html")),
    };
    Ok(html(status, &page))
}

/// The forms of the actions the case allows its reader now; a refused one as it was refused.
pub fn action_forms(detail: &CaseDetail, mut refused: Option<ActionForm>, t: Tr) -> Vec<ActionForm> {
    detail
        .allowed_actions
        .iter()
        .filter_map(|name| name.parse::<CommandKind>().ok())
        .filter_map(|kind| match refused.take_if(|f| f.action == kind.name()) {
            Some(form) => Some(form),
            None => forms::spec(kind, t),
        })
        .collect()
}

/// Who acted, as the reader may know them: the role and, when known, the name.
pub fn speaker(by: &redress_app::contacts::Speaker, t: Tr) -> String {
    let role = t.get(&format!("actor-{}", by.role));
    match &by.name {
        Some(name) => format!("{role} {name}"),
        None => role,
    }
}

/// What a party said in an entry, if it said something (a message, an answer, an escalation).
pub fn said(body: &redress_app::views::EntryBody) -> Option<String> {
    let redress_app::views::EntryBody::Event(body) = body else { return None };
    match body {
        EventBody::MessagePosted { text, .. }
        | EventBody::QuestionAnswered { text }
        | EventBody::Escalated { text }
        | EventBody::EvidenceSubmitted { text, .. } => Some(text.clone()),
        EventBody::QuestionAsked { question } => Some(question.clone()),
        _ => None,
    }
}

/// A file of the evidence gallery.
pub fn evidence_item(id: CaseId, e: &redress_app::evidence::EvidenceRecord, t: Tr) -> EvidenceItem {
    EvidenceItem {
        caption: e.file.caption.clone(),
        kind: t.label(e.file.kind),
        by: redress_app::narrative::party(e.uploader_party(), t.lang),
        when: t.time(e.added_at),
        preview: e.has_preview().then(|| format!("/api/v1/cases/{id}/evidence/{}/preview", e.file.evidence_id)),
        download: format!("/api/v1/cases/{id}/evidence/{}", e.file.evidence_id),
        name: e.file_name(),
    }
}

fn case_id(raw: &str, t: Tr) -> Result<CaseId, Failure> {
    raw.parse().map_err(|_| Failure::NotFound(t))
}

/// `GET /cases/{id}`
pub async fn page(State(app): State<App>, signed: Signed, Path(id): Path<String>) -> Result<Response, Failure> {
    let id = case_id(&id, signed.tr)?;
    render(&app, &signed, id, Refused::default(), StatusCode::OK).await
}

/// `POST /cases/{id}/actions/{action}`: the action's form; on to the case page when done, or
/// the page again with the refusal beside the field it is about.
pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path((id, action)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let id = case_id(&id, t)?;
    // Done, back to the case page, or to the agent's workbench the form was sent from.
    let workbench = format!("/platform/cases/{id}");
    let back = if posted.get("back") == Some(workbench.as_str()) { workbench } else { format!("/cases/{id}") };
    let kind = CommandKind::public_named(&action).ok_or(Failure::NotFound(t))?;
    let mut form = forms::spec(kind, t).ok_or(Failure::NotFound(t))?;
    let Some(command) = forms::command(kind, &mut form, &posted, t) else {
        return refuse(&app, &signed, id, form, &back).await;
    };
    // The version the page showed: an action decided on it is not taken on a case that changed
    // meanwhile (a shop approving ¥10 would pay a ¥49 revision). Forms without it (older pages)
    // act on the case as it is.
    let read = posted.get(forms::VERSION).and_then(|v| v.parse::<i64>().ok());
    match app.act_as_read(&signed.principal, id, command, read).await {
        Ok(_) => Ok(see(&back)),
        Err(AppError::Rejected(r)) if !is_about_the_case(r.code) => {
            forms::place_error(&mut form, &r, crate::failure::rejection_text(&r, t));
            refuse(&app, &signed, id, form, &back).await
        }
        Err(e @ AppError::Invalid(_)) => {
            form.error = Some(app_error_text(&e, t));
            refuse(&app, &signed, id, form, &back).await
        }
        Err(e) => Err(Failure::from_app(e, t).back_to(&back)),
    }
}

async fn refuse(app: &App, signed: &Signed, id: CaseId, form: ActionForm, back: &str) -> Result<Response, Failure> {
    if back.starts_with("/platform/") {
        return crate::platform::refused(app, signed, id, form).await;
    }
    refused(app, signed, id, Refused { form: Some(form), upload_error: None }).await
}

/// The case page again (422) with what was refused beside its field: an action's form, or an
/// upload (also a filing's photo refused after the case was filed).
pub async fn refused(app: &App, signed: &Signed, id: CaseId, refused: Refused) -> Result<Response, Failure> {
    render(app, signed, id, refused, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /cases/{id}/evidence` (`multipart/form-data`: csrf, kind, caption, confidential, file).
pub async fn upload(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let id = case_id(&id, t)?;
    let mut multipart = multipart.map_err(|_| Failure::StaleForm(t))?;
    let back = format!("/cases/{id}");
    let room = app.evidence_room(&signed.principal, id).await.map_err(|e| Failure::from_app(e, t).back_to(&back))?;
    let form = crate::upload::read(&app, &mut multipart, room, &signed.csrf, t).await?;
    let upload_error = |message: String| Refused { form: None, upload_error: Some(message) };
    let (received, kind, fields) = match form.evidence(t) {
        Ok(brought) => brought,
        Err(message) => return refused(&app, &signed, id, upload_error(message)).await,
    };
    let description = Description {
        kind,
        caption: fields.get("caption").unwrap_or("").to_owned(),
        confidential: fields.get("confidential").is_some_and(|v| v == "on" || v == "true"),
    };
    let render_nothing = |_: &redress_app::evidence::EvidenceRecord| Ok(String::new());
    match app.add_evidence(&signed.principal, id, received, description, None, &render_nothing).await {
        Ok(_) => Ok(see(&format!("{back}#evidence"))),
        Err(e @ (AppError::Evidence(_) | AppError::Invalid(_))) => {
            refused(&app, &signed, id, upload_error(app_error_text(&e, t))).await
        }
        Err(e) => Err(Failure::from_app(e, t).back_to(&back)),
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    t: Tr,
    s: Shell,
    title: String,
    rows: Vec<Row>,
    /// The next page of the list, when there is one.
    next: Option<String>,
}

/// Rows on one page of a list; one more is read to know whether another page follows.
pub const PAGE: usize = 50;

/// A list page's cursor: the last row of the page before (`?before=`).
#[derive(serde::Deserialize, Default)]
pub struct Cursor {
    pub before: Option<String>,
}

impl Cursor {
    /// The cursor as the id it names; one that names nothing is a page that does not exist.
    pub fn id<I: std::str::FromStr>(&self, t: Tr) -> Result<Option<I>, Failure> {
        self.before.as_deref().map(|b| b.parse().map_err(|_| Failure::NotFound(t))).transpose()
    }
}

/// Keeps the first `PAGE` of `items` (read with `PAGE + 1`); the link to the next page, after
/// the last one kept, when more were read: `cursor_link` followed by that one's id.
pub fn paged<T>(items: &mut Vec<T>, cursor_link: &str, id: impl Fn(&T) -> String) -> Option<String> {
    if items.len() <= PAGE {
        return None;
    }
    items.truncate(PAGE);
    items.last().map(|last| format!("{cursor_link}{}", id(last)))
}

/// One page of the cases of `filter` after the cursor, and the link to the next page.
pub async fn page_of_cases(
    app: &App,
    signed: &Signed,
    mut filter: redress_app::ports::CaseFilter,
    cursor: &Cursor,
    link: &str,
) -> Result<(Vec<Case>, Option<String>), Failure> {
    let t = signed.tr;
    filter.before = cursor.id(t)?;
    let read = i64::try_from(PAGE + 1).unwrap_or(i64::MAX);
    let mut cases = app.list_cases(&signed.principal, filter, Some(read)).await.map_err(|e| Failure::from_app(e, t))?;
    let joiner = if link.contains('?') { '&' } else { '?' };
    let next = paged(&mut cases, &format!("{link}{joiner}before="), |c| c.id.to_string());
    Ok((cases, next))
}

/// A case in a list.
pub struct Row {
    pub link: String,
    /// The conversation of the case's order.
    pub conversation: String,
    pub title: String,
    pub state: String,
    pub amount: String,
    pub deadline: Option<DeadlineView>,
    pub filed: String,
}

pub fn row(case: &Case, reader: Party, now: jiff::Timestamp, t: Tr) -> Row {
    let case = &CaseView::from(case);
    Row {
        link: format!("/cases/{}", case.id),
        conversation: format!("/orders/{}/conversation", case.order_id),
        title: format!("{} · {}", t.label(case.kind), t.label(case.reason)),
        state: match case.outcome {
            Some(outcome) => format!("{} · {}", t.label(case.state), t.label(outcome)),
            None => t.label(case.state),
        },
        amount: case.amount.to_string(),
        deadline: DeadlineView::of(case, reader, now, t),
        filed: t.time(case.filed_at),
    }
}

/// `GET /cases[?before=]`: the cases the reader may see, newest first, a page at a time.
pub async fn list(
    State(app): State<App>,
    signed: Signed,
    axum::extract::Query(cursor): axum::extract::Query<Cursor>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let filter = redress_app::ports::CaseFilter::default();
    let (cases, next) = page_of_cases(&app, &signed, filter, &cursor, "/cases").await?;
    let (reader, now) = (signed.principal.actor().party(), app.clock.now());
    let rows = cases.iter().map(|c| row(c, reader, now, t)).collect();
    Ok(ok(&CasesPage { t, title: t.get("cases-title"), s: Shell::of(&signed), rows, next }))
}

/// A list of cases under another title (the merchant's queue), with its next page.
pub fn queue_page(signed: &Signed, title: String, rows: Vec<Row>, next: Option<String>) -> Response {
    ok(&CasesPage { t: signed.tr, s: Shell::of(signed), title, rows, next })
}
