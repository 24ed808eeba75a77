//! Keyset pagination: `limit`, an opaque `cursor`, and the `{items, next_cursor}` page
//! (with `total` when `count=true` asked for it).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::domain::{Id, Moment};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// One page of a list, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many items match the filters, on every page; only with `count=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// The page a list request asks for, beside its filters (see `http::query::ListQuery`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `true`: the page also gives `total`, the number of items matching the filters.
    pub count: Option<bool>,
}

impl Paging {
    /// The query parameters that are the page's, not the filters'.
    pub const KEYS: [&'static str; 3] = ["limit", "cursor", "count"];

    pub fn wants_total(&self) -> bool {
        self.count == Some(true)
    }
}

/// A list position a cursor carries, written into opaque text and read back.
pub trait Position: Sized {
    fn encode(&self) -> String;
    fn decode(text: &str) -> Result<Self, ApiError>;
}

/// The error for a cursor this server did not issue (or issued for another sort).
pub fn bad_cursor() -> ApiError {
    ApiError::field("cursor", "invalid", "the cursor is not one this server issued")
}

/// The position after the last item of a page: its sort moment and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: Moment,
    pub id: Id,
}

impl Cursor {
    /// The text of a cursor: `<micros>|<id>` (other positions put their sort first).
    pub fn raw(&self) -> String {
        format!("{}|{}", self.at.timestamp_micros(), self.id)
    }

    /// Reads [`Cursor::raw`]'s text.
    pub fn from_raw(raw: &str) -> Result<Self, ApiError> {
        let (micros, id) = raw.split_once('|').ok_or_else(bad_cursor)?;
        let at = micros_moment(micros)?;
        let id = id.parse::<Id>().map_err(|_| bad_cursor())?;
        Ok(Cursor { at, id })
    }
}

/// A moment written as microseconds since the epoch.
pub fn micros_moment(text: &str) -> Result<Moment, ApiError> {
    let micros: i64 = text.parse().map_err(|_| bad_cursor())?;
    DateTime::<Utc>::from_timestamp_micros(micros).map(Moment).ok_or_else(bad_cursor)
}

/// The opaque text of a cursor's raw text.
pub fn opaque(raw: &str) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

/// The raw text of an opaque cursor.
pub fn unwrap_opaque(text: &str) -> Result<String, ApiError> {
    let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad_cursor())?;
    String::from_utf8(raw).map_err(|_| bad_cursor())
}

impl Position for Cursor {
    fn encode(&self) -> String {
        opaque(&self.raw())
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        Cursor::from_raw(&unwrap_opaque(text)?)
    }
}

/// Validated `limit` and `cursor` of a list request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<C = Cursor> {
    pub limit: i64,
    pub after: Option<C>,
}

impl<C: Position> PageRequest<C> {
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field("limit", "out_of_range", format!("limit must be between 1 and {MAX_LIMIT}")));
        }
        let after = cursor.filter(|c| !c.is_empty()).map(C::decode).transpose()?;
        Ok(PageRequest { limit, after })
    }

    /// The page [`Paging`] asks for.
    pub fn of(paging: &Paging) -> Result<Self, ApiError> {
        Self::new(paging.limit, paging.cursor.as_deref())
    }

    /// Asks the store for one row more than the page holds, to know whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row and makes the cursor from the last row kept.
    pub fn finish<R, T>(&self, mut rows: Vec<R>, key: impl Fn(&R) -> C, view: impl Fn(R) -> T) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more { rows.last().map(|r| key(r).encode()) } else { None };
        Page { items: rows.into_iter().map(view).collect(), next_cursor, total: None }
    }
}
