-- A login names one person whatever its case (issue 9 trial: `BUYER` and `buyer` were two
-- accounts). New logins are stored in lower case; existing ones are folded unless another
-- account folds to the same login, in which case both keep their spelling for an operator.
UPDATE users SET login = lower(login)
WHERE login <> lower(login)
  AND NOT EXISTS (SELECT 1 FROM users AS other WHERE lower(other.login) = lower(users.login) AND other.id <> users.id);
