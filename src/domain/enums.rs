//! The domain's vocabularies, stored as their snake_case names in both engines.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
                 utoipa::ToSchema, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[serde(rename_all = "snake_case")]
        #[diesel(sql_type = Text)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} `{}`", stringify!($name), other)),
                }
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $name
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                Ok(text.parse::<$name>()?)
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $name
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }
    };
}

text_enum!(
    /// What kind of premises a unit is.
    UnitKind {
        Restaurant => "restaurant",
        Shop => "shop",
        Factory => "factory",
        Warehouse => "warehouse",
        ConstructionSite => "construction_site",
        Hotel => "hotel",
        Market => "market",
        Other => "other",
    }
);

text_enum!(
    /// Whether a unit may operate: `suspended` is 停产整顿, `closed` is 取缔关闭.
    UnitStatus {
        Active => "active",
        Suspended => "suspended",
        Closed => "closed",
    }
);

text_enum!(
    /// What a hazard is about.
    HazardCategory {
        Gas => "gas",
        FireSeparation => "fire_separation",
        Electrical => "electrical",
        Evacuation => "evacuation",
        FireEquipment => "fire_equipment",
        HazardousChemicals => "hazardous_chemicals",
        Structural => "structural",
        Occupational => "occupational",
        Other => "other",
    }
);

text_enum!(
    /// How serious a hazard is: 一般 or 重大.
    HazardLevel {
        General => "general",
        Major => "major",
    }
);

text_enum!(
    /// How a hazard was found.
    HazardSource {
        Routine => "routine",
        Campaign => "campaign",
        Seasonal => "seasonal",
        PreHoliday => "pre_holiday",
        Complaint => "complaint",
        Other => "other",
    }
);

text_enum!(
    /// 限期整改 (a deadline) or 即查即改 (fixed during the visit).
    HandlingType {
        Deadline => "deadline",
        OnTheSpot => "on_the_spot",
    }
);

text_enum!(
    /// Where a hazard stands in its life cycle.
    HazardStatus {
        Open => "open",
        PendingVerification => "pending_verification",
        Closed => "closed",
        Voided => "voided",
    }
);

text_enum!(
    /// What a user may do (see `domain::access`).
    Role {
        Admin => "admin",
        Supervisor => "supervisor",
        Inspector => "inspector",
        Viewer => "viewer",
    }
);

text_enum!(
    /// Where a rectification stands: awaiting verification, or verified either way.
    RectificationStatus {
        Pending => "pending",
        Passed => "passed",
        Rejected => "rejected",
    }
);

text_enum!(
    /// A supervisor's verdict on a rectification (复查).
    Verdict {
        Pass => "pass",
        Reject => "reject",
    }
);

text_enum!(
    /// A department taking part in a joint enforcement action (联合执法).
    Department {
        PoliceStation => "police_station",
        AdministrativeEnforcement => "administrative_enforcement",
        MarketSupervision => "market_supervision",
        EmergencyManagement => "emergency_management",
        UrbanManagement => "urban_management",
        Fire => "fire",
        Other => "other",
    }
);

text_enum!(
    /// What an enforcement action decided for one unit.
    Measure {
        Warning => "warning",
        CaseTransferred => "case_transferred",
        SuspensionOrdered => "suspension_ordered",
        Closure => "closure",
    }
);

text_enum!(
    /// Who found a hazard (where `source` says on what occasion): the office's own
    /// inspection, or the unit's own check (自查), reported and recorded by an inspector.
    FoundBy {
        Inspection => "inspection",
        SelfCheck => "self_check",
    }
);

text_enum!(
    /// Whether a governance plan (治理方案) has all five items of 五到位.
    PlanState {
        Incomplete => "incomplete",
        Complete => "complete",
    }
);

text_enum!(
    /// Who supervises a major hazard formally (挂牌督办).
    SupervisionLevel {
        County => "county",
        City => "city",
        Province => "province",
    }
);

text_enum!(
    /// Where a formal supervision stands: listed (挂牌), its lifting requested once the
    /// hazard is closed, lifted (摘牌销号).
    SupervisionState {
        Listed => "listed",
        LiftRequested => "lift_requested",
        Lifted => "lifted",
    }
);

text_enum!(
    /// What a notification tells: a deadline coming (`due_soon`), a deadline passed or a
    /// higher escalation level reached (`overdue`), a webhook switched off after failing
    /// for three days (`webhook_disabled`).
    NotificationKind {
        DueSoon => "due_soon",
        Overdue => "overdue",
        WebhookDisabled => "webhook_disabled",
    }
);
