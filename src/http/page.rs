//! Keyset pagination: `limit`, an opaque `cursor`, and the `{items, next_cursor}` page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::domain::{Id, Moment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// One page of a list, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The position after the last item of a page: its sort moment and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: Moment,
    pub id: Id,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let raw = format!("{}|{}", self.at.timestamp_micros(), self.id);
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(text: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::field("cursor", "invalid", "the cursor is not one this server issued");
        let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (micros, id) = raw.split_once('|').ok_or_else(bad)?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        let at = DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(bad)?;
        let id = id.parse::<Id>().map_err(|_| bad())?;
        Ok(Cursor { at: Moment(at), id })
    }
}

/// Validated `limit` and `cursor` of a list request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field("limit", "out_of_range", format!("limit must be between 1 and {MAX_LIMIT}")));
        }
        let after = cursor.filter(|c| !c.is_empty()).map(Cursor::decode).transpose()?;
        Ok(PageRequest { limit, after })
    }

    /// Asks the store for one row more than the page holds, to know whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row and makes the cursor from the last row kept.
    pub fn finish<R, T>(&self, mut rows: Vec<R>, key: impl Fn(&R) -> Cursor, view: impl Fn(R) -> T) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more { rows.last().map(|r| key(r).encode()) } else { None };
        Page { items: rows.into_iter().map(view).collect(), next_cursor }
    }
}
