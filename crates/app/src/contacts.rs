//! The parties' contact details as each reader may see them. A merchant sees the buyer's phone
//! masked (138****1234) and the buyer's address only once the goods must travel to the buyer or
//! a return is under way; the buyer sees the shop's public details; the platform sees all.

use crate::App;
use crate::access::mask_phone;
use crate::error::AppError;
use redress_domain::vocabulary::RemedyKind;
use redress_domain::{Case, Party};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

impl App {
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
