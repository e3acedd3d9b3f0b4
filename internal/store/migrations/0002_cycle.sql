-- The monthly cycle (clauses 7-14): deliveries with their month and
-- arrival, what happened to blocking records, notification letters, the
-- act registry, plans, reports and the audit log.

-- A monthly register: the month it is for, when it arrived, and when it
-- was due. register_month is '' for a load outside the cycle (history).
ALTER TABLE imports ADD COLUMN register_month TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN received_at TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN due_date TEXT NOT NULL DEFAULT '';
UPDATE imports SET received_at = started_at;

-- arrived_at: when the record first arrived; in_cycle: it first arrived in
-- a monthly register (so its lateness counts); fixed_at: when a version with
-- blocking findings was replaced by a valid one.
ALTER TABLE records ADD COLUMN arrived_at TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN in_cycle BIGINT NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN fixed_at TEXT NOT NULL DEFAULT '';
UPDATE records SET arrived_at = first_seen_at;

CREATE TABLE letters (
    {{id}},
    year                 BIGINT NOT NULL,
    seq                  BIGINT NOT NULL,
    import_id            BIGINT NOT NULL REFERENCES imports (id),
    register_month       TEXT NOT NULL,
    drafted_at           TEXT NOT NULL,
    register_received_at TEXT NOT NULL,
    due_send             TEXT NOT NULL,
    sent_at              TEXT NOT NULL DEFAULT '',
    delivered_at         TEXT NOT NULL DEFAULT '',
    correction_due       TEXT NOT NULL DEFAULT '',
    UNIQUE (year, seq)
);

CREATE TABLE letter_items (
    letter_id   BIGINT NOT NULL REFERENCES letters (id),
    row_num     BIGINT NOT NULL,
    record_id   TEXT NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    column_name TEXT NOT NULL,
    value       TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX letter_items_letter ON letter_items (letter_id);
CREATE INDEX letter_items_record ON letter_items (record_id);

-- The operator's act registry: each act with the records it covers.
CREATE TABLE acts (
    act_number TEXT NOT NULL PRIMARY KEY,
    signed_at  TEXT NOT NULL,
    method     TEXT NOT NULL,
    signer     TEXT NOT NULL,
    import_id  BIGINT NOT NULL REFERENCES imports (id)
);
CREATE TABLE act_records (
    act_number TEXT NOT NULL REFERENCES acts (act_number),
    record_id  TEXT NOT NULL,
    PRIMARY KEY (act_number, record_id)
);
-- Months for which an act registry was delivered: their records must match it.
CREATE TABLE act_months (
    month TEXT NOT NULL PRIMARY KEY
);

CREATE TABLE plans (
    period       TEXT NOT NULL,
    region_kato  TEXT NOT NULL,
    service_code TEXT NOT NULL,
    target       BIGINT NOT NULL,
    imported_at  TEXT NOT NULL,
    imported_by  TEXT NOT NULL,
    PRIMARY KEY (period, region_kato, service_code)
);

-- A report; once sent, snapshot is the frozen model it renders from.
CREATE TABLE reports (
    {{id}},
    kind         TEXT NOT NULL,
    period       TEXT NOT NULL,
    version      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    sent_at      TEXT NOT NULL DEFAULT '',
    snapshot     TEXT NOT NULL,
    UNIQUE (kind, period, version)
);

-- Who did or changed what: written in the same transaction as the change.
CREATE TABLE audit_events (
    {{id}},
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- Settings an administrator keeps: the names on letters, and the like.
CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
