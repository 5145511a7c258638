-- Webhooks (issue 12): a merchant's subscriptions, one delivery per (subscription, event) fanned
-- out from the outbox, and the log of every attempt. Times are microseconds since the epoch.
CREATE TABLE webhook_subscriptions (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    url             TEXT NOT NULL,
    -- A JSON array of event type names; ["*"] for all of them.
    event_types     TEXT NOT NULL,
    active          BIGINT NOT NULL,
    -- Kept in clear: the platform signs with it. The previous secret signs too until
    -- `previous_until` while the merchant rotates.
    secret          TEXT NOT NULL,
    previous_secret TEXT,
    previous_until  BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX webhook_subscriptions_merchant ON webhook_subscriptions (merchant_id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    case_id         TEXT,
    body            TEXT NOT NULL,
    -- pending, delivered or dead (gave up after the retry window).
    status          TEXT NOT NULL,
    -- Attempts since `retry_from` (a redelivery starts a new window).
    attempts        BIGINT NOT NULL DEFAULT 0,
    retry_from      BIGINT NOT NULL,
    next_attempt_at BIGINT,
    lease_until     BIGINT,
    lease_owner     TEXT,
    last_attempt_at BIGINT,
    last_status     BIGINT,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id);

CREATE TABLE webhook_attempts (
    id            TEXT PRIMARY KEY,
    delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    status_code   BIGINT,
    -- The first bytes of the answer (at most 512), lossily decoded.
    response      TEXT,
    error         TEXT,
    duration_ms   BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
