//! Full-text search over cases (issue 13): what people wrote (descriptions, messages, offers,
//! rejections, decisions, appeals), the claimed items' titles and the shop's name, in Chinese
//! and English.
//!
//! Chinese has no spaces, so the application segments it (jieba, with the domain's words added
//! to its dictionary) and the database indexes the segmented words with its own full-text search
//! (SQLite FTS5, PostgreSQL tsvector with the `simple` configuration). Each case has one
//! document: its words in order (phrases match on them), then the dictionary words found inside
//! longer ones (仅退款 is also found by 退款). The document is written in the transaction of the
//! change that adds its text; `redress reindex` builds the documents of older cases.

pub mod rank;

use crate::ports::StoreResult;
use crate::{App, AppError, Principal};
use jiff::Timestamp;
use redress_domain::order::Order;
use redress_domain::{Case, CaseId, Detail, EventBody, MerchantId, UserId};
use serde::Serialize;
use std::sync::LazyLock;

/// Words the law and the platforms' rules speak of that no vocabulary list of the law crate
/// holds (the rest of the dictionary comes from there).
const LAW_TERMS: &[&str] = &["三包", "运费险", "七日无理由", "平台介入", "退货运费", "假一赔三", "退一赔三"];

static JIEBA: LazyLock<jieba_rs::Jieba> = LazyLock::new(|| {
    let mut jieba = jieba_rs::Jieba::new();
    for word in dictionary_words() {
        jieba.add_word(&word, None, None);
    }
    jieba
});

/// The user dictionary: the zh-CN labels (the catalogue's) of every request kind, reason and
/// evidence kind, the words the complaint checker reads for, and `LAW_TERMS`; Chinese words of
/// two characters or more.
pub fn dictionary_words() -> impl Iterator<Item = String> {
    use redress_law::{EvidenceKind, Reason, RequestKind};
    use redress_text::{Label, Lang};
    let labels = RequestKind::ALL
        .iter()
        .map(|k| k.label(Lang::Zh))
        .chain(Reason::ALL.iter().map(|r| r.label(Lang::Zh)))
        .chain(EvidenceKind::ALL.iter().map(|e| e.label(Lang::Zh)));
    labels
        .chain(redress_law::complaint_check::domain_words().map(str::to_owned))
        .chain(LAW_TERMS.iter().map(|w| (*w).to_owned()))
        .filter(|w| w.chars().count() >= 2 && w.chars().all(is_cjk))
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// Loads the dictionary now rather than on the first filing or search.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// A word as indexed and searched: lower case, letters and digits only (a token with other
/// characters, `WES-5.4.5`, is its parts), so both databases' tokenizers take it whole. A typed
/// word of a scope word's form is cut in two (see `shop_word`).
fn normalized(token: &str) -> Vec<String> {
    let lower = token.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .flat_map(|p| match is_scope_word(p) {
            true => vec![p[..SCOPE_MARK_LEN].to_owned(), p[SCOPE_MARK_LEN..].to_owned()],
            false => vec![p.to_owned()],
        })
        .collect()
}

/// Scope words: each document holds its shop's word and its buyer's word, and a shop's or a
/// buyer's search asks for its own word beside the query's, so the full-text index itself keeps
/// to the scope (FTS5 and GIN intersect a common word with a rare one by seeking, instead of
/// reading every case of the scope). No text a person writes and no query holds one:
/// `normalized` cuts any typed word of this form in two.
pub fn shop_word(shop: MerchantId) -> String {
    format!("{SHOP_MARK}{}", shop.0.simple())
}

/// The buyer's scope word (see `shop_word`).
pub fn buyer_word(buyer: UserId) -> String {
    format!("{BUYER_MARK}{}", buyer.0.simple())
}

/// A case's reason as a word of its document (its canonical name, `counterfeit`): an agent's
/// search filtered by reason asks for it beside the query's words, so the index keeps to the
/// reason by seeking instead of the search reading each match's case (a filter that keeps one
/// case in eleven read eleven for each kept). Made like a scope word: no one can type it.
pub fn reason_word(reason: &str) -> String {
    format!("{REASON_MARK}{}", name_digest(reason))
}

/// A case's kind of request as a word of its document (see `reason_word`).
pub fn kind_word(kind: &str) -> String {
    format!("{KIND_MARK}{}", name_digest(kind))
}

/// 32 hexadecimal digits of a vocabulary name (the first half of its SHA-256): a fixed length
/// whatever the name, letters and digits only, so both tokenizers keep it whole.
fn name_digest(name: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(name.as_bytes())[..16])
}

