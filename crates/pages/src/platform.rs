//! The platform's pages for agents (and admins): the queue of platform cases in tabs
//! (unassigned, mine, appeals), soonest working-day deadline first, and the workbench of one
//! case: both sides' statements and evidence side by side, the facts the system knows, the rights
//! on the order, and exactly the actions the case allows the agent now (`forms::spec` over the
//! case's `CommandKind`s): take, request evidence, mediate, decide (a rationale and a cited rule
//! required), review an appeal (the domain gives an appeal to an agent other than the one who
//! decided: the page says so).

use crate::case::{
    Cursor, DeadlineView, EvidenceItem, Line, RightsLines, Row, action_forms, evidence_item, page_of_cases,
    rights_lines, row, said, speaker,
};
use crate::failure::Failure;
use crate::forms::ActionForm;
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Shell, html, ok};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_app::App;
use redress_app::cases::CaseDetail;
use redress_app::ports::CaseFilter;
use redress_app::views::{EntryBody, TimelineEntryView};
use redress_domain::event::EventBody;
use redress_domain::{CaseId, Party};

/// The queue's tabs, in order.
const TABS: [&str; 3] = ["unassigned", "mine", "appeals"];

#[derive(Template)]
#[template(path = "platform.html")]
struct QueuePage {
    t: Tr,
    s: Shell,
    /// (id, href, text, count, current)
    tabs: Vec<(String, String, String, String, bool)>,
    rows: Vec<Row>,
    next: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
    before: Option<String>,
}

/// The filter of a tab: the platform's cases, soonest deadline first.
fn filter_of(tab: &str, signed: &Signed) -> CaseFilter {
    let by_due = CaseFilter { sort_by_due: true, ..Default::default() };
    match tab {
        "mine" => CaseFilter { assigned_agent: Some(signed.user.id), ..by_due },
        "appeals" => CaseFilter { under_appeal: true, ..by_due },
        _ => CaseFilter { stage: Some("platform".into()), ..by_due },
    }
}

/// `GET /platform?tab=unassigned|mine|appeals[&before=]`: a page of the chosen tab; each tab
/// counts its first page ("50+" when more follow).
pub async fn queue(State(app): State<App>, signed: Signed, Query(query): Query<TabQuery>) -> Result<Response, Failure> {
    let t = signed.tr;
    if !signed.principal.is_platform() {
        return Err(Failure::Forbidden(t));
    }
    let chosen = query.tab.as_deref().filter(|tab| TABS.contains(tab)).unwrap_or("unassigned");
    let (reader, now) = (signed.principal.actor().party(), app.clock.now());
    let mut tabs = Vec::new();
    let (mut rows, mut next) = (Vec::new(), None);
    for tab in TABS {
        let link = format!("/platform?tab={tab}");
        let cursor = Cursor { before: query.before.clone().filter(|_| tab == chosen) };
        let (cases, more) = page_of_cases(&app, &signed, filter_of(tab, &signed), &cursor, &link).await?;
        // Unassigned: platform cases no agent has taken yet; mine: the open ones taken by me.
        let cases: Vec<_> = cases
            .into_iter()
            .filter(|c| match tab {
                "unassigned" => c.assigned_agent.is_none(),
                "mine" => c.outcome.is_none() || c.pending_appeal().is_some(),
                _ => true,
            })
            .collect();
        let count = format!("{}{}", cases.len(), if more.is_some() { "+" } else { "" });
        if tab == chosen {
            rows = cases
                .iter()
                .map(|c| Row { link: format!("/platform/cases/{}", c.id), ..row(c, reader, now, t) })
                .collect();
            next = more;
        }
        tabs.push((format!("tab-{tab}"), link, t.get(&format!("platform-tab-{tab}")), count, tab == chosen));
    }
    Ok(ok(&QueuePage { t, s: Shell::of(&signed), tabs, rows, next }))
}

/// What one side has said and shown.
struct Side {
    heading: String,
    statements: Vec<Line>,
    evidence: Vec<EvidenceItem>,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    t: Tr,
    s: Shell,
    id: String,
    /// The version the agent sees (the case page's `version`).
    version: i64,
    title: String,
    state: String,
    stage: String,
    outcome: Option<String>,
    deadline: Option<DeadlineView>,
    sides: Vec<Side>,
    /// (label, value)
    facts: Vec<(String, String)>,
    /// Who may review the appeal pending, when one is.
    appeal: Option<String>,
    rights: Option<RightsLines>,
    forms: Vec<ActionForm>,
    back: Option<String>,
    /// The order's conversation before the filing, which the sides' statements follow.
    negotiation: crate::conversation::NegotiationView,
}

/// Whether `party` made the entry (the timeline names its speaker by role).
fn spoke(entry: &TimelineEntryView, party: Party) -> bool {
    entry.by.role == party.as_str()
}

