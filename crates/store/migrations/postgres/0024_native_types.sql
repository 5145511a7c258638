-- Native PostgreSQL columns (issue 10): ids as uuid, times as timestamptz (microseconds, as
-- stored before), JSON documents as jsonb. Text that is hashed or signed stays TEXT: the event
-- and message chains (`content`), webhook bodies, stored answers and calendar bodies must come
-- back byte for byte, and jsonb rewrites spacing and key order. Ids that are not UUIDs stay TEXT
-- (`refund_id`, `event_id`, `reader`, `lease_owner`, token hashes).
--
-- Foreign keys are dropped first and added back as they were at the end: a key cannot hold
-- between a uuid column and a TEXT one while the two are converted one after the other.

CREATE TEMPORARY TABLE redress_foreign_keys ON COMMIT DROP AS
SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
FROM pg_constraint
WHERE contype = 'f' AND connamespace = current_schema()::regnamespace;

DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT * FROM redress_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END $$;

-- Columns computed from the case document or indexed by an expression over times are made again
-- after the conversion.
ALTER TABLE cases DROP COLUMN waiting_for, DROP COLUMN is_repeat, DROP COLUMN under_appeal,
    DROP COLUMN reason, DROP COLUMN kind;
DROP INDEX webhook_deliveries_finished;
ALTER TABLE idempotency_keys ALTER COLUMN expires_at DROP DEFAULT;

-- Microseconds since 1970 to timestamptz, exactly: interval arithmetic is in whole microseconds.
CREATE FUNCTION pg_temp.micros_to_time(us BIGINT) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE AS $$ SELECT TIMESTAMPTZ '1970-01-01 00:00:00+00' + us * INTERVAL '1 microsecond' $$;

ALTER TABLE merchants
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE users
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN merchant_id TYPE uuid USING merchant_id::uuid,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE sessions
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid,
    ALTER COLUMN expires_at TYPE timestamptz USING pg_temp.micros_to_time(expires_at),
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE api_tokens
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN merchant_id TYPE uuid USING merchant_id::uuid,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at),
    ALTER COLUMN revoked_at TYPE timestamptz USING pg_temp.micros_to_time(revoked_at);
ALTER TABLE orders
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN merchant_id TYPE uuid USING merchant_id::uuid,
    ALTER COLUMN buyer_id TYPE uuid USING buyer_id::uuid,
    ALTER COLUMN body TYPE jsonb USING body::jsonb,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE policy_versions
    ALTER COLUMN body TYPE jsonb USING body::jsonb,
    ALTER COLUMN published_at TYPE timestamptz USING pg_temp.micros_to_time(published_at),
    ALTER COLUMN effective_at TYPE timestamptz USING pg_temp.micros_to_time(effective_at);
ALTER TABLE cases
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN order_id TYPE uuid USING order_id::uuid,
    ALTER COLUMN buyer_id TYPE uuid USING buyer_id::uuid,
    ALTER COLUMN merchant_id TYPE uuid USING merchant_id::uuid,
    ALTER COLUMN assigned_agent TYPE uuid USING assigned_agent::uuid,
    ALTER COLUMN deadline_due TYPE timestamptz USING pg_temp.micros_to_time(deadline_due),
    ALTER COLUMN sweep_at TYPE timestamptz USING pg_temp.micros_to_time(sweep_at),
    ALTER COLUMN lease_until TYPE timestamptz USING pg_temp.micros_to_time(lease_until),
    ALTER COLUMN filed_at TYPE timestamptz USING pg_temp.micros_to_time(filed_at),
    ALTER COLUMN updated_at TYPE timestamptz USING pg_temp.micros_to_time(updated_at),
    ALTER COLUMN remind_at TYPE timestamptz USING pg_temp.micros_to_time(remind_at),
    ALTER COLUMN body TYPE jsonb USING body::jsonb;
ALTER TABLE case_events
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid,
    ALTER COLUMN at TYPE timestamptz USING pg_temp.micros_to_time(at);
ALTER TABLE outbox
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid,
    ALTER COLUMN payload TYPE jsonb USING payload::jsonb,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at),
    ALTER COLUMN available_at TYPE timestamptz USING pg_temp.micros_to_time(available_at),
    ALTER COLUMN lease_until TYPE timestamptz USING pg_temp.micros_to_time(lease_until),
    ALTER COLUMN done_at TYPE timestamptz USING pg_temp.micros_to_time(done_at);
ALTER TABLE idempotency_keys
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at),
    ALTER COLUMN completed_at TYPE timestamptz USING pg_temp.micros_to_time(completed_at),
    ALTER COLUMN expires_at TYPE timestamptz USING pg_temp.micros_to_time(expires_at);
