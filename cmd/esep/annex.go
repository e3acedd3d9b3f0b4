package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/pdf"
	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// renderers turn a report into a file format, in a language.
var renderers = map[string]func(w io.Writer, r *report.Report, lang i18n.Lang) error{
	"json": func(w io.Writer, r *report.Report, _ i18n.Lang) error { return report.WriteJSON(w, r, "") },
	"pdf":  pdf.Report,
	"xlsx": xlsx.Report,
}

// cmdAnnex handles the Annex 3 report: render (live, or a stored version),
// save a draft, edit its conclusions, send (freeze) it.
func cmdAnnex(e *env, action string, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	quarter := fs.String("quarter", "", "quarter, e.g. 2026Q3")
	year := fs.String("year", "", "year, e.g. 2026 (the state as of 1 December)")
	version := fs.Int("version", 0, "a saved version (default: the data as they stand, or the latest saved for send/edit)")
	format := fs.String("format", "text", "output: text, json, xlsx or pdf")
	out := fs.String("o", "", "write to this file")
	conclusion := fs.Int("conclusion", 0, "edit: the number of the conclusion (1, 2, ...)")
	text := fs.String("text", "", "edit: the new text, in the --lang language")
	pos, ok := e.parse(fs, args)
	name := *quarter + *year
	if !ok || len(pos) > 0 || (*quarter != "") == (*year != "") {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.report"))
		return exitUsage
	}
	period, err := report.ParsePeriod(name)
	if err != nil {
		return e.fail(err)
	}
	if *quarter != "" && period.Kind != report.Quarterly || *year != "" && period.Kind != report.Annual {
		return e.fail(&report.PeriodError{Value: name})
	}
	if _, ok := renderers[*format]; !ok && *format != "text" {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.report"))
		return exitUsage
	}
	c, done, err := e.cycle()
	if err != nil {
		return e.fail(err)
	}
	defer done()
	db := c.DB
	b := &report.Builder{Cycle: c}
	switch action {
	case "save":
		r, err := b.Build(e.ctx, period)
		if err != nil {
			return e.fail(noData(err, period))
		}
		sr, err := report.Save(e.ctx, db, r, whoami())
		if err != nil {
			return e.fail(err)
		}
		fmt.Fprintln(e.stdout, i18n.T(e.lang, "report.saved", "period", r.Period, "version", sr.Version))
		return exitOK
	case "edit":
		if *conclusion < 1 || *text == "" {
			fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.report"))
			return exitUsage
		}
		sr, _, err := report.Load(e.ctx, db, period, *version)
		if err != nil {
			return e.fail(reportErr(e, err, period))
		}
		if _, err := report.EditConclusions(e.ctx, db, period, sr.Version, e.lang, map[int]string{*conclusion - 1: *text}, whoami()); err != nil {
			return e.fail(reportErr(e, err, period))
		}
		fmt.Fprintln(e.stdout, i18n.T(e.lang, "report.edited", "period", period.Name, "version", sr.Version, "n", *conclusion))
		return exitOK
	case "send":
		sr, _, err := report.Load(e.ctx, db, period, *version)
		if err != nil {
			return e.fail(reportErr(e, err, period))
		}
		if _, err := report.Send(e.ctx, db, period, sr.Version, whoami()); err != nil {
			return e.fail(reportErr(e, err, period))
		}
		fmt.Fprintln(e.stdout, i18n.T(e.lang, "report.sent", "period", period.Name, "version", sr.Version))
		return exitOK
	}
	var r *report.Report
	if *version > 0 {
		if _, r, err = report.Load(e.ctx, db, period, *version); err != nil {
			return e.fail(reportErr(e, err, period))
		}
	} else if r, err = b.Build(e.ctx, period); err != nil {
		return e.fail(noData(err, period))
	}
	var buf bytes.Buffer
	if *format == "text" {
		printAnnex(e, &buf, r)
	} else if err := renderers[*format](&buf, r, e.lang); err != nil {
		return e.fail(err)
	}
	return e.writeOutput(*out, buf.Bytes())
}

