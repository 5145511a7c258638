//! Identifiers. UUIDs (v7, time-ordered) minted by the application, never by the domain.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema, Deserialize)]
        #[serde(transparent)]
        pub struct $name(#[serde(deserialize_with = "canonical")] pub Uuid);

        impl $name {
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = NotAnId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_canonical(s).map($name)
            }
        }
    };
}

/// Text that is not an id in its one written form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an id: ids are lowercase hyphenated UUIDs (8-4-4-4-12 hex digits)")]
pub struct NotAnId;

/// An id in its one written form, lowercase and hyphenated: the form every answer uses, so an
/// id that compares equal is also written the same (no `{...}`, `urn:uuid:`, uppercase or bare hex).
fn parse_canonical(s: &str) -> Result<Uuid, NotAnId> {
    let id = Uuid::try_parse(s).map_err(|_| NotAnId)?;
    let mut written = Uuid::encode_buffer();
    if id.hyphenated().encode_lower(&mut written) == s { Ok(id) } else { Err(NotAnId) }
}

fn canonical<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    parse_canonical(&text).map_err(serde::de::Error::custom)
}

id_type!(/// A case (售后单).
    CaseId);
id_type!(/// An order placed by a buyer with a merchant.
    OrderId);
id_type!(/// A person: buyer, merchant staff, agent or admin.
    UserId);
id_type!(/// A merchant (shop) with its legal identity.
    MerchantId);
id_type!(/// An API token of a merchant system.
    TokenId);
id_type!(/// A piece of evidence (a file) on a case.
    EvidenceId);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every id reads back from its written form, in text and in JSON; every other form of
        /// the same UUID is refused.
        #[test]
        fn ids_have_one_written_form(bytes in any::<[u8; 16]>()) {
            let uuid = Uuid::from_bytes(bytes);
            let id = CaseId(uuid);
            prop_assert_eq!(id.to_string().parse::<CaseId>(), Ok(id));
            prop_assert_eq!(serde_json::from_value::<CaseId>(serde_json::json!(id.to_string())).ok(), Some(id));
            let others = [
                uuid.simple().to_string(),
                format!("{{{uuid}}}"),
                uuid.urn().to_string(),
                format!(" {uuid}"),
            ];
            for other in others {
                prop_assert_eq!(other.parse::<CaseId>(), Err(NotAnId));
                prop_assert!(serde_json::from_value::<CaseId>(serde_json::json!(other)).is_err());
            }
            let upper = uuid.to_string().to_uppercase();
            if upper != uuid.to_string() {
                prop_assert_eq!(upper.parse::<CaseId>(), Err(NotAnId));
            }
        }
    }
}
