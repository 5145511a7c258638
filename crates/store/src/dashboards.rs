//! What the dashboards read (issue 13): cases filed in a period with the events that answer the
//! merchant's first deadline, orders recorded per period, and open cases grouped by state, stage
//! and agent. The same SQL on both databases; the figures are computed in `redress_app`.

use crate::codec::{Id, Time, from_json};
use crate::shared::other;
use jiff::Timestamp;
use jiff::civil::Date;
use redress_app::dashboards::{
    ANSWER_EVENTS, AgentDecisions, CaseCount, CaseRow, DashboardStore, EventRow, OpenCount, PlatformCounts, RulingCount,
};
use redress_app::ports::StoreResult;
use redress_domain::{CaseId, MerchantId};
use sqlx::Row;
use std::collections::HashMap;

/// The cases filter of `dashboard_cases`: `$1` shop (or NULL for all), `[$2, $3)` filing time.
/// One text per case, not `($1 IS NULL OR ...)`: each is then a range of one index.
fn cases_in_period(shop: &Option<Id>) -> &'static str {
    match shop {
        Some(_) => "c.merchant_id = $1 AND c.filed_at >= $2 AND c.filed_at < $3",
        None => "CAST($1 AS TEXT) IS NULL AND c.filed_at >= $2 AND c.filed_at < $3",
    }
}

/// The orders counted by `orders_recorded`, as `cases_in_period`.
fn orders_in_period(shop: &Option<Id>) -> &'static str {
    match shop {
        Some(_) => {
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3"
        }
        None => {
            "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE CAST($1 AS TEXT) IS NULL AND created_at >= $2 AND created_at < $3"
        }
    }
}

fn answer_types() -> String {
    ANSWER_EVENTS.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ")
}

/// A case body as `CaseRow` reads it, built by SQLite: a few hundred bytes per case instead of
/// the whole body (kilobytes: descriptions, items, the decision's text), which over a
/// platform's months of cases is most of the time.
const SQLITE_CASE_ROW: &str = "json_object('id', c.id, 'filed_at', c.body -> '$.filed_at', 'kind', c.body -> '$.kind', 'reason', c.body -> '$.reason', 'outcome', c.body -> '$.outcome', 'is_repeat', c.body -> '$.is_repeat', 'rating', c.body -> '$.rating', 'escalated_at', c.body -> '$.escalated_at', 'decision', CASE WHEN json_type(c.body, '$.decision') = 'object' THEN json_object('remedy', c.body -> '$.decision.remedy', 'liable', c.body -> '$.decision.liable', 'decided_at', c.body -> '$.decision.decided_at') END, 'sla_breaches', coalesce(c.body -> '$.sla_breaches', 0), 'closed_at', c.body -> '$.closed_at')";
/// An event as `EventRow` reads it (SQLite), as `SQLITE_CASE_ROW`.
const SQLITE_EVENT_ROW: &str = "json_object('at', e.content -> '$.at', 'actor', e.content -> '$.actor', 'body', json_object('type', e.content -> '$.body.type'), 'transition', CASE WHEN json_type(e.content, '$.transition.deadline') = 'object' THEN json_object('deadline', json_object('due', e.content -> '$.transition.deadline.due')) END)";
/// `SQLITE_CASE_ROW` for PostgreSQL.
const PG_CASE_ROW: &str = "(SELECT CAST(jsonb_build_object('id', c.id, 'filed_at', b -> 'filed_at', 'kind', b -> 'kind', 'reason', b -> 'reason', 'outcome', b -> 'outcome', 'is_repeat', b -> 'is_repeat', 'rating', b -> 'rating', 'escalated_at', b -> 'escalated_at', 'decision', CASE WHEN jsonb_typeof(b -> 'decision') = 'object' THEN jsonb_build_object('remedy', b -> 'decision' -> 'remedy', 'liable', b -> 'decision' -> 'liable', 'decided_at', b -> 'decision' -> 'decided_at') END, 'sla_breaches', coalesce(b -> 'sla_breaches', '0'), 'closed_at', b -> 'closed_at') AS TEXT) FROM (SELECT CAST(c.body AS jsonb) AS b) x)";
/// `SQLITE_EVENT_ROW` for PostgreSQL.
const PG_EVENT_ROW: &str = "(SELECT CAST(jsonb_build_object('at', b -> 'at', 'actor', b -> 'actor', 'body', jsonb_build_object('type', b -> 'body' -> 'type'), 'transition', CASE WHEN jsonb_typeof(b -> 'transition' -> 'deadline') = 'object' THEN jsonb_build_object('deadline', jsonb_build_object('due', b -> 'transition' -> 'deadline' -> 'due')) END) AS TEXT) FROM (SELECT CAST(e.content AS jsonb) AS b) x)";

