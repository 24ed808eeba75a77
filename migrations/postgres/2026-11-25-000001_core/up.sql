-- Core records: communities, units, campaigns, inspections, hazards and their events.
CREATE TABLE communities (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    code        text NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    created_by  uuid
);
CREATE UNIQUE INDEX communities_code_key ON communities (code);
CREATE INDEX communities_created_idx ON communities (created_at DESC, id DESC);

CREATE TABLE units (
    id             uuid PRIMARY KEY,
    community_id   uuid NOT NULL REFERENCES communities (id),
    name           text NOT NULL,
    kind           text NOT NULL,
    status         text NOT NULL DEFAULT 'active',
    address        text NOT NULL,
    credit_code    text,
    contact_name   text,
    contact_phone  text,
    latitude       double precision,
    longitude      double precision,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    created_by     uuid
);
CREATE INDEX units_created_idx ON units (created_at DESC, id DESC);
CREATE INDEX units_community_idx ON units (community_id, created_at DESC, id DESC);
CREATE INDEX units_kind_idx ON units (kind, created_at DESC, id DESC);
CREATE INDEX units_status_idx ON units (status, created_at DESC, id DESC);
CREATE INDEX units_name_idx ON units (lower(name));

CREATE TABLE unit_events (
    id             uuid PRIMARY KEY,
    unit_id        uuid NOT NULL REFERENCES units (id),
    at             timestamptz NOT NULL,
    actor          text NOT NULL,
    actor_user_id  uuid,
    kind           text NOT NULL,
    from_status    text,
    to_status      text,
    reason         text,
    details        text
);
CREATE INDEX unit_events_unit_idx ON unit_events (unit_id, at, id);

CREATE TABLE campaigns (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    description  text,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    created_by   uuid,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns_created_idx ON campaigns (created_at DESC, id DESC);

CREATE TABLE inspections (
    id            uuid PRIMARY KEY,
    unit_id       uuid NOT NULL REFERENCES units (id),
    community_id  uuid NOT NULL REFERENCES communities (id),
    unit_kind     text NOT NULL,
    campaign_id   uuid REFERENCES campaigns (id),
    inspected_at  timestamptz NOT NULL,
    inspected_on  date NOT NULL,
    inspectors    text NOT NULL,
    leader_led    boolean NOT NULL,
    latitude      double precision,
    longitude     double precision,
    notes         text,
    request_hash  text NOT NULL,
    recorded_at   timestamptz NOT NULL,
    created_by    uuid
);
CREATE INDEX inspections_inspected_idx ON inspections (inspected_at DESC, id DESC);
CREATE INDEX inspections_unit_idx ON inspections (unit_id, inspected_at DESC, id DESC);
CREATE INDEX inspections_community_idx ON inspections (community_id, inspected_at DESC, id DESC);
CREATE INDEX inspections_campaign_idx ON inspections (campaign_id, inspected_at DESC, id DESC);
CREATE INDEX inspections_leader_idx ON inspections (leader_led, inspected_at DESC, id DESC);
CREATE INDEX inspections_on_idx ON inspections (inspected_on);

CREATE TABLE hazards (
    id                  uuid PRIMARY KEY,
    inspection_id       uuid NOT NULL REFERENCES inspections (id),
    unit_id             uuid NOT NULL REFERENCES units (id),
    community_id        uuid NOT NULL REFERENCES communities (id),
    unit_kind           text NOT NULL,
    campaign_id         uuid REFERENCES campaigns (id),
    leader_led          boolean NOT NULL,
    category            text NOT NULL,
    level               text NOT NULL,
    source              text NOT NULL,
    handling_type       text NOT NULL,
    description         text NOT NULL,
    legal_basis         text,
    responsible_person  text,
    note                text,
    deadline            date,
    status              text NOT NULL,
    found_at            timestamptz NOT NULL,
    found_on            date NOT NULL,
    recorded_at         timestamptz NOT NULL,
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1,
    created_by          uuid,
    CHECK ((handling_type = 'deadline') = (deadline IS NOT NULL))
);
CREATE INDEX hazards_found_idx ON hazards (found_at DESC, id DESC);
CREATE INDEX hazards_inspection_idx ON hazards (inspection_id);
CREATE INDEX hazards_status_idx ON hazards (status, found_at DESC, id DESC);
CREATE INDEX hazards_community_idx ON hazards (community_id, found_at DESC, id DESC);
CREATE INDEX hazards_unit_idx ON hazards (unit_id, found_at DESC, id DESC);
CREATE INDEX hazards_unit_kind_idx ON hazards (unit_kind, found_at DESC, id DESC);
CREATE INDEX hazards_category_idx ON hazards (category, found_at DESC, id DESC);
CREATE INDEX hazards_level_idx ON hazards (level, found_at DESC, id DESC);
CREATE INDEX hazards_campaign_idx ON hazards (campaign_id, found_at DESC, id DESC);
CREATE INDEX hazards_handling_idx ON hazards (handling_type, found_at DESC, id DESC);
CREATE INDEX hazards_found_on_idx ON hazards (found_on);
CREATE INDEX hazards_overdue_idx ON hazards (deadline, status);

CREATE TABLE hazard_events (
    id             uuid PRIMARY KEY,
    hazard_id      uuid NOT NULL REFERENCES hazards (id),
    at             timestamptz NOT NULL,
    actor          text NOT NULL,
    actor_user_id  uuid,
    kind           text NOT NULL,
    from_state     text,
    to_state       text NOT NULL,
    reason         text,
    details        text
);
CREATE INDEX hazard_events_hazard_idx ON hazard_events (hazard_id, at, id);
