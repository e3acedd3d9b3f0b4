package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/store"
)

// Targets of issue 6 for browsing the register.
const (
	browseP95     = 100 * time.Millisecond
	browsePage    = 50     // records on a page, as the web register page shows them
	browseCountTo = 10_000 // the count the page shows is exact up to this
)

// runBrowse loads the e.BigRows register into SQLite and into PostgreSQL
// through esep's own import (`esep import`, in files of a million rows:
// esep refuses a file over 1 GiB, and a register arrives by month; the
// imports' rate and peak memory are figures too), then reads pages of it as
// the web register page does (store.ListBrief and store.CountRecords) and
// reports their latency. After each engine's pages it rebuilds the
// indicator index from the register as a server does when it restarts
// (rebuild.go), and times it. With -keep the SQLite register stays in the
// working folder, for `-only rebuild` to time the rebuild again alone.
func runBrowse(ctx context.Context, e *env) ([]Figure, error) {
	file, err := e.registerCSV(e.BigRows)
	if err != nil {
		return nil, err
	}
	esep, err := e.esepBinary(ctx)
	if err != nil {
		return nil, err
	}
	parts, err := browseSplit(file, browsePartRows)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, p := range parts {
			os.Remove(p.path)
		}
	}()
	var figs []Figure

	dbPath := filepath.Join(e.Dir, browseDB)
	removeDB := func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(dbPath + suffix)
		}
	}
	removeDB() // one an earlier run kept in this folder
	if !e.Keep {
		defer removeDB()
	}
	f, err := browseLoad(ctx, e, esep, dbPath, parts, "SQLite")
	figs = append(figs, f...)
	if err != nil {
		return figs, err
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return figs, err
	}
	// Measured with the database in memory, as a server that has been up
	// a while has it (10M records are 8 GB, the machine has 24), and as
	// PostgreSQL always has it here (pgtest keeps its files in /dev/shm):
	// the file is read once first. Right after the load much of it is
	// not, and reads of it wait on the disk, with other work on the
	// machine; a series with the file out of the page cache follows.
	if err := browseWarm(dbPath); err != nil {
		db.Close()
		return figs, err
	}
	f, err = browseMeasure(ctx, e, db, "SQLite")
	figs = append(figs, f...)
	if err == nil {
		// After the pages, so as not to disturb them, and before the
		// cold series, which drops the file from the page cache anyway:
		// a restart of the server, its file still in the page cache.
		f, err = rebuildFigures(ctx, e, db, "SQLite", sizeLabel(e.BigRows)+" records", "")
		figs = append(figs, f...)
	}
	if err == nil {
		var cold Figure
		cold, err = browseCold(ctx, e, db, dbPath)
		figs = append(figs, cold)
	}
	db.Close()
	if err != nil {
		return figs, err
	}

	dsn, err := e.pgDatabase(ctx, "browse")
	if err != nil {
		return figs, err
	}
	f, err = browseLoad(ctx, e, esep, dsn, parts, "PostgreSQL")
	figs = append(figs, f...)
	if err != nil {
		return figs, err
	}
	// What autovacuum does on its own soon after a load this size, done
	// now so that every run measures the same settled database: statistics
	// for the planner and a visibility map for index-only scans.
	if err := browsePsql(ctx, dsn, "VACUUM ANALYZE"); err != nil {
		return figs, err
	}
	if db, err = store.Open(ctx, dsn); err != nil {
		return figs, err
	}
	defer db.Close()
	f, err = browseMeasure(ctx, e, db, "PostgreSQL")
	if figs = append(figs, f...); err != nil {
		return figs, err
	}
	f, err = rebuildFigures(ctx, e, db, "PostgreSQL", sizeLabel(e.BigRows)+" records", "")
	return append(figs, f...), err
}

// browseLoad imports the parts of the register into the database named by
// dsn, one `esep import` each, and returns the imports' figures: their
// rate, and their peak memory against the import's target.
func browseLoad(ctx context.Context, e *env, esep, dsn string, parts []browsePart, engine string) ([]Figure, error) {
	var total time.Duration
	var peak int64
	var rates []string
	done := 0
	for i, p := range parts {
		imp, err := esepImport(ctx, esep, dsn, p.path, p.rows)
		if err != nil {
			return nil, fmt.Errorf("load %s, file %d: %w", engine, i+1, err)
		}
		done += p.rows
		total += imp.took
		peak = max(peak, imp.peakMB)
		rate := int(float64(p.rows) / imp.took.Seconds())
		rates = append(rates, thousands(rate))
		e.Log.Info("browse: loaded", "engine", engine, "file", fmt.Sprintf("%d/%d", i+1, len(parts)), "records", done,
			"took", imp.took.Round(time.Millisecond), "rows_per_s", rate, "peak_mb", imp.peakMB, "note", imp.summary)
	}
	files := fmt.Sprintf("%d files", len(parts))
	if len(parts) == 1 {
		files = "1 file"
	}
	name := fmt.Sprintf("import into %s, %s in %s (the browse load)", engine, sizeLabel(done), files)
	return []Figure{
		{Name: name, Measured: fmt.Sprintf("%s rows/s (%.0f s)", thousands(int(float64(done)/total.Seconds())), total.Seconds()),
			Note: "rows/s by file, the first into an empty register: " + strings.Join(rates, ", ")},
		{Name: name + ", peak memory", Target: fmt.Sprintf("< %d MB", importMaxPeakMB), Measured: fmt.Sprintf("%d MB", peak),
			Ratio: fmt.Sprintf("%.2f of target", float64(peak)/importMaxPeakMB), Met: peak < importMaxPeakMB,
			Note: "the largest peak resident memory (VmHWM) of the imports"},
	}, nil
}

