//! SQL types that differ per engine, and the Rust values stored in them:
//! [`Id`] is `uuid` on PostgreSQL (fixed OIDs, no per-connection lookup) and a 16-byte
//! BLOB on SQLite; [`Moment`] is `timestamptz` on PostgreSQL and fixed-width RFC 3339
//! text in UTC on SQLite (`2026-11-25T01:02:03.000004Z`), which sorts and compares like
//! the moment it names.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{self as st, HasSqlType, SqlType};
use diesel::sqlite::Sqlite;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::MultiBackend;
use crate::clock::truncate_micros;

#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Binary"))]
pub struct SqlUuid;

#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Text"))]
pub struct SqlMoment;

/// A record id (a UUID; the server makes v7 ones, which sort by creation time).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow, Serialize, Deserialize,
)]
#[diesel(sql_type = SqlUuid)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = SqlMoment)]
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

/// The text form SQLite stores moments in.
pub const SQLITE_MOMENT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

macro_rules! multi_type {
    ($sql:ident, $rust:ty) => {
        impl HasSqlType<$sql> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$sql>(lookup)
            }
        }
        impl FromSql<$sql, MultiBackend> for $rust {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<$rust, $sql>()
            }
        }
        impl ToSql<$sql, MultiBackend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value(($sql, self));
                Ok(IsNull::No)
            }
        }
    };
}

multi_type!(SqlUuid, Id);
multi_type!(SqlMoment, Moment);

impl ToSql<SqlUuid, Pg> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<st::Uuid, Pg>::to_sql(&self.0, out)
    }
}
impl FromSql<SqlUuid, Pg> for Id {
    fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        FromSql::<st::Uuid, Pg>::from_sql(bytes).map(Id)
    }
}
impl ToSql<SqlUuid, Sqlite> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        ToSql::<st::Binary, Sqlite>::to_sql(self.0.as_bytes().as_slice(), out)
    }
}
impl FromSql<SqlUuid, Sqlite> for Id {
    fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let raw = <Vec<u8> as FromSql<st::Binary, Sqlite>>::from_sql(bytes)?;
        Ok(Id(uuid::Uuid::from_slice(&raw)?))
    }
}

impl ToSql<SqlMoment, Pg> for Moment {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<st::Timestamptz, Pg>::to_sql(&self.0, out)
    }
}
impl FromSql<SqlMoment, Pg> for Moment {
    fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        FromSql::<st::Timestamptz, Pg>::from_sql(bytes).map(Moment)
    }
}
impl ToSql<SqlMoment, Sqlite> for Moment {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.format(SQLITE_MOMENT_FORMAT).to_string());
        Ok(IsNull::No)
    }
}
impl FromSql<SqlMoment, Sqlite> for Moment {
    fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<st::Text, Sqlite>>::from_sql(bytes)?;
        let naive = NaiveDateTime::parse_from_str(&text, SQLITE_MOMENT_FORMAT)?;
        Ok(Moment(naive.and_utc()))
    }
}
