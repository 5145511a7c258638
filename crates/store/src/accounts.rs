//! People and access (`AccountStore`): accounts, sessions, a shop's API tokens and the shops. The
//! same SQL on both databases, read into typed rows whose columns decode to each database's own
//! types (`codec.rs`: `uuid`/`timestamptz` on PostgreSQL, text/microseconds on SQLite).

use crate::codec::{Id, Time};
use crate::shared::{other, unique_or};
use redress_app::Role;
use redress_app::ports::{ApiToken, StoreError, User};
use redress_domain::order::Merchant;

macro_rules! user_columns {
    ($prefix:literal) => {
        concat!(
            $prefix,
            "id, ",
            $prefix,
            "login, ",
            $prefix,
            "display_name, ",
            $prefix,
            "role, ",
            $prefix,
            "merchant_id, ",
            $prefix,
            "phone, ",
            $prefix,
            "address, ",
            $prefix,
            "email"
        )
    };
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Id,
    login: String,
    display_name: String,
    role: String,
    merchant_id: Option<Id>,
    phone: Option<String>,
    address: Option<String>,
    email: Option<String>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            id: r.id.into(),
            login: r.login,
            display_name: r.display_name,
            role: Role::parse(&r.role).ok_or_else(|| StoreError::Other(anyhow::anyhow!("stored role `{}`", r.role)))?,
            merchant_id: r.merchant_id.map(Into::into),
            phone: r.phone,
            address: r.address,
            email: r.email,
        })
    }
}

/// An account with what signs it in.
#[derive(sqlx::FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

/// An account signed in, with the session's end.
#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    expires_at: Time,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Id,
    merchant_id: Id,
    name: String,
    created_at: Time,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> ApiToken {
        ApiToken { id: r.id.into(), merchant_id: r.merchant_id.into(), name: r.name, created_at: r.created_at.0 }
    }
}

#[derive(sqlx::FromRow)]
struct MerchantRow {
    id: Id,
    name: String,
    credit_code: String,
    address: String,
    phone: Option<String>,
}

impl From<MerchantRow> for Merchant {
    fn from(r: MerchantRow) -> Merchant {
        Merchant { id: r.id.into(), name: r.name, credit_code: r.credit_code, address: r.address, phone: r.phone }
    }
}

fn users(rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
    rows.into_iter().map(User::try_from).collect()
}

