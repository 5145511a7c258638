//! The platform's seal on a dossier: an Ed25519 signature over the exact bytes of its
//! `manifest.json`. The manifest fixes the chain's head, every file's hash and the index page's
//! hash, so a dossier whose manifest was rewritten (to match an altered index, or a whole chain
//! recomputed) no longer carries a valid seal. The seal names the public key it was made with;
//! that key is only worth trusting once compared with the one the platform publishes
//! (`GET /api/v1/dossier-key`), which `redress verify --key` does.

use crate::error::AppError;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

/// The seal's file inside a dossier.
pub const SEAL: &str = "seal.json";
const ALGORITHM: &str = "ed25519";

/// `seal.json`: who signed which file, and the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Seal {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The file the signature covers, byte for byte: `manifest.json`.
    pub signs: String,
    /// The platform's public key, 32 bytes in hex: compare it with `GET /api/v1/dossier-key`.
    pub public_key: String,
    /// The signature, 64 bytes in hex.
    pub signature: String,
}

/// The key the platform seals dossiers with, as anyone may read it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicSealKey {
    /// Always `ed25519`.
    #[schema(example = "ed25519")]
    pub algorithm: String,
    /// 32 bytes in hex: a dossier is the platform's when its `seal.json` names this key and verifies.
    #[schema(example = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")]
    pub public_key: String,
}

/// Why a seal does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealBroken {
    #[error("seal.json cannot be read: {0}")]
    Unreadable(String),
    #[error(
        "the signature in seal.json does not match manifest.json: the manifest was changed after the platform sealed it"
    )]
    Mismatch,
}

pub struct SealKey(Ed25519KeyPair);

impl SealKey {
    /// A new random key (the platform's own is made once: `App::seal_key`).
    pub fn generate() -> SealKey {
        parse(&generated()).expect("a key ring just made parses")
    }

    pub fn public(&self) -> PublicSealKey {
        PublicSealKey { algorithm: ALGORITHM.into(), public_key: hex::encode(self.0.public_key().as_ref()) }
    }

    pub fn seal(&self, manifest: &[u8]) -> Seal {
        Seal {
            algorithm: ALGORITHM.into(),
            signs: crate::dossier::MANIFEST.into(),
            public_key: hex::encode(self.0.public_key().as_ref()),
            signature: hex::encode(self.0.sign(manifest).as_ref()),
        }
    }
}

/// Checks `seal` over `manifest`'s bytes with the key the seal names.
pub fn check(seal: &Seal, manifest: &[u8]) -> Result<(), SealBroken> {
    let unreadable = |what: &str| SealBroken::Unreadable(what.into());
    if seal.algorithm != ALGORITHM || seal.signs != crate::dossier::MANIFEST {
        return Err(unreadable("only an ed25519 signature of manifest.json is a seal"));
    }
    let key = hex::decode(&seal.public_key).map_err(|_| unreadable("public_key is not hex"))?;
    let signature = hex::decode(&seal.signature).map_err(|_| unreadable("signature is not hex"))?;
    UnparsedPublicKey::new(&ED25519, key).verify(manifest, &signature).map_err(|_| SealBroken::Mismatch)
}

/// A new key as stored: its PKCS#8 document in hex.
pub(crate) fn generated() -> String {
    // ring fails only when the system has no randomness at all; nothing can be signed then.
    let made = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("system randomness");
    hex::encode(made.as_ref())
}

pub(crate) fn parse(stored: &str) -> Result<SealKey, AppError> {
    let pkcs8 = hex::decode(stored).map_err(|e| AppError::Internal(e.into()))?;
    Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map(SealKey)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the stored signing key is unusable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_holds_for_its_bytes_only() {
        let key = SealKey::generate();
        let seal = key.seal(b"{\"head_hash\":\"ab\"}");
        assert_eq!(seal.public_key, key.public().public_key);
        assert_eq!(check(&seal, b"{\"head_hash\":\"ab\"}"), Ok(()));
        assert_eq!(check(&seal, b"{\"head_hash\":\"ac\"}"), Err(SealBroken::Mismatch));
        // Another key's signature over the same bytes, under this key's name.
        let forged =
            Seal { public_key: seal.public_key.clone(), ..SealKey::generate().seal(b"{\"head_hash\":\"ab\"}") };
        assert_eq!(check(&forged, b"{\"head_hash\":\"ab\"}"), Err(SealBroken::Mismatch));
        let odd = Seal { signature: "zz".into(), ..seal };
        assert!(matches!(check(&odd, b"{}"), Err(SealBroken::Unreadable(_))));
    }
}
