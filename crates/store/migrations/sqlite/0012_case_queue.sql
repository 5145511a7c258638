-- A merchant's queue (issue 9): whom a case waits for, repeat filings and pending appeals, read
-- from the stored case itself so that no write path has to keep them up to date.
ALTER TABLE cases ADD COLUMN waiting_for TEXT GENERATED ALWAYS AS (json_extract(body, '$.deadline.waits_for')) VIRTUAL;
ALTER TABLE cases ADD COLUMN is_repeat INTEGER GENERATED ALWAYS AS (coalesce(json_extract(body, '$.is_repeat'), 0)) VIRTUAL;
ALTER TABLE cases ADD COLUMN under_appeal INTEGER GENERATED ALWAYS AS (instr(coalesce(json_extract(body, '$.appeals'), ''), '"reviewed":false') > 0) VIRTUAL;
-- sort=due: the soonest deadlines first.
CREATE INDEX cases_due ON cases (deadline_due, id) WHERE deadline_due IS NOT NULL;
