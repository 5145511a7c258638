//! Dashboards and public merchant reputation (issue 13): how a shop handles its cases, how the
//! platform keeps up, and the figures a buyer may judge a shop by.
//!
//! The figures are pure functions over rows the `DashboardStore` reads (cases filed in a period
//! with the events that answer the merchant's first deadline, orders per month, open cases by
//! state, stage and agent), so they are checked by hand in the store's contract tests and by
//! properties here. Months are calendar months of Asia/Shanghai; a case counts in the month it
//! was filed, an order in the month it was recorded.

use crate::ports::StoreResult;
use crate::{App, AppError, Principal};
use jiff::{Timestamp, ToSpan, civil::Date};
use redress_domain::case::Outcome;
use redress_domain::case::Remedy;
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{Actor, CaseId, MerchantId, Party, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod counts;
pub use counts::{AgentDecisions, CaseCount, CaseFigure, PlatformCounts, RulingCount};

/// What a dashboard reads from storage.
#[async_trait::async_trait]
pub trait DashboardStore: Send + Sync {
    /// Cases filed in `[from, before)` (of one shop, or all), each with its events that can
    /// answer the merchant's first deadline, in order: `filed`, `approved`, `rejected`,
    /// `offer_made`, `question_asked`.
    async fn dashboard_cases(
        &self,
        shop: Option<MerchantId>,
        from: Timestamp,
        before: Timestamp,
    ) -> StoreResult<Vec<(CaseRow, Vec<EventRow>)>>;
    /// How many orders were recorded in each period `[edges[i], edges[i + 1])`.
    async fn orders_recorded(&self, shop: Option<MerchantId>, edges: &[Timestamp]) -> StoreResult<Vec<i64>>;
    /// Open cases counted by state, stage and assigned agent, with those past their deadline at `now`.
    async fn open_case_counts(&self, now: Timestamp) -> StoreResult<Vec<OpenCount>>;
    /// The case figures of the cases filed in the months `first` to `last` (labels, `2026-11`),
    /// counted by month, reason and kind, and their rulings by escalation and decision day.
    async fn platform_counts(&self, first: &str, last: &str) -> StoreResult<PlatformCounts>;
    /// Every agent with the decisions they made on Shanghai days `[from, before)`.
    async fn agent_decisions(&self, from: Date, before: Date) -> StoreResult<Vec<AgentDecisions>>;
}

/// A stored case body as the dashboards read it: only the fields they use (serde skips the rest
/// of the body without building it, which matters over a platform's months of cases).
#[derive(Clone, Debug, Deserialize)]
pub struct CaseRow {
    pub id: CaseId,
    pub filed_at: Timestamp,
    pub kind: RequestKind,
    pub reason: Reason,
    pub outcome: Option<Outcome>,
    pub is_repeat: bool,
    pub rating: Option<u8>,
    pub escalated_at: Option<Timestamp>,
    pub decision: Option<RulingRow>,
    #[serde(default)]
    pub sla_breaches: u32,
    pub closed_at: Option<Timestamp>,
}

/// The parts of a platform decision the dashboards read.
#[derive(Clone, Debug, Deserialize)]
pub struct RulingRow {
    pub remedy: Option<Remedy>,
    pub liable: Option<Party>,
    pub decided_at: Timestamp,
}

/// A stored event as the dashboards read it: when, by whom, its type and the deadline it set.
#[derive(Clone, Debug, Deserialize)]
pub struct EventRow {
    pub at: Timestamp,
    pub actor: Actor,
    pub body: EventType,
    pub transition: Option<TransitionRow>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct EventType {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TransitionRow {
    pub deadline: Option<DueRow>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DueRow {
    pub due: Timestamp,
}

/// The merchant's answers to a new case (the event types, of a merchant actor).
const MERCHANT_ANSWERS: &[&str] = &["approved", "rejected", "offer_made", "question_asked"];

/// One group of open cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCount {
    pub state: String,
    pub stage: String,
    /// The assigned agent and their display name.
    pub agent: Option<(UserId, String)>,
    pub open: i64,
    pub overdue: i64,
}

/// The event types `dashboard_cases` returns.
pub const ANSWER_EVENTS: &[&str] = &["filed", "approved", "rejected", "offer_made", "question_asked"];

/// Longest period a dashboard covers, in months.
pub const MAX_MONTHS: u32 = 24;
/// The period of the public reputation, in months (the current one included).
pub const REPUTATION_MONTHS: u32 = 6;
/// Fewest ratings before satisfaction is shown publicly (one rating would be one buyer's).
pub const MIN_PUBLIC_RATINGS: i64 = 5;
/// Rulings a shop must have had before the public share of rulings against it is shown: one of
/// two is "50%" and reads as a verdict on the shop (the trial saw 100% from 2 rulings).
pub const MIN_PUBLIC_RULINGS: i64 = 5;

/// A calendar month of Asia/Shanghai.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Month {
    /// `2026-11`
    pub label: String,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// The `count` months up to and including the one of `now`, oldest first (at least one).
pub fn months_ending(now: Timestamp, count: u32) -> Vec<Month> {
    let first_of_now = redress_law::calendar::shanghai_date(now).first_of_month();
    let start_of = |d: Date| redress_law::calendar::start_of_shanghai_day(d).unwrap_or(now);
    (0..count.clamp(1, MAX_MONTHS))
        .rev()
        .filter_map(|back| {
            let first = first_of_now.checked_sub(i64::from(back).months()).ok()?;
            let next = first.checked_add(1.month()).ok()?;
            Some(Month {
                label: format!("{:04}-{:02}", first.year(), first.month()),
                start: start_of(first),
                end: start_of(next),
            })
        })
        .collect()
}

/// How the merchant met the first deadline of a case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Answer {
    /// Answered (approve, reject, offer or question) this many hours after filing, by the due time or not.
    Answered { hours: f64, on_time: bool },
    /// Not answered and the due time has passed (the case timed out, or still waits).
    Missed,
    /// Nothing to judge: still within the time, or withdrawn before it.
    Open,
}

/// A case as the dashboards read it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFacts {
    pub filed_at: Timestamp,
    pub kind: RequestKind,
    pub reason: Reason,
    pub outcome: Option<Outcome>,
    pub is_repeat: bool,
    pub rating: Option<u8>,
    pub answer: Answer,
    /// Escalated to the platform, and decided there: (working days from escalation to
    /// decision, whether the ruling gave the buyer a remedy, i.e. went against the shop).
    pub escalated: bool,
    pub ruling: Option<(u32, bool)>,
    pub sla_breaches: u32,
}

impl CaseFacts {
    /// Reads a case and its answering events (`ANSWER_EVENTS`) at `now`; working days are
    /// counted over `calendar` (a day it cannot count makes the decision time unknown).
    pub fn of(
        case: &CaseRow,
        events: &[EventRow],
        now: Timestamp,
        calendar: &redress_law::BusinessCalendar,
    ) -> CaseFacts {
        let due = events
            .iter()
            .find(|e| e.body.kind == "filed")
            .and_then(|e| e.transition.as_ref()?.deadline.as_ref())
            .map(|d| d.due);
        let answered = events
            .iter()
            .find(|e| matches!(e.actor, Actor::Merchant { .. }) && MERCHANT_ANSWERS.contains(&e.body.kind.as_str()));
        let answer = match (answered, due) {
            (Some(e), due) => Answer::Answered {
                hours: e.at.duration_since(case.filed_at).as_secs_f64() / 3600.0,
                on_time: due.is_none_or(|d| e.at <= d),
            },
            (None, Some(due)) => {
                let withdrawn_in_time =
                    case.outcome == Some(Outcome::Withdrawn) && case.closed_at.is_some_and(|c| c <= due);
                if now <= due || withdrawn_in_time { Answer::Open } else { Answer::Missed }
            }
            (None, None) => Answer::Open,
        };
        let ruling = case.decision.as_ref().and_then(|d| {
            let from = redress_law::calendar::shanghai_date(case.escalated_at?);
            let days = calendar.working_days_between(from, redress_law::calendar::shanghai_date(d.decided_at)).ok()?;
            Some((days, d.remedy.is_some() && d.liable != Some(Party::Buyer)))
        });
        CaseFacts {
            filed_at: case.filed_at,
            kind: case.kind,
            reason: case.reason,
            outcome: case.outcome,
            is_repeat: case.is_repeat,
            rating: case.rating,
            answer,
            escalated: case.escalated_at.is_some(),
            ruling,
            sla_breaches: case.sla_breaches,
        }
    }
}

/// The `p`-th percentile by nearest rank: the `⌈p/100 · n⌉`-th smallest value (the first for
/// p = 0); `None` for no values.
pub fn percentile<T: Copy + PartialOrd>(values: &[T], p: u32) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (u64::from(p.min(100)) * n as u64).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// `part / whole`, or nothing when `whole` is zero.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A shop's figures over one month (or the whole period).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ShopFigures {
    /// `2026-11`, or `total`.
    pub month: String,
    pub orders: i64,
    pub cases: i64,
    pub cases_per_1000_orders: Option<f64>,
    /// Cases whose first deadline the merchant answered, or missed (those still within it and
    /// withdrawn in time are not counted).
    pub answers_due: i64,
    pub answered_on_time: i64,
    pub on_time_share: Option<f64>,
    /// Hours from filing to the merchant's first answer: the median by nearest rank.
    pub median_response_hours: Option<f64>,
    /// Closed cases by outcome.
    pub outcomes: BTreeMap<String, i64>,
    pub rulings: i64,
    pub rulings_against: i64,
    pub rulings_against_share: Option<f64>,
    pub repeats: i64,
    pub repeat_rate: Option<f64>,
    /// Buyers' ratings (1 to 5 stars) of closed cases.
    pub ratings: i64,
    pub mean_rating: Option<f64>,
}