const SHOP_MARK: &str = "xs";
const BUYER_MARK: &str = "xb";
const REASON_MARK: &str = "xr";
const KIND_MARK: &str = "xk";
const SCOPE_MARK_LEN: usize = 2;

/// Whether a lower-case word has a scope word's form: a mark, then 32 hexadecimal digits.
fn is_scope_word(word: &str) -> bool {
    word.len() == SCOPE_MARK_LEN + 32
        && [SHOP_MARK, BUYER_MARK, REASON_MARK, KIND_MARK].iter().any(|mark| word.starts_with(mark))
        && word.bytes().skip(SCOPE_MARK_LEN).all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The words a case's document starts with, as indexed (each followed by a space): its shop's
/// and its buyer's scope words, then its reason's and its kind's words.
pub fn scope_words(shop: MerchantId, buyer: UserId, reason: &str, kind: &str) -> String {
    format!("{}{} {} ", shop_and_buyer_words(shop, buyer), reason_word(reason), kind_word(kind))
}

/// The words documents started with before reason and kind words (migration 0033), which
/// `SearchStore::add_scope_words` replaces.
pub fn shop_and_buyer_words(shop: MerchantId, buyer: UserId) -> String {
    format!("{} {} ", shop_word(shop), buyer_word(buyer))
}

/// The words a search asks for beside its query: the asker's scope word (a buyer's or a shop's)
/// and the words of its reason and kind filters.
pub fn filter_words(f: &SearchFilter) -> Vec<String> {
    let scope = match (f.buyer_id, f.merchant_id) {
        (Some(buyer), _) => Some(buyer_word(buyer)),
        (None, Some(shop)) => Some(shop_word(shop)),
        (None, None) => None,
    };
    scope.into_iter().chain(f.reason.as_deref().map(reason_word)).chain(f.kind.as_deref().map(kind_word)).collect()
}

/// Whether a word is letters or digits of an alphabet (Latin, Greek, Cyrillic, …), not Chinese.
fn is_alphabetic_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(is_alphabetic)
}

/// A letter or digit below the CJK blocks.
fn is_alphabetic(c: char) -> bool {
    c.is_alphanumeric() && u32::from(c) < 0x2E80
}

/// jieba's words of `text` (word, first and last-but-one character), with runs of letters it cut
/// apart joined again: its pattern for Western words knows ASCII only, so "Ünïcödé" came out as
/// seven one-letter words that match letters anywhere (a trial's finding).
fn cut(text: &str) -> Vec<(String, usize, usize)> {
    let mut words: Vec<(String, usize, usize)> = Vec::new();
    for t in JIEBA.cut(text, true) {
        match words.last_mut() {
            Some(last) if last.2 == t.start && is_alphabetic_word(&last.0) && is_alphabetic_word(t.word) => {
                last.0.push_str(t.word);
                last.2 = t.end;
            }
            _ => words.push((t.word.to_owned(), t.start, t.end)),
        }
    }
    words
}

/// The words of `text` in order.
pub fn words(text: &str) -> Vec<String> {
    cut(text).into_iter().flat_map(|(word, _, _)| normalized(&word)).collect()
}

/// Whether a query has a lone Chinese character among its words: such a character is indexed
/// only where it stands as a word, so 退 does not find 退款 (the search page says so).
pub fn has_lone_character(query: &str) -> bool {
    words(query).iter().any(|w| w.chars().count() == 1 && !w.chars().all(is_alphabetic))
}

/// The indexed form of `text`: its words in order, then the dictionary words inside longer
/// (Chinese) ones.
pub fn segment(text: &str) -> String {
    let whole = cut(text);
    let spans: std::collections::HashSet<(usize, usize)> = whole.iter().map(|(_, start, end)| (*start, *end)).collect();
    let inner = JIEBA
        .cut_for_search(text, true)
        .into_iter()
        .filter(|t| !spans.contains(&(t.start, t.end)) && !is_alphabetic_word(t.word))
        .map(|t| t.word.to_owned());
    let all: Vec<String> =
        whole.into_iter().map(|(word, _, _)| word).chain(inner).flat_map(|w| normalized(&w)).collect();
    all.join(" ")
}

