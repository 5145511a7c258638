//! Every method of every store port is called by name in a story of the contract suite (the
//! files that run each story on SQLite and on PostgreSQL through `support::contract!`). A method
//! reached only through the application may be skipped by a later change of the application,
//! and then run on neither database; named here, it runs on both.

use std::path::{Path, PathBuf};

/// The files of `redress_app` that declare store ports, with the traits they declare.
const PORTS: &[(&str, &[&str])] = &[
    (
        "ports.rs",
        &[
            "Store",
            "AccountStore",
            "IdempotencyStore",
            "LedgerStore",
            "JobStore",
            "LoginAttemptStore",
            "NotificationStore",
            "SigningKeyStore",
        ],
    ),
    ("conversations.rs", &["ConversationStore"]),
    ("search.rs", &["SearchStore"]),
    ("dashboards.rs", &["DashboardStore"]),
    ("telemetry.rs", &["BacklogStore"]),
    ("webhooks/mod.rs", &["WebhookStore"]),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The methods declared in `trait_name`'s body in `source`.
fn methods_of(source: &str, trait_name: &str) -> Vec<String> {
    let start = source.find(&format!("pub trait {trait_name}")).unwrap_or_else(|| panic!("trait {trait_name}"));
    let body = &source[start..];
    let open = body.find('{').expect("trait body");
    // The body ends where its braces balance.
    let mut depth = 0;
    let mut end = open;
    for (i, c) in body[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            end = open + i;
            break;
        }
    }
    body[open..end]
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = line.strip_prefix("async fn ").or_else(|| line.strip_prefix("fn "))?;
            Some(rest.split(['(', '<']).next()?.to_owned())
        })
        .collect()
}

fn contract_stories() -> String {
    let dir = workspace().join("crates/store/tests");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            if source.contains("support::contract!") {
                text.push_str(&source);
            }
        }
    }
    text
}

#[test]
fn every_port_method_runs_in_the_contract_suite() {
    let stories = contract_stories();
    let mut declared = 0;
    let mut missing = Vec::new();
    for (file, traits) in PORTS {
        let source = std::fs::read_to_string(workspace().join("crates/app/src").join(file)).unwrap();
        for trait_name in *traits {
            for method in methods_of(&source, trait_name) {
                declared += 1;
                if !stories.contains(&format!(".{method}(")) {
                    missing.push(format!("{trait_name}::{method}"));
                }
            }
        }
    }
    assert!(declared > 90, "only {declared} port methods found: has a port moved?");
    assert!(missing.is_empty(), "never called by a contract story: {missing:?}");
}

#[test]
fn a_trait_body_is_read_to_its_closing_brace() {
    let source = "pub trait A: Send {\n    async fn one(&self) -> X;\n    fn two<T>(&self) { { } }\n}\nfn three() {}";
    assert_eq!(methods_of(source, "A"), ["one", "two"]);
}
