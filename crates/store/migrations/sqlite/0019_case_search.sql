-- Full-text search over cases (issue 13). One document per case: `plain` is the text as written
-- (shop name, item titles, descriptions, messages, decisions), for snippets; `words` is the same
-- text segmented by the application (jieba for Chinese), which FTS5 indexes. Written in the
-- transaction of the change that adds text; `redress reindex` builds those of older cases.
CREATE TABLE case_texts (
    doc     INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    plain   TEXT NOT NULL,
    words   TEXT NOT NULL
);
-- External content: the index keeps no second copy of the words. The triggers keep it in step.
CREATE VIRTUAL TABLE case_search USING fts5(words, content = 'case_texts', content_rowid = 'doc');
CREATE TRIGGER case_texts_insert AFTER INSERT ON case_texts BEGIN
    INSERT INTO case_search (rowid, words) VALUES (new.doc, new.words);
END;
CREATE TRIGGER case_texts_delete AFTER DELETE ON case_texts BEGIN
    INSERT INTO case_search (case_search, rowid, words) VALUES ('delete', old.doc, old.words);
END;
CREATE TRIGGER case_texts_update AFTER UPDATE ON case_texts BEGIN
    INSERT INTO case_search (case_search, rowid, words) VALUES ('delete', old.doc, old.words);
    INSERT INTO case_search (rowid, words) VALUES (new.doc, new.words);
END;
-- Search filters on the request's reason and kind, read from the stored case.
ALTER TABLE cases ADD COLUMN reason TEXT GENERATED ALWAYS AS (json_extract(body, '$.reason')) VIRTUAL;
ALTER TABLE cases ADD COLUMN kind TEXT GENERATED ALWAYS AS (json_extract(body, '$.kind')) VIRTUAL;