/// The text an event adds to its case's document, if any.
pub fn event_text(body: &EventBody) -> Option<&str> {
    let text = match body {
        EventBody::Filed(filed) => &filed.description,
        EventBody::MessagePosted { text, .. }
        | EventBody::QuestionAnswered { text }
        | EventBody::ReturnDisputed { text }
        | EventBody::Escalated { text }
        | EventBody::EvidenceSubmitted { text, .. } => text,
        EventBody::Revised { description, .. } => description,
        EventBody::OfferMade { note, .. }
        | EventBody::MediationProposed { note, .. }
        | EventBody::OfflineRefundProved { note, .. } => note,
        EventBody::QuestionAsked { question } => question,
        EventBody::Rejected { rejection } => &rejection.text,
        EventBody::EvidenceRequested { request } => &request.what,
        EventBody::Decided { rationale, .. } | EventBody::AppealReviewed { rationale, .. } => rationale,
        EventBody::AppealFiled { reason, .. } => reason,
        EventBody::Rated { comment, .. } => comment,
        _ => return None,
    };
    Some(text.as_str()).filter(|t| !t.trim().is_empty())
}

/// A case's search document: `plain` (the texts as written, for snippets) and `words` (their
/// segmented form, which the database indexes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchDoc {
    pub plain: String,
    pub words: String,
}

impl SearchDoc {
    /// The head of a case's document: its shop's name and the titles of the claimed items.
    pub fn head(case: &Case, order: &Order, shop_name: &str) -> SearchDoc {
        let words = scope_words(case.merchant_id, case.buyer_id, case.reason.as_str(), case.kind.as_str());
        let mut doc = SearchDoc { plain: String::new(), words };
        doc.push(shop_name);
        for item in order.items.iter().filter(|i| case.items.iter().any(|c| c.sku == i.sku)) {
            doc.push(&item.title);
        }
        doc
    }

    /// The texts these events add, as one piece to append to a document (empty: nothing).
    pub fn of_events(events: &[redress_domain::Event]) -> SearchDoc {
        let mut doc = SearchDoc::default();
        for text in events.iter().filter_map(|e| event_text(&e.body)) {
            doc.push(text);
        }
        doc
    }

    /// The texts of a case's negotiation record (the conversation before its filing): a case
    /// is found by what its buyer and shop said before it, and only as a case, by its readers.
    pub fn of_messages<'a>(messages: impl IntoIterator<Item = &'a redress_domain::conversation::Message>) -> SearchDoc {
        let mut doc = SearchDoc::default();
        for message in messages {
            doc.push(&message.text);
            for file in &message.files {
                doc.push(&file.caption);
            }
        }
        doc
    }

    /// Appends a text (each text is on its own line of `plain`).
    pub fn push(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.plain.push_str(text);
        self.plain.push('\n');
        self.words.push_str(&segment(text));
        self.words.push(' ');
    }

    pub fn append(&mut self, other: &SearchDoc) {
        self.plain.push_str(&other.plain);
        self.words.push_str(&other.words);
    }

    pub fn is_empty(&self) -> bool {
        self.plain.is_empty()
    }
}

/// One thing a query asks for: a word, or words in this order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(Vec<String>),
}

/// A parsed query: every term must match (`any`: at least one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub terms: Vec<Term>,
    pub any: bool,
}

/// Longest query read, in characters; most terms in one query.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_TERMS: usize = 16;

impl Terms {
    /// Words outside double quotes are terms each; words inside double quotes are a phrase.
    pub fn parse(query: &str) -> Result<Terms, AppError> {
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::Invalid(Detail::too_long("q", MAX_QUERY_CHARS)));
        }
        let mut terms = Vec::new();
        for (i, part) in query.split(['"', '“', '”']).enumerate() {
            let found = words(part);
            if i % 2 == 1 && found.len() > 1 {
                terms.push(Term::Phrase(found));
            } else {
                terms.extend(found.into_iter().map(Term::Word));
            }
        }
        terms.dedup();
        if terms.is_empty() {
            return Err(AppError::Invalid(Detail::NoSearchWord));
        }
        if terms.len() > MAX_TERMS {
            return Err(AppError::Invalid(Detail::SearchWords { max: MAX_TERMS as u64 }));
        }
        Ok(Terms { terms, any: false })
    }

    /// An FTS5 query. Words are letters and digits only, so quoting them is enough.
    pub fn fts5(&self) -> String {
        let terms: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Word(w) => format!("\"{w}\""),
                Term::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
            })
            .collect();
        terms.join(if self.any { " OR " } else { " AND " })
    }

    /// The FTS5 query with words every match must hold too: a scope's word (see `shop_word`),
    /// a reason's or a kind's (see `reason_word`).
    pub fn fts5_within(&self, words: &[String]) -> String {
        words.iter().fold(self.fts5(), |query, word| format!("({query}) AND \"{word}\""))
    }

    /// The `tsquery` text with words every match must hold too (see `fts5_within`).
    pub fn tsquery_within(&self, words: &[String]) -> String {
        words.iter().fold(self.tsquery(), |query, word| format!("({query}) & '{word}'"))
    }

    /// A PostgreSQL `tsquery` text (for `to_tsquery('simple', ...)`).
    pub fn tsquery(&self) -> String {
        let terms: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Word(w) => format!("'{w}'"),
                Term::Phrase(ws) => {
                    format!("({})", ws.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" <-> "))
                }
            })
            .collect();
        terms.join(if self.any { " | " } else { " & " })
    }

    /// Every word of every term, to highlight.
    pub fn words(&self) -> Vec<&str> {
        self.terms
            .iter()
            .flat_map(|t| match t {
                Term::Word(w) => std::slice::from_ref(w).iter(),
                Term::Phrase(ws) => ws.iter(),
            })
            .map(String::as_str)
            .collect()
    }
}

