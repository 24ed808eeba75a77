-- Notifications the scheduler writes: one per (hazard, deadline, kind, level), whoever
-- writes it first (several schedulers may run on one database).
CREATE TABLE notifications (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL,
    level         integer NOT NULL,
    hazard_id     uuid REFERENCES hazards (id),
    deadline      date,
    community_id  uuid REFERENCES communities (id),
    message       text NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT notifications_once UNIQUE (hazard_id, deadline, kind, level)
);

-- Who receives each notification, and when they read it.
CREATE TABLE notification_recipients (
    notification_id  uuid NOT NULL REFERENCES notifications (id),
    user_id          uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL,
    read_at          timestamptz,
    PRIMARY KEY (notification_id, user_id)
);
CREATE INDEX notification_recipients_user_idx ON notification_recipients (user_id, created_at DESC, notification_id DESC);
CREATE INDEX notification_recipients_unread_idx ON notification_recipients (user_id) WHERE read_at IS NULL;

-- The event feed: every event, written in its own transaction without a position; the
-- sequencer gives committed events their positions in order (one at a time), so a
-- reader's cursor never passes an event that commits later.
CREATE TABLE feed_events (
    id             bigserial PRIMARY KEY,
    position       bigint UNIQUE,
    at             timestamptz NOT NULL,
    kind           text NOT NULL,
    resource       text NOT NULL,
    resource_id    uuid NOT NULL,
    community_id   uuid,
    actor          text,
    actor_user_id  uuid,
    data           text NOT NULL
);
CREATE INDEX feed_events_waiting_idx ON feed_events (id) WHERE position IS NULL;

-- Webhook subscriptions: each with its cursor in the feed (the last position it has
-- taken a delivery for) and its secret.
CREATE TABLE webhooks (
    id             uuid PRIMARY KEY,
    url            text NOT NULL,
    event_kinds    text,
    community_ids  text,
    active         boolean NOT NULL,
    secret         text NOT NULL,
    version        integer NOT NULL,
    cursor         bigint NOT NULL,
    failing_since  timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    created_by     uuid REFERENCES users (id)
);

-- One event's delivery to one subscription, with its last try.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id),
    position         bigint NOT NULL,
    event_kind       text NOT NULL,
    body             text NOT NULL,
    status           text NOT NULL,
    attempts         integer NOT NULL,
    next_try_at      timestamptz,
    last_attempt_at  timestamptz,
    response_code    integer,
    duration_ms      bigint,
    error            text,
    created_at       timestamptz NOT NULL,
    UNIQUE (webhook_id, position)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, position) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
