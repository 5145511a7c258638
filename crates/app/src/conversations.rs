//! The conversation of an order between its buyer and its shop, before any case (seed 000:
//! 第一步:与卖家沟通; seed 001: keep that talk on the platform so it stays on record).
//!
//! Who: the order's buyer and its shop (staff and API tokens) read and write; agents and admins
//! read only; anyone else finds no such order. While a case on the order is open the talk goes
//! on in the case (`message`), where the platform sees it as part of the case: the conversation
//! refuses new messages until the case is closed. A case filed on the order carries the messages
//! written before its filing as its negotiation record (timeline, dossier, 12315 complaint), and
//! the complaint checker reads contact and evidence from that record.
//!
//! Files come through the evidence upload (`App::receive_evidence`: streamed, hashed, typed by
//! their bytes, limited) into the same content-addressed blob store; a file is one message.

use crate::blobs::{ByteStream, original_key, preview_key};
use crate::contacts::{Parties, Speaker};
use crate::error::AppError;
use crate::escalations::Notification;
use crate::evidence::{Description, Received, keyed_evidence_id};
use crate::idempotency::{Answered, Attempt, IdempotencyKey, IdempotencyRecord, Ran};
use crate::ports::{CaseFilter, StoreResult};
use crate::{App, Principal};
use async_trait::async_trait;
use bytes::Bytes;
use jiff::Timestamp;
use redress_domain::chain::Link;
use redress_domain::conversation::{self, Head, Message};
use redress_domain::evidence::EvidenceFile;
use redress_domain::order::Order;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{
    Actor, Case, CaseId, Detail, EvidenceId, MerchantId, OrderId, Party, Rejection, RejectionCode, UserId,
};
use serde::Serialize;

/// One stored message with its link in the order's chain.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub message: Message,
    pub link: Link,
}

/// Who read the conversation up to which message, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReadReceipt {
    /// Which account read (`user:<id>` or `token:<id>`), to the platform and on the reader's own
    /// side; to the other side only the side (`buyer` or `merchant`): which staff account acted
    /// is not the buyer's to see, as elsewhere.
    pub reader: String,
    pub side: Party,
    pub up_to: i64,
    pub read_at: Timestamp,
}

/// The conversations of orders: one hash chain of messages per order, its files and receipts.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Appends `message` if its place is still free (another message there first is `Conflict`),
    /// with its files, `notifications` for the other side and the answer to the request's key
    /// (a live answer under it already is `AlreadyAnswered`), in one transaction.
    /// A message is refused (`CaseOpen`, nothing written) while a case is open on its order,
    /// checked under the order's lock that a filing takes too.
    async fn append_message(
        &self,
        message: &StoredMessage,
        notifications: &[Notification],
        answer: Option<&IdempotencyRecord>,
    ) -> StoreResult<Appended>;
    /// How many messages case `case` carries as its negotiation record, counted when it was filed.
    async fn negotiation_length(&self, case: CaseId) -> StoreResult<Option<i64>>;
    async fn conversation_head(&self, order: OrderId) -> StoreResult<Option<StoredMessage>>;
    /// The messages before `before` (all when `None`), newest first, at most `limit`.
    async fn messages_page(&self, order: OrderId, before: Option<i64>, limit: i64) -> StoreResult<Vec<StoredMessage>>;
    /// Every message, first first.
    async fn messages(&self, order: OrderId) -> StoreResult<Vec<StoredMessage>>;
    /// The message that carries file `file`, if it is one of this order's conversation.
    async fn message_with_file(&self, order: OrderId, file: EvidenceId) -> StoreResult<Option<StoredMessage>>;
    /// Moves `receipt.reader`'s receipt to `receipt.up_to` if that is further than it was; the
    /// receipt as stored afterwards.
    async fn mark_read(&self, order: OrderId, receipt: &ReadReceipt) -> StoreResult<ReadReceipt>;
    async fn read_receipts(&self, order: OrderId) -> StoreResult<Vec<ReadReceipt>>;
}

/// What became of a message sent to the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appended {
    Done,
    /// A case is open on the order (filed since the message was checked): nothing was written.
    CaseOpen,
}

