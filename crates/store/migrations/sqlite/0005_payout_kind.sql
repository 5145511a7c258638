-- Statutory compensation is paid through the same ledger but is not a refund: only refunds are
-- bounded by what the buyer paid.
ALTER TABLE refund_ledger ADD COLUMN kind TEXT NOT NULL DEFAULT 'refund';
