-- pgbench: everything safetrace sends PostgreSQL for one phone submission, in order: the
-- bearer token's lookup, then in one transaction the unit check and the three INSERTs of
-- bench/submission.sql. What the service costs beyond its statements is the gap between
-- this and safetrace's own throughput.
SELECT t.id, t.expires_at, t.revoked_at, u.id, u.role, u.active
FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :tok;
BEGIN;
SELECT id, community_id, kind, status FROM units WHERE id = :unit;
INSERT INTO inspections (id, unit_id, community_id, unit_kind, campaign_id, inspected_at, inspected_on, inspectors,
    leader_led, latitude, longitude, notes, request_hash, recorded_at, created_by)
VALUES (gen_random_uuid(), :unit, :community, 'restaurant', NULL, now(), current_date, '["张三","李四"]',
    false, NULL, NULL, NULL, 'pgbench', now(), NULL)
RETURNING id AS iid, gen_random_uuid() AS h1, gen_random_uuid() AS h2, gen_random_uuid() AS h3 \gset
INSERT INTO hazards (id, inspection_id, unit_id, community_id, unit_kind, campaign_id, leader_led, category, level,
    source, handling_type, description, legal_basis, responsible_person, note, deadline, status, found_at, found_on,
    recorded_at, closed_at, version, created_by)
VALUES
    (:h1, :iid, :unit, :community, 'restaurant', NULL, false, 'gas', 'general', 'routine', 'deadline',
     '燃气软管老化', NULL, NULL, NULL, current_date + 30, 'open', now(), current_date, now(), NULL, 1, NULL),
    (:h2, :iid, :unit, :community, 'restaurant', NULL, false, 'electrical', 'general', 'routine', 'deadline',
     '燃气软管老化', NULL, NULL, NULL, current_date + 30, 'open', now(), current_date, now(), NULL, 1, NULL),
    (:h3, :iid, :unit, :community, 'restaurant', NULL, false, 'evacuation', 'general', 'routine', 'deadline',
     '燃气软管老化', NULL, NULL, NULL, current_date + 30, 'open', now(), current_date, now(), NULL, 1, NULL);
INSERT INTO hazard_events (id, hazard_id, at, actor, actor_user_id, kind, from_state, to_state, reason, details, deadline)
VALUES
    (gen_random_uuid(), :h1, now(), 'pgbench', NULL, 'created', NULL, 'open', NULL, NULL, current_date + 30),
    (gen_random_uuid(), :h2, now(), 'pgbench', NULL, 'created', NULL, 'open', NULL, NULL, current_date + 30),
    (gen_random_uuid(), :h3, now(), 'pgbench', NULL, 'created', NULL, 'open', NULL, NULL, current_date + 30);
END;
