//! Evidence files: received as a stream, hashed and checked while they are written to a local
//! temporary file (never held whole in memory), typed by their own bytes, stored under their
//! SHA-256, and only then recorded on the case by an `EvidenceAdded` event through the normal
//! decide → apply → append path. A refused or broken upload leaves no record and no bytes:
//! what can be checked (who, when, the caption, the room left) is checked before the file is
//! stored, and a change refused after it was stored (a race for the case's last room) deletes
//! the object again unless another file of the same bytes is on record. Objects orphaned by a
//! crash between storing and recording are deleted by the worker's collector
//! (`collect_unreferenced_blobs`) once older than a grace period. A stored object that no event
//! names is never served, because files are looked up through their events.
//!
//! Deleting is check-then-delete (object stores have no conditional delete): an identical file
//! recorded in the instant between the check and the delete would lose its object, so a
//! recorded upload checks its object is still there afterwards and stores it again if not.

use crate::blobs::{ByteStream, original_key, preview_key};
use crate::cases::{Change, Ran, Recorder};
use crate::error::AppError;
use crate::idempotency::{Answered, IdempotencyKey};
use crate::{App, Principal};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use jiff::Timestamp;
use redress_domain::Detail;
use redress_domain::evidence::{EvidenceFile, visible_to};
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{Actor, CaseId, Command, EventBody, EvidenceId, Party, decide};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

const MIB: u64 = 1 << 20;
/// Bytes read before the type is decided: enough for every signature `infer` knows (an ISO
/// BMFF `ftyp` box lists its brands in its first few hundred bytes).
const SNIFF: usize = 8 * 1024;
/// The longest side of a preview, in pixels.
const PREVIEW_SIDE: u32 = 1280;

/// How much evidence is accepted (configurable: `--evidence-max-file-mib` and friends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvidenceLimits {
    /// Any file but a video.
    pub file_bytes: u64,
    /// MP4 and MOV.
    pub video_bytes: u64,
    /// All files of one case together.
    pub case_bytes: u64,
    /// Decoding limits for previews: a decompression bomb declares huge dimensions, or modest
    /// ones at many bytes per pixel (11999×11999 RGBA16 is 1.15 GB from a 1 MB file), so the
    /// decoded size (width × height × bytes per pixel) is bounded too.
    pub image_side: u32,
    pub image_alloc_bytes: u64,
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        EvidenceLimits {
            file_bytes: 20 * MIB,
            video_bytes: 200 * MIB,
            case_bytes: 1024 * MIB,
            image_side: 12_000,
            // A 48-megapixel phone photo decodes to 144 MB (RGB8) or 192 MB (RGBA8).
            image_alloc_bytes: 256 * MIB,
        }
    }
}

impl EvidenceLimits {
    /// The most one upload request may carry (the largest file plus multipart overhead).
    pub fn request_bytes(&self) -> u64 {
        self.file_bytes.max(self.video_bytes) + MIB
    }
}

/// Why a file is refused. Each has a stable problem code.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the case's evidence would exceed {limit} bytes in total")]
    CaseFull { limit: u64 },
    #[error("{0}: only JPEG, PNG, WebP, GIF, HEIC, PDF, MP4, MOV and plain UTF-8 text are accepted")]
    UnsupportedType(String),
    #[error("bytes of no known type, and not UTF-8 text without NUL bytes")]
    UnknownType,
    #[error("the file is empty")]
    Empty,
    #[error("the upload ended before the file was complete: {0}")]
    Incomplete(String),
    #[error("the image is too large to decode safely: {0}")]
    ImageTooLarge(String),
    #[error("the image cannot be decoded: {0}")]
    Corrupt(String),
}

