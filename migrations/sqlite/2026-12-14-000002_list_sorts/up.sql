-- The hazard list's sorts: most overdue first (by deadline), and pending verification
-- longest first (by when the pending rectification was submitted).
CREATE INDEX hazards_deadline_idx ON hazards (deadline, id);
CREATE INDEX rectifications_pending_idx ON rectifications (submitted_at, hazard_id) WHERE status = 'pending';
