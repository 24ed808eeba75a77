//! Subscriptions and deliveries: rows, requests, views.

use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::types::{SqlMoment, SqlUuid};
use crate::domain::{Id, Moment};
use crate::feed::model::FeedKind;

#[derive(Debug, Clone, QueryableByName)]
pub struct WebhookRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Id,
    #[diesel(sql_type = Text)]
    pub url: String,
    /// JSON array of kinds, or null for every kind.
    #[diesel(sql_type = Nullable<Text>)]
    pub event_kinds: Option<String>,
    /// JSON array of community ids, or null for every community.
    #[diesel(sql_type = Nullable<Text>)]
    pub community_ids: Option<String>,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = Text)]
    pub secret: String,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    /// The last feed position this subscription has taken a delivery for (or passed).
    #[diesel(sql_type = BigInt)]
    pub cursor: i64,
    /// Since when its deliveries fail without a success.
    #[diesel(sql_type = Nullable<SqlMoment>)]
    pub failing_since: Option<Moment>,
    #[diesel(sql_type = SqlMoment)]
    pub created_at: Moment,
    #[diesel(sql_type = SqlMoment)]
    pub updated_at: Moment,
}

impl WebhookRow {
    pub fn kinds(&self) -> Option<Vec<FeedKind>> {
        self.event_kinds.as_deref().and_then(|k| serde_json::from_str(k).ok())
    }

    pub fn communities(&self) -> Option<Vec<Id>> {
        self.community_ids.as_deref().and_then(|k| serde_json::from_str(k).ok())
    }
}

/// A subscription as admins see it (the secret only at creation).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: Id,
    pub url: String,
    /// The kinds delivered; null: every kind.
    pub event_kinds: Option<Vec<FeedKind>>,
    /// The communities whose events are delivered; null: every community.
    pub community_ids: Option<Vec<Id>>,
    pub active: bool,
    pub version: i32,
    /// Since when deliveries fail (null when the last one succeeded); after 3 days the
    /// subscription is switched off.
    pub failing_since: Option<Moment>,
    pub created_at: Moment,
    pub updated_at: Moment,
    /// `whsec_…`: given once, in the answer to the creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Webhook {
            event_kinds: r.kinds(),
            community_ids: r.communities(),
            id: r.id,
            url: r.url,
            active: r.active,
            version: r.version,
            failing_since: r.failing_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
            secret: None,
        }
    }
}

/// A new subscription.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `http` or `https`, on a host `SAFETRACE_WEBHOOK_ALLOW` allows.
    #[schema(max_length = 2000)]
    pub url: String,
    /// Absent: every kind.
    #[schema(max_items = 64)]
    pub event_kinds: Option<Vec<FeedKind>>,
    /// Absent: every community.
    #[schema(max_items = 1000)]
    pub community_ids: Option<Vec<Id>>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// A change of a subscription; `version` is the one read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// `null`: every kind again.
    #[serde(default, deserialize_with = "crate::domain::patch::nullable")]
    #[schema(max_items = 64)]
    pub event_kinds: Option<Option<Vec<FeedKind>>>,
    /// `null`: every community again.
    #[serde(default, deserialize_with = "crate::domain::patch::nullable")]
    #[schema(max_items = 1000)]
    pub community_ids: Option<Option<Vec<Id>>>,
    pub active: Option<bool>,
    pub version: i32,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, QueryableByName)]
pub struct DeliveryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Id,
    #[diesel(sql_type = SqlUuid)]
    pub webhook_id: Id,
    #[diesel(sql_type = BigInt)]
    pub position: i64,
    #[diesel(sql_type = Text)]
    pub event_kind: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<SqlMoment>)]
    pub next_try_at: Option<Moment>,
    #[diesel(sql_type = Nullable<SqlMoment>)]
    pub last_attempt_at: Option<Moment>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub response_code: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub duration_ms: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
    #[diesel(sql_type = SqlMoment)]
    pub created_at: Moment,
}

/// One event's delivery to a subscription, with its last attempt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// Also the `webhook-id` header (the same on every try).
    pub id: Id,
    pub webhook_id: Id,
    /// The event's feed position.
    pub position: i64,
    pub event_kind: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_try_at: Option<Moment>,
    pub last_attempt_at: Option<Moment>,
    /// The receiver's status code at the last try (null: no answer).
    pub response_code: Option<i32>,
    pub duration_ms: Option<i64>,
    /// Why the last try failed.
    pub error: Option<String>,
    pub created_at: Moment,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        let status = match r.status.as_str() {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        };
        Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            position: r.position,
            event_kind: r.event_kind,
            status,
            attempts: r.attempts,
            next_try_at: r.next_try_at,
            last_attempt_at: r.last_attempt_at,
            response_code: r.response_code,
            duration_ms: r.duration_ms,
            error: r.error,
            created_at: r.created_at,
        }
    }
}
