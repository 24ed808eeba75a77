-- Accounts that must change their password before anything else: the first admin with a
-- generated password, a user an admin gave a new password, a user created so.
ALTER TABLE users ADD COLUMN must_change_password integer NOT NULL DEFAULT false;
