//! One language per answer: with `Accept-Language: en` a problem carries no Chinese, with zh-CN
//! its title is Chinese; the language is negotiated once, in the web layer.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestApp;

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn problems_of_the_router_read_in_the_callers_language() {
    let t = TestApp::start().await;
    let anon = t.anonymous();
    let buyer = t.fixture().await.buyer;
    for (lang, english) in [("en", true), ("en-GB,zh;q=0.5", true), ("zh-CN", false), ("fr", false)] {
        let requests = [
            (anon.raw(Method::GET, "/api/v1/no-such-thing"), "not_found"),
            (anon.raw(Method::GET, "/api/v1/notifications"), "unauthenticated"),
            (
                anon.raw(Method::POST, "/api/v1/auth/login").json(&json!({ "login": "buyer", "password": "wrong" })),
                "invalid_credentials",
            ),
            (buyer.raw(Method::POST, "/api/v1/cases").body("{}"), "unsupported_media_type"),
            (buyer.raw(Method::POST, "/api/v1/cases").json(&json!({ "order_id": 7 })), "invalid_json"),
            (buyer.raw(Method::DELETE, "/api/v1/notifications"), "method_not_allowed"),
        ];
        for (request, code) in requests {
            let response = request.header("Accept-Language", lang).send().await.unwrap();
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], code, "{lang}: {body}");
            let title = body["title"].as_str().unwrap();
            if english {
                assert!(!han(&body.to_string()), "{lang}: {body}");
            } else {
                assert!(han(title), "{lang}: {body}");
            }
        }
    }
}
