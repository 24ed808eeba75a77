//! Idempotent creation. A phone that never heard the answer sends the same record, under
//! the same client id, again: the stored record is answered (200 instead of 201); another
//! request under that id is a conflict. Each resource decides what "the same" means and
//! which errors can come from having lost a race to an identical request.

use std::future::Future;

use actix_web::HttpResponse;
use serde::Serialize;

use crate::domain::Id;
use crate::error::{ApiError, ApiResult};

/// Whether this request stored the record, or an earlier one with the same id did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Created,
    Replayed,
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
