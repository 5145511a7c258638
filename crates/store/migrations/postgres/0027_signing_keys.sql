-- The platform's signing keys, one per purpose (`dossier`: the seal on every dossier's manifest).
-- Made once by the first process that needs one and kept: every server on this database signs
-- with the same key, and the key's public half is what anyone checks a dossier against.
CREATE TABLE signing_keys (
    purpose     TEXT PRIMARY KEY,
    private_key TEXT NOT NULL, -- PKCS#8 document, hex
    created_at  BIGINT NOT NULL
);
