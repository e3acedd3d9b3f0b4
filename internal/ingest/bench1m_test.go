package ingest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"esep/internal/demo"
	"esep/internal/ingest"
	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/store/storetest"
)

// BenchmarkImport1M is the yardstick of issue 6: a validated import of a
// generated register of 1,000,000 rows (`esep demo --rows 1000000 --seed 1`,
// 2% of rows with mistakes) into an empty database, measured in the same run
// as the engines' own bulk loaders given the same file with no validation at
// all — `sqlite3 db ".import --csv file records_raw"` for SQLite, COPY FROM
// STDIN into a table of text columns for PostgreSQL. It reports rows/s, the
// ratio of esep's time to the loader's, and the peak resident memory of the
// import (VmHWM, reset before each import).
//
// It takes minutes and a 400 MB temporary file, so it runs only with
// ESEP_BENCH_1M=1 (ESEP_BENCH_ROWS changes the number of rows):
//
//	ESEP_BENCH_1M=1 go test -run XXX -bench Import1M -benchtime 1x -timeout 30m ./internal/ingest/
func BenchmarkImport1M(b *testing.B) {
	if os.Getenv("ESEP_BENCH_1M") != "1" {
		b.Skip("SKIPPED: BenchmarkImport1M runs only with ESEP_BENCH_1M=1 (minutes, a 400 MB file)")
	}
	rows := 1_000_000
	if s := os.Getenv("ESEP_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("ESEP_BENCH_ROWS=%q: not a positive number", s)
		}
		rows = n
	}
	dir := b.TempDir()
	file := filepath.Join(dir, "register.csv")
	writeRegister(b, file, rows)
	var sqlite3Time, copyTime time.Duration

	b.Run("sqlite3_import", func(b *testing.B) {
		bin, err := exec.LookPath("sqlite3")
		if err != nil {
			b.Skip("SKIPPED: no sqlite3 command-line tool (apt-get install sqlite3): no ratio to report")
		}
		for b.Loop() {
			db := filepath.Join(b.TempDir(), "raw.db")
			start := time.Now()
			out, err := exec.Command(bin, db, ".import --csv "+file+" records_raw").CombinedOutput()
			if err != nil {
				b.Fatalf("sqlite3 .import: %v\n%s", err, out)
			}
			sqlite3Time = time.Since(start)
		}
		b.ReportMetric(float64(rows)/sqlite3Time.Seconds(), "rows/s")
	})
	b.Run("pg_copy", func(b *testing.B) {
		dsn := pgtest.Database(b)
		for b.Loop() {
			copyTime = copyRaw(b, dsn, file)
		}
		b.ReportMetric(float64(rows)/copyTime.Seconds(), "rows/s")
	})
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			var took time.Duration
			var peak int64
			for b.Loop() {
				db, err := store.Open(context.Background(), e.DSN(b))
				if err != nil {
					b.Fatal(err)
				}
				resetPeakRSS(b)
				start := time.Now()
				res, err := ingest.ImportFile(context.Background(), db, file, store.ImportMeta{By: "bench"}, ingest.Options{})
				took = time.Since(start)
				peak = peakRSS(b)
				if err != nil {
					b.Fatal(err)
				}
				if res.Summary.RowsRead != rows {
					b.Fatalf("read %d rows, want %d", res.Summary.RowsRead, rows)
				}
				db.Close()
			}
			b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			ref := sqlite3Time
			if e.Name == "postgres" {
				ref = copyTime
			}
			if ref > 0 {
				b.ReportMetric(took.Seconds()/ref.Seconds(), "x-loader")
			}
		})
	}
}

// writeRegister writes the register `esep demo --rows n --seed 1` writes for
// a fixed window, so that runs on different days read the same file.
func writeRegister(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = demo.WriteCSV(w, demo.Options{Rows: n, Seed: 1, ErrorRate: 0.02,
		From: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
}

// copyRaw loads the file into a fresh table of text columns with
// COPY FROM STDIN, the fastest way into PostgreSQL, and returns the time it
// took.
func copyRaw(b *testing.B, dsn, file string) time.Duration {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	cols := register.ColumnNames()
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS records_raw; CREATE TABLE records_raw (`+strings.Join(cols, " TEXT, ")+` TEXT)`); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	tag, err := conn.PgConn().CopyFrom(ctx, bufio.NewReaderSize(f, 1<<20), `COPY records_raw FROM STDIN (FORMAT csv, HEADER true)`)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if tag.RowsAffected() == 0 {
		b.Fatal("COPY loaded no rows")
	}
	return took
}

// resetPeakRSS collects garbage, returns it to the OS and resets the
// kernel's high-water mark of resident memory, so that peakRSS measures what
// comes next.
func resetPeakRSS(b *testing.B) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): peak-MB includes what ran before", err)
	}
}

// peakRSS returns the process's peak resident memory in bytes (VmHWM).
func peakRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Logf("peak RSS: %v", err)
		return 0
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			var kb int64
			if _, err := fmt.Sscan(string(rest), &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
