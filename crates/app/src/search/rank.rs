//! Ranking a buyer's or a shop's matches in the application. For those scopes the database reads
//! the scope's cases by their index and only says which of them match; ranking them there would
//! cost a pass over every document holding the word (FTS5's bm25 counts them per query), which
//! with a million cases is most of a second for a common word. The few matches are ranked here
//! instead, by their indexed words.

use super::{Cursor, Term, Terms};
use redress_domain::CaseId;
use std::future::Future;

/// BM25's saturation and length weight (the usual values, as FTS5 uses them).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// The document length (in words) that counts as ordinary: a filing's description, the shop's
/// name and an item title come to about this many.
const USUAL_WORDS: f64 = 40.0;

impl Terms {
    /// How well a document's indexed words (space separated, as `segment` writes them) match:
    /// BM25 without the rarity of each term (that needs the whole index), so each term counts
    /// alike. Higher is better; comparable within one search only, as every score.
    pub fn score(&self, words: &str) -> f64 {
        let tokens: Vec<&str> = words.split_whitespace().collect();
        let length = tokens.len() as f64 / USUAL_WORDS;
        self.terms
            .iter()
            .map(|term| {
                let found = occurrences(term, &tokens) as f64;
                found * (K1 + 1.0) / (found + K1 * (1.0 - B + B * length))
            })
            .sum()
    }
}

/// How often a word, or a phrase's words in order, occur among `tokens`.
fn occurrences(term: &Term, tokens: &[&str]) -> usize {
    match term {
        Term::Word(w) => tokens.iter().filter(|t| **t == w).count(),
        Term::Phrase(ws) => tokens.windows(ws.len()).filter(|win| win.iter().zip(ws).all(|(t, w)| *t == w)).count(),
    }
}

/// The page of `scored` after `after`, at most `limit`: the order the databases give the
/// others' searches (higher scores first, then newer ids).
pub fn page(mut scored: Vec<(CaseId, f64)>, after: Option<&Cursor>, limit: i64) -> Vec<(CaseId, f64)> {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    scored
        .into_iter()
        .filter(|(id, score)| after.is_none_or(|c| *score < c.score || (*score == c.score && *id < c.id)))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

/// Matches an agent's plain query ranks at a time (see `Block`).
pub const BLOCK: usize = 1000;

/// What "best first" means for an agent's plain query, which may match a fifth of a million
/// cases: the newest `BLOCK` matches (by their place in the index: the document's rowid on
/// SQLite, the case id on PostgreSQL, both in filing order) ranked among themselves, best first,
/// then the next older `BLOCK` ranked, and so on. Ranking every match would score all of them
/// for each page (most of a second at a million cases); a block is read newest first from the
/// index and scored here. Up to `BLOCK` matches this is the exact ranking. A page's cursor
/// carries its block's two places, so later pages rank the same matches again and every match
/// comes once, whatever is filed meanwhile (new matches are newer than any block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub newest: String,
    pub oldest: String,
}

/// Which matches to read, newest first, at most a block of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    /// The newest matches.
    Newest,
    /// The matches between a block's places (both included).
    Block(Block),
    /// The newest matches older than a place.
    Older(String),
}

