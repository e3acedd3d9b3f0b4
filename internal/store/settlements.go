package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"esep/internal/kz"
)

// ReplaceSettlements replaces the loaded KATO settlements with list, in one
// transaction: a classifier is loaded whole or not at all.
func (db *DB) ReplaceSettlements(ctx context.Context, list []kz.Settlement) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replace settlements: %w", db.err(err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM settlements`); err != nil {
		return fmt.Errorf("replace settlements: %w", db.err(err))
	}
	t := newWriter(db, tx)
	rows := make([][]any, 0, len(list))
	for _, s := range list {
		rows = append(rows, []any{s.Code, s.Name.KK, s.Name.RU})
	}
	if err := t.insertMany(ctx, "settlements", "code, name_kk, name_ru", " ON CONFLICT (code) DO NOTHING", rows); err != nil {
		return fmt.Errorf("replace settlements: %w", err)
	}
	// A new version with the list, so that every process that keeps the
	// list in memory reads it again.
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`),
		settlementsVersion, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("replace settlements: %w", db.err(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace settlements: %w", db.err(err))
	}
	// This process reads its own list at once, not after settlementsRecheck.
	c := &db.settlements
	c.mu.Lock()
	c.read = false
	c.mu.Unlock()
	return nil
}

// settlementsVersion is the setting that changes with every new list of
// settlements.
const settlementsVersion = "kato.settlements.version"

// settlementsCache is the list of settlements as last read, with the
// version it was read at and when that version was last checked.
type settlementsCache struct {
	mu      sync.Mutex
	read    bool
	version string
	checked time.Time
	set     map[string]bool
}

// settlementsRecheck is how long the list is used before its version is
// read again: a list another process loaded (esep kato) is in use here
// within a second, as the indicators take other processes' writes. Every
// API write checks its records against the list; reading the version for
// each was a query of its own per request.
const settlementsRecheck = time.Second

// Settlements returns a lookup of the loaded settlement codes for
// register.Validator, or nil when no classifier has been loaded: then only
// a code's shape and region are checked.
//
// Every record written through the API is checked against the list, so it
// is kept in memory: at most once a second (settlementsRecheck) a call
// reads the list's version, and the list again when another process (esep
// kato) has replaced it since. The version is read before the list, so a
// list replaced in between is read again at the next check rather than
// kept under the old version.
func (db *DB) Settlements(ctx context.Context) (func(code string) bool, error) {
	c := &db.settlements
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.read || time.Since(c.checked) >= settlementsRecheck {
		checked := time.Now()
		var version string
		if err := db.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, settlementsVersion).Scan(&version); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("settlements: %w", db.err(err))
		}
		if !c.read || c.version != version {
			set, err := db.readSettlements(ctx)
			if err != nil {
				return nil, err
			}
			c.read, c.version, c.set = true, version, set
		}
		c.checked = checked
	}
	if len(c.set) == 0 {
		return nil, nil
	}
	set := c.set // replaced, never changed, by a later read
	return func(code string) bool { return set[code] }, nil
}

func (db *DB) readSettlements(ctx context.Context) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code FROM settlements`)
	if err != nil {
		return nil, fmt.Errorf("settlements: %w", db.err(err))
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		set[c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("settlements: %w", db.err(err))
	}
	return set, nil
}
