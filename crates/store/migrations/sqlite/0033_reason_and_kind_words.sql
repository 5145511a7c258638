-- Reason and kind words in search documents (issue 13): each document now starts with its
-- shop's, its buyer's, its reason's and its kind's words, so an agent's search filtered by
-- reason or kind is matched inside the full-text index (before, each match's case was read to
-- check it: eleven read for each kept with a reason filter). Documents written before get them
-- in the background, as the scope words of migration 0021 (`App::add_scope_words`, from the
-- first case again); until then searches take the plans that need none of these words.
INSERT INTO case_text_scopes_pending (id, after_case) SELECT 1, NULL WHERE EXISTS (SELECT 1 FROM case_texts)
ON CONFLICT (id) DO UPDATE SET after_case = NULL;
