-- The platform dashboard's figures (issue 13) from counts, not from every case of the period:
-- one narrow row per case of what those figures read, written in the transaction of each change
-- of the case (`record_figure_in`), counted by month, reason and kind on reading. `month` is the
-- Shanghai month of filing (`2026-11`), `escalated_on` / `decided_on` the Shanghai days of the
-- escalation and of the platform's ruling (only when both happened), so working days are counted
-- when the dashboard is read, with the calendar in force then.
CREATE TABLE case_figures (
    case_id      TEXT PRIMARY KEY,
    month        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    escalated    INTEGER NOT NULL,
    sla_breaches INTEGER NOT NULL,
    escalated_on TEXT,
    decided_on   TEXT,
    decided_by   TEXT
);
-- Covering: the monthly counts are read from the index alone.
CREATE INDEX case_figures_month ON case_figures (month, reason, kind, escalated, sla_breaches);
CREATE INDEX case_figures_rulings ON case_figures (month, escalated_on, decided_on) WHERE decided_on IS NOT NULL;
CREATE INDEX case_figures_decided ON case_figures (decided_by, decided_on) WHERE decided_by IS NOT NULL;

-- The cases filed before this migration. Times in bodies are RFC 3339 (`...T15:59:59.999999Z`):
-- the fraction is cut before adding Shanghai's 8 hours, as SQLite would round it to milliseconds
-- (and 23:59:59.9995 into the next day).
INSERT INTO case_figures (case_id, month, reason, kind, escalated, sla_breaches, escalated_on, decided_on, decided_by)
SELECT id,
       strftime('%Y-%m', filed_at / 1000000 + 28800, 'unixepoch'),
       json_extract(body, '$.reason'),
       json_extract(body, '$.kind'),
       json_extract(body, '$.escalated_at') IS NOT NULL,
       coalesce(json_extract(body, '$.sla_breaches'), 0),
       CASE WHEN ruled THEN strftime('%Y-%m-%d', substr(json_extract(body, '$.escalated_at'), 1, 19), '+8 hours') END,
       CASE WHEN ruled THEN strftime('%Y-%m-%d', substr(json_extract(body, '$.decision.decided_at'), 1, 19), '+8 hours') END,
       CASE WHEN ruled THEN json_extract(body, '$.decision.agent') END
FROM (SELECT id, filed_at, body,
             json_type(body, '$.decision') = 'object' AND json_extract(body, '$.escalated_at') IS NOT NULL AS ruled
      FROM cases);
