package stats_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/monitor"
	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

// BenchmarkCounter1M measures the straightforward computation of every
// table of spec §4 over one million records held in memory: the cost of
// counting alone, without the database.
func BenchmarkCounter1M(b *testing.B) {
	const n = 1_000_000
	recs := make([]register.Record, 0, n)
	demo.Generate(demo.Options{Rows: n, Seed: 1, ErrorRate: 0.02,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)},
		func(r *register.Record) bool { recs = append(recs, *r); return true })
	b.ResetTimer()
	for b.Loop() {
		c := stats.NewCounter("2026-01-01", "2026-12-31")
		for i := range recs {
			c.Add(&recs[i], "")
		}
		if c.Tables().ServicesTotal == 0 {
			b.Fatal("nothing counted")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReport1M measures `esep report` as it runs today: every table of
// spec §4 over a year of one million records, read from the database and
// counted, on each engine. Building the database (generating and importing
// the million rows) is set-up and not timed.
func BenchmarkReport1M(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	file := filepath.Join(dir, "r.csv")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	err = demo.WriteCSV(f, demo.Options{Rows: n, Seed: 1, ErrorRate: 0.02,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db, err := store.Open(ctx, e.DSN(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			start := time.Now()
			if _, err := ingest.ImportFile(ctx, db, file, store.ImportMeta{By: "bench"}, ingest.Options{}); err != nil {
				b.Fatal(err)
			}
			b.Logf("set-up: imported %d rows in %s", n, time.Since(start).Round(time.Millisecond))
			b.ResetTimer()
			for b.Loop() {
				t, _, err := stats.Compute(ctx, &monitor.Cycle{DB: db}, "2026-01-01", "2026-12-31")
				if err != nil {
					b.Fatal(err)
				}
				if t.ServicesTotal < n*9/10 {
					b.Fatalf("counted %d", t.ServicesTotal)
				}
			}
		})
	}
}
