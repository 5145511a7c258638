//! The business calendar in force: kept in the database (so every process agrees and admins can
//! import or edit years), held in memory for the pure rules, reloaded by the worker each pass.

use crate::error::AppError;
use crate::escalations::Notification;
use crate::{App, Principal, Role};
use jiff::Timestamp;
use redress_domain::WorkingCalendar;
use redress_domain::lifecycle::CalendarGap;
use redress_domain::{Case, Command, Detail};
use redress_law::calendar::{BusinessCalendar, CalendarFile, CalendarYear, shanghai_date, start_of_shanghai_day};
use std::sync::{Arc, RwLock};

/// The calendar the rules read, swappable while the process runs.
pub struct SharedCalendar(RwLock<Arc<BusinessCalendar>>);

impl SharedCalendar {
    pub fn new(calendar: BusinessCalendar) -> SharedCalendar {
        SharedCalendar(RwLock::new(Arc::new(calendar)))
    }

    pub fn current(&self) -> Arc<BusinessCalendar> {
        self.0.read().expect("calendar lock").clone()
    }

    fn replace(&self, calendar: BusinessCalendar) {
        *self.0.write().expect("calendar lock") = Arc::new(calendar);
    }
}

impl WorkingCalendar for SharedCalendar {
    fn working_deadline(
        &self,
        from: Timestamp,
        days: u32,
    ) -> Result<redress_domain::lifecycle::WorkingDeadline, CalendarGap> {
        WorkingCalendar::working_deadline(self.current().as_ref(), from, days)
    }
}

fn year_json(year: &CalendarYear) -> Result<(i16, String), AppError> {
    Ok((year.year, serde_json::to_string(year).map_err(anyhow::Error::from)?))
}

impl App {
    /// Loads the calendar from the database; a new database gets the reviewed embedded years.
    pub async fn load_calendar(&self) -> Result<(), AppError> {
        let stored = self.store.calendar_years().await?;
        if stored.is_empty() {
            let embedded = BusinessCalendar::embedded().to_file();
            let rows = embedded.years.iter().map(year_json).collect::<Result<Vec<_>, _>>()?;
            self.store.put_calendar_years(&rows, self.clock.now()).await?;
            return self.load_calendar_rows(rows.into_iter().map(|(_, body)| body).collect());
        }
        self.load_calendar_rows(stored)
    }

