// Package store keeps esep's data in SQLite (the embedded default) or
// PostgreSQL. Both engines run the same plain SQL through database/sql; the
// few things that differ — opening, the migrations' DDL, driver errors,
// placeholders — live in the subpackages sqlite and postgres and in the
// dialect value below. The same tests run against both engines.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"esep/internal/store/postgres"
	"esep/internal/store/sqlite"
)

// Errors the store returns, whatever the engine.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// DB is an open database.
type DB struct {
	w, r    *sql.DB // writer and reader pools; the same pool on PostgreSQL
	dialect dialect
	changes atomic.Uint64 // commits that logged changes (see LocalChanges)
	// Statements kept prepared on the reader and the writer pools (the
	// same on PostgreSQL); see prepared.
	rstmts, wstmts *prepared
	writeKept      atomic.Bool // the import's statements are in wstmts
	tablesFilled   atomic.Bool // see tablesHaveRows
	settlements    settlementsCache
	checkpoints    *checkpointer // see CheckpointInBackground
}

type dialect struct {
	name     string
	identity string // the DDL of an auto-numbered primary key, for {{id}} in migrations
	dollar   bool   // placeholders are $1, $2 rather than ?
	mapError func(error) error
}

// Engine reports "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name }

// IsPostgres reports whether dsn names a PostgreSQL server rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn — a postgres:// URL or a SQLite file
// path — and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	if IsPostgres(dsn) {
		p, err := postgres.Open(dsn)
		if err != nil {
			return nil, err
		}
		db = &DB{w: p, r: p, dialect: dialect{"postgres", postgres.IdentityColumn, true, postgres.MapError}}
	} else {
		w, r, err := sqlite.Open(dsn)
		if err != nil {
			return nil, err
		}
		db = &DB{w: w, r: r, dialect: dialect{"sqlite", sqlite.IdentityColumn, false, sqlite.MapError}}
	}
	db.wstmts = newPrepared(db.w)
	db.rstmts = db.wstmts
	if db.r != db.w {
		db.rstmts = newPrepared(db.r)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	db.stopCheckpoints()
	db.rstmts.close()
	db.wstmts.close()
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// q rewrites a query written with ? placeholders for the engine.
func (db *DB) q(query string) string {
	if !db.dialect.dollar {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// err maps a driver error to the store's sentinels, keeping the original
// for the log.
func (db *DB) err(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	mapped := db.dialect.mapError(err)
	if errors.Is(mapped, sqlite.ErrConflict) || errors.Is(mapped, postgres.ErrConflict) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return mapped
}
