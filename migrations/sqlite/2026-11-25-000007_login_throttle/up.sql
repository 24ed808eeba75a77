-- Login throttling counts per (username, client address), per address (username '') and
-- per username (address ''), so that strangers cannot lock a user out. Each row says when
-- it stops mattering (expires_at): expired rows are purged, and the rows are bounded. The
-- counts of the old per-username table are dropped: at worst a lock ends early.
DROP TABLE login_throttle;
CREATE TABLE login_throttle (
    username           text NOT NULL,
    address            text NOT NULL,
    failures           integer NOT NULL,
    window_started_at  text NOT NULL,
    last_failure_at    text NOT NULL,
    locked_until       text,
    expires_at         text NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_throttle_expires_idx ON login_throttle (expires_at);
