-- Reports "as of" a moment replay each hazard's events: every event records the
-- deadline in force after it, and events are found by moment.
ALTER TABLE hazard_events ADD COLUMN deadline date;
UPDATE hazard_events SET deadline = (SELECT h.deadline FROM hazards h WHERE h.id = hazard_events.hazard_id)
    WHERE kind = 'created';
CREATE INDEX hazard_events_at_idx ON hazard_events (at);
CREATE INDEX hazards_recorded_idx ON hazards (recorded_at);
CREATE INDEX inspections_report_idx ON inspections (inspected_on, community_id);
CREATE INDEX hazards_report_idx ON hazards (found_on, community_id);
