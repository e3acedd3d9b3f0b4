-- Quality of service: the client questionnaire of Annex 2, reached by a
-- link tied to one service and answerable once.

-- A link is known by the SHA-256 of its token: the token itself is only in
-- the link the client gets, so the table cannot be used to answer for
-- anyone.
CREATE TABLE questionnaire_links (
    token_hash TEXT NOT NULL PRIMARY KEY,
    record_id  TEXT NOT NULL REFERENCES records (record_id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX questionnaire_links_record ON questionnaire_links (record_id);

-- The Register of questionnaires: one answer per service.
CREATE TABLE questionnaires (
    record_id     TEXT   NOT NULL PRIMARY KEY REFERENCES records (record_id),
    answered_at   TEXT   NOT NULL,
    lang          TEXT   NOT NULL,
    usefulness    BIGINT NOT NULL,
    organisation  BIGINT NOT NULL,
    expectations  BIGINT NOT NULL,
    satisfaction  BIGINT NOT NULL,
    -- Comma-separated option codes of Annex 2.
    purposes      TEXT   NOT NULL DEFAULT '',
    financial     TEXT   NOT NULL DEFAULT '',
    nonfinancial  TEXT   NOT NULL DEFAULT '',
    filled_on     TEXT   NOT NULL,
    source        TEXT   NOT NULL DEFAULT 'link'
);
