package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/stats/live"
	"esep/internal/store"
)

// rebuildTarget is issue 6's target for the warm indicator index after a
// restart: "rebuilt in seconds, not minutes".
const rebuildTarget = time.Minute

// rebuilt is the indicator index built from a database as a server builds
// it when it starts, and what that cost.
type rebuilt struct {
	cycle   *monitor.Cycle
	ind     *live.Indicators
	records int           // records in the database, so in the index
	took    time.Duration // live.Indicators.Load
	heap    float64       // Go heap the index holds after the load, bytes
	baseRSS int64         // resident memory of this process before the load, bytes (0: unknown)
	peakRSS int64         // its peak during the load (VmHWM), bytes (0: unknown)
}

// rebuildIndex builds the indicator index from every record in db the way
// `esep serve` does at start (web.Server.StartIndicators: live.New over
// the server's monitoring cycle, then live.Indicators.Start, which runs
// Load in the background) and times the Load. The Go heap is measured
// around it (two collections before and after, outside the timing), and
// the process's resident memory, its high-water mark reset first (Linux).
// db must hold a register of about rows records, since the figures are
// labelled with that size.
func rebuildIndex(ctx context.Context, db *store.DB, rows int) (*rebuilt, error) {
	n, _, err := db.CountRecords(ctx, store.RecordFilter{}, 1<<40)
	if err != nil {
		return nil, err
	}
	if n > rows || n < rows*9/10 {
		return nil, fmt.Errorf("the register holds %s records, not about %s (give the -big or -quick it was loaded with)", thousands(n), thousands(rows))
	}
	r := &rebuilt{cycle: &monitor.Cycle{DB: db, Calendar: kz.DefaultCalendar()}, records: n}
	r.ind = live.New(r.cycle)
	before := heapBytes()
	r.baseRSS = resetPeakRSS()
	start := time.Now()
	if err := r.ind.Load(ctx); err != nil {
		return nil, err
	}
	r.took = time.Since(start)
	r.peakRSS = procStatus("VmHWM:")
	r.heap = heapBytes() - before
	return r, nil
}

// figures are the table's lines of the rebuild of size records (its label)
// on engine: the time against the target, the index's memory against the
// indicator engine's.
func (r *rebuilt) figures(engine, size, note string) []Figure {
	rebuildNote := "every record read with its exclusion facts and put in the index, " +
		fmt.Sprintf("%sk records/s", thousands(int(float64(r.records)/r.took.Seconds()/1000)))
	if note != "" {
		rebuildNote += "; " + note
	}
	perRecord := r.heap / float64(max(r.records, 1))
	rss := "peak resident memory not known here"
	if r.peakRSS > 0 {
		rss = fmt.Sprintf("peak resident memory of the process during the load %d MB (%d MB before it)", r.peakRSS>>20, r.baseRSS>>20)
	}
	return []Figure{
		{Name: fmt.Sprintf("index rebuild after a restart, %s, %s", engine, size), Target: "seconds, not minutes", Measured: dur(r.took),
			Ratio: fmt.Sprintf("%.2f of a minute", r.took.Seconds()/rebuildTarget.Seconds()), Met: r.took < rebuildTarget, Note: rebuildNote},
		{Name: fmt.Sprintf("index memory after a restart, %s, %s", engine, size), Target: fmt.Sprintf("≤ %.0f B/record", targetPerByte),
			Measured: fmt.Sprintf("%.1f B/record", perRecord), Ratio: fmt.Sprintf("%.2f of target", perRecord/targetPerByte), Met: perRecord <= targetPerByte,
			Note: fmt.Sprintf("Go heap after GC, over %s records (%d MB); %s", thousands(r.records), int64(r.heap)>>20, rss)},
	}
}

// release lets the index go and gives its memory back to the system, so
// that what is measured next does not share the machine with it.
func (r *rebuilt) release() {
	r.ind, r.cycle = nil, nil
	debug.FreeOSMemory()
}

// resetPeakRSS gives the memory the Go heap does not use back to the
// system, resets the process's resident memory high-water mark (VmHWM) to
// its current resident memory, and returns that, in bytes; 0 where /proc
// does not allow it.
func resetPeakRSS() int64 {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0
	}
	return procStatus("VmRSS:")
}

// procStatus is the field of /proc/self/status given in kB, in bytes; 0 if
// there is none.
func procStatus(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			var kb int64
			fmt.Sscan(rest, &kb)
			return kb << 10
		}
	}
	return 0
}

// runRebuild times the index rebuild alone against the registers a browse
// run kept (`-only browse -keep -dir DIR`; the phase runs only when -only
// names it, and keeps DIR): the SQLite one in DIR, with its
// file in the page cache (a restart of the server) and then dropped from
// it (a restart of the machine); and the PostgreSQL database -pg names, if
// any, since the run's own PostgreSQL server is a throwaway one that is
// not kept. Give it the -big (or -quick) of the browse run: the figures
// are labelled with that size.
func runRebuild(ctx context.Context, e *env) ([]Figure, error) {
	size := sizeLabel(e.BigRows) + " records"
	path := filepath.Join(e.Dir, browseDB)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no register kept in %s (run `go run . -only browse -keep -dir %s` first, with the same -big or -quick): %w", e.Dir, e.Dir, err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := browseWarm(path); err != nil {
		return nil, err
	}
	figs, err := rebuildFigures(ctx, e, db, "SQLite", size, "")
	if err != nil {
		return figs, err
	}
	if err := browseEvict(path); err != nil {
		e.Log.Info("rebuild: no cold-file rebuild", "err", err)
	} else {
		f, err := rebuildFigures(ctx, e, db, "SQLite", size+", file cold",
			"the database file dropped from the page cache first, as after a restart of the machine")
		if len(f) > 0 {
			f = f[:1] // the index's memory is the same
		}
		if figs = append(figs, f...); err != nil {
			return figs, err
		}
	}
	if e.PG == "" {
		e.Log.Info("rebuild: PostgreSQL not measured: the browse run's server is not kept; pass -pg DSN of a database holding the register")
		return figs, nil
	}
	pg, err := store.Open(ctx, e.PG)
	if err != nil {
		return figs, err
	}
	defer pg.Close()
	f, err := rebuildFigures(ctx, e, pg, "PostgreSQL", size, "")
	return append(figs, f...), err
}

// rebuildFigures rebuilds the index from db, logs and returns its figures,
// and lets it go: the e.BigRows register of the browse phase.
func rebuildFigures(ctx context.Context, e *env, db *store.DB, engine, size, note string) ([]Figure, error) {
	r, err := rebuildIndex(ctx, db, e.BigRows)
	if err != nil {
		return nil, fmt.Errorf("index rebuild, %s: %w", engine, err)
	}
	defer r.release()
	e.Log.Info("index rebuilt", "engine", engine, "records", r.records, "took", r.took.Round(time.Millisecond),
		"heap_mb", int64(r.heap)>>20, "peak_rss_mb", r.peakRSS>>20, "base_rss_mb", r.baseRSS>>20)
	return r.figures(engine, size, note), nil
}
