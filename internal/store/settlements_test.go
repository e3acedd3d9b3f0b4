package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"esep/internal/kz"
)

// TestSettlementsRecheck: the list this process loads is in use at once; a
// list another process loads is in use once the version is read again
// (settlementsRecheck), and not before.
func TestSettlementsRecheck(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "esep.db")
	open := func() *DB {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	here, other := open(), open()
	has := func(code string) bool {
		t.Helper()
		set, err := here.Settlements(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return set != nil && set(code)
	}
	if has("751110000") {
		t.Fatal("a settlement before any list was loaded")
	}
	if err := here.ReplaceSettlements(ctx, []kz.Settlement{{Code: "751110000"}}); err != nil {
		t.Fatal(err)
	}
	if !has("751110000") {
		t.Fatal("this process's own list is not in use at once")
	}
	if err := other.ReplaceSettlements(ctx, []kz.Settlement{{Code: "711210000"}}); err != nil {
		t.Fatal(err)
	}
	if has("711210000") || !has("751110000") {
		t.Fatal("another process's list read before the recheck: the version was read for every call")
	}
	here.settlements.mu.Lock()
	here.settlements.checked = time.Now().Add(-settlementsRecheck)
	here.settlements.mu.Unlock()
	if !has("711210000") || has("751110000") {
		t.Fatal("another process's list is not in use after the recheck")
	}
}
