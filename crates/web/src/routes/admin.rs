//! Admin: merchants and platform policy.

use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::App;
use redress_domain::order::Merchant;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct NewMerchant {
    name: String,
    credit_code: String,
    address: String,
    phone: Option<String>,
}

pub async fn create_merchant(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewMerchant>,
) -> Result<(StatusCode, Json<Merchant>), Problem> {
    let merchant = Merchant {
        id: redress_domain::MerchantId(uuid::Uuid::now_v7()),
        name: body.name,
        credit_code: body.credit_code,
        address: body.address,
        phone: body.phone,
    };
    let merchant =
        app.create_merchant(&caller.principal, merchant).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok((StatusCode::CREATED, Json(merchant)))
}

#[derive(Deserialize)]
pub struct NewPolicy {
    policy: redress_domain::Policy,
    effective_at: jiff::Timestamp,
}

/// `GET /api/v1/policies`: every version, so anyone can see what changes and when.
pub async fn policies(State(app): State<App>, caller: Caller) -> Result<Json<serde_json::Value>, Problem> {
    let versions = app.policy_versions().await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok(Json(json!({ "items": versions })))
}

pub async fn publish_policy(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewPolicy>,
) -> Result<(StatusCode, Json<redress_app::ports::PolicyVersion>), Problem> {
    let version = app
        .publish_policy(&caller.principal, body.policy, body.effective_at)
        .await
        .map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// `GET /api/v1/calendar`: the business calendar in force, with `provisional_years`: the years
/// without an imported notice that operators must act on now (and what to import).
pub async fn calendar(State(app): State<App>, _caller: Caller) -> Json<redress_law::calendar::CalendarFile> {
    Json(app.calendar_file())
}

/// `PUT /api/v1/calendar` (admins): adds or replaces the years of the body.
pub async fn import_calendar(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, Problem> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", caller.lang, None))?;
    let imported =
        app.import_calendar(Some(&caller.principal), text).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok(Json(json!({
        "imported_years": imported.years,
        "recounted_deadlines": imported.recounted_deadlines,
        "recounted_regulator_clocks": imported.recounted_regulator_clocks,
    })))
}

/// `POST /api/v1/users` (admins): creates an account.
pub async fn create_user(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<redress_app::users::NewUser>,
) -> Result<(StatusCode, Json<redress_app::ports::User>), Problem> {
    let user = app.create_user(Some(&caller.principal), body).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `?before=<id>&limit=n`: a page of an admin list, newest first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    before: Option<String>,
    limit: Option<i64>,
}

impl Page {
    fn cursor<T: std::str::FromStr>(&self, lang: redress_text::Lang) -> Result<Option<T>, Problem> {
        let invalid =
            || Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", lang, Some("before: not an id".into()));
        self.before.as_deref().map(|b| b.parse().map_err(|_| invalid())).transpose()
    }
}

/// `GET /api/v1/users` (admins): every account, newest first.
pub async fn users(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<serde_json::Value>, Problem> {
    let before = page.cursor(caller.lang)?;
    let users =
        app.list_users(&caller.principal, before, page.limit).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    let next = crate::routes::next_before(&users, page.limit, |u| u.id);
    Ok(Json(json!({ "items": users, "next_before": next })))
}

/// `GET /api/v1/merchants` (admins): every shop, newest first.
pub async fn merchants(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<serde_json::Value>, Problem> {
    let before = page.cursor(caller.lang)?;
    let shops = app
        .list_merchants(&caller.principal, before, page.limit)
        .await
        .map_err(|e| Problem::from_app(e, caller.lang))?;
    let next = crate::routes::next_before(&shops, page.limit, |m| m.id);
    Ok(Json(json!({ "items": shops, "next_before": next })))
}
