//! The deadline sweep's batch: the claimed cases and their shops' staff are read in one query
//! each, then each timeout is committed as its own change, checked against the version read (a
//! case that moved on meanwhile is decided again alone, through the ordinary path).

use crate::App;
use crate::error::AppError;
use crate::ports::{CaseRecord, DueCase, StoreError};
use redress_domain::{Actor, Case, Command, MerchantId, UserId};
use std::collections::HashMap;

/// Timeouts in flight at once: a whole claimed batch (the worker claims 1,000), so that SQLite's
/// writer commits it in a few large transactions instead of one per 64 timeouts.
const AT_ONCE: usize = 1000;

type Staff = HashMap<MerchantId, Vec<UserId>>;

impl App {
    /// Fires the timeout of each claimed case; the outcome of each, in no particular order.
    pub async fn fire_timeouts(&self, due: Vec<DueCase>) -> Result<Vec<(DueCase, Result<Case, AppError>)>, AppError> {
        use futures_util::StreamExt;
        let ids: Vec<_> = due.iter().map(|d| d.case_id).collect();
        let mut records: HashMap<_, _> =
            self.store.cases_by_id(&ids).await?.into_iter().map(|r| (r.case.id, r)).collect();
        let mut shops: Vec<MerchantId> = records.values().map(|r| r.case.merchant_id).collect();
        shops.sort();
        shops.dedup();
        let mut staff = Staff::new();
        for (shop, user) in self.store.staff_of(&shops).await? {
            staff.entry(shop).or_default().push(user);
        }
        let staff = &staff;
        let work: Vec<_> = due.into_iter().map(|d| (records.remove(&d.case_id), d)).collect();
        Ok(futures_util::stream::iter(work)
            .map(|(record, d)| async move {
                let fired = self.fire_timeout(&d, record, staff).await;
                (d, fired)
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await)
    }

    async fn fire_timeout(&self, due: &DueCase, record: Option<CaseRecord>, staff: &Staff) -> Result<Case, AppError> {
        let command = Command::Timeout { due: due.due };
        if let Some(record) = record {
            let (version, head) = (record.version, record.last_hash.clone());
            let shop = staff.get(&record.case.merchant_id).map(Vec::as_slice).unwrap_or_default();
            let (change, events, outbox) =
                self.make_change(record, &command, Actor::System, self.clock.now(), Some(shop)).await?;
            if events.is_empty() {
                return Ok(change.case);
            }
            match self.store.append(&change.case, version, &head, &events, &outbox, None).await {
                Ok(()) => return Ok(change.case),
                // The case moved on since the batch was read: read and decide again.
                Err(StoreError::Conflict) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.act_as_system(due.case_id, command).await
    }
}
