//! Admins create accounts; the new people can sign in and act in their role.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

#[tokio::test]
async fn admins_create_accounts_that_work() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let shop = json!({ "login": "new-shop", "password": "long enough", "display_name": "新店客服", "role": "merchant", "merchant_id": f.shop_id });

    let (status, _) = f.agent.post("/api/v1/users", shop.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = f.admin.post("/api/v1/users", shop.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["role"], "merchant");
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());
    let (status, problem) = f.admin.post("/api/v1/users", shop).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate")));

    for (body, why) in [
        (json!({ "login": "x", "password": "long enough", "display_name": "X", "role": "buyer" }), "short login"),
        (json!({ "login": "weak", "password": "1234567", "display_name": "X", "role": "buyer" }), "short password"),
        (
            json!({ "login": "lost-shop", "password": "long enough", "display_name": "X", "role": "merchant" }),
            "staff without a shop",
        ),
        (
            json!({ "login": "odd-buyer", "password": "long enough", "display_name": "X", "role": "buyer", "merchant_id": f.shop_id }),
            "buyer with a shop",
        ),
    ] {
        let (status, problem) = f.admin.post("/api/v1/users", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {problem}");
    }

    let staff = {
        let (status, body) =
            t.anonymous().post("/api/v1/auth/login", json!({ "login": "new-shop", "password": "long enough" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    };
    let order = f.order(&t, "ACC-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/cases/{case}/actions/approve", t.base))
        .bearer_auth(staff)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the new staff acts for their shop");
}
