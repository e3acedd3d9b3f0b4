package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"esep/internal/auth"
)

const userColumns = `id, login, full_name, role, region_kato, must_change_password, totp_secret <> '', disabled`

func scanUser(s interface{ Scan(...any) error }) (*auth.User, error) {
	u := &auth.User{}
	var role string
	var must, disabled int
	var totp bool
	if err := s.Scan(&u.ID, &u.Login, &u.Name, &role, &u.Region, &must, &totp, &disabled); err != nil {
		return nil, err
	}
	u.Role, u.MustChangePassword, u.TOTP, u.Disabled = auth.Role(role), must != 0, totp, disabled != 0
	return u, nil
}

// CreateUser adds a user with a password hash, audited as done by actor.
// A login that exists already is ErrConflict.
func (db *DB) CreateUser(ctx context.Context, u *auth.User, passwordHash, actor string) error {
	must := 0
	if u.MustChangePassword {
		must = 1
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.q(`INSERT INTO users (login, full_name, role, region_kato, password_hash, must_change_password, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), u.Login, u.Name, string(u.Role), u.Region, passwordHash, must, time.Now().UTC().Format(time.RFC3339)).Scan(&u.ID)
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "user.create", ActorOf(u.ID), u.Login+" "+string(u.Role)+" "+u.Region)
	})
}

// CountUsers counts the users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, db.err(err)
}

// Users lists every user by login.
func (db *DB) Users(ctx context.Context) ([]*auth.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", db.err(err))
	}
	defer rows.Close()
	var out []*auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, db.err(rows.Err())
}

// Credentials are what a login checks.
type Credentials struct {
	User         *auth.User
	PasswordHash string
	LockedUntil  string
	Failed       int
}

// UserByLogin returns a user with the stored credentials, or ErrNotFound.
func (db *DB) UserByLogin(ctx context.Context, login string) (*Credentials, error) {
	c := &Credentials{}
	var must, disabled int
	var role string
	var totp bool
	u := &auth.User{}
	err := db.r.QueryRowContext(ctx, db.q(`SELECT `+userColumns+`, password_hash, locked_until, failed_logins FROM users WHERE login = ?`), login).
		Scan(&u.ID, &u.Login, &u.Name, &role, &u.Region, &must, &totp, &disabled, &c.PasswordHash, &c.LockedUntil, &c.Failed)
	if err != nil {
		return nil, db.err(err)
	}
	u.Role, u.MustChangePassword, u.TOTP, u.Disabled = auth.Role(role), must != 0, totp, disabled != 0
	c.User = u
	return c, nil
}

// LoginFailed counts a failed login and locks the account until lockUntil
// (RFC 3339) once it reaches maxFailures; it is audited.
func (db *DB) LoginFailed(ctx context.Context, userID int64, maxFailures int, lockUntil string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE users SET failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?`), maxFailures, lockUntil, userID); err != nil {
			return err
		}
		return db.audit(ctx, tx, ActorOf(userID), "login.failed", ActorOf(userID), "")
	})
}

// StartSession records a successful login: it clears the failures and
// stores the session under its token hash.
func (db *DB) StartSession(ctx context.Context, userID int64, tokenHash string, expires time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		now := time.Now().UTC().Format(time.RFC3339)
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = ?`), userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
			tokenHash, userID, now, expires.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return db.audit(ctx, tx, ActorOf(userID), "login", ActorOf(userID), "")
	})
}

// sessionUser and tokenUser find the user of a request, on every request:
// kept prepared.
var (
	sessionUser = `SELECT ` + prefixed("u.", []string{"id", "login", "full_name", "role", "region_kato", "must_change_password"}) + `, u.totp_secret <> '', u.disabled
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`
	tokenUser = `SELECT ` + prefixed("u.", []string{"id", "login", "full_name", "role", "region_kato", "must_change_password"}) + `, u.totp_secret <> '', u.disabled
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked = 0`
)

// SessionUser returns the user of an unexpired session, or ErrNotFound.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*auth.User, error) {
	row := db.queryRow(ctx, sessionUser, tokenHash, time.Now().UTC().Format(time.RFC3339))
	u, err := scanUser(row)
	if err != nil {
		return nil, db.err(err)
	}
	if u.Disabled {
		return nil, ErrNotFound
	}
	return u, nil
}

// EndSession deletes a session (logout).
func (db *DB) EndSession(ctx context.Context, tokenHash string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return db.err(err)
}

// SetPassword replaces a user's password and ends their other sessions.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?`), hash, userID); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "user.password", ActorOf(userID), "")
	})
}

// CreateAPIToken stores a machine token for a user.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, tokenHash, name, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?, ?, ?, ?)`),
			tokenHash, userID, name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor, "token.create", ActorOf(userID), name)
	})
}

// TokenUser returns the user of an unrevoked API token, or ErrNotFound.
func (db *DB) TokenUser(ctx context.Context, tokenHash string) (*auth.User, error) {
	row := db.queryRow(ctx, tokenUser, tokenHash)
	u, err := scanUser(row)
	if err != nil {
		return nil, db.err(err)
	}
	if u.Disabled {
		return nil, ErrNotFound
	}
	return u, nil
}
