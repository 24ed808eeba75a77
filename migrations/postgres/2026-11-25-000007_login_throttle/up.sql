-- Login throttling counts per (username, client address), per address (username '') and
-- per username (address ''), so that strangers cannot lock a user out. Each row says when
-- it stops mattering (expires_at): expired rows are purged, and the rows are bounded. The
-- counts of the old per-username table are dropped: at worst a lock ends early.
DROP TABLE login_throttle;
CREATE TABLE login_throttle (
    username           text NOT NULL,
    address            text NOT NULL,
    failures           integer NOT NULL,
    window_started_at  timestamptz NOT NULL,
    last_failure_at    timestamptz NOT NULL,
    locked_until       timestamptz,
    expires_at         timestamptz NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_throttle_expires_idx ON login_throttle (expires_at);
