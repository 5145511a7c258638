-- The business calendar (Asia/Shanghai public holidays and make-up workdays), one row per year,
-- as the JSON of one `CalendarYear` of the law crate. Seeded from the reviewed embedded file on
-- first start; admins import or edit years.
CREATE TABLE calendar_years (
    year       BIGINT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
