package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"slices"

	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/pdf"
	"esep/internal/register"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// cycle opens the database and the calendar as a monitoring cycle.
func (e *env) cycle() (*monitor.Cycle, func(), error) {
	cal, err := e.calendar()
	if err != nil {
		return nil, nil, err
	}
	db, err := e.open()
	if err != nil {
		return nil, nil, err
	}
	return &monitor.Cycle{DB: db, Calendar: cal}, func() { db.Close() }, nil
}

func cmdCycle(e *env, args []string) int {
	fs := flag.NewFlagSet("cycle", flag.ContinueOnError)
	today := monitor.Today()
	thisMonth := kz.Date(today.Year(), today.Month(), 1) // from the 1st: AddDate on the 31st skips a month
	from := fs.String("from", thisMonth.AddDate(0, -11, 0).Format("2006-01"), "first month, YYYY-MM")
	to := fs.String("to", today.Format("2006-01"), "last month, YYYY-MM")
	format := fs.String("format", "text", "output: text or json")
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) > 0 || !validFormat(*format) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.cycle"))
		return exitUsage
	}
	c, done, err := e.cycle()
	if err != nil {
		return e.fail(err)
	}
	defer done()
	months, err := c.Status(e.ctx, *from, *to, today)
	if err != nil {
		return e.fail(err)
	}
	if *format == "json" {
		writeJSON(e.stdout, months)
		return exitOK
	}
	l := e.lang
	for _, m := range months {
		state := i18n.T(l, "doc.not_received")
		switch {
		case m.ReceivedAt != "" && m.Late:
			state = i18n.T(l, "cli.cycle.late", "date", monitor.CivilDate(m.ReceivedAt))
		case m.ReceivedAt != "":
			state = i18n.T(l, "cli.cycle.on_time", "date", monitor.CivilDate(m.ReceivedAt))
		case m.Overdue:
			state = i18n.T(l, "cli.cycle.overdue")
		}
		fmt.Fprintf(e.stdout, "%s  %s %s  %s\n", m.Month, i18n.T(l, "doc.col.due_date"), m.DueDate, state)
		for _, lt := range m.Letters {
			fmt.Fprintln(e.stdout, "    "+i18n.T(l, "cli.cycle.letter", "number", lt.Number, "due", lt.DueSend, "problems", lt.Problems,
				"corrected", lt.Corrected, "late", lt.CorrectedLate, "outstanding", lt.Outstanding))
			if lt.SendOverdue {
				fmt.Fprintln(e.stdout, "      "+i18n.T(l, "cli.cycle.send_overdue", "due", lt.DueSend))
			}
			if lt.CorrectionDue != "" {
				key := "cli.cycle.correction_due"
				if lt.CorrectionOverdue {
					key = "cli.cycle.correction_overdue"
				}
				fmt.Fprintln(e.stdout, "      "+i18n.T(l, key, "due", lt.CorrectionDue))
			}
		}
	}
	return exitOK
}

func cmdLetter(e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.letter"))
		return exitUsage
	}
	action := args[0]
	fs := flag.NewFlagSet("letter", flag.ContinueOnError)
	format := fs.String("format", "text", "output: text, json, xlsx or pdf")
	out := fs.String("o", "", "write to this file")
	sent := fs.String("sent", "", "send: when it was sent (RFC 3339; default now)")
	received := fs.String("received", "", "send: when the operator received it (RFC 3339; default: when sent)")
	pos, ok := e.parse(fs, args[1:])
	if !ok || (action != "list" && len(pos) != 1) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.letter"))
		return exitUsage
	}
	c, done, err := e.cycle()
	if err != nil {
		return e.fail(err)
	}
	defer done()
	switch action {
	case "list":
		letters, err := c.DB.Letters(e.ctx, "0000-00", "9999-99")
		if err != nil {
			return e.fail(err)
		}
		for _, l := range letters {
			fmt.Fprintf(e.stdout, "%-9s %s  %s  %s\n", l.Number(), l.Month, monitor.CivilDate(l.DraftedAt), l.CorrectionDue)
		}
		return exitOK
	case "send":
		l, err := c.SendLetter(e.ctx, pos[0], *sent, *received, whoami())
		if err != nil {
			return e.fail(err)
		}
		fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.letter.sent", "number", l.Number(), "due", l.CorrectionDue))
		return exitOK
	case "show":
		year, seq, err := monitor.ParseLetterNumber(pos[0])
		if err != nil {
			return e.fail(err)
		}
		sl, err := c.DB.Letter(e.ctx, year, seq)
		if err != nil {
			return e.fail(err)
		}
		l, err := c.Letter(e.ctx, sl)
		if err != nil {
			return e.fail(err)
		}
		var buf bytes.Buffer
		switch *format {
		case "text":
			printLetter(e.lang, &buf, l)
		case "json":
			writeJSON(&buf, l)
		default:
			render, ok := letterRenderers[*format]
			if !ok {
				fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.letter"))
				return exitUsage
			}
			if err := render(&buf, l, e.lang); err != nil {
				return e.fail(err)
			}
		}
		return e.writeOutput(*out, buf.Bytes())
	}
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.letter"))
	return exitUsage
}

