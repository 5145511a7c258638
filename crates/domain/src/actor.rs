//! Who acts on a case, and the parties a case can wait for.

use crate::ids::{MerchantId, TokenId, UserId};
use serde::{Deserialize, Serialize};

/// The one who issues a command. Merchant staff and merchant systems (API tokens) act for the
/// same merchant with the same rights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Actor {
    Buyer { user: UserId },
    Merchant { merchant: MerchantId, user: Option<UserId>, token: Option<TokenId> },
    Agent { user: UserId },
    Admin { user: UserId },
    System,
}

impl Actor {
    pub fn party(&self) -> Party {
        match self {
            Actor::Buyer { .. } => Party::Buyer,
            Actor::Merchant { .. } => Party::Merchant,
            Actor::Agent { .. } | Actor::Admin { .. } => Party::Platform,
            Actor::System => Party::System,
        }
    }
}

/// A side of a case: whom a state waits for, who is named for evidence, who is liable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Buyer,
    Merchant,
    Platform,
    /// The payment gateway and the clock.
    System,
}

/// The two sides of a dispute, as an agent names one: whose evidence is asked for, who is
/// held liable. The platform and the system are never either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buyer,
    Merchant,
}

impl From<Side> for Party {
    fn from(side: Side) -> Party {
        match side {
            Side::Buyer => Party::Buyer,
            Side::Merchant => Party::Merchant,
        }
    }
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Buyer => "buyer",
            Party::Merchant => "merchant",
            Party::Platform => "platform",
            Party::System => "system",
        }
    }
}
