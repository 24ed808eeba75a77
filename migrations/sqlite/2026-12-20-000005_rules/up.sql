-- The rules a subdistrict office works under: a major hazard's governance plan (治理方案,
-- 五到位) and its formal supervision (挂牌督办); recurrence; who found a hazard.
-- The hazard keeps what the counters and the lists read of them (plan_state,
-- supervision_level, supervision_state); every event records them as in force after it,
-- as it records the deadline, so that a report as of a moment can replay them.
ALTER TABLE hazards ADD COLUMN plan_state text;
ALTER TABLE hazards ADD COLUMN supervision_level text;
ALTER TABLE hazards ADD COLUMN supervision_state text;
ALTER TABLE hazards ADD COLUMN recurrence_of blob REFERENCES hazards (id);
ALTER TABLE hazards ADD COLUMN found_by text NOT NULL DEFAULT 'inspection';
ALTER TABLE hazard_events ADD COLUMN plan_state text;
ALTER TABLE hazard_events ADD COLUMN supervision_level text;
ALTER TABLE hazard_events ADD COLUMN supervision_state text;
CREATE INDEX hazards_supervised_idx ON hazards (supervision_state, found_at DESC, id DESC)
    WHERE supervision_state IS NOT NULL;
CREATE INDEX hazards_recurrent_idx ON hazards (recurrence_of) WHERE recurrence_of IS NOT NULL;
-- The recurrence check: an earlier hazard of the unit in the category, closed lately.
CREATE INDEX hazards_unit_category_idx ON hazards (unit_id, category, closed_at);

CREATE TABLE hazard_plans (
    hazard_id           blob PRIMARY KEY REFERENCES hazards (id),
    measures            text,
    funds_cents         integer,
    deadline            text,
    responsible_person  text,
    emergency_plan      text,
    complete            integer NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    created_at          text NOT NULL,
    updated_at          text NOT NULL,
    updated_by          blob
);

CREATE TABLE hazard_supervisions (
    hazard_id           blob PRIMARY KEY REFERENCES hazards (id),
    level               text NOT NULL,
    authority           text NOT NULL,
    listed_on           text NOT NULL,
    state               text NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    created_at          text NOT NULL,
    created_by          blob,
    lift_requested_at   text,
    lifted_at           text
);

-- The counters of plans, supervisions and recurrences (the next start rebuilds them).
ALTER TABLE hazard_tally_changes ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_with_plan integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_plan_complete integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_supervised integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_supervised_province integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_supervised_lifted integer NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN hazards_recurrent integer NOT NULL DEFAULT 0;
