//! Case use cases: file, act, read. Each change is decide → apply → one store transaction
//! (events, case row, deadline, outbox), retried when another change to the case won.

use crate::error::AppError;
use crate::orders::page_size;
use crate::ports::{CaseFilter, OutboxItem, StoreError, StoredEvent};
use crate::{App, Principal, Role};
use redress_domain::command::FileCase;
use redress_domain::event::EventBody;
use redress_domain::lifecycle::Env;
use redress_domain::{
    Actor, Case, CaseId, Command, Event, Policy, Rejection, RejectionCode, apply, decide, decide_filing,
};
use serde::Serialize;

/// A command loses the optimistic race only to another change that then lands, so a few
/// retries with jittered backoff let any burst of writers on one case through.
const ATTEMPTS: u32 = 30;

/// Timeline entries in a case's detail (the default page of every list).
pub const TIMELINE_PAGE: i64 = 20;

/// A case as its reader sees it: the case, its latest timeline entries and what the reader may
/// do now. A case with a long history answers in bounded size: older entries are read a page
/// at a time (`case_timeline`), from `timeline_before`.
#[derive(Debug, Serialize)]
pub struct CaseDetail {
    pub case: Case,
    /// The number of events on the case (the last one's `seq`).
    pub version: i64,
    /// The latest `TIMELINE_PAGE` events, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// When older events exist: the `before` of the next page (`GET …/timeline?before=`).
    pub timeline_before: Option<i64>,
    pub allowed_actions: Vec<&'static str>,
    /// Who is on each side and how to reach them, as far as this reader may know.
    pub parties: crate::contacts::Parties,
}

/// A page of a case's timeline, oldest first, and the cursor of the page before it.
#[derive(Debug, Serialize)]
pub struct TimelinePage {
    pub items: Vec<TimelineEntry>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub seq: i64,
    #[serde(flatten)]
    pub event: Event,
    pub prev_hash: String,
    pub hash: String,
}

impl App {
    async fn policy_of(&self, case: &Case) -> Result<Policy, AppError> {
        let policy = self.store.policy(case.policy_version).await?;
        Ok(policy.ok_or_else(|| anyhow::anyhow!("policy version {} missing", case.policy_version))?)
    }

    /// Makes sure a policy is in force: version 1 with the defaults on a new database.
    pub async fn ensure_policy(&self) -> Result<(), AppError> {
        self.ensure_policy_with(&Policy::default()).await
    }

    /// Makes sure a policy is in force: version 1 is `initial` on a new database.
    pub async fn ensure_policy_with(&self, initial: &Policy) -> Result<(), AppError> {
        if self.store.policy(1).await?.is_none() {
            let epoch = jiff::Timestamp::UNIX_EPOCH;
            self.store.insert_policy(1, initial, epoch, epoch).await?;
        }
        Ok(())
    }

