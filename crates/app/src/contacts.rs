//! The parties' contact details as each reader may see them. A merchant sees the buyer's name
//! and phone masked (张*, 138****1234) and the buyer's address only once the goods must travel
//! to the buyer or a return is under way; the buyer sees the shop's public details; the
//! platform sees all. The timeline names who acted with the same rule (`Speaker`).

use crate::App;
use crate::access::{mask_name, mask_phone};
use crate::error::AppError;
use redress_domain::vocabulary::RemedyKind;
use redress_domain::{Actor, Case, Party};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Parties {
    pub buyer: Contact,
    pub merchant: Contact,
}

/// Does this case need the merchant to know where the buyer is? Once a remedy that moves goods
/// (a return, an exchange, a repair, a reissue) is agreed or ordered.
pub fn buyer_address_needed(case: &Case) -> bool {
    case.remedy.is_some_and(|r| {
        matches!(r.kind, RemedyKind::ReturnAndRefund | RemedyKind::Exchange | RemedyKind::Repair | RemedyKind::Reissue)
    })
}

/// Who did something on the timeline: their role and the name this reader may see (none for
/// the system: the rules and the payment gateway).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Speaker {
    pub role: &'static str,
    pub name: Option<String>,
}

impl App {
    /// The speaker of each of `actors`, in order, as known to a reader who sees `parties`: the
    /// buyer as in `parties` (masked to the merchant), merchant staff under their shop's name,
    /// platform staff by their display name.
    pub(crate) async fn speakers(&self, parties: &Parties, actors: &[Actor]) -> Result<Vec<Speaker>, AppError> {
        let mut names: std::collections::HashMap<redress_domain::UserId, String> = Default::default();
        let mut speakers = Vec::with_capacity(actors.len());
        for actor in actors {
            let staff = match actor {
                Actor::Merchant { user: Some(user), .. } | Actor::Agent { user } | Actor::Admin { user } => Some(*user),
                _ => None,
            };
            let staff_name = match staff {
                Some(user) => match names.get(&user) {
                    Some(name) => Some(name.clone()),
                    None => {
                        let name = self.store.user(user).await?.map(|u| u.display_name).unwrap_or_default();
                        names.insert(user, name.clone());
                        Some(name)
                    }
                },
                None => None,
            };
            let (role, name) = match actor {
                Actor::Buyer { .. } => ("buyer", Some(parties.buyer.name.clone())),
                Actor::Merchant { .. } => {
                    let shop = &parties.merchant.name;
                    ("merchant", Some(staff_name.map_or_else(|| shop.clone(), |n| format!("{shop} · {n}"))))
                }
                Actor::Agent { .. } => ("agent", staff_name),
                Actor::Admin { .. } => ("admin", staff_name),
                Actor::System => ("system", None),
            };
            speakers.push(Speaker { role, name });
        }
        Ok(speakers)
    }

    pub(crate) async fn parties_for(&self, viewer: Party, case: &Case) -> Result<Parties, AppError> {
        self.parties_of(viewer, case.buyer_id, case.merchant_id, buyer_address_needed(case)).await
    }

    /// The parties of a case between `buyer_id` and `merchant_id`, as `viewer` sees them.
    pub(crate) async fn parties_of(
        &self,
        viewer: Party,
        buyer_id: redress_domain::UserId,
        merchant_id: redress_domain::MerchantId,
        address_needed: bool,
    ) -> Result<Parties, AppError> {
        let buyer = self.store.user(buyer_id).await?.ok_or_else(|| anyhow::anyhow!("buyer {buyer_id} missing"))?;
        let merchant =
            self.store.merchant(merchant_id).await?.ok_or_else(|| anyhow::anyhow!("merchant {merchant_id} missing"))?;
        let mut buyer = Contact { name: buyer.display_name, phone: buyer.phone, address: buyer.address };
        if viewer == Party::Merchant {
            buyer.name = mask_name(&buyer.name);
            buyer.phone = buyer.phone.as_deref().map(mask_phone);
            if !address_needed {
                buyer.address = None;
            }
        }
        Ok(Parties {
            buyer,
            merchant: Contact { name: merchant.name, phone: merchant.phone, address: Some(merchant.address) },
        })
    }
}