/// The facts the system knows, in words: when the case came, how long the merchant took to
/// answer, whether the buyer dealt with the merchant before asking the platform, the ruling.
fn facts(detail: &CaseDetail, t: Tr) -> Vec<(String, String)> {
    let case = &detail.case;
    let events = &detail.timeline;
    let by = |party: Party| move |e: &&TimelineEntryView| spoke(e, party);
    let mut facts = vec![(t.get("facts-filed"), t.time(case.filed_at))];
    let first_answer = events.iter().find(by(Party::Merchant));
    facts.push((
        t.get("facts-merchant-answer"),
        match first_answer {
            Some(e) => t.with("facts-merchant-answered-after", &[("span", t.span(e.at.duration_since(case.filed_at)))]),
            None => t.get("facts-merchant-silent"),
        },
    ));
    let before_escalation = |e: &&TimelineEntryView| case.escalated_at.is_none_or(|at| e.at < at);
    let merchant_turns = events.iter().filter(by(Party::Merchant)).filter(before_escalation).count();
    let buyer_turns = events.iter().filter(by(Party::Buyer)).filter(before_escalation).count().saturating_sub(1);
    let offers = events.iter().filter(|e| matches!(e.body, EntryBody::Event(EventBody::OfferMade { .. }))).count();
    // Two places where they may have talked: the order's conversation before the filing (the
    // negotiation record) and the case itself before the platform was asked; both are named.
    let before_filing = detail.negotiation.messages;
    let negotiated = if merchant_turns > 0 || before_filing > 0 { "facts-yes" } else { "facts-no" };
    facts.push((
        t.get("facts-negotiated"),
        t.with(
            "facts-negotiated-turns",
            &[
                ("answer", t.get(negotiated)),
                ("buyer", buyer_turns.to_string()),
                ("merchant", merchant_turns.to_string()),
                ("offers", offers.to_string()),
                ("record", before_filing.to_string()),
            ],
        ),
    ));
    if let Some(rejection) = &case.rejection {
        facts.push((t.get("facts-rejected"), format!("{} · {}", t.label(rejection.reason), rejection.text)));
    }
    facts.push((
        t.get("facts-escalated"),
        case.escalated_at.map_or_else(|| t.get("facts-not-escalated"), |at| t.time(at)),
    ));
    facts.push((t.get("facts-repeat"), t.get(if case.is_repeat { "facts-yes" } else { "facts-no" })));
    facts.push((t.get("facts-policy"), case.policy_version.to_string()));
    if let Some(d) = &case.decision {
        facts.push((t.get("facts-decision"), format!("{} ({})", d.rationale, d.cited_rule)));
    }
    facts
}

async fn render(
    app: &App,
    signed: &Signed,
    id: CaseId,
    refused: Option<ActionForm>,
    status: StatusCode,
) -> Result<Response, Failure> {
    let t = signed.tr;
    if !signed.principal.is_platform() {
        return Err(Failure::Forbidden(t));
    }
    let err = |e| Failure::from_app(e, t);
    let detail = app.case_detail(&signed.principal, id).await.map_err(err)?;
    let evidence = app.list_evidence(&signed.principal, id).await.map_err(err)?;
    let rights = app.case_rights(&signed.principal, id).await.ok().map(|r| rights_lines(&r, Party::Platform, t));
    let case = &detail.case;
    let side =
        |party: Party, heading: &str, opening: Option<(String, String)>| {
            let mut statements: Vec<Line> =
                opening.into_iter().map(|(when, text)| Line { when, who: String::new(), text }).collect();
            statements.extend(
                detail.timeline.iter().filter(|e| spoke(e, party)).filter_map(|e| {
                    said(&e.body).map(|text| Line { when: t.time(e.at), who: speaker(&e.by, t), text })
                }),
            );
            Side {
                heading: t.get(heading),
                statements,
                evidence: evidence
                    .iter()
                    .filter(|e| e.uploader_party() == party)
                    .map(|e| evidence_item(id, e, t))
                    .collect(),
            }
        };
    let rejection = case.rejection.as_ref().map(|r| (String::new(), format!("{} · {}", t.label(r.reason), r.text)));
    let sides = vec![
        side(Party::Buyer, "workbench-buyer-side", Some((t.time(case.filed_at), case.description.clone()))),
        side(Party::Merchant, "workbench-merchant-side", rejection),
    ];
    // The domain refuses a review by the agent who made the ruling: say so before they try.
    let appeal = case.appeals.iter().any(|a| !a.reviewed).then(|| {
        let own = case.decision.as_ref().is_some_and(|d| d.agent == signed.user.id);
        t.get(if own { "workbench-appeal-own" } else { "workbench-appeal-other" })
    });
    let page = WorkbenchPage {
        t,
        s: Shell::of(signed),
        id: id.to_string(),
        version: detail.version,
        title: t.with("case-title", &[("kind", t.label(case.kind))]),
        state: t.label(case.state),
        stage: t.label(case.stage),
        outcome: case.outcome.map(|o| t.label(o)),
        deadline: DeadlineView::of(case, Party::Platform, app.clock.now(), t),
        facts: facts(&detail, t),
        sides,
        appeal,
        rights,
        forms: action_forms(&detail, refused, t),
        back: Some(format!("/platform/cases/{id}")),
        negotiation: crate::conversation::NegotiationView::of(&detail.negotiation, Party::Platform, t),
    };
    Ok(html(status, &page))
}

/// `GET /platform/cases/{id}`: the agent's workbench of a case.
pub async fn workbench(State(app): State<App>, signed: Signed, Path(id): Path<String>) -> Result<Response, Failure> {
    let id = id.parse().map_err(|_| Failure::NotFound(signed.tr))?;
    render(&app, &signed, id, None, StatusCode::OK).await
}

/// The workbench again (422) with the refused form, its errors beside its fields.
pub async fn refused(app: &App, signed: &Signed, id: CaseId, form: ActionForm) -> Result<Response, Failure> {
    render(app, signed, id, Some(form), StatusCode::UNPROCESSABLE_ENTITY).await
}
