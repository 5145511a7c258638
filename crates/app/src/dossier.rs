//! The dossier (证据材料包) a party carries out of the platform: one ZIP with `index.html`
//! (printable, Chinese), `manifest.json` (every event with its hash chain, every file with its
//! hash) and the evidence files themselves. `verify` recomputes all of it and names exactly what
//! was altered, added or removed, so anyone can check a dossier with one command.
//!
//! Which files are inside depends on who asks: a party's dossier leaves out the other side's
//! confidential files, and their caption and kind too (they can say more than the file's
//! existence should). Their `EvidenceAdded` events are carried redacted (caption and kind
//! blanked) under their original hashes, listed in `redacted`: the chain still links through
//! them and the file's id and size stay listed as withheld, but a reader who may not see the
//! original content cannot recompute those events' own hashes. Where the file's SHA-256 was, a
//! withheld file shows the platform's keyed commitment to it (`keys::CommitmentKey`): a hash would
//! let the reader confirm a guess of the file. Every other event is
//! recomputed in full, and the head hash is the platform's.

use crate::error::AppError;
use crate::evidence::EvidenceRecord;
use crate::narrative::{describe, party, who};
use crate::seal::{SEAL, Seal, SealBroken};
use crate::{App, Principal};
use askama::Template;
use futures_util::StreamExt;
use jiff::Timestamp;
use jiff::tz::{TimeZone, offset};
use redress_domain::Detail;
use redress_domain::chain::{self, ChainBreak, Link};
use redress_domain::event::EventBody;
use redress_domain::{CaseId, Event, EvidenceId, Party};
use redress_text::{Label, Lang, text, text_with};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, Write};

pub const FORMAT: &str = "redress-dossier/1";
pub const MANIFEST: &str = "manifest.json";
pub const INDEX: &str = "index.html";

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub case_id: CaseId,
    pub generated_at: Timestamp,
    /// Whose view of the case this is: `buyer`, `merchant` or `platform`.
    pub prepared_for: Party,
    /// How each event's hash is computed.
    pub hash_rule: String,
    pub event_count: usize,
    /// The hash of the last event: compare it with the platform's (`GET /api/v1/cases/{id}/chain`).
    pub head_hash: String,
    pub events: Vec<Link>,
    /// The events whose `content` was redacted for this reader (the other side's confidential
    /// files): their hash is the original content's. Absent in dossiers made before redaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<i64>,
    pub files: Vec<ManifestFile>,
    pub withheld: Vec<Withheld>,
    pub index_sha256: String,
    /// The order's conversation before the filing (the negotiation record): a chain of its own
    /// from 64 zeros, hashed by the same rule. Absent in dossiers made before conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negotiation: Option<NegotiationManifest>,
}

/// The negotiation record in a dossier: every message before the filing and its files.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema, Deserialize)]
pub struct NegotiationManifest {
    pub order_id: redress_domain::OrderId,
    pub message_count: usize,
    pub head_hash: String,
    pub messages: Vec<Link>,
    /// `event_seq` is the seq of the message that carries the file.
    pub files: Vec<ManifestFile>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, Deserialize)]
pub struct ManifestFile {
    pub evidence_id: EvidenceId,
    /// The event that added it.
    pub event_seq: i64,
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// For a confidential file: the commitment the other side's dossier lists it under (see
    /// `Withheld::commitment`), so the two dossiers can be matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Withheld {
    pub evidence_id: EvidenceId,
    pub event_seq: i64,
    /// The platform's keyed commitment to the file (HMAC-SHA256 of its id and SHA-256 under a key
    /// only the platform holds), not its hash: the same value stands in the redacted event's
    /// `sha256`. Dossiers made before commitments listed the file's SHA-256 here.
    #[serde(alias = "sha256")]
    pub commitment: String,
    pub size: u64,
    pub reason: String,
}

/// A finished dossier in an anonymous temporary file, rewound. Its place among the exports
/// (`permit`) is held until it is dropped: keep it until the file has been sent.
pub struct Dossier {
    pub file: std::fs::File,
    pub size: u64,
    pub file_name: String,
    pub permit: crate::gates::DossierPermit,
}

struct Row {
    at: String,
    who: String,
    text: String,
    seq: i64,
    hash: String,
}

