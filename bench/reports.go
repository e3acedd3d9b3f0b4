package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"

	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/pdf"
	"esep/internal/report"
	"esep/internal/stats"
	"esep/internal/stats/live"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// runReports measures what a server does with a year of e.Rows records in
// SQLite: rebuilding its warm indicator index after a restart, and building
// the annual Annex 3 report and rendering it as PDF and XLSX (target: both
// files in under 3 s), each from the index and, for comparison, by counting
// the database as the first version did.
func runReports(ctx context.Context, e *env) ([]Figure, error) {
	opts := demo.Options{Rows: e.Rows, Seed: 1, ErrorRate: 0.02,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	file, err := e.csv(fmt.Sprintf("year-%d.csv", e.Rows), opts)
	if err != nil {
		return nil, err
	}
	size := sizeLabel(e.Rows) + " records"
	var figs []Figure
	for _, engine := range []string{"SQLite", "PostgreSQL"} {
		dsn := filepath.Join(e.Dir, fmt.Sprintf("reports-%d.db", e.Rows))
		if engine == "PostgreSQL" {
			if dsn, err = e.pgDatabase(ctx, fmt.Sprintf("reports_%d", e.Rows)); err != nil {
				return figs, err
			}
		}
		f, err := measureReports(ctx, e, engine, dsn, file, size)
		figs = append(figs, f...)
		if err != nil {
			return figs, fmt.Errorf("%s: %w", engine, err)
		}
	}
	return figs, nil
}

// measureReports loads the register file into the database dsn, rebuilds
// the index from it as a server does when it starts (rebuildIndex), and
// times the annual report from the index and, on SQLite, from the
// database.
func measureReports(ctx context.Context, e *env, engine, dsn, file, size string) ([]Figure, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	start := time.Now()
	if _, err := ingest.ImportFile(ctx, db, file, store.ImportMeta{By: "bench"}, ingest.Options{}); err != nil {
		return nil, err
	}
	e.Log.Info("reports: register imported", "engine", engine, "took", time.Since(start).Round(time.Millisecond))
	rb, err := rebuildIndex(ctx, db, e.Rows)
	if err != nil {
		return nil, err
	}
	cycle, ind := rb.cycle, rb.ind
	figs := rb.figures(engine, size, "")

	period, err := report.ParsePeriod("2026")
	if err != nil {
		return figs, err
	}
	warm, err := timeReport(ctx, &report.Builder{Cycle: cycle, Indicators: ind}, period)
	if err != nil {
		return figs, err
	}
	const target = 3 * time.Second
	figs = append(figs, Figure{Name: fmt.Sprintf("annual report, PDF and XLSX, %s, %s", engine, size), Target: "< 3 s", Measured: dur(warm.total()),
		Ratio: fmt.Sprintf("%.2f of target", warm.total().Seconds()/target.Seconds()), Met: warm.total() < target,
		Note: fmt.Sprintf("build %s (the year and the year before from the index), PDF %s (%d KB), XLSX %s (%d KB)",
			dur(warm.build), dur(warm.pdf), warm.pdfBytes>>10, dur(warm.xlsx), warm.xlsxBytes>>10)})
	if engine != "SQLite" {
		return figs, nil
	}
	cold, err := timeReport(ctx, &report.Builder{Cycle: cycle}, period)
	if err != nil {
		return figs, err
	}
	return append(figs, Figure{Name: fmt.Sprintf("annual report counted from the database, %s, %s", engine, size), Measured: dur(cold.total()),
		Ratio: fmt.Sprintf("%.1f× the warm index", cold.total().Seconds()/warm.total().Seconds()),
		Note:  "the path before the index (stats.Compute over the monitoring cycle), for comparison"}), nil
}

type reportTiming struct {
	build, pdf, xlsx    time.Duration
	pdfBytes, xlsxBytes int
}

func (t reportTiming) total() time.Duration { return t.build + t.pdf + t.xlsx }

// timeReport builds the report of p with b and renders it in Kazakh, and
// checks that what it rendered reads back: a PDF, and a workbook whose
// sheet of services by region holds the report's total.
func timeReport(ctx context.Context, b *report.Builder, p report.Period) (reportTiming, error) {
	var t reportTiming
	start := time.Now()
	r, err := b.Build(ctx, p)
	if err != nil {
		return t, err
	}
	t.build = time.Since(start)
	var pdfOut, xlsxOut bytes.Buffer
	start = time.Now()
	if err := pdf.Report(&pdfOut, r, i18n.KK); err != nil {
		return t, err
	}
	t.pdf = time.Since(start)
	start = time.Now()
	if err := xlsx.Report(&xlsxOut, r, i18n.KK); err != nil {
		return t, err
	}
	t.xlsx = time.Since(start)
	t.pdfBytes, t.xlsxBytes = pdfOut.Len(), xlsxOut.Len()
	if !bytes.HasPrefix(pdfOut.Bytes(), []byte("%PDF-")) {
		return t, fmt.Errorf("report %s: the PDF does not start with %%PDF-", p.Name)
	}
	wb, err := excelize.OpenReader(&xlsxOut)
	if err != nil {
		return t, fmt.Errorf("report %s: the workbook does not open: %w", p.Name, err)
	}
	defer wb.Close()
	if len(wb.GetSheetList()) < 5 {
		return t, fmt.Errorf("report %s: the workbook has only sheets %v", p.Name, wb.GetSheetList())
	}
	if r.Tables.ServicesTotal == 0 {
		return t, fmt.Errorf("report %s: nothing counted", p.Name)
	}
	return t, nil
}

var _ stats.Engine = (*live.Indicators)(nil)