/// Implements `AccountStore` for `$store` on `$db`, in a module `$module` that also holds
/// `insert_user_in` (the bulk loader writes accounts in its own transaction).
macro_rules! account_store {
    ($module:ident, $store:ty, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use jiff::Timestamp;
            use redress_app::ports::{AccountStore, StoreResult};
            use redress_domain::{MerchantId, TokenId, UserId};

            pub(crate) async fn insert_user_in<'e>(ex: impl sqlx::Executor<'e, Database = $db>, user: &User, password_hash: &str, at: Timestamp) -> StoreResult<()> {
                sqlx::query("INSERT INTO users (id, login, display_name, role, merchant_id, phone, address, password_hash, created_at, email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(Id::from(user.id))
                    .bind(&user.login)
                    .bind(&user.display_name)
                    .bind(user.role.as_str())
                    .bind(user.merchant_id.map(Id::from))
                    .bind(&user.phone)
                    .bind(&user.address)
                    .bind(password_hash)
                    .bind(Time(at))
                    .bind(&user.email)
                    .execute(ex)
                    .await
                    .map_err(|e| unique_or("login", e))?;
                Ok(())
            }

            #[async_trait::async_trait]
            impl AccountStore for $store {
                async fn insert_user(&self, user: &User, password_hash: &str, at: Timestamp) -> StoreResult<()> {
                    insert_user_in(&self.pool, user, password_hash, at).await
                }

                async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
                    if let Some(user) = self.accounts.users.get(&id) {
                        return Ok(Some(user));
                    }
                    let row: Option<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(""), " FROM users WHERE id = $1"))
                        .bind(Id::from(id))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    let user = row.map(User::try_from).transpose()?;
                    if let Some(user) = &user {
                        self.accounts.users.put(id, user.clone());
                    }
                    Ok(user)
                }

                async fn user_by_login(&self, login: &str) -> StoreResult<Option<(User, String)>> {
                    let row: Option<LoginRow> = sqlx::query_as(concat!("SELECT ", user_columns!(""), ", password_hash FROM users WHERE login = $1"))
                        .bind(login)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    row.map(|r| Ok((User::try_from(r.user)?, r.password_hash))).transpose()
                }

                async fn insert_session(&self, token_hash: &str, user: UserId, expires_at: Timestamp, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(token_hash)
                        .bind(Id::from(user))
                        .bind(Time(expires_at))
                        .bind(Time(at))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(())
                }

                async fn session_user(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>> {
                    if let Some((user, _)) = self.sessions.get(&token_hash.to_owned()).filter(|(_, ends)| *ends > now) {
                        return Ok(Some(user));
                    }
                    let row: Option<SessionRow> = sqlx::query_as(concat!("SELECT ", user_columns!("u."), ", s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"))
                        .bind(token_hash)
                        .bind(Time(now))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    let Some(r) = row else { return Ok(None) };
                    let user = User::try_from(r.user)?;
                    self.sessions.put(token_hash.to_owned(), (user.clone(), r.expires_at.0));
                    Ok(Some(user))
                }

                async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                    self.sessions.forget(&token_hash.to_owned());
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await.map_err(other)?;
                    Ok(())
                }

                async fn insert_api_token(&self, token: &ApiToken, token_hash: &str) -> StoreResult<()> {
                    sqlx::query("INSERT INTO api_tokens (id, merchant_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(Id::from(token.id))
                        .bind(Id::from(token.merchant_id))
                        .bind(&token.name)
                        .bind(token_hash)
                        .bind(Time(token.created_at))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(())
                }

                async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
                    let row: Option<TokenRow> = sqlx::query_as("SELECT id, merchant_id, name, created_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(row.map(ApiToken::from))
                }

                async fn api_tokens(&self, merchant: MerchantId) -> StoreResult<Vec<ApiToken>> {
                    let rows: Vec<TokenRow> = sqlx::query_as("SELECT id, merchant_id, name, created_at FROM api_tokens WHERE merchant_id = $1 AND revoked_at IS NULL ORDER BY id DESC")
                        .bind(Id::from(merchant))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(rows.into_iter().map(ApiToken::from).collect())
                }

                async fn revoke_api_token(&self, merchant: MerchantId, id: TokenId, at: Timestamp) -> StoreResult<bool> {
                    let updated = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND merchant_id = $3 AND revoked_at IS NULL")
                        .bind(Time(at))
                        .bind(Id::from(id))
                        .bind(Id::from(merchant))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(updated.rows_affected() == 1)
                }

                async fn insert_merchant(&self, merchant: &Merchant, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("INSERT INTO merchants (id, name, credit_code, address, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(Id::from(merchant.id))
                        .bind(&merchant.name)
                        .bind(&merchant.credit_code)
                        .bind(&merchant.address)
                        .bind(&merchant.phone)
                        .bind(Time(at))
                        .execute(&self.pool)
                        .await
                        .map_err(|e| unique_or("merchant", e))?;
                    Ok(())
                }

                async fn merchant(&self, id: MerchantId) -> StoreResult<Option<Merchant>> {
                    if let Some(merchant) = self.accounts.merchants.get(&id) {
                        return Ok(Some(merchant));
                    }
                    let row: Option<MerchantRow> = sqlx::query_as("SELECT id, name, credit_code, address, phone FROM merchants WHERE id = $1")
                        .bind(Id::from(id))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    let merchant = row.map(Merchant::from);
                    if let Some(merchant) = &merchant {
                        self.accounts.merchants.put(id, merchant.clone());
                    }
                    Ok(merchant)
                }

                async fn list_merchants(&self, before: Option<MerchantId>, limit: i64) -> StoreResult<Vec<Merchant>> {
                    let rows: Vec<MerchantRow> = sqlx::query_as("SELECT id, name, credit_code, address, phone FROM merchants WHERE (CAST($1 AS TEXT) IS NULL OR id < $1) ORDER BY id DESC LIMIT $2")
                        .bind(before.map(Id::from))
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(rows.into_iter().map(Merchant::from).collect())
                }

                async fn list_users(&self, before: Option<UserId>, limit: i64) -> StoreResult<Vec<User>> {
                    let rows: Vec<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(""), " FROM users WHERE (CAST($1 AS TEXT) IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"))
                        .bind(before.map(Id::from))
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                    users(rows)
                }

                async fn merchant_staff(&self, merchant: MerchantId) -> StoreResult<Vec<UserId>> {
                    let ids: Vec<Id> = sqlx::query_scalar("SELECT id FROM users WHERE merchant_id = $1 AND role = 'merchant'")
                        .bind(Id::from(merchant))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(ids.into_iter().map(UserId::from).collect())
                }
            }
        }
    };
}

account_store!(sqlite, crate::SqliteStore, sqlx::Sqlite);
account_store!(postgres, crate::PgStore, sqlx::Postgres);
