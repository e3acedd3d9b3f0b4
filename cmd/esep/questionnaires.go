package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/ingest/tabular"
	"esep/internal/store"
	"esep/internal/xlsx"
)

// cmdQuestionnaires imports answers into the Register of questionnaires
// and exports a period of it (docs/questionnaires.md).
func cmdQuestionnaires(e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return questionnairesImport(e, args[1:])
		case "export":
			return questionnairesExport(e, args[1:])
		}
	}
	fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.questionnaires"))
	return exitUsage
}

// questionnairesImport loads one file, all or nothing. A refused file
// prints every problem with its row, not only the first few, because each
// must be fixed before the file can load.
func questionnairesImport(e *env, args []string) int {
	fs := flag.NewFlagSet("questionnaires import", flag.ContinueOnError)
	pos, ok := e.parse(fs, args)
	if !ok || len(pos) != 1 {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.questionnaires"))
		return exitUsage
	}
	path, cleanup, err := e.input(pos[0])
	if err != nil {
		return e.fail(err)
	}
	defer cleanup()
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	qs, err := ingest.ReadQuestionnaires(e.ctx, path, tabular.Options{}, db, "")
	var perr *ingest.ProblemsError
	if errors.As(err, &perr) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.error")+": "+i18n.T(e.lang, "web.questionnaires.refused", "file", filepath.Base(pos[0]), "n", len(perr.Problems)))
		for _, p := range perr.Problems {
			fmt.Fprintln(e.stderr, "  "+i18n.T(e.lang, "ingest.ref.problem", "row", p.Row, "column", p.Column, "value", p.Value, "problem", i18n.T(e.lang, p.Key)))
		}
		return exitFail
	}
	if err != nil {
		return e.fail(err)
	}
	if err := db.ImportQuestionnaires(e.ctx, qs, whoami(), filepath.Base(pos[0])); err != nil {
		return e.fail(err)
	}
	fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.questionnaires.imported", "n", len(qs)))
	return exitOK
}

func questionnairesExport(e *env, args []string) int {
	fs := flag.NewFlagSet("questionnaires export", flag.ContinueOnError)
	from := fs.String("from", "", "first end date of the services, YYYY-MM-DD")
	to := fs.String("to", "", "last end date, YYYY-MM-DD")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("o", "", "write to this file")
	pos, ok := e.parse(fs, args)
	f, err1 := time.Parse(time.DateOnly, *from)
	t, err2 := time.Parse(time.DateOnly, *to)
	if !ok || len(pos) > 0 || err1 != nil || err2 != nil || t.Before(f) || *format != "csv" && *format != "xlsx" {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.questionnaires"))
		return exitUsage
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	qs, _, err := db.ListQuestionnaires(e.ctx, store.QuestionnaireFilter{From: *from, To: *to}, "", 0)
	if err != nil {
		return e.fail(err)
	}
	var buf bytes.Buffer
	if *format == "csv" {
		err = ingest.WriteQuestionnairesCSV(&buf, qs, e.lang)
	} else {
		err = xlsx.Questionnaires(&buf, qs, *from, *to, time.Now().UTC().Format(time.RFC3339), e.lang)
	}
	if err != nil {
		return e.fail(err)
	}
	return e.writeOutput(*out, buf.Bytes())
}
