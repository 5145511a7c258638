//! Conversions between domain values and columns: times as UTC microseconds, ids as text,
//! domain structures as their canonical JSON.

use anyhow::Context;
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn timestamp(us: i64) -> anyhow::Result<Timestamp> {
    Timestamp::from_microsecond(us).context("stored time out of range")
}

pub fn to_json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    serde_json::to_string(value).context("encode json")
}

pub fn from_json<T: DeserializeOwned>(text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).context("decode stored json")
}

pub fn parse_id<T: std::str::FromStr>(text: &str) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().context("stored id")
}
