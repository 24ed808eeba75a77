//! Hazard rows, events, views and the list filter.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{hazard_events, hazards};
use crate::domain::hazard::{days_overdue, Today};
use crate::domain::tally::Facts;
use crate::domain::validate::{check_cited, not_blank, Problems};
use crate::domain::{FoundBy, PlanState, SupervisionLevel, SupervisionState};
use crate::domain::{HandlingType, HazardCategory, HazardLevel, HazardSource, HazardStatus, UnitKind};
use crate::domain::{Id, Moment};
use crate::http::query::comma_list;
use crate::tallies::model::Dims;

/// A hazard as stored, with the snapshots taken when it was created.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable, Serialize)]
#[diesel(table_name = hazards)]
pub struct HazardRow {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub campaign_id: Option<Id>,
    pub leader_led: bool,
    pub category: HazardCategory,
    pub level: HazardLevel,
    pub source: HazardSource,
    pub handling_type: HandlingType,
    pub description: String,
    pub legal_basis: Option<String>,
    pub responsible_person: Option<String>,
    pub note: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: HazardStatus,
    pub found_at: Moment,
    pub found_on: NaiveDate,
    pub recorded_at: Moment,
    pub closed_at: Option<Moment>,
    pub version: i32,
    pub created_by: Option<Id>,
    /// Whether its governance plan is complete; `None` without a plan.
    pub plan_state: Option<PlanState>,
    pub supervision_level: Option<SupervisionLevel>,
    pub supervision_state: Option<SupervisionState>,
    pub recurrence_of: Option<Id>,
    pub found_by: FoundBy,
}

/// A hazard as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Hazard {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    /// The unit's community when the hazard was found.
    pub community_id: Id,
    /// The unit's kind when the hazard was found.
    pub unit_kind: UnitKind,
    pub campaign_id: Option<Id>,
    /// Found on a leader-led inspection (党政带队).
    pub leader_led: bool,
    pub category: HazardCategory,
    pub level: HazardLevel,
    pub source: HazardSource,
    pub handling_type: HandlingType,
    pub description: String,
    pub legal_basis: Option<String>,
    pub responsible_person: Option<String>,
    /// What was done on the spot (on_the_spot only).
    pub note: Option<String>,
    /// Rectification deadline (deadline only).
    pub deadline: Option<NaiveDate>,
    pub status: HazardStatus,
    /// The inspection's `inspected_at`.
    pub found_at: Moment,
    /// `found_at`'s date in the office's time zone.
    pub found_on: NaiveDate,
    /// When the server stored the hazard.
    pub recorded_at: Moment,
    pub closed_at: Option<Moment>,
    /// Days past the deadline today (office time zone); null when not overdue.
    pub days_overdue: Option<i64>,
    /// Open or pending verification with its deadline between today and
    /// `SAFETRACE_DUE_SOON_DAYS` days ahead (office time zone).
    pub due_soon: bool,
    /// 0 when not overdue; 1 from the first overdue day, one more at each of
    /// `SAFETRACE_ESCALATE_DAYS` (default 3 and 7 days overdue).
    #[schema(minimum = 0, maximum = 9)]
    pub escalation: i32,
    pub photo_ids: Vec<Id>,
    pub version: i32,
    pub created_by: Option<Id>,
    /// Who found it: the office's inspection, or the unit's own check.
    pub found_by: FoundBy,
    /// The earlier hazard of the unit in the same category, closed within the recurrence
    /// window before this one was found (the latest such): the rectification did not last.
    pub recurrence_of: Option<Id>,
    /// Its governance plan's completeness (major hazards); null without a plan.
    pub plan_state: Option<PlanState>,
    /// Its formal supervision's level (挂牌督办); null when not supervised.
    pub supervision_level: Option<SupervisionLevel>,
    pub supervision_state: Option<SupervisionState>,
}

impl HazardRow {
    /// The groups the hazard counts in (its snapshots).
    pub fn dims(&self) -> Dims {
        Dims {
            found_on: self.found_on,
            community_id: self.community_id,
            unit_kind: self.unit_kind,
            category: self.category,
            level: self.level,
            campaign_id: self.campaign_id,
            leader_led: self.leader_led,
        }
    }

    /// What the counters see of it now.
    pub fn facts(&self) -> Facts {
        Facts {
            status: self.status,
            deadline: self.deadline,
            major: self.level == HazardLevel::Major,
            recurrent: self.recurrence_of.is_some(),
            plan: self.plan_state,
            supervision_level: self.supervision_level,
            supervision_state: self.supervision_state,
        }
    }
}

