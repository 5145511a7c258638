//! Background work: the deadline sweeper and the refund executor. Both claim rows with a lease,
//! so any number of workers may run side by side; both act through the same use cases (and so
//! the same `decide`) as everyone else, as `Actor::System`. Housekeeping (at most hourly per
//! worker) deletes what expires: sessions, finished outbox rows, and stored evidence objects no
//! case names. Case records (events, evidence rows, the refund ledger) are never purged: the
//! 电子商务法第三十一条 keeps them at least three years.

pub mod webhooks;

use jiff::SignedDuration;
use redress_app::ports::{ClaimedJob, LedgerRefund, PayoutKind};
use redress_app::{App, AppError};
use redress_domain::{Command, Money};
use std::time::Duration;

pub mod email;

/// How long a claimed row stays with its worker before another may take it over.
const LEASE: SignedDuration = SignedDuration::from_secs(60);
const BATCH: i64 = 100;
/// Due deadlines claimed at once.
const SWEEP_BATCH: i64 = 1000;
/// Batches one sweep fires at most (the next claimed while one commits) before the tick's
/// other work (refunds, reminders) has its turn.
const SWEEP_BATCHES: usize = 10;
/// Refunds of one batch paid at the same time at most. Each waits on three group commits (the
/// payout, the case's change, the job's completion): with 16 at once a burst of approvals
/// queued behind them (in the lifecycle benchmark, approval to refund paid took 143 ms at the
/// median with 16, 69-83 ms with 64).
const REFUNDS_AT_ONCE: usize = 64;
/// Passes per tick: a case whose timeout leads straight into another overdue deadline (after
/// downtime) is fired again on the next pass.
const MAX_PASSES: usize = 50;
/// Finished outbox rows (refunds executed, notices sent) are kept this long for inspection.
pub const FINISHED_JOB_RETENTION: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Stored objects no evidence names are deleted once this old: an upload in flight (which
/// writes its object before recording it) is far younger.
pub const ORPHAN_GRACE: SignedDuration = SignedDuration::from_hours(24);
/// How often one worker does housekeeping.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);
/// Rows deleted per statement, so a purge never holds a long lock.
const PURGE_BATCH: i64 = 1000;

/// Stops the webhook loop when `Worker::run` returns.
struct StopOnDrop(tokio::sync::watch::Sender<bool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

#[derive(Clone)]
pub struct Worker {
    app: App,
    owner: String,
    last_housekeeping: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
    lease: SignedDuration,
    /// Where notification emails go; `None`: SMTP is not configured and none are sent.
    mailer: Option<std::sync::Arc<email::Mailer>>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub timeouts_fired: usize,
    /// Timeouts `decide` refused (lost a race, or a due time that does not match): each is
    /// logged with its case and reason.
    pub timeouts_refused: usize,
    pub refunds_settled: usize,
    pub reminders_sent: usize,
    pub sessions_purged: u64,
    pub jobs_purged: u64,
    pub blobs_collected: usize,
    pub answers_purged: u64,
    pub emails_sent: usize,
    /// Finished webhook deliveries (and their attempts) past the delivery log's retention.
    pub deliveries_purged: u64,
}

impl Worker {
    pub fn new(app: App) -> Worker {
        let owner = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7());
        Worker { app, owner, last_housekeeping: Default::default(), lease: LEASE, mailer: None }
    }

    /// How long this worker's claims last (crash drills shorten it so a killed worker's rows
    /// are taken over within their run).
    pub fn with_lease(self, lease: SignedDuration) -> Worker {
        Worker { lease, ..self }
    }

    /// Sends notification emails through `mailer`.
    pub fn with_mailer(self, mailer: email::Mailer) -> Worker {
        Worker { mailer: Some(std::sync::Arc::new(mailer)), ..self }
    }

    /// Does all the work that is due now, then returns.
    pub async fn tick(&self) -> anyhow::Result<TickReport> {
        // Another process may have imported calendar years since the last pass.
        self.app.load_calendar().await?;
        let mut report = TickReport::default();
        for _ in 0..MAX_PASSES {
            let (fired, refused) = self.sweep_deadlines().await?;
            let settled = self.execute_refunds().await?;
            report.timeouts_fired += fired;
            report.timeouts_refused += refused;
            report.refunds_settled += settled;
            report.reminders_sent += self.app.send_due_reminders().await? + self.app.send_deadline_reminders().await?;
            if fired == 0 && settled == 0 {
                break;
            }
        }
        // After the passes: the notifications they wrote go out in this tick.
        report.emails_sent = self.send_emails().await?;
        let due = {
            let mut last = self.last_housekeeping.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= HOUSEKEEPING_EVERY);
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if due {
            let done = self.housekeep().await?;
            report.sessions_purged = done.sessions_purged;
            report.jobs_purged = done.jobs_purged;
            report.blobs_collected = done.blobs_collected;
            report.deliveries_purged = done.deliveries_purged;
        }
        Ok(report)
    }

    /// Deletes expired sessions, outbox rows finished more than `FINISHED_JOB_RETENTION` ago,
    /// and evidence objects no case names that are older than `ORPHAN_GRACE` (by the storage's
    /// clock, which wrote their times).
    pub async fn housekeep(&self) -> anyhow::Result<TickReport> {
        let mut report = TickReport::default();
        let now = self.app.clock.now();
        let done_before = now.checked_sub(FINISHED_JOB_RETENTION)?;
        loop {
            let purged = self.app.store.purge_expired(now, done_before, PURGE_BATCH).await?;
            report.sessions_purged += purged.sessions;
            report.jobs_purged += purged.outbox;
            if purged.sessions < PURGE_BATCH as u64 && purged.outbox < PURGE_BATCH as u64 {
                break;
            }
        }
        let older_than = jiff::Timestamp::now().checked_sub(ORPHAN_GRACE)?;
        report.blobs_collected =
            self.app.collect_unreferenced_blobs(older_than).await.map_err(|e| anyhow::anyhow!(e))?;
        // Idempotency answers are kept `KEEP_ANSWERS` (24 h) for retries.
        report.answers_purged = self.app.purge_expired_answers().await?;
        report.deliveries_purged = self.purge_webhook_log(now).await?;
        Ok(report)
    }

    /// Deletes the webhook deliveries finished (delivered or dead) longer than the delivery
    /// log's retention ago, a batch per statement; how many.
    pub async fn purge_webhook_log(&self, now: jiff::Timestamp) -> anyhow::Result<u64> {
        let finished_before = now.checked_sub(self.app.webhooks.log_retention)?;
        let mut purged = 0;
        loop {
            let batch = self.app.store.purge_deliveries(finished_before, PURGE_BATCH).await?;
            purged += batch;
            if batch < PURGE_BATCH as u64 {
                return Ok(purged);
            }
        }
    }

    /// The webhook sender of this worker (its own loop: `Worker::run` starts it).
    pub fn webhooks(&self) -> anyhow::Result<webhooks::WebhookSender> {
        webhooks::WebhookSender::new(self.app.clone(), self.owner.clone())
    }

    /// Runs `tick` every `interval` until `shutdown` resolves. At start-up and once a day it
    /// logs the provisional calendar years operators must import a notice for.
    pub async fn run(self, interval: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        // Webhooks run beside, in their own loop, and stop with this one.
        let (stop_webhooks, mut webhooks_stopped) = tokio::sync::watch::channel(false);
        let _stop_webhooks = StopOnDrop(stop_webhooks);
        match self.webhooks() {
            Ok(sender) => {
                tokio::spawn(sender.run(async move {
                    let _ = webhooks_stopped.wait_for(|stopped| *stopped).await;
                }));
            }
            Err(e) => tracing::error!(error = %e, "webhook sender not started"),
        }
        let mut warned_on = None;
        // Subscribed before the first pass: a commit made during any pass wakes the next wait.
        let mut committed = self.app.store.committed();
        loop {
            let today = self.app.clock.now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).date();
            if warned_on != Some(today) {
                warned_on = Some(today);
                for w in self.app.calendar_file().provisional_years {
                    tracing::warn!(
                        year = w.year,
                        "calendar year is provisional: import its State Council holiday notice"
                    );
                }
            }
            // Each pass runs as its own task: a panic in one is logged, and the next pass runs.
            let worker = self.clone();
            match tokio::spawn(async move { worker.tick().await }).await {
                Ok(Ok(r)) if r != TickReport::default() => {
                    tracing::info!(
                        timeouts = r.timeouts_fired,
                        timeouts_refused = r.timeouts_refused,
                        refunds = r.refunds_settled,
                        reminders = r.reminders_sent,
                        emails = r.emails_sent,
                        sessions_purged = r.sessions_purged,
                        jobs_purged = r.jobs_purged,
                        blobs_collected = r.blobs_collected,
                        deliveries_purged = r.deliveries_purged,
                        "worker tick"
                    )
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "worker tick failed"),
                Err(panic) => tracing::error!(error = %panic, "worker tick panicked"),
            }
            // A change committed in this process wakes the worker at once; polling stays for
            // changes other processes commit (and as the fallback).
            let woken = committed_change(&mut committed);
            tokio::select! {
                _ = &mut shutdown => return,
                _ = woken => {}
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }

    /// Fires every passed deadline once: (fired, refused). A timeout that lost a race (the case
    /// moved on, or another worker fired it) is refused by `decide` as stale; never silently:
    /// each refusal is logged with the case and the reason, and counted.
    pub async fn sweep_deadlines(&self) -> anyhow::Result<(usize, usize)> {
        let (mut fired, mut refused) = (0, 0);
        let mut due = self.claim_deadlines().await?;
        for batch in 1..=SWEEP_BATCHES {
            if due.is_empty() {
                break;
            }
            // Each case is its own change, the whole batch in flight, so that SQLite's writer
            // commits many in one transaction instead of one fsync per deadline; the batch's cases
            // and their shops' staff are read in one query each. The next batch is claimed
            // meanwhile (a claim joins the writer's queue like a change).
            let firing = self.app.fire_timeouts(std::mem::take(&mut due));
            let (outcomes, next) = if batch < SWEEP_BATCHES {
                let (outcomes, next) = tokio::join!(firing, self.claim_deadlines());
                (outcomes?, next?)
            } else {
                (firing.await?, Vec::new())
            };
            due = next;
            let (f, r) = self.count_timeouts(outcomes);
            fired += f;
            refused += r;
        }
        Ok((fired, refused))
    }

    /// Claims the next batch of passed deadlines for this worker.
    async fn claim_deadlines(&self) -> anyhow::Result<Vec<redress_app::ports::DueCase>> {
        let now = self.app.clock.now();
        Ok(self.app.store.claim_due_cases(now, now.checked_add(self.lease)?, &self.owner, SWEEP_BATCH).await?)
    }

    /// Counts and logs the outcomes of fired timeouts: (fired, refused).
    fn count_timeouts(
        &self,
        outcomes: Vec<(redress_app::ports::DueCase, Result<redress_domain::Case, AppError>)>,
    ) -> (usize, usize) {
        let (mut fired, mut refused) = (0, 0);
        for (d, outcome) in outcomes {
            match outcome {
                Ok(_) => {
                    fired += 1;
                    let late = self.app.clock.now().duration_since(d.due).as_secs_f64().max(0.0);
                    metrics::histogram!(redress_app::telemetry::DEADLINE_LAG).record(late);
                }
                Err(AppError::Rejected(r)) => {
                    refused += 1;
                    tracing::warn!(case = %d.case_id, due = %d.due, code = r.code.as_str(), reason = %r, "timeout refused");
                }
                Err(e) => tracing::error!(case = %d.case_id, error = %e, "deadline not fired"),
            }
        }
        (fired, refused)
    }

    /// Executes the refunds cases asked for, through the payment gateway (idempotent per refund
    /// id, so a retry after a crash never pays twice).
    pub async fn execute_refunds(&self) -> anyhow::Result<usize> {
        use futures_util::StreamExt;
        let now = self.app.clock.now();
        let jobs = self.app.store.claim_jobs("refund", now, now.checked_add(self.lease)?, &self.owner, BATCH).await?;
        // The claimed refunds are independent (one job per case): paid concurrently, a few at
        // a time, so a batch takes about its slowest gateway call, not the sum of them.
        let settled = futures_util::stream::iter(jobs)
            .map(|job| self.settle_refund(job))
            .buffer_unordered(REFUNDS_AT_ONCE)
            .collect::<Vec<anyhow::Result<bool>>>()
            .await;
        let mut count = 0;
        for outcome in settled {
            count += usize::from(outcome?);
        }
        Ok(count)
    }

    /// Executes one claimed refund and records the job's outcome: whether it was settled.
    async fn settle_refund(&self, job: ClaimedJob) -> anyhow::Result<bool> {
        match self.execute_refund(&job).await {
            Ok(()) => {
                self.app.store.complete_job(job.id, self.app.clock.now()).await?;
                Ok(true)
            }
            Err(e) => {
                let backoff = SignedDuration::from_secs(30 * job.attempts.clamp(1, 120));
                tracing::warn!(job = %job.id, error = %e, "refund will be retried");
                self.app.store.retry_job(job.id, self.app.clock.now().checked_add(backoff)?, &e.to_string()).await?;
                Ok(false)
            }
        }
    }

    async fn execute_refund(&self, job: &ClaimedJob) -> anyhow::Result<()> {
        let case_id = job.case_id.ok_or_else(|| anyhow::anyhow!("refund job without a case"))?;
        let refund_id = job.payload["refund_id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("refund job without refund_id"))?
            .to_owned();
        let amount = Money::from_fen(
            job.payload["amount"].as_i64().ok_or_else(|| anyhow::anyhow!("refund job without amount"))?,
        );
        let record = self.app.store.case(case_id).await?.ok_or_else(|| anyhow::anyhow!("case {case_id} missing"))?;
        // Pay only what the case still waits for: a refund the case has moved past (proved
        // offline, replaced by a platform ruling) is never paid late.
        let pending = record.case.refund.as_ref().is_some_and(|r| r.refund_id == refund_id);
        if record.case.state != redress_domain::CaseState::Refunding || !pending {
            tracing::info!(case = %case_id, refund = %refund_id, "refund no longer pending: not paid");
            return Ok(());
        }
        let order =
            self.app.store.order(record.case.order_id).await?.ok_or_else(|| anyhow::anyhow!("order missing"))?;
        // Jobs written before payouts had kinds are refunds.
        let kind = serde_json::from_value(job.payload["kind"].clone()).unwrap_or(PayoutKind::Refund);
        let command = match self.app.gateway.refund(&order, &refund_id, amount, kind).await? {
            LedgerRefund::Executed => Command::RefundSucceeded { refund_id },
            LedgerRefund::Refused(reason) => Command::RefundFailed { refund_id, reason, over_limit: true },
        };
        match self.app.act_as_system(case_id, command).await {
            Ok(_) => Ok(()),
            // Settled by an earlier attempt of this job: nothing is left to do. (Any other refusal
            // after money moved is a race with another change; it is logged loudly.)
            Err(AppError::Rejected(r)) => {
                tracing::error!(case = %case_id, refund = %job.payload["refund_id"], code = r.code.as_str(), "refund result not applied to the case");
                Ok(())
            }
            Err(e) => Err(anyhow::anyhow!(e)),
        }
    }
}

/// Resolves when a change was committed in this process since this receiver last looked (at
/// once if one was committed while its loop was busy); never without a store that signals, or
/// once the store is gone (polling stays).
pub(crate) async fn committed_change(committed: &mut Option<tokio::sync::watch::Receiver<u64>>) {
    if let Some(receiver) = committed
        && receiver.changed().await.is_ok()
    {
        return;
    }
    std::future::pending().await
}
