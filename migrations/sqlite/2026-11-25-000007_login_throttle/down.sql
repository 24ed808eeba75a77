DROP TABLE login_throttle;
CREATE TABLE login_throttle (
    username         text PRIMARY KEY,
    failures         integer NOT NULL,
    last_failure_at  text NOT NULL,
    locked_until     text
);
