package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"esep/internal/auth"
)

// ErrLastAdmin is a change that would leave no enabled administrator, and
// so nobody able to undo it.
var ErrLastAdmin = errors.New("the last enabled administrator cannot be demoted or disabled")

// ActorOf is how the audit log names a user who acts or is acted on.
func ActorOf(id int64) string { return fmt.Sprintf("user:%d", id) }

// UserByID returns a user, or ErrNotFound.
func (db *DB) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
	if err != nil {
		return nil, db.err(err)
	}
	return u, nil
}

// CredentialsByID is UserByLogin by id: the second step of a login knows
// the user by the pending login, not by what she typed.
func (db *DB) CredentialsByID(ctx context.Context, id int64) (*Credentials, error) {
	var login string
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT login FROM users WHERE id = ?`), id).Scan(&login); err != nil {
		return nil, db.err(err)
	}
	return db.UserByLogin(ctx, login)
}

// UserChange is what an administrator changes of a user; nil fields stay.
type UserChange struct {
	Name     *string
	Role     *auth.Role
	Region   *string
	Disabled *bool
}

// UpdateUser applies c to user id and returns the user as she is now. The
// change is audited as user.update (name, role, region), user.disable or
// user.enable. Disabling ends her sessions and pending logins; her API
// tokens stop working while she is disabled (TokenUser refuses them) and
// work again if she is enabled. It returns ErrNotFound, or ErrLastAdmin
// when the change would leave no enabled administrator.
func (db *DB) UpdateUser(ctx context.Context, id int64, c UserChange, actor string) (*auth.User, error) {
	var out *auth.User
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, db.q(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
		if err != nil {
			return err
		}
		next := *u
		if c.Name != nil {
			next.Name = *c.Name
		}
		if c.Role != nil {
			next.Role = *c.Role
		}
		if c.Region != nil {
			next.Region = *c.Region
		}
		if c.Disabled != nil {
			next.Disabled = *c.Disabled
		}
		wasAdmin := u.Role == auth.Admin && !u.Disabled
		if wasAdmin && (next.Role != auth.Admin || next.Disabled) {
			var others int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0 AND id <> ?`), string(auth.Admin), id).Scan(&others); err != nil {
				return err
			}
			if others == 0 {
				return ErrLastAdmin
			}
		}
		var changes []string
		if next.Name != u.Name {
			changes = append(changes, "name")
		}
		if next.Role != u.Role {
			changes = append(changes, fmt.Sprintf("role %s→%s", u.Role, next.Role))
		}
		if next.Region != u.Region {
			changes = append(changes, fmt.Sprintf("region %q→%q", u.Region, next.Region))
		}
		if len(changes) > 0 {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE users SET full_name = ?, role = ?, region_kato = ? WHERE id = ?`),
				next.Name, string(next.Role), next.Region, id); err != nil {
				return err
			}
			if err := db.audit(ctx, tx, actor, "user.update", ActorOf(id), u.Login+": "+strings.Join(changes, "; ")); err != nil {
				return err
			}
		}
		if next.Disabled != u.Disabled {
			action, flag := "user.enable", 0
			if next.Disabled {
				action, flag = "user.disable", 1
			}
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE users SET disabled = ? WHERE id = ?`), flag, id); err != nil {
				return err
			}
			if next.Disabled {
				if err := endSessions(ctx, db, tx, id, ""); err != nil {
					return err
				}
			}
			if err := db.audit(ctx, tx, actor, action, ActorOf(id), u.Login); err != nil {
				return err
			}
		}
		out = &next
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrLastAdmin) || errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	return out, nil
}

// endSessions deletes a user's sessions but keep (a token hash; "" for
// none) and her pending logins.
func endSessions(ctx context.Context, db *DB, tx *sql.Tx, userID int64, keep string) error {
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`), userID, keep); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_challenges WHERE user_id = ?`), userID)
	return err
}

