package ingest

// The Register of questionnaires as a file (docs/questionnaires.md): the
// client's Annex 2 answers, one service a row, read for import and laid out
// for export. The same columns go both ways, so an exported file imports
// as it is into another database.

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"esep/internal/i18n"
	"esep/internal/ingest/tabular"
	"esep/internal/kz"
	"esep/internal/store"
	"esep/internal/survey"
)

// QuestionnaireColumns are the data columns of a Register of questionnaires
// file, in the order an export writes them. The first six are required on
// import; lang defaults to Kazakh, the lists to nothing, answered_at to the
// time of the import; source is written for the reader and ignored on
// import (an imported answer is always "import").
var QuestionnaireColumns = []string{
	"record_id", "filled_on", "lang", "usefulness", "organisation", "expectations", "satisfaction",
	"purposes", "financial", "nonfinancial", "answered_at", "source",
}

var questionnaireRequired = []string{"record_id", "filled_on", "usefulness", "organisation", "expectations", "satisfaction"}

// questionnaireLists are the list columns with the option group of Annex 2
// whose codes and labels they hold.
var questionnaireLists = []struct{ column, group string }{
	{"purposes", survey.GroupPurpose},
	{"financial", survey.GroupFinancial},
	{"nonfinancial", survey.GroupNonFinancial},
}

// questionnaireAliases gives each column its accepted titles: the canonical
// name and its title in Kazakh, Russian and English
// ("questionnaires.col.<name>"), so a file exported with either header, or
// typed by hand in any of the languages, imports.
func questionnaireAliases() map[string][]string {
	out := map[string][]string{}
	for _, c := range QuestionnaireColumns {
		for _, l := range i18n.Langs {
			out[c] = append(out[c], i18n.T(l, "questionnaires.col."+c))
		}
	}
	return out
}

// optionIndex maps the folded code and labels (in every language) of each
// option of a group to its code. A folded text that two options of a group
// share would be ambiguous and is left out, so it reads as unknown.
var optionIndex = func() map[string]map[string]string {
	idx := map[string]map[string]string{}
	for _, g := range survey.OptionGroups() {
		m, ambiguous := map[string]string{}, map[string]bool{}
		for _, o := range g.Options {
			for _, text := range []string{o.Code, o.Label.KK, o.Label.RU, o.Label.EN} {
				f := fold(text)
				if prev, ok := m[f]; ok && prev != o.Code {
					ambiguous[f] = true
				}
				m[f] = o.Code
			}
		}
		for f := range ambiguous {
			delete(m, f)
		}
		idx[g.Code] = m
	}
	return idx
}()

// optionCode reads one option as its code or its label in any language,
// compared as header titles are (case, spacing, punctuation and Kazakh
// letters typed as Russian ones do not matter). An unknown text comes back
// as it was, for Validate to report.
func optionCode(group, text string) string {
	if code, ok := optionIndex[group][fold(text)]; ok {
		return code
	}
	return text
}

