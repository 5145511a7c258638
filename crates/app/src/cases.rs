//! Case use cases: file, act, read. Each change is decide → apply → one store transaction
//! (events, case row, deadline, outbox), retried when another change to the case won.

use crate::error::AppError;
use crate::idempotency::{Answered, Attempt, IdempotencyKey};
use crate::orders::page_size;
use crate::ports::{CaseFilter, OutboxItem, StoreError, StoredEvent};
use crate::views::{CaseView, TimelineEntryView};
use crate::{App, Principal, Role};
use redress_domain::Detail;
use redress_domain::command::FileCase;
use redress_domain::event::EventBody;
use redress_domain::lifecycle::Env;
use redress_domain::{Actor, Case, CaseId, Command, CommandKind, Event, Policy, apply, decide, decide_filing};
use serde::Serialize;

/// Timeline entries in a case's detail (the default page of every list).
pub const TIMELINE_PAGE: i64 = 20;

/// A case as its reader sees it: the case, its latest timeline entries and what the reader may
/// do now. A case with a long history answers in bounded size: older entries are read a page
/// at a time (`case_timeline`), from `timeline_before`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    pub case: CaseView,
    /// The number of events on the case (the last one's `seq`).
    pub version: i64,
    /// The latest `TIMELINE_PAGE` events, oldest first.
    pub timeline: Vec<TimelineEntryView>,
    /// When older events exist: the `before` of the next page (`GET …/timeline?before=`).
    pub timeline_before: Option<i64>,
    pub allowed_actions: Vec<&'static str>,
    /// While the reader may appeal the decision: the end of the appeal window (a closed case
    /// has no deadline, but this one matters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal_until: Option<jiff::Timestamp>,
    /// Who is on each side and how to reach them, as far as this reader may know.
    pub parties: crate::contacts::Parties,
    /// The order's conversation before the filing: the negotiation record, which comes before
    /// the first timeline entry.
    pub negotiation: crate::conversations::Negotiation,
}

