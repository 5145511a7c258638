//! Ranking a buyer's or a shop's matches in the application. For those scopes the database reads
//! the scope's cases by their index and only says which of them match; ranking them there would
//! cost a pass over every document holding the word (FTS5's bm25 counts them per query), which
//! with a million cases is most of a second for a common word. The few matches are ranked here
//! instead, by their indexed words.

use super::{Cursor, Term, Terms};
use redress_domain::CaseId;

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
pub fn page(mut scored: Vec<(CaseId, f64)>, after: Option<Cursor>, limit: i64) -> Vec<(CaseId, f64)> {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    scored
        .into_iter()
        .filter(|(id, score)| after.is_none_or(|c| *score < c.score || (*score == c.score && *id < c.id)))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(q: &str) -> Terms {
        Terms::parse(q).unwrap()
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
                let got = page(scored.clone(), after, limit);
                seen.extend(got.iter().copied());
                match got.last() {
                    Some(&(id, score)) if got.len() as i64 == limit => after = Some(Cursor { score, id }),
                    _ => break,
                }
            }
            let mut expected = scored.clone();
            expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
            expected.dedup_by_key(|s| s.0);
            seen.dedup_by_key(|s| s.0);
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
