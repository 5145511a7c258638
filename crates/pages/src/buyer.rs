//! The buyer's pages: my orders, and "申请售后" on one of them: the items, kind, reason, amount,
//! description and a photo, the complaint checker's reading of the draft (live with htmx, on the
//! "check" button without it), and the rights on the order beside the form.

use crate::case::{RightsLines, rights_lines};
use crate::failure::{Failure, app_error_text};
use crate::forms::parse_yuan;
use crate::i18n::Tr;
use crate::session::{FormSender, Signed};
use crate::shell::{Posted, Shell, html, ok, see};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_app::evidence::Description;
use redress_app::rights::Draft;
use redress_app::{App, AppError, Role};
use redress_domain::case::ItemRef;
use redress_domain::command::FileCase;
use redress_domain::order::Order;
use redress_domain::vocabulary::{EvidenceKind, Reason, RequestKind};
use redress_domain::{Money, OrderId};
use redress_law::complaint_check::{Finding, Severity};
use redress_text::Label;

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    t: Tr,
    s: Shell,
    orders: Vec<OrderLine>,
}

/// An order in the list: what it is, its open cases, and "申请售后" while an item is free of one.
pub struct OrderLine {
    pub number: String,
    pub items: String,
    pub paid: String,
    pub signed: String,
    /// (link, state) of each open case on the order.
    pub open_cases: Vec<(String, String)>,
    /// The filing form, unless every item already has an open case (filing would be refused).
    pub file: Option<String>,
    /// The order's conversation with the shop.
    pub conversation: String,
}

/// `GET /orders`: the buyer's orders, each with "申请售后" or the way to its open case.
pub async fn orders(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = signed.tr;
    // A buyer's orders, with a buyer's buttons (file a case, talk to the seller): a shop's staff
    // reached it by its address and saw those (the second trial).
    if signed.user.role != Role::Buyer {
        return Err(Failure::Forbidden(t));
    }
    let err = |e| Failure::from_app(e, t);
    let list = app.list_orders(&signed.principal, None, Some(100)).await.map_err(err)?;
    let mut orders = Vec::with_capacity(list.len());
    for o in &list {
        let filter = redress_app::ports::CaseFilter { order_id: Some(o.id), ..Default::default() };
        let cases = app.list_cases(&signed.principal, filter, Some(100)).await.map_err(err)?;
        let open: Vec<_> = cases.iter().filter(|c| c.is_open()).collect();
        let free = o.items.iter().any(|i| !open.iter().any(|c| c.items.iter().any(|r| r.sku == i.sku)));
        let items: Vec<String> = o.items.iter().map(|i| format!("{} × {}", i.title, i.quantity)).collect();
        orders.push(OrderLine {
            number: o.number.clone(),
            items: items.join(", "),
            paid: o.amount_paid.to_string(),
            signed: o.signed_at.map_or_else(|| t.get("orders-not-signed"), |at| t.time(at)),
            open_cases: open.iter().map(|c| (format!("/cases/{}", c.id), t.label(c.state))).collect(),
            file: free.then(|| format!("/orders/{}/file", o.id)),
            conversation: format!("/orders/{}/conversation", o.id),
        });
    }
    Ok(ok(&OrdersPage { t, s: Shell::of(&signed), orders }))
}

/// One line of the order in the form: chosen or not, how many.
pub struct ItemChoice {
    pub sku: String,
    pub title: String,
    pub max: u32,
    pub price: String,
    pub chosen: bool,
    pub quantity: u32,
}

/// The filing form as entered, with its errors beside the fields.
#[derive(Default)]
pub struct Filing {
    pub items: Vec<ItemChoice>,
    pub kind: String,
    pub reason: String,
    pub amount: String,
    pub description: String,
    pub evidence_kind: String,
    /// (field, error)
    pub errors: Vec<(&'static str, String)>,
}

impl Filing {
    fn blank(order: &Order) -> Filing {
        Filing {
            items: order
                .items
                .iter()
                .map(|i| ItemChoice {
                    sku: i.sku.clone(),
                    title: i.title.clone(),
                    max: i.quantity,
                    price: i.unit_price.to_string(),
                    chosen: order.items.len() == 1,
                    quantity: i.quantity,
                })
                .collect(),
            evidence_kind: EvidenceKind::Photo.name().to_owned(),
            ..Filing::default()
        }
    }

