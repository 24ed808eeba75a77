-- Communities and campaigns keep a history of their changes, as units do: who, when, what.
CREATE TABLE community_events (
    id             blob PRIMARY KEY,
    community_id   blob NOT NULL REFERENCES communities (id),
    at             text NOT NULL,
    actor          text NOT NULL,
    actor_user_id  blob,
    kind           text NOT NULL,
    details        text
);
CREATE INDEX community_events_community_idx ON community_events (community_id, at, id);

CREATE TABLE campaign_events (
    id             blob PRIMARY KEY,
    campaign_id    blob NOT NULL REFERENCES campaigns (id),
    at             text NOT NULL,
    actor          text NOT NULL,
    actor_user_id  blob,
    kind           text NOT NULL,
    details        text
);
CREATE INDEX campaign_events_campaign_idx ON campaign_events (campaign_id, at, id);

-- What existed before: its creation, by whom it was made (as far as that is known).
INSERT INTO community_events (id, community_id, at, actor, actor_user_id, kind, details)
SELECT randomblob(16), c.id, c.created_at,
       COALESCE((SELECT COALESCE(NULLIF(TRIM(u.display_name), ''), u.username) FROM users u WHERE u.id = c.created_by), 'system'),
       c.created_by, 'created', NULL
FROM communities c;
INSERT INTO campaign_events (id, campaign_id, at, actor, actor_user_id, kind, details)
SELECT randomblob(16), c.id, c.created_at,
       COALESCE((SELECT COALESCE(NULLIF(TRIM(u.display_name), ''), u.username) FROM users u WHERE u.id = c.created_by), 'system'),
       c.created_by, 'created', NULL
FROM campaigns c;
