//! Publishing platform policy. A new version takes effect no sooner than 7 days after it is
//! published (电子商务法第三十四条); cases keep the version they were filed under.

use crate::error::AppError;
use crate::ports::PolicyVersion;
use crate::{App, Principal, Role};
use jiff::Timestamp;
use redress_domain::Detail;
use redress_domain::Policy;

impl App {
    pub async fn policy_versions(&self) -> Result<Vec<PolicyVersion>, AppError> {
        Ok(self.store.policy_versions().await?)
    }

    pub async fn publish_policy(
        &self,
        principal: &Principal,
        policy: Policy,
        effective_at: Timestamp,
    ) -> Result<PolicyVersion, AppError> {
        if principal.role() != Role::Admin {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "admin".into() }));
        }
        policy.validate().map_err(policy_refused)?;
        let published_at = self.clock.now();
        Policy::check_schedule(published_at, effective_at).map_err(policy_refused)?;
        let version = self.store.policy_versions().await?.last().map_or(1, |v| v.version + 1);
        self.store.insert_policy(version, &policy, published_at, effective_at).await?;
        Ok(PolicyVersion { version, published_at, effective_at, policy })
    }
}

fn policy_refused(e: redress_domain::policy::PolicyError) -> AppError {
    use redress_domain::policy::PolicyError as E;
    AppError::Invalid(match e {
        E::NoticeTooShort => redress_domain::Detail::PolicyTooSoon,
        E::OutOfRange(name) => redress_domain::Detail::PolicyValue { name: name.into() },
    })
}