/// A page of a case's timeline, oldest first, and the cursor of the page before it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelinePage {
    pub items: Vec<TimelineEntryView>,
    pub next_before: Option<i64>,
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
        match self.file_recorded(principal, request, order_id, None).await? {
            Ran::Done(change) => Ok(change.case),
            Ran::Replayed(_) => unreachable!("only a keyed filing is replayed"),
        }
    }

    /// Files a case and answers with `render` of its detail (status 201). With a key, the
    /// answer is recorded with the new case in one transaction, and a retry gets it back.
    pub async fn file_case_answered(
        &self,
        principal: &Principal,
        request: FileCase,
        order_id: redress_domain::OrderId,
        key: Option<&IdempotencyKey>,
        render: &(dyn Fn(CaseDetail) -> Result<String, AppError> + Send + Sync),
    ) -> Result<Answered, AppError> {
        Self::may_file(principal)?;
        let policy = self.policy_in_force().await?.1;
        let actor = principal.actor();
        // The detail of a case just filed is known before it is stored: its one event, and the
        // parties (the same for every attempt: the order's buyer and shop).
        let order = self.order(principal, order_id).await?;
        // A new case has no remedy yet, so no address is revealed.
        let parties = self.parties_of(actor.party(), order.buyer_id, order.merchant_id, false).await?;
        let by = self.speakers(&parties, &[actor]).await?.remove(0);
        let now = self.clock.now();
        let negotiation = self.negotiation_now(actor.party(), order_id, TIMELINE_PAGE).await?;
        let detail = |change: &Change| -> Result<String, AppError> {
            let env = Env { now, policy: &policy, calendar: self.calendar.as_ref() };
            render(CaseDetail {
                case: CaseView::from(&change.case),
                version: change.version,
                timeline: change.entries_for(actor, &by),
                // A new case has its one event: nothing older.
                timeline_before: None,
                allowed_actions: allowed_actions(&change.case, actor, &env),
                // A case just filed has no decision to appeal.
                appeal_until: None,
                parties: parties.clone(),
                negotiation: negotiation.clone(),
            })
        };
        let recorder = key.map(|key| Recorder { key, status: 201, render: &detail });
        Ok(match self.file_recorded(principal, request, order_id, recorder.as_ref()).await? {
            Ran::Done(change) => Answered::Fresh { status: 201, body: detail(&change)? },
            Ran::Replayed(answer) => Answered::Replayed(answer),
        })
    }

    /// Who may file at all (before anything of the order is read).
    pub fn may_file(principal: &Principal) -> Result<(), AppError> {
        if principal.role() != Role::Buyer {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "buyer".into() }));
        }
        Ok(())
    }

    async fn policy_in_force(&self) -> Result<(i64, Policy), AppError> {
        Ok(self.store.policy_in_force(self.clock.now()).await?.ok_or_else(|| anyhow::anyhow!("no policy in force"))?)
    }

    async fn file_recorded(
        &self,
        principal: &Principal,
        request: FileCase,
        order_id: redress_domain::OrderId,
        recorder: Option<&Recorder<'_>>,
    ) -> Result<Ran, AppError> {
        Self::may_file(principal)?;
        let order = self.order(principal, order_id).await?;
        let now = self.clock.now();
        let (version, policy) = self.policy_in_force().await?;
        let env = Env { now, policy: &policy, calendar: self.calendar.as_ref() };
        // The filing is decided on the order's other cases as read; the store refuses it if any
        // case was filed on the order meanwhile, and it is decided again on the fresh history.
        self.commit_keyed(recorder.map(|r| r.key), || async {
            let history = self.store.order_history(&order).await?;
            let case_id = CaseId(uuid::Uuid::now_v7());
            let (case, filed, mut outbox) =
                new_case(case_id, &request, &order, &history, version, principal.actor(), &env)?;
            outbox.extend(self.notices(&case, std::slice::from_ref(&filed)).await?);
            let EventBody::Filed(f) = &filed.body else { unreachable!("decide_filing returns Filed") };
            let opened = Case::opened(f, now);
            let change = Change::new(case, 0, redress_domain::chain::GENESIS, vec![filed.clone()]);
            outbox.extend(crate::webhooks::payload::outbox_item(opened, &change.events));
            let answer = recorder.map(|r| r.record(&change, now)).transpose()?;
            let sent =
                self.store.create_case(&change.case, &filed, &outbox, history.prior_cases, answer.as_ref()).await;
            Ok(Attempt::Sent(sent, Box::new(change)))
        })
        .await
    }

    /// Runs a command from a person or merchant system on a case they can see.
    pub async fn act(&self, principal: &Principal, case_id: CaseId, command: Command) -> Result<Case, AppError> {
        self.act_as_read(principal, case_id, command, None).await
    }

    /// `act` on the case as the caller read it: with `read`, the version the caller decided on,
    /// the action is refused (`case_changed`) if the case is at another version (the pages'
    /// forms, which need no answer but the outcome).
    pub async fn act_as_read(
        &self,
        principal: &Principal,
        case_id: CaseId,
        command: Command,
        read: Option<i64>,
    ) -> Result<Case, AppError> {
        self.check_public(&command)?;
        self.visible_case(principal, case_id).await?;
        self.may_cite(principal, case_id, &command).await?;
        self.run_unkeyed(case_id, &command, principal.actor(), &unchanged_since(read)).await
    }

    /// `act`, answered with what changed (`ActionAnswer`, status 200). With a key, the answer
    /// is recorded with the change in one transaction, and a retry gets it back. With `read`,
    /// the version of the case the caller decided on, the action is refused (`case_changed`)
    /// if the case is at another version when it would be taken: a shop that approved the
    /// ¥10 it read does not pay the ¥49 a revision asked for meanwhile.
    pub async fn act_answered(
        &self,
        principal: &Principal,
        case_id: CaseId,
        command: Command,
        key: Option<&IdempotencyKey>,
        read: Option<i64>,
    ) -> Result<Answered, AppError> {
        self.check_public(&command)?;
        let record = self.visible_case(principal, case_id).await?;
        self.may_cite(principal, case_id, &command).await?;
        // A case keeps the policy it was filed under, so the answer's `allowed_actions` can be
        // worked out before the change commits.
        let policy = self.policy_of(&record.case).await?;
        let actor = principal.actor();
        // Every event of the change is the caller's.
        let parties = self.parties_for(actor.party(), &record.case).await?;
        let by = self.speakers(&parties, &[actor]).await?.remove(0);
        let render = |change: &Change| -> Result<String, AppError> {
            let env = Env { now: self.clock.now(), policy: &policy, calendar: self.calendar.as_ref() };
            let answer = ActionAnswer {
                case: CaseView::from(&change.case),
                version: change.version,
                events: change.entries_for(actor, &by),
                allowed_actions: allowed_actions(&change.case, actor, &env),
            };
            Ok(serde_json::to_string(&answer).map_err(anyhow::Error::from)?)
        };
        let recorder = key.map(|key| Recorder { key, status: 200, render: &render });
        Ok(match self.run_recorded(case_id, &command, actor, &unchanged_since(read), recorder.as_ref()).await? {
            Ran::Done(change) => Answered::Fresh { status: 200, body: render(&change)? },
            Ran::Replayed(answer) => Answered::Replayed(answer),
        })
    }

    fn check_public(&self, command: &Command) -> Result<(), AppError> {
        if command.kind().is_system() {
            return Err(AppError::Forbidden(Detail::SystemAction));
        }
        Ok(())
    }

    /// A message may cite only files its sender may see: the other side's confidential file is
    /// refused as if it were not on the case. A file's visibility never changes, so checking
    /// before the command runs holds for the change.
    async fn may_cite(&self, principal: &Principal, case_id: CaseId, command: &Command) -> Result<(), AppError> {
        let Command::Message { evidence, .. } = command else { return Ok(()) };
        if evidence.is_empty() {
            return Ok(());
        }
        let viewer = principal.actor().party();
        let files = self.store.evidence(case_id).await?;
        let visible =
            |id: &redress_domain::EvidenceId| files.iter().any(|f| f.file.evidence_id == *id && f.visible_to(viewer));
        match evidence.iter().find(|id| !visible(id)) {
            Some(id) => {
                Err(redress_domain::Rejection::invalid(Detail::EvidenceNotOnCase { evidence: id.to_string() }).into())
            }
            None => Ok(()),
        }
    }

    async fn visible_case(&self, principal: &Principal, case_id: CaseId) -> Result<crate::ports::CaseRecord, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        Ok(record)
    }

    /// Runs a command as `Actor::System` (deadlines, refund results).
    pub async fn act_as_system(&self, case_id: CaseId, command: Command) -> Result<Case, AppError> {
        self.run(case_id, &command, Actor::System).await
    }

    async fn run(&self, case_id: CaseId, command: &Command, actor: Actor) -> Result<Case, AppError> {
        self.run_unkeyed(case_id, command, actor, &|_| Ok(())).await
    }

    /// `run_recorded` without a key: nothing to replay, the case as changed.
    async fn run_unkeyed(
        &self,
        case_id: CaseId,
        command: &Command,
        actor: Actor,
        check: &(dyn Fn(&crate::ports::CaseRecord) -> Result<(), AppError> + Send + Sync),
    ) -> Result<Case, AppError> {
        match self.run_recorded(case_id, command, actor, check, None).await? {
            Ran::Done(change) => Ok(change.case),
            Ran::Replayed(_) => unreachable!("only a keyed command is replayed"),
        }
    }

    /// Runs a command, with a check of the case as read in each attempt (a limit the domain
    /// does not know, such as the evidence bytes per case, so it holds under concurrent
    /// changes) and, for a keyed request, its answer recorded in the change's transaction.
    pub(crate) async fn run_recorded(
        &self,
        case_id: CaseId,
        command: &Command,
        actor: Actor,
        check: &(dyn Fn(&crate::ports::CaseRecord) -> Result<(), AppError> + Send + Sync),
        recorder: Option<&Recorder<'_>>,
    ) -> Result<Ran, AppError> {
        self.commit_keyed(recorder.map(|r| r.key), || async {
            let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
            if let Err(refused) = check(&record) {
                // A twin with this key may have made the very change the caller read the case
                // for, between its key's lookup and this read: its answer is the answer, not a
                // refusal of the version it moved on (a 412 is not kept under a key).
                return match self.answered_before(recorder.map(|r| r.key)).await? {
                    Some(first) => Ok(Attempt::Twin(first)),
                    None => Err(refused),
                };
            }
            let now = self.clock.now();
            let (version, head) = (record.version, record.last_hash.clone());
            let (change, events, outbox) = self.make_change(record, command, actor, now, None).await?;
            // Already in effect because a twin with this key committed it: its answer is the
            // answer (this change has no event to render one from).
            if events.is_empty()
                && let Some(first) = self.answered_before(recorder.map(|r| r.key)).await?
            {
                return Ok(Attempt::Twin(first));
            }
            let answer = recorder.map(|r| r.record(&change, now)).transpose()?;
            let sent = if events.is_empty() {
                // Nothing to commit (the command was already in effect): the answer alone.
                match &answer {
                    Some(a) if !self.store.idempotency_record(a, now).await? => Err(StoreError::AlreadyAnswered),
                    _ => Ok(()),
                }
            } else {
                self.store.append(&change.case, version, &head, &events, &outbox, answer.as_ref()).await
            };
            Ok(Attempt::Sent(sent, Box::new(change)))
        })
        .await
    }

    /// What `command` by `actor` makes of `record` at `now`: the change, its events and its
    /// outbox (the notices go to `staff` as the shop's staff when the caller read them already,
    /// else to the staff stored now).
    pub(crate) async fn make_change(
        &self,
        record: crate::ports::CaseRecord,
        command: &Command,
        actor: Actor,
        now: jiff::Timestamp,
        staff: Option<&[redress_domain::UserId]>,
    ) -> Result<(Change, Vec<Event>, Vec<OutboxItem>), AppError> {
        let policy = self.policy_of(&record.case).await?;
        let env = Env { now, policy: &policy, calendar: self.calendar.as_ref() };
        let events = decide(&record.case, command, actor, &env)?;
        let case = events.iter().fold(record.case.clone(), apply);
        let mut outbox = outbox(&case, &events);
        outbox.extend(self.notices_to(&case, &events, staff).await?);
        let change = Change::new(case, record.version, &record.last_hash, events.clone());
        // Every event goes to the merchant's webhooks, written in the change's transaction.
        outbox.extend(crate::webhooks::payload::outbox_item(record.case, &change.events));
        Ok((change, events, outbox))
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
        let parties = self.parties_for(principal.actor().party(), &record.case).await?;
        let page = self.timeline_page(principal, &parties, &self.newest_events(case_id, record.version).await?).await?;
        let negotiation = self.negotiation(principal.actor().party(), &record.case, TIMELINE_PAGE).await?;
        let appeal_until = allowed_actions
            .contains(&CommandKind::Appeal.name())
            .then(|| redress_domain::lifecycle::appeal_window_end(&record.case, &policy));
        Ok(CaseDetail {
            negotiation,
            parties,
            appeal_until,
            case: CaseView::from(&record.case),
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
        let before = redress_domain::chain::before_cursor("before", before).map_err(AppError::Rejected)?;
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        let parties = self.parties_for(principal.actor().party(), &record.case).await?;
        let events = self.store.events_page(case_id, before, limit).await?;
        self.timeline_page(principal, &parties, &events).await
    }

    /// The newest page of a case's events at `version`, newest first, read once (`CaseReads`).
    async fn newest_events(
        &self,
        case_id: CaseId,
        version: i64,
    ) -> Result<std::sync::Arc<Vec<crate::ports::StoredEvent>>, AppError> {
        let key = (case_id, version, TIMELINE_PAGE);
        if let Some(events) = self.case_reads.timelines.get(&key) {
            return Ok(events);
        }
        // Below `version + 1`: a change committed since the case row was read stays out, so the
        // page matches the case it is shown with (and is the same whenever it is read).
        let events = std::sync::Arc::new(self.store.events_page(case_id, Some(version + 1), TIMELINE_PAGE).await?);
        self.case_reads.timelines.put(key, events.clone());
        Ok(events)
    }

    /// `events` (newest first, as the store reads them) as this reader sees them, oldest first;
    /// `parties` as this reader sees them name who acted (`TimelineEntry::by`).
    async fn timeline_page(
        &self,
        principal: &Principal,
        parties: &crate::contacts::Parties,
        events: &[crate::ports::StoredEvent],
    ) -> Result<TimelinePage, AppError> {
        let viewer = principal.actor().party();
        // Sequence numbers start at 1 without gaps: anything above 1 has older events before it.
        let next_before = events.last().map(|e| e.seq).filter(|&seq| seq > 1);
        let actors: Vec<Actor> = events.iter().rev().map(|e| e.event.actor).collect();
        let speakers = self.speakers(parties, &actors).await?;
        let items = events.iter().rev().zip(speakers).map(|(e, by)| TimelineEntryView::of(e, by, viewer)).collect();
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

/// The check that the case is still at `read`, the version the caller decided on (none: any).
/// Made on the case as each attempt reads it: a change that commits between the read and the
/// write makes the write a conflict, and the attempt after it sees the new version.
fn unchanged_since(read: Option<i64>) -> impl Fn(&crate::ports::CaseRecord) -> Result<(), AppError> + Send + Sync {
    move |record| match read {
        Some(read) if read != record.version => {
            let detail = Detail::CaseChanged { read, current: record.version };
            Err(redress_domain::Rejection::with(redress_domain::RejectionCode::CaseChanged, detail).into())
        }
        _ => Ok(()),
    }
}

/// What an action answers: the case as it is now and the events this action appended, never
/// the whole timeline (which grows without bound; `GET /cases/{id}` pages through it).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionAnswer {
    pub case: CaseView,
    pub version: i64,
    pub events: Vec<TimelineEntryView>,
    pub allowed_actions: Vec<&'static str>,
}

/// A change to a case as it is committed: the new fold, its version, and the events it appends
/// with their links in the case's hash chain (the very links the store writes).
pub struct Change {
    pub case: Case,
    pub version: i64,
    pub events: Vec<StoredEvent>,
}

impl Change {
    fn new(case: Case, version: i64, last_hash: &str, events: Vec<Event>) -> Change {
        let mut prev = last_hash.to_owned();
        let mut stored = Vec::with_capacity(events.len());
        for (i, event) in events.into_iter().enumerate() {
            let seq = version + 1 + i as i64;
            let content = serde_json::to_string(&event).unwrap_or_default();
            let link = redress_domain::chain::next_link(&prev, seq, content);
            prev = link.hash.clone();
            stored.push(StoredEvent { seq, event, link });
        }
        Change { case, version: version + stored.len() as i64, events: stored }
    }

    /// The appended events as `actor`, who made them (`by`), may see them.
    fn entries_for(&self, actor: Actor, by: &crate::contacts::Speaker) -> Vec<TimelineEntryView> {
        self.events.iter().map(|e| TimelineEntryView::of(e, by.clone(), actor.party())).collect()
    }
}

/// How a keyed request's answer is made from its change before the change commits.
pub(crate) struct Recorder<'a> {
    pub key: &'a IdempotencyKey,
    pub status: u16,
    pub render: &'a (dyn Fn(&Change) -> Result<String, AppError> + Send + Sync),
}

impl Recorder<'_> {
    fn record(&self, change: &Change, now: jiff::Timestamp) -> Result<crate::ports::IdempotencyRecord, AppError> {
        Ok(self.key.record(self.status, (self.render)(change)?, now))
    }
}

