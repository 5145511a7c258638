//! The consumer-law views: rights on an order or a case, and the complaint checker.

use crate::extract::{Body, Caller};
use crate::problem::Problem;
use crate::routes::path_id;
use axum::Json;
use axum::extract::{Path, State};
use redress_app::App;
use redress_app::rights::{Draft, RightsView};
use redress_law::complaint_check::CheckReport;

pub async fn order(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RightsView>, Problem> {
    let id = path_id(&id, caller.lang)?;
    Ok(Json(app.order_rights(&caller.principal, id).await.map_err(|e| Problem::from_app(e, caller.lang))?))
}

pub async fn case(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<RightsView>, Problem> {
    let id = path_id(&id, caller.lang)?;
    Ok(Json(app.case_rights(&caller.principal, id).await.map_err(|e| Problem::from_app(e, caller.lang))?))
}

/// `POST /api/v1/complaint-check`: findings on a draft before it is filed.
pub async fn complaint_check(
    State(app): State<App>,
    caller: Caller,
    Body(draft): Body<Draft>,
) -> Result<Json<CheckReport>, Problem> {
    Ok(Json(app.complaint_check(&caller.principal, &draft).await.map_err(|e| Problem::from_app(e, caller.lang))?))
}

#[derive(serde::Deserialize)]
pub struct Format {
    format: Option<String>,
}

/// `GET /api/v1/cases/{id}/complaint-12315[?format=html]`: the regulator complaint and the
/// filled-in complaint form, as JSON or as a printable page.
pub async fn regulator_complaint(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Format>,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let id = path_id(&id, caller.lang)?;
    let err = |e| Problem::from_app(e, caller.lang);
    let (complaint, form) = app.regulator_complaint(&caller.principal, id).await.map_err(err)?;
    Ok(match q.format.as_deref() {
        Some("html") => {
            axum::response::Html(redress_app::regulator::render_html(&complaint, &form).map_err(err)?).into_response()
        }
        None | Some("json") => Json(serde_json::json!({ "complaint": complaint, "form": form })).into_response(),
        Some(other) => {
            let detail = format!("format `{other}`: json or html");
            return Err(Problem::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                caller.lang,
                Some(detail),
            ));
        }
    })
}
