-- Uploads nobody cited in time are swept: the row stays, marked when it was removed.
ALTER TABLE attachments ADD COLUMN removed_at timestamptz;
-- The day's uploads of one user (the upload quota).
CREATE INDEX attachments_uploader_day_idx ON attachments (uploaded_by, uploaded_at);
