//! Notifications by email: each person's address, language and the kinds they want mailed (all
//! by default), and the email a claimed job sends, written in its reader's language from the text
//! catalogue. The worker sends it (`redress_worker::email`).

use crate::error::AppError;
use crate::escalations::Notification;
use crate::{App, Principal};
use redress_domain::{Detail, UserId};
use redress_text::{Lang, NotificationKind};
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;

/// The outbox topic of email jobs (payload: `{"notification": id}`).
pub const EMAIL_TOPIC: &str = "email";

/// A person's choices: the language of their email, and the notification kinds they get no
/// email of (every other kind is mailed once they have an address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub language: Lang,
    pub email_off: Vec<String>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings { language: Lang::Zh, email_off: Vec::new() }
    }
}

/// One kind of notification and whether it is emailed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KindChoice {
    /// A notification kind (`offer_made`, `deadline_reminder`, ...).
    pub kind: String,
    pub email: bool,
}

/// A person's notification settings as the API shows them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationSettingsView {
    /// Where notifications are emailed; none: no email at all.
    pub email: Option<String>,
    /// The language of the email: `zh-CN` or `en`.
    pub language: String,
    /// Every notification kind, in a stable order.
    pub kinds: Vec<KindChoice>,
}

/// A change of settings; what is left out stays as it was.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettingsChange {
    /// A new address; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// `zh-CN` or `en`.
    pub language: Option<String>,
    /// The kinds whose choice changes.
    #[serde(default)]
    pub kinds: Vec<KindChoice>,
}

/// A field given, even as `null`, is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// One email, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// An email address as accounts keep it: trimmed, one `local@domain` (RFC 5321 syntax).
pub fn parse_address(text: &str) -> Result<String, AppError> {
    let address = text.trim();
    match address.parse::<lettre::Address>() {
        Ok(_) if address.len() <= 254 => Ok(address.to_owned()),
        _ => Err(AppError::Invalid(Detail::EmailAddress)),
    }
}

fn parse_language(text: &str) -> Result<Lang, AppError> {
    match text {
        "zh-CN" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        _ => Err(AppError::Invalid(Detail::OneOf { field: "language".into(), values: "zh-CN, en".into() })),
    }
}

fn language_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

/// The email telling `notification` to `name` at `to`, in `lang`.
pub fn compose(notification: &Notification, to: &str, name: &str, lang: Lang) -> Email {
    use redress_text::fluent::FluentValue;
    let text = notification.text(lang);
    let summary: String = text.chars().take(60).collect();
    let case = notification.case_id.map(|c| c.to_string()).unwrap_or_default();
    let mut args = redress_text::Args::new();
    args.insert("summary".into(), FluentValue::from(summary));
    args.insert("name".into(), FluentValue::from(name.to_owned()));
    args.insert("text".into(), FluentValue::from(text));
    args.insert("case".into(), FluentValue::from(case));
    let told = |key: &str| redress_text::lookup(lang, key, Some(&args)).unwrap_or_else(|| key.to_owned());
    Email { to: to.to_owned(), subject: told("email-subject"), body: told("email-body") }
}

impl App {
    async fn settings_of(&self, user: UserId) -> Result<NotificationSettings, AppError> {
        Ok(self.store.notification_settings(user).await?.unwrap_or_default())
    }

    fn view(email: Option<String>, settings: &NotificationSettings) -> NotificationSettingsView {
        NotificationSettingsView {
            email,
            language: language_code(settings.language).to_owned(),
            kinds: NotificationKind::iter()
                .map(|k| KindChoice {
                    kind: k.as_str().to_owned(),
                    email: !settings.email_off.iter().any(|o| o == k.as_str()),
                })
                .collect(),
        }
    }

    /// The caller's own notification settings (people only: a merchant system has no inbox).
    pub async fn notification_settings(&self, principal: &Principal) -> Result<NotificationSettingsView, AppError> {
        let user = principal.user_id().ok_or(AppError::Forbidden(Detail::NotForTokens))?;
        let email = self.store.user(user).await?.ok_or(AppError::NotFound)?.email;
        Ok(Self::view(email, &self.settings_of(user).await?))
    }

    pub async fn change_notification_settings(
        &self,
        principal: &Principal,
        change: NotificationSettingsChange,
    ) -> Result<NotificationSettingsView, AppError> {
        let user = principal.user_id().ok_or(AppError::Forbidden(Detail::NotForTokens))?;
        let mut settings = self.settings_of(user).await?;
        if let Some(language) = &change.language {
            settings.language = parse_language(language)?;
        }
        for choice in &change.kinds {
            let kind: NotificationKind = choice.kind.parse().map_err(|_| {
                AppError::Invalid(Detail::Unknown { field: "kinds".into(), value: choice.kind.clone() })
            })?;
            settings.email_off.retain(|k| k != kind.as_str());
            if !choice.email {
                settings.email_off.push(kind.as_str().to_owned());
            }
        }
        settings.email_off.sort();
        let email = change.email.map(|e| e.as_deref().map(parse_address).transpose()).transpose()?;
        if let Some(email) = &email
            && !self.store.set_user_email(user, email.as_deref()).await?
        {
            return Err(AppError::NotFound);
        }
        self.store.put_notification_settings(user, &settings, self.clock.now()).await?;
        let email = match email {
            Some(email) => email,
            None => self.store.user(user).await?.ok_or(AppError::NotFound)?.email,
        };
        Ok(Self::view(email, &settings))
    }

    /// The email a claimed job (`{"notification": id}`) sends now; `None` when none is to be
    /// sent: the reader has no address or turned the kind off, or the notification is a
    /// reminder whose action was taken meanwhile (a reminder is never mailed after the fact).
    pub async fn email_of(&self, job: &serde_json::Value) -> Result<Option<Email>, AppError> {
        let id: uuid::Uuid = serde_json::from_value(job["notification"].clone())
            .map_err(|e| anyhow::anyhow!("email job without a notification: {e}"))?;
        let Some(notification) = self.store.notification(id).await? else { return Ok(None) };
        let Some(user) = self.store.user(notification.user_id).await? else { return Ok(None) };
        let Some(to) = user.email.as_deref() else { return Ok(None) };
        let settings = self.settings_of(user.id).await?;
        if settings.email_off.contains(&notification.kind) || !self.still_due(&notification).await? {
            return Ok(None);
        }
        Ok(Some(compose(&notification, to, &user.display_name, settings.language)))
    }

    /// Whether a reminder still reminds of something to do: its case waits in the same state
    /// for the same deadline, not yet passed. Other notifications tell what happened: always.
    async fn still_due(&self, notification: &Notification) -> Result<bool, AppError> {
        if notification.kind != NotificationKind::DeadlineReminder.as_str() {
            return Ok(true);
        }
        let Some(case_id) = notification.case_id else { return Ok(true) };
        let Some(record) = self.store.case(case_id).await? else { return Ok(false) };
        let due: Option<jiff::Timestamp> =
            notification.args.get("due").and_then(|d| serde_json::from_value(d.clone()).ok());
        let state = notification.args.get("state").and_then(|s| s.as_str());
        Ok(match (&record.case.deadline, due) {
            (Some(deadline), Some(due)) => {
                deadline.due == due && state == Some(record.case.state.as_str()) && due > self.clock.now()
            }
            _ => false,
        })
    }
}
