//! Dashboards (`GET /dashboards/platform`, `GET /merchants/{id}/dashboard`), as JSON or CSV
//! (`Accept: text/csv` or `?format=csv`), and a shop's public reputation
//! (`GET /reputation/{id}`, no sign-in).

use crate::answer::Json;
use crate::extract::{Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::App;
use redress_app::dashboards::{MAX_MONTHS, PlatformDashboard, PlatformFigures, Reputation, ShopDashboard, ShopFigures};
use redress_domain::{Detail, MerchantId};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The period and the form of a dashboard. An unknown parameter is refused (422 naming it).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// Calendar months (Asia/Shanghai) up to the current one, 1 to 24; 6 by default.
    months: Option<u32>,
    /// `csv` for a CSV table (as `Accept: text/csv`); JSON otherwise.
    format: Option<String>,
    /// Which CSV table of the platform dashboard: `months` (default), `backlog` or `agents`.
    table: Option<String>,
}

const DEFAULT_MONTHS: u32 = 6;

impl DashboardQuery {
    fn months(&self) -> Result<u32, Problem> {
        match self.months {
            None => Ok(DEFAULT_MONTHS),
            Some(m) if (1..=MAX_MONTHS).contains(&m) => Ok(m),
            Some(_) => {
                Err(Problem::invalid(Detail::Range { field: "months".into(), min: 1, max: i64::from(MAX_MONTHS) }))
            }
        }
    }

    /// CSV when asked by `format` or, without one, by `Accept`.
    fn csv(&self, headers: &HeaderMap) -> Result<bool, Problem> {
        match self.format.as_deref() {
            Some("csv") => Ok(true),
            Some("json") => Ok(false),
            Some(_) => Err(Problem::invalid(Detail::OneOf { field: "format".into(), values: "csv, json".into() })),
            None => Ok(headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.split(',').any(|m| m.trim().starts_with("text/csv")))),
        }
    }
}