// browseMeasure reads pages of the register as its users would and
// returns the figures: the target filter (region, period, service and
// status), first pages and deep ones, both orders; and, for comparison,
// wider filters the same page allows.
func browseMeasure(ctx context.Context, e *env, db *store.DB, engine string) ([]Figure, error) {
	rnd := rand.New(rand.NewPCG(6, 1))
	target := browseTarget(rnd)
	regions := kz.Regions()
	months := browseMonths()
	status := []string{"", "valid", "blocking"}
	wide := []func() store.RecordFilter{
		func() store.RecordFilter { return store.RecordFilter{Oldest: rnd.IntN(2) == 0} },
		func() store.RecordFilter {
			return store.RecordFilter{Region: regions[rnd.IntN(len(regions))].Code, Status: status[rnd.IntN(len(status))], Oldest: rnd.IntN(2) == 0}
		},
		func() store.RecordFilter {
			m := months[rnd.IntN(len(months))]
			return store.RecordFilter{From: m + "-01", To: monthEnd(m), Status: status[rnd.IntN(len(status))], Oldest: rnd.IntN(2) == 0}
		},
	}
	n := 200
	if e.Quick {
		n = 60
	}
	// Warm the caches as a server that has been up a while has them.
	for range 20 {
		if _, err := browsePages(ctx, db, target(), 1); err != nil {
			return nil, err
		}
	}
	var first, deep, count, wideT, wideCount []time.Duration
	for range n {
		f := target()
		t, err := browsePages(ctx, db, f, 5)
		if err != nil {
			return nil, err
		}
		first = append(first, t.pages[0])
		deep = append(deep, t.pages[1:]...)
		count = append(count, t.count)
		// A deep page: the cursor of someone who paged to the middle of
		// the period.
		d, err := browseDeep(ctx, db, f)
		if err != nil {
			return nil, err
		}
		deep = append(deep, d)
		w, err := browsePages(ctx, db, wide[rnd.IntN(len(wide))](), 2)
		if err != nil {
			return nil, err
		}
		wideT = append(wideT, w.pages...)
		wideCount = append(wideCount, w.count)
	}
	fig := func(what string, ds []time.Duration, target bool, note string) Figure {
		return browseFigure(e, engine, what, ds, target, note)
	}
	return []Figure{
		fig("first page", first, true, fmt.Sprintf("%d filters of region+service+month or quarter+status, both orders; page of %d with its count", n, browsePage)),
		fig("deep pages", deep, true, "pages 2-5 by cursor and one from the middle of the period, with the count"),
		fig("page count alone", count, false, fmt.Sprintf("exact up to %s, else \"more than\"", thousands(browseCountTo))),
		fig("wider filters", wideT, false, "no filter, region(+status), month(+status): pages 1-2 with the count"),
		fig("wider filters' count", wideCount, false, ""),
	}, nil
}

// browseTarget returns a generator of filters of the target's shape: a
// region, a service, a month or a quarter, any status, either order.
func browseTarget(rnd *rand.Rand) func() store.RecordFilter {
	regions := kz.Regions()
	services := register.DefaultServices()
	months := browseMonths()
	status := []string{"", "valid", "blocking"}
	return func() store.RecordFilter {
		from, to := months[rnd.IntN(len(months))], ""
		if rnd.IntN(3) == 0 { // a quarter: this month and the next two
			i := slices.Index(months, from)
			to = monthEnd(months[min(i+2, len(months)-1)])
		} else {
			to = monthEnd(from)
		}
		return store.RecordFilter{Region: regions[rnd.IntN(len(regions))].Code, Service: services[rnd.IntN(len(services))].Code,
			From: from + "-01", To: to, Status: status[rnd.IntN(len(status))], Oldest: rnd.IntN(2) == 0}
	}
}

// browseFigure is the line of the table of latencies ds: p50, p95, p99,
// against the target if it is one.
func browseFigure(e *env, engine, what string, ds []time.Duration, target bool, note string) Figure {
	p50, p95, p99 := pct(ds, 50), pct(ds, 95), pct(ds, 99)
	f := Figure{Name: fmt.Sprintf("browse %s, %s, %s", what, sizeLabel(e.BigRows), engine),
		Measured: fmt.Sprintf("p50 %s, p95 %s, p99 %s", ms(p50), ms(p95), ms(p99)), Note: note}
	if target {
		f.Target = fmt.Sprintf("p95 < %d ms", browseP95.Milliseconds())
		f.Ratio = fmt.Sprintf("%.2f of target", p95.Seconds()/browseP95.Seconds())
		f.Met = p95 < browseP95
	}
	return f
}

