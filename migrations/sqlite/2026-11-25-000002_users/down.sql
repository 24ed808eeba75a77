DROP TABLE login_throttle; DROP TABLE auth_tokens; DROP TABLE user_events; DROP TABLE user_communities; DROP TABLE users;
