//! The value types every rule and record shares: [`Id`] (a UUID) and [`Moment`] (a moment
//! in UTC to the microsecond). How each engine stores them lives in `db/types.rs`.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A record id (a UUID; the server makes v7 ones, which sort by creation time).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, diesel::deserialize::FromSqlRow, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Id(pub uuid::Uuid);

impl Id {
    pub fn new_v7() -> Self {
        Id(uuid::Uuid::now_v7())
    }
}

impl Deref for Id {
    type Target = uuid::Uuid;
    fn deref(&self) -> &uuid::Uuid {
        &self.0
    }
}

impl From<uuid::Uuid> for Id {
    fn from(u: uuid::Uuid) -> Self {
        Id(u)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Id {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Id)
    }
}

impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(utoipa::openapi::KnownFormat::Uuid)
    }
}
impl utoipa::ToSchema for Id {}

/// A moment in time, in UTC, to the microsecond. Accepted as RFC 3339 with any offset
/// (one without an offset is refused), returned in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, diesel::deserialize::FromSqlRow)]
pub struct Moment(pub DateTime<Utc>);

impl Moment {
    pub fn new(t: DateTime<Utc>) -> Self {
        Moment(truncate_micros(t))
    }

    /// Parses RFC 3339 with an offset, truncating to whole microseconds.
    pub fn parse(text: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| Moment::new(t.with_timezone(&Utc)))
            .map_err(|_| format!("`{text}` is not an RFC 3339 moment with an offset, e.g. 2026-11-25T09:30:00+08:00"))
    }

    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

/// Both engines store microseconds: cut anything finer so a value reads back unchanged.
pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::microseconds(1)).unwrap_or(t)
}

impl Deref for Moment {
    type Target = DateTime<Utc>;
    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<DateTime<Utc>> for Moment {
    fn from(t: DateTime<Utc>) -> Self {
        Moment::new(t)
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Moment::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Moment {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(utoipa::openapi::KnownFormat::DateTime)
    }
}
impl utoipa::ToSchema for Moment {}

fn string_schema(format: utoipa::openapi::KnownFormat) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(format))).into()
}
