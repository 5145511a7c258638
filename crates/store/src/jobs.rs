//! An outbox row about to be written: what `insert_jobs` (in `shared.rs`) binds.

use crate::codec::to_json;
use jiff::Timestamp;
use redress_app::escalations::Notification;
use redress_app::ports::OutboxItem;
use redress_domain::{CaseId, UserId};

pub struct Job {
    pub topic: String,
    pub case_id: Option<CaseId>,
    /// The JSON payload.
    pub payload: String,
    pub at: Timestamp,
    /// An email's reader: the job is written only if they have an address...
    pub reader: Option<UserId>,
    /// ...and their turned-off kinds (the settings' JSON list) do not match this pattern.
    pub unless_off: Option<String>,
}

impl Job {
    pub fn of(item: &OutboxItem, at: Timestamp) -> anyhow::Result<Job> {
        Ok(Job {
            topic: item.topic.clone(),
            case_id: item.case_id,
            payload: to_json(&item.payload)?,
            at,
            reader: None,
            unless_off: None,
        })
    }

    /// The email of a notification.
    pub fn email(n: &Notification) -> anyhow::Result<Job> {
        Ok(Job {
            topic: "email".into(),
            case_id: n.case_id,
            payload: to_json(&serde_json::json!({ "notification": n.id }))?,
            at: n.created_at,
            reader: Some(n.user_id),
            unless_off: Some(format!("%\"{}\"%", n.kind)),
        })
    }
}
