-- Housekeeping: the worker purges expired sessions and finished outbox rows in batches by these.
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;
