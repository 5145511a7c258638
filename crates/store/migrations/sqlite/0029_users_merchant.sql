-- A shop's staff are read by shop (`merchant_staff` for the notices of every case change that
-- tells the shop; the deadline sweep's `staff_of`). Without an index each read scanned every
-- account: at 1,000,000 cases with 100,000 buyers one read took up to a second under load.
CREATE INDEX users_merchant ON users (merchant_id) WHERE merchant_id IS NOT NULL;