// reportErr gives the errors of a stored report their messages.
func reportErr(e *env, err error, p report.Period) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errors.New(i18n.T(e.lang, "report.error.not_found", "period", p.Name))
	case errors.Is(err, report.ErrSent):
		return errors.New(i18n.T(e.lang, "report.error.sent"))
	}
	return err
}

// noData gives the no-data error its message in the user's language.
func noData(err error, p report.Period) error {
	if errors.Is(err, report.ErrNoData) {
		return &localError{key: "report.error.no_data", params: []any{"period", p.Name}, err: err}
	}
	return err
}

// localError is an error with a message key, for errors made at the edge.
type localError struct {
	key    string
	params []any
	err    error
}

func (l *localError) Error() string { return l.err.Error() }
func (l *localError) Unwrap() error { return l.err }
func (l *localError) Key() string   { return l.key }
func (l *localError) Params() []any { return l.params }

// writeOutput writes b to path atomically (a temporary file renamed into
// place, so a failed write never leaves half a report), or to standard
// output when path is empty.
func (e *env) writeOutput(path string, b []byte) int {
	if path == "" {
		if _, err := e.stdout.Write(b); err != nil {
			return e.fail(err)
		}
		return exitOK
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".esep-*")
	if err != nil {
		return e.fail(err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return e.fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return e.fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return e.fail(err)
	}
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "report.written", "file", path))
	return exitOK
}

// printAnnex prints the report as text for a terminal.
func printAnnex(e *env, w io.Writer, r *report.Report) {
	l := e.lang
	fmt.Fprintln(w, i18n.T(l, "doc.report.title"))
	fmt.Fprintln(w, r.Period+" ("+r.From+" — "+r.To+"), "+i18n.T(l, "doc.report.due", "due", r.Due))
	fmt.Fprintln(w, report.VersionLine(r, l, r.GeneratedAt))
	fmt.Fprintln(w, "\n"+i18n.T(l, "doc.section.intro"))
	in := r.Introduction
	fmt.Fprintln(w, i18n.T(l, "doc.intro.counts", "received", in.RecordsReceived, "counted", in.RecordsCounted, "excluded", in.RecordsExcluded))
	for _, d := range in.Deliveries {
		state := i18n.T(l, "doc.not_received")
		if d.ReceivedAt != "" {
			state = monitor.CivilDate(d.ReceivedAt) + ", " + i18n.T(l, map[bool]string{true: "doc.late", false: "doc.on_time"}[d.Late])
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", d.Month, d.DueDate, state)
	}
	fmt.Fprintln(w, "\n"+i18n.T(l, "doc.section.stats"))
	var tb bytes.Buffer
	saved := e.stdout
	e.stdout = &tb
	printTables(e, r.Tables)
	e.stdout = saved
	w.Write(tb.Bytes())
	if len(r.Plans) > 0 {
		fmt.Fprintln(w, "\n"+i18n.T(l, "doc.section.plans"))
		for _, p := range r.Plans {
			fmt.Fprintf(w, "  %-10s %-6s %8d %8d %7.1f%%\n", p.Region, p.ServiceCode, p.Plan, p.Actual, p.Percent)
		}
	}
	fmt.Fprintln(w, "\n"+i18n.T(l, "doc.section.quality"))
	fmt.Fprintln(w, i18n.T(l, r.Quality.NoteKey))
	fmt.Fprintln(w, "\n"+i18n.T(l, "doc.section.conclusions"))
	for i, c := range r.Conclusions {
		fmt.Fprintf(w, "  %d. %s\n", i+1, report.ConclusionText(c, l))
	}
	fmt.Fprintln(w, "\n"+i18n.T(l, "doc.annex.letters"))
	for _, lt := range r.Annexes.Letters {
		fmt.Fprintf(w, "  %s %s %s: %d / %d / %d / %d\n", lt.Number, lt.Date, lt.Month, lt.Problems, lt.Corrected, lt.CorrectedLate, lt.Outstanding)
	}
}
