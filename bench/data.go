package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"esep/internal/demo"
	"esep/internal/pgtest"
)

// benchOptions is the register every phase measures: `esep demo --rows n
// --seed 1` over a fixed year (so runs on different days see the same
// data), 2% of rows with mistakes, record ids with the given prefix.
func benchOptions(rows int) demo.Options {
	return demo.Options{Rows: rows, Seed: 1, ErrorRate: 0.02,
		From: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)}
}

// registerCSV returns the path of the generated register of rows records,
// writing it the first time it is asked for in this run.
func (e *env) registerCSV(rows int) (string, error) {
	return e.csv(fmt.Sprintf("register-%d.csv", rows), benchOptions(rows))
}

// csv returns the path of the register generated with opts, named name in
// the working folder, writing it the first time it is asked for.
func (e *env) csv(name string, opts demo.Options) (string, error) {
	path := filepath.Join(e.Dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	start := time.Now()
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = demo.WriteCSV(w, opts)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write register %s: %w", name, err)
	}
	e.Log.Info("register written", "rows", opts.Rows, "path", path, "took", time.Since(start).Round(time.Millisecond))
	return path, nil
}

// pgDatabase returns the DSN of a new, empty database on the run's
// PostgreSQL server, a throwaway one started from the installed binaries
// (fsync off, data in /dev/shm when it fits: see pgtest) on first use and
// stopped by main at the end of the run.
func (e *env) pgDatabase(ctx context.Context, name string) (string, error) {
	if e.pg == nil {
		srv, err := pgtest.Start(ctx)
		if err != nil {
			return "", fmt.Errorf("start PostgreSQL: %w", err)
		}
		e.pg = srv
	}
	return e.pg.NewDatabase(ctx, name)
}

// sizeLabel writes a record count as the figures name it: 1M, 10M, 20k.
func sizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return thousands(n)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// dur writes a duration with three significant digits or so.
func dur(d time.Duration) string {
	switch {
	case d >= time.Second && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