    fn load_calendar_rows(&self, rows: Vec<String>) -> Result<(), AppError> {
        let years = rows
            .iter()
            .map(|body| serde_json::from_str::<CalendarYear>(body))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("stored calendar year: {e}"))?;
        let file = CalendarFile { time_zone: None, note: None, years, provisional_years: Vec::new() };
        let calendar = BusinessCalendar::from_file(file).map_err(|e| anyhow::anyhow!("stored calendar: {e}"))?;
        self.calendar.replace(calendar);
        Ok(())
    }

    /// The calendar in force in file form, with the provisional years operators must act on now.
    pub fn calendar_file(&self) -> CalendarFile {
        let calendar = self.calendar.current();
        let mut file = calendar.to_file();
        file.provisional_years = calendar.warnings(shanghai_date(self.clock.now()));
        file
    }

    /// Adds or replaces the years of a calendar file (JSON of the embedded file's shape), after
    /// validating them together with the years already kept, then recounts every open deadline
    /// and regulator clock that was counted provisionally over an imported year. `None` acts as
    /// the operator (CLI).
    pub async fn import_calendar(&self, principal: Option<&Principal>, text: &str) -> Result<Imported, AppError> {
        if principal.is_some_and(|p| p.role() != Role::Admin) {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin".into() }));
        }
        let incoming = BusinessCalendar::from_json(text).map_err(calendar_refused)?.to_file();
        let mut merged = self.calendar.current().to_file();
        merged.years.retain(|y| !incoming.years.iter().any(|n| n.year == y.year));
        merged.years.extend(incoming.years.iter().cloned());
        merged.years.sort_by_key(|y| y.year);
        let calendar = BusinessCalendar::from_file(merged).map_err(calendar_refused)?;
        let rows = incoming.years.iter().map(year_json).collect::<Result<Vec<_>, _>>()?;
        self.store.put_calendar_years(&rows, self.clock.now()).await?;
        self.calendar.replace(calendar);
        let mut imported = Imported { years: incoming.years.iter().map(|y| y.year).collect(), ..Imported::default() };
        for &year in &imported.years {
            imported.recounted_deadlines += self.recount_case_deadlines(year).await?;
            imported.recounted_regulator_clocks += self.recount_regulator_clocks(year).await?;
        }
        Ok(imported)
    }

    /// Recounts, through `decide`, every open case deadline counted provisionally over `year`;
    /// the parties are told when it moved.
    async fn recount_case_deadlines(&self, year: i16) -> Result<usize, AppError> {
        let from = year_start(year)?;
        let mut after = None;
        let mut recounted = 0;
        loop {
            let page = self.store.cases_due_from(from, after, 100).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for case in
                page.into_iter().filter(|c| c.deadline.as_ref().is_some_and(|d| d.provisional_year == Some(year)))
            {
                let old = case.deadline.as_ref().map(|d| d.due);
                match self.act_as_system(case.id, Command::RecountDeadline { year }).await {
                    Ok(updated) => {
                        recounted += 1;
                        let new = updated.deadline.as_ref().map(|d| d.due);
                        if let (Some(old), Some(new)) = (old, new)
                            && old != new
                        {
                            self.notify_moved(&updated, old, new).await?;
                        }
                    }
                    // Fired or moved on meanwhile: a fired deadline stays fired.
                    Err(AppError::Rejected(r)) => {
                        tracing::info!(case = %case.id, year, reason = %r, "deadline not recounted")
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(recounted)
    }

    async fn notify_moved(&self, case: &Case, old: Timestamp, new: Timestamp) -> Result<(), AppError> {
        let mut users = vec![case.buyer_id];
        users.extend(self.store.merchant_staff(case.merchant_id).await?);
        users.extend(case.assigned_agent);
        let now = self.clock.now();
        let args = serde_json::json!({ "old_due": old, "new_due": new });
        let kind = redress_text::NotificationKind::DeadlineRecounted;
        let notifications: Vec<Notification> = users
            .into_iter()
            .map(|user_id| Notification::new(user_id, Some(case.id), kind, args.clone(), now))
            .collect();
        Ok(self.store.insert_notifications(&notifications).await?)
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub years: Vec<i16>,
    pub recounted_deadlines: usize,
    pub recounted_regulator_clocks: usize,
}

/// 00:00 Asia/Shanghai on 1 January of `year`: every deadline counted over `year` is due after it.
pub(crate) fn year_start(year: i16) -> Result<Timestamp, AppError> {
    jiff::civil::Date::new(year, 1, 1)
        .ok()
        .and_then(start_of_shanghai_day)
        .ok_or_else(|| AppError::Invalid(Detail::DateOutOfRange))
}

/// A calendar file refused: which rule, and what it names (a year, a date, a period).
fn calendar_refused(e: redress_law::CalendarError) -> AppError {
    use redress_law::CalendarError as E;
    let (reason, at) = match e {
        E::YearNotCovered(year) => ("year_not_covered", year.to_string()),
        E::Malformed(_) => ("malformed", String::new()),
        E::DuplicateYear(year) => ("duplicate_year", year.to_string()),
        E::DateOutsideYear { date, .. } => ("date_outside_year", date.to_string()),
        E::InvertedPeriod { name, .. } => ("inverted_period", name),
        E::HolidayAndWorkday(date) => ("holiday_and_workday", date.to_string()),
        E::DuplicateDate(date) => ("duplicate_date", date.to_string()),
        E::MakeUpWorkdayNotWeekend(date) => ("make_up_workday_not_weekend", date.to_string()),
        E::MissingSource(year) => ("missing_source", year.to_string()),
        E::OutOfRange => ("out_of_range", String::new()),
    };
    AppError::Invalid(Detail::Calendar { rule: reason.into(), at })
}
