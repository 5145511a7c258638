-- Scope words in search documents (issue 13): each document now starts with its shop's and its
-- buyer's word, so a shop's or a buyer's search is matched inside the full-text index. Documents
-- written before this migration lack them; adding them means re-indexing every document, too
-- long for a migration on a large database, so it is done in the background after start-up
-- (`App::add_scope_words`), a batch at a time in case_id order from `after_case`. While this row
-- exists, shops' and buyers' searches take the plan that needs no scope words.
CREATE TABLE case_text_scopes_pending (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    after_case TEXT
);
INSERT INTO case_text_scopes_pending (id, after_case) SELECT 1, NULL WHERE EXISTS (SELECT 1 FROM case_texts);
