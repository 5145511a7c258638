-- Core schema. Times are UTC microseconds since the Unix epoch (BIGINT); ids are UUID text;
-- domain values are stored as the canonical JSON the domain crate writes.

CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    address     TEXT NOT NULL,
    phone       TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    merchant_id   TEXT REFERENCES merchants (id),
    phone         TEXT,
    address       TEXT,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    buyer_id    TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE INDEX orders_merchant ON orders (merchant_id, id);

CREATE TABLE policy_versions (
    version      BIGINT PRIMARY KEY,
    body         TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    effective_at BIGINT NOT NULL
);

-- The fold of each case's events, kept in the same transaction as the events.
CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    buyer_id       TEXT NOT NULL,
    merchant_id    TEXT NOT NULL,
    state          TEXT NOT NULL,
    stage          TEXT NOT NULL,
    outcome        TEXT,
    assigned_agent TEXT,
    deadline_due   BIGINT,
    sweep_at       BIGINT,
    lease_until    BIGINT,
    lease_owner    TEXT,
    filed_at       BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    last_hash      TEXT NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX cases_buyer ON cases (buyer_id, id);
CREATE INDEX cases_merchant ON cases (merchant_id, id);
CREATE INDEX cases_order ON cases (order_id);
CREATE INDEX cases_state ON cases (state, id);
CREATE INDEX cases_sweep ON cases (sweep_at) WHERE sweep_at IS NOT NULL;

-- Append-only, hash-chained per case. Keyed so it can be partitioned by time later.
CREATE TABLE case_events (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    content    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Work written in the same transaction as the change that caused it.
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    topic        TEXT NOT NULL,
    case_id      TEXT,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    available_at BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    lease_until  BIGINT,
    lease_owner  TEXT,
    done_at      BIGINT,
    last_error   TEXT
);
CREATE INDEX outbox_pending ON outbox (topic, available_at) WHERE done_at IS NULL;

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (scope, key)
);

-- The built-in payment gateway: one row per executed refund, idempotent per refund id.
CREATE TABLE refund_ledger (
    refund_id  TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX refund_ledger_order ON refund_ledger (order_id);
