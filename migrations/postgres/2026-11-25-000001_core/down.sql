DROP TABLE hazard_events; DROP TABLE hazards; DROP TABLE inspections; DROP TABLE campaigns; DROP TABLE unit_events; DROP TABLE units; DROP TABLE communities;
