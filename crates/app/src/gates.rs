//! Bounds on work that costs much memory or disk per request, shared by all requests of the
//! process, so a burst of large previews or dossier exports cannot exhaust the machine: image
//! previews wait their turn; dossier exports beyond the bound are refused as busy (503 with
//! `Retry-After`), since a client can retry an export but a held connection costs as much.

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const MIB: u64 = 1 << 20;

/// The process-wide bounds (configurable; `Default` fits a small server).
pub struct Gates {
    /// Image previews decoded at once: each may hold up to `EvidenceLimits::image_alloc_bytes`.
    pub previews: std::sync::Arc<Semaphore>,
    /// Dossiers being built or sent at once.
    pub dossiers: std::sync::Arc<Semaphore>,
    /// Temporary disk the dossiers being built or sent may use together, in KiB.
    pub dossier_space_kib: std::sync::Arc<Semaphore>,
    dossier_space_total_kib: u32,
}

impl Default for Gates {
    fn default() -> Self {
        Gates::new(2, 4, 2048 * MIB)
    }
}

/// A dossier export's hold on the gates: released when the ZIP has been sent (or dropped).
pub struct DossierPermit {
    _export: OwnedSemaphorePermit,
    _space: OwnedSemaphorePermit,
}

impl Gates {
    pub fn new(previews: usize, dossiers: usize, dossier_space_bytes: u64) -> Gates {
        let kib = u32::try_from(dossier_space_bytes.div_ceil(1024)).unwrap_or(u32::MAX).max(1);
        Gates {
            previews: std::sync::Arc::new(Semaphore::new(previews.max(1))),
            dossiers: std::sync::Arc::new(Semaphore::new(dossiers.max(1))),
            dossier_space_kib: std::sync::Arc::new(Semaphore::new(kib as usize)),
            dossier_space_total_kib: kib,
        }
    }

    /// A place for one dossier export of about `bytes` of temporary disk, now or never. An export
    /// larger than the whole budget may still run, alone.
    pub fn dossier(&self, bytes: u64) -> Option<DossierPermit> {
        let export = self.dossiers.clone().try_acquire_owned().ok()?;
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX).clamp(1, self.dossier_space_total_kib);
        let space = self.dossier_space_kib.clone().try_acquire_many_owned(kib).ok()?;
        Some(DossierPermit { _export: export, _space: space })
    }
}