    pub async fn file_case(
        &self,
        principal: &Principal,
        request: FileCase,
        order_id: redress_domain::OrderId,
    ) -> Result<Case, AppError> {
        if principal.role() != Role::Buyer {
            return Err(AppError::Forbidden("only buyers file cases"));
        }
        let order = self.order(principal, order_id).await?;
        let now = self.clock.now();
        let (version, policy) =
            self.store.policy_in_force(now).await?.ok_or_else(|| anyhow::anyhow!("no policy in force"))?;
        let env = Env { now, policy: &policy, calendar: self.calendar.as_ref() };
        // The filing is decided on the order's other cases as read; the store refuses it if any
        // case was filed on the order meanwhile, and it is decided again on the fresh history.
        for attempt in 0..ATTEMPTS {
            let history = self.store.order_history(&order).await?;
            let case_id = CaseId(uuid::Uuid::now_v7());
            let filed = decide_filing(case_id, &request, &order, &history, version, principal.actor(), &env)?;
            let EventBody::Filed(f) = &filed.body else { unreachable!("decide_filing returns Filed") };
            let case = apply(Case::opened(f, now), &filed);
            let outbox = outbox(&case, std::slice::from_ref(&filed));
            match self.store.create_case(&case, &filed, &outbox, history.prior_cases).await {
                Ok(()) => return Ok(case),
                Err(StoreError::Conflict) => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Contended)
    }

    /// Runs a command from a person or merchant system on a case they can see.
    pub async fn act(&self, principal: &Principal, case_id: CaseId, command: Command) -> Result<Case, AppError> {
        if matches!(
            command,
            Command::Timeout { .. }
                | Command::RefundSucceeded { .. }
                | Command::RefundFailed { .. }
                | Command::AddEvidence { .. }
        ) {
            return Err(AppError::Forbidden("system actions are not available through the API"));
        }
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        self.run(case_id, &command, principal.actor()).await
    }

    /// Runs a command as `Actor::System` (deadlines, refund results).
    pub async fn act_as_system(&self, case_id: CaseId, command: Command) -> Result<Case, AppError> {
        self.run(case_id, &command, Actor::System).await
    }

    async fn run(&self, case_id: CaseId, command: &Command, actor: Actor) -> Result<Case, AppError> {
        self.run_checked(case_id, command, actor, &|_| Ok(())).await
    }

    /// `run`, with a check of the case as read in each attempt (a limit the domain does not
    /// know, such as the evidence bytes per case), so it holds under concurrent changes.
    pub(crate) async fn run_checked(
        &self,
        case_id: CaseId,
        command: &Command,
        actor: Actor,
        check: &(dyn Fn(&Case) -> Result<(), AppError> + Send + Sync),
    ) -> Result<Case, AppError> {
        for attempt in 0..ATTEMPTS {
            let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
            check(&record.case)?;
            let policy = self.policy_of(&record.case).await?;
            let env = Env { now: self.clock.now(), policy: &policy, calendar: self.calendar.as_ref() };
            let events = decide(&record.case, command, actor, &env)?;
            if events.is_empty() {
                return Ok(record.case);
            }
            let case = events.iter().fold(record.case, apply);
            match self.store.append(&case, record.version, &events, &outbox(&case, &events)).await {
                Ok(()) => return Ok(case),
                Err(StoreError::Conflict) => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Contended)
    }

    pub async fn case_detail(&self, principal: &Principal, case_id: CaseId) -> Result<CaseDetail, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        let policy = self.policy_of(&record.case).await?;
        let allowed_actions = allowed_actions(
            &record.case,
            principal.actor(),
            &Env { now: self.clock.now(), policy: &policy, calendar: self.calendar.as_ref() },
        );
        let page = self.timeline_page(principal, case_id, None, TIMELINE_PAGE).await?;
        let parties = self.parties_for(principal.actor().party(), &record.case).await?;
        Ok(CaseDetail {
            parties,
            case: record.case,
            version: record.version,
            timeline: page.items,
            timeline_before: page.next_before,
            allowed_actions,
        })
    }

    /// A page of a case's timeline as its reader may see it: the `limit` (as every list: 1 to
    /// 100, default 20) events before `before` (the newest when `None`), oldest first.
    pub async fn case_timeline(
        &self,
        principal: &Principal,
        case_id: CaseId,
        before: Option<i64>,
        limit: Option<i64>,
    ) -> Result<TimelinePage, AppError> {
        let limit = page_size(limit)?;
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        self.timeline_page(principal, case_id, before, limit).await
    }

    async fn timeline_page(
        &self,
        principal: &Principal,
        case_id: CaseId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<TimelinePage, AppError> {
        let mut events = self.store.events_page(case_id, before, limit).await?;
        events.reverse();
        let viewer = principal.actor().party();
        // Sequence numbers start at 1 without gaps: anything above 1 has older events before it.
        let next_before = events.first().map(|e| e.seq).filter(|&seq| seq > 1);
        let items = events
            .into_iter()
            .map(|StoredEvent { seq, event, link }| TimelineEntry {
                seq,
                event: redress_domain::evidence::redacted_for(&event, viewer),
                prev_hash: link.prev_hash,
                hash: link.hash,
            })
            .collect();
        Ok(TimelinePage { items, next_before })
    }

    pub async fn list_cases(
        &self,
        principal: &Principal,
        mut filter: CaseFilter,
        limit: Option<i64>,
    ) -> Result<Vec<Case>, AppError> {
        filter.limit = page_size(limit)?;
        (filter.buyer_id, filter.merchant_id) = principal.list_scope()?;
        Ok(self.store.list_cases(&filter).await?)
    }

    /// Recomputes a case's hash chain from the stored events.
    pub async fn verify_chain(
        &self,
        case_id: CaseId,
    ) -> Result<Result<usize, redress_domain::chain::ChainBreak>, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        let events = self.store.events(case_id).await?;
        let links: Vec<_> = events.into_iter().map(|e| e.link).collect();
        Ok(redress_domain::chain::verify_with_head(&links, record.version, &record.last_hash).map(|()| links.len()))
    }
}

/// A short, growing, jittered pause before retrying a change that lost a race.
async fn backoff(attempt: u32) {
    let jitter = rand::random_range(1..=(4 * (attempt + 1)).min(50));
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(jitter))).await;
}

