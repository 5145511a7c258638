//! Conversions between domain values and columns. Each database stores values natively: the
//! column types below bind and read ids, times and JSON as the database's own types, chosen by
//! the database the statement runs on (`Encode`/`Decode` per database), so one statement text
//! serves both.
//!
//! | value | SQLite | PostgreSQL |
//! |---|---|---|
//! | `Id` | TEXT (hyphenated, lowercase) | `uuid` |
//! | `Time` | INTEGER, UTC microseconds | `timestamptz` (microseconds) |
//! | `sqlx::types::Json` | TEXT | `jsonb` |
//!
//! Text that is hashed or signed (event and message chains, webhook bodies, stored answers) stays
//! TEXT on both: `jsonb` would rewrite it.

use anyhow::Context;
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};
use uuid::Uuid;

pub use sqlx::types::Json;

pub fn to_json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    serde_json::to_string(value).context("encode json")
}

pub fn from_json<T: DeserializeOwned>(text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).context("decode stored json")
}

/// An id column: `uuid` on PostgreSQL, its hyphenated text on SQLite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id(pub Uuid);

/// A time column: `timestamptz` on PostgreSQL, UTC microseconds on SQLite. Both keep
/// microseconds, the precision of every time the application stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time(pub Timestamp);

impl From<Uuid> for Id {
    fn from(id: Uuid) -> Id {
        Id(id)
    }
}

impl From<Id> for Uuid {
    fn from(id: Id) -> Uuid {
        id.0
    }
}

macro_rules! domain_ids {
    ($($name:ident),*) => {$(
        impl From<redress_domain::$name> for Id {
            fn from(id: redress_domain::$name) -> Id {
                Id(id.0)
            }
        }
        impl From<Id> for redress_domain::$name {
            fn from(id: Id) -> redress_domain::$name {
                redress_domain::$name(id.0)
            }
        }
    )*};
}
domain_ids!(CaseId, OrderId, UserId, MerchantId, TokenId, EvidenceId);

impl From<Timestamp> for Time {
    fn from(t: Timestamp) -> Time {
        Time(t)
    }
}

impl From<Time> for Timestamp {
    fn from(t: Time) -> Timestamp {
        t.0
    }
}

/// `Type`, `Encode` and `Decode` of a column type for one database, through the database's own
/// type `$inner` (made by `$to`, read back by `$from`).
macro_rules! column {
    ($column:ty, $db:ty, $info:ty, $buf:ty, $value:ident, $inner:ty, to: $to:expr, from: $from:expr) => {
        impl Type<$db> for $column {
            fn type_info() -> $info {
                <$inner as Type<$db>>::type_info()
            }
            fn compatible(ty: &$info) -> bool {
                <$inner as Type<$db>>::compatible(ty)
            }
        }
        impl Encode<'_, $db> for $column {
            fn encode_by_ref(&self, buf: &mut $buf) -> Result<IsNull, BoxDynError> {
                let to: fn(&$column) -> $inner = $to;
                <$inner as Encode<'_, $db>>::encode(to(self), buf)
            }
        }
        impl<'r> Decode<'r, $db> for $column {
            fn decode(value: $value<'r>) -> Result<Self, BoxDynError> {
                let from: fn($inner) -> Result<$column, BoxDynError> = $from;
                from(<$inner as Decode<'r, $db>>::decode(value)?)
            }
        }
    };
}

column!(Id, Sqlite, SqliteTypeInfo, SqliteArgumentsBuffer, SqliteValueRef, uuid::fmt::Hyphenated,
    to: |id| id.0.hyphenated(), from: |text| Ok(Id(text.into_uuid())));
column!(Id, Postgres, PgTypeInfo, PgArgumentBuffer, PgValueRef, Uuid, to: |id| id.0, from: |id| Ok(Id(id)));
column!(Time, Sqlite, SqliteTypeInfo, SqliteArgumentsBuffer, SqliteValueRef, i64,
    to: |t| t.0.as_microsecond(), from: |us| Ok(Time(Timestamp::from_microsecond(us)?)));
column!(Time, Postgres, PgTypeInfo, PgArgumentBuffer, PgValueRef, jiff_sqlx::Timestamp,
    to: |t| jiff_sqlx::Timestamp::from(t.0), from: |t| Ok(Time(t.to_jiff())));
