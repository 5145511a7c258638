//! Taking a case outside the platform: 12315 (the market regulator), a consumer association,
//! arbitration or a court. Redress records where and when the buyer filed and keeps the
//! regulator's clocks (市场监督管理投诉举报处理暂行办法: a decision on acceptance within 7
//! working days of receipt; mediation ends 45 working days after acceptance), reminding the
//! buyer before each passes.

use crate::error::AppError;
use crate::{App, Principal, Role};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use redress_domain::Detail;
use redress_domain::lifecycle::WorkingDeadline;
use redress_domain::{CaseId, UserId};
use redress_law::calendar::start_of_shanghai_day;
use serde::{Deserialize, Serialize};

pub const ACCEPTANCE_WORKING_DAYS: u32 = 7;
pub const MEDIATION_WORKING_DAYS: u32 = 45;
/// How long before a clock passes the buyer is reminded.
pub const REMINDER_LEAD: SignedDuration = SignedDuration::from_hours(24);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub enum ExternalChannel {
    #[serde(rename = "regulator_12315")]
    Regulator12315,
    #[serde(rename = "consumer_association")]
    ConsumerAssociation,
    #[serde(rename = "arbitration")]
    Arbitration,
    #[serde(rename = "court")]
    Court,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    AcceptanceSoon,
    AcceptanceOverdue,
    MediationEndsSoon,
    MediationEnded,
}

impl Reminder {
    fn kind(self) -> redress_text::NotificationKind {
        use redress_text::NotificationKind as K;
        match self {
            Reminder::AcceptanceSoon => K::ExternalAcceptanceSoon,
            Reminder::AcceptanceOverdue => K::ExternalAcceptanceOverdue,
            Reminder::MediationEndsSoon => K::ExternalMediationEndsSoon,
            Reminder::MediationEnded => K::ExternalMediationEnded,
        }
    }
}

/// One filing outside the platform, with its clocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct ExternalEscalation {
    pub id: uuid::Uuid,
    pub case_id: CaseId,
    pub buyer_id: UserId,
    pub channel: ExternalChannel,
    pub filed_on: Date,
    pub reference: String,
    pub recorded_at: Timestamp,
    /// Regulator only: when the decision on acceptance is due.
    pub acceptance_due: Option<Timestamp>,
    /// Set while `acceptance_due` was counted over a year without an imported holiday notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance_provisional_year: Option<i16>,
    pub accepted_on: Option<Date>,
    /// Regulator only, once accepted: when mediation ends.
    pub mediation_ends: Option<Timestamp>,
    /// Set while `mediation_ends` was counted over a year without an imported holiday notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediation_provisional_year: Option<i16>,
    pub reminders_sent: Vec<Reminder>,
}

impl ExternalEscalation {
    /// The next reminder to send, and when.
    pub fn next_reminder(&self) -> Option<(Timestamp, Reminder)> {
        let mut due = Vec::new();
        if let (Some(at), None) = (self.acceptance_due, self.accepted_on) {
            due.push((at.saturating_sub(REMINDER_LEAD).ok()?, Reminder::AcceptanceSoon));
            due.push((at, Reminder::AcceptanceOverdue));
        }
        if let Some(at) = self.mediation_ends {
            due.push((at.saturating_sub(REMINDER_LEAD).ok()?, Reminder::MediationEndsSoon));
            due.push((at, Reminder::MediationEnded));
        }
        due.into_iter().filter(|(_, r)| !self.reminders_sent.contains(r)).min_by_key(|(at, _)| *at)
    }
}

/// A message to one person, shown in their notification list. It is stored as a kind plus
/// arguments and told in the reader's language when read (`text`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    pub case_id: Option<CaseId>,
    /// A `redress_text::NotificationKind`, by its stable name.
    pub kind: String,
    #[serde(default)]
    pub args: serde_json::Map<String, serde_json::Value>,
    /// Rows stored before the text catalogue carry their text in both languages instead.
    #[serde(flatten)]
    pub legacy_text: Option<LegacyText>,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyText {
    pub text_zh: String,
    pub text_en: String,
}

impl Notification {
    pub fn new(
        user_id: UserId,
        case_id: Option<CaseId>,
        kind: redress_text::NotificationKind,
        args: serde_json::Value,
        created_at: Timestamp,
    ) -> Notification {
        let args = match args {
            serde_json::Value::Object(args) => args,
            other => serde_json::Map::from_iter([("value".to_owned(), other)]),
        };
        Notification {
            id: uuid::Uuid::now_v7(),
            user_id,
            case_id,
            kind: kind.as_str().to_owned(),
            args,
            legacy_text: None,
            created_at,
            read_at: None,
        }
    }

