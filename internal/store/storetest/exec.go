package storetest

import (
	"context"
	"testing"
)

// Exec runs one statement on the database at dsn through a plain
// connection of its own, with ? placeholders on both engines, and returns
// the rows it changed. Tests use it to do what esep never does, such as
// tampering with a stored sample to see that verification catches it.
func Exec(t testing.TB, dsn, query string, args ...any) int64 {
	t.Helper()
	db, rebind := raw(t, dsn)
	defer db.Close()
	res, err := db.ExecContext(context.Background(), rebind(query), args...)
	if err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
	return n
}
