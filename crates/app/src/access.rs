//! Who is asking, and what they may see. A case is visible to its buyer, its merchant's staff
//! and API tokens, and the platform (agents, admins); to anyone else it does not exist.

use crate::ports::User;
use redress_domain::Detail;
use redress_domain::order::Order;
use redress_domain::{Actor, Case, MerchantId, TokenId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Merchant,
    Agent,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Merchant => "merchant",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Buyer, Role::Merchant, Role::Agent, Role::Admin].into_iter().find(|r| r.as_str() == s)
    }
}

/// An authenticated caller: a person with a session, or a merchant system with an API token.
#[derive(Clone, Debug)]
pub enum Principal {
    User(User),
    MerchantToken { token: TokenId, merchant: MerchantId },
}

impl Principal {
    pub fn role(&self) -> Role {
        match self {
            Principal::User(u) => u.role,
            Principal::MerchantToken { .. } => Role::Merchant,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Principal::User(u) => Some(u.id),
            Principal::MerchantToken { .. } => None,
        }
    }

    pub fn merchant_id(&self) -> Option<MerchantId> {
        match self {
            Principal::User(u) if u.role == Role::Merchant => u.merchant_id,
            Principal::MerchantToken { merchant, .. } => Some(*merchant),
            _ => None,
        }
    }

    pub fn is_platform(&self) -> bool {
        matches!(self.role(), Role::Agent | Role::Admin)
    }

    /// The actor this principal is on a case.
    pub fn actor(&self) -> Actor {
        match self {
            Principal::User(u) => match u.role {
                Role::Buyer => Actor::Buyer { user: u.id },
                Role::Merchant => match u.merchant_id {
                    Some(merchant) => Actor::Merchant { merchant, user: Some(u.id), token: None },
                    None => Actor::Buyer { user: u.id },
                },
                Role::Agent => Actor::Agent { user: u.id },
                Role::Admin => Actor::Admin { user: u.id },
            },
            Principal::MerchantToken { token, merchant } => {
                Actor::Merchant { merchant: *merchant, user: None, token: Some(*token) }
            }
        }
    }

    /// What a listing is limited to: a buyer's own, a shop's own, or (the platform) everything.
    /// A merchant account without a shop sees no shop's, never every shop's.
    pub fn list_scope(&self) -> Result<(Option<UserId>, Option<MerchantId>), crate::AppError> {
        match self.role() {
            Role::Buyer => Ok((self.user_id(), None)),
            Role::Merchant => {
                let shop = self.merchant_id().ok_or(crate::AppError::Forbidden(Detail::NoShop))?;
                Ok((None, Some(shop)))
            }
            Role::Agent | Role::Admin => Ok((None, None)),
        }
    }

    pub fn can_see_case(&self, case: &Case) -> bool {
        match self.role() {
            Role::Buyer => self.user_id() == Some(case.buyer_id),
            Role::Merchant => self.merchant_id() == Some(case.merchant_id),
            Role::Agent | Role::Admin => true,
        }
    }

    pub fn can_see_order(&self, order: &Order) -> bool {
        match self.role() {
            Role::Buyer => self.user_id() == Some(order.buyer_id),
            Role::Merchant => self.merchant_id() == Some(order.merchant_id),
            Role::Agent | Role::Admin => true,
        }
    }
}

/// `138****1234`: what a merchant sees of a buyer's phone until a return needs it.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// `张*`, `A****`: what a merchant sees of a buyer's name (the first character only).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{mask_name, mask_phone};

    #[test]
    fn keeps_the_first_character_of_a_name() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("Alice"), "A****");
        assert_eq!(mask_name("王"), "王");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn masks_the_middle_of_a_phone() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("123"), "***");
    }
}