fn parse_day(text: &str) -> StoreResult<Date> {
    text.parse().map_err(|e: jiff::Error| redress_app::ports::StoreError::Other(e.into()))
}

macro_rules! dashboard_store {
    ($store:ty, case_row: $case_row:expr, event_row: $event_row:expr) => {
        #[async_trait::async_trait]
        impl DashboardStore for $store {
            async fn dashboard_cases(
                &self,
                shop: Option<MerchantId>,
                from: Timestamp,
                before: Timestamp,
            ) -> StoreResult<Vec<(CaseRow, Vec<EventRow>)>> {
                let shop = shop.map(Id::from);
                let cases: Vec<String> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {} FROM cases c WHERE {} ORDER BY c.id", $case_row, cases_in_period(&shop))))
                        .bind(&shop)
                        .bind(Time(from))
                        .bind(Time(before))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                // Built from constants only (the event type names of the domain).
                let sql = format!(
                    "SELECT e.case_id, {} AS content FROM case_events e JOIN cases c ON c.id = e.case_id WHERE {} AND e.event_type IN ({}) ORDER BY e.case_id, e.seq",
                    $event_row,
                    cases_in_period(&shop),
                    answer_types()
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&shop)
                    .bind(Time(from))
                    .bind(Time(before))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut events: HashMap<CaseId, Vec<EventRow>> = HashMap::new();
                for r in rows {
                    let id: CaseId = r.try_get::<Id, _>("case_id").map_err(other)?.into();
                    events.entry(id).or_default().push(from_json(&r.try_get::<String, _>("content").map_err(other)?)?);
                }
                let mut out = Vec::with_capacity(cases.len());
                for body in cases {
                    let case: CaseRow = from_json(&body)?;
                    let of_case = events.remove(&case.id).unwrap_or_default();
                    out.push((case, of_case));
                }
                Ok(out)
            }

            async fn orders_recorded(&self, shop: Option<MerchantId>, edges: &[Timestamp]) -> StoreResult<Vec<i64>> {
                let shop = shop.map(Id::from);
                let mut counts = Vec::with_capacity(edges.len().saturating_sub(1));
                for pair in edges.windows(2) {
                    let n: i64 = sqlx::query_scalar(orders_in_period(&shop))
                        .bind(&shop)
                        .bind(Time(pair[0]))
                        .bind(Time(pair[1]))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other)?;
                    counts.push(n);
                }
                Ok(counts)
            }

            async fn open_case_counts(&self, now: Timestamp) -> StoreResult<Vec<OpenCount>> {
                // Counted first (from `cases_open_backlog` alone), the agents' names joined to the groups.
                let rows = sqlx::query("SELECT g.state, g.stage, g.assigned_agent, u.display_name, g.open, g.overdue FROM (SELECT state, stage, assigned_agent, CAST(COUNT(*) AS BIGINT) AS open, CAST(SUM(CASE WHEN deadline_due < $1 THEN 1 ELSE 0 END) AS BIGINT) AS overdue FROM cases WHERE state <> 'closed' GROUP BY state, stage, assigned_agent) g LEFT JOIN users u ON u.id = g.assigned_agent ORDER BY g.stage, g.state")
                    .bind(Time(now))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut counts = Vec::with_capacity(rows.len());
                for r in rows {
                    let agent = match r.try_get::<Option<Id>, _>("assigned_agent").map_err(other)? {
                        Some(id) => Some((
                            id.into(),
                            r.try_get::<Option<String>, _>("display_name").map_err(other)?.unwrap_or_default(),
                        )),
                        None => None,
                    };
                    counts.push(OpenCount {
                        state: r.try_get("state").map_err(other)?,
                        stage: r.try_get("stage").map_err(other)?,
                        agent,
                        open: r.try_get("open").map_err(other)?,
                        overdue: r.try_get("overdue").map_err(other)?,
                    });
                }
                Ok(counts)
            }

            async fn platform_counts(&self, first: &str, last: &str) -> StoreResult<PlatformCounts> {
                let rows = sqlx::query("SELECT month, reason, kind, CAST(COUNT(*) AS BIGINT) AS cases, CAST(SUM(escalated) AS BIGINT) AS escalated, CAST(SUM(sla_breaches) AS BIGINT) AS sla_breaches, CAST(SUM(CASE WHEN sla_breaches > 0 THEN 1 ELSE 0 END) AS BIGINT) AS breached FROM case_figures WHERE month >= $1 AND month <= $2 GROUP BY month, reason, kind")
                    .bind(first)
                    .bind(last)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut counts = PlatformCounts::default();
                for r in rows {
                    counts.cases.push(CaseCount {
                        month: r.try_get("month").map_err(other)?,
                        reason: r.try_get("reason").map_err(other)?,
                        kind: r.try_get("kind").map_err(other)?,
                        cases: r.try_get("cases").map_err(other)?,
                        escalated: r.try_get("escalated").map_err(other)?,
                        sla_breaches: r.try_get("sla_breaches").map_err(other)?,
                        cases_breached: r.try_get("breached").map_err(other)?,
                    });
                }
                let rows = sqlx::query("SELECT month, escalated_on, decided_on, CAST(COUNT(*) AS BIGINT) AS rulings FROM case_figures WHERE month >= $1 AND month <= $2 AND decided_on IS NOT NULL GROUP BY month, escalated_on, decided_on")
                    .bind(first)
                    .bind(last)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                for r in rows {
                    counts.rulings.push(RulingCount {
                        month: r.try_get("month").map_err(other)?,
                        escalated_on: parse_day(&r.try_get::<String, _>("escalated_on").map_err(other)?)?,
                        decided_on: parse_day(&r.try_get::<String, _>("decided_on").map_err(other)?)?,
                        rulings: r.try_get("rulings").map_err(other)?,
                    });
                }
                Ok(counts)
            }

            async fn agent_decisions(&self, from: Date, before: Date) -> StoreResult<Vec<AgentDecisions>> {
                let rows = sqlx::query("SELECT u.id, u.display_name, (SELECT CAST(COUNT(*) AS BIGINT) FROM case_figures f WHERE f.decided_by = u.id AND f.decided_on >= $1 AND f.decided_on < $2) AS decisions FROM users u WHERE u.role = 'agent'")
                    .bind(from.to_string())
                    .bind(before.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut agents = Vec::with_capacity(rows.len());
                for r in rows {
                    agents.push(AgentDecisions {
                        agent: r.try_get::<Id, _>("id").map_err(other)?.into(),
                        name: r.try_get("display_name").map_err(other)?,
                        decisions: r.try_get("decisions").map_err(other)?,
                    });
                }
                Ok(agents)
            }
        }
    };
}

dashboard_store!(crate::SqliteStore, case_row: SQLITE_CASE_ROW, event_row: SQLITE_EVENT_ROW);
dashboard_store!(crate::PgStore, case_row: PG_CASE_ROW, event_row: PG_EVENT_ROW);