impl EvidenceError {
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceError::TooLarge { .. } => "evidence_too_large",
            EvidenceError::CaseFull { .. } => "evidence_case_full",
            EvidenceError::UnsupportedType(_) | EvidenceError::UnknownType => "evidence_unsupported_type",
            EvidenceError::Empty => "evidence_empty",
            EvidenceError::Incomplete(_) => "evidence_incomplete",
            EvidenceError::ImageTooLarge(_) => "evidence_image_too_large",
            EvidenceError::Corrupt(_) => "evidence_corrupt",
        }
    }

    /// The specifics, as the catalogue words them. A decoder's or a parser's own message stays
    /// in the log: it is English and says nothing the caller can act on beyond the code.
    pub fn detail(&self) -> Option<Detail> {
        // Every refusal has its detail; `Option` for the callers' sake.
        match self {
            EvidenceError::TooLarge { limit } => Some(Detail::FileLimit { bytes: *limit }),
            EvidenceError::CaseFull { limit } => Some(Detail::CaseLimit { bytes: *limit }),
            EvidenceError::UnsupportedType(found) => Some(Detail::UnsupportedType { found: found.clone() }),
            EvidenceError::UnknownType => Some(Detail::UnknownType),
            EvidenceError::Empty => Some(Detail::FileSize),
            EvidenceError::Incomplete(_) => Some(Detail::UploadCutOff),
            EvidenceError::ImageTooLarge(_) => Some(Detail::ImageTooLarge),
            EvidenceError::Corrupt(_) => Some(Detail::Undecodable),
        }
    }
}

/// A stored file as the case's record names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvidenceRecord {
    pub case_id: CaseId,
    /// The event that added it.
    pub seq: i64,
    #[serde(flatten)]
    pub file: EvidenceFile,
    pub uploader: Actor,
    pub added_at: Timestamp,
}

impl EvidenceRecord {
    pub fn uploader_party(&self) -> Party {
        self.uploader.party()
    }

    pub fn visible_to(&self, viewer: Party) -> bool {
        visible_to(viewer, self.uploader_party(), self.file.confidential)
    }

    /// Images the preview decoder reads; HEIC, PDF, video and text have none.
    pub fn has_preview(&self) -> bool {
        has_preview(&self.file.media_type)
    }

    /// The file's name in a dossier and in downloads.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.file.evidence_id, extension(&self.file.media_type))
    }
}

pub(crate) fn has_preview(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png" | "image/webp" | "image/gif")
}

/// Every type a file may have, as the server names it, with its file name extension: the upload
/// allowlist, the download's documented types and dossier file names all read this list.
pub const MEDIA_TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/webp", "webp"),
    ("image/gif", "gif"),
    ("image/heic", "heic"),
    ("application/pdf", "pdf"),
    ("video/mp4", "mp4"),
    ("video/quicktime", "mov"),
    (PLAIN_TEXT, "txt"),
];

const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// Previews are always re-encoded as JPEG.
pub const PREVIEW_MEDIA_TYPE: &str = "image/jpeg";

pub fn extension(media_type: &str) -> &'static str {
    MEDIA_TYPES.iter().find(|(t, _)| *t == media_type).map_or("bin", |(_, ext)| ext)
}

/// A file received in full, hashed and typed, waiting in a temporary file to be stored.
pub struct Received {
    temp: tempfile::TempPath,
    pub sha256: String,
    pub size: u64,
    pub media_type: &'static str,
    preview: Option<Vec<u8>>,
}

impl Received {
    pub(crate) fn temp_path(&self) -> &std::path::Path {
        &self.temp
    }

    pub(crate) fn preview_bytes(&self) -> Option<&[u8]> {
        self.preview.as_deref()
    }
}

/// What the uploader says about the file.
#[derive(Clone, Debug)]
pub struct Description {
    pub kind: EvidenceKind,
    pub caption: String,
    pub confidential: bool,
}

/// A file and its content, for a download.
pub struct Download {
    pub record: EvidenceRecord,
    pub media_type: String,
    pub size: Option<u64>,
    pub body: ByteStream,
}

