//! The search box (issue 13): `GET /search?q=…` over the cases the reader may see (the same use
//! case as `GET /api/v1/search`), with the useful filters, snippets with the matches marked,
//! and links to the case pages.

use crate::failure::Failure;
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Shell, ok};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use redress_app::search::SearchRequest;
use redress_app::{App, AppError};
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{CaseState, Stage};
use redress_text::Label;

#[derive(serde::Deserialize, Default)]
pub struct SearchForm {
    q: Option<String>,
    state: Option<String>,
    stage: Option<String>,
    reason: Option<String>,
    kind: Option<String>,
    overdue: Option<String>,
    after: Option<String>,
}

pub struct Hit {
    link: String,
    title: String,
    state: String,
    amount: String,
    filed: String,
    /// (text, marked)
    snippet: Vec<(String, bool)>,
}

/// A filter of the form: its field name, label and options as (value, text, selected).
pub struct Select {
    name: &'static str,
    label: String,
    options: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    t: Tr,
    s: Shell,
    q: String,
    selects: Vec<Select>,
    overdue: bool,
    searched: bool,
    error: Option<String>,
    /// Why nothing may have been found (a lone character is not a word).
    hint: Option<String>,
    hits: Vec<Hit>,
    next: Option<String>,
}

/// A filter's options: any, then every value of the vocabulary by its label.
fn options<L: Label + Copy>(t: Tr, all: &[L], chosen: Option<&str>) -> Vec<(String, String, bool)> {
    std::iter::once((String::new(), t.get("search-any"), chosen.is_none()))
        .chain(all.iter().map(|v| (v.name().to_owned(), t.label(*v), chosen == Some(v.name()))))
        .collect()
}

fn encode(text: &str) -> String {
    crate::failure::encode(text)
}

/// `GET /search`: the form, and the results when there are words to find.
pub async fn search(
    State(app): State<App>,
    signed: Signed,
    Query(form): Query<SearchForm>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let pick = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let q = form.q.as_deref().unwrap_or("").trim().to_owned();
    let (state, stage, reason, kind) = (pick(&form.state), pick(&form.stage), pick(&form.reason), pick(&form.kind));
    let overdue = form.overdue.as_deref() == Some("true");
    let select = |name, label: &str, options| Select { name, label: t.get(label), options };
    let selects = vec![
        select("state", "search-state", options(t, CaseState::ALL, state.as_deref())),
        select("stage", "search-stage", options(t, Stage::ALL, stage.as_deref())),
        select("reason", "search-reason", options(t, Reason::ALL, reason.as_deref())),
        select("kind", "search-kind", options(t, RequestKind::ALL, kind.as_deref())),
    ];
    let mut page = SearchPage {
        t,
        s: Shell::of(&signed),
        q: q.clone(),
        selects,
        overdue,
        searched: !q.is_empty(),
        error: None,
        hint: None,
        hits: Vec::new(),
        next: None,
    };
    if q.is_empty() {
        return Ok(ok(&page));
    }
    let request = SearchRequest {
        q: q.clone(),
        state: state.clone(),
        stage: stage.clone(),
        reason: reason.clone(),
        kind: kind.clone(),
        overdue,
        after: pick(&form.after),
        limit: Some(20),
        ..Default::default()
    };
    match app.search(&signed.principal, request).await {
        Ok(found) => {
            page.hits = found
                .items
                .iter()
                .map(|h| Hit {
                    link: format!("/cases/{}", h.case.id),
                    title: format!("{} · {}", t.label(h.case.kind), t.label(h.case.reason)),
                    state: match h.case.outcome {
                        Some(outcome) => format!("{} · {}", t.label(h.case.state), t.label(outcome)),
                        None => t.label(h.case.state),
                    },
                    amount: h.case.amount.to_string(),
                    filed: t.time(h.case.filed_at),
                    snippet: h.snippet.iter().map(|p| (p.text.clone(), p.mark)).collect(),
                })
                .collect();
            if page.hits.is_empty() && redress_app::search::has_lone_character(&q) {
                page.hint = Some(t.get("search-hint-lone-character"));
            }
            page.next = found.next_after.map(|after| {
                let mut link = format!("/search?q={}", encode(&q));
                for (name, value) in [("state", &state), ("stage", &stage), ("reason", &reason), ("kind", &kind)] {
                    if let Some(v) = value {
                        link.push_str(&format!("&{name}={}", encode(v)));
                    }
                }
                if overdue {
                    link.push_str("&overdue=true");
                }
                link.push_str(&format!("&after={}", encode(&after)));
                link
            });
        }
        // Words or filters the search refuses are said on the page, with the form to change them.
        Err(e @ AppError::Invalid(_)) => page.error = Some(crate::failure::app_error_text(&e, t)),
        Err(e) => return Err(Failure::from_app(e, t)),
    }
    Ok(ok(&page))
}
