-- Documents the office issues on paper (整改通知书, 复查意见书): each numbered once, per
-- kind and year, with a snapshot (JSON) of what it says, taken when issued.
CREATE TABLE document_sequences (
    kind  text    NOT NULL,
    year  integer NOT NULL,
    next  integer NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE documents (
    id              blob PRIMARY KEY,
    kind            text NOT NULL,
    subject_id      blob NOT NULL,
    community_id    blob NOT NULL REFERENCES communities (id),
    year            integer NOT NULL,
    sequence        integer NOT NULL,
    number          text NOT NULL,
    issued_at       text NOT NULL,
    issued_by       blob REFERENCES users (id),
    issued_by_name  text NOT NULL,
    snapshot        text NOT NULL,
    UNIQUE (kind, subject_id),
    UNIQUE (kind, year, sequence)
);
