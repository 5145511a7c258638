-- Evidence files (issue 3): one row per `EvidenceAdded` event, written in that event's
-- transaction, so the table never names a file the chain does not. The bytes are in object
-- storage under `sha256/<sha256>`; `confidential` is 0 or 1 (seen by the platform and the
-- uploader's own side only).
CREATE TABLE evidence (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    seq            BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    caption        TEXT NOT NULL,
    size           BIGINT NOT NULL,
    media_type     TEXT NOT NULL,
    confidential   BIGINT NOT NULL,
    uploader       TEXT NOT NULL,
    uploader_party TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX evidence_case ON evidence (case_id, seq);
CREATE INDEX evidence_sha256 ON evidence (sha256);