impl App {
    /// May `principal` add a file to this case now? Checked before a byte of the upload is
    /// read. Answers the room left under the per-case limit.
    pub async fn evidence_room(&self, principal: &Principal, case_id: CaseId) -> Result<u64, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        let probe = EvidenceFile {
            evidence_id: EvidenceId(uuid::Uuid::nil()),
            sha256: "0".repeat(64),
            kind: EvidenceKind::Other,
            caption: String::new(),
            size: 1,
            media_type: "text/plain".into(),
            confidential: false,
        };
        self.admissible(&record.case, probe, principal.actor()).await?;
        Ok(self.evidence_limits.case_bytes.saturating_sub(record.case.evidence_bytes))
    }

    /// Would the case take this file from `actor` now (the domain's rules and the room left)?
    async fn admissible(&self, case: &redress_domain::Case, file: EvidenceFile, actor: Actor) -> Result<(), AppError> {
        let limit = self.evidence_limits.case_bytes;
        if case.evidence_bytes.saturating_add(file.size) > limit {
            return Err(EvidenceError::CaseFull { limit }.into());
        }
        let policy = self.store.policy(case.policy_version).await?.ok_or_else(|| anyhow::anyhow!("policy missing"))?;
        let env =
            redress_domain::lifecycle::Env { now: self.clock.now(), policy: &policy, calendar: self.calendar.as_ref() };
        decide(case, &Command::AddEvidence { file }, actor, &env)?;
        Ok(())
    }

    /// Deletes a file's object and preview unless some case's evidence names them. Failures are
    /// left to the collector.
    pub(crate) async fn release_blob(&self, sha256: &str) {
        match self.store.evidence_hash_referenced(sha256).await {
            Ok(true) => {}
            Ok(false) => {
                for key in [original_key(sha256), preview_key(sha256)] {
                    if let Err(e) = self.blobs.delete(&key).await {
                        tracing::warn!(key, error = %e, "refused upload's object not deleted; the collector will");
                    }
                }
            }
            Err(e) => tracing::warn!(sha256, error = %e, "refused upload's object kept; the collector will delete it"),
        }
    }

    /// Deletes the stored objects (files and previews) that no evidence names and that were last
    /// written before `older_than`: what a crash between storing and recording left behind. The
    /// grace period protects uploads in flight, which (re)write their object before recording it.
    pub async fn collect_unreferenced_blobs(&self, older_than: Timestamp) -> Result<usize, AppError> {
        let mut deleted = 0;
        for prefix in ["sha256/", "preview/"] {
            let mut listing = self.blobs.list(prefix);
            while let Some(object) = listing.next().await {
                let object = object?;
                let Some(hash) = crate::blobs::hash_of_key(&object.key) else { continue };
                if object.modified < older_than && !self.store.evidence_hash_referenced(hash).await? {
                    self.blobs.delete(&object.key).await?;
                    deleted += 1;
                }
            }
        }
        Ok(deleted)
    }

    /// Reads an upload to its end into a temporary file, hashing it, deciding its type from its
    /// first bytes, enforcing the size limits as it goes, and (for images) decoding it under
    /// limits to make a metadata-free preview. Nothing is stored yet.
    pub async fn receive_evidence<S, E>(&self, mut body: S, room: u64) -> Result<Received, AppError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let limits = self.evidence_limits;
        let temp = tempfile::NamedTempFile::new().map_err(|e| AppError::Internal(e.into()))?;
        let (file, temp) = temp.into_parts();
        let mut file = tokio::fs::File::from_std(file);
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::with_capacity(SNIFF);
        let mut media: Option<&'static str> = None;
        let mut text = TextCheck::default();
        let mut size: u64 = 0;
        let mut limit = limits.file_bytes.max(limits.video_bytes).min(room);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| EvidenceError::Incomplete(e.to_string()))?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_large(limit, room, limits).into());
            }
            hasher.update(&chunk);
            text.feed(&chunk);
            if media.is_none() {
                let take = (SNIFF - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == SNIFF {
                    let m = sniff(&head, &text)?;
                    limit = limit_for(m, limits).min(room);
                    if size > limit {
                        return Err(too_large(limit, room, limits).into());
                    }
                    media = Some(m);
                }
            }
            file.write_all(&chunk).await.map_err(|e| AppError::Internal(e.into()))?;
        }
        if size == 0 {
            return Err(EvidenceError::Empty.into());
        }
        let media_type = match media {
            Some(m) => m,
            None => sniff(&head, &text)?,
        };
        if media_type.starts_with("text/plain") && !text.finish() {
            return Err(EvidenceError::UnknownType.into());
        }
        file.flush().await.map_err(|e| AppError::Internal(e.into()))?;
        drop(file);
        let preview = if has_preview(media_type) {
            let path = temp.to_path_buf();
            // Decoding holds up to `image_alloc_bytes`: only a few previews are decoded at once.
            let _turn = self.gates.previews.acquire().await.map_err(|e| AppError::Internal(e.into()))?;
            Some(
                tokio::task::spawn_blocking(move || make_preview(&path, limits))
                    .await
                    .map_err(|e| AppError::Internal(e.into()))??,
            )
        } else {
            None
        };
        Ok(Received { temp, sha256: hex::encode(hasher.finalize()), size, media_type, preview })
    }

    /// Stores a received file under its hash (once: the same bytes are stored once) and then
    /// records it on the case, answering with `render` of its record (status 201). The record
    /// is the last step, so a failure anywhere before it leaves the case as it was. With a key,
    /// the answer is recorded with the file's event in one transaction: a retry gets it back.
    pub async fn add_evidence(
        &self,
        principal: &Principal,
        case_id: CaseId,
        received: Received,
        description: Description,
        key: Option<&IdempotencyKey>,
        render: &(dyn Fn(&EvidenceRecord) -> Result<String, AppError> + Send + Sync),
    ) -> Result<Answered, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        // A retried upload with the same Idempotency-Key names the same evidence id, which the
        // domain adds once even after its recorded answer has expired; the body is never
        // buffered to compare requests: the file added under the key is compared instead, its
        // bytes and what was said of it.
        let keyed = key.map(|key| keyed_evidence_id(key, &case_id.to_string()));
        let existing = match keyed {
            Some(id) => self.store.evidence_item(case_id, id).await?,
            None => None,
        };
        if let Some(existing) = &existing {
            let same = existing.file.sha256 == received.sha256
                && existing.file.kind == description.kind
                && existing.file.caption == description.caption.trim()
                && existing.file.confidential == description.confidential;
            if !same {
                return Err(AppError::Invalid(Detail::IdempotencyKeyForAnotherFile));
            }
        }
        if let Some(first) = self.answered_before(key).await? {
            return Ok(Answered::Replayed(first));
        }
        if let Some(existing) = existing {
            return Ok(Answered::Fresh { status: 201, body: render(&existing)? });
        }
        let evidence_id = keyed.unwrap_or_else(|| EvidenceId(uuid::Uuid::now_v7()));
        let file = EvidenceFile {
            evidence_id,
            sha256: received.sha256.clone(),
            kind: description.kind,
            caption: description.caption.trim().to_owned(),
            size: received.size,
            media_type: received.media_type.to_owned(),
            confidential: description.confidential,
        };
        // Refused now (a caption too long, a case full or closed meanwhile) stores nothing.
        self.admissible(&record.case, file.clone(), principal.actor()).await?;
        // Always written, even if the same bytes are stored already: that renews the object's
        // time, so the collector's grace period runs from this upload.
        let blob = original_key(&received.sha256);
        self.blobs.put_file(&blob, &received.temp).await?;
        if let Some(preview) = &received.preview {
            self.blobs.put_bytes(&preview_key(&received.sha256), Bytes::from(preview.clone())).await?;
        }
        let limit = self.evidence_limits.case_bytes;
        let size = file.size;
        // The record as the store will hold it, known before the change commits.
        let added = |change: &Change| -> Result<EvidenceRecord, AppError> {
            let stored = change
                .events
                .iter()
                .find(|e| matches!(&e.event.body, EventBody::EvidenceAdded { file } if file.evidence_id == evidence_id))
                .ok_or_else(|| anyhow::anyhow!("evidence {evidence_id} not added by its change"))?;
            let EventBody::EvidenceAdded { file } = &stored.event.body else { unreachable!("matched above") };
            Ok(EvidenceRecord {
                case_id,
                seq: stored.seq,
                file: file.clone(),
                uploader: stored.event.actor,
                added_at: stored.event.at,
            })
        };
        let answer = |change: &Change| render(&added(change)?);
        let recorder = key.map(|key| Recorder { key, status: 201, render: &answer });
        // The per-case limit is checked against the case read in the same optimistic
        // transaction, so concurrent uploads cannot together overrun it.
        let ran = self
            .run_recorded(
                case_id,
                &Command::AddEvidence { file },
                principal.actor(),
                &|record| {
                    if record.case.evidence_bytes.saturating_add(size) > limit {
                        Err(EvidenceError::CaseFull { limit }.into())
                    } else {
                        Ok(())
                    }
                },
                recorder.as_ref(),
            )
            .await;
        let ran = match ran {
            Ok(ran) => ran,
            Err(e) => {
                self.release_blob(&received.sha256).await;
                return Err(e);
            }
        };
        // An identical upload refused meanwhile may have released the object: store it again.
        if self.blobs.size(&blob).await? != Some(size) {
            self.blobs.put_file(&blob, &received.temp).await?;
            if let Some(preview) = received.preview {
                self.blobs.put_bytes(&preview_key(&received.sha256), Bytes::from(preview)).await?;
            }
        }
        Ok(match ran {
            Ran::Done(change) => Answered::Fresh { status: 201, body: answer(&change)? },
            Ran::Replayed(answer) => Answered::Replayed(answer),
        })
    }

    /// The files of a case its reader may see, in the order they were added.
    pub async fn list_evidence(&self, principal: &Principal, case_id: CaseId) -> Result<Vec<EvidenceRecord>, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        let viewer = principal.actor().party();
        Ok(self.store.evidence(case_id).await?.into_iter().filter(|e| e.visible_to(viewer)).collect())
    }

    /// One file (or its preview), if the reader may see it; otherwise it does not exist.
    pub async fn evidence_download(
        &self,
        principal: &Principal,
        case_id: CaseId,
        evidence_id: EvidenceId,
        preview: bool,
    ) -> Result<Download, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        let item = self.store.evidence_item(case_id, evidence_id).await?.ok_or(AppError::NotFound)?;
        if !item.visible_to(principal.actor().party()) {
            return Err(AppError::NotFound);
        }
        let (key, media_type, size) = if preview {
            if !item.has_preview() {
                return Err(AppError::NotFound);
            }
            (preview_key(&item.file.sha256), PREVIEW_MEDIA_TYPE.to_owned(), None)
        } else {
            (original_key(&item.file.sha256), item.file.media_type.clone(), Some(item.file.size))
        };
        let body = self
            .blobs
            .get(&key)
            .await?
            .ok_or_else(|| anyhow::anyhow!("evidence {evidence_id}: object {key} is missing from storage"))?;
        Ok(Download { record: item, media_type, size, body })
    }
}

