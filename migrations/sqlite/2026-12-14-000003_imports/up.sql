-- Applied imports of units or communities, each with the report it answered (JSON).
CREATE TABLE imports (
    id            blob PRIMARY KEY,
    kind          text NOT NULL,
    file_name     text,
    request_hash  text NOT NULL,
    report        text NOT NULL,
    created_at    text NOT NULL,
    created_by    blob REFERENCES users (id)
);
CREATE INDEX imports_created_idx ON imports (created_at DESC, id DESC);
