//! Idempotent creation, one mechanism for every record a client may create under its own
//! id (inspections, rectifications, enforcement actions, attachments, imports). A phone
//! that never heard the answer sends the same request, under the same id, again:
//! - the request's canonical form is hashed ([`canonical_hash`]) and stored with the record;
//! - a later request under that id is compared with it ([`earlier`]): the same hash, seen
//!   by someone who may see the record, replays it; anything else is a conflict;
//! - two identical requests racing each other: the loser fails on the id, and [`settle`]
//!   answers it the winner's record;
//! - [`respond`] answers 201 when this request stored the record, 200 when an earlier one did.

use std::future::Future;

use actix_web::HttpResponse;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::Id;
use crate::error::{ApiError, ApiResult};

/// Whether this request stored the record, or an earlier one with the same id did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Created,
    Replayed,
}

/// SHA-256 (hex) of a request's canonical JSON: typed, keys sorted, moments in UTC.
pub fn canonical_hash(request: &impl Serialize) -> String {
    // Serialising the crate's own request types cannot fail; an empty value would only
    // make a replay look different (409), never the same.
    let value = serde_json::to_value(request).unwrap_or_default();
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

/// What a record stored earlier under the client's id means for this request: `Ok(true)`
/// when it is the same request (replay it), `Ok(false)` when nothing was stored under the
/// id, a conflict otherwise. One the caller may not see is refused like any other reuse
/// of the id, without revealing it.
pub fn earlier(stored: Option<(&str, bool)>, hash: &str, what: &str, id: Id) -> ApiResult<bool> {
    match stored {
        None => Ok(false),
        Some((stored_hash, visible)) if stored_hash == hash && visible => Ok(true),
        Some(_) => Err(ApiError::Conflict(format!("{what} {id} was already submitted with different content"))),
    }
}

/// The outcome of a create, after an identical request may have committed first: when the
/// error is one `lost_race` says such a race produces, and the request carried its own
/// id, the record stored under that id is answered if `replay` finds it is the same.
pub async fn settle<T, Fut>(
    result: ApiResult<(Stored, T)>,
    client_id: Option<Id>,
    lost_race: impl Fn(&ApiError) -> bool,
    replay: impl FnOnce(Id) -> Fut,
) -> ApiResult<(Stored, T)>
where
    Fut: Future<Output = ApiResult<Option<T>>>,
{
    match (result, client_id) {
        (Err(e), Some(id)) if lost_race(&e) => match replay(id).await? {
            Some(record) => Ok((Stored::Replayed, record)),
            None => Err(e),
        },
        (result, _) => result,
    }
}

/// 201 with the record when this request stored it, 200 when an earlier one did.
pub fn respond<T: Serialize>((stored, record): (Stored, T)) -> HttpResponse {
    match stored {
        Stored::Created => HttpResponse::Created().json(record),
        Stored::Replayed => HttpResponse::Ok().json(record),
    }
}
