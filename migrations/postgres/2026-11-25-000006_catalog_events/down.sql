DROP TABLE campaign_events;
DROP TABLE community_events;
