-- Idempotency-Key answers are recorded in the transaction of the change they answer, so there
-- is no "in progress" state any more (rows left in it by a crash guarded nothing that
-- committed: they go), and every answer expires (24 h, purged by the worker).
DELETE FROM idempotency_keys WHERE status IS NULL;
ALTER TABLE idempotency_keys ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE idempotency_keys SET expires_at = created_at + 86400000000;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