/// A piece of a snippet; `mark`: a word the query matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SnippetPart {
    pub text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mark: bool,
}

/// Characters of context shown before the first match, and at most in all.
const SNIPPET_BEFORE: usize = 24;
const SNIPPET_CHARS: usize = 120;

/// The part of `plain` around the first match of any of `words`, the matches marked.
pub fn snippet(plain: &str, words: &[&str]) -> Vec<SnippetPart> {
    let chars: Vec<char> = plain.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    let mut marked = vec![false; chars.len()];
    for word in words {
        let w: Vec<char> = word.chars().collect();
        if w.is_empty() || w.len() > lower.len() {
            continue;
        }
        // A Western word is marked whole, not inside another ("t" of "isn't" is not the "t" of
        // "concurrent"); Chinese has no spaces, so a Chinese word is marked wherever it is.
        let whole_only = w.iter().all(|c| is_alphabetic(*c));
        let apart = |i: Option<usize>| i.and_then(|i| lower.get(i)).is_none_or(|c| !is_alphabetic(*c));
        for start in 0..=lower.len() - w.len() {
            if lower[start..start + w.len()] == w[..]
                && (!whole_only || (apart(start.checked_sub(1)) && apart(Some(start + w.len()))))
            {
                marked[start..start + w.len()].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    let first = marked.iter().position(|m| *m).unwrap_or(0);
    let from = first.saturating_sub(SNIPPET_BEFORE);
    let to = (from + SNIPPET_CHARS).min(chars.len());
    let mut parts: Vec<SnippetPart> = Vec::new();
    if from > 0 {
        parts.push(SnippetPart { text: "…".into(), mark: false });
    }
    for i in from..to {
        match parts.last_mut() {
            Some(last) if last.mark == marked[i] && !(i == from && from > 0) => last.text.push(chars[i]),
            _ => parts.push(SnippetPart { text: chars[i].to_string(), mark: marked[i] }),
        }
    }
    if to < chars.len() {
        parts.push(SnippetPart { text: "…".into(), mark: false });
    }
    parts.retain(|p| !p.text.trim().is_empty() || p.mark);
    parts
}

/// Where a ranked page ended: the last hit's score and id (higher scores first, then newer ids),
/// and the block it was ranked in, if ranked a block at a time (`rank::Block`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub score: f64,
    pub id: CaseId,
    pub block: Option<rank::Block>,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Rust prints the shortest text that reads back as the same f64.
        write!(f, "{}_{}", self.score, self.id)?;
        match &self.block {
            Some(block) => write!(f, "_{}_{}", block.newest, block.oldest),
            None => Ok(()),
        }
    }
}

impl std::str::FromStr for Cursor {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Cursor, AppError> {
        let invalid = || AppError::Invalid(Detail::NotACursor { field: "after".into() });
        // A block's places are row numbers or case ids.
        let place = |p: &str| {
            Some(p.to_owned()).filter(|p| {
                (1..=36).contains(&p.len()) && p.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b'-'))
            })
        };
        let parts: Vec<&str> = s.split('_').collect();
        let (score, id, block) = match parts[..] {
            [score, id] => (score, id, None),
            [score, id, newest, oldest] => {
                let block = rank::Block {
                    newest: place(newest).ok_or_else(invalid)?,
                    oldest: place(oldest).ok_or_else(invalid)?,
                };
                (score, id, Some(block))
            }
            _ => return Err(invalid()),
        };
        let score: f64 = score.parse().map_err(|_| invalid())?;
        Ok(Cursor {
            score: Some(score).filter(|s| s.is_finite()).ok_or_else(invalid)?,
            id: id.parse().map_err(|_| invalid())?,
            block,
        })
    }
}

