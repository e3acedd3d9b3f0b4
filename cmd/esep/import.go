package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"sort"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/store"
)

func cmdImport(e *env, args []string) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	format := fs.String("format", "text", "output: text or json")
	month := fs.String("month", "", "the register month, YYYY-MM: a monthly register of the cycle (default: a load of history)")
	received := fs.String("received", "", "with --month: when the register really arrived (RFC 3339); audited")
	files, ok := e.parse(fs, args)
	if !ok || len(files) == 0 || !validFormat(*format) || (*received != "" && *month == "") {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.import"))
		return exitUsage
	}
	if *month != "" {
		if _, err := monitor.ParseMonth(*month); err != nil {
			return e.fail(err)
		}
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	v, err := e.validator(db)
	if err != nil {
		return e.fail(err)
	}
	var results []*ingest.Result
	code := exitOK
	for _, name := range files {
		path, cleanup, err := e.input(name)
		if err != nil {
			e.fail(err)
			code = exitFail
			continue
		}
		opts := ingest.Options{Validator: v, Progress: e.progress(name)}
		var res *ingest.Result
		if *month != "" {
			cal, cerr := e.calendar()
			if cerr != nil {
				return e.fail(cerr)
			}
			c := &monitor.Cycle{DB: db, Calendar: cal}
			var letter *store.StoredLetter
			res, letter, err = c.ImportRegister(e.ctx, path, monitor.Delivery{Month: *month, ReceivedAt: *received, By: whoami()}, opts)
			if err == nil && letter != nil {
				res.Letter = letter.Number()
			}
			if err == nil {
				res.File = name
			}
		} else {
			res, err = ingest.ImportFile(e.ctx, db, path, store.ImportMeta{FileName: name, By: whoami()}, opts)
		}
		cleanup()
		if err != nil {
			e.fail(err)
			code = exitFail
			continue
		}
		results = append(results, res)
		if *format == "text" {
			e.printSummary(res)
		}
	}
	if *format == "json" {
		if len(files) == 1 && len(results) == 1 {
			writeJSON(e.stdout, results[0])
		} else {
			writeJSON(e.stdout, results)
		}
	}
	return code
}

func cmdValidate(e *env, args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	format := fs.String("format", "text", "output: text or json")
	files, ok := e.parse(fs, args)
	if !ok || len(files) != 1 || !validFormat(*format) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.validate"))
		return exitUsage
	}
	// A dry run compares with what is stored when there is a database, but
	// never creates one: validating a file must leave no trace.
	var db *store.DB
	if store.IsPostgres(e.dsn) || fileExists(e.dsn) {
		var err error
		if db, err = e.open(); err != nil {
			return e.fail(err)
		}
		defer db.Close()
	}
	type finding struct {
		Row      int    `json:"row"`
		RecordID string `json:"record_id"`
		Column   string `json:"column"`
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	}
	findings := []finding{}
	opts := ingest.Options{Progress: e.progress(files[0]), OnFinding: func(f ingest.RowFinding) {
		row := finding{f.Row, f.RecordID, f.Column, f.Rule, string(f.Severity), f.Message(e.lang)}
		if *format == "json" {
			findings = append(findings, row)
			return
		}
		fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.finding", "row", row.Row, "record_id", row.RecordID, "rule", row.Rule,
			"severity", i18n.T(e.lang, "severity."+row.Severity), "message", row.Message))
	}}
	path, cleanup, err := e.input(files[0])
	if err != nil {
		return e.fail(err)
	}
	defer cleanup()
	if opts.Validator, err = e.validator(db); err != nil {
		return e.fail(err)
	}
	res, err := ingest.Validate(e.ctx, db, path, opts)
	if err != nil {
		return e.fail(err)
	}
	res.File = files[0]
	if *format == "json" {
		writeJSON(e.stdout, map[string]any{"rows": res.Summary.RowsRead, "findings": findings})
		return exitOK
	}
	e.printSummary(res)
	return exitOK
}

// validator builds the rules' reference data: today's date in Kazakhstan,
// the service catalogue, and the KATO settlements when a classifier has
// been loaded (db may be nil).
func (e *env) validator(db *store.DB) (*register.Validator, error) {
	v := &register.Validator{Today: kz.Today(), Services: register.ServiceSet(register.DefaultServices())}
	if db != nil {
		set, err := db.Settlements(e.ctx)
		if err != nil {
			return nil, err
		}
		v.Settlements = set
	}
	return v, nil
}

func cmdKATO(e *env, args []string) int {
	return e.loadFile(args, "", "cli.usage.kato", func(path, _ string) (func(*store.DB) (string, error), error) {
		list, skipped, err := ingest.ReadKATO(path, tabular.Options{})
		return func(db *store.DB) (string, error) {
			return i18n.T(e.lang, "cli.kato.loaded", "n", len(list), "skipped", skipped), db.ReplaceSettlements(e.ctx, list)
		}, err
	})
}

func (e *env) printSummary(res *ingest.Result) {
	s := res.Summary
	w := e.stdout
	fmt.Fprintln(w, i18n.T(e.lang, "cli.summary.file", "file", res.File, "encoding", res.Encoding))
	for _, line := range []struct {
		key string
		n   int
	}{
		{"cli.summary.rows_read", s.RowsRead}, {"cli.summary.accepted", s.Accepted}, {"cli.summary.warned", s.Warned},
		{"cli.summary.rejected", s.Rejected}, {"cli.summary.unchanged", s.Unchanged}, {"cli.summary.corrected", s.Corrected},
	} {
		fmt.Fprintf(w, "  %-34s %d\n", i18n.T(e.lang, line.key), line.n)
	}
	if res.Letter != "" {
		fmt.Fprintln(w, i18n.T(e.lang, "cli.summary.letter", "number", res.Letter))
	}
	if len(res.UnknownColumns) > 0 {
		fmt.Fprintln(w, i18n.T(e.lang, "cli.summary.unknown_columns", "columns", fmt.Sprint(res.UnknownColumns)))
	}
	if len(res.RuleCounts) == 0 {
		return
	}
	fmt.Fprintln(w, i18n.T(e.lang, "cli.summary.rules"))
	codes := make([]string, 0, len(res.RuleCounts))
	for c := range res.RuleCounts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		sev := ""
		if r, ok := register.RuleByCode(c); ok {
			sev = i18n.T(e.lang, "severity."+string(r.Severity))
		}
		fmt.Fprintf(w, "  %-26s %-12s %d\n", c, sev, res.RuleCounts[c])
	}
}

// progress returns a progress callback drawing a bar on a terminal, or nil
// when stderr is not one (a pipe, a log file, a test).
func (e *env) progress(name string) func(done, total int64) {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(name),
				progressbar.OptionShowBytes(true), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
		}
		bar.Set64(done)
		if done >= total {
			bar.Finish()
		}
	}
}

// input returns a path to read for the argument name: the file itself, or
// for "-" standard input saved to a temporary file, because an XLSX needs
// random access and a transactional import wants the whole file at hand.
func (e *env) input(name string) (path string, cleanup func(), err error) {
	if name != "-" {
		if st, err := os.Stat(name); err != nil || st.IsDir() {
			return "", nil, errors.New(i18n.T(e.lang, "cli.file_not_found", "file", name))
		}
		return name, func() {}, nil
	}
	f, err := os.CreateTemp("", "esep-stdin-*")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, e.stdin); err != nil {
		f.Close()
		cleanup()
		return "", nil, fmt.Errorf("read standard input: %w", err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}

func validFormat(f string) bool { return f == "text" || f == "json" }

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// whoami names the person at the terminal, for the import's audit trail.
func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