/// A file of a message, as its readers see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MessageFile {
    #[serde(flatten)]
    pub file: EvidenceFile,
    pub has_preview: bool,
}

/// A message as its reader sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub seq: i64,
    pub at: Timestamp,
    pub side: Party,
    /// Who wrote it: role and the name this reader may see.
    pub by: Speaker,
    pub text: String,
    pub files: Vec<MessageFile>,
    pub prev_hash: String,
    pub hash: String,
}

/// A page of a conversation: the messages before the cursor, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationPage {
    pub order_id: OrderId,
    pub items: Vec<MessageView>,
    /// The `before` of the next (older) page, when there is one.
    pub next_before: Option<i64>,
    /// How many messages the conversation has, and the hash of the last one.
    pub count: i64,
    pub head_hash: Option<String>,
    pub receipts: Vec<ReadReceipt>,
    /// The reader may write now (the order's buyer or shop, and no case open on the order).
    pub can_write: bool,
}

/// The conversation a case was filed after: its negotiation record.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Negotiation {
    pub order_id: OrderId,
    /// Messages written before the filing (the record is the conversation's first `messages`).
    pub messages: i64,
    /// The hash of the record's last message (its chain starts from 64 zeros, like a case's).
    pub head_hash: Option<String>,
    /// When the buyer first wrote to the shop, if they did.
    pub buyer_contacted_at: Option<Timestamp>,
    /// The latest messages of the record, oldest first; older ones are read with
    /// `GET /api/v1/orders/{id}/conversation?before=`.
    pub latest: Vec<MessageView>,
    pub before: Option<i64>,
}

/// What the record of an order says for the complaint checker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFacts {
    pub buyer_contacted_at: Option<Timestamp>,
    /// The kinds of the files the buyer attached (and a chat record when the shop answered).
    pub evidence: Vec<EvidenceKind>,
}

/// A conversation file and its content, for a download.
pub struct ConversationDownload {
    pub file: EvidenceFile,
    pub media_type: String,
    pub size: Option<u64>,
    pub body: ByteStream,
}

/// The receipts as `viewer`'s side may see them: the buyer and the shop see the other side's
/// (one per side, the furthest) without its accounts; the platform sees every reader.
fn receipts_seen_by(viewer: Party, receipts: Vec<ReadReceipt>) -> Vec<ReadReceipt> {
    if !matches!(viewer, Party::Buyer | Party::Merchant) {
        return receipts;
    }
    let (own, other): (Vec<_>, Vec<_>) = receipts.into_iter().partition(|r| r.side == viewer);
    let mut seen = own;
    for side in [Party::Buyer, Party::Merchant] {
        let furthest = other.iter().filter(|r| r.side == side).max_by_key(|r| (r.up_to, r.read_at));
        if let Some(r) = furthest {
            let reader =
                serde_json::to_value(side).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            seen.push(ReadReceipt { reader, ..r.clone() });
        }
    }
    seen
}

fn reader_of(principal: &Principal) -> String {
    IdempotencyKey::scope_of(principal)
}

impl App {
    /// The order, if `principal` may read its conversation.
    async fn conversation_order(&self, principal: &Principal, order_id: OrderId) -> Result<Order, AppError> {
        self.order(principal, order_id).await
    }

    /// The order, if `principal` may write in its conversation now.
    async fn writable_order(&self, principal: &Principal, order_id: OrderId) -> Result<Order, AppError> {
        let order = self.conversation_order(principal, order_id).await?;
        if principal.is_platform() {
            return Err(AppError::Forbidden(Detail::PlatformReadsConversation));
        }
        conversation::may_write(&principal.actor(), &order)?;
        if let Some(case) = self.open_case_on(order_id).await? {
            return Err(case_open(case));
        }
        Ok(order)
    }

    /// The case open on the order, if any: while it is, the conversation goes on in it.
    async fn open_case_on(&self, order_id: OrderId) -> Result<Option<redress_domain::CaseId>, AppError> {
        let filter = CaseFilter { order_id: Some(order_id), limit: 100, ..Default::default() };
        Ok(self.store.list_cases(&filter).await?.iter().find(|c| c.is_open()).map(|c| c.id))
    }

