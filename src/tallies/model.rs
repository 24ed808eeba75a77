//! The keys the counters are kept under: a hazard's groups (its snapshots), the grains
//! of time, and the cells of unit sets.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::domain::tally::Tally;
use crate::domain::time::local_date;
use crate::domain::{HazardCategory, HazardLevel, Id, Moment, UnitKind};

/// The groups a hazard counts in, taken from its snapshots when it was created; they
/// never change afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dims {
    pub found_on: NaiveDate,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub category: HazardCategory,
    pub level: HazardLevel,
    pub campaign_id: Option<Id>,
    pub leader_led: bool,
}

/// "No campaign" in a key column, where NULL would make every row distinct.
pub const NO_CAMPAIGN: Id = Id(uuid::Uuid::nil());

pub fn campaign_key(campaign_id: Option<Id>) -> Id {
    campaign_id.unwrap_or(NO_CAMPAIGN)
}

/// The first day of a date's month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the month after.
pub fn next_month(month: NaiveDate) -> NaiveDate {
    month.checked_add_months(chrono::Months::new(1)).unwrap_or(month)
}

/// The rollups of `hazard_tallies`: which bucket of found date and of change date a row
/// sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    /// Found month × change month: the bulk of any period.
    Months = 0,
    /// Found month × change day: the days of the last month before the report's moment.
    Days = 1,
    /// Found day × change month: the days at a period's edges that are not whole months.
    Edges = 2,
}

impl Grain {
    pub const ALL: [Grain; 3] = [Grain::Months, Grain::Days, Grain::Edges];

    /// The table that keeps this rollup, by the groups every report has or with the
    /// category and level too.
    pub fn table(self, by_category: bool) -> &'static str {
        match (self, by_category) {
            (Grain::Months, false) => "hazard_tallies_months",
            (Grain::Days, false) => "hazard_tallies_days",
            (Grain::Edges, false) => "hazard_tallies_edges",
            (Grain::Months, true) => "hazard_tallies_months_by_category",
            (Grain::Days, true) => "hazard_tallies_days_by_category",
            (Grain::Edges, true) => "hazard_tallies_edges_by_category",
        }
    }

    /// (found bucket, change bucket) of a change at local date `at_day` of a hazard found on
    /// `found_on`.
    pub fn buckets(self, found_on: NaiveDate, at_day: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Grain::Months => (month_of(found_on), month_of(at_day)),
            Grain::Days => (month_of(found_on), at_day),
            Grain::Edges => (found_on, month_of(at_day)),
        }
    }
}

/// One row's key of a `hazard_tallies_*` rollup; `by_category` holds the category and
/// level in the `*_by_category` rollups, and nothing in the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollupKey {
    pub grain: Grain,
    pub found_bucket: NaiveDate,
    pub at_bucket: NaiveDate,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub by_category: Option<(HazardCategory, HazardLevel)>,
    pub campaign_key: Id,
    pub leader_led: bool,
}

impl RollupKey {
    /// The row a change counts in, in a grain, with or without the category and level.
    pub fn new(grain: Grain, by_category: bool, dims: &Dims, at_day: NaiveDate) -> Self {
        let (found_bucket, at_bucket) = grain.buckets(dims.found_on, at_day);
        RollupKey {
            grain,
            found_bucket,
            at_bucket,
            community_id: dims.community_id,
            unit_kind: dims.unit_kind,
            by_category: by_category.then_some((dims.category, dims.level)),
            campaign_key: campaign_key(dims.campaign_id),
            leader_led: dims.leader_led,
        }
    }

    pub fn table(&self) -> &'static str {
        self.grain.table(self.by_category.is_some())
    }
}

/// One change of one hazard group, as `hazard_tally_changes` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeRow {
    pub at: Moment,
    pub at_day: NaiveDate,
    pub dims: Dims,
    pub tally: Tally,
}

impl ChangeRow {
    pub fn new(at: Moment, dims: Dims, tally: Tally, tz: Tz) -> Self {
        ChangeRow { at, at_day: local_date(at, tz), dims, tally }
    }
}

/// What a set of distinct units counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Units inspected, by the date inspected.
    Inspection,
    /// Units with hazards found, by the date found, without category or level.
    Hazard,
    /// The same with each hazard's category and level: for reports that filter or group by them.
    HazardCategory,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Inspection => "inspection",
            Source::Hazard => "hazard",
            Source::HazardCategory => "hazard_category",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        [Source::Inspection, Source::Hazard, Source::HazardCategory].into_iter().find(|s| s.as_str() == text)
    }
}

/// The grains of `unit_presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PresenceGrain {
    /// Month recorded × month found.
    Months = 0,
    /// Day recorded × month found.
    Days = 1,
}

/// One cell of `unit_presence`. Inspections, and the coarse hazard sets, have no
/// category or level (stored as empty text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub source: Source,
    pub grain: PresenceGrain,
    pub recorded_bucket: NaiveDate,
    pub found_bucket: NaiveDate,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub category: String,
    pub level: String,
    pub campaign_key: Id,
    pub leader_led: bool,
}

/// What a record adds to the sets of distinct units: an inspection, or a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Inspection,
    Hazard { category: HazardCategory, level: HazardLevel },
}

/// One inspection, or one hazard, as the sets of distinct units count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    pub counted: Counted,
    /// `inspected_on` or `found_on`.
    pub found_on: NaiveDate,
    pub recorded_at: Moment,
    pub community_id: Id,
    pub unit_kind: UnitKind,
    pub campaign_id: Option<Id>,
    pub leader_led: bool,
    pub unit_no: i64,
}

impl Presence {
    /// Every cell the record counts in.
    pub fn cells(&self, tz: Tz) -> Vec<CellKey> {
        let recorded_on = local_date(self.recorded_at, tz);
        let sources: Vec<(Source, String, String)> = match self.counted {
            Counted::Inspection => vec![(Source::Inspection, String::new(), String::new())],
            Counted::Hazard { category, level } => vec![
                (Source::Hazard, String::new(), String::new()),
                (Source::HazardCategory, category.as_str().to_string(), level.as_str().to_string()),
            ],
        };
        let mut out = Vec::with_capacity(sources.len() * 2);
        for (source, category, level) in sources {
            for (grain, recorded_bucket) in
                [(PresenceGrain::Months, month_of(recorded_on)), (PresenceGrain::Days, recorded_on)]
            {
                out.push(CellKey {
                    source,
                    grain,
                    recorded_bucket,
                    found_bucket: month_of(self.found_on),
                    community_id: self.community_id,
                    unit_kind: self.unit_kind,
                    category: category.clone(),
                    level: level.clone(),
                    campaign_key: campaign_key(self.campaign_id),
                    leader_led: self.leader_led,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn grains_bucket_found_and_change_dates() {
        let (found, at) = (d("2026-03-17"), d("2026-04-02"));
        assert_eq!(Grain::Months.buckets(found, at), (d("2026-03-01"), d("2026-04-01")));
        assert_eq!(Grain::Days.buckets(found, at), (d("2026-03-01"), d("2026-04-02")));
        assert_eq!(Grain::Edges.buckets(found, at), (d("2026-03-17"), d("2026-04-01")));
        assert_eq!(next_month(d("2026-12-01")), d("2027-01-01"));
    }
}