    /// The form filled from what was posted; each field checked on its own.
    fn from_posted(order: &Order, posted: &Posted, t: Tr) -> Filing {
        let mut filing = Filing::blank(order);
        let chosen: Vec<&str> = posted.all("item").collect();
        for item in &mut filing.items {
            item.chosen = chosen.contains(&item.sku.as_str());
            let posted_quantity = posted.get(&format!("quantity-{}", item.sku)).map(str::trim);
            let quantity = posted_quantity.and_then(|q| q.parse::<u32>().ok()).filter(|q| (1..=item.max).contains(q));
            item.quantity = quantity.unwrap_or(item.max);
            // A quantity the order does not have is said, not quietly changed (the trial's 3 of 1
            // was filed as 1).
            if item.chosen && posted_quantity.is_some() && quantity.is_none() {
                let max = item.max.to_string();
                filing
                    .errors
                    .push(("items", t.with("filing-error-quantity", &[("max", max), ("title", item.title.clone())])));
            }
        }
        let text = |name: &str| posted.get(name).unwrap_or("").to_owned();
        (filing.kind, filing.reason, filing.amount) = (text("kind"), text("reason"), text("amount"));
        filing.description = text("description");
        filing.evidence_kind = text("evidence_kind");
        if !filing.items.iter().any(|i| i.chosen) {
            filing.errors.push(("items", t.get("filing-error-items")));
        }
        if filing.kind.parse::<RequestKind>().is_err() {
            filing.errors.push(("kind", t.get("form-error-choice")));
        }
        if filing.reason.parse::<Reason>().is_err() {
            filing.errors.push(("reason", t.get("form-error-choice")));
        }
        if !filing.amount.trim().is_empty() && parse_yuan(&filing.amount).is_none() {
            filing.errors.push(("amount", t.get("form-error-yuan")));
        }
        filing
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, e)| e.as_str())
    }

    fn items(&self) -> Vec<ItemRef> {
        self.items.iter().filter(|i| i.chosen).map(|i| ItemRef { sku: i.sku.clone(), quantity: i.quantity }).collect()
    }

    fn amount(&self) -> Money {
        Money::from_fen(parse_yuan(&self.amount).unwrap_or(0))
    }

    /// The file chosen to come with the filing, as evidence the checker counts.
    fn attached(&self, with_file: bool) -> Vec<EvidenceKind> {
        self.evidence_kind.parse::<EvidenceKind>().ok().filter(|_| with_file).into_iter().collect()
    }

    /// The draft the complaint checker reads (`None` until kind and reason are chosen).
    fn draft(&self, order: &Order) -> Option<Draft> {
        Some(Draft {
            order_id: Some(order.id),
            items: Some(self.items()).filter(|i| !i.is_empty()),
            kind: self.kind.parse().ok()?,
            reason: self.reason.parse().ok()?,
            demanded_amount: Some(self.amount()).filter(|a| a.is_positive()),
            description: self.description.clone(),
            evidence_kinds: Vec::new(),
            // With an order the conversation's record says whether the merchant was contacted.
            contacted_merchant: false,
        })
    }
}

/// A finding of the complaint checker as the page shows it.
pub struct FindingLine {
    pub class: &'static str,
    pub message: String,
    pub suggestion: String,
}

