//! Answers and background data stay bounded however long a case grows: the case detail carries
//! its latest timeline entries and a cursor, older ones come a page at a time; dossier exports
//! are bounded in number and temporary space; the worker purges what expires.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

fn seqs(entries: &Value) -> Vec<i64> {
    entries.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

/// 120 long messages: the detail answers the latest 20 (in bounded size), and walking the
/// timeline's pages back from its cursor yields every event exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_case_answers_in_bounded_pages() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-LONG-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let long = "耳机左耳没有声音,".repeat(400); // 3,600 characters, ~10 KB
    for _ in 0..120 {
        f.buyer.ok(&case, "message", json!({ "text": long })).await;
    }
    let (status, detail) = f.buyer.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK);
    let total = detail["version"].as_i64().unwrap();
    assert_eq!(total, 121);
    assert_eq!(seqs(&detail["timeline"]), (102..=121).collect::<Vec<_>>());
    assert_eq!(detail["timeline_before"], 102);
    assert!(detail.to_string().len() < 300_000, "{} bytes", detail.to_string().len());

    let mut seen = seqs(&detail["timeline"]);
    let mut before = detail["timeline_before"].as_i64();
    while let Some(cursor) = before {
        let (status, page) = f.shop.get(&format!("/api/v1/cases/{case}/timeline?before={cursor}&limit=33")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut s = seqs(&page["items"]);
        assert!(s.len() <= 33 && s.windows(2).all(|w| w[0] + 1 == w[1]) && s.last() == Some(&(cursor - 1)));
        s.extend(seen);
        seen = s;
        before = page["next_before"].as_i64();
    }
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
    let (_, newest) = f.agent.get(&format!("/api/v1/cases/{case}/timeline?limit=1")).await;
    assert_eq!((seqs(&newest["items"]), newest["next_before"].clone()), (vec![121], json!(121)));

    for bad in ["limit=0", "limit=101", "before=abc"] {
        let (status, body) = f.buyer.get(&format!("/api/v1/cases/{case}/timeline?{bad}")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{bad}");
    }
    let (status, _) = f.other_buyer.get(&format!("/api/v1/cases/{case}/timeline")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = t.anonymous().get(&format!("/api/v1/cases/{case}/timeline")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Exports beyond the bound (in number, or in temporary disk) are refused as busy with
/// `Retry-After`, and run again once there is room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossier_exports_are_bounded_in_number_and_space() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-EXPORT-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let url = format!("/api/v1/cases/{case}/dossier");
    let get = |who: &support::Session| {
        let request = who.raw(reqwest::Method::GET, &url);
        async move {
            let response = request.send().await.unwrap();
            let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            let status = response.status();
            let body = response.bytes().await.unwrap();
            (status, retry, serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null))
        }
    };
    let gates = t.app.gates.clone();
    // Every export place taken.
    let all = gates.dossiers.available_permits() as u32;
    let held = gates.dossiers.clone().acquire_many_owned(all).await.unwrap();
    let (status, retry, body) = get(&f.buyer).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("busy")), "{body}");
    assert_eq!(retry.as_deref(), Some("10"));
    drop(held);
    assert_eq!(get(&f.buyer).await.0, StatusCode::OK);
    // All the temporary space but 1 KiB taken: an export needs more (about 1 MiB here).
    let space = gates.dossier_space_kib.available_permits() as u32;
    let held = gates.dossier_space_kib.clone().acquire_many_owned(space - 1).await.unwrap();
    let (status, _, body) = get(&f.agent).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("busy")), "{body}");
    drop(held);
    assert_eq!(get(&f.agent).await.0, StatusCode::OK);
}

/// The worker purges expired sessions (a logged-in token stops working and its row is gone);
/// the case itself is untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_purges_expired_sessions() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-PURGE-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    t.advance_hours(8 * 24);
    let report = t.tick().await;
    assert!(report.sessions_purged >= 7, "{report:?}");
    let (status, _) = f.buyer.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let again = t.login("buyer").await;
    assert_eq!(again.case(&case).await["case"]["id"], case.as_str());
}
