use crate::answer::Json;
use crate::extract::{Body, Caller, Query};
use crate::idempotency::{self, Claimed};
use crate::problem::Problem;
use crate::routes::path_id;
use crate::views::{CasePage, ChainReport};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use redress_app::cases::CaseDetail;
use redress_app::ports::CaseFilter;
use redress_app::{App, AppError};
use redress_domain::command::FileCase;
use redress_domain::{CaseId, Command, CommandKind, Detail, OrderId};
use serde::Deserialize;

/// A filing: a field it does not have is refused (422 naming it), never ignored.
#[derive(Deserialize, utoipa::ToSchema)]
// With `flatten`, serde refuses what the flattened request leaves over.
#[serde(deny_unknown_fields)]
pub struct Filing {
    order_id: OrderId,
    #[serde(flatten)]
    request: FileCase,
    /// What the buyer has to show, for the complaint checker's reading of the filing.
    #[serde(default)]
    evidence_kinds: Vec<redress_domain::vocabulary::EvidenceKind>,
    #[serde(default)]
    contacted_merchant: bool,
}

/// A filed case with the complaint checker's findings on it, in the filer's language (the answer
/// is recorded with the filing: a replay of the same key answers it as first told).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = FiledCase)]
pub struct Filed {
    #[serde(flatten)]
    detail: CaseDetail,
    findings: Vec<redress_app::rights::FindingView>,
}

#[utoipa::path(post, operation_id = "cases_file", extensions(("x-roles" = json!(["buyer"]))), path = "/api/v1/cases", tag = "cases", params(crate::openapi::IdempotencyKey), request_body = Filing, responses((status = 201, description = "The case, with the complaint checker's findings", body = Filed), crate::openapi::Failures))]
pub async fn file(
    State(app): State<App>,
    caller: Caller,
    crate::extract::AcceptLang(lang): crate::extract::AcceptLang,
    Claimed(key): Claimed,
    Body(body): Body<Filing>,
) -> Result<Response, Problem> {
    App::may_file(&caller.principal)?;
    let draft = redress_app::rights::Draft {
        order_id: Some(body.order_id),
        items: Some(body.request.items.clone()),
        kind: body.request.kind,
        reason: body.request.reason,
        demanded_amount: Some(body.request.amount).filter(|a| a.is_positive()),
        description: body.request.description.clone(),
        evidence_kinds: body.evidence_kinds,
        contacted_merchant: body.contacted_merchant,
    };
    // The checker reads the draft, not the stored case: its findings are part of the answer
    // recorded with the filing.
    let report = app.complaint_check(&caller.principal, &draft).await?;
    let findings = redress_app::rights::CheckReportView::of(&report, lang).findings;
    let render = |detail: CaseDetail| -> Result<String, AppError> {
        Ok(serde_json::to_string(&Filed { detail, findings: findings.clone() }).map_err(anyhow::Error::from)?)
    };
    let answered =
        app.file_case_answered(&caller.principal, body.request, body.order_id, key.as_ref(), &render).await?;
    Ok(idempotency::respond(answered, key.as_ref()))
}

/// `field` may not be combined with `with`.
fn conflicts(field: &str, with: &str) -> Problem {
    Problem::invalid(Detail::Conflicts { field: field.into(), with: with.into() })
}

/// `GET /cases` parameters. An unknown one is refused (422 naming it), never silently ignored.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    state: Option<String>,
    /// A stage, or `appeal`: cases with an appeal not yet reviewed.
    stage: Option<String>,
    order_id: Option<String>,
    assigned_to_me: Option<bool>,
    /// `me`, or a party (`buyer`, `merchant`, `platform`): cases waiting for them now. For an
    /// agent, `me` is the cases waiting for the platform that are assigned to them.
    waiting_for: Option<String>,
    /// Cases whose deadline falls before this time (RFC 3339).
    due_before: Option<String>,
    /// `true`: cases whose deadline has passed.
    overdue: Option<bool>,
    /// `true`: cases on items that had a case before.
    repeat: Option<bool>,
    /// `due` (soonest deadline first, cases with a deadline; page on with `after`) or `newest`.
    sort: Option<String>,
    /// Newest first: the page after the case with this id.
    before: Option<String>,
    /// `sort=due`: the page after the case with this id.
    after: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "cases_list", path = "/api/v1/cases", tag = "cases", params(ListQuery), responses((status = 200, description = "Cases the caller may see", body = CasePage), crate::openapi::Failures))]
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<CasePage>, Problem> {
    let unknown =
        |field: &str, value: &str| Problem::invalid(Detail::Unknown { field: field.into(), value: value.into() });
    if let Some(state) = &q.state {
        state.parse::<redress_domain::CaseState>().map_err(|_| unknown("state", state))?;
    }
    let under_appeal = q.stage.as_deref() == Some("appeal");
    if let Some(stage) = q.stage.as_deref().filter(|_| !under_appeal) {
        stage.parse::<redress_domain::Stage>().map_err(|_| unknown("stage", stage))?;
    }
    let sort_by_due = match q.sort.as_deref() {
        None | Some("newest") => false,
        Some("due") => true,
        Some(other) => return Err(unknown("sort", other)),
    };
    let cursor = |name: &str, raw: &Option<String>| {
        let not_an_id = || Problem::invalid(Detail::NotAnId { field: name.into() });
        raw.as_deref().map(|c| c.parse::<CaseId>()).transpose().map_err(|_| not_an_id())
    };
    let before = match (sort_by_due, cursor("before", &q.before)?, cursor("after", &q.after)?) {
        (false, before, None) => before,
        (true, None, after) => after,
        (false, _, Some(_)) => return Err(conflicts("after", "sort=newest")),
        (true, Some(_), _) => return Err(conflicts("before", "sort=due")),
    };
    let waiting_for_me = q.waiting_for.as_deref() == Some("me");
    let waiting_for = match q.waiting_for.as_deref() {
        // `CaseFilter::waiting_for_me` below.
        None | Some("me") => None,
        Some(party) => Some(
            serde_json::from_value::<redress_domain::Party>(party.into())
                .ok()
                .filter(|p| *p != redress_domain::Party::System)
                .ok_or_else(|| {
                    Problem::invalid(Detail::OneOf {
                        field: "waiting_for".into(),
                        values: "me, buyer, merchant, platform".into(),
                    })
                })?,
        ),
    };
    let mut due_before = crate::extract::time_parameter("due_before", q.due_before)?;
    if q.overdue == Some(true) {
        let now = app.clock.now();
        due_before = Some(due_before.map_or(now, |t| t.min(now)));
    }
    let filter = CaseFilter {
        state: q.state,
        stage: q.stage.filter(|_| !under_appeal),
        order_id: q
            .order_id
            .as_deref()
            .map(|o| o.parse())
            .transpose()
            .map_err(|_| Problem::invalid(Detail::NotAnId { field: "order_id".into() }))?,
        assigned_agent: if q.assigned_to_me == Some(true) { caller.principal.user_id() } else { None },
        before,
        waiting_for,
        due_before,
        repeat: q.repeat == Some(true),
        under_appeal,
        sort_by_due,
        ..Default::default()
    };
    let filter = if waiting_for_me { filter.waiting_for_me(&caller.principal) } else { filter };
    let cases = app.list_cases(&caller.principal, filter, q.limit).await?;
    let next = crate::routes::next_before(&cases, q.limit, |c| c.id);
    let cases = cases.iter().map(redress_app::views::CaseView::from).collect();
    Ok(Json(if sort_by_due {
        CasePage { items: cases, next_before: None, next_after: Some(next) }
    } else {
        CasePage { items: cases, next_before: Some(next), next_after: None }
    }))
}