/// What the store filters on; the scope (`buyer_id`, `merchant_id`) is set from the asker.
#[derive(Clone, Debug, Default)]
pub struct SearchFilter {
    pub buyer_id: Option<UserId>,
    pub merchant_id: Option<MerchantId>,
    pub state: Option<String>,
    pub stage: Option<String>,
    pub reason: Option<String>,
    pub kind: Option<String>,
    pub filed_from: Option<Timestamp>,
    pub filed_before: Option<Timestamp>,
    /// Open cases whose deadline falls before this time.
    pub due_before: Option<Timestamp>,
    pub open_only: bool,
    /// A case left out (the one similar cases are sought for).
    pub except: Option<CaseId>,
    pub after: Option<Cursor>,
    pub limit: i64,
    /// Matches an agent's plain query ranks at a time (`rank::Block`); 0: `rank::BLOCK`.
    pub block: usize,
}

/// A case found, with its score and document text (and its block, if ranked a block at a
/// time).
#[derive(Clone, Debug)]
pub struct SearchRow {
    pub case: Case,
    pub score: f64,
    pub plain: String,
    pub block: Option<rank::Block>,
}

/// Cases filed on a shop and those of them that were repeats (a case on an order that had one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RepeatCount {
    pub cases: i64,
    pub repeats: i64,
}

/// Search documents and the counts that read the case table: a port of its own.
#[async_trait::async_trait]
pub trait SearchStore: Send + Sync {
    /// Cases matching `terms` within `filter`, best first.
    async fn search_cases(&self, terms: &Terms, filter: &SearchFilter) -> StoreResult<Vec<SearchRow>>;
    /// Replaces a case's document, if the case is still at `version`; false if it moved on.
    async fn put_search_doc(&self, case_id: CaseId, version: i64, doc: &SearchDoc) -> StoreResult<bool>;
    /// Gives the next `limit` documents written before scope words existed their scope words
    /// (`scope_words`), in one transaction; how many documents it went through, 0 once all have
    /// them.
    async fn add_scope_words(&self, limit: i64) -> StoreResult<u64>;
    /// Case ids after `after` in id order, at most `limit`; `missing_doc_only`: only those with
    /// no document (filed before search existed).
    async fn case_ids(&self, after: Option<CaseId>, missing_doc_only: bool, limit: i64) -> StoreResult<Vec<CaseId>>;
    /// The newest open cases of a shop, at most `limit`.
    async fn open_cases_of_shop(&self, merchant: MerchantId, limit: i64) -> StoreResult<Vec<Case>>;
    /// A shop's cases filed in `[from, before)` and how many were repeats.
    async fn repeat_count(
        &self,
        merchant: MerchantId,
        from: Option<Timestamp>,
        before: Option<Timestamp>,
    ) -> StoreResult<RepeatCount>;
}

/// `GET /search`: a query, its filters and the page wanted.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub q: String,
    pub shop: Option<MerchantId>,
    pub state: Option<String>,
    pub stage: Option<String>,
    pub reason: Option<String>,
    pub kind: Option<String>,
    pub filed_from: Option<Timestamp>,
    pub filed_before: Option<Timestamp>,
    pub overdue: bool,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub case: crate::views::CaseView,
    /// Higher is better; comparable within one search only.
    pub score: f64,
    /// Where the words were found, the matches marked.
    pub snippet: Vec<SnippetPart>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// Why a case is shown as similar to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Similarity {
    /// Same shop, and an item in common.
    SameItem,
    /// Close text (the search index ranks it among the best matches of the case's words).
    CloseText,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SimilarCase {
    pub case: crate::views::CaseView,
    pub similarity: Similarity,
}

/// Similar open cases shown at most, of each kind.
const SIMILAR_MAX: usize = 10;
/// Open cases of a shop looked through for items in common (newest first).
const SHOP_OPEN_SCAN: i64 = 500;
/// Words of a case's description that look for close text (the longest first).
const SIMILAR_WORDS: usize = 8;

