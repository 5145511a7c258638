-- A merchant's queue (issue 9): whom a case waits for, repeat filings and pending appeals, read
-- from the stored case itself so that no write path has to keep them up to date.
ALTER TABLE cases ADD COLUMN waiting_for TEXT GENERATED ALWAYS AS ((body::jsonb -> 'deadline' -> 'waits_for')::text) STORED;
ALTER TABLE cases ADD COLUMN is_repeat INTEGER GENERATED ALWAYS AS (CASE WHEN (body::jsonb ->> 'is_repeat') = 'true' THEN 1 ELSE 0 END) STORED;
ALTER TABLE cases ADD COLUMN under_appeal INTEGER GENERATED ALWAYS AS (CASE WHEN jsonb_path_exists(body::jsonb, '$.appeals[*] ? (@.reviewed == false)') THEN 1 ELSE 0 END) STORED;
-- sort=due: the soonest deadlines first.
CREATE INDEX cases_due ON cases (deadline_due, id) WHERE deadline_due IS NOT NULL;