    async fn message_views(
        &self,
        viewer: Party,
        (buyer, merchant): (UserId, MerchantId),
        stored: &[StoredMessage],
    ) -> Result<Vec<MessageView>, AppError> {
        let parties: Parties = self.parties_of(viewer, buyer, merchant, false).await?;
        let actors: Vec<Actor> = stored.iter().map(|s| s.message.author).collect();
        let speakers = self.speakers(&parties, &actors).await?;
        Ok(stored.iter().zip(speakers).map(|(s, by)| view(s, by)).collect())
    }

    /// A page of an order's conversation: the `limit` (1 to 100, default 20) messages before
    /// `before` (the newest when `None`), oldest first, with the read receipts.
    pub async fn conversation(
        &self,
        principal: &Principal,
        order_id: OrderId,
        before: Option<i64>,
        limit: Option<i64>,
    ) -> Result<ConversationPage, AppError> {
        let limit = crate::orders::page_size(limit)?;
        let before = redress_domain::chain::before_cursor("before", before).map_err(AppError::Rejected)?;
        let order = self.conversation_order(principal, order_id).await?;
        let mut stored = self.store.messages_page(order_id, before, limit).await?;
        stored.reverse();
        let head = self.store.conversation_head(order_id).await?;
        let items = self.message_views(principal.actor().party(), (order.buyer_id, order.merchant_id), &stored).await?;
        let can_write = !principal.is_platform() && self.open_case_on(order_id).await?.is_none();
        Ok(ConversationPage {
            order_id,
            next_before: stored.first().map(|s| s.link.seq).filter(|&seq| seq > 1),
            items,
            count: head.as_ref().map_or(0, |h| h.link.seq),
            head_hash: head.map(|h| h.link.hash),
            receipts: receipts_seen_by(principal.actor().party(), self.store.read_receipts(order_id).await?),
            can_write,
        })
    }

    /// Posts a text message (status 201, its view). With a key, the answer is recorded with the
    /// message in one transaction and a retry gets it back.
    pub async fn post_message(
        &self,
        principal: &Principal,
        order_id: OrderId,
        text: &str,
        key: Option<&IdempotencyKey>,
    ) -> Result<Answered, AppError> {
        let order = self.writable_order(principal, order_id).await?;
        if let Some(first) = self.answered_before(key).await? {
            return Ok(Answered::Replayed(first));
        }
        self.append(principal, &order, text, Vec::new(), key).await
    }

    /// May `principal` send a file in this conversation now? Checked before a byte of the upload
    /// is read; answers the most one file may weigh.
    pub async fn conversation_file_room(&self, principal: &Principal, order_id: OrderId) -> Result<u64, AppError> {
        self.writable_order(principal, order_id).await?;
        Ok(self.evidence_limits.request_bytes())
    }

    /// Posts a message carrying a received file (and optional text): the file is stored under
    /// its hash first, then the message is recorded; a refused message releases the file again.
    pub async fn post_file(
        &self,
        principal: &Principal,
        order_id: OrderId,
        received: Received,
        description: Description,
        text: &str,
        key: Option<&IdempotencyKey>,
    ) -> Result<Answered, AppError> {
        let order = self.writable_order(principal, order_id).await?;
        if let Some(first) = self.answered_before(key).await? {
            return Ok(Answered::Replayed(first));
        }
        // A retried upload with the same Idempotency-Key names the same file, which the
        // conversation holds once (`append` answers a retry whose file is in already).
        let evidence_id = match key {
            Some(key) => keyed_evidence_id(key, &format!("conversation/{order_id}")),
            None => EvidenceId(uuid::Uuid::now_v7()),
        };
        let file = EvidenceFile {
            evidence_id,
            sha256: received.sha256.clone(),
            kind: description.kind,
            caption: description.caption.trim().to_owned(),
            size: received.size,
            media_type: received.media_type.to_owned(),
            confidential: false,
        };
        // Refused now (a caption too long, text too long) stores nothing.
        conversation::compose(order_id, None, principal.actor(), text, vec![file.clone()], self.clock.now())?;
        let blob = original_key(&received.sha256);
        self.blobs.put_file(&blob, received.temp_path()).await?;
        if let Some(preview) = received.preview_bytes() {
            self.blobs.put_bytes(&preview_key(&received.sha256), Bytes::from(preview.to_vec())).await?;
        }
        let answered = match self.append(principal, &order, text, vec![file], key).await {
            Ok(answered) => answered,
            Err(e) => {
                self.release_blob(&received.sha256).await;
                return Err(e);
            }
        };
        // An identical upload refused meanwhile may have released the object: store it again.
        if self.blobs.size(&blob).await? != Some(received.size) {
            self.blobs.put_file(&blob, received.temp_path()).await?;
        }
        Ok(answered)
    }

