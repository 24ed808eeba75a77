DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE feed_events;
DROP TABLE notification_recipients;
DROP TABLE notifications;