/// How a change to a case ended: committed, or answered before under its key.
pub(crate) type Ran = crate::idempotency::Ran<Box<Change>>;

/// The work a change leaves behind, written in its transaction: a refund to execute.
/// A case as filing makes it (not yet stored): the case, its `Filed` event and its outbox rows.
/// `redress bench seed` builds its data set with it, so the rows are the ones filing writes.
pub fn new_case(
    case_id: CaseId,
    request: &FileCase,
    order: &redress_domain::order::Order,
    history: &redress_domain::order::OrderHistory,
    policy_version: i64,
    actor: Actor,
    env: &Env,
) -> Result<(Case, Event, Vec<OutboxItem>), AppError> {
    let filed = decide_filing(case_id, request, order, history, policy_version, actor, env)?;
    let EventBody::Filed(f) = &filed.body else { unreachable!("decide_filing returns Filed") };
    let case = apply(Case::opened(f, env.now), &filed);
    let outbox = outbox(&case, std::slice::from_ref(&filed));
    Ok((case, filed, outbox))
}

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

/// The actions `actor` may take now: every public kind the rules permit them (`permit`, which
/// depends on who asks, the case and the time, never on arguments).
pub fn allowed_actions(case: &Case, actor: Actor, env: &Env) -> Vec<&'static str> {
    redress_domain::lifecycle::offered(case, actor, env).into_iter().map(CommandKind::name).collect()
}