    /// What the notification says, in `lang`.
    pub fn text(&self, lang: redress_text::Lang) -> String {
        if let Some(told) = redress_text::notifications::render(lang, &self.kind, &self.args) {
            return told;
        }
        match (&self.legacy_text, lang) {
            (Some(t), redress_text::Lang::Zh) => t.text_zh.clone(),
            (Some(t), redress_text::Lang::En) => t.text_en.clone(),
            (None, _) => self.kind.clone(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEscalation {
    pub channel: ExternalChannel,
    pub filed_on: Date,
    #[serde(default)]
    pub reference: String,
}

fn day_start(date: Date) -> Result<Timestamp, AppError> {
    start_of_shanghai_day(date).ok_or_else(|| AppError::Invalid(Detail::DateOutOfRange))
}

impl App {
    async fn escalation_case(&self, principal: &Principal, case_id: CaseId) -> Result<redress_domain::Case, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        if principal.role() == Role::Merchant {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "buyer, agent".into() }));
        }
        Ok(record.case)
    }

    fn working_days(&self, from: Date, days: u32) -> Result<WorkingDeadline, AppError> {
        use redress_domain::WorkingCalendar;
        self.calendar.working_deadline(day_start(from)?, days).map_err(|gap| {
            AppError::Rejected(redress_domain::Rejection::with(
                redress_domain::RejectionCode::CalendarNotCovered,
                Detail::CalendarYear { year: gap.year },
            ))
        })
    }

    pub async fn record_external_escalation(
        &self,
        principal: &Principal,
        case_id: CaseId,
        new: NewEscalation,
    ) -> Result<ExternalEscalation, AppError> {
        let case = self.escalation_case(principal, case_id).await?;
        let now = self.clock.now();
        if day_start(new.filed_on)? > now {
            return Err(AppError::Invalid(Detail::FiledInFuture));
        }
        if new.reference.chars().count() > 100 {
            return Err(AppError::Invalid(Detail::too_long("reference", 100)));
        }
        redress_domain::free_text::check_controls("reference", &new.reference)?;
        let acceptance = match new.channel {
            ExternalChannel::Regulator12315 => Some(self.working_days(new.filed_on, ACCEPTANCE_WORKING_DAYS)?),
            _ => None,
        };
        let escalation = ExternalEscalation {
            id: uuid::Uuid::now_v7(),
            case_id,
            buyer_id: case.buyer_id,
            channel: new.channel,
            filed_on: new.filed_on,
            reference: new.reference.trim().to_owned(),
            recorded_at: now,
            acceptance_due: acceptance.map(|d| d.due),
            acceptance_provisional_year: acceptance.and_then(|d| d.provisional_year),
            accepted_on: None,
            mediation_ends: None,
            mediation_provisional_year: None,
            reminders_sent: Vec::new(),
        };
        self.store.insert_external_escalation(&escalation).await?;
        Ok(escalation)
    }

    /// The regulator accepted the complaint: its mediation clock starts.
    pub async fn record_acceptance(
        &self,
        principal: &Principal,
        case_id: CaseId,
        id: uuid::Uuid,
        accepted_on: Date,
    ) -> Result<ExternalEscalation, AppError> {
        self.escalation_case(principal, case_id).await?;
        let mut escalation = self
            .store
            .external_escalations(case_id)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(AppError::NotFound)?;
        if escalation.channel != ExternalChannel::Regulator12315 {
            return Err(AppError::Invalid(Detail::OnlyComplaintAccepted));
        }
        if accepted_on < escalation.filed_on || day_start(accepted_on)? > self.clock.now() {
            return Err(AppError::Invalid(Detail::AcceptedOnRange));
        }
        let previous = escalation.next_reminder().map(|(at, _)| at);
        escalation.accepted_on = Some(accepted_on);
        let ends = self.working_days(accepted_on, MEDIATION_WORKING_DAYS)?;
        escalation.mediation_ends = Some(ends.due);
        escalation.mediation_provisional_year = ends.provisional_year;
        if !self.store.update_external_escalation(&escalation, previous, None).await? {
            return Err(AppError::Contended);
        }
        Ok(escalation)
    }

