-- Full-text search over cases (issue 13). One document per case: `plain` is the text as written
-- (shop name, item titles, descriptions, messages, decisions), for snippets; `words` is the same
-- text segmented by the application (jieba for Chinese), indexed as a tsvector of the `simple`
-- configuration (no stemming, no stop words: the words are already cut). Written in the
-- transaction of the change that adds text; `redress reindex` builds those of older cases.
CREATE TABLE case_texts (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    plain   TEXT NOT NULL,
    words   TEXT NOT NULL,
    tsv     tsvector GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED
);
CREATE INDEX case_texts_tsv ON case_texts USING GIN (tsv);
-- Search filters on the request's reason and kind, read from the stored case.
ALTER TABLE cases ADD COLUMN reason TEXT GENERATED ALWAYS AS (body::jsonb ->> 'reason') STORED;
ALTER TABLE cases ADD COLUMN kind TEXT GENERATED ALWAYS AS (body::jsonb ->> 'kind') STORED;