struct EvidenceRow {
    number: usize,
    kind: String,
    caption: String,
    at: String,
    who: String,
    size: u64,
    media_type: String,
    sha256: String,
    /// Where it is in the ZIP, or why it is not.
    location: String,
}

struct DecisionRow {
    at: String,
    title: String,
    text: String,
    rationale: String,
    cited_rule: String,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct Page {
    case_id: CaseId,
    generated_at: String,
    prepared_for: String,
    buyer: crate::contacts::Contact,
    merchant: crate::contacts::Contact,
    order_number: String,
    channel: String,
    products: Vec<String>,
    amount_paid: String,
    paid_at: String,
    signed_at: String,
    kind: String,
    reason: String,
    amount: String,
    description: String,
    state: String,
    outcome: String,
    timeline: Vec<Row>,
    negotiation_title: String,
    negotiation_empty: String,
    negotiation_note: String,
    negotiation_columns: Vec<String>,
    negotiation: Vec<Row>,
    evidence: Vec<EvidenceRow>,
    decisions: Vec<DecisionRow>,
    head_hash: String,
    event_count: usize,
}

/// A message of the (Chinese) dossier with its arguments.
fn zh(key: &str, args: &[(&'static str, String)]) -> String {
    let args = args.iter().map(|(k, v)| ((*k).into(), redress_text::fluent::FluentValue::from(v.clone()))).collect();
    text_with(Lang::Zh, key, &args)
}

fn remedy_text(remedy: &redress_domain::case::Remedy) -> String {
    zh("dossier-remedy", &[("remedy", remedy.kind.label(Lang::Zh)), ("amount", remedy.amount.to_string())])
}

fn beijing(at: Timestamp) -> String {
    at.to_zoned(TimeZone::fixed(offset(8))).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

impl App {
    /// The dossier of a case for one of its readers.
    pub async fn dossier(&self, principal: &Principal, case_id: CaseId) -> Result<Dossier, AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        self.dossier_for(case_id, principal.actor().party()).await
    }

    /// The dossier of a case as `viewer` (buyer, merchant or platform) may see it.
    pub async fn dossier_for(&self, case_id: CaseId, viewer: Party) -> Result<Dossier, AppError> {
        let case = self.store.case(case_id).await?.ok_or(AppError::NotFound)?.case;
        let events = self.store.events(case_id).await?;
        let evidence = self.store.evidence(case_id).await?;
        let order = self.store.order(case.order_id).await?.ok_or(AppError::NotFound)?;
        let parties = self.parties_for(viewer, &case).await?;
        let now = self.clock.now();
        let record = self.negotiation_record(&case).await?;
        let negotiation_head = record.last().map_or(chain::GENESIS.to_owned(), |m| m.link.hash.clone());
        let negotiation_files: Vec<(ManifestFile, &redress_domain::evidence::EvidenceFile)> = record
            .iter()
            .flat_map(|m| m.message.files.iter().map(move |f| (m.link.seq, f)))
            .map(|(seq, f)| {
                let path = format!("negotiation/{}.{}", f.evidence_id, crate::evidence::extension(&f.media_type));
                let listed = ManifestFile {
                    evidence_id: f.evidence_id,
                    event_seq: seq,
                    path,
                    sha256: f.sha256.clone(),
                    size: f.size,
                    media_type: f.media_type.clone(),
                    commitment: None,
                };
                (listed, f)
            })
            .collect();

        let (shown, hidden): (Vec<&EvidenceRecord>, Vec<&EvidenceRecord>) =
            evidence.iter().partition(|e| e.visible_to(viewer));
        let path_of = |e: &EvidenceRecord| format!("evidence/{}", e.file_name());
        let key = self.commitment_key().await?;
        let commit = |f: &redress_domain::evidence::EvidenceFile| key.commit(f);
        let files: Vec<ManifestFile> = shown
            .iter()
            .map(|e| ManifestFile {
                evidence_id: e.file.evidence_id,
                event_seq: e.seq,
                path: path_of(e),
                sha256: e.file.sha256.clone(),
                size: e.file.size,
                media_type: e.file.media_type.clone(),
                commitment: e.file.confidential.then(|| commit(&e.file)),
            })
            .collect();
        let withheld: Vec<Withheld> = hidden
            .iter()
            .map(|e| Withheld {
                evidence_id: e.file.evidence_id,
                event_seq: e.seq,
                commitment: commit(&e.file),
                size: e.file.size,
                reason: format!("confidential to the {} and the platform", e.uploader_party().as_str()),
            })
            .collect();

        // Bounded in number and in temporary disk (about the files' size, plus the index and
        // manifest): beyond the bound the export is refused as busy, not queued.
        let estimate = shown.iter().map(|e| e.file.size).sum::<u64>()
            + negotiation_files.iter().map(|(f, _)| f.size).sum::<u64>()
            + 2 * events.iter().map(|e| e.link.content.len() as u64).sum::<u64>()
            + (1 << 20);
        let permit = self.gates.dossier(estimate).ok_or(AppError::Busy(Detail::BusyDossiers))?;
        // The other side's confidential files travel as redacted events under their own hashes.
        let mut redacted = Vec::new();
        let mut links = Vec::with_capacity(events.len());
        for e in &events {
            let shown = redress_domain::evidence::redacted_for(&e.event, viewer, commit);
            if shown == e.event {
                links.push(e.link.clone());
            } else {
                let content = serde_json::to_string(&shown).map_err(|e| AppError::Internal(e.into()))?;
                redacted.push(e.seq);
                links.push(Link { content, ..e.link.clone() });
            }
        }
        let head_hash = links.last().map_or(chain::GENESIS.to_owned(), |l| l.hash.clone());
        let page = Page {
            case_id,
            generated_at: beijing(now),
            prepared_for: party(viewer, Lang::Zh),
            buyer: parties.buyer,
            merchant: parties.merchant,
            order_number: order.number.clone(),
            channel: order.channel.label(Lang::Zh).to_owned(),
            products: order
                .items
                .iter()
                .map(|i| crate::regulator::product_line(&i.title, i.quantity, i.unit_price))
                .collect(),
            amount_paid: order.amount_paid.to_string(),
            paid_at: order.paid_at.map(beijing).unwrap_or_else(|| "—".into()),
            signed_at: order.signed_at.map(beijing).unwrap_or_else(|| "—".into()),
            kind: case.kind.label(Lang::Zh),
            reason: case.reason.label(Lang::Zh),
            amount: case.amount.to_string(),
            description: case.description.clone(),
            state: case.state.label(Lang::Zh).to_owned(),
            outcome: case.outcome.map(|o| o.label(Lang::Zh).to_owned()).unwrap_or_else(|| "—".into()),
            timeline: events
                .iter()
                .map(|e| Row {
                    at: beijing(e.event.at),
                    who: who(&e.event.actor, Lang::Zh),
                    text: describe(&redress_domain::evidence::redacted_for(&e.event, viewer, commit)),
                    seq: e.seq,
                    hash: e.link.hash.clone(),
                })
                .collect(),
            negotiation_title: text(Lang::Zh, "dossier-negotiation-title"),
            negotiation_empty: text(Lang::Zh, "dossier-negotiation-empty"),
            negotiation_note: text_with(
                Lang::Zh,
                "dossier-negotiation-note",
                &[("count", record.len().to_string()), ("head", negotiation_head.clone())]
                    .into_iter()
                    .map(|(k, v)| (k.into(), redress_text::fluent::FluentValue::from(v)))
                    .collect(),
            ),
            negotiation_columns: text(Lang::Zh, "dossier-negotiation-columns").split('|').map(str::to_owned).collect(),
            negotiation: record
                .iter()
                .map(|m| Row {
                    at: beijing(m.message.at),
                    who: who(&m.message.author, Lang::Zh),
                    text: crate::conversations::narrate(&m.message, Lang::Zh),
                    seq: m.link.seq,
                    hash: m.link.hash.clone(),
                })
                .collect(),
            evidence: evidence
                .iter()
                .enumerate()
                .map(|(i, e)| EvidenceRow {
                    number: i + 1,
                    kind: if e.visible_to(viewer) {
                        e.file.kind.label(Lang::Zh)
                    } else {
                        text(Lang::Zh, "dossier-withheld-kind")
                    },
                    caption: if e.visible_to(viewer) { e.file.caption.clone() } else { "—".into() },
                    at: beijing(e.added_at),
                    who: who(&e.uploader, Lang::Zh),
                    size: e.file.size,
                    media_type: e.file.media_type.clone(),
                    sha256: if e.visible_to(viewer) { e.file.sha256.clone() } else { commit(&e.file) },
                    location: if e.visible_to(viewer) {
                        path_of(e)
                    } else {
                        text(Lang::Zh, "dossier-withheld-location")
                    },
                })
                .collect(),
            decisions: events
                .iter()
                .filter_map(|e| match &e.event.body {
                    EventBody::Decided { remedy, liable, rationale, cited_rule } => Some(DecisionRow {
                        at: beijing(e.event.at),
                        title: text(Lang::Zh, "dossier-ruling"),
                        text: match (remedy, liable) {
                            (Some(r), l) => {
                                let remedy = remedy_text(r);
                                match l {
                                    Some(p) => zh(
                                        "dossier-ruling-remedy-liable",
                                        &[("remedy", remedy), ("party", party(*p, Lang::Zh))],
                                    ),
                                    None => remedy,
                                }
                            }
                            (None, _) => text(Lang::Zh, "dossier-ruling-rejected"),
                        },
                        rationale: rationale.clone(),
                        cited_rule: cited_rule.clone(),
                    }),
                    EventBody::AppealReviewed { uphold, remedy, rationale, cited_rule } => Some(DecisionRow {
                        at: beijing(e.event.at),
                        title: text(Lang::Zh, "dossier-appeal-review"),
                        text: if *uphold {
                            text(Lang::Zh, "dossier-appeal-upheld")
                        } else {
                            let remedy = remedy
                                .map(|r| remedy_text(&r))
                                .unwrap_or_else(|| text(Lang::Zh, "dossier-ruling-rejected"));
                            zh("dossier-appeal-changed", &[("remedy", remedy)])
                        },
                        rationale: rationale.clone(),
                        cited_rule: cited_rule.clone(),
                    }),
                    _ => None,
                })
                .collect(),
            head_hash: head_hash.clone(),
            event_count: links.len(),
        };
        let index = page.render().map_err(|e| AppError::Internal(e.into()))?;
        let manifest = Manifest {
            format: FORMAT.into(),
            case_id,
            generated_at: now,
            prepared_for: viewer,
            hash_rule:
                "hash = sha256(prev_hash + \"\\n\" + seq + \"\\n\" + content); the first prev_hash is 64 zeros; \
                        the events listed in `redacted` carry redacted content under their original hash"
                    .into(),
            event_count: links.len(),
            head_hash,
            events: links,
            redacted,
            files,
            withheld,
            index_sha256: hex::encode(Sha256::digest(index.as_bytes())),
            negotiation: (!record.is_empty()).then(|| NegotiationManifest {
                order_id: case.order_id,
                message_count: record.len(),
                head_hash: negotiation_head.clone(),
                messages: record.iter().map(|m| m.link.clone()).collect(),
                files: negotiation_files.iter().map(|(f, _)| f.clone()).collect(),
            }),
        };
        let manifest_json = serde_json::to_string_pretty(&manifest).map_err(|e| AppError::Internal(e.into()))?;
        let seal = self.seal_key().await?.seal(manifest_json.as_bytes());
        let seal_json = serde_json::to_string_pretty(&seal).map_err(|e| AppError::Internal(e.into()))?;

        // The ZIP (deflate, file writes) is built on a blocking thread; this task only streams
        // the files out of storage to it, so a large dossier never stalls the async runtime.
        let (tx, rx) = tokio::sync::mpsc::channel::<ZipPart>(8);
        let writer = tokio::task::spawn_blocking(move || write_zip(rx));
        let ioerr = |e: std::io::Error| AppError::Internal(e.into());
        let send = |part: ZipPart| {
            let tx = tx.clone();
            async move { tx.send(part).await.map_err(|_| AppError::Internal(anyhow::anyhow!("the dossier writer stopped"))) }
        };
        send(ZipPart::File { path: INDEX.into(), compress: true }).await?;
        send(ZipPart::Bytes(index.into_bytes())).await?;
        send(ZipPart::File { path: MANIFEST.into(), compress: true }).await?;
        send(ZipPart::Bytes(manifest_json.into_bytes())).await?;
        send(ZipPart::File { path: SEAL.into(), compress: true }).await?;
        send(ZipPart::Bytes(seal_json.into_bytes())).await?;
        for (e, f) in shown.iter().zip(&manifest.files) {
            // Photos and videos are compressed already: stored as they are.
            let compress = e.file.media_type == "application/pdf" || e.file.media_type.starts_with("text/");
            send(ZipPart::File { path: f.path.clone(), compress }).await?;
            let mut body = self
                .blobs
                .get(&crate::blobs::original_key(&e.file.sha256))
                .await?
                .ok_or_else(|| anyhow::anyhow!("evidence {} is missing from storage", e.file.evidence_id))?;
            while let Some(chunk) = body.next().await {
                send(ZipPart::Bytes(chunk.map_err(ioerr)?.to_vec())).await?;
            }
        }
        for (listed, f) in &negotiation_files {
            let compress = f.media_type == "application/pdf" || f.media_type.starts_with("text/");
            send(ZipPart::File { path: listed.path.clone(), compress }).await?;
            let mut body = self
                .blobs
                .get(&crate::blobs::original_key(&f.sha256))
                .await?
                .ok_or_else(|| anyhow::anyhow!("conversation file {} is missing from storage", f.evidence_id))?;
            while let Some(chunk) = body.next().await {
                send(ZipPart::Bytes(chunk.map_err(ioerr)?.to_vec())).await?;
            }
        }
        drop(tx);
        let (file, size) = writer.await.map_err(|e| AppError::Internal(e.into()))??;
        Ok(Dossier { file, size, file_name: format!("dossier-{case_id}.zip"), permit })
    }
}

/// What the dossier writer is sent: the start of an entry, or bytes of the current entry.
enum ZipPart {
    File { path: String, compress: bool },
    Bytes(Vec<u8>),
}

/// Writes the parts it receives into a ZIP in a temporary file, until the sender is dropped.
fn write_zip(mut parts: tokio::sync::mpsc::Receiver<ZipPart>) -> Result<(std::fs::File, u64), AppError> {
    let zerr = |e: zip::result::ZipError| AppError::Internal(e.into());
    let ioerr = |e: std::io::Error| AppError::Internal(e.into());
    let mut zip = zip::ZipWriter::new(tempfile::tempfile().map_err(ioerr)?);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    while let Some(part) = parts.blocking_recv() {
        match part {
            ZipPart::File { path, compress } => {
                zip.start_file(path.as_str(), if compress { deflated } else { stored }).map_err(zerr)?
            }
            ZipPart::Bytes(bytes) => zip.write_all(&bytes).map_err(ioerr)?,
        }
    }
    let mut file = zip.finish().map_err(zerr)?;
    let size = file.stream_position().map_err(ioerr)?;
    file.rewind().map_err(ioerr)?;
    Ok((file, size))
}

/// One thing that does not match in a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[schema(as = DossierFinding)]
pub enum Finding {
    #[error("manifest.json is missing")]
    ManifestMissing,
    #[error("manifest.json cannot be read: {0}")]
    ManifestUnreadable(String),
    #[error("{0}")]
    Chain(ChainBreak),
    #[error(
        "the manifest says the chain has {expected} events ending in {head}, but it has {found} (events were removed or added at the end)"
    )]
    ChainLength { expected: usize, found: usize, head: String },
    #[error("file {path}: altered (its SHA-256 is {found}, the chain fixes {expected})")]
    FileAltered { path: String, expected: String, found: String },
    #[error("file {path}: removed from the dossier")]
    FileRemoved { path: String },
    #[error("file {path}: added (no event of the chain names it)")]
    FileAdded { path: String },
    #[error("evidence {evidence_id} (event #{seq}): neither included nor listed as withheld")]
    EvidenceUnaccounted { evidence_id: EvidenceId, seq: i64 },
    #[error("index.html: altered (its SHA-256 is not the one the manifest records)")]
    IndexAltered,
    #[error("seal.json is missing: nothing shows the platform made this dossier")]
    Unsealed,
    #[error("{0}")]
    SealBroken(String),
    #[error("sealed with the key {found}, not the platform's {expected}")]
    SealedByAnotherKey { expected: String, found: String },
    #[error("event #{seq}: marked redacted, but it is not another side's withheld confidential file")]
    RedactionUnexpected { seq: i64 },
    /// The negotiation record (the conversation before the filing) does not verify.
    #[error("negotiation record: {0}")]
    NegotiationChain(ChainBreak),
    #[error("negotiation record: the manifest says {expected} messages ending in {head}, but it has {found}")]
    NegotiationLength { expected: usize, found: usize, head: String },
}

/// The result of checking a dossier.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub case_id: Option<CaseId>,
    pub events: usize,
    pub files: usize,
    pub withheld: usize,
    /// Events carried redacted (the other side's confidential files).
    pub redacted: usize,
    pub findings: Vec<Finding>,
    /// The public key the seal was made with (hex), when the seal holds.
    pub sealed_by: Option<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Recomputes a dossier: the platform's seal over the manifest (against `platform_key`, hex, when
/// given), the chain of events, each file's hash against the event that added it, files added or
/// removed, and the index page. `Err` only if it is not a ZIP at all.
pub fn verify<R: Read + Seek>(reader: R, platform_key: Option<&str>) -> anyhow::Result<Verification> {
    let mut zip = zip::ZipArchive::new(reader)?;
    let mut report = Verification {
        case_id: None,
        events: 0,
        files: 0,
        withheld: 0,
        redacted: 0,
        findings: Vec::new(),
        sealed_by: None,
    };
    let text = match zip.by_name(MANIFEST) {
        Err(_) => {
            report.findings.push(Finding::ManifestMissing);
            return Ok(report);
        }
        Ok(mut entry) => {
            let mut text = String::new();
            if let Err(e) = entry.read_to_string(&mut text) {
                report.findings.push(Finding::ManifestUnreadable(e.to_string()));
                return Ok(report);
            }
            text
        }
    };
    check_seal(&mut zip, text.as_bytes(), platform_key, &mut report);
    let manifest: Manifest = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            report.findings.push(Finding::ManifestUnreadable(e.to_string()));
            return Ok(report);
        }
    };
    report.case_id = Some(manifest.case_id);
    report.events = manifest.events.len();
    report.withheld = manifest.withheld.len();
    report.redacted = manifest.redacted.len();
    if let Err(broken) = chain::verify_redacted(&manifest.events, |seq| manifest.redacted.contains(&seq)) {
        report.findings.push(Finding::Chain(broken));
    }
    // Only what a redaction may hide is accepted as redacted: another side's confidential file,
    // listed as withheld under the commitment its redacted event carries.
    for &seq in &manifest.redacted {
        let link = manifest.events.iter().find(|l| l.seq == seq);
        let event = link.and_then(|l| serde_json::from_str::<Event>(&l.content).ok());
        let fits = event.is_some_and(|e| match e.body {
            EventBody::EvidenceAdded { file } => {
                file.confidential
                    && e.actor.party() != manifest.prepared_for
                    && manifest
                        .withheld
                        .iter()
                        .any(|w| w.evidence_id == file.evidence_id && w.commitment == file.sha256)
            }
            _ => false,
        });
        if !fits {
            report.findings.push(Finding::RedactionUnexpected { seq });
        }
    }
    let head = manifest.events.last().map_or(chain::GENESIS, |l| l.hash.as_str());
    if manifest.events.len() != manifest.event_count || head != manifest.head_hash {
        report.findings.push(Finding::ChainLength {
            expected: manifest.event_count,
            found: manifest.events.len(),
            head: manifest.head_hash.clone(),
        });
    }

    // What the chain itself says was added: the manifest's own hashes are not trusted.
    let added: Vec<(i64, redress_domain::evidence::EvidenceFile)> = manifest
        .events
        .iter()
        .filter_map(|l| match serde_json::from_str::<Event>(&l.content) {
            Ok(Event { body: EventBody::EvidenceAdded { file }, .. }) => Some((l.seq, file)),
            _ => None,
        })
        .collect();
    let mut listed = std::collections::HashSet::new();
    for f in &manifest.files {
        listed.insert(f.path.clone());
        let Some((_, file)) = added.iter().find(|(_, a)| a.evidence_id == f.evidence_id) else {
            report.findings.push(Finding::FileAdded { path: f.path.clone() });
            continue;
        };
        check_file(&mut zip, &f.path, &file.sha256, &mut report)?;
    }
    for (seq, file) in &added {
        let included = manifest.files.iter().any(|f| f.evidence_id == file.evidence_id);
        let withheld =
            manifest.withheld.iter().any(|w| w.evidence_id == file.evidence_id && w.commitment == file.sha256);
        if !included && !withheld {
            report.findings.push(Finding::EvidenceUnaccounted { evidence_id: file.evidence_id, seq: *seq });
        }
    }
    if let Some(negotiation) = &manifest.negotiation {
        verify_negotiation(negotiation, &mut zip, &mut listed, &mut report)?;
    }
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    for name in names {
        if ![MANIFEST, INDEX, SEAL].contains(&name.as_str()) && !name.ends_with('/') && !listed.contains(&name) {
            report.findings.push(Finding::FileAdded { path: name });
        }
    }
    match zip.by_name(INDEX) {
        Err(_) => report.findings.push(Finding::FileRemoved { path: INDEX.into() }),
        Ok(mut entry) => {
            let mut h = Sha256::new();
            std::io::copy(&mut entry, &mut HashWriter(&mut h))?;
            if hex::encode(h.finalize()) != manifest.index_sha256 {
                report.findings.push(Finding::IndexAltered);
            }
        }
    }
    Ok(report)
}

