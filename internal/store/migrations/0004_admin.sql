-- Administration: the second factor's pending enrolment and pending logins,
-- and the indexes the audit log is filtered by.

-- totp_pending is a secret shown to a user who is enrolling, kept until she
-- proves with a code that her authenticator has it; only then does it
-- become totp_secret. Keeping it here, not in a form field, means the
-- browser cannot choose the secret.
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';

-- A login that passed the password and waits for the second factor. It is
-- known by the SHA-256 of a random cookie, lives for minutes, and allows a
-- few attempts; the password is never kept.
CREATE TABLE login_challenges (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    next_path  TEXT   NOT NULL,
    expires_at TEXT   NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);

CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The audit log is read newest first (by id), filtered by who, what or when.
CREATE INDEX audit_events_actor ON audit_events (actor, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_at ON audit_events (at);
