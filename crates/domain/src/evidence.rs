//! Evidence files as the case's record knows them: what the chain fixes about each file (its
//! SHA-256, size and type) and how it is described. The bytes live in object storage under
//! their hash; this crate only decides who may add them and when.

use crate::actor::Party;
use crate::ids::EvidenceId;
use crate::rejection::Rejection;
use crate::vocabulary::EvidenceKind;
use serde::{Deserialize, Serialize};

/// Longest caption, in characters.
pub const MAX_CAPTION: usize = 200;

/// One file added to a case, as its `EvidenceAdded` event carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct EvidenceFile {
    pub evidence_id: EvidenceId,
    /// Lowercase hex SHA-256 of the file's bytes: the chain fixes the content through it.
    pub sha256: String,
    pub kind: EvidenceKind,
    pub caption: String,
    pub size: u64,
    /// Decided from the bytes at upload (`image/jpeg`, `video/mp4`, `text/plain`, ...).
    pub media_type: String,
    /// Seen only by the platform and the uploader's own side.
    pub confidential: bool,
}

impl EvidenceFile {
    pub fn check(&self) -> Result<(), Rejection> {
        let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex(&self.sha256) {
            return Err(Rejection::invalid(crate::Detail::Sha256));
        }
        if self.size == 0 {
            return Err(Rejection::invalid(crate::Detail::FileSize));
        }
        if self.caption.chars().count() > MAX_CAPTION {
            return Err(Rejection::invalid(crate::Detail::Caption { max: MAX_CAPTION as u64 }));
        }
        crate::free_text::check_controls("caption", &self.caption)?;
        if self.media_type.is_empty() || self.media_type.len() > 100 {
            return Err(Rejection::invalid(crate::Detail::MediaType));
        }
        // The kind is what a reader is told the file shows: a "photo" that is a text file misleads.
        let found = || self.media_type.clone();
        match self.kind {
            EvidenceKind::Photo if !self.media_type.starts_with("image/") => {
                Err(Rejection::invalid(crate::Detail::PhotoNeedsImage { found: found() }))
            }
            EvidenceKind::Video if !self.media_type.starts_with("video/") => {
                Err(Rejection::invalid(crate::Detail::VideoNeedsVideo { found: found() }))
            }
            _ => Ok(()),
        }
    }
}

/// An event as `viewer` may read it: the other side's confidential file keeps its id and size but
/// not its caption or kind, which can say more than the file's existence should, nor its hash,
/// which would let the reader confirm a guess of the file: `commitment` stands in its place.
pub fn redacted_for(event: &crate::Event, viewer: Party, commitment: impl Fn(&EvidenceFile) -> String) -> crate::Event {
    let mut event = event.clone();
    if let crate::EventBody::EvidenceAdded { file } = &mut event.body
        && !visible_to(viewer, event.actor.party(), file.confidential)
    {
        file.sha256 = commitment(file);
        file.caption = String::new();
        file.kind = crate::vocabulary::EvidenceKind::Other;
    }
    event
}

/// Who may see a file: the platform always; buyer and merchant unless it is the other side's
/// confidential file.
pub fn visible_to(viewer: Party, uploader: Party, confidential: bool) -> bool {
    match viewer {
        Party::Platform => true,
        Party::System => false,
        side => !confidential || side == uploader,
    }
}
