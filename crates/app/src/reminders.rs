//! Reminders before a natural-time deadline passes (policy `reminder_hours`, 24 h and 2 h by
//! default): the party a case waits for is told what is due, by when, and what happens if not
//! (a `deadline_reminder` notification, told by the text catalogue).

use crate::App;
use crate::error::AppError;
use crate::escalations::Notification;
use redress_domain::case::{Deadline, OnTimeout};
use redress_domain::{Case, Party, UserId};
use redress_text::NotificationKind;

/// What happens at the deadline, by the code the catalogue tells it under (`consequence-<code>`).
fn consequence(on_timeout: OnTimeout) -> &'static str {
    match on_timeout {
        OnTimeout::AutoApprove => "auto_approve",
        OnTimeout::Close(_) => "close",
        OnTimeout::AutoRefund => "auto_refund",
        OnTimeout::EscalateToPlatform => "escalate_to_platform",
        OnTimeout::BackToPlatformReview => "back_to_platform_review",
        _ => "none",
    }
}

fn args(case: &Case, deadline: &Deadline) -> serde_json::Value {
    serde_json::json!({
        "state": case.state.as_str(),
        "due": deadline.due,
        "on_timeout": consequence(deadline.on_timeout),
    })
}

impl App {
    async fn recipients(&self, case: &Case, waits_for: &[Party]) -> Result<Vec<UserId>, AppError> {
        let mut users = Vec::new();
        for party in waits_for {
            match party {
                Party::Buyer => users.push(case.buyer_id),
                Party::Merchant => users.extend(self.store.merchant_staff(case.merchant_id).await?),
                Party::Platform | Party::System => {}
            }
        }
        Ok(users)
    }

    /// Sends every deadline reminder that is due (the worker calls this each pass). After
    /// downtime, reminders whose time has all passed become one: the case is due soon either way.
    pub async fn send_deadline_reminders(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut sent = 0;
        for (case, at) in self.store.due_reminders(now, 100).await? {
            let next = case.reminder_after(now);
            let notifications = match case.deadline.as_ref().filter(|d| d.due > now) {
                Some(deadline) => {
                    let args = args(&case, deadline);
                    let kind = NotificationKind::DeadlineReminder;
                    self.recipients(&case, &deadline.waits_for)
                        .await?
                        .into_iter()
                        .map(|user_id| Notification::new(user_id, Some(case.id), kind, args.clone(), now))
                        .collect()
                }
                // The deadline itself has passed: the sweeper acts; a reminder would be late.
                None => Vec::new(),
            };
            if self.store.advance_reminder(case.id, at, next, &notifications).await? && !notifications.is_empty() {
                sent += 1;
            }
        }
        Ok(sent)
    }
}
