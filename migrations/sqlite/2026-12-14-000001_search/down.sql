DROP TABLE unit_search;
DROP TABLE hazard_search;
