//! The business calendar in force: kept in the database (so every process agrees and admins can
//! import or edit years), held in memory for the pure rules, reloaded by the worker each pass.

use crate::error::AppError;
use crate::{App, Principal, Role};
use jiff::Timestamp;
use redress_domain::WorkingCalendar;
use redress_domain::lifecycle::CalendarGap;
use redress_law::calendar::{BusinessCalendar, CalendarFile, CalendarYear};
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
        let calendar = BusinessCalendar::from_file(CalendarFile { time_zone: None, note: None, years })
            .map_err(|e| anyhow::anyhow!("stored calendar: {e}"))?;
        self.calendar.replace(calendar);
        Ok(())
    }

    /// Adds or replaces the years of a calendar file (JSON of the embedded file's shape), after
    /// validating them together with the years already kept. `None` acts as the operator (CLI).
    pub async fn import_calendar(&self, principal: Option<&Principal>, text: &str) -> Result<Vec<i16>, AppError> {
        if principal.is_some_and(|p| p.role() != Role::Admin) {
            return Err(AppError::Forbidden("only admins edit the business calendar"));
        }
        let incoming = BusinessCalendar::from_json(text).map_err(|e| AppError::Invalid(e.to_string()))?.to_file();
        let mut merged = self.calendar.current().to_file();
        merged.years.retain(|y| !incoming.years.iter().any(|n| n.year == y.year));
        merged.years.extend(incoming.years.iter().cloned());
        merged.years.sort_by_key(|y| y.year);
        let calendar = BusinessCalendar::from_file(merged).map_err(|e| AppError::Invalid(e.to_string()))?;
        let rows = incoming.years.iter().map(year_json).collect::<Result<Vec<_>, _>>()?;
        self.store.put_calendar_years(&rows, self.clock.now()).await?;
        self.calendar.replace(calendar);
        Ok(incoming.years.iter().map(|y| y.year).collect())
    }
}
