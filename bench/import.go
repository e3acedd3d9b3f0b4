package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/store"
)

// Targets of issue 6 for the import.
const (
	importRowsPerSec  = 250_000
	importMaxVsSQLite = 2.0 // esep's time over sqlite3 .import's
	importMaxPeakMB   = 500
)

// runImport measures a validated import of the e.Rows register into an
// empty database, as an operator runs it (`esep import`, built from this
// tree), in the same run as each engine's own loader given the same file
// with no validation at all: `sqlite3 db ".import --csv file t"` and
// PostgreSQL's COPY through psql's \copy (COPY FROM STDIN, the bulk-load
// protocol esep's own import uses). Every import runs in a process of its
// own, so that its peak resident memory is the import's and nothing
// else's, and each loader's time includes starting its process, as esep's
// does. The processor time of esep's import is in the note: on a shared
// machine it varies less than the wall time.
func runImport(ctx context.Context, e *env) ([]Figure, error) {
	file, err := e.registerCSV(e.Rows)
	if err != nil {
		return nil, err
	}
	esep, err := e.esepBinary(ctx)
	if err != nil {
		return nil, err
	}
	name := func(what string) string { return fmt.Sprintf("import %s, %s", what, sizeLabel(e.Rows)) }
	var figs []Figure

	// SQLite: the command-line tool's .import first, then esep.
	raw, err := sqlite3Import(ctx, filepath.Join(e.Dir, "import-raw.db"), file)
	if err != nil {
		return nil, err
	}
	e.Log.Info("sqlite3 .import", "rows", e.Rows, "took", raw.Round(time.Millisecond))
	dbPath := filepath.Join(e.Dir, "import.db")
	lite, err := esepImport(ctx, esep, dbPath, file, e.Rows)
	if err != nil {
		return nil, fmt.Errorf("esep import into SQLite: %w", err)
	}
	e.Log.Info("esep import", "engine", "sqlite", "rows", e.Rows, "took", lite.took.Round(time.Millisecond), "peak_mb", lite.peakMB)
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm", filepath.Join(e.Dir, "import-raw.db")} {
		os.Remove(p)
	}
	rate := float64(e.Rows) / lite.took.Seconds()
	vs := lite.took.Seconds() / raw.Seconds()
	figs = append(figs,
		Figure{Name: name("into SQLite"), Target: fmt.Sprintf("≥ %s rows/s", thousands(importRowsPerSec)),
			Measured: fmt.Sprintf("%s rows/s (%.2f s)", thousands(int(rate)), lite.took.Seconds()),
			Ratio:    fmt.Sprintf("%.2f of target", rate/importRowsPerSec), Met: rate >= importRowsPerSec,
			Note: lite.summary},
		Figure{Name: name("into SQLite vs sqlite3 .import"), Target: fmt.Sprintf("≤ %.0f× .import", importMaxVsSQLite),
			Measured: fmt.Sprintf("%.2f s vs %.2f s", lite.took.Seconds(), raw.Seconds()),
			Ratio:    fmt.Sprintf("%.2f× .import", vs), Met: vs <= importMaxVsSQLite,
			Note: "sqlite3 .import: same file, all TEXT, no keys, no validation"},
	)

	// PostgreSQL: the run's throwaway server (pgtest: data in memory,
	// fsync off), raw COPY and esep into databases of their own.
	rawDSN, err := e.pgDatabase(ctx, "import_raw")
	if err != nil {
		return figs, err
	}
	cp, err := psqlCopy(ctx, rawDSN, file)
	if err != nil {
		return figs, err
	}
	e.Log.Info("psql \\copy", "rows", e.Rows, "took", cp.Round(time.Millisecond))
	dsn, err := e.pgDatabase(ctx, "import_esep")
	if err != nil {
		return figs, err
	}
	pg, err := esepImport(ctx, esep, dsn, file, e.Rows)
	if err != nil {
		return figs, fmt.Errorf("esep import into PostgreSQL: %w", err)
	}
	e.Log.Info("esep import", "engine", "postgres", "rows", e.Rows, "took", pg.took.Round(time.Millisecond), "peak_mb", pg.peakMB)
	prate := float64(e.Rows) / pg.took.Seconds()
	figs = append(figs,
		Figure{Name: name("into PostgreSQL vs COPY"), Target: "COPY-class",
			Measured: fmt.Sprintf("%s rows/s (%.2f s vs COPY %.2f s)", thousands(int(prate)), pg.took.Seconds(), cp.Seconds()),
			Ratio:    fmt.Sprintf("%.2f× COPY", pg.took.Seconds()/cp.Seconds()), Met: pg.took <= 2*cp,
			Note: "met means within 2× raw COPY into a table of text columns; server of pgtest (fsync off, data in memory)"},
		Figure{Name: name("peak memory"), Target: fmt.Sprintf("< %d MB", importMaxPeakMB),
			Measured: fmt.Sprintf("%d MB SQLite, %d MB PostgreSQL", lite.peakMB, pg.peakMB),
			Ratio:    fmt.Sprintf("%.2f of target", float64(max(lite.peakMB, pg.peakMB))/importMaxPeakMB),
			Met:      max(lite.peakMB, pg.peakMB) < importMaxPeakMB, Note: "peak resident memory (VmHWM) of the esep import process"},
	)
	return figs, nil
}

