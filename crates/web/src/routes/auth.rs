use crate::answer::Json;
use crate::extract::{Body, Caller, ClientAddress, SESSION_COOKIE};
use crate::problem::Problem;
use crate::views::{IssuedToken, Items, Me, Session, TokenRole, TokenView};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::{App, Principal};
use redress_domain::MerchantId;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    login: String,
    password: String,
}

#[utoipa::path(post, operation_id = "auth_login", path = "/api/v1/auth/login", tag = "auth", security(), request_body = Login, responses((status = 200, description = "Signed in: the token (also set as the `redress_session` cookie) and the user", body = crate::views::Session), crate::openapi::Failures))]
pub async fn login(
    State(app): State<App>,
    ClientAddress(from): ClientAddress,
    Body(body): Body<Login>,
) -> Result<Response, Problem> {
    let (token, user) = app.login(&body.login, &body.password, from).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        redress_app::auth::SESSION_TTL.as_secs()
    );
    let mut response = Json(Session { token, user: user.into() }).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookie is ASCII"));
    Ok(response)
}

#[utoipa::path(post, operation_id = "auth_logout", path = "/api/v1/auth/logout", tag = "auth", responses((status = 204, description = "Signed out; the cookie is cleared"), crate::openapi::Failures))]
pub async fn logout(
    State(app): State<App>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    if let (Principal::User(_), Some(credential)) = (&caller.principal, crate::extract::credential(&headers)) {
        app.logout(&credential).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("redress_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

#[utoipa::path(get, operation_id = "auth_me", path = "/api/v1/me", tag = "auth", responses((status = 200, description = "Who is asking", body = crate::views::Me), crate::openapi::Failures))]
pub async fn me(caller: Caller) -> Json<Me> {
    match caller.principal {
        Principal::User(user) => Json(Me::User { user: user.into() }),
        Principal::MerchantToken { token, merchant } => {
            Json(Me::ApiToken { token_id: token, merchant_id: merchant, role: TokenRole::Merchant })
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    merchant_id: Option<MerchantId>,
}

#[utoipa::path(post, operation_id = "auth_issue_token", path = "/api/v1/tokens", tag = "auth", request_body = NewToken, responses((status = 201, description = "The token, with its secret shown once", body = crate::views::IssuedToken), crate::openapi::Failures))]
pub async fn issue_token(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewToken>,
) -> Result<(StatusCode, Json<IssuedToken>), Problem> {
    let (token, secret) = app.issue_api_token(&caller.principal, body.merchant_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { view: TokenView::from(&token), token: secret })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Shop {
    merchant_id: Option<MerchantId>,
}

/// `GET /api/v1/tokens[?merchant_id=]`: a shop's live tokens (never their secrets).
#[utoipa::path(get, operation_id = "auth_tokens", path = "/api/v1/tokens", tag = "auth", params(Shop), responses((status = 200, description = "A shop's live tokens, without secrets", body = crate::views::Items<crate::views::TokenView>), crate::openapi::Failures))]
pub async fn tokens(
    State(app): State<App>,
    caller: Caller,
    crate::extract::Query(shop): crate::extract::Query<Shop>,
) -> Result<Json<Items<TokenView>>, Problem> {
    let tokens = app.api_tokens(&caller.principal, shop.merchant_id).await?;
    Ok(Json(Items { items: tokens.iter().map(TokenView::from).collect() }))
}

/// `DELETE /api/v1/tokens/{id}[?merchant_id=]`: revokes a token at once.
#[utoipa::path(delete, operation_id = "auth_revoke_token", path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = redress_domain::TokenId, Path, description = "The token"), Shop), responses((status = 204, description = "Revoked"), crate::openapi::Failures))]
pub async fn revoke_token(
    State(app): State<App>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
    crate::extract::Query(shop): crate::extract::Query<Shop>,
) -> Result<StatusCode, Problem> {
    let id = crate::routes::path_id(&id)?;
    app.revoke_api_token(&caller.principal, shop.merchant_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
