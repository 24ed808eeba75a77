-- Users, their community scope, bearer tokens (hashes only) and login throttling.
CREATE TABLE users (
    id               blob PRIMARY KEY,
    username         text NOT NULL,
    password_hash    text NOT NULL,
    display_name     text,
    role             text NOT NULL,
    all_communities  integer NOT NULL,
    active           integer NOT NULL DEFAULT true,
    version          integer NOT NULL DEFAULT 1,
    created_at       text NOT NULL,
    updated_at       text NOT NULL,
    created_by       blob
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);

CREATE TABLE user_communities (
    user_id       blob NOT NULL REFERENCES users (id),
    community_id  blob NOT NULL REFERENCES communities (id),
    PRIMARY KEY (user_id, community_id)
);

CREATE TABLE user_events (
    id             blob PRIMARY KEY,
    user_id        blob NOT NULL REFERENCES users (id),
    at             text NOT NULL,
    actor          text NOT NULL,
    actor_user_id  blob,
    kind           text NOT NULL,
    details        text
);
CREATE INDEX user_events_user_idx ON user_events (user_id, at, id);

CREATE TABLE auth_tokens (
    id            blob PRIMARY KEY,
    user_id       blob NOT NULL REFERENCES users (id),
    token_hash    text NOT NULL,
    created_at    text NOT NULL,
    expires_at    text NOT NULL,
    last_used_at  text NOT NULL,
    revoked_at    text
);
CREATE UNIQUE INDEX auth_tokens_hash_key ON auth_tokens (token_hash);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

CREATE TABLE login_throttle (
    username         text PRIMARY KEY,
    failures         integer NOT NULL,
    last_failure_at  text NOT NULL,
    locked_until     text
);