// letterRenderers turn a letter into a file format, in a language.
var letterRenderers = map[string]func(w io.Writer, l *monitor.Letter, lang i18n.Lang) error{
	"pdf":  pdf.Letter,
	"xlsx": xlsx.Letter,
}

func printLetter(lang i18n.Lang, w io.Writer, l *monitor.Letter) {
	fmt.Fprintln(w, i18n.T(lang, "doc.letter.title")+" "+i18n.T(lang, "doc.letter.number", "number", l.Number, "date", l.Date))
	fmt.Fprintln(w, i18n.T(lang, "doc.letter.from", "sender", l.Sender))
	fmt.Fprintln(w, i18n.T(lang, "doc.letter.to", "addressee", l.Addressee))
	fmt.Fprintln(w, i18n.T(lang, "doc.letter.body", "month", l.Month, "received", monitor.CivilDate(l.RegisterReceivedAt)))
	if l.CorrectionDue != "" {
		fmt.Fprintln(w, i18n.T(lang, "doc.letter.deadline", "date", l.CorrectionDue))
	} else {
		fmt.Fprintln(w, i18n.T(lang, "doc.letter.deadline_pending"))
	}
	for _, it := range l.Items {
		fmt.Fprintf(w, "  %5d  %-20s %-12s %s\n", it.Row, it.RecordID, i18n.T(lang, "severity."+string(it.Severity)), it.Message(lang))
	}
}

func cmdPlan(e *env, args []string) int {
	return e.loadFile(args, "import", "cli.usage.plan", func(path, name string) (func(*store.DB) (string, error), error) {
		plans, err := ingest.ReadPlans(path, register.ServiceSet(register.DefaultServices()), tabular.Options{})
		return func(db *store.DB) (string, error) {
			return i18n.T(e.lang, "cli.plan.loaded", "n", len(plans)), db.PutPlans(e.ctx, plans, whoami(), "file:"+name)
		}, err
	})
}

func cmdActs(e *env, args []string) int {
	return e.loadFile(args, "import", "cli.usage.acts", func(path, name string) (func(*store.DB) (string, error), error) {
		acts, months, err := ingest.ReadActs(path, tabular.Options{})
		return func(db *store.DB) (string, error) {
			_, err := db.ImportActs(e.ctx, store.ImportMeta{FileName: name, Kind: "acts", By: whoami()}, acts, months)
			return i18n.T(e.lang, "cli.acts.loaded", "n", len(acts), "months", fmt.Sprint(months)), err
		}, err
	})
}

// loadFile is the shape of the commands that load one reference file (esep
// kato FILE, esep plan import FILE, esep acts import FILE): read and check
// the whole file first, and only then open the database and write it, so a
// refused file changes nothing. read returns the write to do.
func (e *env) loadFile(args []string, verb, usage string, read func(path, name string) (func(*store.DB) (string, error), error)) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	pos, ok := e.parse(fs, args)
	if verb != "" && ok && len(pos) > 0 && pos[0] == verb {
		pos = pos[1:]
	} else if verb != "" {
		ok = false
	}
	if !ok || len(pos) != 1 {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, usage))
		return exitUsage
	}
	path, cleanup, err := e.input(pos[0])
	if err != nil {
		return e.fail(err)
	}
	defer cleanup()
	write, err := read(path, pos[0])
	if err != nil {
		return e.fail(err)
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	msg, err := write(db)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintln(e.stdout, msg)
	return exitOK
}

// settingNames are the settings an administrator may set.
var settingNames = []string{"letter.sender", "letter.addressee"}

func cmdSettings(e *env, args []string) int {
	fs := flag.NewFlagSet("settings", flag.ContinueOnError)
	pos, ok := e.parse(fs, args)
	if !ok || !(len(pos) == 0 || len(pos) == 3 && pos[0] == "set" && slices.Contains(settingNames, pos[1])) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.settings"))
		return exitUsage
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	if len(pos) == 3 {
		if err := db.SetSetting(e.ctx, pos[1], pos[2], whoami()); err != nil {
			return e.fail(err)
		}
	}
	defaults := map[string]string{"letter.sender": monitor.DefaultSender, "letter.addressee": monitor.DefaultAddressee}
	for _, name := range settingNames {
		v, err := db.Setting(e.ctx, name, defaults[name])
		if err != nil {
			return e.fail(err)
		}
		fmt.Fprintf(e.stdout, "%-18s %s\n", name, v)
	}
	return exitOK
}