impl Hazard {
    pub fn from_row(r: HazardRow, today: Today, photo_ids: Vec<Id>) -> Self {
        Hazard {
            days_overdue: days_overdue(r.status, r.deadline, today.date),
            due_soon: today.ladder.due_soon(r.status, r.deadline, today.date),
            escalation: today.ladder.escalation(r.status, r.deadline, today.date),
            id: r.id,
            inspection_id: r.inspection_id,
            unit_id: r.unit_id,
            community_id: r.community_id,
            unit_kind: r.unit_kind,
            campaign_id: r.campaign_id,
            leader_led: r.leader_led,
            category: r.category,
            level: r.level,
            source: r.source,
            handling_type: r.handling_type,
            description: r.description,
            legal_basis: r.legal_basis,
            responsible_person: r.responsible_person,
            note: r.note,
            deadline: r.deadline,
            status: r.status,
            found_at: r.found_at,
            found_on: r.found_on,
            recorded_at: r.recorded_at,
            closed_at: r.closed_at,
            photo_ids,
            version: r.version,
            created_by: r.created_by,
            found_by: r.found_by,
            recurrence_of: r.recurrence_of,
            plan_state: r.plan_state,
            supervision_level: r.supervision_level,
            supervision_state: r.supervision_state,
        }
    }
}

/// One hazard as an inspector records it.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHazard {
    /// Client-made id, so a phone can refer to the hazard before it is sent.
    pub id: Option<Id>,
    pub category: HazardCategory,
    pub level: HazardLevel,
    pub handling_type: HandlingType,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub description: String,
    /// Required for `deadline`, refused for `on_the_spot`; not before the day found.
    pub deadline: Option<NaiveDate>,
    /// What was done on the spot: required for `on_the_spot`, refused for `deadline`.
    #[validate(length(max = 2000))]
    pub note: Option<String>,
    /// Default: `campaign` when the inspection belongs to one, else `routine`.
    pub source: Option<HazardSource>,
    /// Who found it: `inspection` (the default) or `self_check` (the unit's own check,
    /// reported to the inspector).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_by: Option<FoundBy>,
    #[validate(length(max = 2000))]
    pub legal_basis: Option<String>,
    #[validate(length(max = 200))]
    pub responsible_person: Option<String>,
    /// Photos uploaded first (`POST /attachments`), at most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub photo_ids: Vec<Id>,
}

impl NewHazard {
    /// Every check of one hazard that needs no database; `path` is where it sits in the
    /// request (`hazards[2]`), `found_on` the office's date of the visit.
    pub fn check(&self, p: &mut Problems, path: &str, found_on: NaiveDate) {
        let at = |f: &str| format!("{path}.{f}");
        match self.handling_type {
            HandlingType::Deadline => {
                match self.deadline {
                    None => p.push(at("deadline"), "required", "a deadline hazard needs a deadline"),
                    Some(d) if d < found_on => p.push(
                        at("deadline"),
                        "before_found",
                        format!("the deadline must not be before the day the hazard was found ({found_on})"),
                    ),
                    Some(_) => {}
                }
                if self.note.is_some() {
                    p.push(at("note"), "not_allowed", "a note is recorded only for on-the-spot hazards");
                }
            }
            HandlingType::OnTheSpot => {
                if self.deadline.is_some() {
                    p.push(at("deadline"), "not_allowed", "an on-the-spot hazard has no deadline");
                }
                if self.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    p.push(at("note"), "required", "an on-the-spot hazard needs a note saying what was done");
                }
            }
        }
        check_cited(p, &at("photo_ids"), &self.photo_ids);
    }
}

/// What a new hazard takes from the inspection that found it: the snapshots of its unit
/// and visit that later edits never move.
#[derive(Debug, Clone)]
pub struct Origin {
    pub inspection_id: Id,
    pub unit_id: Id,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub campaign_id: Option<Id>,
    pub leader_led: bool,
    pub found_at: Moment,
    pub found_on: NaiveDate,
    /// When the server stores it.
    pub recorded_at: Moment,
    /// The unit's number, which the counters of distinct units keep.
    pub unit_no: i64,
    /// The unit's name and address now: a search finds the hazard by them too.
    pub unit_name: String,
    pub unit_address: String,
    /// How many days back a closed hazard of the unit in the same category makes a new
    /// one its recurrence (`SAFETRACE_RECURRENCE_DAYS`).
    pub recurrence_days: u32,
}