    async fn append(
        &self,
        principal: &Principal,
        order: &Order,
        text: &str,
        files: Vec<EvidenceFile>,
        key: Option<&IdempotencyKey>,
    ) -> Result<Answered, AppError> {
        let actor = principal.actor();
        let parties = self.parties_of(actor.party(), order.buyer_id, order.merchant_id, false).await?;
        let by = self.speakers(&parties, &[actor]).await?.remove(0);
        let recipients = self.other_side(order, actor.party()).await?;
        let ran = self
            .commit_keyed(key, || async {
                if let Some(sent) = self.sent_before(order, &files).await? {
                    // A twin request with this key sent the file first: its answer is the answer
                    // (or, once that answer expired, the message as it is).
                    return Ok(match self.answered_before(key).await? {
                        Some(first) => Attempt::Twin(first),
                        None => Attempt::Sent(
                            Ok(()),
                            serde_json::to_string(&view(&sent, by.clone())).map_err(anyhow::Error::from)?,
                        ),
                    });
                }
                let head = self.store.conversation_head(order.id).await?.map(|h| Head::of(&h.message, &h.link));
                let now = self.clock.now();
                let (message, link) = conversation::compose(order.id, head.as_ref(), actor, text, files.clone(), now)?;
                let stored = StoredMessage { message, link };
                let body = serde_json::to_string(&view(&stored, by.clone())).map_err(anyhow::Error::from)?;
                let answer = key.map(|k| k.record(201, body.clone(), now));
                let notifications = message_notifications(order, &stored.message, &recipients);
                match self.store.append_message(&stored, &notifications, answer.as_ref()).await {
                    // A case was filed since the check: it is named as the check names it.
                    Ok(Appended::CaseOpen) => match self.open_case_on(order.id).await? {
                        Some(case) => Err(case_open(case)),
                        None => Err(Rejection::new(RejectionCode::CaseOpenOnOrder).into()),
                    },
                    sent => Ok(Attempt::Sent(sent.map(|_| ()), body)),
                }
            })
            .await?;
        Ok(match ran {
            Ran::Done(body) => Answered::Fresh { status: 201, body },
            Ran::Replayed(first) => Answered::Replayed(first),
        })
    }

    /// The message already carrying one of `files` (sent by a twin request with the same key,
    /// whose file has the same id); the same id with other bytes is a key reused for another file.
    async fn sent_before(&self, order: &Order, files: &[EvidenceFile]) -> Result<Option<StoredMessage>, AppError> {
        for file in files {
            if let Some(sent) = self.store.message_with_file(order.id, file.evidence_id).await? {
                let same =
                    sent.message.files.iter().any(|f| f.evidence_id == file.evidence_id && f.sha256 == file.sha256);
                if !same {
                    return Err(AppError::Invalid(Detail::IdempotencyKeyForAnotherFile));
                }
                return Ok(Some(sent));
            }
        }
        Ok(None)
    }

    /// The people of the side that did not write: the buyer, or every staff account of the shop.
    async fn other_side(&self, order: &Order, writer: Party) -> Result<Vec<redress_domain::UserId>, AppError> {
        Ok(match writer {
            Party::Buyer => self.store.merchant_staff(order.merchant_id).await?,
            _ => vec![order.buyer_id],
        })
    }

