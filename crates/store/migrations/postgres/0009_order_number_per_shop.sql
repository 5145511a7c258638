-- An order number is unique within its shop, not across shops: merchants import orders from
-- their own systems, whose numbers may coincide. (merchant_id, number) is the natural key that
-- makes imports idempotent.
ALTER TABLE orders DROP CONSTRAINT orders_number_key;
ALTER TABLE orders ADD CONSTRAINT orders_merchant_number UNIQUE (merchant_id, number);