/// The shop figures of `cases` (all of one period) against `orders` recorded in it.
pub fn shop_figures(month: &str, orders: i64, cases: &[&CaseFacts]) -> ShopFigures {
    let count = |f: &dyn Fn(&CaseFacts) -> bool| cases.iter().filter(|c| f(c)).count() as i64;
    let n = cases.len() as i64;
    let answers_due = count(&|c| c.answer != Answer::Open);
    let on_time = count(&|c| matches!(c.answer, Answer::Answered { on_time: true, .. }));
    let hours: Vec<f64> = cases
        .iter()
        .filter_map(|c| match c.answer {
            Answer::Answered { hours, .. } => Some(hours),
            _ => None,
        })
        .collect();
    let mut outcomes = BTreeMap::new();
    for o in cases.iter().filter_map(|c| c.outcome) {
        *outcomes.entry(o.as_str().to_owned()).or_default() += 1;
    }
    let rulings = count(&|c| c.ruling.is_some());
    let against = count(&|c| c.ruling.is_some_and(|(_, against)| against));
    let repeats = count(&|c| c.is_repeat);
    let stars: Vec<i64> = cases.iter().filter_map(|c| c.rating).map(i64::from).collect();
    ShopFigures {
        month: month.to_owned(),
        orders,
        cases: n,
        cases_per_1000_orders: share(n * 1000, orders),
        answers_due,
        answered_on_time: on_time,
        on_time_share: share(on_time, answers_due),
        median_response_hours: percentile(&hours, 50),
        outcomes,
        rulings,
        rulings_against: against,
        rulings_against_share: share(against, rulings),
        repeats,
        repeat_rate: share(repeats, n),
        ratings: stars.len() as i64,
        mean_rating: share(stars.iter().sum(), stars.len() as i64),
    }
}

