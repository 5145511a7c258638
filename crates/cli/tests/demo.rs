//! The product as a new user starts it: `redress serve --demo` on a fresh data directory, then
//! the demo data through the API: every demo case's 12315 complaint has every required field.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `redress serve --demo` on an ephemeral port; returns the server and its base URL.
fn serve_demo(dir: &std::path::Path) -> (Server, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.to_str().unwrap(), "--listen", "127.0.0.1:0", "serve", "--demo"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start redress");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = Vec::new();
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout");
        if let Some(rest) = line.strip_prefix("Redress is serving on ") {
            base = Some(rest.trim_end_matches('/').to_owned());
        }
        let done = line.contains("admin") && line.contains("admin-pass");
        lines.push(line);
        if done {
            break;
        }
    }
    (server, base.expect("the URL is printed"), lines)
}

#[tokio::test]
async fn serve_demo_prints_logins_and_its_cases_make_complete_12315_complaints() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, lines) = serve_demo(dir.path());
    assert!(dir.path().join("redress.db").exists(), "the embedded database is created");
    for login in ["buyer", "shop", "agent", "admin"] {
        assert!(lines.iter().any(|l| l.trim_start().starts_with(login)), "login {login} printed: {lines:?}");
    }
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": "buyer2", "password": "buyer-pass" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("demo login works");
    let cases: Value =
        client.get(format!("{base}/api/v1/cases")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    let cases = cases["items"].as_array().unwrap();
    assert!(cases.len() >= 3, "the demo buyer has cases");
    assert!(cases.iter().any(|c| c["outcome"] == "refunded"), "one demo case went the whole way");
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let body: Value = client
            .get(format!("{base}/api/v1/cases/{id}/complaint-12315"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let c = &body["complaint"];
        for path in [
            &c["complainant"]["name"],
            &c["complainant"]["phone"],
            &c["complainant"]["address"],
            &c["respondent"]["name"],
            &c["respondent"]["address"],
            &c["respondent"]["credit_code"],
            &c["demand"],
        ] {
            assert!(path.as_str().is_some_and(|s| !s.is_empty()), "case {id}: {body}");
        }
        assert!(!c["facts"].as_array().unwrap().is_empty());
        if case["outcome"] == "refunded" {
            // The case that went the whole way cites its evidence files, each by hash.
            let evidence = c["evidence"].to_string();
            assert!(evidence.matches("SHA-256").count() >= 2, "{evidence}");
        }
        assert_eq!(c["missing"], serde_json::json!([]));
    }
}
