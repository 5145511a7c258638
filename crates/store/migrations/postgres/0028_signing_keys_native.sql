-- signing_keys (0027) came after the native column types (0024): its time too, exactly.
ALTER TABLE signing_keys ALTER COLUMN created_at TYPE timestamptz
    USING TIMESTAMPTZ '1970-01-01 00:00:00+00' + created_at * INTERVAL '1 microsecond';
