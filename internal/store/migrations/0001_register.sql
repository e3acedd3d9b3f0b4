-- The register core: imports, service records with their findings and
-- correction history, and the people they serve. {{id}} is the engine's
-- auto-numbered primary key; everything else is the same on both engines. Dates are ISO text
-- (YYYY-MM-DD) and instants RFC 3339 text in UTC, so that both engines sort
-- and compare them the same way and a record round-trips unchanged.

CREATE TABLE imports (
    {{id}},
    file_name     TEXT    NOT NULL,
    file_sha256   TEXT    NOT NULL,
    -- history: a load outside the monthly cycle, not subject to deadlines.
    kind          TEXT    NOT NULL DEFAULT 'history',
    started_at    TEXT    NOT NULL,
    finished_at   TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    rows_read     BIGINT NOT NULL DEFAULT 0,
    accepted      BIGINT NOT NULL DEFAULT 0,
    warned        BIGINT NOT NULL DEFAULT 0,
    rejected      BIGINT NOT NULL DEFAULT 0,
    unchanged     BIGINT NOT NULL DEFAULT 0,
    corrected     BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE records (
    record_id              TEXT NOT NULL PRIMARY KEY,
    region_kato            TEXT NOT NULL DEFAULT '',
    settlement_kato        TEXT NOT NULL DEFAULT '',
    settlement_name        TEXT NOT NULL DEFAULT '',
    place_kind             TEXT NOT NULL DEFAULT '',
    service_place          TEXT NOT NULL DEFAULT '',
    enterprise_name        TEXT NOT NULL DEFAULT '',
    enterprise_iin_bin     TEXT NOT NULL DEFAULT '',
    client_full_name       TEXT NOT NULL DEFAULT '',
    client_iin             TEXT NOT NULL DEFAULT '',
    client_gender          TEXT NOT NULL DEFAULT '',
    client_birth_date      TEXT NOT NULL DEFAULT '',
    client_age             TEXT NOT NULL DEFAULT '',
    client_disability      TEXT NOT NULL DEFAULT '',
    legal_form             TEXT NOT NULL DEFAULT '',
    entrepreneur_category  TEXT NOT NULL DEFAULT '',
    oked_section           TEXT NOT NULL DEFAULT '',
    oked_code              TEXT NOT NULL DEFAULT '',
    service_code           TEXT NOT NULL DEFAULT '',
    service_subtype_code   TEXT NOT NULL DEFAULT '',
    manager_full_name      TEXT NOT NULL DEFAULT '',
    start_date             TEXT NOT NULL DEFAULT '',
    end_date               TEXT NOT NULL DEFAULT '',
    work_phone             TEXT NOT NULL DEFAULT '',
    mobile_phone           TEXT NOT NULL DEFAULT '',
    email                  TEXT NOT NULL DEFAULT '',
    delivery_mode          TEXT NOT NULL DEFAULT '',
    act_number             TEXT NOT NULL DEFAULT '',
    act_signed_at          TEXT NOT NULL DEFAULT '',
    act_confirmation       TEXT NOT NULL DEFAULT '',
    -- client_key is the person's identity (spec §3), computed on write.
    client_key             TEXT NOT NULL,
    -- blocking is 1 while the current version has blocking findings.
    blocking               BIGINT NOT NULL DEFAULT 0,
    version                BIGINT NOT NULL DEFAULT 1,
    first_import_id        BIGINT NOT NULL REFERENCES imports (id),
    last_import_id         BIGINT NOT NULL REFERENCES imports (id),
    first_seen_at          TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE INDEX records_end_date ON records (end_date);
CREATE INDEX records_client_key ON records (client_key);

-- The findings of each record's current version.
CREATE TABLE record_findings (
    record_id   TEXT NOT NULL REFERENCES records (record_id),
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    column_name TEXT NOT NULL,
    value       TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX record_findings_record ON record_findings (record_id);

-- Everything an import reported, row by row, including rows that could not
-- become records: the list of problems an operator downloads.
CREATE TABLE import_findings (
    import_id   BIGINT NOT NULL REFERENCES imports (id),
    row_num     BIGINT NOT NULL,
    record_id   TEXT NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    column_name TEXT NOT NULL,
    value       TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX import_findings_import ON import_findings (import_id, row_num);

-- One row per changed column of a corrected record: who, when, old, new.
CREATE TABLE corrections (
    {{id}},
    record_id   TEXT NOT NULL REFERENCES records (record_id),
    import_id   BIGINT NOT NULL REFERENCES imports (id),
    version     BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    changed_by  TEXT NOT NULL
);
CREATE INDEX corrections_record ON corrections (record_id);

-- The first spelling of each person's name, to notice the same person
-- written two ways (rules person_spelling and iin_name_mismatch).
CREATE TABLE clients (
    client_key  TEXT NOT NULL PRIMARY KEY,
    full_name   TEXT NOT NULL
);

-- Settlements of the KATO classifier, when an administrator has loaded it.
CREATE TABLE settlements (
    code    TEXT NOT NULL PRIMARY KEY,
    name_kk TEXT NOT NULL,
    name_ru TEXT NOT NULL
);
