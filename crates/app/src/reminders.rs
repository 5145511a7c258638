//! Reminders before a natural-time deadline passes (policy `reminder_hours`, 24 h and 2 h by
//! default): the party a case waits for is told what is due, by when, and what happens if not.

use crate::App;
use crate::error::AppError;
use crate::escalations::Notification;
use redress_domain::case::{Deadline, OnTimeout};
use redress_domain::{Case, Party, UserId};
use redress_text::{Label, Lang};

/// What happens at the deadline, in both languages.
fn consequence(on_timeout: OnTimeout) -> (&'static str, &'static str) {
    match on_timeout {
        OnTimeout::AutoApprove => {
            ("逾期系统将按买家的申请自动同意", "after that it is approved as the buyer requested")
        }
        OnTimeout::Close(_) => ("逾期售后单将关闭", "after that the case closes"),
        OnTimeout::AutoRefund => ("逾期系统将自动退款", "after that the refund is issued automatically"),
        OnTimeout::EscalateToPlatform => ("逾期将转由平台处理", "after that the platform takes over"),
        OnTimeout::BackToPlatformReview => {
            ("逾期平台将按现有材料继续处理", "after that the platform goes on with what it has")
        }
        _ => ("", ""),
    }
}

fn text(case: &Case, deadline: &Deadline) -> (String, String) {
    let due = deadline.due.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M");
    let (zh, en) = consequence(deadline.on_timeout);
    (
        format!("售后单({})待您处理,请在 {due}(北京时间)前处理;{zh}。", case.state.label(Lang::Zh)),
        format!("A case awaits you ({}): act by {due} Beijing time; {en}.", case.state.label(Lang::En)),
    )
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
                    let (text_zh, text_en) = text(&case, deadline);
                    self.recipients(&case, &deadline.waits_for)
                        .await?
                        .into_iter()
                        .map(|user_id| Notification {
                            id: uuid::Uuid::now_v7(),
                            user_id,
                            case_id: Some(case.id),
                            kind: "deadline_reminder".into(),
                            text_zh: text_zh.clone(),
                            text_en: text_en.clone(),
                            created_at: now,
                            read_at: None,
                        })
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
