-- The next reminder of a case's current deadline (policy reminder_hours before it), claimed by
-- workers like the deadline itself.
ALTER TABLE cases ADD COLUMN remind_at BIGINT;
CREATE INDEX cases_remind ON cases (remind_at) WHERE remind_at IS NOT NULL;
