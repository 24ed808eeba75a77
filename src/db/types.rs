//! SQL types that differ per engine, and how the domain's values are stored in them:
//! [`Id`] is `uuid` on PostgreSQL (fixed OIDs, no per-connection lookup) and a 16-byte
//! BLOB on SQLite; [`Moment`] is `timestamptz` on PostgreSQL and fixed-width RFC 3339
//! text in UTC on SQLite (`2026-11-25T01:02:03.000004Z`), which sorts and compares like
//! the moment it names.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
// What `#[derive(AsExpression)]` expands to; the derive cannot be used on a type of
// another module without naming this module's SQL types there.
use diesel::expression::AsExpression;
use diesel::internal::derives::as_expression::Bound;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{self as st, HasSqlType, Nullable, SqlType};
use diesel::sqlite::Sqlite;

use super::MultiBackend;
use crate::domain::{Id, Moment};

#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Binary"))]
pub struct SqlUuid;

#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Text"))]
pub struct SqlMoment;

/// `Id` and `Moment` are written as their SQL type, by value or by reference, alone or
/// where a column is nullable: what `#[derive(AsExpression)]` would give, written here so
/// the value types in `domain/` need not know the engines' SQL types.
macro_rules! as_expression {
    ($sql:ident, $rust:ty) => {
        impl AsExpression<$sql> for $rust {
            type Expression = Bound<$sql, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
        impl AsExpression<Nullable<$sql>> for $rust {
            type Expression = Bound<Nullable<$sql>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
        impl<'a> AsExpression<$sql> for &'a $rust {
            type Expression = Bound<$sql, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
        impl<'a> AsExpression<Nullable<$sql>> for &'a $rust {
            type Expression = Bound<Nullable<$sql>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
        impl<'a, 'b> AsExpression<$sql> for &'a &'b $rust {
            type Expression = Bound<$sql, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
        impl<'a, 'b> AsExpression<Nullable<$sql>> for &'a &'b $rust {
            type Expression = Bound<Nullable<$sql>, Self>;
            fn as_expression(self) -> Self::Expression {
                Bound::new(self)
            }
        }
        impl<DB: Backend> ToSql<Nullable<$sql>, DB> for $rust
        where
            $rust: ToSql<$sql, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                ToSql::<$sql, DB>::to_sql(self, out)
            }
        }
    };
}

as_expression!(SqlUuid, Id);
as_expression!(SqlMoment, Moment);

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
