//! Admin: merchants and platform policy.

use crate::answer::Json;
use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use crate::views::{CalendarImport, CalendarView, Items, MerchantView, Page as PageOf, PolicyVersionView, UserView};
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::App;
use redress_domain::Detail;
use redress_domain::order::Merchant;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMerchant {
    name: String,
    credit_code: String,
    address: String,
    phone: Option<String>,
}

#[utoipa::path(post, operation_id = "admin_create_merchant", extensions(("x-roles" = json!(["admin"]))), path = "/api/v1/merchants", tag = "admin", request_body = NewMerchant, responses((status = 201, description = "The shop", body = MerchantView), crate::openapi::Failures))]
pub async fn create_merchant(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewMerchant>,
) -> Result<(StatusCode, Json<MerchantView>), Problem> {
    let merchant = Merchant {
        id: redress_domain::MerchantId(uuid::Uuid::now_v7()),
        name: body.name,
        credit_code: body.credit_code,
        address: body.address,
        phone: body.phone,
    };
    let merchant = app.create_merchant(&caller.principal, merchant).await?;
    Ok((StatusCode::CREATED, Json(merchant.into())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    policy: redress_domain::Policy,
    effective_at: jiff::Timestamp,
}

/// `GET /api/v1/policies`: every version, so anyone can see what changes and when.
#[utoipa::path(get, operation_id = "admin_policies", path = "/api/v1/policies", tag = "admin", responses((status = 200, description = "Every policy version", body = Items<PolicyVersionView>), crate::openapi::Failures))]
pub async fn policies(State(app): State<App>, _caller: Caller) -> Result<Json<Items<PolicyVersionView>>, Problem> {
    let versions = app.policy_versions().await?;
    Ok(Json(Items { items: versions.into_iter().map(PolicyVersionView::from).collect() }))
}

#[utoipa::path(post, operation_id = "admin_publish_policy", extensions(("x-roles" = json!(["admin"]))), path = "/api/v1/policies", tag = "admin", request_body = NewPolicy, responses((status = 201, description = "The new version", body = PolicyVersionView), crate::openapi::Failures))]
pub async fn publish_policy(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewPolicy>,
) -> Result<(StatusCode, Json<PolicyVersionView>), Problem> {
    let version = app.publish_policy(&caller.principal, body.policy, body.effective_at).await?;
    Ok((StatusCode::CREATED, Json(version.into())))
}

/// `GET /api/v1/calendar`: the business calendar in force, with `provisional_years`: the years
/// without an imported notice that operators must act on now (and what to import).
#[utoipa::path(get, operation_id = "admin_calendar", path = "/api/v1/calendar", tag = "admin", responses((status = 200, description = "The business calendar in force", body = CalendarView), crate::openapi::Failures))]
pub async fn calendar(
    State(app): State<App>,
    _caller: Caller,
    crate::extract::AcceptLang(lang): crate::extract::AcceptLang,
) -> Json<CalendarView> {
    Json(CalendarView::of(app.calendar_file(), lang))
}

/// `PUT /api/v1/calendar` (admins): adds or replaces the years of the body.
#[utoipa::path(put, operation_id = "admin_import_calendar", extensions(("x-roles" = json!(["admin"]))), path = "/api/v1/calendar", tag = "admin", request_body(content = redress_law::calendar::CalendarFile, description = "Years of the calendar file (as served by GET) to add or replace"), responses((status = 200, description = "What the import changed", body = CalendarImport), crate::openapi::Failures))]
pub async fn import_calendar(
    State(app): State<App>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<CalendarImport>, Problem> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", Some(Detail::TextNotUtf8)))?;
    // Read as any other body first, so that what does not fit is named (a field it does not
    // have, a value of the wrong type); the import reads its rules after.
    crate::extract::read_json::<redress_law::calendar::CalendarFile>(text.as_bytes())?;
    let imported = app.import_calendar(Some(&caller.principal), text).await?;
    Ok(Json(CalendarImport {
        imported_years: imported.years,
        recounted_deadlines: imported.recounted_deadlines,
        recounted_regulator_clocks: imported.recounted_regulator_clocks,
    }))
}

/// `POST /api/v1/users` (admins): creates an account.
#[utoipa::path(post, operation_id = "admin_create_user", extensions(("x-roles" = json!(["admin"]))), path = "/api/v1/users", tag = "admin", request_body = redress_app::users::NewUser, responses((status = 201, description = "The account", body = UserView), crate::openapi::Failures))]
pub async fn create_user(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<redress_app::users::NewUser>,
) -> Result<(StatusCode, Json<UserView>), Problem> {
    let user = app.create_user(Some(&caller.principal), body).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// `?before=<id>&limit=n`: a page of an admin list, newest first.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Page {
    before: Option<String>,
    limit: Option<i64>,
}

impl Page {
    fn cursor<T: std::str::FromStr>(&self) -> Result<Option<T>, Problem> {
        let invalid = || Problem::invalid(Detail::NotAnId { field: "before".into() });
        self.before.as_deref().map(|b| b.parse().map_err(|_| invalid())).transpose()
    }
}

/// `GET /api/v1/users` (admins): every account, newest first.
#[utoipa::path(get, operation_id = "admin_users", extensions(("x-roles" = json!(["admin"]))), path = "/api/v1/users", tag = "admin", params(Page), responses((status = 200, description = "Accounts, newest first", body = PageOf<UserView>), crate::openapi::Failures))]
pub async fn users(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<PageOf<UserView>>, Problem> {
    let before = page.cursor()?;
    let users = app.list_users(&caller.principal, before, page.limit).await?;
    let next = crate::routes::next_before(&users, page.limit, |u| u.id);
    let items = users.into_iter().map(UserView::from).collect();
    Ok(Json(PageOf { items, next_before: next.map(|id| id.as_uuid()) }))
}

/// `GET /api/v1/merchants` (admins): every shop, newest first.
#[utoipa::path(get, operation_id = "admin_merchants", extensions(("x-roles" = json!(["admin"]))), path = "/api/v1/merchants", tag = "admin", params(Page), responses((status = 200, description = "Shops, newest first", body = PageOf<MerchantView>), crate::openapi::Failures))]
pub async fn merchants(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<PageOf<MerchantView>>, Problem> {
    let before = page.cursor()?;
    let shops = app.list_merchants(&caller.principal, before, page.limit).await?;
    let next = crate::routes::next_before(&shops, page.limit, |m| m.id);
    let items = shops.into_iter().map(MerchantView::from).collect();
    Ok(Json(PageOf { items, next_before: next.map(|id| id.as_uuid()) }))
}
