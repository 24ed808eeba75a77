DROP INDEX hazards_report_idx;
DROP INDEX inspections_report_idx;
DROP INDEX hazards_recorded_idx;
DROP INDEX hazard_events_at_idx;
ALTER TABLE hazard_events DROP COLUMN deadline;
