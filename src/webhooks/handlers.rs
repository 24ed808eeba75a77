//! HTTP surface of webhooks (admins only).

use actix_web::{get, patch, post, web, HttpResponse};

use super::allow;
use super::model::{Delivery, NewWebhook, Webhook, WebhookPatch};
use super::sign;
use super::store::{self, Changed, NewRow};
use crate::domain::access::{Caller, Permission};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::feed::store as feed;
use crate::http::body::JsonBody;
use crate::http::page::{Cursor, Page, PageRequest, Paging};
use crate::http::query::QueryParams;
use crate::http::State;

/// The URL must be http(s) on an allowed host (after resolution): else a 422, and no call.
async fn check_url(state: &State, url: &str) -> ApiResult<()> {
    if url.len() > 2000 {
        return Err(ApiError::field("url", "length", "at most 2,000 characters"));
    }
    let Some((host, port)) = allow::host_port(url) else {
        return Err(ApiError::field("url", "invalid", "an http or https URL with a host"));
    };
    if allow::resolve(&state.config.webhook_allow, &host, port).await.is_empty() {
        return Err(ApiError::field(
            "url",
            "not_allowed",
            "the host is not one SAFETRACE_WEBHOOK_ALLOW allows (checked on its addresses)",
        ));
    }
    Ok(())
}

/// Subscribe a URL to the feed's events; the answer holds the secret, shown only here.
#[utoipa::path(
    tag = "webhooks", operation_id = "create_webhook",
    request_body = NewWebhook,
    responses(
        (status = 201, body = Webhook),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub async fn create(state: State, caller: Caller, body: JsonBody<NewWebhook>) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUsers)?;
    let req = body.into_inner();
    check_url(&state, &req.url).await?;
    let secret = sign::new_secret();
    let now = state.clock.now();
    let row = NewRow {
        id: Id::new_v7(),
        url: req.url,
        event_kinds: req.event_kinds,
        community_ids: req.community_ids,
        active: req.active.unwrap_or(true),
        secret: secret.clone(),
        cursor: 0,
        at: now,
        created_by: Some(caller.user_id),
    };
    let created = state
        .db(move |conn| {
            // Events from now on: the feed's end, once what has committed has its place.
            feed::sequence(conn)?;
            let cursor = feed::last_position(conn)?;
            conn.write(|c| store::create(c, &NewRow { cursor, ..row }))
        })
        .await?;
    let mut hook = Webhook::from(created);
    hook.secret = Some(secret);
    Ok(HttpResponse::Created().json(hook))
}

#[utoipa::path(
    tag = "webhooks", operation_id = "list_webhooks",
    responses((status = 200, body = Page<Webhook>))
)]
#[get("/webhooks")]
pub async fn list(state: State, caller: Caller) -> ApiResult<web::Json<Page<Webhook>>> {
    caller.require(Permission::ManageUsers)?;
    let rows = state.db(|conn| store::all(conn, false)).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(Into::into).collect(), next_cursor: None, total: None }))
}

#[utoipa::path(
    tag = "webhooks", operation_id = "get_webhook",
    params(("id" = Id, Path, description = "Webhook id")),
    responses(
        (status = 200, body = Webhook),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<Webhook>> {
    caller.require(Permission::ManageUsers)?;
    let id = id.into_inner();
    Ok(web::Json(state.db(move |conn| store::get(conn, id)).await?.into()))
}

/// Change a subscription; switching it on again counts its failures from now.
#[utoipa::path(
    tag = "webhooks", operation_id = "update_webhook",
    params(("id" = Id, Path, description = "Webhook id")),
    request_body = WebhookPatch,
    responses(
        (status = 200, body = Webhook),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    body: JsonBody<WebhookPatch>,
) -> ApiResult<web::Json<Webhook>> {
    caller.require(Permission::ManageUsers)?;
    let (id, req) = (id.into_inner(), body.into_inner());
    if let Some(url) = &req.url {
        check_url(&state, url).await?;
    }
    let now = state.clock.now();
    let row = state
        .write(move |conn| {
            let current = store::get(conn, id)?;
            let active = req.active.unwrap_or(current.active);
            let changed = Changed {
                url: req.url.unwrap_or_else(|| current.url.clone()),
                event_kinds: req.event_kinds.unwrap_or_else(|| current.kinds()),
                community_ids: req.community_ids.unwrap_or_else(|| current.communities()),
                active,
                clear_failing: active && !current.active,
            };
            store::update(conn, id, req.version, &changed, now)
        })
        .await?;
    Ok(web::Json(row.into()))
}

/// A subscription's deliveries, newest first: status, response code, duration, next try.
#[utoipa::path(
    tag = "webhooks", operation_id = "list_webhook_deliveries",
    params(("id" = Id, Path, description = "Webhook id"), Paging),
    responses(
        (status = 200, body = Page<Delivery>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    state: State,
    caller: Caller,
    id: web::Path<Id>,
    query: QueryParams<Paging>,
) -> ApiResult<web::Json<Page<Delivery>>> {
    caller.require(Permission::ManageUsers)?;
    let id = id.into_inner();
    let page = PageRequest::<Cursor>::of(&query.0)?;
    let rows = state
        .db(move |conn| {
            store::get(conn, id)?;
            store::deliveries(conn, id, &page)
        })
        .await?;
    Ok(web::Json(page.finish(rows, |r| Cursor { at: r.created_at, id: r.id }, Delivery::from)))
}

/// Send a delivery again (it goes before the subscription's later events).
#[utoipa::path(
    tag = "webhooks", operation_id = "retry_webhook_delivery",
    params(
        ("id" = Id, Path, description = "Webhook id"),
        ("delivery_id" = Id, Path, description = "Delivery id"),
    ),
    responses(
        (status = 200, body = Delivery),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry(state: State, caller: Caller, path: web::Path<(Id, Id)>) -> ApiResult<web::Json<Delivery>> {
    caller.require(Permission::ManageUsers)?;
    let (id, delivery_id) = path.into_inner();
    let now = state.clock.now();
    Ok(web::Json(state.write(move |conn| store::retry(conn, id, delivery_id, now)).await?.into()))
}
