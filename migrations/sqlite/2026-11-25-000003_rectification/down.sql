DROP TABLE rectifications; DROP TABLE attachment_links; DROP TABLE attachments;