/// The seal over the manifest's exact bytes, and whose key made it.
fn check_seal<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    manifest: &[u8],
    platform_key: Option<&str>,
    report: &mut Verification,
) {
    let seal = match zip.by_name(SEAL) {
        Err(_) => return report.findings.push(Finding::Unsealed),
        Ok(entry) => serde_json::from_reader::<_, Seal>(entry),
    };
    let seal = match seal {
        Ok(seal) => seal,
        Err(e) => return report.findings.push(Finding::SealBroken(SealBroken::Unreadable(e.to_string()).to_string())),
    };
    if let Err(broken) = crate::seal::check(&seal, manifest) {
        return report.findings.push(Finding::SealBroken(broken.to_string()));
    }
    match platform_key {
        Some(expected) if !expected.trim().eq_ignore_ascii_case(&seal.public_key) => report
            .findings
            .push(Finding::SealedByAnotherKey { expected: expected.trim().into(), found: seal.public_key }),
        _ => report.sealed_by = Some(seal.public_key),
    }
}

/// A file of the dossier against the hash its record fixes: counted when it matches, else
/// named as altered or removed.
fn check_file<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    path: &str,
    expected: &str,
    report: &mut Verification,
) -> anyhow::Result<()> {
    match zip.by_name(path) {
        Err(_) => report.findings.push(Finding::FileRemoved { path: path.to_owned() }),
        Ok(mut entry) => {
            let mut h = Sha256::new();
            std::io::copy(&mut entry, &mut HashWriter(&mut h))?;
            let found = hex::encode(h.finalize());
            if found == expected {
                report.files += 1;
            } else {
                report.findings.push(Finding::FileAltered {
                    path: path.to_owned(),
                    expected: expected.to_owned(),
                    found,
                });
            }
        }
    }
    Ok(())
}

