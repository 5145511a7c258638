//! People: admins (or the operator, from the command line) create accounts.

use crate::error::AppError;
use crate::ports::User;
use crate::{App, Principal, Role};
use redress_domain::Detail;
use redress_domain::{MerchantId, UserId};
use serde::Deserialize;

pub const MIN_PASSWORD: usize = 8;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub login: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub merchant_id: Option<MerchantId>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// Where notifications are emailed.
    #[serde(default)]
    pub email: Option<String>,
}

impl App {
    /// Creates an account. `None` acts as the operator (the CLI); over the API only admins may.
    pub async fn create_user(&self, principal: Option<&Principal>, new: NewUser) -> Result<User, AppError> {
        if principal.is_some_and(|p| p.role() != Role::Admin) {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin".into() }));
        }
        // A login names one person whatever its case: `BUYER` and `buyer` are one account.
        let login = new.login.trim().to_ascii_lowercase();
        let login_ok =
            (3..=64).contains(&login.len()) && login.chars().all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c));
        if !login_ok {
            return Err(AppError::Invalid(Detail::LoginFormat));
        }
        if new.password.chars().count() < MIN_PASSWORD {
            return Err(AppError::Invalid(Detail::PasswordTooShort { min: MIN_PASSWORD as u64 }));
        }
        let display_name = new.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            return Err(AppError::Invalid(Detail::Chars { field: "display_name".into(), min: 1, max: 100 }));
        }
        // A name is shown to the other side and printed in documents, like any text people type.
        redress_domain::free_text::check_controls("display_name", display_name).map_err(AppError::Rejected)?;
        match (new.role, new.merchant_id) {
            (Role::Merchant, Some(shop)) => {
                if self.store.merchant(shop).await?.is_none() {
                    return Err(AppError::Invalid(Detail::NoSuchMerchant));
                }
            }
            (Role::Merchant, None) => {
                return Err(AppError::Invalid(Detail::MerchantStaffNeedShop));
            }
            (_, Some(_)) => return Err(AppError::Invalid(Detail::OnlyMerchantStaffHaveShop)),
            (_, None) => {}
        }
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let phone = clean(new.phone);
        // It goes into the 12315 complaint (联系电话): a phone number, or none.
        if let Some(phone) = &phone {
            redress_domain::phone::check_phone("phone", phone).map_err(AppError::Invalid)?;
        }
        let user = User {
            id: UserId(uuid::Uuid::now_v7()),
            login,
            display_name: display_name.to_owned(),
            role: new.role,
            merchant_id: new.merchant_id,
            phone,
            address: clean(new.address),
            email: clean(new.email).map(|e| crate::email::parse_address(&e)).transpose()?,
        };
        let hash = self.hash_new_password(&new.password).await?;
        self.store.insert_user(&user, &hash, self.clock.now()).await?;
        Ok(user)
    }

    /// Every account, newest first (admins only).
    pub async fn list_users(
        &self,
        principal: &Principal,
        before: Option<UserId>,
        limit: Option<i64>,
    ) -> Result<Vec<User>, AppError> {
        if principal.role() != Role::Admin {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin".into() }));
        }
        Ok(self.store.list_users(before, crate::orders::page_size(limit)?).await?)
    }

    /// Every shop, newest first (admins only).
    pub async fn list_merchants(
        &self,
        principal: &Principal,
        before: Option<MerchantId>,
        limit: Option<i64>,
    ) -> Result<Vec<redress_domain::order::Merchant>, AppError> {
        if principal.role() != Role::Admin {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin".into() }));
        }
        Ok(self.store.list_merchants(before, crate::orders::page_size(limit)?).await?)
    }
}
