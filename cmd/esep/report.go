package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/stats"
)

func cmdDemo(e *env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	rows := fs.Int("rows", 1000, "number of records")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same register")
	errRate := fs.Float64("errors", 0.02, "share of records with a mistake (0 to 1)")
	defFrom, defTo := demo.DefaultWindow(time.Now())
	from := fs.String("from", defFrom.Format(time.DateOnly), "first service date")
	to := fs.String("to", defTo.Format(time.DateOnly), "last service date")
	out := fs.String("o", "", "write to this file instead of standard output")
	prefix := fs.String("prefix", "SRV", "start of every record_id")
	pos, ok := e.parse(fs, args)
	f, ferr := time.Parse(time.DateOnly, *from)
	t, terr := time.Parse(time.DateOnly, *to)
	if !ok || len(pos) > 0 || *rows < 0 || ferr != nil || terr != nil || t.Before(f) || *errRate < 0 || *errRate > 1 || math.IsNaN(*errRate) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.demo"))
		return exitUsage
	}
	w := e.stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return e.fail(err)
		}
		defer file.Close()
		w = file
	}
	if err := demo.WriteCSV(w, demo.Options{Rows: *rows, Seed: *seed, From: f, To: t, ErrorRate: *errRate, IDPrefix: *prefix}); err != nil {
		return e.fail(err)
	}
	return exitOK
}

func cmdReport(e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "save", "send", "edit":
			return cmdAnnex(e, args[0], args[1:])
		}
	}
	for _, a := range args {
		if a == "--quarter" || a == "-quarter" || a == "--year" || a == "-year" || hasPrefixAny(a, "--quarter=", "-quarter=", "--year=", "-year=") {
			return cmdAnnex(e, "render", args)
		}
	}
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	from := fs.String("from", "", "first day of the period, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the period, YYYY-MM-DD")
	format := fs.String("format", "text", "output: text or json")
	pos, ok := e.parse(fs, args)
	f, ferr := time.Parse(time.DateOnly, *from)
	t, terr := time.Parse(time.DateOnly, *to)
	if !ok || len(pos) > 0 || ferr != nil || terr != nil || t.Before(f) || !validFormat(*format) {
		fmt.Fprintln(e.stderr, i18n.T(e.lang, "cli.usage.report"))
		return exitUsage
	}
	c, done, err := e.cycle()
	if err != nil {
		return e.fail(err)
	}
	defer done()
	tables, _, err := stats.Compute(e.ctx, c, *from, *to)
	if err != nil {
		return e.fail(err)
	}
	if *format == "json" {
		writeJSON(e.stdout, tables)
		return exitOK
	}
	printTables(e, tables)
	return exitOK
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func printTables(e *env, t *stats.Tables) {
	w := e.stdout
	l := e.lang
	fmt.Fprintln(w, i18n.T(l, "report.period", "from", t.From, "to", t.To))
	fmt.Fprintf(w, "%s: %d\n%s: %d\n", i18n.T(l, "report.services_total"), t.ServicesTotal, i18n.T(l, "report.services_online"), t.ServicesOnline)
	section := func(key string) { fmt.Fprintln(w, "\n"+i18n.T(l, key)) }
	section("report.clients_by_region")
	for _, r := range t.ClientsByRegion {
		fmt.Fprintf(w, "  %-10s %-40s %d\n", r.Region, regionName(l, r.Region), r.Count)
	}
	section("report.clients_by_region_gender")
	for _, r := range t.ClientsByRegionGender {
		fmt.Fprintf(w, "  %-10s %-4s %d\n", r.Region, r.Gender, r.Count)
	}
	section("report.clients_by_age_band")
	for _, r := range t.ClientsByAgeBand {
		fmt.Fprintf(w, "  %-10s %d\n", r.AgeBand, r.Count)
	}
	section("report.clients_by_region_sector")
	for _, r := range t.ClientsByRegionSector {
		fmt.Fprintf(w, "  %-10s %-4s %d\n", r.Region, r.OKEDSection, r.Count)
	}
	section("report.enterprises_by_region_legal_form")
	for _, r := range t.EnterprisesByRegionLegalForm {
		fmt.Fprintf(w, "  %-10s %-6s %d\n", r.Region, r.LegalForm, r.Count)
	}
	section("report.clients_by_region_category")
	for _, r := range t.ClientsByRegionCategory {
		fmt.Fprintf(w, "  %-10s %-8s %d\n", r.Region, r.Category, r.Count)
	}
	section("report.services_by_region_service")
	for _, r := range t.ServicesByRegionService {
		fmt.Fprintf(w, "  %-10s %-6s %d\n", r.Region, r.ServiceCode, r.Count)
	}
	section("report.excluded")
	for _, r := range t.Excluded {
		fmt.Fprintf(w, "  %-40s %d\n", i18n.T(l, "exclusion."+r.Reason), r.Count)
	}
}

func cmdMigrate(e *env, args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if _, ok := e.parse(fs, args); !ok {
		return exitUsage
	}
	db, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer db.Close()
	ms, err := db.Migrations()
	if err != nil {
		return e.fail(err)
	}
	for _, m := range ms {
		fmt.Fprintf(e.stdout, "%04d %s\n", m.Version, m.Name)
	}
	fmt.Fprintln(e.stdout, i18n.T(e.lang, "cli.migrate.done", "engine", db.Engine(), "db", maskDSN(e.dsn)))
	return exitOK
}
