-- An order number is unique within its shop, not across shops: merchants import orders from
-- their own systems, whose numbers may coincide. (merchant_id, number) is the natural key that
-- makes imports idempotent.
-- SQLite cannot drop a column's UNIQUE, so the table is rebuilt. Cases refer to orders: the
-- check is deferred to the commit, and the rows are copied back into the new `orders` (not
-- renamed into place) so every reference finds its order again.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE orders_copy AS SELECT id, number, merchant_id, buyer_id, body, created_at FROM orders;
DROP TABLE orders;
CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    buyer_id    TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT orders_merchant_number UNIQUE (merchant_id, number)
);
INSERT INTO orders (id, number, merchant_id, buyer_id, body, created_at)
    SELECT id, number, merchant_id, buyer_id, body, created_at FROM orders_copy;
DROP TABLE orders_copy;
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE INDEX orders_merchant ON orders (merchant_id, id);