    /// Marks the conversation read up to message `up_to` for the caller (its buyer or shop).
    pub async fn mark_conversation_read(
        &self,
        principal: &Principal,
        order_id: OrderId,
        up_to: i64,
    ) -> Result<ReadReceipt, AppError> {
        let order = self.conversation_order(principal, order_id).await?;
        if principal.is_platform() {
            return Err(AppError::Forbidden(Detail::PlatformReadsConversation));
        }
        let side = conversation::may_write(&principal.actor(), &order)?;
        let last = self.store.conversation_head(order_id).await?.map_or(0, |h| h.link.seq);
        let up_to = conversation::read_up_to(None, up_to, last)?;
        let receipt = ReadReceipt { reader: reader_of(principal), side, up_to, read_at: self.clock.now() };
        Ok(self.store.mark_read(order_id, &receipt).await?)
    }

    /// One file of the conversation (or its preview), to a reader of the conversation.
    pub async fn conversation_download(
        &self,
        principal: &Principal,
        order_id: OrderId,
        file_id: EvidenceId,
        preview: bool,
    ) -> Result<ConversationDownload, AppError> {
        self.conversation_order(principal, order_id).await?;
        let stored = self.store.message_with_file(order_id, file_id).await?.ok_or(AppError::NotFound)?;
        let file = stored.message.files.into_iter().find(|f| f.evidence_id == file_id).ok_or(AppError::NotFound)?;
        let (key, media_type, size) = if preview {
            if !crate::evidence::has_preview(&file.media_type) {
                return Err(AppError::NotFound);
            }
            (preview_key(&file.sha256), "image/jpeg".to_owned(), None)
        } else {
            (original_key(&file.sha256), file.media_type.clone(), Some(file.size))
        };
        let body =
            self.blobs.get(&key).await?.ok_or_else(|| anyhow::anyhow!("conversation file {file_id}: {key} missing"))?;
        Ok(ConversationDownload { file, media_type, size, body })
    }

    /// The negotiation record of `case`: the messages of its order the filing counted in its
    /// transaction (cases stored without that count: the messages written before the filing).
    pub async fn negotiation_record(&self, case: &Case) -> Result<Vec<StoredMessage>, AppError> {
        // Fixed when the case is filed: read once (`CaseReads`).
        if let Some(record) = self.case_reads.negotiations.get(&case.id) {
            return Ok(record);
        }
        let record = match self.store.negotiation_length(case.id).await? {
            Some(length) => {
                let mut all = self.store.messages(case.order_id).await?;
                all.truncate(usize::try_from(length).unwrap_or(0));
                all
            }
            None => self.written_before(case.order_id, case.filed_at).await?,
        };
        self.case_reads.negotiations.put(case.id, record.clone());
        Ok(record)
    }

    /// The messages of an order written before `at`.
    async fn written_before(&self, order_id: OrderId, at: Timestamp) -> Result<Vec<StoredMessage>, AppError> {
        let mut all = self.store.messages(order_id).await?;
        let messages: Vec<Message> = all.iter().map(|s| s.message.clone()).collect();
        all.truncate(conversation::before_filing(&messages, at));
        Ok(all)
    }

    /// The negotiation record of a case as `viewer` sees it (its latest `limit` messages).
    pub async fn negotiation(&self, viewer: Party, case: &Case, limit: i64) -> Result<Negotiation, AppError> {
        let record = self.negotiation_record(case).await?;
        self.negotiation_of(viewer, case.order_id, (case.buyer_id, case.merchant_id), record, limit).await
    }

    /// The negotiation record a case filed on `order_id` now will carry (the filing counts it
    /// again in its transaction: a message that lands meanwhile is in the record, not here).
    pub(crate) async fn negotiation_now(
        &self,
        viewer: Party,
        order_id: OrderId,
        limit: i64,
    ) -> Result<Negotiation, AppError> {
        let record = self.store.messages(order_id).await?;
        let order = self.store.order(order_id).await?.ok_or(AppError::NotFound)?;
        self.negotiation_of(viewer, order_id, (order.buyer_id, order.merchant_id), record, limit).await
    }

