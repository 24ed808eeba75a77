-- Joint enforcement actions (联合执法) and their per-unit outcomes. An outcome keeps the
-- unit's community and kind as they were when the action was recorded.
CREATE TABLE enforcement_actions (
    id               blob PRIMARY KEY,
    held_on          text NOT NULL,
    lead_department  text NOT NULL,
    departments      text NOT NULL,
    community_id     blob REFERENCES communities (id),
    summary          text NOT NULL,
    request_hash     text NOT NULL,
    recorded_at      text NOT NULL,
    created_by       blob NOT NULL REFERENCES users (id)
);
CREATE INDEX enforcement_actions_held_idx ON enforcement_actions (held_on DESC, id DESC);
CREATE INDEX enforcement_actions_community_idx ON enforcement_actions (community_id, held_on DESC, id DESC);
CREATE INDEX enforcement_actions_lead_idx ON enforcement_actions (lead_department, held_on DESC, id DESC);

CREATE TABLE enforcement_outcomes (
    id                     blob PRIMARY KEY,
    action_id              blob NOT NULL REFERENCES enforcement_actions (id),
    position               integer NOT NULL,
    unit_id                blob NOT NULL REFERENCES units (id),
    community_id           blob NOT NULL REFERENCES communities (id),
    unit_kind              text NOT NULL,
    violations_found       integer NOT NULL,
    violation_description  text,
    measure                text NOT NULL,
    transferred_to         text,
    CHECK (violations_found >= 0),
    CHECK ((measure = 'case_transferred') = (transferred_to IS NOT NULL))
);
CREATE UNIQUE INDEX enforcement_outcomes_action_idx ON enforcement_outcomes (action_id, position);
-- A unit has at most one outcome per action.
CREATE UNIQUE INDEX enforcement_outcomes_unit_once ON enforcement_outcomes (action_id, unit_id);
CREATE INDEX enforcement_outcomes_community_idx ON enforcement_outcomes (community_id, action_id);
CREATE INDEX enforcement_outcomes_unit_idx ON enforcement_outcomes (unit_id);
CREATE INDEX enforcement_outcomes_measure_idx ON enforcement_outcomes (measure, action_id);
