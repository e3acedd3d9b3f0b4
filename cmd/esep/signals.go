package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"

	"esep/internal/i18n"
	"esep/internal/signals"
	"esep/internal/web"
)

// cmdSignals prints the signals of services that may not have happened in
// a period, as the web page /signals lists them: the same detection, the
// same masking of personal data, the same CSV.
func cmdSignals(e *env, args []string) int {
	fs := flag.NewFlagSet("signals", flag.ContinueOnError)
	from := fs.String("from", "", "first end date, YYYY-MM-DD")
	to := fs.String("to", "", "last end date, YYYY-MM-DD")
	region := fs.String("region", "", "KATO code of a region: only its records are examined")
	code := fs.String("code", "", "only the signals of this code")
	format := fs.String("format", "text", "output: text, json or csv")
	out := fs.String("o", "", "write to this file")
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) > 0 || *format != "text" && *format != "json" && *format != "csv" {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.signals"))
		return exitUsage
	}
	q := web.SignalQuery{From: *from, To: *to, Region: *region, Code: *code}
	if !q.Check() {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.signals.bad_query", "codes", strings.Join(signals.Codes(), ", ")))
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.signals"))
		return exitUsage
	}
	cal, err := e.calendar()
	if err != nil {
		return e.fail(err)
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	l, err := web.Signals(e.ctx, db, cal, q, e.lang)
	if err != nil {
		return e.fail(err)
	}
	var buf bytes.Buffer
	switch *format {
	case "json":
		writeJSON(&buf, l)
	case "csv":
		regions, err := web.SignalRegions(e.ctx, db, l)
		if err != nil {
			return e.fail(err)
		}
		if err := l.WriteCSV(&buf, e.lang, regions); err != nil {
			return e.fail(err)
		}
	default:
		printSignals(e.lang, &buf, l)
	}
	return e.writeOutput(*out, buf.Bytes())
}

// printSignals prints the list for a terminal: the reminder that a signal
// is no verdict, the counts per code, then each signal with its records.
func printSignals(lang i18n.Lang, w io.Writer, l *web.SignalList) {
	fmt.Fprintln(w, i18n.T(lang, "web.signals.not_verdict"))
	fmt.Fprintln(w, i18n.T(lang, "web.signals.summary", "from", l.From, "to", l.To, "records", l.Records, "flagged", l.Flagged))
	fmt.Fprintln(w)
	for _, c := range l.Counts {
		fmt.Fprintf(w, "  %-18s %6d %7d  %s\n", c.Code, c.Signals, c.Records, c.Title)
	}
	for i, s := range l.Signals {
		fmt.Fprintf(w, "\n%d. [%.2f] %s — %s\n   %s\n   %s\n", i+1, s.Score, s.Code, s.Title, s.Explanation, strings.Join(s.Records, ", "))
	}
	if len(l.Signals) == 0 {
		fmt.Fprintln(w, "\n"+i18n.T(lang, "web.signals.none"))
	}
}
