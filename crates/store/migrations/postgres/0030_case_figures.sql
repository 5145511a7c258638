-- The platform dashboard's figures (issue 13) from counts, not from every case of the period:
-- one narrow row per case of what those figures read, written in the transaction of each change
-- of the case (`record_figure_in`), counted by month, reason and kind on reading. `month` is the
-- Shanghai month of filing (`2026-11`), `escalated_on` / `decided_on` the Shanghai days of the
-- escalation and of the platform's ruling (only when both happened), so working days are counted
-- when the dashboard is read, with the calendar in force then.
CREATE TABLE case_figures (
    case_id      uuid PRIMARY KEY,
    month        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    escalated    INTEGER NOT NULL,
    sla_breaches INTEGER NOT NULL,
    escalated_on TEXT,
    decided_on   TEXT,
    decided_by   uuid
);

-- The cases filed before this migration, days at Shanghai's fixed UTC+8 (as the application's
-- `shanghai_date`).
INSERT INTO case_figures (case_id, month, reason, kind, escalated, sla_breaches, escalated_on, decided_on, decided_by)
SELECT id,
       to_char(filed_at AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM'),
       b ->> 'reason',
       b ->> 'kind',
       CASE WHEN b ->> 'escalated_at' IS NOT NULL THEN 1 ELSE 0 END,
       coalesce((b ->> 'sla_breaches')::integer, 0),
       CASE WHEN ruled THEN to_char((b ->> 'escalated_at')::timestamptz AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM-DD') END,
       CASE WHEN ruled THEN to_char((b -> 'decision' ->> 'decided_at')::timestamptz AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM-DD') END,
       CASE WHEN ruled THEN (b -> 'decision' ->> 'agent')::uuid END
FROM (SELECT id, filed_at, CAST(body AS jsonb) AS b,
             jsonb_typeof(CAST(body AS jsonb) -> 'decision') = 'object' AND CAST(body AS jsonb) ->> 'escalated_at' IS NOT NULL AS ruled
      FROM cases) c;

-- After the rows: built once rather than kept up row by row.
CREATE INDEX case_figures_month ON case_figures (month, reason, kind, escalated, sla_breaches);
CREATE INDEX case_figures_rulings ON case_figures (month, escalated_on, decided_on) WHERE decided_on IS NOT NULL;
CREATE INDEX case_figures_decided ON case_figures (decided_by, decided_on) WHERE decided_by IS NOT NULL;
