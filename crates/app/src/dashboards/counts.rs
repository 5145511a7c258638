//! The platform's figures from counts, not from every case (issue 13): the platform dashboard
//! folded every case of the period per request (4-5 s at 100,000 cases). Each case now keeps one
//! narrow row of what those figures read (`CaseFigure`: filing month, reason, kind, escalation,
//! SLA breaches, and the Shanghai dates of escalation and ruling), written in the transaction of
//! every change of the case; the dashboard asks the database to count those rows by month,
//! reason and kind, and the rulings by (escalation day, decision day). Working days are counted
//! from the two days when the dashboard is read, with the calendar in force then, so the figures
//! are exactly those of the fold (`platform_figures` over `CaseFacts`), which a property test
//! checks, and no calendar change leaves counts behind.

use super::{PlatformFigures, platform_figures_of_days};
use jiff::Timestamp;
use jiff::civil::Date;
use redress_domain::vocabulary::{Reason, RequestKind};
use redress_domain::{Case, CaseId, UserId};
use std::collections::BTreeMap;

/// What the platform dashboard keeps of one case (the row of `case_figures`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFigure {
    pub case: CaseId,
    /// The Shanghai month of filing, `2026-11`: the month the case counts in.
    pub month: String,
    pub reason: Reason,
    pub kind: RequestKind,
    pub escalated: bool,
    pub sla_breaches: u32,
    /// Escalated and then decided by the platform.
    pub ruling: Option<RulingDays>,
}

/// The Shanghai days a ruling's working days are counted between, and who decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RulingDays {
    pub escalated_on: Date,
    pub decided_on: Date,
    pub agent: UserId,
}

/// The month label (`2026-11`) of a time, in Shanghai.
pub fn month_of(at: Timestamp) -> String {
    let day = redress_law::calendar::shanghai_date(at);
    format!("{:04}-{:02}", day.year(), day.month())
}

impl CaseFigure {
    /// The figure of a case as it stands after a change.
    pub fn of(case: &Case) -> CaseFigure {
        CaseFigure::new(
            case.id,
            case.filed_at,
            case.reason,
            case.kind,
            case.escalated_at,
            case.decision.as_ref().map(|d| (d.agent, d.decided_at)),
            case.sla_breaches,
        )
    }

    /// From the fields a figure reads: a ruling counts only after an escalation, as in `CaseFacts`.
    pub fn new(
        case: CaseId,
        filed_at: Timestamp,
        reason: Reason,
        kind: RequestKind,
        escalated_at: Option<Timestamp>,
        decision: Option<(UserId, Timestamp)>,
        sla_breaches: u32,
    ) -> CaseFigure {
        let ruling = escalated_at.zip(decision).map(|(escalated, (agent, decided))| RulingDays {
            escalated_on: redress_law::calendar::shanghai_date(escalated),
            decided_on: redress_law::calendar::shanghai_date(decided),
            agent,
        });
        CaseFigure {
            case,
            month: month_of(filed_at),
            reason,
            kind,
            escalated: escalated_at.is_some(),
            sla_breaches,
            ruling,
        }
    }
}

/// Cases of one month, reason and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseCount {
    pub month: String,
    pub reason: String,
    pub kind: String,
    pub cases: i64,
    pub escalated: i64,
    pub sla_breaches: i64,
    /// Cases with at least one SLA breach.
    pub cases_breached: i64,
}

/// Rulings on cases of one month escalated on one day and decided on another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulingCount {
    pub month: String,
    pub escalated_on: Date,
    pub decided_on: Date,
    pub rulings: i64,
}

/// What the platform's monthly figures are computed from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformCounts {
    pub cases: Vec<CaseCount>,
    pub rulings: Vec<RulingCount>,
}

/// An agent with the platform decisions they made in a period (none included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentDecisions {
    pub agent: UserId,
    pub name: String,
    pub decisions: i64,
}

/// The counts the database keeps (`GROUP BY` over `case_figures`), over figures in memory: what
/// the property test compares with the fold, and the SQL's meaning spelled out.
pub fn count(figures: &[CaseFigure]) -> PlatformCounts {
    let mut cases: BTreeMap<(String, &str, &str), CaseCount> = BTreeMap::new();
    let mut rulings: BTreeMap<(String, Date, Date), i64> = BTreeMap::new();
    for f in figures {
        let c = cases.entry((f.month.clone(), f.reason.as_str(), f.kind.as_str())).or_insert_with(|| CaseCount {
            month: f.month.clone(),
            reason: f.reason.as_str().to_owned(),
            kind: f.kind.as_str().to_owned(),
            cases: 0,
            escalated: 0,
            sla_breaches: 0,
            cases_breached: 0,
        });
        c.cases += 1;
        c.escalated += i64::from(f.escalated);
        c.sla_breaches += i64::from(f.sla_breaches);
        c.cases_breached += i64::from(f.sla_breaches > 0);
        if let Some(r) = f.ruling {
            *rulings.entry((f.month.clone(), r.escalated_on, r.decided_on)).or_default() += 1;
        }
    }
    PlatformCounts {
        cases: cases.into_values().collect(),
        rulings: rulings
            .into_iter()
            .map(|((month, escalated_on, decided_on), rulings)| RulingCount {
                month,
                escalated_on,
                decided_on,
                rulings,
            })
            .collect(),
    }
}

