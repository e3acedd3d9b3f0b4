package index

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/stats"
)

// The benchmarks run on a generated register of 2026 (2% of records with
// mistakes, the May register late), so a year is every record and a
// quarter about a quarter of them:
//
//	go test -run XXX -bench . -benchmem ./internal/stats/index/
//
// With ESEP_BENCH_10M=1 set, BenchmarkCompute10M also builds a ten-million
// record index (several minutes, most of them generating, and about 7 GB
// while the generator runs); without it that benchmark says it skipped.

type sample struct {
	recs    []register.Record
	reasons []string
}

var (
	oneMillion     sample
	oneMillionOnce sync.Once
)

func million(b *testing.B) *sample {
	oneMillionOnce.Do(func() {
		start := time.Now()
		oneMillion = generate(1_000_000, "SRV")
		b.Logf("set-up: generated %d records in %s", len(oneMillion.recs), time.Since(start).Round(time.Millisecond))
	})
	return &oneMillion
}

func benchOptions(rows int, prefix string) demo.Options {
	return demo.Options{Rows: rows, Seed: 1, ErrorRate: 0.02, IDPrefix: prefix,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
}

func generate(rows int, prefix string) sample {
	s := sample{recs: make([]register.Record, 0, rows), reasons: make([]string, 0, rows)}
	demo.Generate(benchOptions(rows, prefix), func(r *register.Record) bool {
		s.recs = append(s.recs, *r)
		s.reasons = append(s.reasons, benchReason(r))
		return true
	})
	return s
}

// benchReason excludes as the cycle would, without the validation that
// the tests run: the act rules, and the late May register.
func benchReason(r *register.Record) string {
	f := register.Facts{InCycle: true, ArrivedAt: r.EndDate + "T10:00:00+05:00"}
	if len(r.EndDate) >= 7 && r.EndDate[:7] == lateMonth {
		f.ArrivedAt = "2026-06-15T10:00:00+05:00"
	}
	return monitor.Exclusion(r, &f)
}

// source gives a sample as a stats.Source, in memory.
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

func (s *sample) index(b *testing.B) *Index {
	x := New()
	if err := x.Load(context.Background(), s, "", "\U0010FFFF"); err != nil {
		b.Fatal(err)
	}
	return x
}

var periodsByName = []struct{ name, from, to string }{
	{"year", "2026-01-01", "2026-12-31"},
	{"quarter", "2026-04-01", "2026-06-30"},
}

// BenchmarkCompute1M counts every table of spec §4 over a year and a
// quarter of a million records, on one worker and on two.
func BenchmarkCompute1M(b *testing.B) {
	benchPeriods(b, million(b).index(b))
}

// benchPeriods runs Compute over a year and a quarter, on one worker and
// on two.
func benchPeriods(b *testing.B, x *Index) {
	for _, p := range periodsByName {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", p.name, w), func(b *testing.B) {
				x.workers = w
				cpu := cpuTime()
				for b.Loop() {
					if t, _ := x.Compute(p.from, p.to); t.ServicesTotal == 0 {
						b.Fatal("nothing counted")
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkVersusCounter1M times stats.Counter and the index on the same
// year of the same million records, in the same run, and reports both and
// their ratio. Counter is given the records already in memory, so its time
// is counting alone, without the database.
func BenchmarkVersusCounter1M(b *testing.B) {
	s := million(b)
	x := s.index(b)
	from, to := "2026-01-01", "2026-12-31"
	var counter, index time.Duration
	for b.Loop() {
		start := time.Now()
		c := stats.NewCounter(from, to)
		for i := range s.recs {
			if r := &s.recs[i]; r.EndDate >= from && r.EndDate <= to {
				c.Add(r, s.reasons[i])
			}
		}
		want, _ := c.Tables(), c.National()
		counter += time.Since(start)
		start = time.Now()
		got, _ := x.Compute(from, to)
		index += time.Since(start)
		if got.ServicesTotal != want.ServicesTotal {
			b.Fatalf("index counted %d services, Counter %d", got.ServicesTotal, want.ServicesTotal)
		}
	}
	b.ReportMetric(float64(counter.Milliseconds())/float64(b.N), "counter-ms")
	b.ReportMetric(float64(index.Microseconds())/1000/float64(b.N), "index-ms")
	b.ReportMetric(float64(counter)/float64(index), "ratio")
}

// BenchmarkPut measures the incremental path on a warm index of a million
// records: a new record, a correction that moves a record to another day
// and client, and an exclusion change.
func BenchmarkPut(b *testing.B) {
	s := million(b)
	x := s.index(b)
	fresh := generate(100_000, "NEW")
	b.Run("insert", func(b *testing.B) {
		i := 0
		for b.Loop() {
			r := fresh.recs[i%len(fresh.recs)]
			r.RecordID = fmt.Sprintf("INS-%d", i)
			x.Put(&r, "")
			i++
		}
	})
	b.Run("correct", func(b *testing.B) {
		i := 0
		for b.Loop() {
			r := s.recs[(i*7919)%len(s.recs)]
			o := &fresh.recs[i%len(fresh.recs)]
			r.EndDate, r.ClientIIN, r.RegionKATO = o.EndDate, o.ClientIIN, o.RegionKATO
			x.Put(&r, s.reasons[i%len(s.reasons)])
			i++
		}
	})
	b.Run("exclude", func(b *testing.B) {
		i := 0
		for b.Loop() {
			x.SetExcluded(s.recs[(i*7919)%len(s.recs)].RecordID, []string{"", register.ExcludedLate}[i%2])
			i++
		}
	})
}

// BenchmarkLoad1M rebuilds the index of a million records from memory, as
// after a restart (the database read not included), and reports the bytes
// the index holds per record: HeapAlloc after a collection, with and
// without it, over the records.
func BenchmarkLoad1M(b *testing.B) {
	s := million(b)
	for b.Loop() {
		s.index(b)
	}
	b.ReportMetric(float64(len(s.recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	_, perRecord, scratch, _ := loadMeasured(b, s, len(s.recs))
	b.ReportMetric(perRecord, "B/record")
	b.ReportMetric(scratch, "scratch-B/record")
}

// loadMeasured loads an index from src and measures what it holds, and
// what one Compute keeps pooled beside it (its workers' small counts
// aside), per record.
func loadMeasured(b *testing.B, src stats.Source, n int) (x *Index, index, scratch float64, took time.Duration) {
	heap := func() float64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc)
	}
	before := heap()
	start := time.Now()
	x = New()
	if err := x.Load(context.Background(), src, "", "\U0010FFFF"); err != nil {
		b.Fatal(err)
	}
	took = time.Since(start)
	loaded := heap()
	s := x.getScratch()
	withScratch := heap()
	x.scratch.Put(s)
	return x, (loaded - before) / float64(n), (withScratch - loaded) / float64(n), took
}

// BenchmarkCompute10M counts a year of ten million records (all of them in
// the one year, the hardest case: every row is read) and a quarter, and
// logs the load time and the bytes per record at that size. It needs
// ESEP_BENCH_10M=1 and -v for the log.
func BenchmarkCompute10M(b *testing.B) {
	if os.Getenv("ESEP_BENCH_10M") != "1" {
		b.Skip("skipped: set ESEP_BENCH_10M=1 to build a ten-million record index (minutes, ~7 GB)")
	}
	const n = 10_000_000
	src := streamSource{n}
	start := time.Now()
	if err := src.EachCounted(context.Background(), "", "\U0010FFFF", func(*register.Record, string) error { return nil }); err != nil {
		b.Fatal(err)
	}
	gen := time.Since(start)
	x, perRecord, scratch, took := loadMeasured(b, src, n)
	b.Logf("set-up: generating %d records alone took %s; generating and loading them %s (so Load about %s); index %.1f B/record, pooled scratch %.1f B/record",
		x.Len(), gen.Round(time.Millisecond), took.Round(time.Millisecond), (took - gen).Round(time.Millisecond), perRecord, scratch)
	benchPeriods(b, x)
}

// cpuTime is the processor time the process has used. The machine the
// figures come from is shared, so wall time per operation swings with the
// neighbours' load; processor time per operation says what the work costs.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(cpuTime()-since)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// streamSource generates records as it gives them, so that ten million
// never sit in memory as records.
type streamSource struct{ n int }

func (s streamSource) EachCounted(ctx context.Context, from, to string, fn func(*register.Record, string) error) error {
	var err error
	demo.Generate(benchOptions(s.n, "SRV"), func(r *register.Record) bool {
		if r.EndDate >= from && r.EndDate <= to {
			err = fn(r, benchReason(r))
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	return ctx.Err()
}
