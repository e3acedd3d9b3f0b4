-- People who work in esep, their browser sessions and the tokens of the
-- machines that call the API; and the indexes the register pages browse by.

CREATE TABLE users (
    {{id}},
    login                TEXT   NOT NULL UNIQUE,
    full_name            TEXT   NOT NULL,
    role                 TEXT   NOT NULL,
    -- region_kato limits an operator to one region; '' is every region.
    region_kato          TEXT   NOT NULL DEFAULT '',
    password_hash        TEXT   NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    totp_secret          TEXT   NOT NULL DEFAULT '',
    totp_last_step       BIGINT NOT NULL DEFAULT 0,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         TEXT   NOT NULL DEFAULT '',
    disabled             BIGINT NOT NULL DEFAULT 0,
    created_at           TEXT   NOT NULL
);

-- A session is known by the SHA-256 of its cookie, so a leaked database
-- does not hand out live sessions.
CREATE TABLE sessions (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT   NOT NULL,
    expires_at TEXT   NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    name       TEXT   NOT NULL,
    created_at TEXT   NOT NULL,
    revoked    BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX records_region_end ON records (region_kato, end_date, record_id);
CREATE INDEX records_end_id ON records (end_date, record_id);
