-- The tables that grow with every change and are purged by age (issue 10) are partitioned by
-- time: the outbox by `created_at`, notifications by `created_at`, webhook attempts by `at`.
-- Each starts with one DEFAULT partition, so nothing changes until an operator adds ranges
-- (docs/storage.md); a month that is over and purged is then dropped whole instead of deleted
-- row by row. A partitioned table's keys must include its partition key, so the primary keys
-- become (id, time): ids are minted by the application (UUIDv7) and a row's time never changes,
-- and the one statement that relied on the id alone (`ON CONFLICT (id)` of a notification) names
-- the pair, which is as unique (a notification carries its own `created_at`).
--
-- Kept unpartitioned, with their time columns indexed for a later split: `case_events` and
-- `conversation_messages`, whose (case or order, seq) key is what keeps one chain per case or
-- order, and `webhook_deliveries`, whose (subscription, event) key makes each delivery once.
-- Partitioned by time, none of these keys could be kept (they do not include the time).

CREATE FUNCTION pg_temp.partition_by_time(tbl TEXT, key TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, tbl || '_unpartitioned');
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', tbl || '_unpartitioned', tbl || '_pkey');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY RANGE (%I)',
        tbl, tbl || '_unpartitioned', key);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id, %I)', tbl, key);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, tbl || '_unpartitioned');
    EXECUTE format('DROP TABLE %I', tbl || '_unpartitioned');
END $$;

DROP INDEX outbox_pending, outbox_done, notifications_user, webhook_attempts_delivery;

SELECT pg_temp.partition_by_time('outbox', 'created_at');
CREATE INDEX outbox_pending ON outbox (topic, available_at) WHERE done_at IS NULL;
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;

SELECT pg_temp.partition_by_time('notifications', 'created_at');
CREATE INDEX notifications_user ON notifications (user_id, id);

SELECT pg_temp.partition_by_time('webhook_attempts', 'at');
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
ALTER TABLE webhook_attempts ADD FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE;

-- Ready for a split by time later (see above).
CREATE INDEX case_events_at ON case_events (at);
CREATE INDEX conversation_messages_at ON conversation_messages (at);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
