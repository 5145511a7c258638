-- The conversation of each order between its buyer and its shop (issue 12): one hash chain per
-- order (`content` is the message's canonical JSON, hashed as a case's events are), the files its
-- messages carry (a projection of the chain, written in the message's transaction; the bytes are
-- in object storage under `sha256/<sha256>`, shared with case evidence), and who read up to
-- which message, when.
CREATE TABLE conversation_messages (
    order_id    TEXT NOT NULL REFERENCES orders (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    author_side TEXT NOT NULL,
    content     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE conversation_files (
    id         TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    seq        BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX conversation_files_sha256 ON conversation_files (sha256);
CREATE INDEX conversation_files_order ON conversation_files (order_id, seq);

-- `reader` is `user:<id>` or `token:<id>`.
CREATE TABLE conversation_reads (
    order_id TEXT NOT NULL REFERENCES orders (id),
    reader   TEXT NOT NULL,
    side     TEXT NOT NULL,
    up_to    BIGINT NOT NULL,
    read_at  BIGINT NOT NULL,
    PRIMARY KEY (order_id, reader)
);
