-- pgbench: the two reads safetrace sends PostgreSQL for a phone submission besides its
-- INSERTs: the bearer token's lookup, then, inside the transaction, the unit check.
-- bench/run.sh appends the INSERTs of bench/submission.sql (everything after its BEGIN)
-- to make the script of everything safetrace sends; the gap between that and
-- safetrace's own throughput is what the service costs beyond its statements.
SELECT t.id, t.expires_at, t.revoked_at, u.id, u.role, u.active
FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :tok;
BEGIN;
SELECT id, community_id, kind, status FROM units WHERE id = :unit;