    /// The negotiation of an order between `parties` (its buyer and its shop).
    async fn negotiation_of(
        &self,
        viewer: Party,
        order_id: OrderId,
        parties: (UserId, MerchantId),
        record: Vec<StoredMessage>,
        limit: i64,
    ) -> Result<Negotiation, AppError> {
        let messages: Vec<Message> = record.iter().map(|s| s.message.clone()).collect();
        let from = record.len().saturating_sub(usize::try_from(limit).unwrap_or(0));
        let latest = self.message_views(viewer, parties, &record[from..]).await?;
        Ok(Negotiation {
            order_id,
            messages: record.len() as i64,
            head_hash: record.last().map(|s| s.link.hash.clone()),
            buyer_contacted_at: conversation::buyer_contacted_at(&messages),
            before: record.get(from).map(|s| s.link.seq).filter(|&seq| seq > 1),
            latest,
        })
    }

    /// What the conversation of an order says for the complaint checker: whether the buyer
    /// wrote to the shop, and which evidence is actually attached.
    pub async fn record_facts(&self, order_id: OrderId) -> Result<RecordFacts, AppError> {
        let messages: Vec<Message> = self.store.messages(order_id).await?.into_iter().map(|s| s.message).collect();
        Ok(record_facts(&messages))
    }
}

/// Contact and evidence on record: the files the buyer sent, and the conversation itself as a
/// chat record once the shop has answered in it.
pub fn record_facts(messages: &[Message]) -> RecordFacts {
    let mut evidence: Vec<EvidenceKind> =
        messages.iter().filter(|m| m.side() == Party::Buyer).flat_map(|m| m.files.iter().map(|f| f.kind)).collect();
    if conversation::merchant_answered(messages) {
        evidence.push(EvidenceKind::ChatRecord);
    }
    evidence.sort();
    evidence.dedup();
    RecordFacts { buyer_contacted_at: conversation::buyer_contacted_at(messages), evidence }
}

fn view(stored: &StoredMessage, by: Speaker) -> MessageView {
    let m = &stored.message;
    MessageView {
        seq: stored.link.seq,
        at: m.at,
        side: m.side(),
        by,
        text: m.text.clone(),
        files: m
            .files
            .iter()
            .map(|f| MessageFile { file: f.clone(), has_preview: crate::evidence::has_preview(&f.media_type) })
            .collect(),
        prev_hash: stored.link.prev_hash.clone(),
        hash: stored.link.hash.clone(),
    }
}

/// The notice each person of the other side gets of a new message, written with it.
fn message_notifications(order: &Order, message: &Message, recipients: &[redress_domain::UserId]) -> Vec<Notification> {
    recipients
        .iter()
        .map(|user| {
            Notification::new(
                *user,
                None,
                redress_text::NotificationKind::ConversationMessage,
                serde_json::json!({
                    "order_id": order.id,
                    "order_number": order.number,
                    "from": message.side().as_str(),
                    "seq": message.seq,
                    "at": message.at,
                }),
                message.at,
            )
        })
        .collect()
}

/// A message in one line of `lang`: its text, then each file it carries.
pub fn narrate(message: &Message, lang: redress_text::Lang) -> String {
    use redress_text::Label;
    use redress_text::fluent::FluentValue;
    let mut line = message.text.clone();
    for f in &message.files {
        let caption = if f.caption.is_empty() { String::new() } else { format!(" {}", f.caption) };
        let args: redress_text::Args = [
            ("kind", f.kind.label(lang)),
            ("caption", caption),
            ("media_type", f.media_type.clone()),
            ("sha", f.sha256.chars().take(12).collect()),
        ]
        .into_iter()
        .map(|(name, value)| (name.into(), FluentValue::from(value)))
        .collect();
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&redress_text::text_with(lang, "conversation-file", &args));
    }
    line
}

/// The refusal of a message on an order with an open case, naming the case.
fn case_open(case: redress_domain::CaseId) -> AppError {
    Rejection::with(RejectionCode::CaseOpenOnOrder, Detail::CaseOpen { case: case.to_string() }).into()
}
