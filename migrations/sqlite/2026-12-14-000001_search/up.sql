-- The bigram indexes behind `q`: every pair of adjacent characters (ASCII letters in
-- lower case) of a record's searched text, beside the key its list is sorted by, so a
-- search reads its matches in list order straight from the index. A hazard's text is its
-- description and its unit's name and address; a unit's is its name, address, credit
-- code and contact. Written with the record, in its transaction; derived data, so no
-- foreign keys (one probe per gram would buy nothing).
CREATE TABLE hazard_search (
    gram       text NOT NULL,
    found_at   text NOT NULL,
    hazard_id  blob NOT NULL,
    PRIMARY KEY (gram, found_at, hazard_id)
) WITHOUT ROWID;

CREATE TABLE unit_search (
    gram        text NOT NULL,
    created_at  text NOT NULL,
    unit_id     blob NOT NULL,
    PRIMARY KEY (gram, created_at, unit_id)
) WITHOUT ROWID;

-- The records already there (SQLite's lower() changes ASCII letters only, as the server does).
WITH RECURSIVE texts(id, at, txt) AS (
    SELECT h.id, h.found_at, h.description FROM hazards h
    UNION ALL SELECT h.id, h.found_at, u.name FROM hazards h JOIN units u ON u.id = h.unit_id
    UNION ALL SELECT h.id, h.found_at, u.address FROM hazards h JOIN units u ON u.id = h.unit_id
), grams(id, at, txt, i) AS (
    SELECT id, at, txt, 1 FROM texts WHERE length(txt) >= 2
    UNION ALL SELECT id, at, txt, i + 1 FROM grams WHERE i + 2 <= length(txt)
)
INSERT OR IGNORE INTO hazard_search (gram, found_at, hazard_id) SELECT lower(substr(txt, i, 2)), at, id FROM grams;

WITH RECURSIVE texts(id, at, txt) AS (
    SELECT id, created_at, name FROM units
    UNION ALL SELECT id, created_at, address FROM units
    UNION ALL SELECT id, created_at, credit_code FROM units WHERE credit_code IS NOT NULL
    UNION ALL SELECT id, created_at, contact_name FROM units WHERE contact_name IS NOT NULL
), grams(id, at, txt, i) AS (
    SELECT id, at, txt, 1 FROM texts WHERE length(txt) >= 2
    UNION ALL SELECT id, at, txt, i + 1 FROM grams WHERE i + 2 <= length(txt)
)
INSERT OR IGNORE INTO unit_search (gram, created_at, unit_id) SELECT lower(substr(txt, i, 2)), at, id FROM grams;