/// The page after `after` (at most `limit`) of matches ranked a block at a time: `newest` reads
/// matches as `(place, case, score)`, newest first, at most `size`; each hit comes with its
/// block, for the cursor.
pub async fn blocks_page<F, Fut, E>(
    mut newest: F,
    after: Option<&Cursor>,
    limit: i64,
    size: usize,
) -> Result<Vec<(CaseId, f64, Block)>, E>
where
    F: FnMut(Within) -> Fut,
    Fut: Future<Output = Result<Vec<(String, CaseId, f64)>, E>>,
{
    let want = usize::try_from(limit).unwrap_or(0);
    let mut found = Vec::new();
    // A cursor without a block (from another kind of search) pages the newest block.
    let mut within = after.and_then(|c| c.block.clone()).map_or(Within::Newest, Within::Block);
    let mut cursor = after;
    while found.len() < want {
        let matches = newest(within.clone()).await?;
        let (Some(first), Some(last)) = (matches.first(), matches.last()) else { break };
        let block = match &within {
            Within::Block(block) => block.clone(),
            _ => Block { newest: first.0.clone(), oldest: last.0.clone() },
        };
        let full = matches.len() >= size;
        let scored = matches.into_iter().map(|(_, id, score)| (id, score)).collect();
        for (id, score) in page(scored, cursor, (want - found.len()) as i64) {
            found.push((id, score, block.clone()));
        }
        if !full {
            break;
        }
        within = Within::Older(block.oldest);
        cursor = None;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(q: &str) -> Terms {
        Terms::parse(q).unwrap()
    }

    /// The value of a future that is ready at once (the test's reads are).
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => panic!("not ready"),
        }
    }

    #[test]
    fn more_occurrences_and_shorter_documents_rank_higher() {
        let fake = terms("假货");
        assert_eq!(fake.score("耳机 没有 声音"), 0.0);
        assert!(fake.score("假货 假货 假货 耳机") > fake.score("假货 耳机 没有 声音"));
        assert!(fake.score("假货 耳机") > fake.score(&format!("假货 {}", "耳机 ".repeat(80))));
        // A phrase counts only in its order.
        let phrase = terms("\"screen cracked\"");
        assert!(phrase.score("the screen cracked") > 0.0);
        assert_eq!(phrase.score("cracked screen"), 0.0);
    }

    proptest! {
        /// Paging with the cursor of each page's last hit gives every hit once, in rank order.
        #[test]
        fn pages_cover_the_ranking_once(
            scores in proptest::collection::vec((0u8..4, any::<u128>()), 0..40),
            limit in 1i64..7,
        ) {
            let scored: Vec<(CaseId, f64)> =
                scores.iter().map(|(s, id)| (CaseId(uuid::Uuid::from_u128(*id)), f64::from(*s) / 3.0)).collect();
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let got = page(scored.clone(), after.as_ref(), limit);
                seen.extend(got.iter().copied());
                match got.last() {
                    Some(&(id, score)) if got.len() as i64 == limit => after = Some(Cursor { score, id, block: None }),
                    _ => break,
                }
            }
            let mut expected = scored.clone();
            expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
            expected.dedup_by_key(|s| s.0);
            seen.dedup_by_key(|s| s.0);
            prop_assert_eq!(seen, expected);
        }

        /// Ranked a block at a time and paged with each page's cursor (written out and read
        /// back), every match comes once: the newest block best first, then the next older.
        #[test]
        fn block_pages_cover_each_block_ranked_once(
            scores in proptest::collection::vec((0u8..4, any::<u128>()), 0..40),
            size in 1usize..6,
            limit in 1i64..7,
        ) {
            // Places in filing order, zero-padded so that text order is that order.
            let matches: Vec<(String, CaseId, f64)> = scores
                .iter()
                .enumerate()
                .map(|(i, (s, id))| (format!("{i:04}"), CaseId(uuid::Uuid::from_u128(*id)), f64::from(*s) / 3.0))
                .collect();
            let read = |within: Within| {
                let mut found: Vec<_> = matches
                    .iter()
                    .filter(|(place, _, _)| match &within {
                        Within::Newest => true,
                        Within::Block(b) => *place >= b.oldest && *place <= b.newest,
                        Within::Older(below) => place < below,
                    })
                    .cloned()
                    .collect();
                found.sort_by(|a, b| b.0.cmp(&a.0));
                found.truncate(size);
                std::future::ready(Ok::<_, ()>(found))
            };
            let mut seen = Vec::new();
            let mut after: Option<Cursor> = None;
            loop {
                let got = now(blocks_page(read, after.as_ref(), limit, size)).unwrap();
                seen.extend(got.iter().map(|(id, score, _)| (*id, *score)));
                match got.last() {
                    Some((id, score, block)) if got.len() as i64 == limit => {
                        let cursor = Cursor { score: *score, id: *id, block: Some(block.clone()) };
                        after = Some(cursor.to_string().parse().unwrap());
                    }
                    _ => break,
                }
            }
            let mut newest_first = matches.clone();
            newest_first.reverse();
            let mut expected = Vec::new();
            for block in newest_first.chunks(size) {
                let mut ranked: Vec<(CaseId, f64)> = block.iter().map(|(_, id, s)| (*id, *s)).collect();
                ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
                expected.extend(ranked);
            }
            prop_assert_eq!(seen, expected);
        }

        /// One more occurrence of the word never lowers a document's score.
        #[test]
        fn another_occurrence_scores_higher(others in 0usize..60, found in 0usize..10) {
            let fake = terms("假货");
            let doc = |n: usize| format!("{} {}", "假货 ".repeat(n), "耳机 ".repeat(others));
            prop_assert!(fake.score(&doc(found + 1)) > fake.score(&doc(found)));
        }
    }
}
