package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"esep/internal/store"
)

// TestImportIntoEmptyRegisterKeepsIndexes: an import into an empty register
// on SQLite builds the indexes of records after its rows (deferIndexes);
// whether it commits or is abandoned, the schema ends as the migrations
// made it, and the committed rows are in every index.
func TestImportIntoEmptyRegisterKeepsIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "esep.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	indexes := func() []string {
		t.Helper()
		rows, err := raw.Query(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	want := indexes()
	if len(want) == 0 {
		t.Fatal("records has no index but its key")
	}
	put := func(commit bool) {
		t.Helper()
		tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "f.csv", By: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Put(ctx, []store.Write{{Row: 1, Record: record("A", "Иванов Иван"), Store: true}}); err != nil {
			t.Fatal(err)
		}
		if !commit {
			tx.Rollback()
			return
		}
		if err := tx.Commit(ctx, store.ImportSummary{RowsRead: 1}); err != nil {
			t.Fatal(err)
		}
	}
	put(false)
	if got := indexes(); !slices.Equal(got, want) {
		t.Errorf("after an abandoned import, indexes\n%v\nwant\n%v", got, want)
	}
	put(true)
	if got := indexes(); !slices.Equal(got, want) {
		t.Errorf("after an import, indexes\n%v\nwant\n%v", got, want)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM records INDEXED BY records_region_end WHERE region_kato = '430000000'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the record through the rebuilt index: %d, %v", n, err)
	}
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity check: %q, %v", check, err)
	}
}