// ResetPassword gives a user a new (one-time) password chosen by an
// administrator: she must change it at her next login. It also lifts a
// lock-out and ends her sessions, since a reset usually means the old
// password is lost or known to someone else. Audited as
// user.password_reset; ErrNotFound for no such user.
func (db *DB) ResetPassword(ctx context.Context, userID int64, hash, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET password_hash = ?, must_change_password = 1, failed_logins = 0, locked_until = '' WHERE id = ?`), hash, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, ErrNotFound)
		}
		if err := endSessions(ctx, db, tx, userID, ""); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "user.password_reset", ActorOf(userID), "")
	})
}

// ChangePassword is a user's own change of her password: it clears
// must_change_password and ends her other sessions (all but the one whose
// token hash is keep), so a change after a suspected leak locks the
// intruder out. Audited as user.password.
func (db *DB) ChangePassword(ctx context.Context, userID int64, hash, keep string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?`), hash, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, ErrNotFound)
		}
		if err := endSessions(ctx, db, tx, userID, keep); err != nil {
			return err
		}
		return db.audit(ctx, tx, ActorOf(userID), "user.password", ActorOf(userID), "")
	})
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// APIToken is a machine token as an administrator sees it: never the
// token, only a prefix of its hash to name it by.
type APIToken struct {
	ID        string `json:"id"` // the first TokenIDLen hex digits of the token's SHA-256
	UserID    int64  `json:"user_id"`
	Login     string `json:"login"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	Revoked   bool   `json:"revoked"`
}

// TokenIDLen is how much of a token's hash names it: 48 bits, so two
// tokens of one installation do not share a name, yet nothing that helps
// to forge the token.
const TokenIDLen = 12

// TokenID is the name of the token stored under hash.
func TokenID(hash string) string { return hash[:min(len(hash), TokenIDLen)] }

// APITokens lists the machine tokens, newest first, revoked ones included.
func (db *DB) APITokens(ctx context.Context) ([]APIToken, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT t.token_hash, t.user_id, u.login, t.name, t.created_at, t.revoked
		FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.token_hash`)
	if err != nil {
		return nil, fmt.Errorf("api tokens: %w", db.err(err))
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var hash string
		var revoked int
		if err := rows.Scan(&hash, &t.UserID, &t.Login, &t.Name, &t.CreatedAt, &revoked); err != nil {
			return nil, err
		}
		t.ID, t.Revoked = TokenID(hash), revoked != 0
		out = append(out, t)
	}
	return out, db.err(rows.Err())
}

// RevokeAPIToken revokes the token named id (a prefix of its hash of at
// least 8 hex digits) for good and returns it. Revoking a revoked token
// changes nothing and is not audited again. It returns ErrNotFound, or
// ErrConflict when the prefix names more than one token.
func (db *DB) RevokeAPIToken(ctx context.Context, id, actor string) (APIToken, error) {
	var t APIToken
	if len(id) < 8 || len(id) > 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return t, ErrNotFound
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT t.token_hash, t.user_id, u.login, t.name, t.created_at, t.revoked
			FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash LIKE ?`), id+"%")
		if err != nil {
			return err
		}
		var hashes []string
		for rows.Next() {
			var hash string
			var revoked int
			if err := rows.Scan(&hash, &t.UserID, &t.Login, &t.Name, &t.CreatedAt, &revoked); err != nil {
				rows.Close()
				return err
			}
			hashes = append(hashes, hash)
			t.ID, t.Revoked = TokenID(hash), revoked != 0
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case len(hashes) == 0:
			return ErrNotFound
		case len(hashes) > 1:
			return ErrConflict
		case t.Revoked:
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE api_tokens SET revoked = 1 WHERE token_hash = ?`), hashes[0]); err != nil {
			return err
		}
		t.Revoked = true
		return db.audit(ctx, tx, actor, "token.revoke", ActorOf(t.UserID), t.ID+" "+t.Name)
	})
	return t, err
}

// AuditFilter narrows the audit log. Since and Before are instants as
// "YYYY-MM-DDTHH:MM:SS" in UTC, without a zone, so that they compare as
// text with the stored RFC 3339 times however many fractional digits those
// carry.
type AuditFilter struct {
	Actor  string // exact, e.g. "user:3"
	Action string // exact, e.g. "user.create"
	Since  string // at >= Since
	Before string // at < Before
}

// AuditEntry is a line of the audit log with its number, which orders it.
type AuditEntry struct {
	ID int64 `json:"id"`
	AuditEvent
}

