-- Login attempts per throttle key (a login name at an address, an address, a login name), shared
-- by every server process. `not_before` is when the key may try again; rows older than the
-- throttle's memory are purged.
CREATE TABLE login_attempts (
    key        TEXT PRIMARY KEY,
    attempts   BIGINT NOT NULL,
    not_before BIGINT NOT NULL,
    last_at    BIGINT NOT NULL
);
CREATE INDEX login_attempts_last_at ON login_attempts (last_at);
