-- Notifications the scheduler writes: one per (hazard, deadline, kind, level), whoever
-- writes it first (several schedulers may run on one database).
CREATE TABLE notifications (
    id            blob PRIMARY KEY,
    kind          text NOT NULL,
    level         integer NOT NULL,
    hazard_id     blob REFERENCES hazards (id),
    deadline      text,
    community_id  blob REFERENCES communities (id),
    message       text NOT NULL,
    created_at    text NOT NULL,
    CONSTRAINT notifications_once UNIQUE (hazard_id, deadline, kind, level)
);

-- Who receives each notification, and when they read it.
CREATE TABLE notification_recipients (
    notification_id  blob NOT NULL REFERENCES notifications (id),
    user_id          blob NOT NULL REFERENCES users (id),
    created_at       text NOT NULL,
    read_at          text,
    PRIMARY KEY (notification_id, user_id)
);
CREATE INDEX notification_recipients_user_idx ON notification_recipients (user_id, created_at DESC, notification_id DESC);
CREATE INDEX notification_recipients_unread_idx ON notification_recipients (user_id) WHERE read_at IS NULL;

-- The event feed: every event, written in its own transaction without a position; the
-- sequencer gives committed events their positions in order (one at a time), so a
-- reader's cursor never passes an event that commits later.
CREATE TABLE feed_events (
    id             integer PRIMARY KEY AUTOINCREMENT,
    position       integer UNIQUE,
    at             text NOT NULL,
    kind           text NOT NULL,
    resource       text NOT NULL,
    resource_id    blob NOT NULL,
    community_id   blob,
    actor          text,
    actor_user_id  blob,
    data           text NOT NULL
);
CREATE INDEX feed_events_waiting_idx ON feed_events (id) WHERE position IS NULL;

-- Webhook subscriptions: each with its cursor in the feed (the last position it has
-- taken a delivery for) and its secret.
CREATE TABLE webhooks (
    id             blob PRIMARY KEY,
    url            text NOT NULL,
    event_kinds    text,
    community_ids  text,
    active         integer NOT NULL,
    secret         text NOT NULL,
    version        integer NOT NULL,
    cursor         integer NOT NULL,
    failing_since  text,
    created_at     text NOT NULL,
    updated_at     text NOT NULL,
    created_by     blob REFERENCES users (id)
);

-- One event's delivery to one subscription, with its last try.
CREATE TABLE webhook_deliveries (
    id               blob PRIMARY KEY,
    webhook_id       blob NOT NULL REFERENCES webhooks (id),
    position         integer NOT NULL,
    event_kind       text NOT NULL,
    body             text NOT NULL,
    status           text NOT NULL,
    attempts         integer NOT NULL,
    next_try_at      text,
    last_attempt_at  text,
    response_code    integer,
    duration_ms      integer,
    error            text,
    created_at       text NOT NULL,
    UNIQUE (webhook_id, position)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, position) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
