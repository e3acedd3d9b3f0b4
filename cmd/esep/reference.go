package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"esep/internal/i18n"
	"esep/internal/kz"
)

func cmdCheckID(e *env, args []string) int {
	fs := flag.NewFlagSet("check-id", flag.ContinueOnError)
	format := fs.String("format", "text", "output: text or json")
	numbers, ok := e.parse(fs, args)
	if !ok || len(numbers) == 0 || !validFormat(*format) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.check_id"))
		return exitUsage
	}
	type result struct {
		Number    string `json:"number"`
		Valid     bool   `json:"valid"`
		Kind      string `json:"kind,omitempty"`
		BirthDate string `json:"birth_date,omitempty"`
		Gender    string `json:"gender,omitempty"`
		Error     string `json:"error,omitempty"`
	}
	out := make([]result, 0, len(numbers))
	for _, n := range numbers {
		r := result{Number: n}
		id, err := kz.ParseID(n)
		if err != nil {
			r.Error = localize(e.lang, err)
			r.Kind = guessKind(n)
		} else {
			r.Valid, r.Kind, r.Number = true, string(id.Kind), id.Number
			if id.IIN != nil {
				r.BirthDate = id.IIN.BirthDate.Format(time.DateOnly)
				r.Gender = string(id.IIN.Gender)
			}
		}
		out = append(out, r)
	}
	if *format == "json" {
		writeJSON(e.stdout, out)
		return exitOK
	}
	for _, r := range out {
		switch {
		case !r.Valid:
			fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.check_id.invalid", "number", r.Number, "error", r.Error))
		case r.Kind == "iin":
			fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.check_id.iin", "number", r.Number, "birth_date", r.BirthDate,
				"gender", i18n.T(e.lang, "gender."+r.Gender)))
		default:
			fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.check_id.bin", "number", r.Number))
		}
	}
	return exitOK
}

// guessKind tells an IIN from a BIN by digit 5 (reference-kz.md §1.1), so
// that an invalid number still says what it was meant to be.
func guessKind(n string) string {
	n = kz.Normalize(n)
	if len(n) != 12 {
		return ""
	}
	switch n[4] {
	case '0', '1', '2', '3':
		return "iin"
	case '4', '5', '6':
		return "bin"
	}
	return ""
}

func cmdCalendar(e *env, args []string) int {
	fs := flag.NewFlagSet("calendar", flag.ContinueOnError)
	format := fs.String("format", "text", "output: text or json")
	pos, ok := e.parse(fs, args)
	year := 0
	if ok && len(pos) == 1 {
		year, _ = strconv.Atoi(pos[0])
	}
	if year < 1900 || year > 2200 || !validFormat(*format) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.calendar"))
		return exitUsage
	}
	cal, err := e.calendar()
	if err != nil {
		return e.fail(err)
	}
	if !cal.Covers(year) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.calendar.not_covered", "year", year))
	}
	type dayOff struct {
		Date string `json:"date"`
		Name string `json:"name"`
	}
	doc := struct {
		Year    int      `json:"year"`
		DaysOff []dayOff `json:"days_off"`
		Working []string `json:"working_weekend_days"`
	}{Year: year, DaysOff: []dayOff{}, Working: []string{}}
	for _, d := range cal.DaysOff(year) {
		doc.DaysOff = append(doc.DaysOff, dayOff{d.Date.Format(time.DateOnly), d.Name.In(e.lang)})
	}
	for _, d := range cal.WorkingWeekendDays(year) {
		doc.Working = append(doc.Working, d.Format(time.DateOnly))
	}
	if *format == "json" {
		writeJSON(e.stdout, doc)
		return exitOK
	}
	fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.calendar.days_off", "year", year))
	for _, d := range doc.DaysOff {
		fmt.Fprintf(e.stdout, "  %s  %s\n", d.Date, d.Name)
	}
	fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.calendar.working_weekend", "year", year))
	for _, d := range doc.Working {
		fmt.Fprintf(e.stdout, "  %s\n", d)
	}
	return exitOK
}

func regionName(l i18n.Lang, code string) string {
	if r, ok := kz.RegionByCode(code); ok {
		return r.Name.In(l)
	}
	return ""
}