/// A CSV answer, offered as a file named `name`.
fn csv_answer(name: &str, rows: Vec<Vec<String>>) -> Result<Response, Problem> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "writing a CSV table failed");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None)
    };
    // A byte-order mark first: spreadsheet programs read a CSV without one in the system's code
    // page, and the shops' and agents' Chinese names come out garbled.
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        out.write_record(row.into_iter().map(inert)).map_err(|e| failed(&e))?;
    }
    let body = out.into_inner().map_err(|e| failed(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

/// A cell a spreadsheet will not run: text that starts like a formula (`=`, `+`, `-`, `@`, a tab
/// or a carriage return; an agent's display name is typed by people) is kept as text by a leading
/// apostrophe (OWASP's advice for CSV injection). Numbers stay numbers.
fn inert(cell: String) -> String {
    let formula_like = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_like && cell.parse::<f64>().is_err() { format!("'{cell}") } else { cell }
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{}", (v * 10_000.0).round() / 10_000.0))
}

fn whole<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// Columns of a month table, then one `prefix:key` column per key any month has.
fn keyed_columns<'a>(maps: impl Iterator<Item = &'a std::collections::BTreeMap<String, i64>>) -> Vec<String> {
    maps.flat_map(|m| m.keys().cloned()).collect::<BTreeSet<_>>().into_iter().collect()
}

/// The shop dashboard as a table: a row per month, then the total.
pub fn shop_rows(d: &ShopDashboard) -> Vec<Vec<String>> {
    let all: Vec<&ShopFigures> = d.months.iter().chain(std::iter::once(&d.total)).collect();
    let outcomes = keyed_columns(all.iter().map(|f| &f.outcomes));
    let mut head: Vec<String> = [
        "month",
        "orders",
        "cases",
        "cases_per_1000_orders",
        "answers_due",
        "answered_on_time",
        "on_time_share",
        "median_response_hours",
        "rulings",
        "rulings_against",
        "rulings_against_share",
        "repeats",
        "repeat_rate",
        "ratings",
        "mean_rating",
    ]
    .map(String::from)
    .to_vec();
    head.extend(outcomes.iter().map(|o| format!("outcome:{o}")));
    let mut rows = vec![head];
    for f in all {
        let mut row = vec![
            f.month.clone(),
            f.orders.to_string(),
            f.cases.to_string(),
            number(f.cases_per_1000_orders),
            f.answers_due.to_string(),
            f.answered_on_time.to_string(),
            number(f.on_time_share),
            number(f.median_response_hours),
            f.rulings.to_string(),
            f.rulings_against.to_string(),
            number(f.rulings_against_share),
            f.repeats.to_string(),
            number(f.repeat_rate),
            f.ratings.to_string(),
            number(f.mean_rating),
        ];
        row.extend(outcomes.iter().map(|o| f.outcomes.get(o).copied().unwrap_or(0).to_string()));
        rows.push(row);
    }
    rows
}

/// A table of the platform dashboard: months (with the total), backlog or agents.
pub fn platform_rows(d: &PlatformDashboard, table: &str) -> Option<Vec<Vec<String>>> {
    let text = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    match table {
        "backlog" => Some(
            std::iter::once(text(&["stage", "state", "open", "overdue"]))
                .chain(
                    d.backlog
                        .iter()
                        .map(|b| vec![b.stage.clone(), b.state.clone(), b.open.to_string(), b.overdue.to_string()]),
                )
                .collect(),
        ),
        "agents" => Some(
            std::iter::once(text(&["agent", "name", "open", "overdue", "decisions"]))
                .chain(d.agents.iter().map(|a| {
                    vec![
                        a.agent.to_string(),
                        a.name.clone(),
                        a.open.to_string(),
                        a.overdue.to_string(),
                        a.decisions.to_string(),
                    ]
                }))
                .collect(),
        ),
        "months" => {
            let all: Vec<&PlatformFigures> = d.months.iter().chain(std::iter::once(&d.total)).collect();
            let reasons = keyed_columns(all.iter().map(|f| &f.by_reason));
            let kinds = keyed_columns(all.iter().map(|f| &f.by_kind));
            let mut head = text(&[
                "month",
                "cases",
                "escalated",
                "decided",
                "decision_working_days_p50",
                "decision_working_days_p90",
                "decision_working_days_max",
                "sla_breaches",
                "cases_breached",
            ]);
            head.extend(reasons.iter().map(|r| format!("reason:{r}")));
            head.extend(kinds.iter().map(|k| format!("kind:{k}")));
            let mut rows = vec![head];
            for f in all {
                let mut row = vec![
                    f.month.clone(),
                    f.cases.to_string(),
                    f.escalated.to_string(),
                    f.decided.to_string(),
                    whole(f.decision_days_p50),
                    whole(f.decision_days_p90),
                    whole(f.decision_days_max),
                    f.sla_breaches.to_string(),
                    f.cases_breached.to_string(),
                ];
                row.extend(reasons.iter().map(|r| f.by_reason.get(r).copied().unwrap_or(0).to_string()));
                row.extend(kinds.iter().map(|k| f.by_kind.get(k).copied().unwrap_or(0).to_string()));
                rows.push(row);
            }
            Some(rows)
        }
        _ => None,
    }
}

/// A shop's dashboard: its staff (and API tokens), agents and admins.
#[utoipa::path(get, operation_id = "merchants_dashboard", path = "/api/v1/merchants/{id}/dashboard", tag = "dashboards", params(("id" = MerchantId, Path, description = "The shop"), DashboardQuery), responses((status = 200, description = "The shop's figures month by month and over the period (or a CSV table of them)", content((ShopDashboard = "application/json"), (String = "text/csv"))), crate::openapi::Failures))]
pub async fn shop(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, Problem> {
    let shop: MerchantId = path_id(&id)?;
    let (months, csv) = (q.months()?, q.csv(&headers)?);
    let d = app.shop_dashboard(&caller.principal, shop, months).await?;
    if csv { csv_answer(&format!("shop-{shop}.csv"), shop_rows(&d)) } else { Ok(Json(d).into_response()) }
}

/// The platform's dashboard: agents and admins.
#[utoipa::path(get, operation_id = "dashboards_platform", extensions(("x-roles" = json!(["agent", "admin"]))), path = "/api/v1/dashboards/platform", tag = "dashboards", params(DashboardQuery), responses((status = 200, description = "Backlog, agents' load and the platform's figures month by month (or a CSV table of them)", content((PlatformDashboard = "application/json"), (String = "text/csv"))), crate::openapi::Failures))]
pub async fn platform(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, Problem> {
    let (months, csv) = (q.months()?, q.csv(&headers)?);
    let d = app.platform_dashboard(&caller.principal, months).await?;
    if !csv {
        return Ok(Json(d).into_response());
    }
    let table = q.table.as_deref().unwrap_or("months");
    let rows = platform_rows(&d, table).ok_or_else(|| {
        Problem::invalid(Detail::OneOf { field: "table".into(), values: "months, backlog, agents".into() })
    })?;
    csv_answer(&format!("platform-{table}.csv"), rows)
}

/// A shop's public reputation over the last six months: rates only, and only once the shop had
/// the policy's minimum of orders. No sign-in.
#[utoipa::path(get, operation_id = "reputation", path = "/api/v1/reputation/{id}", tag = "dashboards", security(), params(("id" = MerchantId, Path, description = "The shop")), responses((status = 200, description = "The shop's dispute rate, on-time rate, rulings against and satisfaction", body = Reputation), crate::openapi::Failures))]
pub async fn reputation(State(app): State<App>, Path(id): Path<String>) -> Result<Json<Reputation>, Problem> {
    let shop: MerchantId = path_id(&id)?;
    Ok(Json(app.reputation(shop).await?))
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn cells_that_look_like_formulas_stay_text() {
        assert_eq!(inert("=HYPERLINK(\"http://evil\",\"x\")".into()), "'=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(inert("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(inert("+86 138".into()), "'+86 138");
        assert_eq!(inert("-0.25".into()), "-0.25", "a number stays a number");
        assert_eq!(inert("王仲裁".into()), "王仲裁");
        assert_eq!(inert(String::new()), "");
    }
}
