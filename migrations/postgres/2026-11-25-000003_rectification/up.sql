-- Attachments (stored by sha256 under the data directory), what cites them, and
-- rectifications with their verification.
CREATE TABLE attachments (
    id            uuid PRIMARY KEY,
    sha256        text NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL,
    file_name     text,
    uploaded_by   uuid NOT NULL REFERENCES users (id),
    uploaded_at   timestamptz NOT NULL,
    request_hash  text NOT NULL
);
CREATE INDEX attachments_sha256_idx ON attachments (sha256);
CREATE INDEX attachments_uploader_idx ON attachments (uploaded_by);

CREATE TABLE attachment_links (
    attachment_id  uuid NOT NULL REFERENCES attachments (id),
    record_kind    text NOT NULL,
    record_id      uuid NOT NULL,
    community_id   uuid NOT NULL REFERENCES communities (id),
    position       integer NOT NULL,
    PRIMARY KEY (attachment_id, record_kind, record_id)
);
CREATE INDEX attachment_links_record_idx ON attachment_links (record_kind, record_id, position);

CREATE TABLE rectifications (
    id                    uuid PRIMARY KEY,
    hazard_id             uuid NOT NULL REFERENCES hazards (id),
    community_id          uuid NOT NULL REFERENCES communities (id),
    status                text NOT NULL,
    measures              text NOT NULL,
    responsible_person    text,
    cost_cents            bigint,
    completed_at          timestamptz NOT NULL,
    submitted_at          timestamptz NOT NULL,
    submitted_by          uuid NOT NULL REFERENCES users (id),
    verified_at           timestamptz,
    verified_by           uuid REFERENCES users (id),
    verification_comment  text,
    request_hash          text NOT NULL,
    version               integer NOT NULL DEFAULT 1
);
CREATE INDEX rectifications_hazard_idx ON rectifications (hazard_id, submitted_at, id);
-- Only one pending rectification per hazard, enforced by the database too.
CREATE UNIQUE INDEX rectifications_one_pending ON rectifications (hazard_id) WHERE status = 'pending';
