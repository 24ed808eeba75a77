-- The rules a subdistrict office works under: a major hazard's governance plan (治理方案,
-- 五到位) and its formal supervision (挂牌督办); recurrence; who found a hazard.
-- The hazard keeps what the counters and the lists read of them (plan_state,
-- supervision_level, supervision_state); every event records them as in force after it,
-- as it records the deadline, so that a report as of a moment can replay them.
ALTER TABLE hazards ADD COLUMN plan_state text;
ALTER TABLE hazards ADD COLUMN supervision_level text;
ALTER TABLE hazards ADD COLUMN supervision_state text;
ALTER TABLE hazards ADD COLUMN recurrence_of uuid REFERENCES hazards (id);
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
    hazard_id           uuid PRIMARY KEY REFERENCES hazards (id),
    measures            text,
    funds_cents         bigint,
    deadline            date,
    responsible_person  text,
    emergency_plan      text,
    complete            boolean NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    updated_by          uuid
);

CREATE TABLE hazard_supervisions (
    hazard_id           uuid PRIMARY KEY REFERENCES hazards (id),
    level               text NOT NULL,
    authority           text NOT NULL,
    listed_on           date NOT NULL,
    state               text NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL,
    created_by          uuid,
    lift_requested_at   timestamptz,
    lifted_at           timestamptz
);

-- The counters of plans, supervisions and recurrences (the next start rebuilds them).
ALTER TABLE hazard_tally_changes ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tally_changes ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_months_by_category ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_days_by_category ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_with_plan bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_plan_complete bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_supervised bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_supervised_province bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN major_supervised_lifted bigint NOT NULL DEFAULT 0;
ALTER TABLE hazard_tallies_edges_by_category ADD COLUMN hazards_recurrent bigint NOT NULL DEFAULT 0;