/// The platform's figures over one month (or the whole period).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlatformFigures {
    pub month: String,
    pub cases: i64,
    pub escalated: i64,
    pub decided: i64,
    /// Working days from escalation to decision (business calendar), by nearest rank.
    pub decision_days_p50: Option<u32>,
    pub decision_days_p90: Option<u32>,
    pub decision_days_max: Option<u32>,
    /// SLA breaches flagged on these cases, and the cases with at least one.
    pub sla_breaches: i64,
    pub cases_breached: i64,
    pub by_reason: BTreeMap<String, i64>,
    pub by_kind: BTreeMap<String, i64>,
}

/// The platform figures of `cases` (all of one period): the definition. The dashboard computes
/// them from counts (`counts::platform_figures_of_counts`), which a property test checks equal.
pub fn platform_figures(month: &str, cases: &[&CaseFacts]) -> PlatformFigures {
    let mut days: BTreeMap<u32, i64> = BTreeMap::new();
    let mut counts: BTreeMap<(&str, &str), CaseCount> = BTreeMap::new();
    for c in cases {
        if let Some((d, _)) = c.ruling {
            *days.entry(d).or_default() += 1;
        }
        let n = counts.entry((c.reason.as_str(), c.kind.as_str())).or_insert_with(|| CaseCount {
            month: month.to_owned(),
            reason: c.reason.as_str().to_owned(),
            kind: c.kind.as_str().to_owned(),
            cases: 0,
            escalated: 0,
            sla_breaches: 0,
            cases_breached: 0,
        });
        n.cases += 1;
        n.escalated += i64::from(c.escalated);
        n.sla_breaches += i64::from(c.sla_breaches);
        n.cases_breached += i64::from(c.sla_breaches > 0);
    }
    platform_figures_of_days(month, &counts.values().collect::<Vec<_>>(), &days)
}

