//! `GET /search` (full text over the cases the caller may see), `GET /cases/{id}/similar` (the
//! agent's view of like cases) and `GET /merchants/{id}/repeat-complaints`.

use crate::answer::Json;
use crate::extract::{Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use axum::extract::{Path, State};
use redress_app::App;
use redress_app::search::{SearchPage, SearchRequest, SimilarCase};
use redress_domain::{CaseId, Detail, MerchantId};
use serde::{Deserialize, Serialize};

/// `GET /search` parameters. An unknown one is refused (422 naming it).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to find (Chinese or English), all of them; words in double quotes are a phrase.
    q: String,
    /// Only this shop's cases (a merchant sees only their own shop's anyway).
    shop: Option<String>,
    state: Option<String>,
    /// `negotiation`, `platform` or `closed`.
    stage: Option<String>,
    /// A reason (`counterfeit`, `quality_defect`, ...).
    reason: Option<String>,
    /// A request kind (`refund_only`, `return_refund`, ...).
    kind: Option<String>,
    /// Filed at or after this time (RFC 3339).
    filed_from: Option<String>,
    /// Filed before this time (RFC 3339).
    filed_before: Option<String>,
    /// `true`: open cases whose deadline has passed.
    overdue: Option<bool>,
    /// The page after this cursor (`next_after` of the previous page).
    after: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "search", path = "/api/v1/search", tag = "cases", params(SearchQuery), responses((status = 200, description = "The cases the caller may see that match, best first, with snippets", body = SearchPage), crate::openapi::Failures))]
pub async fn search(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchPage>, Problem> {
    let shop = q
        .shop
        .as_deref()
        .map(str::parse::<MerchantId>)
        .transpose()
        .map_err(|_| Problem::invalid(Detail::NotAnId { field: "shop".into() }))?;
    let request = SearchRequest {
        q: q.q,
        shop,
        state: q.state,
        stage: q.stage,
        reason: q.reason,
        kind: q.kind,
        filed_from: crate::extract::time_parameter("filed_from", q.filed_from)?,
        filed_before: crate::extract::time_parameter("filed_before", q.filed_before)?,
        overdue: q.overdue == Some(true),
        after: q.after,
        limit: q.limit,
    };
    Ok(Json(app.search(&caller.principal, request).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SimilarCases {
    items: Vec<SimilarCase>,
}

/// Open cases like this one: the same shop with an item in common, then close text. Agents and
/// admins only.
#[utoipa::path(get, operation_id = "cases_similar", extensions(("x-roles" = json!(["agent", "admin"]))), path = "/api/v1/cases/{id}/similar", tag = "cases", params(("id" = CaseId, Path, description = "The case")), responses((status = 200, description = "Similar open cases, the same item first", body = SimilarCases), crate::openapi::Failures))]
pub async fn similar(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SimilarCases>, Problem> {
    let id: CaseId = path_id(&id)?;
    let items = app.similar_cases(&caller.principal, id).await?;
    Ok(Json(SimilarCases { items }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// Cases filed at or after this time (RFC 3339).
    from: Option<String>,
    /// Cases filed before this time (RFC 3339).
    before: Option<String>,
}

/// A shop's repeat complaints: cases filed on an order that already had one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RepeatComplaints {
    cases: i64,
    repeats: i64,
    /// `repeats / cases`; absent when no case was filed.
    rate: Option<f64>,
}

#[utoipa::path(get, operation_id = "merchants_repeat_complaints", path = "/api/v1/merchants/{id}/repeat-complaints", tag = "admin", params(("id" = MerchantId, Path, description = "The shop"), PeriodQuery), responses((status = 200, description = "Cases filed and repeats among them", body = RepeatComplaints), crate::openapi::Failures))]
pub async fn repeat_complaints(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<RepeatComplaints>, Problem> {
    let shop: MerchantId = path_id(&id)?;
    let count = app
        .repeat_complaints(
            &caller.principal,
            shop,
            crate::extract::time_parameter("from", q.from)?,
            crate::extract::time_parameter("before", q.before)?,
        )
        .await?;
    let rate = (count.cases > 0).then(|| count.repeats as f64 / count.cases as f64);
    Ok(Json(RepeatComplaints { cases: count.cases, repeats: count.repeats, rate }))
}
