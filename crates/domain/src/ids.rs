//! Identifiers. UUIDs (v7, time-ordered) minted by the application, never by the domain.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

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
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    };
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
