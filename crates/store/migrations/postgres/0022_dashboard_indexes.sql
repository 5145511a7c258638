-- Dashboards and the public reputation (issue 13) read a period's cases and orders, of one shop
-- or of all: these answer the shop's (a range within the shop) and the platform's (a range of
-- time) without reading every row.
CREATE INDEX cases_merchant_filed ON cases (merchant_id, filed_at);
CREATE INDEX cases_filed ON cases (filed_at);
CREATE INDEX orders_merchant_created ON orders (merchant_id, created_at);
CREATE INDEX orders_created ON orders (created_at);
