//! Forms with a file (a filing with its photo, evidence on a case): `multipart/form-data` whose
//! first field is the CSRF token, checked before a byte of the file is read.

use crate::failure::Failure;
use crate::i18n::Tr;
use crate::shell::Posted;
use axum::extract::Multipart;
use redress_app::evidence::Received;
use redress_app::{App, AppError};

/// The longest text field of a form with a file (a description is at most a few KiB).
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// What a form with a file brought: its text fields, and the file when one was chosen (or why
/// it was refused, to show beside the file field).
pub struct WithFile {
    pub fields: Posted,
    pub file: Option<Result<Received, AppError>>,
}

impl WithFile {
    /// The file and its kind an evidence form (a case's, a conversation's) must bring, with the
    /// form's other fields; or what to say beside the file field.
    pub fn evidence(self, tr: Tr) -> Result<(Received, redress_domain::vocabulary::EvidenceKind, Posted), String> {
        let kind = self.fields.get("kind").and_then(|k| k.parse().ok());
        match (self.file, kind) {
            (Some(Ok(received)), Some(kind)) => Ok((received, kind, self.fields)),
            (Some(Err(e)), Some(_)) => Err(crate::failure::app_error_text(&e, tr)),
            _ => Err(tr.get("form-error-file")),
        }
    }
}

/// Reads the form. `room` is what the case may still take. A form without the session's token
/// first is refused whole.
pub async fn read(
    app: &App,
    multipart: &mut Multipart,
    room: u64,
    expected_csrf: &str,
    tr: Tr,
) -> Result<WithFile, Failure> {
    let stale = || Failure::StaleForm(tr);
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| stale())? {
        let name = field.name().unwrap_or("").to_owned();
        if fields.is_empty() && file.is_none() {
            // The token comes first, so nothing else is read for a forged form.
            let mut token = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| stale())? {
                token.extend_from_slice(&chunk);
                if token.len() > 256 {
                    return Err(stale());
                }
            }
            let token = String::from_utf8(token).map_err(|_| stale())?;
            if name != crate::csrf::FIELD || !crate::csrf::matches(expected_csrf, Some(&token)) {
                return Err(stale());
            }
            fields.push((name, token));
            continue;
        }
        if field.file_name().is_some() {
            let chosen = field.file_name().is_some_and(|n| !n.is_empty());
            if chosen && file.is_none() {
                file = Some(app.receive_evidence(field, room).await);
            } else {
                while field.chunk().await.map_err(|_| stale())?.is_some() {}
            }
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| stale())? {
            if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
                return Err(Failure::Conflict {
                    tr,
                    message: redress_text::problem_title(tr.lang, "payload_too_large"),
                    back: "/".into(),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        fields.push((name, String::from_utf8(bytes).map_err(|_| Failure::NotText(tr))?));
    }
    if fields.is_empty() {
        return Err(stale());
    }
    Ok(WithFile { fields: Posted(fields), file })
}
