package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"esep/internal/demo"
	"esep/internal/monitor"
	"esep/internal/register"
)

// The records of the indicators phase and their exclusion reasons, made as
// internal/stats/index/bench_test.go makes them (test files cannot be
// imported, so what is needed is repeated here): the register of
// benchOptions, excluded by the act rules as the cycle would exclude them,
// and one month's register delivered late.

// lateMonth is the month whose register arrived after its deadline, so
// that the quarter of the figures has records excluded as late.
const lateMonth = "2026-05"

// The periods measured: the twelve months the register spans (every record
// is read, the hardest case), and one quarter of them.
var (
	yearPeriod    = period{"year", "2025-11-01", "2026-10-31"}
	quarterPeriod = period{"quarter", "2026-04-01", "2026-06-30"}
)

type period struct{ name, from, to string }

// benchReason excludes as the cycle would, without the validation that
// the import runs: the act rules, and the late register of lateMonth.
func benchReason(r *register.Record) string {
	f := register.Facts{InCycle: true, ArrivedAt: r.EndDate + "T10:00:00+05:00"}
	if len(r.EndDate) >= 7 && r.EndDate[:7] == lateMonth {
		f.ArrivedAt = "2026-06-15T10:00:00+05:00"
	}
	return monitor.Exclusion(r, &f)
}

// sample is a register held in memory with its reasons: the 1M size,
// where stats.Compute is run over the same records as the reference.
type sample struct {
	recs    []register.Record
	reasons []string
}

func generate(rows int) *sample {
	s := &sample{recs: make([]register.Record, 0, rows), reasons: make([]string, 0, rows)}
	demo.Generate(benchOptions(rows), func(r *register.Record) bool {
		s.recs = append(s.recs, *r)
		s.reasons = append(s.reasons, benchReason(r))
		return true
	})
	return s
}

// EachCounted makes a sample a stats.Source.
func (s *sample) EachCounted(ctx context.Context, from, to string, fn func(*register.Record, string) error) error {
	for i := range s.recs {
		if r := &s.recs[i]; r.EndDate >= from && r.EndDate <= to {
			if err := fn(r, s.reasons[i]); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// stream is a stats.Source that generates its records as it gives them, a
// batch at a time, so that ten million never sit in memory as records
// (about a kilobyte each). Each batch is first handed to also (DuckDB's
// appender), then to the source's reader (the index's Load); the time the
// reader spends on the batches is summed in readerTime, so that one pass of
// the generator measures the index's load without the generator's time,
// which is most of the pass.
type stream struct {
	rows       int
	batch      int
	also       func(recs []register.Record, reasons []string) error
	readerTime time.Duration // in the reader's hands
	took       time.Duration // the whole of EachCounted
}

func (s *stream) EachCounted(ctx context.Context, from, to string, fn func(*register.Record, string) error) error {
	begin := time.Now()
	defer func() { s.took += time.Since(begin) }()
	recs := make([]register.Record, 0, s.batch)
	reasons := make([]string, 0, s.batch)
	flush := func() error {
		if s.also != nil {
			if err := s.also(recs, reasons); err != nil {
				return err
			}
		}
		start := time.Now()
		for i := range recs {
			if r := &recs[i]; r.EndDate >= from && r.EndDate <= to {
				if err := fn(r, reasons[i]); err != nil {
					return err
				}
			}
		}
		s.readerTime += time.Since(start)
		clear(recs) // drop the strings of the batch before the next is made
		recs, reasons = recs[:0], reasons[:0]
		return ctx.Err()
	}
	var err error
	demo.Generate(benchOptions(s.rows), func(r *register.Record) bool {
		recs = append(recs, *r)
		reasons = append(reasons, benchReason(r))
		if len(recs) == s.batch {
			err = flush()
		}
		return err == nil
	})
	if err == nil && len(recs) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("stream of %d records: %w", s.rows, err)
	}
	return nil
}

// heapBytes is the Go heap in use after two collections: what is live.
// DuckDB's memory is outside the Go heap and not in it.
func heapBytes() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}
