DROP INDEX rectifications_pending_idx;
DROP INDEX hazards_deadline_idx;
