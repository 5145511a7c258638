//! The consumer-law views: rights on an order or a case, and the complaint checker.

use crate::answer::Json;
use crate::extract::{AcceptLang, Body, Caller};
use crate::problem::Problem;
use crate::routes::path_id;
use axum::extract::{Path, State};
use redress_app::App;
use redress_app::rights::{CheckReportView, Draft, RightsView};

#[utoipa::path(get, operation_id = "rights_order", path = "/api/v1/orders/{id}/rights", tag = "rights", params(("id" = redress_domain::OrderId, Path, description = "The order")), responses((status = 200, description = "The buyer's rights on the order", body = RightsView), crate::openapi::Failures))]
pub async fn order(
    State(app): State<App>,
    caller: Caller,
    AcceptLang(lang): AcceptLang,
    Path(id): Path<String>,
) -> Result<Json<RightsView>, Problem> {
    let id = path_id(&id)?;
    Ok(Json(RightsView::of(&app.order_rights(&caller.principal, id).await?, lang)))
}

#[utoipa::path(get, operation_id = "rights_case", path = "/api/v1/cases/{id}/rights", tag = "rights", params(("id" = redress_domain::CaseId, Path, description = "The case")), responses((status = 200, description = "The buyer's rights in the case", body = RightsView), crate::openapi::Failures))]
pub async fn case(
    State(app): State<App>,
    caller: Caller,
    AcceptLang(lang): AcceptLang,
    Path(id): Path<String>,
) -> Result<Json<RightsView>, Problem> {
    let id = path_id(&id)?;
    Ok(Json(RightsView::of(&app.case_rights(&caller.principal, id).await?, lang)))
}

/// `POST /api/v1/complaint-check`: findings on a draft before it is filed.
#[utoipa::path(post, operation_id = "rights_complaint_check", path = "/api/v1/complaint-check", tag = "rights", request_body = Draft, responses((status = 200, description = "The complaint checker's findings", body = CheckReportView), crate::openapi::Failures))]
pub async fn complaint_check(
    State(app): State<App>,
    caller: Caller,
    AcceptLang(lang): AcceptLang,
    Body(draft): Body<Draft>,
) -> Result<Json<CheckReportView>, Problem> {
    Ok(Json(CheckReportView::of(&app.complaint_check(&caller.principal, &draft).await?, lang)))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Format {
    format: Option<String>,
}

/// `GET /api/v1/cases/{id}/complaint-12315[?format=html]`: the regulator complaint and the
/// filled-in complaint form, as JSON or as a printable page.
#[utoipa::path(get, operation_id = "rights_regulator_complaint", path = "/api/v1/cases/{id}/complaint-12315", tag = "rights", params(("id" = redress_domain::CaseId, Path, description = "The case"), Format), responses((status = 200, description = "The 12315 complaint and form (JSON), or a printable page (`format=html`)", content((crate::views::RegulatorComplaintView = "application/json"), (String = "text/html"))), crate::openapi::Failures))]
pub async fn regulator_complaint(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Format>,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let id = path_id(&id)?;
    let (complaint, form) = app.regulator_complaint(&caller.principal, id).await?;
    Ok(match q.format.as_deref() {
        Some("html") => axum::response::Html(redress_app::regulator::render_html(&complaint, &form)?).into_response(),
        None | Some("json") => Json(crate::views::RegulatorComplaintView { complaint, form }).into_response(),
        Some(_) => {
            let detail = redress_domain::Detail::OneOf { field: "format".into(), values: "json, html".into() };
            return Err(Problem::invalid(detail));
        }
    })
}
