//! Dashboard pages (issue 13): the shop's (its staff, and the platform for any shop), the
//! platform's (agents and admins), and a shop's public reputation (anyone, no sign-in). Each
//! figure is a chart drawn by the server with its numbers as text beside it, and a CSV link to
//! the same figures from the API.

use crate::admin::Table;
use crate::charts::{Chart, bars, stacked};
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::session::{Signed, Visitor};
use crate::shell::{Shell, ok};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use redress_app::dashboards::{MAX_MONTHS, PlatformDashboard, ShopDashboard};
use redress_app::{App, Role};
use redress_domain::MerchantId;
use std::collections::BTreeSet;

#[derive(serde::Deserialize, Default)]
pub struct PeriodQuery {
    months: Option<String>,
}

impl PeriodQuery {
    /// The months asked for, within 1..=24; 6 when absent or not a number.
    fn months(&self) -> u32 {
        self.months.as_deref().and_then(|m| m.parse::<u32>().ok()).unwrap_or(6).clamp(1, MAX_MONTHS)
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    s: Shell,
    title: String,
    period: String,
    /// (href, text)
    csv: Vec<(String, String)>,
    /// Other pages of these figures: (id, href, text).
    links: Vec<(&'static str, String, String)>,
    months: u32,
    here: String,
    charts: Vec<Chart>,
    tables: Vec<Table>,
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// One decimal, or two significant digits under 0.1: a median answer of two minutes is 0.033 h,
/// and the axis of small values read 0.0, 0.0, 0.1 (the trial's finding).
fn one_decimal(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.1 {
        let decimals = (-v.abs().log10().floor()) as usize + 1;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.1}")
    }
}

/// A time in hours as a reader takes it in: hours from one up, whole minutes below, and "under
/// a minute" for less (a shop answering within seconds read 0.00000074 h, a trial's finding).
fn readable_hours(t: Tr, hours: f64) -> String {
    let minutes = (hours * 60.0).round();
    match hours {
        0.0 => "0".into(),
        h if h >= 1.0 => t.with("dash-hours", &[("n", one_decimal(h))]),
        _ if minutes < 1.0 => t.get("dash-under-a-minute"),
        _ => t.with("dash-minutes", &[("n", format!("{minutes:.0}"))]),
    }
}

fn period(t: Tr, from: jiff::Timestamp, before: jiff::Timestamp) -> String {
    let last_day = before.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap_or(before);
    let day = |at| redress_law::calendar::shanghai_date(at).to_string();
    t.with("dash-period", &[("from", day(from)), ("to", day(last_day))])
}

/// Counts by key over months, as the series of a stacked chart (every key any month has).
fn series<'a>(
    maps: impl Iterator<Item = &'a std::collections::BTreeMap<String, i64>> + Clone,
    label: &dyn Fn(&str) -> String,
) -> Vec<(String, Vec<i64>)> {
    let keys: BTreeSet<&String> = maps.clone().flat_map(|m| m.keys()).collect();
    keys.into_iter().map(|k| (label(k), maps.clone().map(|m| m.get(k).copied().unwrap_or(0)).collect())).collect()
}

/// The label of a vocabulary value by its canonical name (the name itself if unknown).
fn label_of<L: redress_text::Label + std::str::FromStr>(t: Tr, name: &str) -> String {
    name.parse::<L>().map_or_else(|_| name.to_owned(), |v| t.label(v))
}

fn shop_charts(d: &ShopDashboard, t: Tr) -> Vec<Chart> {
    let desc = t.get("dash-desc-monthly");
    let none = t.get("dash-none");
    let monthly = |id: &str,
                   key: &str,
                   value: &dyn Fn(&redress_app::dashboards::ShopFigures) -> Option<f64>,
                   show: &dyn Fn(f64) -> String| {
        let points: Vec<(String, Option<f64>)> = d.months.iter().map(|m| (m.month.clone(), value(m))).collect();
        bars(id, &t.get(key), &desc, &points, show, &none)
    };
    let months: Vec<String> = d.months.iter().map(|m| m.month.clone()).collect();
    vec![
        monthly("chart-cases-per-1000", "dash-chart-rate", &|m| m.cases_per_1000_orders, &one_decimal),
        monthly("chart-on-time", "dash-chart-on-time", &|m| m.on_time_share, &percent),
        monthly("chart-response", "dash-chart-response", &|m| m.median_response_hours, &|h| readable_hours(t, h)),
        stacked(
            "chart-outcomes",
            &t.get("dash-chart-outcomes"),
            &t.get("dash-desc-stacked"),
            &months,
            &series(d.months.iter().map(|m| &m.outcomes), &|k| label_of::<redress_domain::Outcome>(t, k)),
        ),
        monthly("chart-rulings-against", "dash-chart-rulings", &|m| m.rulings_against_share, &percent),
        monthly("chart-repeat", "dash-chart-repeat", &|m| m.repeat_rate, &percent),
        monthly("chart-satisfaction", "dash-chart-satisfaction", &|m| m.mean_rating, &one_decimal),
    ]
}

fn shop_page(signed: &Signed, d: &ShopDashboard, months: u32) -> Response {
    let t = signed.tr;
    let csv = vec![(format!("/api/v1/merchants/{}/dashboard?format=csv&months={months}", d.shop), t.get("dash-csv"))];
    ok(&DashboardPage {
        t,
        s: Shell::of(signed),
        title: t.with("dash-title-shop", &[("shop", d.shop_name.clone())]),
        period: period(t, d.from, d.before),
        csv,
        links: vec![("reputation-link", format!("/shops/{}/reputation", d.shop), t.get("dash-reputation"))],
        months,
        here: signed.here.split('?').next().unwrap_or("/dashboard").to_owned(),
        charts: shop_charts(d, t),
        tables: Vec::new(),
    })
}

fn platform_page(signed: &Signed, d: &PlatformDashboard, months: u32) -> Response {
    let t = signed.tr;
    let none = t.get("dash-none");
    let month_labels: Vec<String> = d.months.iter().map(|m| m.month.clone()).collect();
    let monthly = |id: &str, key: &str, value: &dyn Fn(&redress_app::dashboards::PlatformFigures) -> Option<f64>| {
        let points: Vec<(String, Option<f64>)> = d.months.iter().map(|m| (m.month.clone(), value(m))).collect();
        bars(id, &t.get(key), &t.get("dash-desc-monthly"), &points, &|v| format!("{v:.0}"), &none)
    };
    let mut by_state: std::collections::BTreeMap<String, f64> = Default::default();
    for b in &d.backlog {
        *by_state.entry(label_of::<redress_domain::CaseState>(t, &b.state)).or_default() += b.open as f64;
    }
    let whole = |v: f64| format!("{v:.0}");
    let charts = vec![
        bars(
            "chart-backlog",
            &t.get("dash-chart-backlog"),
            &t.get("dash-desc-now"),
            &by_state.into_iter().map(|(k, v)| (k, Some(v))).collect::<Vec<_>>(),
            &whole,
            &none,
        ),
        bars(
            "chart-agents",
            &t.get("dash-chart-agents"),
            &t.get("dash-desc-now"),
            &d.agents.iter().map(|a| (a.name.clone(), Some(a.open as f64))).collect::<Vec<_>>(),
            &whole,
            &none,
        ),
        stacked(
            "chart-reasons",
            &t.get("dash-chart-reasons"),
            &t.get("dash-desc-stacked"),
            &month_labels,
            &series(d.months.iter().map(|m| &m.by_reason), &|k| label_of::<redress_domain::vocabulary::Reason>(t, k)),
        ),
        stacked(
            "chart-kinds",
            &t.get("dash-chart-kinds"),
            &t.get("dash-desc-stacked"),
            &month_labels,
            &series(d.months.iter().map(|m| &m.by_kind), &|k| {
                label_of::<redress_domain::vocabulary::RequestKind>(t, k)
            }),
        ),
        monthly("chart-decision-p50", "dash-chart-decision-p50", &|m| m.decision_days_p50.map(f64::from)),
        monthly("chart-decision-p90", "dash-chart-decision-p90", &|m| m.decision_days_p90.map(f64::from)),
        monthly("chart-sla", "dash-chart-sla", &|m| Some(m.sla_breaches as f64)),
    ];
    let heads = |keys: &[&str]| keys.iter().map(|k| t.get(k)).collect::<Vec<_>>();
    let tables = vec![
        Table {
            id: "backlog",
            caption: t.get("dash-chart-backlog"),
            head: heads(&["dash-col-stage", "dash-col-state", "dash-col-open", "dash-col-overdue"]),
            rows: d
                .backlog
                .iter()
                .map(|b| {
                    vec![
                        label_of::<redress_domain::Stage>(t, &b.stage),
                        label_of::<redress_domain::CaseState>(t, &b.state),
                        b.open.to_string(),
                        b.overdue.to_string(),
                    ]
                })
                .collect(),
            next: None,
        },
        Table {
            id: "agents",
            caption: t.get("dash-chart-agents"),
            head: heads(&["dash-col-agent", "dash-col-open", "dash-col-overdue", "dash-col-decisions"]),
            rows: d
                .agents
                .iter()
                .map(|a| vec![a.name.clone(), a.open.to_string(), a.overdue.to_string(), a.decisions.to_string()])
                .collect(),
            next: None,
        },
    ];
    let api = "/api/v1/dashboards/platform?format=csv";
    let csv = vec![
        (format!("{api}&months={months}"), t.get("dash-csv")),
        (format!("{api}&table=backlog"), t.get("dash-csv-backlog")),
        (format!("{api}&table=agents"), t.get("dash-csv-agents")),
    ];
    ok(&DashboardPage {
        t,
        s: Shell::of(signed),
        title: t.get("dash-title-platform"),
        period: period(t, d.from, d.before),
        csv,
        links: Vec::new(),
        months,
        here: "/dashboard".into(),
        charts,
        tables,
    })
}

/// `GET /dashboard`: the shop's dashboard for its staff, the platform's for agents and admins.
pub async fn dashboard(
    State(app): State<App>,
    signed: Signed,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let months = q.months();
    match (signed.user.role, signed.user.merchant_id) {
        (Role::Merchant, Some(shop)) => {
            let d = app.shop_dashboard(&signed.principal, shop, months).await.map_err(|e| Failure::from_app(e, t))?;
            Ok(shop_page(&signed, &d, months))
        }
        (Role::Agent | Role::Admin, _) => {
            let d = app.platform_dashboard(&signed.principal, months).await.map_err(|e| Failure::from_app(e, t))?;
            Ok(platform_page(&signed, &d, months))
        }
        _ => Err(Failure::Forbidden(t)),
    }
}

/// `GET /dashboard/shops/{id}`: a shop's dashboard for the platform (and the shop's own staff).
pub async fn shop_dashboard(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let shop: MerchantId = id.parse().map_err(|_| Failure::NotFound(t))?;
    let months = q.months();
    let d = app.shop_dashboard(&signed.principal, shop, months).await.map_err(|e| Failure::from_app(e, t))?;
    Ok(shop_page(&signed, &d, months))
}

#[derive(Template)]
#[template(path = "reputation.html")]
struct ReputationPage {
    t: Tr,
    s: Shell,
    title: String,
    period: String,
    /// "Not enough orders yet" when the figures are withheld.
    withheld: Option<String>,
    /// (id, label, value)
    figures: Vec<(&'static str, String, String)>,
    charts: Vec<Chart>,
    api: String,
}

/// `GET /shops/{id}/reputation`: what a buyer may judge the shop by. No sign-in needed (a
/// signed-in reader keeps their navigation); rates only.
pub async fn reputation(
    State(app): State<App>,
    visitor: Visitor,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let t = visitor.tr;
    let shop: MerchantId = id.parse().map_err(|_| Failure::NotFound(t))?;
    let r = app.reputation(shop).await.map_err(|e| Failure::from_app(e, t))?;
    let none = t.get("dash-none");
    let shown = |v: Option<f64>| v.map_or_else(|| none.clone(), percent);
    let (withheld, figures, charts) = if r.enough_orders {
        let figures = vec![
            ("rep-dispute-rate", t.get("rep-dispute-rate"), shown(r.dispute_rate)),
            ("rep-on-time", t.get("rep-on-time"), shown(r.on_time_rate)),
            (
                "rep-rulings-against",
                t.get("rep-rulings-against"),
                // Too few rulings is not "none against": say how many it takes.
                r.rulings_against_rate.map_or_else(
                    || t.with("rep-rulings-none", &[("min", redress_app::dashboards::MIN_PUBLIC_RULINGS.to_string())]),
                    percent,
                ),
            ),
            (
                "rep-satisfaction",
                t.get("rep-satisfaction"),
                r.satisfaction.map_or_else(|| t.get("rep-satisfaction-none"), |s| format!("{s:.1} / 5")),
            ),
        ];
        let desc = t.get("dash-desc-monthly");
        let points = |f: &dyn Fn(&redress_app::dashboards::ReputationMonth) -> Option<f64>| {
            r.months.iter().map(|m| (m.month.clone(), f(m))).collect::<Vec<_>>()
        };
        let charts = vec![
            bars(
                "chart-dispute-rate",
                &t.get("rep-dispute-rate"),
                &desc,
                &points(&|m| m.dispute_rate),
                &percent,
                &none,
            ),
            bars("chart-on-time", &t.get("rep-on-time"), &desc, &points(&|m| m.on_time_rate), &percent, &none),
        ];
        (None, figures, charts)
    } else {
        (Some(t.with("rep-not-enough", &[("min", r.min_orders.to_string())])), Vec::new(), Vec::new())
    };
    Ok(ok(&ReputationPage {
        t,
        s: crate::frame::reader_shell(&app, &headers, &uri).await,
        title: t.with("rep-title", &[("shop", r.shop_name.clone())]),
        period: period(t, r.from, r.before),
        withheld,
        figures,
        charts,
        api: format!("/api/v1/reputation/{shop}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_keep_their_digits() {
        assert_eq!(one_decimal(0.0), "0.0");
        assert_eq!(one_decimal(12.34), "12.3");
        assert_eq!(one_decimal(0.0333), "0.033");
        // The axis of a chart whose largest median is 0.04 h: 0, 0.025, 0.05, each distinct.
        let axis: Vec<String> = [0.0, 0.025, 0.05].into_iter().map(one_decimal).collect();
        assert_eq!(axis, ["0.0", "0.025", "0.050"]);
    }

    #[test]
    fn response_times_read_in_hours_minutes_or_under_a_minute() {
        let (en, zh) = (Tr::new(redress_text::Lang::En), Tr::new(redress_text::Lang::Zh));
        assert_eq!(readable_hours(en, 0.0), "0");
        assert_eq!(readable_hours(en, 7.4e-7), "under a minute");
        assert_eq!(readable_hours(zh, 7.4e-7), "不到 1 分钟");
        assert_eq!(readable_hours(en, 0.5), "30 min");
        assert_eq!(readable_hours(zh, 0.25), "15 分钟");
        assert_eq!(readable_hours(en, 2.5), "2.5 h");
        assert_eq!(readable_hours(zh, 26.0), "26.0 小时");
    }
}
