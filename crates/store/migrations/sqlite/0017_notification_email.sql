-- Notifications by email (issue 12): an account's email address, and each person's choices:
-- the language their email is written in and the notification kinds they want no email of
-- (a JSON list of kind names; email is on for every other kind). Email jobs are outbox rows of
-- topic `email`, written with their notification.
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE notification_settings (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    language   TEXT NOT NULL,
    email_off  TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
