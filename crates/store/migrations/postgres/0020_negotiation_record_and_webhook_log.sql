-- How many messages of its order's conversation a case carries as its negotiation record,
-- counted in the filing's transaction under the order's lock (a message is appended under the
-- same lock and refused while a case is open), so every accepted message is either in the
-- record or refused. Cases filed before this table get the messages written before their filing.
CREATE TABLE case_negotiations (
    case_id  TEXT PRIMARY KEY REFERENCES cases (id),
    messages BIGINT NOT NULL
);

INSERT INTO case_negotiations (case_id, messages)
SELECT c.id, (SELECT COUNT(*) FROM conversation_messages m WHERE m.order_id = c.order_id AND m.at < c.filed_at)
FROM cases c;

-- The worker purges finished deliveries (delivered or dead) older than the delivery log's
-- retention, in batches, by the time they finished.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (COALESCE(delivered_at, last_attempt_at, created_at))
    WHERE status <> 'pending';