/// The evidence id a keyed upload to `place` (a case or an order's conversation) names: a retry
/// with the same Idempotency-Key names the same file, even after its recorded answer expired.
pub(crate) fn keyed_evidence_id(key: &IdempotencyKey, place: &str) -> EvidenceId {
    let digest = Sha256::digest(format!("evidence\n{}\n{place}\n{}", key.scope, key.key).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    EvidenceId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

fn too_large(limit: u64, room: u64, limits: EvidenceLimits) -> EvidenceError {
    if limit == room && room < limits.file_bytes.max(limits.video_bytes) {
        EvidenceError::CaseFull { limit: limits.case_bytes }
    } else {
        EvidenceError::TooLarge { limit }
    }
}

fn limit_for(media_type: &str, limits: EvidenceLimits) -> u64 {
    if media_type.starts_with("video/") { limits.video_bytes } else { limits.file_bytes }
}

/// The type, from the bytes only: a known signature on the allowlist, or else plain text.
fn sniff(head: &[u8], text: &TextCheck) -> Result<&'static str, EvidenceError> {
    if let Some(kind) = infer::get(head) {
        // `infer` names the HEIC brands (heic, heix, mif1+heic) `image/heif`.
        let named = match kind.mime_type() {
            "image/heif" => "image/heic",
            other => other,
        };
        return match MEDIA_TYPES.iter().find(|(t, _)| *t == named && *t != PLAIN_TEXT) {
            Some((allowed, _)) => Ok(allowed),
            None => Err(EvidenceError::UnsupportedType(named.to_owned())),
        };
    }
    if text.ok { Ok(PLAIN_TEXT) } else { Err(EvidenceError::UnknownType) }
}

/// Plain text is valid UTF-8 with no NUL bytes, checked chunk by chunk (a character may be
/// split between chunks).
struct TextCheck {
    ok: bool,
    pending: Vec<u8>,
}

impl Default for TextCheck {
    fn default() -> Self {
        TextCheck { ok: true, pending: Vec::new() }
    }
}

impl TextCheck {
    fn feed(&mut self, chunk: &[u8]) {
        if !self.ok {
            return;
        }
        if chunk.contains(&0) {
            self.ok = false;
            return;
        }
        let mut buf = std::mem::take(&mut self.pending);
        buf.extend_from_slice(chunk);
        match std::str::from_utf8(&buf) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.pending = buf[e.valid_up_to()..].to_vec(),
            Err(_) => self.ok = false,
        }
    }

    fn finish(&self) -> bool {
        self.ok && self.pending.is_empty()
    }
}

