// Package storetest gives tests an empty database on every engine esep
// supports, so that each storage test runs against SQLite and PostgreSQL
// alike (STYLE.md, practice 4).
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"esep/internal/pgtest"
	"esep/internal/store"
)

// Engine is one database engine a test runs against.
type Engine struct {
	Name string
	// DSN returns a fresh, empty database of this engine for the test. On
	// PostgreSQL it skips the test, loudly, when no server can be started
	// (and fails it instead when ESEP_REQUIRE_POSTGRES=1).
	DSN func(t testing.TB) string
}

// Engines lists SQLite and PostgreSQL. A package whose tests use PostgreSQL
// must call pgtest.RunMain from its TestMain, so the server stops at exit.
func Engines() []Engine {
	return []Engine{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "esep.db") }},
		{"postgres", func(t testing.TB) string { return pgtest.Database(t) }},
	}
}

// Open opens a fresh database of engine e, closed when the test ends.
func Open(t testing.TB, e Engine) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), e.DSN(t))
	if err != nil {
		t.Fatalf("open %s: %v", e.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
