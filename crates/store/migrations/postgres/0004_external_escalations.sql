-- Escalations outside the platform (12315, consumer association, arbitration, court), with the
-- regulator's clocks, and the notifications that remind people of them.
CREATE TABLE external_escalations (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    next_reminder_at BIGINT,
    created_at       BIGINT NOT NULL,
    body             TEXT NOT NULL
);
CREATE INDEX external_escalations_case ON external_escalations (case_id);
CREATE INDEX external_escalations_reminder ON external_escalations (next_reminder_at) WHERE next_reminder_at IS NOT NULL;

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    case_id    TEXT,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