/// Checks a vocabulary value of a filter.
fn known<T: std::str::FromStr>(name: &str, value: Option<String>) -> Result<Option<String>, AppError> {
    match value {
        Some(v) if v.parse::<T>().is_err() => Err(AppError::Invalid(Detail::Unknown { field: name.into(), value: v })),
        v => Ok(v),
    }
}

impl App {
    /// Cases the asker may see that match the query, best first, a page at a time.
    pub async fn search(&self, principal: &Principal, request: SearchRequest) -> Result<SearchPage, AppError> {
        let terms = Terms::parse(&request.q)?;
        let (buyer_id, merchant_id) = principal.list_scope()?;
        // A shop asked for that is not the merchant's own: nothing to see.
        if let (Some(own), Some(asked)) = (merchant_id, request.shop)
            && own != asked
        {
            return Ok(SearchPage { items: Vec::new(), next_after: None });
        }
        let limit = crate::orders::page_size(request.limit)?;
        let filter = SearchFilter {
            buyer_id,
            merchant_id: merchant_id.or(request.shop),
            state: known::<redress_domain::CaseState>("state", request.state)?,
            stage: known::<redress_domain::Stage>("stage", request.stage)?,
            reason: known::<redress_law::Reason>("reason", request.reason)?,
            kind: known::<redress_law::RequestKind>("kind", request.kind)?,
            filed_from: request.filed_from,
            filed_before: request.filed_before,
            due_before: request.overdue.then(|| self.clock.now()),
            after: request.after.as_deref().map(str::parse).transpose()?,
            limit,
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let rows = self.store.search_cases(&terms, &filter).await?;
        metrics::histogram!(crate::telemetry::SEARCH_DURATION).record(started.elapsed().as_secs_f64());
        let full = rows.len() as i64 == limit;
        let next_after = rows
            .last()
            .filter(|_| full)
            .map(|r| Cursor { score: r.score, id: r.case.id, block: r.block.clone() }.to_string());
        let words = terms.words();
        let items = rows
            .into_iter()
            // The store filtered by the asker's scope; this says so again where it matters most.
            .filter(|r| principal.can_see_case(&r.case))
            .map(|r| SearchHit { snippet: snippet(&r.plain, &words), score: r.score, case: (&r.case).into() })
            .collect();
        Ok(SearchPage { items, next_after })
    }

    /// Open cases like this one, for the agent working it: the same shop with an item in common,
    /// then close text by the search index. The platform's only.
    pub async fn similar_cases(&self, principal: &Principal, case_id: CaseId) -> Result<Vec<SimilarCase>, AppError> {
        if !principal.is_platform() {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "agent".into() }));
        }
        let case = self.store.case(case_id).await?.ok_or(AppError::NotFound)?.case;
        let mut similar: Vec<SimilarCase> = self
            .store
            .open_cases_of_shop(case.merchant_id, SHOP_OPEN_SCAN)
            .await?
            .into_iter()
            .filter(|c| c.id != case.id && c.items.iter().any(|i| case.items.iter().any(|j| i.sku == j.sku)))
            .take(SIMILAR_MAX)
            .map(|c| SimilarCase { case: (&c).into(), similarity: Similarity::SameItem })
            .collect();
        if let Some(terms) = close_text_terms(&case.description) {
            let filter = SearchFilter {
                open_only: true,
                except: Some(case.id),
                limit: SIMILAR_MAX as i64 * 2,
                ..Default::default()
            };
            for row in self.store.search_cases(&terms, &filter).await? {
                if similar.iter().all(|s| s.case.id != row.case.id) && similar.len() < 2 * SIMILAR_MAX {
                    similar.push(SimilarCase { case: (&row.case).into(), similarity: Similarity::CloseText });
                }
            }
        }
        Ok(similar)
    }

    /// A shop's repeat complaints: its merchants' and the platform's to read.
    pub async fn repeat_complaints(
        &self,
        principal: &Principal,
        shop: MerchantId,
        from: Option<Timestamp>,
        before: Option<Timestamp>,
    ) -> Result<RepeatCount, AppError> {
        if !principal.is_platform() && principal.merchant_id() != Some(shop) {
            return Err(AppError::NotFound);
        }
        Ok(self.store.repeat_count(shop, from, before).await?)
    }

    /// Builds the search documents of cases that have none (`all`: of every case); how many.
    pub async fn reindex_search(&self, all: bool) -> Result<u64, AppError> {
        const PAGE: i64 = 500;
        let mut done = 0;
        let mut after = None;
        loop {
            let ids = self.store.case_ids(after, !all, PAGE).await?;
            let Some(last) = ids.last() else { return Ok(done) };
            after = Some(*last);
            for id in ids {
                // A case that moves on meanwhile is read again: its change did not index it.
                for _ in 0..5 {
                    if self.index_case(id).await? {
                        done += 1;
                        break;
                    }
                }
            }
        }
    }

    /// Gives every document written before scope words existed its scope words, a batch at a
    /// time (logging progress); how many documents it went through. Shops' and buyers' searches
    /// match inside the index once this is done (before, they read the scope's cases first).
    pub async fn add_scope_words(&self) -> Result<u64, AppError> {
        const BATCH: i64 = 500;
        const LOG_EVERY: u64 = 50_000;
        let (started, mut done) = (std::time::Instant::now(), 0);
        loop {
            let batch = self.store.add_scope_words(BATCH).await?;
            if batch == 0 {
                if done > 0 {
                    tracing::info!(documents = done, seconds = started.elapsed().as_secs(), "scope words added");
                }
                return Ok(done);
            }
            if (done + batch) / LOG_EVERY > done / LOG_EVERY {
                tracing::info!(documents = done + batch, "adding scope words to search documents");
            }
            done += batch;
        }
    }

    async fn index_case(&self, id: CaseId) -> Result<bool, AppError> {
        let Some(record) = self.store.case(id).await? else { return Ok(true) };
        let order = self.store.order(record.case.order_id).await?.ok_or(AppError::NotFound)?;
        let shop = self.store.merchant(record.case.merchant_id).await?.map(|m| m.name).unwrap_or_default();
        let events: Vec<_> = self.store.events(id).await?.into_iter().map(|e| e.event).collect();
        let mut doc = SearchDoc::head(&record.case, &order, &shop);
        doc.append(&SearchDoc::of_events(&events));
        let said = self.negotiation_record(&record.case).await?;
        doc.append(&SearchDoc::of_messages(said.iter().map(|s| &s.message)));
        Ok(self.store.put_search_doc(id, record.version, &doc).await?)
    }
}