    /// Recounts the regulator clocks counted provisionally over `year` (a clock whose final
    /// reminder went out has fired and stays so). The case's chain records each change through
    /// `decide`, and the buyer is told.
    pub(crate) async fn recount_regulator_clocks(&self, year: i16) -> Result<usize, AppError> {
        let from = crate::calendar::year_start(year)?.saturating_sub(REMINDER_LEAD).map_err(anyhow::Error::from)?;
        let mut recounted = 0;
        for mut escalation in self.store.external_escalations_due_from(from).await? {
            let previous = escalation.next_reminder().map(|(at, _)| at);
            let mut changes = Vec::new();
            if escalation.acceptance_provisional_year == Some(year)
                && escalation.accepted_on.is_none()
                && !escalation.reminders_sent.contains(&Reminder::AcceptanceOverdue)
                && let Some(old) = escalation.acceptance_due
            {
                let new = self.working_days(escalation.filed_on, ACCEPTANCE_WORKING_DAYS)?;
                (escalation.acceptance_due, escalation.acceptance_provisional_year) =
                    (Some(new.due), new.provisional_year);
                changes.push(("regulator_acceptance", old, new.due));
            }
            if escalation.mediation_provisional_year == Some(year)
                && !escalation.reminders_sent.contains(&Reminder::MediationEnded)
                && let (Some(old), Some(accepted_on)) = (escalation.mediation_ends, escalation.accepted_on)
            {
                let new = self.working_days(accepted_on, MEDIATION_WORKING_DAYS)?;
                (escalation.mediation_ends, escalation.mediation_provisional_year) =
                    (Some(new.due), new.provisional_year);
                changes.push(("regulator_mediation", old, new.due));
            }
            if changes.is_empty() {
                continue;
            }
            for &(clock, old_due, new_due) in &changes {
                let command =
                    redress_domain::Command::RecordClockRecount { clock: clock.into(), year, old_due, new_due };
                self.act_as_system(escalation.case_id, command).await?;
            }
            let moved: Vec<[Timestamp; 2]> =
                changes.iter().filter(|(_, old, new)| old != new).map(|(_, old, new)| [*old, *new]).collect();
            let notification = (!moved.is_empty()).then(|| {
                Notification::new(
                    escalation.buyer_id,
                    Some(escalation.case_id),
                    redress_text::NotificationKind::ExternalClockRecounted,
                    serde_json::json!({ "moved": moved }),
                    self.clock.now(),
                )
            });
            if self.store.update_external_escalation(&escalation, previous, notification.as_ref()).await? {
                recounted += changes.len();
            }
        }
        Ok(recounted)
    }

    pub async fn external_escalations(
        &self,
        principal: &Principal,
        case_id: CaseId,
    ) -> Result<Vec<ExternalEscalation>, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        Ok(self.store.external_escalations(case_id).await?)
    }

    /// Sends every reminder that is due (the worker calls this each pass). Each reminder is
    /// sent once, also with several workers: the record only advances if nobody else did.
    pub async fn send_due_reminders(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut sent = 0;
        for mut escalation in self.store.due_external_escalations(now, 100).await? {
            let Some((at, reminder)) = escalation.next_reminder().filter(|(at, _)| *at <= now) else { continue };
            let due = match reminder {
                Reminder::AcceptanceSoon | Reminder::AcceptanceOverdue => escalation.acceptance_due,
                Reminder::MediationEndsSoon | Reminder::MediationEnded => escalation.mediation_ends,
            }
            .unwrap_or(at);
            let provisional = match reminder {
                Reminder::AcceptanceSoon | Reminder::AcceptanceOverdue => escalation.acceptance_provisional_year,
                Reminder::MediationEndsSoon | Reminder::MediationEnded => escalation.mediation_provisional_year,
            };
            let args = serde_json::json!({ "due": due, "provisional_year": provisional });
            let notification =
                Notification::new(escalation.buyer_id, Some(escalation.case_id), reminder.kind(), args, now);
            escalation.reminders_sent.push(reminder);
            if self.store.update_external_escalation(&escalation, Some(at), Some(&notification)).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    pub async fn notifications(
        &self,
        principal: &Principal,
        before: Option<uuid::Uuid>,
        limit: Option<i64>,
    ) -> Result<Vec<Notification>, AppError> {
        let user = principal.user_id().ok_or(AppError::Forbidden(Detail::NotForTokens))?;
        Ok(self.store.notifications(user, before, crate::orders::page_size(limit)?).await?)
    }

    pub async fn mark_notification_read(&self, principal: &Principal, id: uuid::Uuid) -> Result<(), AppError> {
        let user = principal.user_id().ok_or(AppError::NotFound)?;
        if self.store.mark_notification_read(user, id, self.clock.now()).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
