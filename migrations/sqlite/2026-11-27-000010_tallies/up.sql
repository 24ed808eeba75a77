-- Counters kept beside the events, so that a summary as of any moment sums what happened
-- up to it instead of replaying every hazard (see src/tallies/). The tables are filled
-- from the events by `safetrace rebuild-counters`, which the service also runs at start-up
-- whenever `meta.counters_version` is not the one it was built with.

-- A dense number per unit: the sets of units counted in `unit_presence` are bitmaps of it.
ALTER TABLE units ADD COLUMN unit_no INTEGER NOT NULL DEFAULT 0;
UPDATE units SET unit_no = n.rn
    FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn FROM units) AS n
    WHERE units.id = n.id;
CREATE UNIQUE INDEX units_unit_no_idx ON units (unit_no);

-- Each hazard change's counter deltas at the moment they take effect (an event, or the
-- local midnight an overdue period begins; `at_day` is that moment's local date), with
-- the hazard's snapshots. `found_on` is the date the deltas count on in a report's
-- period: the day the hazard was found, or for a rectification's cost the day it was
-- verified.
CREATE TABLE hazard_tally_changes (
    at TEXT NOT NULL,
    at_day TEXT NOT NULL,
    found_on TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL
);
CREATE INDEX hazard_tally_changes_at_idx ON hazard_tally_changes (at);
CREATE INDEX hazard_tally_changes_found_idx ON hazard_tally_changes (found_on, at);

-- The same deltas summed per group at three grains, each keyed in the order its reads
-- range over: found month x change month (the bulk of any period), change day x found
-- month (the days of the last month before a report's moment), found day x change month
-- (the days at a period's edges that are not whole months). The hours of a report's last
-- day are read from the changes themselves. Each grain is kept twice: by the groups
-- every report has (`hazard_tallies_*`), and with the hazard's category and level too
-- (`hazard_tallies_*_by_category`), read only by a report that filters or groups by them.
CREATE TABLE hazard_tallies_months (
    found_bucket TEXT NOT NULL,
    at_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL,
    PRIMARY KEY (found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led)
) WITHOUT ROWID;
CREATE TABLE hazard_tallies_days (
    found_bucket TEXT NOT NULL,
    at_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL,
    PRIMARY KEY (at_bucket, found_bucket, community_id, unit_kind, campaign_key, leader_led)
) WITHOUT ROWID;
CREATE TABLE hazard_tallies_edges (
    found_bucket TEXT NOT NULL,
    at_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL,
    PRIMARY KEY (found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led)
) WITHOUT ROWID;
CREATE TABLE hazard_tallies_months_by_category (
    found_bucket TEXT NOT NULL,
    at_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL,
    PRIMARY KEY (found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led)
) WITHOUT ROWID;
CREATE TABLE hazard_tallies_days_by_category (
    found_bucket TEXT NOT NULL,
    at_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL,
    PRIMARY KEY (at_bucket, found_bucket, community_id, unit_kind, category, level, campaign_key, leader_led)
) WITHOUT ROWID;
CREATE TABLE hazard_tallies_edges_by_category (
    found_bucket TEXT NOT NULL,
    at_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    found INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    voided INTEGER NOT NULL,
    open INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    major_open INTEGER NOT NULL,
    found_major INTEGER NOT NULL,
    closed_major INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    rectification_cost_cents INTEGER NOT NULL,
    PRIMARY KEY (found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led)
) WITHOUT ROWID;

-- Which units were inspected (source 'inspection') or had hazards found ('hazard', and
-- 'hazard_category' with the category and level), per date found and date recorded and
-- group, at two grains: month recorded x month found (grain 0), and day recorded x month
-- found (grain 1, for a report as of a moment within a month). `units` holds the units'
-- numbers (`units.unit_no`), sorted, as varint gaps: distinct units over many cells are a
-- union, not a scan. `row_count` counts the inspections (or hazards); `last_recorded_at`
-- tells whether a report as of a moment may take a cell whole.
CREATE TABLE unit_presence (
    source TEXT NOT NULL,
    grain INTEGER NOT NULL,
    recorded_bucket TEXT NOT NULL,
    found_bucket TEXT NOT NULL,
    community_id BLOB NOT NULL,
    unit_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    campaign_key BLOB NOT NULL,
    leader_led BOOLEAN NOT NULL,
    units BLOB NOT NULL,
    row_count INTEGER NOT NULL,
    last_recorded_at TEXT NOT NULL,
    PRIMARY KEY (source, grain, recorded_bucket, found_bucket, community_id, unit_kind, category, level, campaign_key,
        leader_led)
) WITHOUT ROWID;

-- A report as of a moment reads the inspections recorded on its last day.
CREATE INDEX inspections_recorded_idx ON inspections (recorded_at);

CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