fn finding_lines(findings: &[Finding], t: Tr) -> Vec<FindingLine> {
    findings
        .iter()
        .map(|f| {
            let (message, suggestion) = redress_text::law::finding(t.lang, f);
            FindingLine {
                class: match f.severity {
                    Severity::Error => "error-finding",
                    Severity::Warning => "warning-finding",
                    Severity::Info => "info-finding",
                },
                message,
                suggestion,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    t: Tr,
    s: Shell,
    order_number: String,
    action: String,
    check: String,
    filing: Filing,
    kinds: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    evidence_kinds: Vec<(String, String)>,
    findings: Option<Vec<FindingLine>>,
    rights: RightsLines,
    /// A refusal of the rules not tied to one field.
    error: Option<String>,
    file_error: Option<String>,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsFragment {
    t: Tr,
    findings: Option<Vec<FindingLine>>,
}

fn options<L: Label>(values: &[L], t: Tr) -> Vec<(String, String)> {
    std::iter::once((String::new(), t.get("form-choose")))
        .chain(values.iter().map(|v| (v.name().to_owned(), t.label(*v))))
        .collect()
}

struct Shown {
    findings: Option<Vec<FindingLine>>,
    error: Option<String>,
    file_error: Option<String>,
}

async fn show(
    app: &App,
    signed: &Signed,
    order: &Order,
    filing: Filing,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let rights = app.order_rights(&signed.principal, order.id).await.map_err(|e| Failure::from_app(e, t))?;
    let page = FilePage {
        t,
        s: Shell::of(signed),
        order_number: order.number.clone(),
        action: format!("/orders/{}/file", order.id),
        check: format!("/orders/{}/check", order.id),
        filing,
        kinds: options(RequestKind::ALL, t),
        reasons: options(Reason::ALL, t),
        evidence_kinds: EvidenceKind::ALL.iter().map(|k| (k.name().to_owned(), t.label(*k))).collect(),
        findings: shown.findings,
        rights: rights_lines(&rights, redress_domain::Party::Buyer, t),
        error: shown.error,
        file_error: shown.file_error,
    };
    Ok(html(status, &page))
}

async fn order_of(app: &App, signed: &Signed, raw: &str) -> Result<Order, Failure> {
    let t = signed.tr;
    let id: OrderId = raw.parse().map_err(|_| Failure::NotFound(t))?;
    app.order(&signed.principal, id).await.map_err(|e| Failure::from_app(e, t))
}

/// `GET /orders/{id}/file`
pub async fn filing_form(State(app): State<App>, signed: Signed, Path(id): Path<String>) -> Result<Response, Failure> {
    App::may_file(&signed.principal).map_err(|e| Failure::from_app(e, signed.tr))?;
    let order = order_of(&app, &signed, &id).await?;
    let shown = Shown { findings: None, error: None, file_error: None };
    show(&app, &signed, &order, Filing::blank(&order), shown, StatusCode::OK).await
}

/// The checker's reading of the filing as entered, with the chosen file when there is one.
async fn findings_of(
    app: &App,
    signed: &Signed,
    order: &Order,
    filing: &Filing,
    with_file: bool,
) -> Result<Option<Vec<FindingLine>>, Failure> {
    let Some(draft) = filing.draft(order) else { return Ok(None) };
    let report = app
        .complaint_check_filing(&signed.principal, &draft, &filing.attached(with_file))
        .await
        .map_err(|e| Failure::from_app(e, signed.tr))?;
    Ok(Some(finding_lines(&report.findings, signed.tr)))
}

/// `POST /orders/{id}/check` (htmx, as the buyer types): the checker's findings on the draft.
pub async fn check(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, Failure> {
    let order = order_of(&app, &signed, &id).await?;
    let filing = Filing::from_posted(&order, &posted, signed.tr);
    // The live check sends no file: the page's script says whether one is chosen.
    let attached = posted.get("attached") == Some("1");
    let findings = findings_of(&app, &signed, &order, &filing, attached).await?;
    Ok(ok(&FindingsFragment { t: signed.tr, findings }))
}

/// `POST /orders/{id}/file` (`multipart/form-data`): `intent=check` shows the checker's reading;
/// otherwise the case is filed, the photo added to it, and on to the case page.
pub async fn file(
    State(app): State<App>,
    FormSender { signed, over_allowance }: FormSender,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    App::may_file(&signed.principal).map_err(|e| Failure::from_app(e, t))?;
    let order = order_of(&app, &signed, &id).await?;
    let mut multipart = multipart.map_err(|_| Failure::StaleForm(t))?;
    let form = crate::upload::read(&app, &mut multipart, app.evidence_limits.case_bytes, &signed.csrf, t).await?;
    let filing = Filing::from_posted(&order, &form.fields, t);
    let (received, file_error) = match form.file {
        Some(Ok(received)) => (Some(received), None),
        Some(Err(e)) => (None, Some(app_error_text(&e, t))),
        None => (None, None),
    };
    let findings = findings_of(&app, &signed, &order, &filing, received.is_some()).await?;
    let checking = form.fields.get("intent") == Some("check");
    if checking || !filing.errors.is_empty() || file_error.is_some() {
        let status = if checking { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return show(&app, &signed, &order, filing, Shown { findings, error: None, file_error }, status).await;
    }
    if let Some(wait) = over_allowance {
        // Nothing filed: the form again with what was entered, and when to send it.
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let error = Some(t.with("filing-too-many", &[("seconds", seconds.to_string())]));
        let shown = Shown { findings, error, file_error: None };
        let mut page = show(&app, &signed, &order, filing, shown, StatusCode::TOO_MANY_REQUESTS).await?;
        page.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        return Ok(page);
    }
    let request = FileCase {
        kind: filing.kind.parse().map_err(|_| Failure::StaleForm(t))?,
        reason: filing.reason.parse().map_err(|_| Failure::StaleForm(t))?,
        items: filing.items(),
        amount: filing.amount(),
        description: filing.description.clone(),
    };
    let case = match app.file_case(&signed.principal, request, order.id).await {
        Ok(case) => case,
        Err(AppError::Rejected(r)) => {
            let mut filing = filing;
            let message = crate::failure::rejection_text(&r, t);
            let shown = match crate::forms::field_of(r.code).first() {
                Some(&field) if field == "amount" || field == "items" => {
                    filing.errors.push((field, message));
                    Shown { findings, error: None, file_error: None }
                }
                _ => Shown { findings, error: Some(message), file_error: None },
            };
            return show(&app, &signed, &order, filing, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(Failure::from_app(e, t)),
    };
    let to = format!("/cases/{}", case.id);
    if let Some(received) = received {
        let description = Description {
            kind: filing.evidence_kind.parse().unwrap_or(EvidenceKind::Photo),
            caption: String::new(),
            confidential: false,
        };
        let nothing = |_: &redress_app::evidence::EvidenceRecord| Ok(String::new());
        if let Err(e) = app.add_evidence(&signed.principal, case.id, received, description, None, &nothing).await {
            // The case is filed; the page says the photo was not added and offers the upload.
            let upload_error = Some(app_error_text(&e, t));
            return crate::case::refused(&app, &signed, case.id, crate::case::Refused { form: None, upload_error })
                .await;
        }
    }
    Ok(see(&to))
}
