DROP TABLE meta;
DROP INDEX inspections_recorded_idx;
DROP TABLE unit_presence;
DROP TABLE hazard_tallies_edges;
DROP TABLE hazard_tallies_days;
DROP TABLE hazard_tallies_months;
DROP TABLE hazard_tally_changes;
DROP INDEX units_unit_no_idx;
ALTER TABLE units DROP COLUMN unit_no;
