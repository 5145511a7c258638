//! The platform's own secrets: the key that seals dossiers and the key that commits to withheld
//! files. Each is made by the first process that needs it and kept in the database (one row per
//! purpose, the first writer wins), so every server on a database uses the same keys; a process
//! reads each once and keeps it.

use crate::App;
use crate::error::AppError;
use crate::seal::SealKey;
use hmac::{Hmac, KeyInit, Mac};
use redress_domain::evidence::EvidenceFile;
use sha2::Sha256;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The keys this process has read, each read at most once.
#[derive(Default)]
pub struct PlatformKeys {
    seal: OnceCell<Arc<SealKey>>,
    commitment: OnceCell<Arc<CommitmentKey>>,
}

/// Commits to a file without revealing it: a party's dossier lists the other side's withheld
/// confidential file under `HMAC-SHA256(key, evidence id, SHA-256)` rather than its hash, so the
/// reader cannot confirm a guess of the file (a photo seen elsewhere) by hashing it. The
/// platform's and the uploader's dossiers list the same commitment beside the file, which ties the
/// two together for anyone holding both.
pub struct CommitmentKey(Hmac<Sha256>);

impl CommitmentKey {
    pub fn from_secret(secret: &[u8]) -> CommitmentKey {
        CommitmentKey(<Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length"))
    }

    /// 64 hex digits, like the hash it stands for.
    pub fn commit(&self, file: &EvidenceFile) -> String {
        let mut mac = self.0.clone();
        mac.update(b"redress evidence commitment v1\0");
        mac.update(file.evidence_id.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(file.sha256.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

const SEAL_PURPOSE: &str = "dossier";
const COMMITMENT_PURPOSE: &str = "commitment";

impl App {
    /// The platform's dossier seal key.
    pub async fn seal_key(&self) -> Result<Arc<SealKey>, AppError> {
        self.keys
            .seal
            .get_or_try_init(|| async {
                let stored = self.platform_secret(SEAL_PURPOSE, crate::seal::generated).await?;
                crate::seal::parse(&stored).map(Arc::new)
            })
            .await
            .cloned()
    }

    /// The key of the commitments to withheld files.
    pub async fn commitment_key(&self) -> Result<Arc<CommitmentKey>, AppError> {
        self.keys
            .commitment
            .get_or_try_init(|| async {
                let stored = self.platform_secret(COMMITMENT_PURPOSE, random_secret).await?;
                let secret = hex::decode(stored).map_err(|e| AppError::Internal(e.into()))?;
                Ok(Arc::new(CommitmentKey::from_secret(&secret)))
            })
            .await
            .cloned()
    }

    /// The stored secret for `purpose`, made with `make` and kept if there is none yet.
    async fn platform_secret(&self, purpose: &str, make: fn() -> String) -> Result<String, AppError> {
        if let Some(stored) = self.store.signing_key(purpose).await? {
            return Ok(stored);
        }
        self.store.keep_signing_key(purpose, &make(), self.clock.now()).await?;
        // Another process may have stored its secret first: the stored one is the secret.
        self.store
            .signing_key(purpose)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the {purpose} key was not kept")))
    }
}

/// 32 random bytes in hex.
fn random_secret() -> String {
    let mut secret = [0u8; 32];
    // ring fails only when the system has no randomness at all; nothing can be kept secret then.
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut secret).expect("system randomness");
    hex::encode(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(sha: char) -> EvidenceFile {
        EvidenceFile {
            evidence_id: redress_domain::EvidenceId(uuid::Uuid::from_u128(1)),
            sha256: sha.to_string().repeat(64),
            kind: redress_domain::vocabulary::EvidenceKind::Photo,
            caption: String::new(),
            size: 1,
            media_type: "image/jpeg".into(),
            confidential: true,
        }
    }

    #[test]
    fn a_commitment_depends_on_the_key_the_file_and_its_id() {
        let key = CommitmentKey::from_secret(b"one");
        let a = file('a');
        let commitment = key.commit(&a);
        assert_eq!(commitment.len(), 64);
        assert_eq!(commitment, key.commit(&a), "the same file commits the same way");
        assert_ne!(commitment, a.sha256, "the hash itself is not shown");
        assert_ne!(commitment, CommitmentKey::from_secret(b"two").commit(&a), "another key");
        assert_ne!(commitment, key.commit(&file('b')), "another file");
        assert_ne!(
            commitment,
            key.commit(&EvidenceFile { evidence_id: redress_domain::EvidenceId(uuid::Uuid::from_u128(2)), ..a })
        );
    }
}