// imported is what one `esep import` process did.
type imported struct {
	took    time.Duration
	peakMB  int64
	summary string // what it did with the rows, and its processor time
}

// esepImport creates esep's schema in the database named by dsn, so that
// the measured process only checks it, then runs `esep import` of file in
// a process of its own and checks that it read every row.
func esepImport(ctx context.Context, esep, dsn, file string, rows int) (imported, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return imported{}, err
	}
	db.Close()
	cmd := exec.CommandContext(ctx, esep, "--db", dsn, "--lang", "en", "import", "--format", "json", file)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return imported{}, err
	}
	peak := make(chan int64)
	go func() { peak <- watchPeak(cmd.Process.Pid) }()
	err = cmd.Wait()
	took := time.Since(start)
	peakMB := <-peak >> 20
	if err != nil {
		return imported{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	var res struct {
		Summary store.ImportSummary `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return imported{}, fmt.Errorf("esep import output: %w", err)
	}
	s := res.Summary
	if s.RowsRead != rows {
		return imported{}, fmt.Errorf("esep import read %d rows, want %d", s.RowsRead, rows)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return imported{took: took, peakMB: peakMB,
		summary: fmt.Sprintf("accepted %d, warned %d, rejected %d; processor %.1f s", s.Accepted, s.Warned, s.Rejected, cpu.Seconds())}, nil
}

// watchPeak returns the peak resident memory of the process pid, in bytes:
// the last high-water mark (VmHWM) the kernel reported for it before it
// exited, read every few milliseconds. The rusage of the finished process
// would not do: Go starts a child with vfork, and Linux counts the memory
// the parent had when the child started as the child's maximum.
func watchPeak(pid int) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak int64
	for {
		data, err := os.ReadFile(path)
		if err != nil {
			return peak
		}
		hwm := int64(-1)
		for line := range strings.Lines(string(data)) {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				fmt.Sscan(rest, &hwm)
			}
		}
		if hwm < 0 { // exited: a zombie has no memory left to report
			return peak
		}
		peak = max(peak, hwm<<10)
		time.Sleep(5 * time.Millisecond)
	}
}

// sqlite3Import loads file into a new table of a new database with the
// sqlite3 command-line tool and returns the time it took.
func sqlite3Import(ctx context.Context, db, file string) (time.Duration, error) {
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		return 0, fmt.Errorf("no sqlite3 command-line tool to compare with (apt-get install sqlite3): %w", err)
	}
	os.Remove(db)
	start := time.Now()
	out, err := exec.CommandContext(ctx, bin, db, ".import --csv "+file+" records_raw").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("sqlite3 .import: %v: %s", err, out)
	}
	return time.Since(start), nil
}

// psqlCopy loads file into a new table of text columns with psql's \copy,
// COPY FROM STDIN fed by the client, and returns the time it took.
func psqlCopy(ctx context.Context, dsn, file string) (time.Duration, error) {
	psql, err := psqlBinary()
	if err != nil {
		return 0, err
	}
	table := `CREATE TABLE records_raw (` + strings.Join(register.ColumnNames(), " TEXT, ") + ` TEXT)`
	if out, err := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", table).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("psql: %v: %s", err, out)
	}
	start := time.Now()
	out, err := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn,
		"-c", `\copy records_raw FROM '`+file+`' WITH (FORMAT csv, HEADER true)`).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("psql \\copy: %v: %s", err, out)
	}
	return time.Since(start), nil
}

// psqlBinary is the psql of the PostgreSQL that pgtest runs.
func psqlBinary() (string, error) {
	dir, err := pgtest.Available()
	if err != nil {
		return "", err
	}
	if p := filepath.Join(dir, "psql"); importFileExists(p) {
		return p, nil
	}
	return exec.LookPath("psql")
}

// esepBinary builds the esep command of this source tree, once per run: a
// binary left in a kept working folder may be of older sources.
func (e *env) esepBinary(ctx context.Context) (string, error) {
	bin := filepath.Join(e.Dir, "esep")
	if esepBuilt {
		return bin, nil
	}
	// The esep module is the replace target of this one: ask go where.
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "esep").Output()
	if err != nil {
		return "", fmt.Errorf("find the esep module: %w", err)
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/esep")
	build.Dir = strings.TrimSpace(string(out))
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/esep: %v: %s", err, out)
	}
	esepBuilt = true
	return bin, nil
}

var esepBuilt bool

func importFileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
