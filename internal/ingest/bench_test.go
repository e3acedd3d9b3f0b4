package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

var (
	benchOnce sync.Once
	benchFile string
)

const benchRows = 100_000

// demoFile writes a generated register of benchRows rows once per run.
func demoFile(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "esep-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchFile = filepath.Join(dir, "r.csv")
		f, err := os.Create(benchFile)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		err = demo.WriteCSV(f, demo.Options{Rows: benchRows, Seed: 1, ErrorRate: 0.02,
			From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			b.Fatal(err)
		}
	})
	return benchFile
}

// BenchmarkImport measures a validated import of a 100,000-row register into
// an empty database, on each engine, in rows per second.
func BenchmarkImport(b *testing.B) {
	file := demoFile(b)
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db, err := store.Open(context.Background(), e.DSN(b))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := ingest.ImportFile(context.Background(), db, file, store.ImportMeta{By: "bench"}, ingest.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Summary.RowsRead != benchRows {
					b.Fatalf("read %d rows", res.Summary.RowsRead)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
