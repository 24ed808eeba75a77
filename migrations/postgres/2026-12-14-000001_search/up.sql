-- The bigram indexes behind `q`: every pair of adjacent characters (ASCII letters in
-- lower case) of a record's searched text, beside the key its list is sorted by, so a
-- search reads its matches in list order straight from the index. A hazard's text is its
-- description and its unit's name and address; a unit's is its name, address, credit
-- code and contact. Written with the record, in its transaction; derived data, so no
-- foreign keys (one probe per gram would buy nothing). A unique index rather than a
-- primary key: the generator's bulk load drops it and builds it once at the end. Pairs
-- compare byte by byte (COLLATE "C"): only equality is asked of them, and it sorts faster.
CREATE TABLE hazard_search (
    gram       text COLLATE "C" NOT NULL,
    found_at   timestamptz NOT NULL,
    hazard_id  uuid NOT NULL
);
CREATE UNIQUE INDEX hazard_search_key ON hazard_search (gram, found_at, hazard_id);

CREATE TABLE unit_search (
    gram        text COLLATE "C" NOT NULL,
    created_at  timestamptz NOT NULL,
    unit_id     uuid NOT NULL
);
CREATE UNIQUE INDEX unit_search_key ON unit_search (gram, created_at, unit_id);

-- The records already there (translate() changes ASCII letters only, as the server does).
INSERT INTO hazard_search (gram, found_at, hazard_id)
SELECT DISTINCT translate(substr(t.txt, i, 2), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), t.at, t.id
FROM (
    SELECT h.id, h.found_at AS at, h.description AS txt FROM hazards h
    UNION ALL SELECT h.id, h.found_at, u.name FROM hazards h JOIN units u ON u.id = h.unit_id
    UNION ALL SELECT h.id, h.found_at, u.address FROM hazards h JOIN units u ON u.id = h.unit_id
) t CROSS JOIN LATERAL generate_series(1, length(t.txt) - 1) AS i;

INSERT INTO unit_search (gram, created_at, unit_id)
SELECT DISTINCT translate(substr(t.txt, i, 2), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), t.at, t.id
FROM (
    SELECT id, created_at AS at, name AS txt FROM units
    UNION ALL SELECT id, created_at, address FROM units
    UNION ALL SELECT id, created_at, credit_code FROM units WHERE credit_code IS NOT NULL
    UNION ALL SELECT id, created_at, contact_name FROM units WHERE contact_name IS NOT NULL
) t CROSS JOIN LATERAL generate_series(1, length(t.txt) - 1) AS i;