/// The negotiation record of a dossier: its chain (and that each link is a message of the
/// order), its length and head, and each file against the message that carries it.
fn verify_negotiation<R: Read + Seek>(
    negotiation: &NegotiationManifest,
    zip: &mut zip::ZipArchive<R>,
    listed: &mut std::collections::HashSet<String>,
    report: &mut Verification,
) -> anyhow::Result<()> {
    let messages = match chain::verify(&negotiation.messages)
        .and_then(|()| redress_domain::conversation::read_links(negotiation.order_id, &negotiation.messages))
    {
        Ok(messages) => messages,
        Err(broken) => {
            report.findings.push(Finding::NegotiationChain(broken));
            Vec::new()
        }
    };
    let head = negotiation.messages.last().map_or(chain::GENESIS, |l| l.hash.as_str());
    if negotiation.messages.len() != negotiation.message_count || head != negotiation.head_hash {
        report.findings.push(Finding::NegotiationLength {
            expected: negotiation.message_count,
            found: negotiation.messages.len(),
            head: negotiation.head_hash.clone(),
        });
    }
    let carried: Vec<(i64, &redress_domain::evidence::EvidenceFile)> =
        messages.iter().flat_map(|m| m.files.iter().map(move |f| (m.seq, f))).collect();
    for f in &negotiation.files {
        listed.insert(f.path.clone());
        let Some((_, file)) = carried.iter().find(|(_, c)| c.evidence_id == f.evidence_id) else {
            report.findings.push(Finding::FileAdded { path: f.path.clone() });
            continue;
        };
        check_file(zip, &f.path, &file.sha256, report)?;
    }
    for (seq, file) in &carried {
        if !negotiation.files.iter().any(|f| f.evidence_id == file.evidence_id) {
            report.findings.push(Finding::EvidenceUnaccounted { evidence_id: file.evidence_id, seq: *seq });
        }
    }
    Ok(())
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
