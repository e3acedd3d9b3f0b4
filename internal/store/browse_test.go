package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

// TestBrowse pages through filtered registers in both orders on both
// engines and checks every page against the same filter applied by hand:
// nothing skipped or repeated across pages, including records that share
// an end date, and counts exact up to their bound.
func TestBrowse(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, e)
			var all []store.Write
			for i := range 300 {
				r := record(fmt.Sprintf("R%03d", i), "Клиент")
				r.RegionKATO = []string{"430000000", "710000000", "750000000"}[i%3]
				r.ServiceCode = []string{"ACC", "LEG"}[i%2]
				r.EndDate = fmt.Sprintf("2026-03-%02d", 1+i%7) // many records share a day
				w := store.Write{Row: i + 1, Record: r, Store: true}
				if i%5 == 0 {
					w.Findings = []register.Finding{register.NewFinding(register.RuleClientIIN, "client_iin", "1", "")}
				}
				all = append(all, w)
			}
			tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "f.csv", By: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if err := tx.Put(ctx, all); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx, store.ImportSummary{RowsRead: len(all)}); err != nil {
				t.Fatal(err)
			}
			matches := func(f store.RecordFilter, w store.Write) bool {
				r := w.Record
				blocking := register.HasBlocking(w.Findings)
				return (f.Region == "" || r.RegionKATO == f.Region) && (f.Service == "" || r.ServiceCode == f.Service) &&
					(f.From == "" || r.EndDate >= f.From) && (f.To == "" || r.EndDate <= f.To) &&
					(f.Status == "" || (f.Status == "blocking") == blocking)
			}
			for _, f := range []store.RecordFilter{
				{},
				{Region: "710000000", Service: "LEG", From: "2026-03-02", To: "2026-03-05"},
				{Region: "710000000", Service: "LEG", From: "2026-03-02", To: "2026-03-05", Status: "valid", Oldest: true},
				{Region: "430000000", Service: "ACC", Status: "blocking"},
				{Region: "750000000", Status: "blocking", Oldest: true},
				{From: "2026-03-07", Status: "valid"},
			} {
				var want []string
				for _, w := range all {
					if matches(f, w) {
						want = append(want, w.Record.EndDate+"|"+w.Record.RecordID)
					}
				}
				slices.Sort(want)
				if !f.Oldest {
					slices.Reverse(want)
				}
				got := pageThrough(t, f, func(cursor string) ([]store.Listed, string, error) { return db.ListRecords(ctx, f, cursor, 7) },
					func(l store.Listed) string {
						if l.Blocking != (f.Status == "blocking") && f.Status != "" {
							t.Errorf("%+v: %s has blocking %v", f, l.RecordID, l.Blocking)
						}
						return l.EndDate + "|" + l.RecordID
					})
				if !slices.Equal(got, want) {
					t.Errorf("%+v: pages give\n%v\nwant\n%v", f, got, want)
				}
				// The register page's brief rows: the same records, pages
				// and columns.
				got = pageThrough(t, f, func(cursor string) ([]store.Brief, string, error) { return db.ListBrief(ctx, f, cursor, 7) },
					func(b store.Brief) string {
						if w := all[slices.IndexFunc(all, func(w store.Write) bool { return w.Record.RecordID == b.RecordID })]; b.RegionKATO != w.Record.RegionKATO ||
							b.ServiceCode != w.Record.ServiceCode || b.ClientFullName != w.Record.ClientFullName || b.Blocking != register.HasBlocking(w.Findings) {
							t.Errorf("%+v: brief %+v of %+v", f, b, w.Record)
						}
						return b.EndDate + "|" + b.RecordID
					})
				if !slices.Equal(got, want) {
					t.Errorf("%+v: brief pages give\n%v\nwant\n%v", f, got, want)
				}
				for _, bound := range []int{len(want) + 5, len(want), max(0, len(want)-1)} {
					n, exact, err := db.CountRecords(ctx, f, bound)
					if err != nil {
						t.Fatal(err)
					}
					if wantExact := len(want) <= bound; n != min(len(want), bound) || exact != wantExact {
						t.Errorf("%+v: count to %d = %d, %v; want %d, %v", f, bound, n, exact, min(len(want), bound), wantExact)
					}
				}
			}
		})
	}
}

// pageThrough reads every page of f by cursor, and returns the key that
// row gives of each row, in order.
func pageThrough[T any](t *testing.T, f store.RecordFilter, list func(cursor string) ([]T, string, error), row func(T) string) []string {
	t.Helper()
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		rows, next, err := list(cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			got = append(got, row(r))
		}
		if next == "" {
			return got
		}
		if pages > 100 {
			t.Fatalf("%+v: paging does not end", f)
		}
		cursor = next
	}
}
