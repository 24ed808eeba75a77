DROP TABLE hazard_phrase_events;
DROP TABLE hazard_phrases;
