package live_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/monitor"
	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/stats/live"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

// TestServesWrites checks, on both engines, that the warm index answers
// what a count of the database answers: after loading, after writes made
// through the same store (seen at once) and through another connection
// (seen through the change log), and after a caller has scribbled over
// what an earlier answer returned.
func TestServesWrites(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			recs := generate(2000, "A")
			if _, err := ingest.ImportRecords(ctx, db, recs[:1500], store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
				t.Fatal(err)
			}
			ind := live.New(&monitor.Cycle{DB: db})
			ind.OthersEvery = time.Hour // only this process's writes are looked for
			if err := ind.Load(ctx); err != nil {
				t.Fatal(err)
			}
			same(t, ind, "loaded")

			// Scribble over an answer: the next one must not see it.
			tables, national, err := ind.Compute(ctx, from, to)
			if err != nil {
				t.Fatal(err)
			}
			tables.ClientsByRegion[0].Count, tables.ServicesTotal, national.Clients = -1, -1, -1
			same(t, ind, "after a caller changed an answer")

			// Writes through the same store: new records, and corrections
			// that move records to other days and exclude others.
			if _, err := ingest.ImportRecords(ctx, db, recs[1500:], store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
				t.Fatal(err)
			}
			same(t, ind, "after new records")
			fixed := append([]register.Record(nil), recs[:300]...)
			for i := range fixed {
				switch i % 3 {
				case 0:
					fixed[i].EndDate, fixed[i].StartDate = "2026-03-02", "2026-03-02"
				case 1:
					fixed[i].ActNumber = ""
				default:
					fixed[i].RegionKATO = "710000000"
				}
			}
			if _, err := ingest.ImportRecords(ctx, db, fixed, store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
				t.Fatal(err)
			}
			same(t, ind, "after corrections")

			// A write through another connection is seen once the log is
			// read again.
			other, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			more := generate(200, "B")
			if _, err := ingest.ImportRecords(ctx, other, more, store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
				t.Fatal(err)
			}
			ind.OthersEvery = 0
			same(t, ind, "after another process's write")
		})
	}
}

const from, to = "2026-01-01", "2026-12-31"

func generate(n int, prefix string) []register.Record {
	var recs []register.Record
	demo.Generate(demo.Options{Rows: n, Seed: 7, ErrorRate: 0.05, IDPrefix: prefix,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
		func(r *register.Record) bool { recs = append(recs, *r); return true })
	return recs
}

// same compares the index's answers for the year and for March with a
// count of the database.
func same(t *testing.T, ind *live.Indicators, step string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range [][2]string{{from, to}, {"2026-03-01", "2026-03-31"}} {
		gt, gn, err := ind.Compute(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		wt, wn, err := stats.Compute(ctx, &monitor.Cycle{DB: ind.DB()}, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if g, w := jsonOf(t, gt, gn), jsonOf(t, wt, wn); g != w {
			t.Errorf("%s, %s..%s: the index differs from a count\nindex: %.800s\ncount: %.800s", step, p[0], p[1], g, w)
		}
		months, err := ind.ServicesByMonth(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		c, err := stats.Count(ctx, &monitor.Cycle{DB: ind.DB()}, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if g, w := jsonOf(t, months), jsonOf(t, c.ServicesByMonth()); g != w {
			t.Errorf("%s: services by month %s, want %s", step, g, w)
		}
	}
}

func jsonOf(t *testing.T, vs ...any) string {
	b, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStartWaits checks that a question asked while the index loads in the
// background is answered from the index once it is ready.
func TestStartWaits(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, storetest.Engines()[0])
	if _, err := ingest.ImportRecords(ctx, db, generate(500, "A"), store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	ind := live.New(&monitor.Cycle{DB: db})
	ind.Start(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	same(t, ind, "while loading")
	if !ind.Ready() {
		t.Error("answered before the index was ready")
	}
}