#[utoipa::path(get, operation_id = "cases_read", path = "/api/v1/cases/{id}", tag = "cases", params(("id" = CaseId, Path, description = "The case")), responses((status = 200, description = "The case as its reader sees it; `ETag` is its version, for an action's `If-Match`", body = CaseDetail, headers(("ETag" = String, description = "The case's version in quotes (\"7\")"))), crate::openapi::Failures))]
pub async fn read(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id: CaseId = path_id(&id)?;
    let detail = app.case_detail(&caller.principal, id).await?;
    let etag = crate::extract::IfMatch::etag(detail.version);
    Ok(axum::response::IntoResponse::into_response(([(axum::http::header::ETAG, etag)], Json(detail))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /cases/{id}/timeline?before=&limit=`: older timeline entries, a page at a time.
#[utoipa::path(get, operation_id = "cases_timeline", path = "/api/v1/cases/{id}/timeline", tag = "cases", params(("id" = CaseId, Path, description = "The case"), TimelineQuery), responses((status = 200, description = "Older timeline entries", body = redress_app::cases::TimelinePage), crate::openapi::Failures))]
pub async fn timeline(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<redress_app::cases::TimelinePage>, Problem> {
    let id: CaseId = path_id(&id)?;
    let page = app.case_timeline(&caller.principal, id, q.before, q.limit).await;
    Ok(Json(page?))
}

/// `POST /cases/{id}/actions/{action}`: the action name (kebab-case) and the JSON body make the
/// command. The answer is what changed: the case now and the events this action appended.
pub async fn act(
    State(app): State<App>,
    caller: Caller,
    Claimed(key): Claimed,
    crate::extract::IfMatch(read): crate::extract::IfMatch,
    Path((id, action)): Path<(String, String)>,
    Body(body): Body<serde_json::Value>,
) -> Result<Response, Problem> {
    let id: CaseId = path_id(&id)?;
    let Some(kind) = CommandKind::public_named(&action) else {
        return Err(Problem::new(StatusCode::NOT_FOUND, "unknown_action", Some(Detail::UnknownAction { action })));
    };
    let serde_json::Value::Object(fields) = body else {
        return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", Some(Detail::BodyNotObject)));
    };
    let command = Command::from_action(kind, fields.clone()).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_json",
            Some(Command::arguments_refused(kind, &fields, &e))
                .map(|d| if fields.is_empty() { d.in_empty_body() } else { d }),
        )
    })?;
    let answered = app.act_answered(&caller.principal, id, command, key.as_ref(), read).await?;
    Ok(idempotency::respond(answered, key.as_ref()))
}

/// Recomputes the case's hash chain: `intact`, or the first event that does not fit.
#[utoipa::path(get, operation_id = "cases_chain", path = "/api/v1/cases/{id}/chain", tag = "cases", params(("id" = CaseId, Path, description = "The case")), responses((status = 200, description = "The hash chain recomputed", body = ChainReport), crate::openapi::Failures))]
pub async fn chain(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ChainReport>, Problem> {
    let id: CaseId = path_id(&id)?;
    let detail = app.case_detail(&caller.principal, id).await?;
    // The head hash is what a dossier's manifest is compared with.
    let head_hash = detail.timeline.last().map(|e| e.hash.clone());
    Ok(Json(match app.verify_chain(id).await? {
        Ok(events) => ChainReport::Intact { intact: true, events, head_hash },
        Err(broken) => ChainReport::Broken { intact: false, message: broken.to_string(), problem: broken },
    }))
}
