//! The hash chain over a case's events: each event's hash covers its predecessor's hash, its
//! position and its canonical content, so altering, removing, inserting or reordering any
//! event breaks every hash after it, and a check names the first event that does not fit.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored link: `content` is the event's canonical JSON exactly as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Link {
    pub seq: i64,
    pub content: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A page cursor over a chain (`before`: the links before this position). Positions start at 1,
/// so a cursor below 1 names no link: refused, naming the field, rather than read as "nothing".
pub fn before_cursor(field: &str, before: Option<i64>) -> Result<Option<i64>, crate::Rejection> {
    match before {
        Some(b) if b < 1 => Err(crate::Rejection::invalid(crate::Detail::AtLeast { field: field.into(), min: 1 })),
        other => Ok(other),
    }
}

/// SHA-256 (hex) of the predecessor's hash, the sequence number and the canonical content.
pub fn link_hash(prev_hash: &str, seq: i64, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    hex::encode(h.finalize())
}

/// SHA-256 (hex) of some bytes: evidence files are fixed in the chain by this.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, utoipa::ToSchema)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainBreak {
    #[error("event #{seq}: its content does not match its hash (altered)")]
    ContentAltered { seq: i64 },
    #[error("event #{seq}: it does not follow the event before it (an event was removed, inserted or reordered)")]
    LinkBroken { seq: i64 },
    #[error("event #{found}: expected event #{expected} (an event is missing)")]
    SequenceGap { expected: i64, found: i64 },
    /// The chain is intact but shorter than the case says it is: its last events are gone.
    #[error("the chain ends at event #{found} but the case has {expected} events (the last events were removed)")]
    Truncated { expected: i64, found: i64 },
}

/// Checks a chain against the head the case records (its event count and last hash), so that
/// cutting events off the end is caught too.
pub fn verify_with_head(links: &[Link], count: i64, head_hash: &str) -> Result<(), ChainBreak> {
    verify(links)?;
    let found = links.last().map_or(0, |l| l.seq);
    if found != count || links.last().is_some_and(|l| l.hash != head_hash) {
        return Err(ChainBreak::Truncated { expected: count, found });
    }
    Ok(())
}

/// Checks a whole chain, first event first.
pub fn verify(links: &[Link]) -> Result<(), ChainBreak> {
    verify_redacted(links, |_| false)
}

/// Checks a chain some of whose events were redacted for its reader (`redacted(seq)`): their
/// content is not what was hashed, so only their place is checked (sequence, and that the next
/// event follows their original hash); every other event is recomputed in full.
pub fn verify_redacted(links: &[Link], redacted: impl Fn(i64) -> bool) -> Result<(), ChainBreak> {
    let mut prev = GENESIS;
    for (i, link) in links.iter().enumerate() {
        let expected = i as i64 + 1;
        if link.seq != expected {
            return Err(ChainBreak::SequenceGap { expected, found: link.seq });
        }
        if link.prev_hash != prev {
            return Err(ChainBreak::LinkBroken { seq: link.seq });
        }
        if !redacted(link.seq) && link_hash(&link.prev_hash, link.seq, &link.content) != link.hash {
            return Err(ChainBreak::ContentAltered { seq: link.seq });
        }
        prev = &link.hash;
    }
    Ok(())
}

/// Appends content to a chain whose last hash is `prev` (GENESIS for none).
pub fn next_link(prev: &str, seq: i64, content: String) -> Link {
    let hash = link_hash(prev, seq, &content);
    Link { seq, content, prev_hash: prev.to_owned(), hash }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cursor_below_the_first_position_is_refused_naming_its_field() {
        use super::before_cursor;
        assert_eq!(before_cursor("before", None), Ok(None));
        assert_eq!(before_cursor("before", Some(1)), Ok(Some(1)));
        assert_eq!(before_cursor("before", Some(i64::MAX)), Ok(Some(i64::MAX)));
        for bad in [0, -1, -5, i64::MIN] {
            let refused = before_cursor("before", Some(bad)).unwrap_err();
            assert_eq!(refused.detail, Some(crate::Detail::AtLeast { field: "before".into(), min: 1 }));
        }
    }

    use super::*;

    fn chain(n: i64) -> Vec<Link> {
        let mut links: Vec<Link> = Vec::new();
        for seq in 1..=n {
            let prev = links.last().map_or(GENESIS.to_owned(), |l| l.hash.clone());
            links.push(next_link(&prev, seq, format!("{{\"n\":{seq}}}")));
        }
        links
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
    }

    #[test]
    fn altered_content_is_named() {
        let mut links = chain(5);
        links[2].content = "{\"n\":99}".into();
        assert_eq!(verify(&links), Err(ChainBreak::ContentAltered { seq: 3 }));
    }

    #[test]
    fn removed_event_is_named() {
        let mut links = chain(5);
        links.remove(2);
        assert_eq!(verify(&links), Err(ChainBreak::SequenceGap { expected: 3, found: 4 }));
    }

    #[test]
    fn rehashed_forgery_breaks_the_next_link() {
        let mut links = chain(5);
        links[1].content = "{\"n\":42}".into();
        links[1].hash = link_hash(&links[1].prev_hash, 2, &links[1].content);
        assert_eq!(verify(&links), Err(ChainBreak::LinkBroken { seq: 3 }));
    }
}
