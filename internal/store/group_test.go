package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"esep/internal/store"
	"esep/internal/store/storetest"
)

// TestGroup checks the group commit: the imports of a group are kept or
// undone one by one as if each had its own transaction — also one that
// fails in the database, which on PostgreSQL aborts the whole transaction
// but for its savepoint — none is visible before the group commits, the
// change log names what was kept in order, and a group that cannot commit
// keeps nothing.
func TestGroup(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := storetest.Open(t, e)
			imp := func(t *testing.T, g *store.Group, id string, keep bool) int64 {
				t.Helper()
				tx, err := g.BeginImport(ctx, store.ImportMeta{FileName: "api", By: "test"})
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Put(ctx, []store.Write{{Row: 1, Record: record(id, "Қасымова Әсем"), Store: true}}); err != nil {
					t.Fatal(err)
				}
				if !keep {
					if err := tx.Rollback(); err != nil {
						t.Fatal(err)
					}
					return 0
				}
				if err := tx.Commit(ctx, store.ImportSummary{RowsRead: 1, Accepted: 1}); err != nil {
					t.Fatal(err)
				}
				return tx.ID()
			}
			before := db.LocalChanges()

			g, err := db.BeginGroup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			first := imp(t, g, "G-1", true)
			imp(t, g, "G-2", false) // undone: its record and its import row
			// A write the database refuses half-way: a second new G-1
			// breaks the records' key after its import row and its client
			// are written. It fails alone, and the group goes on.
			tx, err := g.BeginImport(ctx, store.ImportMeta{FileName: "api", By: "test"})
			if err != nil {
				t.Fatal(err)
			}
			bad := []store.Write{{Row: 1, Record: record("G-X", "Бекова Дана"), Store: true}, {Row: 2, Record: record("G-1", "Қасымова Әсем"), Store: true}}
			if err := tx.Put(ctx, bad); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("a second new G-1: %v, want a conflict", err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			third := imp(t, g, "G-3", true)
			if first == 0 || third == 0 {
				t.Fatal("no import ids")
			}
			// Not visible before the commit (the readers are other
			// connections).
			if n := totals(t, db); n.Records != 0 || n.Imports != 0 {
				t.Fatalf("before commit: %+v", n)
			}
			if err := g.Commit(); err != nil {
				t.Fatal(err)
			}
			n := totals(t, db)
			if n.Records != 2 || n.Imports != 2 || n.Clients != 1 {
				t.Fatalf("after commit: %d records in %d imports, %d clients, want 2 in 2, 1", n.Records, n.Imports, n.Clients)
			}
			for id, want := range map[string]bool{"G-1": true, "G-2": false, "G-X": false, "G-3": true} {
				_, err := db.Record(ctx, id)
				if got := err == nil; got != want {
					t.Errorf("record %s stored = %v, want %v (%v)", id, got, want, err)
				}
			}
			if db.LocalChanges() == before {
				t.Error("the group's commit did not count as a change for the indicator index")
			}
			changes, err := db.Changes(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var logged []string
			for _, c := range changes {
				logged = append(logged, c.RecordID)
			}
			if !slices.Equal(logged, []string{"G-1", "G-3"}) {
				t.Errorf("change log names %v, want G-1 and G-3 in that order", logged)
			}

			// A group whose first import fails in the database (on
			// PostgreSQL the first import runs without a savepoint, and
			// its failure begins the transaction again): the next import
			// of the group is kept, and only it.
			g, err = db.BeginGroup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tx, err = g.BeginImport(ctx, store.ImportMeta{FileName: "api", By: "test"}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Put(ctx, bad[1:]); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("a second new G-1 first in its group: %v, want a conflict", err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			imp(t, g, "K-1", true)
			if err := g.Commit(); err != nil {
				t.Fatal(err)
			}
			if n := totals(t, db); n.Records != 3 || n.Imports != 3 {
				t.Fatalf("after a group whose first import failed: %d records in %d imports, want 3 in 3", n.Records, n.Imports)
			}
			if changes, err = db.Changes(ctx, changes[len(changes)-1].Seq, 100); err != nil || len(changes) != 1 || changes[0].RecordID != "K-1" {
				t.Fatalf("change log after it: %+v, %v; want K-1", changes, err)
			}

			// An import left open when the group commits: nothing of the
			// group is kept.
			g, err = db.BeginGroup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			imp(t, g, "H-1", true)
			if _, err := g.BeginImport(ctx, store.ImportMeta{FileName: "api", By: "test"}); err != nil {
				t.Fatal(err)
			}
			if err := g.Commit(); err == nil {
				t.Fatal("a group with an import not ended committed")
			}
			if n := totals(t, db); n.Records != 3 || n.Imports != 3 {
				t.Fatalf("after a failed group: %d records in %d imports, want 3 in 3", n.Records, n.Imports)
			}

			// The writer is free again: an import of its own works.
			tx, err = db.BeginImport(ctx, store.ImportMeta{FileName: "f.csv", By: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx, store.ImportSummary{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func totals(t *testing.T, db *store.DB) store.Totals {
	t.Helper()
	n, err := db.Totals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
