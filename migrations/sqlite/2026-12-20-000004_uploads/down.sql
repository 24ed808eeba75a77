DROP INDEX attachments_uploader_day_idx;
ALTER TABLE attachments DROP COLUMN removed_at;
