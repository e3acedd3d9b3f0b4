package stats_test

import (
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/register"
	"esep/internal/stats"
)

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
			c.Add(&recs[i], stats.Status{})
		}
		if c.Tables().ServicesTotal == 0 {
			b.Fatal("nothing counted")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