/// The platform figures of the counts of the months `in_period` says, labelled `label`; working
/// days over `calendar` (a day it cannot count leaves the ruling out, as the fold does).
pub fn platform_figures_of_counts(
    label: &str,
    counts: &PlatformCounts,
    in_period: &dyn Fn(&str) -> bool,
    calendar: &redress_law::BusinessCalendar,
) -> PlatformFigures {
    let cases: Vec<&CaseCount> = counts.cases.iter().filter(|c| in_period(&c.month)).collect();
    let mut days: BTreeMap<u32, i64> = BTreeMap::new();
    for r in counts.rulings.iter().filter(|r| in_period(&r.month)) {
        if let Ok(d) = calendar.working_days_between(r.escalated_on, r.decided_on) {
            *days.entry(d).or_default() += r.rulings;
        }
    }
    platform_figures_of_days(label, &cases, &days)
}

/// The `p`-th percentile by nearest rank of values given as `value → how many` (as `percentile`
/// over the values listed out).
pub fn percentile_of_counts(counts: &BTreeMap<u32, i64>, p: u32) -> Option<u32> {
    let n = u64::try_from(counts.values().sum::<i64>()).ok().filter(|n| *n > 0)?;
    let rank = i64::try_from((u64::from(p.min(100)) * n).div_ceil(100).max(1)).ok()?;
    let mut seen = 0;
    counts.iter().find_map(|(value, k)| {
        seen += k;
        (seen >= rank).then_some(*value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboards::{CaseFacts, CaseRow, RulingRow, months_ending, percentile, platform_figures};
    use jiff::ToSpan;
    use proptest::prelude::*;

    /// One random case history, as far as the platform figures read it: filed within about
    /// three months, maybe escalated some hours later, maybe decided some hours after that,
    /// maybe SLA breaches.
    fn history() -> impl Strategy<Value = (u64, usize, usize, Option<u32>, Option<u32>, u32)> {
        (
            0u64..(92 * 24 * 3600),
            0..Reason::ALL.len(),
            0..RequestKind::ALL.len(),
            proptest::option::of(0u32..(20 * 24)),
            proptest::option::of(0u32..(30 * 24)),
            0u32..3,
        )
    }

    proptest! {
        /// The figures from the counts are the figures of the fold, for every month and the
        /// whole period, for random histories.
        #[test]
        fn counts_give_the_fold_figures(histories in proptest::collection::vec(history(), 0..60), agents in 1u8..4) {
            let start: Timestamp = "2026-09-30T16:00:00Z".parse().unwrap();
            let now: Timestamp = "2027-01-15T04:00:00Z".parse().unwrap();
            let calendar = redress_law::BusinessCalendar::embedded();
            let months = months_ending(now, 4);
            let agent = |n: u64| UserId(uuid::Uuid::from_u128(u128::from(n % u64::from(agents)) + 1));
            let mut facts = Vec::new();
            let mut figures = Vec::new();
            for (i, (filed, reason, kind, escalated_after, decided_after, sla)) in histories.iter().enumerate() {
                let filed_at = start + (*filed as i64).seconds();
                let escalated_at = escalated_after.map(|h| filed_at + i64::from(h).hours());
                let decided_at = decided_after.map(|h| escalated_at.unwrap_or(filed_at) + i64::from(h).hours());
                let id = CaseId(uuid::Uuid::from_u128(i as u128 + 1));
                let row = CaseRow {
                    id,
                    filed_at,
                    kind: RequestKind::ALL[*kind],
                    reason: Reason::ALL[*reason],
                    outcome: None,
                    is_repeat: false,
                    rating: None,
                    escalated_at,
                    decision: decided_at.map(|decided_at| RulingRow {
                        remedy: None,
                        liable: None,
                        decided_at,
                    }),
                    sla_breaches: *sla,
                    closed_at: None,
                };
                facts.push(CaseFacts::of(&row, &[], now, &calendar));
                figures.push(CaseFigure::new(id, filed_at, row.reason, row.kind, escalated_at, decided_at.map(|d| (agent(*filed), d)), *sla));
            }
            let counts = count(&figures);
            for m in &months {
                let in_month: Vec<&CaseFacts> = facts.iter().filter(|c| c.filed_at >= m.start && c.filed_at < m.end).collect();
                prop_assert_eq!(
                    platform_figures_of_counts(&m.label, &counts, &|month| month == m.label, &calendar),
                    platform_figures(&m.label, &in_month)
                );
            }
            let (first, last) = (&months[0], &months[months.len() - 1]);
            let in_period: Vec<&CaseFacts> = facts.iter().filter(|c| c.filed_at >= first.start && c.filed_at < last.end).collect();
            prop_assert_eq!(
                platform_figures_of_counts("total", &counts, &|month| month >= first.label.as_str() && month <= last.label.as_str(), &calendar),
                platform_figures("total", &in_period)
            );
        }

        /// The percentile of counted values is the percentile of the values listed out.
        #[test]
        fn percentile_of_counts_is_the_listed_percentile(values in proptest::collection::vec(0u32..40, 0..80), p in 0u32..=100) {
            let mut counts = BTreeMap::new();
            for v in &values {
                *counts.entry(*v).or_insert(0i64) += 1;
            }
            prop_assert_eq!(percentile_of_counts(&counts, p), percentile(&values, p));
        }
    }

    #[test]
    fn months_are_those_of_shanghai() {
        // 2026-11-30T17:00Z is December 1st, 01:00 in Shanghai.
        assert_eq!(month_of("2026-11-30T17:00:00Z".parse().unwrap()), "2026-12");
        assert_eq!(month_of("2026-11-30T15:59:59.999999Z".parse().unwrap()), "2026-11");
    }
}
