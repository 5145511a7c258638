//! The admin's pages: the accounts and the shops, the policy versions, the business calendar
//! (the years deadlines are counted over provisionally, with what to do), and an overview of the
//! platform's queues (open cases by state and by stage, overdue ones). Each is a page of tables.

use crate::failure::Failure;
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Shell, ok};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use redress_app::ports::CaseFilter;
use redress_app::{App, Role};
use std::collections::BTreeMap;

/// A table of a page: its id, caption, column heads and rows.
pub struct Table {
    pub id: &'static str,
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    t: Tr,
    s: Shell,
    title: String,
    /// Warnings to act on (provisional calendar years).
    warnings: Vec<String>,
    tables: Vec<Table>,
}

fn admin_only(signed: &Signed) -> Result<Tr, Failure> {
    match signed.user.role {
        Role::Admin => Ok(signed.tr),
        _ => Err(Failure::Forbidden(signed.tr)),
    }
}

fn page(signed: &Signed, title: &str, warnings: Vec<String>, tables: Vec<Table>) -> Response {
    let t = signed.tr;
    ok(&AdminPage { t, s: Shell::of(signed), title: t.get(title), warnings, tables })
}

fn heads(t: Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.get(k)).collect()
}

/// `GET /admin/users`: the accounts and the shops, newest first.
pub async fn users(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let err = |e| Failure::from_app(e, t);
    let users = app.list_users(&signed.principal, None, Some(100)).await.map_err(err)?;
    let shops = app.list_merchants(&signed.principal, None, Some(100)).await.map_err(err)?;
    let shop_name = |id| shops.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
    let users = Table {
        id: "users",
        caption: t.get("admin-users"),
        head: heads(t, &["admin-login", "admin-name", "admin-role", "admin-shop"]),
        rows: users
            .iter()
            .map(|u| {
                vec![
                    u.login.clone(),
                    u.display_name.clone(),
                    t.get(&format!("role-{}", u.role.as_str())),
                    u.merchant_id.map(shop_name).unwrap_or_default(),
                ]
            })
            .collect(),
    };
    let shops = Table {
        id: "shops",
        caption: t.get("admin-shops"),
        head: heads(t, &["admin-name", "admin-credit-code", "admin-address", "admin-phone"]),
        rows: shops
            .iter()
            .map(|m| {
                vec![m.name.clone(), m.credit_code.clone(), m.address.clone(), m.phone.clone().unwrap_or_default()]
            })
            .collect(),
    };
    Ok(page(&signed, "admin-users-title", Vec::new(), vec![users, shops]))
}

/// `GET /admin/policies`: every policy version, its dates and its time limits.
pub async fn policies(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let versions = app.policy_versions().await.map_err(|e| Failure::from_app(e, t))?;
    let tables = versions
        .iter()
        .rev()
        .map(|v| {
            let limits = serde_json::to_value(&v.policy).ok();
            let limits = limits.as_ref().and_then(|l| l.as_object());
            Table {
                id: "policy",
                caption: t.with(
                    "admin-policy-version",
                    &[
                        ("version", v.version.to_string()),
                        ("published", t.time(v.published_at)),
                        ("effective", t.time(v.effective_at)),
                    ],
                ),
                head: heads(t, &["admin-policy-setting", "admin-policy-value"]),
                rows: limits.into_iter().flatten().map(|(name, value)| vec![name.clone(), value.to_string()]).collect(),
            }
        })
        .collect();
    Ok(page(&signed, "admin-policies-title", Vec::new(), tables))
}

/// `GET /admin/calendar`: the years of the business calendar and their notices; the years
/// deadlines are counted over provisionally, with what to import.
pub async fn calendar(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let file = app.calendar_file();
    let warnings = file
        .provisional_years
        .iter()
        .map(|w| if t.lang == redress_text::Lang::Zh { w.zh.clone() } else { w.en.clone() })
        .collect();
    let years = Table {
        id: "calendar",
        caption: t.get("admin-calendar-years"),
        head: heads(
            t,
            &["admin-calendar-year", "admin-calendar-holidays", "admin-calendar-workdays", "admin-calendar-source"],
        ),
        rows: file
            .years
            .iter()
            .map(|y| {
                let holidays: Vec<String> = y
                    .holidays
                    .iter()
                    .map(|h| match h.end {
                        Some(end) => format!("{} {}–{}", h.name, h.start, end),
                        None => format!("{} {}", h.name, h.start),
                    })
                    .collect();
                let workdays: Vec<String> =
                    y.make_up_workdays.iter().map(|w| format!("{} {}", w.date, w.name)).collect();
                vec![y.year.to_string(), holidays.join("; "), workdays.join("; "), y.source.clone()]
            })
            .collect(),
    };
    Ok(page(&signed, "admin-calendar-title", warnings, vec![years]))
}

/// `GET /admin/overview`: the platform's open cases by state and by stage, and how many are
/// overdue (every case, a page of 100 at a time).
pub async fn overview(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let now = app.clock.now();
    let (mut by_state, mut by_stage) = (BTreeMap::<String, [usize; 2]>::new(), BTreeMap::<String, [usize; 2]>::new());
    let mut before = None;
    loop {
        let filter = CaseFilter { before, ..Default::default() };
        let cases = app.list_cases(&signed.principal, filter, Some(100)).await.map_err(|e| Failure::from_app(e, t))?;
        for case in cases.iter().filter(|c| c.outcome.is_none()) {
            let overdue = usize::from(case.deadline.as_ref().is_some_and(|d| d.due < now));
            for (map, key) in [(&mut by_state, t.label(case.state)), (&mut by_stage, t.label(case.stage))] {
                let counts = map.entry(key).or_default();
                counts[0] += 1;
                counts[1] += overdue;
            }
        }
        match cases.last() {
            Some(last) if cases.len() == 100 => before = Some(last.id),
            _ => break,
        }
    }
    let table = |id, caption: &str, counts: BTreeMap<String, [usize; 2]>| Table {
        id,
        caption: t.get(caption),
        head: heads(t, &["admin-overview-group", "admin-overview-open", "admin-overview-overdue"]),
        rows: counts.into_iter().map(|(k, [open, overdue])| vec![k, open.to_string(), overdue.to_string()]).collect(),
    };
    let tables = vec![
        table("by-stage", "admin-overview-by-stage", by_stage),
        table("by-state", "admin-overview-by-state", by_state),
    ];
    Ok(page(&signed, "admin-overview-title", Vec::new(), tables))
}