/// One change of a hazard, never updated or deleted.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazard_events)]
pub struct HazardEventRow {
    pub id: Id,
    pub hazard_id: Id,
    pub at: Moment,
    pub actor: String,
    pub actor_user_id: Option<Id>,
    pub kind: String,
    pub from_state: Option<HazardStatus>,
    pub to_state: HazardStatus,
    pub reason: Option<String>,
    pub details: Option<String>,
    /// The deadline in force after this event (what reports "as of" a moment read).
    pub deadline: Option<NaiveDate>,
    /// The plan's and the supervision's state in force after this event.
    pub plan_state: Option<PlanState>,
    pub supervision_level: Option<SupervisionLevel>,
    pub supervision_state: Option<SupervisionState>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HazardEvent {
    pub id: Id,
    pub at: Moment,
    /// Who acted.
    pub actor: String,
    pub actor_user_id: Option<Id>,
    /// `created`, and later workflow steps.
    pub kind: String,
    pub from_state: Option<HazardStatus>,
    pub to_state: HazardStatus,
    pub reason: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    /// The deadline in force after this event.
    pub deadline: Option<NaiveDate>,
}

impl From<HazardEventRow> for HazardEvent {
    fn from(r: HazardEventRow) -> Self {
        HazardEvent {
            id: r.id,
            at: r.at,
            actor: r.actor,
            actor_user_id: r.actor_user_id,
            kind: r.kind,
            from_state: r.from_state,
            to_state: r.to_state,
            reason: r.reason,
            details: r.details.and_then(|d| serde_json::from_str(&d).ok()),
            deadline: r.deadline,
        }
    }
}

/// Void a hazard recorded in error.
#[derive(Debug, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Why the record is wrong.
    #[validate(length(min = 1, max = 2000), custom(function = "crate::domain::validate::not_blank"))]
    pub reason: String,
    /// The version read; a stale one is refused with 409.
    pub version: Option<i32>,
}

/// Give the unit more time; the old deadline stays in the history.
#[derive(Debug, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineExtension {
    /// The new deadline: later than the current one.
    pub deadline: NaiveDate,
    #[validate(length(min = 1, max = 2000), custom(function = "crate::domain::validate::not_blank"))]
    pub reason: String,
    pub version: Option<i32>,
}

/// The hazards a list (and its export) selects, and their order. The page asked for is
/// [`crate::http::page::Paging`].
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HazardFilter {
    /// One status, or several separated by commas (`open,pending_verification`).
    #[serde(default, deserialize_with = "comma_list")]
    #[param(value_type = Option<Vec<HazardStatus>>, style = Form, explode = false)]
    pub status: Option<Vec<HazardStatus>>,
    pub community_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub unit_kind: Option<UnitKind>,
    pub category: Option<HazardCategory>,
    pub level: Option<HazardLevel>,
    pub campaign_id: Option<Id>,
    pub handling_type: Option<HandlingType>,
    pub inspection_id: Option<Id>,
    /// First local date found, inclusive.
    pub found_from: Option<NaiveDate>,
    /// Last local date found, inclusive.
    pub found_to: Option<NaiveDate>,
    /// `true`: only hazards past their deadline today (office time zone); `false`: none of those.
    pub overdue: Option<bool>,
    /// `true`: only hazards under a formal supervision (挂牌督办), whatever its state, lifted
    /// included; `false`: only those never supervised.
    pub supervised: Option<bool>,
    /// `true`: only recurrences (hazards with `recurrence_of`); `false`: none of those.
    pub recurrent: Option<bool>,
    /// Who found it: `inspection` or `self_check`.
    pub found_by: Option<FoundBy>,
    /// `true`: only hazards due soon (see the hazard's `due_soon`); `false`: none of those.
    pub due_soon: Option<bool>,
    /// Only hazards at this escalation level or above (0–9; 0 selects every hazard).
    #[param(minimum = 0, maximum = 9)]
    pub escalation: Option<u8>,
    /// Text in the description, or in the unit's name or address (a substring; from two
    /// characters on, found through an index).
    pub q: Option<String>,
    /// `found_at_desc` (the default): newest found first; `deadline_asc`: earliest
    /// deadline first, so that among overdue hazards the most overdue lead (hazards
    /// without a deadline come last); `waiting_longest`: pending verification longest
    /// first, by when the rectification was submitted (the others come last).
    #[param(inline)]
    pub sort: Option<HazardSort>,
}

// The order of a hazard list. No doc comment: utoipa would make it the description of
// the inline `sort` parameter.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardSort {
    #[default]
    FoundAtDesc,
    DeadlineAsc,
    WaitingLongest,
}

impl HazardSort {
    pub fn as_str(self) -> &'static str {
        match self {
            HazardSort::FoundAtDesc => "found_at_desc",
            HazardSort::DeadlineAsc => "deadline_asc",
            HazardSort::WaitingLongest => "waiting_longest",
        }
    }
}
