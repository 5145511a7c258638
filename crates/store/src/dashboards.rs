//! What the dashboards read (issue 13): cases filed in a period with the events that answer the
//! merchant's first deadline, orders recorded per period, and open cases grouped by state, stage
//! and agent. The same SQL on both databases; the figures are computed in `redress_app`.

use crate::codec::{Id, Json, Time, from_json};
use crate::shared::other;
use jiff::Timestamp;
use redress_app::dashboards::{ANSWER_EVENTS, CaseRow, DashboardStore, EventRow, OpenCount};
use redress_app::ports::StoreResult;
use redress_domain::{CaseId, MerchantId};
use sqlx::Row;
use std::collections::HashMap;

/// The cases filter of `dashboard_cases`: `$1` shop (or NULL for all), `[$2, $3)` filing time.
const CASES_IN_PERIOD: &str =
    "(CAST($1 AS TEXT) IS NULL OR c.merchant_id = $1) AND c.filed_at >= $2 AND c.filed_at < $3";

fn answer_types() -> String {
    ANSWER_EVENTS.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ")
}

macro_rules! dashboard_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl DashboardStore for $store {
            async fn dashboard_cases(
                &self,
                shop: Option<MerchantId>,
                from: Timestamp,
                before: Timestamp,
            ) -> StoreResult<Vec<(CaseRow, Vec<EventRow>)>> {
                let shop = shop.map(Id::from);
                let cases: Vec<Json<CaseRow>> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT c.body FROM cases c WHERE {CASES_IN_PERIOD} ORDER BY c.id")))
                        .bind(&shop)
                        .bind(Time(from))
                        .bind(Time(before))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                // Built from constants only (the event type names of the domain).
                let sql = format!(
                    "SELECT e.case_id, e.content FROM case_events e JOIN cases c ON c.id = e.case_id WHERE {CASES_IN_PERIOD} AND e.event_type IN ({}) ORDER BY e.case_id, e.seq",
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
                    let case = body.0;
                    let of_case = events.remove(&case.id).unwrap_or_default();
                    out.push((case, of_case));
                }
                Ok(out)
            }

            async fn orders_recorded(&self, shop: Option<MerchantId>, edges: &[Timestamp]) -> StoreResult<Vec<i64>> {
                let shop = shop.map(Id::from);
                let mut counts = Vec::with_capacity(edges.len().saturating_sub(1));
                for pair in edges.windows(2) {
                    let n: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE (CAST($1 AS TEXT) IS NULL OR merchant_id = $1) AND created_at >= $2 AND created_at < $3")
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
                let rows = sqlx::query("SELECT c.state, c.stage, c.assigned_agent, u.display_name, CAST(COUNT(*) AS BIGINT) AS open, CAST(SUM(CASE WHEN c.deadline_due < $1 THEN 1 ELSE 0 END) AS BIGINT) AS overdue FROM cases c LEFT JOIN users u ON u.id = c.assigned_agent WHERE c.state <> 'closed' GROUP BY c.state, c.stage, c.assigned_agent, u.display_name ORDER BY c.stage, c.state")
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
        }
    };
}

dashboard_store!(crate::SqliteStore);
dashboard_store!(crate::PgStore);
