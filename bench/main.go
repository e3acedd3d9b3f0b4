// Command bench generates registers and measures esep against the speed
// targets of issue 6, printing one table of figure, target, measured value
// and ratio, with the machine it ran on:
//
//	make bench                       # everything, at 1M and 10M records
//	cd bench && go run . -quick      # the same at small sizes, to try it
//	cd bench && go run . -only import,reports
//	cd bench && go run . -only rebuild -dir DIR   # against what -only browse -keep -dir DIR kept
//
// Each phase lives in a file of its own (indicators.go, import.go,
// browse.go, api.go, reports.go). Phases share the generated data through
// env, so a register is written once per size and run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"esep/internal/pgtest"
)

// Figure is one line of the table: what was measured, the target, the
// measured value, and how far from the target it is.
type Figure struct {
	Name     string // e.g. "indicators, 1M records, year"
	Target   string // e.g. "< 100 ms"
	Measured string // e.g. "41 ms"
	Ratio    string // e.g. "0.41 of target" or "27× faster than DuckDB"
	Met      bool   // the target is reached
	Note     string // what the reader needs to read the figure, if anything
}

// phase is one group of measurements.
type phase struct {
	name  string
	run   func(ctx context.Context, e *env) ([]Figure, error)
	alone bool // run only when -only names it: it measures what an earlier run kept
}

var phases = []phase{
	{"indicators", runIndicators, false},
	{"import", runImport, false},
	{"browse", runBrowse, false},
	{"api", runAPI, false},
	{"reports", runReports, false},
	{"rebuild", runRebuild, true},
}

// env is what every phase gets: the sizes to measure at, a working folder,
// and a log for progress.
type env struct {
	Rows    int    // the "1M" size
	BigRows int    // the "10M" size
	Dir     string // working folder, removed at the end unless -keep
	Keep    bool   // -keep: the working folder stays, with the browse phase's SQLite register
	PG      string // -pg: a PostgreSQL database holding a register, for the rebuild phase
	Log     *slog.Logger
	Quick   bool // small sizes: a trial run, not a measurement

	pg *pgtest.Server // started by pgDatabase, stopped at the end
}

func main() { os.Exit(run()) }

// run is main with deferred clean-up: it returns the exit status.
func run() int {
	var (
		only  = flag.String("only", "", "comma-separated phases to run (default all but rebuild): "+phaseNames())
		quick = flag.Bool("quick", false, "small sizes (20,000 and 100,000 records): a trial of the harness, not a measurement")
		rows  = flag.Int("rows", 1_000_000, "records of the \"1M\" measurements")
		big   = flag.Int("big", 10_000_000, "records of the \"10M\" measurements")
		dir   = flag.String("dir", "", "working folder (default: a new temporary one)")
		keep  = flag.Bool("keep", false, "keep the working folder (and in it the browse phase's SQLite register, for -only rebuild)")
		pg    = flag.String("pg", "", "postgres:// DSN of a database holding the browse register, for -only rebuild (the run's own PostgreSQL is not kept)")
	)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	e := &env{Rows: *rows, BigRows: *big, Keep: *keep, PG: *pg, Log: log, Quick: *quick}
	if e.Quick {
		e.Rows, e.BigRows = 20_000, 100_000
	}
	selected, err := selectPhases(*only)
	if err != nil {
		fatal(err)
	}
	for _, p := range selected {
		if p.alone && *dir == "" {
			fatal(fmt.Errorf("phase %s measures what an earlier run kept: give its -dir", p.name))
		}
		// What such a phase measures is in the folder: never remove it.
		e.Keep = e.Keep || p.alone
	}
	if e.Dir = *dir; e.Dir == "" {
		if e.Dir, err = os.MkdirTemp("", "esep-bench-"); err != nil {
			fatal(err)
		}
	} else if err = os.MkdirAll(e.Dir, 0o755); err != nil {
		fatal(err)
	}
	if !e.Keep {
		defer os.RemoveAll(e.Dir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	defer func() {
		if e.pg != nil {
			e.pg.Stop()
		}
	}()
	var all []Figure
	failed := false
	for _, p := range selected {
		start := time.Now()
		log.Info("phase", "name", p.name)
		figs, err := p.run(ctx, e)
		all = append(all, figs...)
		if err != nil {
			failed = true
			log.Error("phase failed", "name", p.name, "err", err)
			all = append(all, Figure{Name: p.name, Measured: "failed", Note: err.Error()})
		}
		log.Info("phase done", "name", p.name, "took", time.Since(start).Round(time.Second))
		if ctx.Err() != nil {
			break
		}
	}
	printMachine(os.Stdout)
	printTable(os.Stdout, all)
	if failed {
		return 1
	}
	return 0
}

func selectPhases(only string) ([]phase, error) {
	if only == "" {
		var out []phase
		for _, p := range phases {
			if !p.alone {
				out = append(out, p)
			}
		}
		return out, nil
	}
	var out []phase
	for _, name := range strings.Split(only, ",") {
		found := false
		for _, p := range phases {
			if p.name == strings.TrimSpace(name) {
				out, found = append(out, p), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no phase %q (phases: %s)", name, phaseNames())
		}
	}
	return out, nil
}

func phaseNames() string {
	names := make([]string, len(phases))
	for i, p := range phases {
		names[i] = p.name
	}
	return strings.Join(names, ",")
}

// printMachine states the machine every figure was measured on.
func printMachine(w io.Writer) {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimLeft(name, " \t:"))
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(data), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	fmt.Fprintf(w, "machine: %d cores (%s)%s, %s %s/%s, %s\n", runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().Format(time.DateOnly))
}

func printTable(w io.Writer, figs []Figure) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\ttarget\tmeasured\tratio\tmet\tnote")
	for _, f := range figs {
		met := "no"
		if f.Met {
			met = "yes"
		}
		if f.Target == "" {
			met = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Target, f.Measured, f.Ratio, met, f.Note)
	}
	tw.Flush()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(2)
}
