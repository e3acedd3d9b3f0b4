package store_test

import (
	"context"
	"errors"
	"testing"

	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

func record(id, name string) register.Record {
	return register.Record{RecordID: id, RegionKATO: "430000000", ClientFullName: name, EnterpriseID: "150640000011",
		EnterpriseName: "ТОО «Береке»", ManagerFullName: "Ахметов Нұрлан", StartDate: "2026-03-12", EndDate: "2026-03-13",
		DeliveryMode: "offline", ActNumber: "A-1", ActSignedAt: "2026-03-13T10:00:00+05:00", ActConfirmation: "eds"}
}

func TestStore(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.DSN(t)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			t.Run("migrations are idempotent", func(t *testing.T) {
				again, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatalf("second open: %v", err)
				}
				again.Close()
			})

			put := func(t *testing.T, writes ...store.Write) {
				t.Helper()
				tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "f.csv", By: "test"})
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Put(ctx, writes); err != nil {
					tx.Rollback()
					t.Fatal(err)
				}
				if err := tx.Commit(ctx, store.ImportSummary{RowsRead: len(writes)}); err != nil {
					t.Fatal(err)
				}
			}

			a := record("A", "Қасымова Әсем")
			warn := register.NewFinding(register.RulePhoneFormat, "mobile_phone", "8-777", "")
			put(t, store.Write{Row: 1, Record: a, Store: true, Findings: []register.Finding{warn}},
				store.Write{Row: 2, Record: record("B", "Иванов Иван"), Store: true})

			t.Run("record round trip", func(t *testing.T) {
				d, err := db.Record(ctx, "A")
				if err != nil {
					t.Fatal(err)
				}
				if diff := d.Record.Diff(&a); len(diff) > 0 {
					t.Errorf("stored record differs: %v", diff)
				}
				if d.Version != 1 || len(d.Findings) != 1 || d.Findings[0] != warn {
					t.Errorf("version %d findings %v", d.Version, d.Findings)
				}
				if _, err := db.Record(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("missing record: err = %v, want ErrNotFound", err)
				}
			})

			t.Run("correction keeps history", func(t *testing.T) {
				prev, err := db.Record(ctx, "A")
				if err != nil {
					t.Fatal(err)
				}
				b := a
				b.ClientFullName, b.EndDate = "Касымова Асем", "2026-03-14"
				put(t, store.Write{Row: 1, Record: b, Store: true, Prev: &prev.Stored})
				d, err := db.Record(ctx, "A")
				if err != nil {
					t.Fatal(err)
				}
				if d.Version != 2 || d.Record.ClientFullName != "Касымова Асем" || len(d.Findings) != 0 {
					t.Errorf("after correction: version %d name %q findings %v", d.Version, d.Record.ClientFullName, d.Findings)
				}
				if len(d.Corrections) != 2 || d.Corrections[0].Column != "client_full_name" || d.Corrections[0].Old != "Қасымова Әсем" ||
					d.Corrections[1].Column != "end_date" || d.Corrections[1].New != "2026-03-14" || d.Corrections[0].By != "test" {
					t.Errorf("history: %+v", d.Corrections)
				}
			})

			t.Run("a duplicate insert is a conflict", func(t *testing.T) {
				tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "g.csv"})
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				err = tx.Put(ctx, []store.Write{{Row: 1, Record: record("B", "x"), Store: true}})
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("err = %v, want ErrConflict", err)
				}
			})

			t.Run("rollback leaves the database as it was", func(t *testing.T) {
				before, err := db.Totals(ctx)
				if err != nil {
					t.Fatal(err)
				}
				tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "h.csv"})
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Put(ctx, []store.Write{{Row: 1, Record: record("C", "y"), Store: true, Findings: []register.Finding{warn}}}); err != nil {
					t.Fatal(err)
				}
				tx.Rollback()
				after, err := db.Totals(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if before != after {
					t.Errorf("totals changed: %+v → %+v", before, after)
				}
			})

			t.Run("each record of a period", func(t *testing.T) {
				var ids []string
				err := db.EachRecord(ctx, "2026-03-13", "2026-03-13", func(r *register.Record, _ *register.Facts) error {
					ids = append(ids, r.RecordID)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				// A ends on the 14th after its correction; only B ends on the 13th.
				if len(ids) != 1 || ids[0] != "B" {
					t.Errorf("records ending 2026-03-13: %v", ids)
				}
			})
		})
	}
}