// splitOptions splits a list cell: options separated by ';' (or '|', or one
// per line in a spreadsheet cell).
func splitOptions(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// QuestionnaireChecker tells which records exist, in which region, and
// which already have an answer: *store.DB is one.
type QuestionnaireChecker interface {
	QuestionnaireState(ctx context.Context, ids []string) (region map[string]string, answered map[string]bool, err error)
}

// ReadQuestionnaires reads a Register of questionnaires file (CSV or XLSX,
// any encoding tabular reads) and checks every row: the record must exist
// in the register and have no answer yet, a record may appear once in the
// file, the four ratings must be whole numbers from 1 to 5, the options
// must be Annex 2's (as codes or as labels in Kazakh, Russian or English),
// the date a date not in the future, the language kk, ru or en. Any problem
// refuses the whole file: the error is then an *ProblemsError listing every
// problem with its row, and nothing should be stored. A file without the
// required columns is a *HeaderError; one that cannot be read, a
// *tabular.FileError. With scope set (a region's KATO code), a record of
// another region counts as unknown: a user limited to a region neither
// answers for other regions nor learns which of their records exist.
func ReadQuestionnaires(ctx context.Context, path string, opts tabular.Options, db QuestionnaireChecker, scope string) ([]store.Questionnaire, error) {
	perr := &ProblemsError{File: path}
	var out []store.Questionnaire
	rows := map[string]int{} // record_id → the row that has it
	latest := kz.Today().AddDate(0, 0, 1).Format(time.DateOnly)
	err := readNamed(path, opts, questionnaireAliases(), questionnaireRequired, func(num int, row map[string]string, ok bool) error {
		bad := func(col, value, key string) {
			perr.Problems = append(perr.Problems, Problem{num, col, value, "ingest.ref." + key})
		}
		if !ok {
			bad("record_id", "", "unreadable")
			return nil
		}
		before := len(perr.Problems)
		q := store.Questionnaire{RecordID: row["record_id"], Lang: string(i18n.Default), AnsweredAt: row["answered_at"]}
		switch {
		case q.RecordID == "":
			bad("record_id", "", "required")
		case rows[q.RecordID] > 0:
			bad("record_id", q.RecordID, "duplicate")
		default:
			rows[q.RecordID] = num
		}
		if d, ok := questionnaireDate(row["filled_on"]); !ok || d > latest {
			bad("filled_on", row["filled_on"], "date")
		} else {
			q.FilledOn = d
		}
		if v := row["lang"]; v != "" {
			if l, ok := i18n.Parse(v); ok {
				q.Lang = string(l)
			} else {
				bad("lang", v, "lang")
			}
		}
		if q.AnsweredAt != "" {
			if t, err := time.Parse(time.RFC3339, q.AnsweredAt); err != nil {
				bad("answered_at", q.AnsweredAt, "timestamp")
			} else {
				q.AnsweredAt = t.UTC().Format(time.RFC3339)
			}
		}
		// The ratings and options are checked by the questionnaire's own
		// rules, the same the public form applies.
		var sq survey.Questionnaire
		for _, r := range []struct {
			col string
			dst *int
		}{{"usefulness", &sq.Usefulness}, {"organisation", &sq.Organisation}, {"expectations", &sq.Expectations}, {"satisfaction", &sq.Satisfaction}} {
			v := row[r.col]
			n, err := strconv.Atoi(v)
			if err != nil {
				bad(r.col, v, "rating")
				n = 1 // reported; keeps Validate from reporting it again
			}
			*r.dst = n
		}
		lists := map[string][]string{}
		for _, l := range questionnaireLists {
			for _, text := range splitOptions(row[l.column]) {
				lists[l.column] = append(lists[l.column], optionCode(l.group, text))
			}
		}
		sq.Purposes = typed[survey.Purpose](lists["purposes"])
		sq.Financial = typed[survey.FinancialSupport](lists["financial"])
		sq.NonFinancial = typed[survey.NonFinancialSupport](lists["nonfinancial"])
		for _, p := range survey.Problems(sq.Validate()) {
			col := strings.ReplaceAll(p.Field, "_", "")
			switch p.Code {
			case survey.ErrUnknownOption:
				bad(col, p.Value, "option")
			case survey.ErrRepeated:
				bad(col, p.Value, "duplicate")
			default: // a rating missing or out of range: show the cell as it was
				bad(col, row[col], "rating")
			}
		}
		if len(perr.Problems) > before {
			return nil
		}
		q.Usefulness, q.Organisation, q.Expectations, q.Satisfaction = sq.Usefulness, sq.Organisation, sq.Expectations, sq.Satisfaction
		q.Purposes, q.Financial, q.NonFinancial = lists["purposes"], lists["financial"], lists["nonfinancial"]
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	region, answered, err := db.QuestionnaireState(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for _, id := range ids {
		reg, known := region[id]
		switch {
		case !known || scope != "" && reg != scope:
			perr.Problems = append(perr.Problems, Problem{rows[id], "record_id", id, "ingest.ref.record"})
		case answered[id]:
			perr.Problems = append(perr.Problems, Problem{rows[id], "record_id", id, "ingest.ref.answered"})
		}
	}
	if len(perr.Problems) > 0 {
		slices.SortStableFunc(perr.Problems, func(a, b Problem) int { return cmp.Compare(a.Row, b.Row) })
		return nil, perr
	}
	return out, nil
}

func typed[T ~string](s []string) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

// questionnaireDate reads a date as YYYY-MM-DD, or DD.MM.YYYY as people in
// Kazakhstan write it, and returns it as YYYY-MM-DD.
func questionnaireDate(s string) (string, bool) {
	for _, layout := range []string{time.DateOnly, "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// QuestionnaireHeader is the header of an export in lang: the data columns
// by their canonical names (what a script and the import read), then the
// three list columns again as option labels in lang, for people.
func QuestionnaireHeader(lang i18n.Lang) []string {
	h := slices.Clone(QuestionnaireColumns)
	for _, l := range questionnaireLists {
		h = append(h, i18n.T(lang, "questionnaires.col."+l.column+"_text"))
	}
	return h
}

// QuestionnaireRow is one answer as an export row, matching
// QuestionnaireHeader: codes joined by ';', labels by "; ".
func QuestionnaireRow(q *store.Questionnaire, lang i18n.Lang) []string {
	row := []string{q.RecordID, q.FilledOn, q.Lang, strconv.Itoa(q.Usefulness), strconv.Itoa(q.Organisation),
		strconv.Itoa(q.Expectations), strconv.Itoa(q.Satisfaction),
		strings.Join(q.Purposes, ";"), strings.Join(q.Financial, ";"), strings.Join(q.NonFinancial, ";"), q.AnsweredAt, q.Source}
	for i, codes := range [][]string{q.Purposes, q.Financial, q.NonFinancial} {
		labels := make([]string, len(codes))
		for j, c := range codes {
			labels[j] = c
			if l, ok := survey.OptionLabel(questionnaireLists[i].group, c); ok {
				labels[j] = l.In(string(lang))
			}
		}
		row = append(row, strings.Join(labels, "; "))
	}
	return row
}

// WriteQuestionnairesCSV writes answers as CSV for Excel: UTF-8 with a byte
// order mark (without it Excel reads the Cyrillic as Windows-1251), comma
// separated, CRLF line ends.
func WriteQuestionnairesCSV(w io.Writer, qs []store.Questionnaire, lang i18n.Lang) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("questionnaires csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(QuestionnaireHeader(lang)); err != nil {
		return fmt.Errorf("questionnaires csv: %w", err)
	}
	for i := range qs {
		if err := cw.Write(QuestionnaireRow(&qs[i], lang)); err != nil {
			return fmt.Errorf("questionnaires csv row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("questionnaires csv: %w", err)
	}
	return nil
}
