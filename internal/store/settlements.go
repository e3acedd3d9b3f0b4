package store

import (
	"context"
	"fmt"

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
	return db.err(tx.Commit())
}

// Settlements returns a lookup of the loaded settlement codes for
// register.Validator, or nil when no classifier has been loaded: then only
// a code's shape and region are checked.
func (db *DB) Settlements(ctx context.Context) (func(code string) bool, error) {
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
	if len(set) == 0 {
		return nil, nil
	}
	return func(code string) bool { return set[code] }, nil
}
