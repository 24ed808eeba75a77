//! The feed's kinds, rows and view.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::types::{SqlMoment, SqlUuid};
use crate::domain::{Id, Moment};

macro_rules! feed_kinds {
    ($($variant:ident => $text:literal),+ $(,)?) => {
        /// What happened: `<resource>.<event>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum FeedKind {
            $(#[serde(rename = $text)] $variant),+
        }

        // By hand: the derive, inside this macro, would document the variants' Rust names
        // instead of the `<resource>.<event>` texts the API answers.
        impl utoipa::PartialSchema for FeedKind {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some("What happened: `<resource>.<event>`."))
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for FeedKind {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed("FeedKind")
            }
        }

        impl FeedKind {
            pub const ALL: &'static [FeedKind] = &[$(FeedKind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(FeedKind::$variant => $text),+ }
            }

            /// The record the event is about: the kind's first part.
            pub fn resource(self) -> &'static str {
                self.as_str().split('.').next().unwrap_or_default()
            }
        }

        impl std::str::FromStr for FeedKind {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok(FeedKind::$variant),)+
                    other => Err(format!("unknown event kind `{other}`")),
                }
            }
        }
    };
}

feed_kinds! {
    HazardCreated => "hazard.created",
    HazardRectificationSubmitted => "hazard.rectification_submitted",
    HazardClosed => "hazard.closed",
    HazardRectificationRejected => "hazard.rectification_rejected",
    HazardVoided => "hazard.voided",
    HazardDeadlineExtended => "hazard.deadline_extended",
    UnitCreated => "unit.created",
    UnitUpdated => "unit.updated",
    UnitSuspended => "unit.suspended",
    UnitClosed => "unit.closed",
    UnitReinstated => "unit.reinstated",
    RectificationSubmitted => "rectification.submitted",
    RectificationVerified => "rectification.verified",
    InspectionCreated => "inspection.created",
    EnforcementActionCreated => "enforcement_action.created",
    NotificationCreated => "notification.created",
}

impl FeedKind {
    /// The feed kind of a hazard event (`hazard_events.kind`).
    pub fn of_hazard_event(kind: &str) -> Option<FeedKind> {
        Some(match kind {
            "created" => FeedKind::HazardCreated,
            "rectification_submitted" => FeedKind::HazardRectificationSubmitted,
            "rectification_passed" => FeedKind::HazardClosed,
            "rectification_rejected" => FeedKind::HazardRectificationRejected,
            "voided" => FeedKind::HazardVoided,
            "deadline_extended" => FeedKind::HazardDeadlineExtended,
            _ => return None,
        })
    }

    /// The feed kind of a unit event (`unit_events.kind`; an import's update is `updated`).
    pub fn of_unit_event(kind: &str) -> Option<FeedKind> {
        Some(match kind {
            "created" => FeedKind::UnitCreated,
            "updated" | "imported" => FeedKind::UnitUpdated,
            "suspended" => FeedKind::UnitSuspended,
            "closed" => FeedKind::UnitClosed,
            "reinstated" => FeedKind::UnitReinstated,
            _ => return None,
        })
    }
}

/// A stored feed event.
#[derive(Debug, Clone, QueryableByName)]
pub struct FeedRow {
    #[diesel(sql_type = BigInt)]
    pub position: i64,
    #[diesel(sql_type = SqlMoment)]
    pub at: Moment,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub resource: String,
    #[diesel(sql_type = SqlUuid)]
    pub resource_id: Id,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub community_id: Option<Id>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_user_id: Option<Id>,
    #[diesel(sql_type = Text)]
    pub data: String,
}

/// One event of the feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedEvent {
    /// The event's place in the feed: increasing, one total order for every kind.
    #[schema(minimum = 1)]
    pub position: i64,
    /// When it happened.
    pub at: Moment,
    pub kind: FeedKind,
    /// `hazard`, `unit`, `rectification`, `inspection`, `enforcement_action` or `notification`.
    pub resource: String,
    pub resource_id: Id,
    /// Who acted (a name; null for the scheduler).
    pub actor: Option<String>,
    pub actor_user_id: Option<Id>,
    /// The record as it was right after the event.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl FeedEvent {
    pub fn from_row(r: FeedRow) -> Option<Self> {
        Some(FeedEvent {
            position: r.position,
            at: r.at,
            kind: r.kind.parse().ok()?,
            resource: r.resource,
            resource_id: r.resource_id,
            actor: r.actor,
            actor_user_id: r.actor_user_id,
            data: serde_json::from_str(&r.data).unwrap_or(serde_json::Value::Null),
        })
    }
}

/// A page of the feed, oldest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedEvent>,
    /// Pass as `cursor` to read on; given also when the page is empty.
    pub next_cursor: String,
}

/// Where to read from and how long to wait.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `next_cursor` of the previous page; none: from the first event.
    #[param(max_length = 20, pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Seconds (0–30) to hold the request until an event arrives when none is there.
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u32>,
}