/// The work a change leaves behind, written in its transaction: a refund to execute.
fn outbox(case: &Case, events: &[Event]) -> Vec<OutboxItem> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::RefundStarted { refund } => Some(OutboxItem {
                topic: "refund".into(),
                case_id: Some(case.id),
                payload: serde_json::json!({
                    "refund_id": refund.refund_id,
                    "amount": refund.amount,
                    "order_id": case.order_id,
                    "kind": if refund.outcome == redress_domain::Outcome::Compensated {
                        crate::ports::PayoutKind::Compensation
                    } else {
                        crate::ports::PayoutKind::Refund
                    },
                }),
            }),
            _ => None,
        })
        .collect()
}

/// The actions `actor` may take now: each public action is tried on the pure `decide` with
/// plausible arguments; it is offered unless refused for who or when (bad arguments still mean
/// the action itself is open).
pub fn allowed_actions(case: &Case, actor: Actor, env: &Env) -> Vec<&'static str> {
    use redress_domain::Party;
    use redress_domain::case::Remedy;
    use redress_domain::vocabulary::{RejectReason, RemedyKind};
    let text = || "-".to_owned();
    let remedy = Remedy { kind: RemedyKind::Refund, amount: redress_domain::Money::from_fen(1) };
    let probes = [
        Command::Message { text: text(), evidence: Vec::new() },
        Command::Revise { kind: None, amount: None, description: None },
        Command::Withdraw,
        Command::AcceptOffer,
        Command::DeclineOffer,
        Command::Answer { text: text() },
        Command::ShipReturn { carrier: text(), tracking_no: text() },
        Command::ConfirmReplacement,
        Command::Escalate { text: text() },
        Command::Rate { stars: 5, comment: String::new() },
        Command::Approve,
        Command::Reject { reason: RejectReason::Other, text: text() },
        Command::Offer { remedy, note: String::new() },
        Command::Ask { question: text() },
        Command::ConfirmReceipt,
        Command::DisputeReceipt { text: text() },
        Command::ShipReplacement { carrier: text(), tracking_no: text() },
        Command::ProveOfflineRefund { note: text() },
        Command::AcceptMediation,
        Command::DeclineMediation,
        Command::SubmitEvidence { text: text() },
        Command::Appeal { reason: text() },
        Command::Take,
        Command::RequestEvidence { party: Party::Buyer, what: text(), due_in_hours: None },
        Command::ProposeMediation { remedy, note: String::new() },
        Command::Decide { remedy: None, liable: None, rationale: text(), cited_rule: text() },
        Command::ReviewAppeal { uphold: true, remedy: None, rationale: text(), cited_rule: text() },
    ];
    probes
        .iter()
        .filter(|command| match decide(case, command, actor, env) {
            Ok(events) => !events.is_empty(),
            Err(Rejection { code, .. }) => matches!(
                code,
                RejectionCode::InvalidInput | RejectionCode::AmountExceedsRefundable | RejectionCode::AmountNotPositive
            ),
        })
        .map(Command::action_name)
        .collect()
}