ALTER TABLE refund_ledger
    ALTER COLUMN order_id TYPE uuid USING order_id::uuid,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE calendar_years
    ALTER COLUMN updated_at TYPE timestamptz USING pg_temp.micros_to_time(updated_at);
ALTER TABLE evidence
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid,
    ALTER COLUMN uploader TYPE jsonb USING uploader::jsonb,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE external_escalations
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid,
    ALTER COLUMN next_reminder_at TYPE timestamptz USING pg_temp.micros_to_time(next_reminder_at),
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at),
    ALTER COLUMN body TYPE jsonb USING body::jsonb;
ALTER TABLE notifications
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid,
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid,
    ALTER COLUMN body TYPE jsonb USING body::jsonb,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at),
    ALTER COLUMN read_at TYPE timestamptz USING pg_temp.micros_to_time(read_at);
ALTER TABLE login_attempts
    ALTER COLUMN not_before TYPE timestamptz USING pg_temp.micros_to_time(not_before),
    ALTER COLUMN last_at TYPE timestamptz USING pg_temp.micros_to_time(last_at);
ALTER TABLE conversation_messages
    ALTER COLUMN order_id TYPE uuid USING order_id::uuid,
    ALTER COLUMN at TYPE timestamptz USING pg_temp.micros_to_time(at);
ALTER TABLE conversation_files
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN order_id TYPE uuid USING order_id::uuid,
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE conversation_reads
    ALTER COLUMN order_id TYPE uuid USING order_id::uuid,
    ALTER COLUMN read_at TYPE timestamptz USING pg_temp.micros_to_time(read_at);
ALTER TABLE notification_settings
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid,
    ALTER COLUMN email_off TYPE jsonb USING email_off::jsonb,
    ALTER COLUMN updated_at TYPE timestamptz USING pg_temp.micros_to_time(updated_at);
ALTER TABLE webhook_subscriptions
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN merchant_id TYPE uuid USING merchant_id::uuid,
    ALTER COLUMN event_types TYPE jsonb USING event_types::jsonb,
    ALTER COLUMN previous_until TYPE timestamptz USING pg_temp.micros_to_time(previous_until),
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at),
    ALTER COLUMN updated_at TYPE timestamptz USING pg_temp.micros_to_time(updated_at);
ALTER TABLE webhook_deliveries
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN subscription_id TYPE uuid USING subscription_id::uuid,
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid,
    ALTER COLUMN retry_from TYPE timestamptz USING pg_temp.micros_to_time(retry_from),
    ALTER COLUMN next_attempt_at TYPE timestamptz USING pg_temp.micros_to_time(next_attempt_at),
    ALTER COLUMN lease_until TYPE timestamptz USING pg_temp.micros_to_time(lease_until),
    ALTER COLUMN last_attempt_at TYPE timestamptz USING pg_temp.micros_to_time(last_attempt_at),
    ALTER COLUMN delivered_at TYPE timestamptz USING pg_temp.micros_to_time(delivered_at),
    ALTER COLUMN created_at TYPE timestamptz USING pg_temp.micros_to_time(created_at);
ALTER TABLE webhook_attempts
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN delivery_id TYPE uuid USING delivery_id::uuid,
    ALTER COLUMN at TYPE timestamptz USING pg_temp.micros_to_time(at);
ALTER TABLE case_texts
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid;
ALTER TABLE case_negotiations
    ALTER COLUMN case_id TYPE uuid USING case_id::uuid;

ALTER TABLE cases ADD COLUMN waiting_for TEXT GENERATED ALWAYS AS ((body -> 'deadline' -> 'waits_for')::text) STORED;
ALTER TABLE cases ADD COLUMN is_repeat INTEGER GENERATED ALWAYS AS (CASE WHEN (body ->> 'is_repeat') = 'true' THEN 1 ELSE 0 END) STORED;
ALTER TABLE cases ADD COLUMN under_appeal INTEGER GENERATED ALWAYS AS (CASE WHEN jsonb_path_exists(body, '$.appeals[*] ? (@.reviewed == false)') THEN 1 ELSE 0 END) STORED;
ALTER TABLE cases ADD COLUMN reason TEXT GENERATED ALWAYS AS (body ->> 'reason') STORED;
ALTER TABLE cases ADD COLUMN kind TEXT GENERATED ALWAYS AS (body ->> 'kind') STORED;
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (COALESCE(delivered_at, last_attempt_at, created_at))
    WHERE status <> 'pending';

DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT * FROM redress_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.def);
    END LOOP;
END $$;
