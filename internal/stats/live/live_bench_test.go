package live_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/stats/live"
	"esep/internal/store"
)

// BenchmarkLoad rebuilds the index from a SQLite database of 100,000
// records, as a server does when it starts:
//
//	go test -run XXX -bench Load -cpuprofile cpu.out ./internal/stats/live/
func BenchmarkLoad(b *testing.B) {
	const rows = 100_000
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "esep.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var recs []register.Record
	demo.Generate(demo.Options{Rows: rows, Seed: 1, ErrorRate: 0.02,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
		func(r *register.Record) bool { recs = append(recs, *r); return true })
	if _, err := ingest.ImportRecords(ctx, db, recs, store.ImportMeta{By: "bench"}, ingest.Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := live.New(&monitor.Cycle{DB: db}).Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
