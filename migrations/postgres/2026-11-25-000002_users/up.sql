-- Users, their community scope, bearer tokens (hashes only) and login throttling.
CREATE TABLE users (
    id               uuid PRIMARY KEY,
    username         text NOT NULL,
    password_hash    text NOT NULL,
    display_name     text,
    role             text NOT NULL,
    all_communities  boolean NOT NULL,
    active           boolean NOT NULL DEFAULT true,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    created_by       uuid
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);

CREATE TABLE user_communities (
    user_id       uuid NOT NULL REFERENCES users (id),
    community_id  uuid NOT NULL REFERENCES communities (id),
    PRIMARY KEY (user_id, community_id)
);

CREATE TABLE user_events (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id),
    at             timestamptz NOT NULL,
    actor          text NOT NULL,
    actor_user_id  uuid,
    kind           text NOT NULL,
    details        text
);
CREATE INDEX user_events_user_idx ON user_events (user_id, at, id);

CREATE TABLE auth_tokens (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id),
    token_hash    text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    last_used_at  timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE UNIQUE INDEX auth_tokens_hash_key ON auth_tokens (token_hash);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

CREATE TABLE login_throttle (
    username         text PRIMARY KEY,
    failures         integer NOT NULL,
    last_failure_at  timestamptz NOT NULL,
    locked_until     timestamptz
);
