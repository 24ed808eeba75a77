-- pgbench: the INSERTs of one phone submission folded into ONE statement (a CTE), in one
-- transaction: a stricter ceiling than bench/submission.sql, which sends them as safetrace does.
BEGIN;
WITH i AS (
    INSERT INTO inspections (id, unit_id, community_id, unit_kind, campaign_id, inspected_at, inspected_on, inspectors,
        leader_led, latitude, longitude, notes, request_hash, recorded_at, created_by)
    VALUES (gen_random_uuid(), :unit, :community, 'restaurant', NULL, now(), current_date, '["张三","李四"]',
        false, NULL, NULL, NULL, 'pgbench', now(), NULL)
    RETURNING id),
h AS (
    INSERT INTO hazards (id, inspection_id, unit_id, community_id, unit_kind, campaign_id, leader_led, category, level,
        source, handling_type, description, legal_basis, responsible_person, note, deadline, status, found_at, found_on,
        recorded_at, closed_at, version, created_by)
    SELECT gen_random_uuid(), i.id, :unit, :community, 'restaurant', NULL, false, c, 'general', 'routine', 'deadline',
        '燃气软管老化', NULL, NULL, NULL, current_date + 30, 'open', now(), current_date, now(), NULL, 1, NULL
    FROM i, unnest(ARRAY['gas', 'electrical', 'evacuation']) AS c
    RETURNING id)
INSERT INTO hazard_events (id, hazard_id, at, actor, actor_user_id, kind, from_state, to_state, reason, details, deadline)
SELECT gen_random_uuid(), h.id, now(), 'pgbench', NULL, 'created', NULL, 'open', NULL, NULL, current_date + 30 FROM h;
END;