/// The platform figures of cases counted by reason and kind, and of rulings' working days
/// counted by value.
pub fn platform_figures_of_days(month: &str, cases: &[&CaseCount], days: &BTreeMap<u32, i64>) -> PlatformFigures {
    let (mut by_reason, mut by_kind) = (BTreeMap::new(), BTreeMap::new());
    for c in cases {
        *by_reason.entry(c.reason.clone()).or_default() += c.cases;
        *by_kind.entry(c.kind.clone()).or_default() += c.cases;
    }
    let sum = |f: &dyn Fn(&CaseCount) -> i64| cases.iter().map(|c| f(c)).sum::<i64>();
    PlatformFigures {
        month: month.to_owned(),
        cases: sum(&|c| c.cases),
        escalated: sum(&|c| c.escalated),
        decided: days.values().sum(),
        decision_days_p50: counts::percentile_of_counts(days, 50),
        decision_days_p90: counts::percentile_of_counts(days, 90),
        decision_days_max: counts::percentile_of_counts(days, 100),
        sla_breaches: sum(&|c| c.sla_breaches),
        cases_breached: sum(&|c| c.cases_breached),
        by_reason,
        by_kind,
    }
}

/// Open cases in one state and stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Backlog {
    pub state: String,
    pub stage: String,
    pub open: i64,
    pub overdue: i64,
}

/// An agent's open cases, and the platform decisions they made in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgentLoad {
    pub agent: UserId,
    pub name: String,
    pub open: i64,
    pub overdue: i64,
    /// Decisions made in the period (Shanghai days of the dashboard's months).
    pub decisions: i64,
}