/// Decodes an image under limits (a small file declaring 100000×100000 pixels is refused before
/// any pixel buffer is allocated) and re-encodes it as a JPEG from its pixels alone, so EXIF
/// (GPS position, device) and every other metadata block stay behind.
fn make_preview(path: &std::path::Path, limits: EvidenceLimits) -> Result<Vec<u8>, AppError> {
    use image::ImageDecoder;
    let bad = |e: image::ImageError| -> AppError {
        match e {
            image::ImageError::Limits(l) => EvidenceError::ImageTooLarge(l.to_string()).into(),
            // The file is whole on local disk: a decoder running out of bytes means the image is
            // truncated, not that the disk failed.
            image::ImageError::IoError(e)
                if matches!(e.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::InvalidData) =>
            {
                EvidenceError::Corrupt(e.to_string()).into()
            }
            image::ImageError::IoError(e) => AppError::Internal(e.into()),
            other => EvidenceError::Corrupt(other.to_string()).into(),
        }
    };
    let mut reader = image::ImageReader::open(path).map_err(|e| AppError::Internal(e.into()))?;
    reader = reader.with_guessed_format().map_err(|e| AppError::Internal(e.into()))?;
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.image_side);
    l.max_image_height = Some(limits.image_side);
    l.max_alloc = Some(limits.image_alloc_bytes);
    reader.limits(l.clone());
    let mut decoder = reader.into_decoder().map_err(bad)?;
    // `into_decoder` passes the limits on but does not charge the pixel buffer against
    // `max_alloc` (only `decode` does): charge it here, before it is allocated.
    l.reserve(decoder.total_bytes()).map_err(bad)?;
    let orientation = decoder.orientation().map_err(bad)?;
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(bad)?;
    // Shrunk before it is turned or converted, so no second full-size copy is ever made.
    if img.width() > PREVIEW_SIDE || img.height() > PREVIEW_SIDE {
        img = img.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE);
    }
    img.apply_orientation(orientation);
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82).encode_image(&rgb).map_err(bad)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_split_inside_a_character_is_still_text() {
        let bytes = "开箱视频说明".as_bytes();
        let mut t = TextCheck::default();
        t.feed(&bytes[..4]);
        t.feed(&bytes[4..]);
        assert!(t.finish());
        let mut cut = TextCheck::default();
        cut.feed(&bytes[..4]);
        assert!(!cut.finish());
        let mut nul = TextCheck::default();
        nul.feed(b"abc\0def");
        assert!(!nul.finish());
    }

    proptest::proptest! {
        /// Fuzzing the type sniffing: any bytes, fed in any chunks, are typed or refused without
        /// a panic, and the chunked text check agrees with checking the whole at once.
        #[test]
        fn any_bytes_in_any_chunks_are_typed_or_refused(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            text in ".{0,300}",
            cuts in proptest::collection::vec(0usize..2048, 0..8),
        ) {
            for bytes in [bytes, text.into_bytes()] {
                let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
                cuts.sort_unstable();
                let mut check = TextCheck::default();
                let mut from = 0;
                for &cut in cuts.iter().chain([bytes.len()].iter()) {
                    check.feed(&bytes[from..cut]);
                    from = cut;
                }
                let whole = std::str::from_utf8(&bytes).is_ok() && !bytes.contains(&0);
                proptest::prop_assert_eq!(check.finish(), whole);
                let head = &bytes[..bytes.len().min(SNIFF)];
                if let Ok(media) = sniff(head, &check) {
                    proptest::prop_assert!(!extension(media).is_empty());
                }
            }
        }
    }

    #[test]
    fn types_come_from_signatures() {
        let ok = TextCheck::default();
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &ok).unwrap(), "image/png");
        assert_eq!(sniff(b"%PDF-1.4\n", &ok).unwrap(), "application/pdf");
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(64, 0);
        assert!(matches!(sniff(&elf, &ok), Err(EvidenceError::UnsupportedType(t)) if t == "application/x-executable"));
        assert_eq!(sniff("聊天记录".as_bytes(), &ok).unwrap(), "text/plain; charset=utf-8");
    }
}