/// The words that look for cases with close text: the description's longest distinct words,
/// any of which may match (the index ranks the cases that share most of them first).
fn close_text_terms(description: &str) -> Option<Terms> {
    let mut found = words(description);
    found.retain(|w| w.chars().count() >= 2);
    found.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    found.dedup();
    found.truncate(SIMILAR_WORDS);
    (!found.is_empty()).then(|| Terms { terms: found.into_iter().map(Term::Word).collect(), any: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_domains_words_stay_whole() {
        for word in ["七天无理由", "仅退款", "退货退款", "运费险", "假货", "三包", "质量问题", "未收到货"]
        {
            assert!(dictionary_words().any(|w| w == word), "{word} is not in the dictionary");
            assert_eq!(words(&format!("我要{word}了")).iter().filter(|w| *w == word).count(), 1, "{word}");
        }
    }

    #[test]
    fn words_inside_longer_words_are_indexed_after_the_words_in_order() {
        let indexed = segment("申请仅退款，商家说是假货");
        let (in_order, _) = indexed.split_at(indexed.find("假货").unwrap() + "假货".len());
        assert_eq!(in_order.split(' ').collect::<Vec<_>>(), ["申请", "仅退款", "商家说", "是", "假货"]);
        for inner in ["退款", "商家"] {
            assert!(indexed.split(' ').any(|w| w == inner), "{inner}: {indexed}");
        }
    }

    #[test]
    fn english_is_lower_case_and_split_at_punctuation() {
        assert_eq!(words("Refund the WES-5.4 charger!"), ["refund", "the", "wes", "5", "4", "charger"]);
    }

    #[test]
    fn nobody_can_write_or_ask_for_a_scope_word() {
        let shop = MerchantId(uuid::Uuid::now_v7());
        let buyer = UserId(uuid::Uuid::now_v7());
        let (shop_w, buyer_w) = (shop_word(shop), buyer_word(buyer));
        let (reason_w, kind_w) = (reason_word("counterfeit"), kind_word("refund_only"));
        let all = [shop_w.as_str(), buyer_w.as_str(), reason_w.as_str(), kind_w.as_str()];
        assert!(all.iter().all(|w| is_scope_word(w)), "{all:?}");
        assert_ne!(reason_word("counterfeit"), reason_word("other"));
        // A document starts with them...
        let case_words = scope_words(shop, buyer, "counterfeit", "refund_only");
        assert_eq!(case_words.split_whitespace().collect::<Vec<_>>(), all);
        // ...but typed, in any case and beside any text, they are cut apart.
        let typed_forms = [
            shop_w.clone(),
            buyer_w.to_uppercase(),
            format!("退款{shop_w}"),
            format!("{reason_w}，假货"),
            kind_w.clone(),
        ];
        for typed in typed_forms {
            let indexed = segment(&typed);
            assert!(indexed.split(' ').all(|w| !all.contains(&w)), "{typed}: {indexed}");
            let terms = Terms::parse(&typed).unwrap();
            assert!(terms.words().iter().all(|w| !all.contains(w)), "{typed}: {terms:?}");
        }
        // Words that merely start like one stay whole.
        assert_eq!(words("xsmall xb12"), ["xsmall", "xb12"]);
    }

    #[test]
    fn quotes_make_a_phrase() {
        let terms = Terms::parse("\"screen cracked\" 退款").unwrap();
        assert_eq!(terms.terms, [Term::Phrase(vec!["screen".into(), "cracked".into()]), Term::Word("退款".into())]);
        assert_eq!(terms.fts5(), "\"screen cracked\" AND \"退款\"");
        assert_eq!(terms.tsquery(), "('screen' <-> 'cracked') & '退款'");
        assert!(Terms::parse("  ，。!").is_err());
        assert!(Terms::parse(&"字".repeat(MAX_QUERY_CHARS + 1)).is_err());
    }

    #[test]
    fn a_snippet_marks_the_matches_around_the_first() {
        let parts = snippet("屏幕碎了\n申请退款，商家不同意退款", &["退款"]);
        let marked: Vec<&str> = parts.iter().filter(|p| p.mark).map(|p| p.text.as_str()).collect();
        assert_eq!(marked, ["退款", "退款"]);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "屏幕碎了 申请退款，商家不同意退款");
        let long = format!("{}Refund{}", "字".repeat(100), "字".repeat(200));
        let parts = snippet(&long, &["refund"]);
        assert_eq!(parts.first().unwrap().text, "…");
        assert!(parts.iter().any(|p| p.mark && p.text == "Refund"));
    }

    /// Trial finding: "isn't" marked the "t" of "concurrent", "Ünïcödé" marked single letters
    /// all over, because jieba cut letters outside ASCII one by one.
    #[test]
    fn western_words_are_whole_in_the_index_and_in_snippets() {
        assert_eq!(words("Ünïcödé naïve café"), ["ünïcödé", "naïve", "café"]);
        assert_eq!(segment("Ünïcödé naïve 耳机坏了"), "ünïcödé naïve 耳机 坏了");
        let text = "one concurrent one: the cable isn't working, Ünïcödé café";
        let marked = |q: &str| -> Vec<String> {
            let terms = Terms::parse(q).unwrap();
            snippet(text, &terms.words()).into_iter().filter(|p| p.mark).map(|p| p.text).collect()
        };
        assert_eq!(marked("isn't"), ["isn", "t"]);
        assert_eq!(marked("Ünïcödé"), ["Ünïcödé"]);
        assert_eq!(marked("café"), ["café"]);
        assert_eq!(marked("one"), ["one", "one"]);
    }

    #[test]
    fn a_lone_chinese_character_is_told_apart() {
        assert!(has_lone_character("退") && has_lone_character("耳机 裂"));
        assert!(!has_lone_character("退款") && !has_lone_character("a 5 refund"));
    }

    proptest! {
        /// Whatever is typed, the query sent to either database holds only quoted words of
        /// letters and digits (nothing the query languages would read as syntax).
        #[test]
        fn queries_carry_no_syntax_of_their_own(q in "\\PC{0,60}") {
            if let Ok(terms) = Terms::parse(&q) {
                for word in terms.words() {
                    prop_assert!(!word.is_empty() && word.chars().all(char::is_alphanumeric), "{word:?}");
                }
            }
        }

        #[test]
        fn cursors_read_back(score in proptest::num::f64::NORMAL, id in any::<u128>()) {
            let cursor = Cursor { score, id: CaseId(uuid::Uuid::from_u128(id)), block: None };
            prop_assert_eq!(cursor.to_string().parse::<Cursor>().unwrap(), cursor.clone());
            let block = rank::Block { newest: (id % 1_000_000).to_string(), oldest: CaseId(uuid::Uuid::from_u128(id)).to_string() };
            let cursor = Cursor { block: Some(block), ..cursor };
            prop_assert_eq!(cursor.to_string().parse::<Cursor>().unwrap(), cursor);
        }
    }
}