/// The backlog by state and stage, and each agent's load (every agent, those with no open case
/// or decision too), from the grouped counts.
pub fn backlog(counts: &[OpenCount], decided: &[AgentDecisions]) -> (Vec<Backlog>, Vec<AgentLoad>) {
    let mut by_state: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    let mut by_agent: BTreeMap<UserId, AgentLoad> = BTreeMap::new();
    fn agent<'a>(by_agent: &'a mut BTreeMap<UserId, AgentLoad>, id: UserId, name: &str) -> &'a mut AgentLoad {
        by_agent.entry(id).or_insert_with(|| AgentLoad {
            agent: id,
            name: name.to_owned(),
            open: 0,
            overdue: 0,
            decisions: 0,
        })
    }
    for c in counts {
        let s = by_state.entry((c.stage.clone(), c.state.clone())).or_default();
        s.0 += c.open;
        s.1 += c.overdue;
        if let Some((id, name)) = &c.agent {
            let a = agent(&mut by_agent, *id, name);
            a.open += c.open;
            a.overdue += c.overdue;
        }
    }
    for d in decided {
        agent(&mut by_agent, d.agent, &d.name).decisions += d.decisions;
    }
    let backlog =
        by_state.into_iter().map(|((stage, state), (open, overdue))| Backlog { state, stage, open, overdue }).collect();
    let mut agents: Vec<AgentLoad> = by_agent.into_values().collect();
    agents.sort_by(|a, b| {
        b.open.cmp(&a.open).then_with(|| b.decisions.cmp(&a.decisions)).then_with(|| a.name.cmp(&b.name))
    });
    (backlog, agents)
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ShopDashboard {
    pub shop: MerchantId,
    pub shop_name: String,
    pub from: Timestamp,
    pub before: Timestamp,
    /// Month by month, oldest first.
    pub months: Vec<ShopFigures>,
    pub total: ShopFigures,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlatformDashboard {
    pub from: Timestamp,
    pub before: Timestamp,
    /// Open cases now, by stage and state.
    pub backlog: Vec<Backlog>,
    /// Open cases now, by assigned agent (most first).
    pub agents: Vec<AgentLoad>,
    pub months: Vec<PlatformFigures>,
    pub total: PlatformFigures,
}

/// What a buyer may judge a shop by: rates only (never a buyer, a case text or the shop's
/// order volume), and none of them until the shop has `min_orders` orders in the period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reputation {
    pub shop: MerchantId,
    pub shop_name: String,
    pub from: Timestamp,
    pub before: Timestamp,
    pub min_orders: u32,
    /// The shop had at least `min_orders` orders in the period: the figures below are shown.
    pub enough_orders: bool,
    /// Cases filed per order.
    pub dispute_rate: Option<f64>,
    /// Share of first deadlines the shop answered in time.
    pub on_time_rate: Option<f64>,
    /// Share of the platform's rulings that gave the buyer a remedy, once the platform ruled at
    /// least `MIN_PUBLIC_RULINGS` times on the shop's cases.
    pub rulings_against_rate: Option<f64>,
    /// Mean stars (1 to 5), once at least `MIN_PUBLIC_RATINGS` buyers rated.
    pub satisfaction: Option<f64>,
    /// Month by month: dispute rate and on-time rate (a month without orders has none).
    pub months: Vec<ReputationMonth>,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReputationMonth {
    pub month: String,
    pub dispute_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
}

/// The public reputation of a shop from its dashboard figures.
pub fn reputation(dashboard: &ShopDashboard, min_orders: u32) -> Reputation {
    let total = &dashboard.total;
    let enough = total.orders >= i64::from(min_orders);
    let shown = |v: Option<f64>| v.filter(|_| enough);
    Reputation {
        shop: dashboard.shop,
        shop_name: dashboard.shop_name.clone(),
        from: dashboard.from,
        before: dashboard.before,
        min_orders,
        enough_orders: enough,
        dispute_rate: shown(share(total.cases, total.orders)),
        on_time_rate: shown(total.on_time_share),
        rulings_against_rate: shown(total.rulings_against_share.filter(|_| total.rulings >= MIN_PUBLIC_RULINGS)),
        satisfaction: shown(total.mean_rating.filter(|_| total.ratings >= MIN_PUBLIC_RATINGS)),
        months: if enough {
            dashboard
                .months
                .iter()
                .map(|m| ReputationMonth {
                    month: m.month.clone(),
                    dispute_rate: share(m.cases, m.orders),
                    on_time_rate: m.on_time_share,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

impl App {
    async fn facts(&self, shop: Option<MerchantId>, months: &[Month]) -> Result<Vec<CaseFacts>, AppError> {
        let (Some(first), Some(last)) = (months.first(), months.last()) else { return Ok(Vec::new()) };
        let rows = self.store.dashboard_cases(shop, first.start, last.end).await?;
        let (now, calendar) = (self.clock.now(), self.calendar.current());
        Ok(rows.iter().map(|(case, events)| CaseFacts::of(case, events, now, &calendar)).collect())
    }

    async fn shop_dashboard_unchecked(&self, shop: MerchantId, count: u32) -> Result<ShopDashboard, AppError> {
        let merchant = self.store.merchant(shop).await?.ok_or(AppError::NotFound)?;
        let months = months_ending(self.clock.now(), count);
        let facts = self.facts(Some(shop), &months).await?;
        let mut edges: Vec<Timestamp> = months.iter().map(|m| m.start).collect();
        edges.extend(months.last().map(|m| m.end));
        let orders = self.store.orders_recorded(Some(shop), &edges).await?;
        let in_month = |m: &Month| -> Vec<&CaseFacts> {
            facts.iter().filter(|c| c.filed_at >= m.start && c.filed_at < m.end).collect()
        };
        let figures: Vec<ShopFigures> = months
            .iter()
            .zip(orders.iter().chain(std::iter::repeat(&0)))
            .map(|(m, o)| shop_figures(&m.label, *o, &in_month(m)))
            .collect();
        let total = shop_figures("total", orders.iter().sum(), &facts.iter().collect::<Vec<_>>());
        Ok(ShopDashboard {
            shop,
            shop_name: merchant.name,
            from: edges.first().copied().unwrap_or_default(),
            before: edges.last().copied().unwrap_or_default(),
            months: figures,
            total,
        })
    }

    /// A shop's dashboard over the last `months` months: its own staff, agents and admins.
    pub async fn shop_dashboard(
        &self,
        principal: &Principal,
        shop: MerchantId,
        months: u32,
    ) -> Result<ShopDashboard, AppError> {
        if !principal.is_platform() && principal.merchant_id() != Some(shop) {
            return Err(AppError::NotFound);
        }
        self.shop_dashboard_unchecked(shop, months).await
    }

    /// The platform's dashboard over the last `months` months: agents and admins. Computed from
    /// counts the database keeps with each case (`counts`), not from the cases themselves.
    pub async fn platform_dashboard(&self, principal: &Principal, count: u32) -> Result<PlatformDashboard, AppError> {
        if !principal.is_platform() {
            return Err(AppError::Forbidden(redress_domain::Detail::OnlyRoles { roles: "agent, admin".into() }));
        }
        let now = self.clock.now();
        let months = months_ending(now, count);
        let (Some(first), Some(last)) = (months.first(), months.last()) else { return Err(AppError::NotFound) };
        let counts = self.store.platform_counts(&first.label, &last.label).await?;
        let days = |at: Timestamp| redress_law::calendar::shanghai_date(at);
        let decided = self.store.agent_decisions(days(first.start), days(last.end)).await?;
        let (backlog, agents) = backlog(&self.store.open_case_counts(now).await?, &decided);
        let calendar = self.calendar.current();
        let figures = months
            .iter()
            .map(|m| counts::platform_figures_of_counts(&m.label, &counts, &|month| month == m.label, &calendar))
            .collect();
        let in_period = |month: &str| month >= first.label.as_str() && month <= last.label.as_str();
        Ok(PlatformDashboard {
            from: first.start,
            before: last.end,
            backlog,
            agents,
            months: figures,
            total: counts::platform_figures_of_counts("total", &counts, &in_period, &calendar),
        })
    }

    /// A shop's public reputation over the last `REPUTATION_MONTHS` months: anyone may read it
    /// (no sign-in); the minimum of orders is the policy in force's `reputation_min_orders`.
    pub async fn reputation(&self, shop: MerchantId) -> Result<Reputation, AppError> {
        let dashboard = self.shop_dashboard_unchecked(shop, REPUTATION_MONTHS).await?;
        let min_orders = match self.store.policy_in_force(self.clock.now()).await? {
            Some((_, policy)) => policy.reputation_min_orders,
            None => redress_domain::Policy::default().reputation_min_orders,
        };
        Ok(reputation(&dashboard, min_orders))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The percentile is one of the values, grows with p, and p = 100 is the largest.
        #[test]
        fn percentile_is_a_value_and_monotone(values in proptest::collection::vec(0u32..1000, 1..50), p in 0u32..=100, q in 0u32..=100) {
            let at_p = percentile(&values, p).unwrap();
            prop_assert!(values.contains(&at_p));
            let (lo, hi) = (p.min(q), p.max(q));
            prop_assert!(percentile(&values, lo).unwrap() <= percentile(&values, hi).unwrap());
            prop_assert_eq!(percentile(&values, 100), values.iter().max().copied());
            // At least p% of the values are at or below it.
            let below = values.iter().filter(|v| **v <= at_p).count() as u64;
            prop_assert!(below * 100 >= u64::from(p) * values.len() as u64);
        }

        /// Months tile the period: each starts where the one before ends, the last holds `now`.
        #[test]
        fn months_tile_the_period(secs in 1_600_000_000i64..2_000_000_000, count in 1u32..=30) {
            let now = Timestamp::from_second(secs).unwrap();
            let months = months_ending(now, count);
            prop_assert_eq!(months.len() as u32, count.min(MAX_MONTHS));
            for pair in months.windows(2) {
                prop_assert_eq!(pair[0].end, pair[1].start);
            }
            let last = months.last().unwrap();
            prop_assert!(last.start <= now && now < last.end);
        }

        /// Shares stay within 0..=1 and the on-time count never exceeds the answers due.
        #[test]
        fn shop_shares_are_proportions(answers in proptest::collection::vec((0u8..3, 0.0f64..500.0, proptest::option::of(1u8..=5)), 0..40), orders in 0i64..100) {
            let facts: Vec<CaseFacts> = answers.iter().map(|(a, hours, rating)| CaseFacts {
                filed_at: Timestamp::UNIX_EPOCH,
                kind: RequestKind::RefundOnly,
                reason: Reason::QualityDefect,
                outcome: None,
                is_repeat: *a == 1,
                rating: *rating,
                answer: match a { 0 => Answer::Open, 1 => Answer::Missed, _ => Answer::Answered { hours: *hours, on_time: *hours < 48.0 } },
                escalated: false,
                ruling: None,
                sla_breaches: 0,
            }).collect();
            let f = shop_figures("m", orders, &facts.iter().collect::<Vec<_>>());
            prop_assert!(f.answered_on_time <= f.answers_due && f.answers_due <= f.cases);
            for s in [f.on_time_share, f.repeat_rate].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&s));
            }
            if let Some(m) = f.mean_rating { prop_assert!((1.0..=5.0).contains(&m)); }
        }
    }

    #[test]
    fn percentile_by_nearest_rank() {
        // 1 2 3 4: p50 is the 2nd (⌈0.5·4⌉), p90 the 4th (⌈3.6⌉), p0 the first.
        assert_eq!(percentile(&[4, 1, 3, 2], 50), Some(2));
        assert_eq!(percentile(&[4, 1, 3, 2], 90), Some(4));
        assert_eq!(percentile(&[4, 1, 3, 2], 0), Some(1));
        assert_eq!(percentile::<u32>(&[], 50), None);
    }

    #[test]
    fn months_are_shanghai_calendar_months() {
        // 2026-11-30T17:00Z is 2026-12-01 01:00 in Shanghai: December.
        let months = months_ending("2026-11-30T17:00:00Z".parse().unwrap(), 2);
        assert_eq!(months[1].label, "2026-12");
        assert_eq!(months[1].start, "2026-11-30T16:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(months[0].label, "2026-11");
        assert_eq!(months[0].start, "2026-10-31T16:00:00Z".parse::<Timestamp>().unwrap());
    }
}
