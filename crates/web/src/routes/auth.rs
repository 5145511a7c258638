use crate::extract::{AcceptLang, Body, Caller, SESSION_COOKIE};
use crate::problem::Problem;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::{App, Principal};
use redress_domain::MerchantId;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct Login {
    login: String,
    password: String,
}

pub async fn login(
    State(app): State<App>,
    AcceptLang(lang): AcceptLang,
    Body(body): Body<Login>,
) -> Result<Response, Problem> {
    let (token, user) = app.login(&body.login, &body.password).await.map_err(|e| Problem::from_app(e, lang))?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        redress_app::auth::SESSION_TTL.as_secs()
    );
    let mut response = Json(json!({ "token": token, "user": user })).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookie is ASCII"));
    Ok(response)
}

pub async fn logout(
    State(app): State<App>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    if let (Principal::User(_), Some(credential)) = (&caller.principal, crate::extract::credential(&headers)) {
        app.logout(&credential).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("redress_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

pub async fn me(caller: Caller) -> Json<serde_json::Value> {
    match caller.principal {
        Principal::User(user) => Json(json!({ "kind": "user", "user": user })),
        Principal::MerchantToken { token, merchant } => {
            Json(json!({ "kind": "api_token", "token_id": token, "merchant_id": merchant, "role": "merchant" }))
        }
    }
}

#[derive(Deserialize)]
pub struct NewToken {
    name: String,
    merchant_id: Option<MerchantId>,
}

pub async fn issue_token(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewToken>,
) -> Result<(StatusCode, Json<serde_json::Value>), Problem> {
    let merchant = body.merchant_id.or(caller.principal.merchant_id()).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            caller.lang,
            Some("merchant_id is required".into()),
        )
    })?;
    let (token, secret) = app
        .issue_api_token(&caller.principal, merchant, &body.name)
        .await
        .map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": token.id, "merchant_id": token.merchant_id, "name": token.name, "created_at": token.created_at, "token": secret }),
        ),
    ))
}
