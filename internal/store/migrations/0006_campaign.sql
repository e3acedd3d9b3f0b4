-- The telephone survey of Annex 4: campaigns that draw a seeded, stratified
-- sample of counted services, the call to each sampled client with every
-- attempt made, the answers, and the notices an operator gets when a client
-- says a service did not happen.

-- A campaign covers the services that ended in [period_from, period_to].
-- Everything needed to re-draw its sample is kept: the plan's numbers, the
-- seed (text, since it is a full uint64), the draw method and the digest of
-- the frame (survey.Sample). calling_from/calling_to are Kazakhstan local
-- times HH:MM between which agents may call; max_attempts bounds the
-- attempts of one call.
CREATE TABLE campaigns (
    {{id}},
    name           TEXT   NOT NULL,
    period_from    TEXT   NOT NULL,
    period_to      TEXT   NOT NULL,
    margin         DOUBLE PRECISION NOT NULL,
    confidence     DOUBLE PRECISION NOT NULL,
    by_service     BIGINT NOT NULL DEFAULT 0,
    oversample     DOUBLE PRECISION NOT NULL DEFAULT 0,
    exclude_months BIGINT NOT NULL DEFAULT 0,
    seed           TEXT   NOT NULL,
    method         TEXT   NOT NULL,
    frame_size     BIGINT NOT NULL,
    frame_digest   TEXT   NOT NULL,
    description    TEXT   NOT NULL DEFAULT '',
    calling_from   TEXT   NOT NULL DEFAULT '09:00',
    calling_to     TEXT   NOT NULL DEFAULT '20:00',
    max_attempts   BIGINT NOT NULL DEFAULT 5,
    status         TEXT   NOT NULL DEFAULT 'open', -- open, closed
    created_at     TEXT   NOT NULL,
    created_by     TEXT   NOT NULL,
    closed_at      TEXT   NOT NULL DEFAULT ''
);

-- The account of each stratum of a campaign's draw (survey.Stratum): n is
-- the stratum's size in the frame, which weights its answers in the
-- estimate of the whole register.
CREATE TABLE campaign_strata (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id),
    stratum      TEXT   NOT NULL,
    region       TEXT   NOT NULL,
    service      TEXT   NOT NULL DEFAULT '',
    n            BIGINT NOT NULL,
    excluded     BIGINT NOT NULL,
    clients      BIGINT NOT NULL,
    wanted       BIGINT NOT NULL,
    drawn        BIGINT NOT NULL,
    extra_wanted BIGINT NOT NULL DEFAULT 0,
    extra_drawn  BIGINT NOT NULL DEFAULT 0,
    everyone     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, stratum)
);

-- One call per sampled service. client_hash is the SHA-256 of the client's
-- identity key (register.ClientKey), so that later draws can leave out
-- clients called recently or who refused, without keeping the key itself.
-- status: queued (not yet dialled or waiting for its next attempt),
-- assigned (an agent holds it), done (a final outcome). outcome is a
-- survey.Outcome once done. next_at is the earliest time of the next
-- attempt (a call-back time, or after a no-answer). assigned_to is the user
-- id of the agent who holds the call; only she may record its outcome.
CREATE TABLE calls (
    {{id}},
    campaign_id    BIGINT NOT NULL REFERENCES campaigns (id),
    record_id      TEXT   NOT NULL REFERENCES records (record_id),
    stratum        TEXT   NOT NULL,
    ord            BIGINT NOT NULL,
    extra          BIGINT NOT NULL DEFAULT 0,
    client_hash    TEXT   NOT NULL,
    region         TEXT   NOT NULL,
    status         TEXT   NOT NULL DEFAULT 'queued',
    outcome        TEXT   NOT NULL DEFAULT '',
    attempts       BIGINT NOT NULL DEFAULT 0,
    next_at        TEXT   NOT NULL DEFAULT '',
    assigned_to    BIGINT NOT NULL DEFAULT 0,
    assigned_at    TEXT   NOT NULL DEFAULT '',
    lang           TEXT   NOT NULL DEFAULT '',
    q1_received    TEXT   NOT NULL DEFAULT '',
    q2_rating      BIGINT NOT NULL DEFAULT 0,
    q3_useful      TEXT   NOT NULL DEFAULT '',
    q4_interested  TEXT   NOT NULL DEFAULT '',
    q4_instruments TEXT   NOT NULL DEFAULT '', -- comma-separated survey.FinancialSupport codes
    completed_at   TEXT   NOT NULL DEFAULT '',
    updated_at     TEXT   NOT NULL,
    UNIQUE (campaign_id, record_id)
);
CREATE INDEX calls_queue ON calls (campaign_id, status, next_at, stratum, ord);
CREATE INDEX calls_client ON calls (client_hash);
CREATE INDEX calls_record ON calls (record_id);
-- An agent's held call, found on every visit to the queue.
CREATE INDEX calls_agent ON calls (assigned_to, status);

-- Every attempt of a call, by whom and with what result: answered,
-- no_answer, busy, wrong_number, refused, callback (callback_at set).
CREATE TABLE call_attempts (
    {{id}},
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    agent_id    BIGINT NOT NULL,
    at          TEXT   NOT NULL,
    result      TEXT   NOT NULL,
    callback_at TEXT   NOT NULL DEFAULT '',
    note        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX call_attempts_call ON call_attempts (call_id);

-- What an operator must know: for now, a service its client did not
-- confirm on the telephone (question 1 answered "no"). region scopes it to
-- the operator's managers of that region; read_at is when one of them
-- acknowledged it.
CREATE TABLE notices (
    {{id}},
    kind       TEXT   NOT NULL,
    region     TEXT   NOT NULL,
    record_id  TEXT   NOT NULL REFERENCES records (record_id),
    call_id    BIGINT NOT NULL DEFAULT 0,
    created_at TEXT   NOT NULL,
    read_at    TEXT   NOT NULL DEFAULT '',
    read_by    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX notices_region ON notices (region, read_at);
CREATE INDEX notices_record ON notices (record_id);

-- What re-draws a campaign besides its seed and plan (campaign.Service.Verify):
-- the records its draw left out because their clients were excluded
-- (survey.Sample.Excluded), and, with an oversample, the records of the
-- frame it marked risky. Both come from state that moves on after the
-- draw (later calls and refusals, later answers that feed the signals),
-- so they are kept as they were. record_id does not reference records: it
-- is what the draw saw, and must stay readable whatever becomes of the
-- register.
CREATE TABLE campaign_excluded (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    record_id   TEXT   NOT NULL,
    PRIMARY KEY (campaign_id, record_id)
);
CREATE TABLE campaign_risky (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    record_id   TEXT   NOT NULL,
    PRIMARY KEY (campaign_id, record_id)
);