// browseCold reads first pages of the target's filters with the SQLite
// file dropped from the page cache before the series: what the first
// users of a server see after it starts on a cold machine, or when the
// machine's memory has gone to something else.
func browseCold(ctx context.Context, e *env, db *store.DB, path string) (Figure, error) {
	if err := browseEvict(path); err != nil {
		return Figure{}, err
	}
	target := browseTarget(rand.New(rand.NewPCG(7, 1)))
	var first []time.Duration
	for range 100 {
		t, err := browsePages(ctx, db, target(), 1)
		if err != nil {
			return Figure{}, err
		}
		first = append(first, t.pages[0])
	}
	return browseFigure(e, "SQLite", "first page, cold file", first, false,
		"100 first pages as above, the database file dropped from the page cache before them (not the target's condition)"), nil
}

// browseWarm reads the file once, so that its pages are in the kernel's
// page cache.
func browseWarm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

// browseTimes are the latencies of the pages read of one filter, each with
// the count the page shows, and of that count alone.
type browseTimes struct {
	pages []time.Duration
	count time.Duration
}

// browsePages reads up to n pages of f, following the cursors, as the page
// does: the records' brief rows, then their count.
func browsePages(ctx context.Context, db *store.DB, f store.RecordFilter, n int) (browseTimes, error) {
	var t browseTimes
	cursor := ""
	for i := 0; i < n; i++ {
		start := time.Now()
		_, next, err := db.ListBrief(ctx, f, cursor, browsePage)
		if err != nil {
			return t, err
		}
		c := time.Now()
		if _, _, err := db.CountRecords(ctx, f, browseCountTo); err != nil {
			return t, err
		}
		end := time.Now()
		t.pages = append(t.pages, end.Sub(start))
		if i == 0 {
			t.count = end.Sub(c)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return t, nil
}

// browseDeep reads the page of f that starts in the middle of its period.
func browseDeep(ctx context.Context, db *store.DB, f store.RecordFilter) (time.Duration, error) {
	from, _ := time.Parse(time.DateOnly, f.From)
	to, _ := time.Parse(time.DateOnly, f.To)
	cursor := from.Add(to.Sub(from)/2).Format(time.DateOnly) + "|SRV-2026-5"
	start := time.Now()
	if _, _, err := db.ListBrief(ctx, f, cursor, browsePage); err != nil {
		return 0, err
	}
	if _, _, err := db.CountRecords(ctx, f, browseCountTo); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// browseMonths are the months of the bench register, YYYY-MM.
func browseMonths() []string {
	o := benchOptions(1)
	var out []string
	for m := time.Date(o.From.Year(), o.From.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(o.To); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// monthEnd is the last day of month m (YYYY-MM).
func monthEnd(m string) string {
	t, _ := time.Parse("2006-01", m)
	return t.AddDate(0, 1, -1).Format(time.DateOnly)
}

// browseDB is the browse phase's SQLite register in the working folder.
const browseDB = "browse.db"

// browsePartRows is the rows of each file the register is loaded from.
const browsePartRows = 1_000_000

// browsePart is a file of the register cut for loading.
type browsePart struct {
	path string
	rows int
}

// browseSplit cuts the CSV file into files of at most n rows, each with the
// header. The generated register has no line ends inside quoted fields, so
// a line is a row.
func browseSplit(file string, n int) ([]browsePart, error) {
	in, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	r := bufio.NewReaderSize(in, 1<<20)
	header, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	var parts []browsePart
	var out *os.File
	var w *bufio.Writer
	closePart := func() error {
		if out == nil {
			return nil
		}
		err := w.Flush()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		out = nil
		return err
	}
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			break
		}
		if err != nil && err != io.EOF {
			closePart()
			return parts, err
		}
		if out == nil || parts[len(parts)-1].rows == n {
			if err := closePart(); err != nil {
				return parts, err
			}
			p := fmt.Sprintf("%s.part%02d.csv", strings.TrimSuffix(file, ".csv"), len(parts)+1)
			if out, err = os.Create(p); err != nil {
				return parts, err
			}
			parts = append(parts, browsePart{path: p})
			w = bufio.NewWriterSize(out, 1<<20)
			w.WriteString(header)
		}
		w.WriteString(line)
		parts[len(parts)-1].rows++
	}
	return parts, closePart()
}

func browsePsql(ctx context.Context, dsn, sql string) error {
	psql, err := psqlBinary()
	if err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql).CombinedOutput(); err != nil {
		return fmt.Errorf("psql %s: %v: %s", sql, err, out)
	}
	return nil
}

// pct is the p-th percentile of ds (nearest rank).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(i, len(s))-1)]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
