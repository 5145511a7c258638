//! Values kept in memory by key, so that most requests skip a read.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Values read by key, kept a while (`Brief::default()`: 2 s): most requests skip the read. A
/// change made in this process forgets its entry at once; one made in another process (several
/// servers on PostgreSQL) shows within the keep.
pub struct Brief<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
    keep: Duration,
    /// Entries at most; when full, the cache starts over (it only saves reads).
    capacity: usize,
}

impl<K, V> Default for Brief<K, V> {
    fn default() -> Self {
        Brief::new(Duration::from_secs(2), 50_000)
    }
}

impl<K, V> Brief<K, V> {
    pub fn new(keep: Duration, capacity: usize) -> Self {
        Brief { entries: Mutex::new(HashMap::new()), keep, capacity }
    }
}

impl<K: Hash + Eq, V: Clone> Brief<K, V> {
    fn entries(&self) -> MutexGuard<'_, HashMap<K, (V, Instant)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries();
        let (value, cached) = entries.get(key)?;
        (cached.elapsed() < self.keep).then(|| value.clone())
    }

    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    pub fn forget(&self, key: &K) {
        self.entries().remove(key);
    }

    /// Keeps only the entries `keep` says to.
    pub fn retain(&self, keep: impl Fn(&K, &V) -> bool) {
        self.entries().retain(|k, (v, _)| keep(k, v));
    }
}

/// What a case's detail reads that never changes once written, so that a detail read again reads
/// only the case row (issue 10: a case detail was four statements, each two thread hand-overs):
/// the newest events up to a version (a case's chain is append-only, so its events up to a
/// version are fixed) and its negotiation record (fixed when the case is filed). Kept ten
/// minutes at most, 4,096 of each (a timeline page is about 20 events).
pub struct CaseReads {
    /// By case, version and page size, newest first, as `Store::events_page` reads them.
    pub timelines: Brief<(redress_domain::CaseId, i64, i64), std::sync::Arc<Vec<crate::ports::StoredEvent>>>,
    pub negotiations: Brief<redress_domain::CaseId, Vec<crate::conversations::StoredMessage>>,
}

impl Default for CaseReads {
    fn default() -> Self {
        let keep = Duration::from_secs(600);
        CaseReads { timelines: Brief::new(keep, 4_096), negotiations: Brief::new(keep, 4_096) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_last_their_keep_and_a_full_cache_starts_over() {
        let brief = Brief::new(Duration::from_millis(50), 2);
        brief.put(1, "one");
        brief.put(2, "two");
        assert_eq!((brief.get(&1), brief.get(&2)), (Some("one"), Some("two")));
        brief.put(3, "three");
        assert_eq!((brief.get(&1), brief.get(&3)), (None, Some("three")), "full: started over");
        brief.forget(&3);
        assert_eq!(brief.get(&3), None);
        brief.put(4, "four");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(brief.get(&4), None, "past its keep");
    }
}