// ListAudit returns up to limit events matching f, newest first, after the
// cursor of the previous page, and the cursor of the next page ("" at the
// end). Keyset pagination by id: a page costs the same anywhere in a log of
// millions. A malformed cursor is an error.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter, cursor string, limit int) ([]AuditEntry, string, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Since != "" {
		add("at >= ?", f.Since)
	}
	if f.Before != "" {
		add("at < ?", f.Before)
	}
	if cursor != "" {
		id, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || id < 1 {
			return nil, "", fmt.Errorf("list audit: bad cursor %q", cursor)
		}
		add("id < ?", id)
	}
	q := `SELECT id, at, actor, action, object, detail FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, "", fmt.Errorf("list audit: %w", db.err(err))
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", db.err(err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = strconv.FormatInt(out[len(out)-1].ID, 10)
	}
	return out, next, nil
}

// AuditActions lists the distinct actions in the audit log, for a filter.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT action FROM audit_events ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("audit actions: %w", db.err(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, db.err(rows.Err())
}

// TOTPState is a user's second factor: her secret ("" when she has none),
// the last time step a code was accepted for, and the secret of an
// enrolment in progress.
type TOTPState struct {
	Secret   string
	LastStep int64
	Pending  string
}

// TOTP returns a user's second factor, or ErrNotFound.
func (db *DB) TOTP(ctx context.Context, userID int64) (TOTPState, error) {
	var s TOTPState
	err := db.r.QueryRowContext(ctx, db.q(`SELECT totp_secret, totp_last_step, totp_pending FROM users WHERE id = ?`), userID).
		Scan(&s.Secret, &s.LastStep, &s.Pending)
	return s, db.err(err)
}

// UseTOTPStep records that a code of time step was accepted, and reports
// false if a code of that step or a later one was accepted already: a
// replayed code, or two requests racing with one code. The check and the
// write are one statement, so only one of the racers wins.
func (db *DB) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ? AND totp_secret <> ''`), step, userID, step)
	if err != nil {
		return false, db.err(err)
	}
	n, err := res.RowsAffected()
	return n == 1, db.err(err)
}

// SetPendingTOTP keeps the secret of an enrolment in progress. It is not
// audited: nothing changes for the user until EnableTOTP.
func (db *DB) SetPendingTOTP(ctx context.Context, userID int64, secret string) error {
	_, err := db.w.ExecContext(ctx, db.q(`UPDATE users SET totp_pending = ? WHERE id = ?`), secret, userID)
	return db.err(err)
}

// EnableTOTP makes the pending secret, which must still be pending (the
// one the code was checked against), the user's second factor, with step
// as the last used step so the enrolment's code cannot be replayed at a
// login. Audited as user.totp_on; ErrConflict when the pending secret has
// changed meanwhile.
func (db *DB) EnableTOTP(ctx context.Context, userID int64, pending string, step int64, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? WHERE id = ? AND totp_pending = ? AND totp_pending <> ''`),
			step, userID, pending)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, ErrConflict)
		}
		return db.audit(ctx, tx, actor, "user.totp_on", ActorOf(userID), "")
	})
}

// DisableTOTP removes a user's second factor (she turned it off, or an
// administrator reset it after a lost phone) and her pending logins.
// Audited as user.totp_off; ErrNotFound for no such user.
func (db *DB) DisableTOTP(ctx context.Context, userID int64, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET totp_secret = '', totp_pending = '' WHERE id = ?`), userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_challenges WHERE user_id = ?`), userID); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "user.totp_off", ActorOf(userID), "")
	})
}

// LoginChallenge is a login waiting for its second factor.
type LoginChallenge struct {
	UserID   int64
	Next     string
	Attempts int
}

// StartLoginChallenge stores a pending login under the hash of its token
// until expires, and clears out expired ones.
func (db *DB) StartLoginChallenge(ctx context.Context, tokenHash string, userID int64, next string, expires time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_challenges WHERE expires_at < ?`), time.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO login_challenges (token_hash, user_id, next_path, expires_at) VALUES (?, ?, ?, ?)`),
			tokenHash, userID, next, expires.UTC().Format(time.RFC3339))
		return err
	})
}

// LoginChallengeOf returns an unexpired pending login, or ErrNotFound.
func (db *DB) LoginChallengeOf(ctx context.Context, tokenHash string) (*LoginChallenge, error) {
	c := &LoginChallenge{}
	err := db.r.QueryRowContext(ctx, db.q(`SELECT user_id, next_path, attempts FROM login_challenges WHERE token_hash = ? AND expires_at > ?`),
		tokenHash, time.Now().UTC().Format(time.RFC3339)).Scan(&c.UserID, &c.Next, &c.Attempts)
	if err != nil {
		return nil, db.err(err)
	}
	return c, nil
}

// LoginChallengeFailed counts a wrong code against a pending login and
// deletes it at maxAttempts, so one password-checked login cannot be used
// to try codes without end.
func (db *DB) LoginChallengeFailed(ctx context.Context, tokenHash string, maxAttempts int) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?`), tokenHash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_challenges WHERE token_hash = ? AND attempts >= ?`), tokenHash, maxAttempts)
		return err
	})
}

// EndLoginChallenge deletes a pending login: it is used once.
func (db *DB) EndLoginChallenge(ctx context.Context, tokenHash string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM login_challenges WHERE token_hash = ?`), tokenHash)
	return db.err(err)
}
