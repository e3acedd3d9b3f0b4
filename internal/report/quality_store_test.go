package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/ingest"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/pdf"
	"esep/internal/pgtest"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/survey"
	"esep/internal/xlsx"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

// quarter loads a quarter of demo records (2026Q2) into a fresh database of
// engine e and returns it with its DSN and the records of the quarter.
func quarter(t *testing.T, e storetest.Engine) (*store.DB, string, []register.Record) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteCSV(f, demo.Options{Rows: 400, Seed: 5, From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	dsn := e.DSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := ingest.ImportFile(ctx, db, path, store.ImportMeta{By: "test"}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	var recs []register.Record
	err = db.EachRecord(ctx, "2026-04-01", "2026-06-30", func(r *register.Record, _ *register.Facts) error {
		recs = append(recs, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 300 {
		t.Fatalf("only %d records", len(recs))
	}
	return db, dsn, recs
}

// readPDF renders r in lang and reads it back with pdftotext, one line.
func readPDF(t *testing.T, r *report.Report, lang i18n.Lang) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("ESEP_REQUIRE_TOOLS") == "1" {
			t.Fatal("pdftotext not found: install poppler-utils")
		}
		t.Skip("pdftotext not found: install poppler-utils to run this test (ESEP_REQUIRE_TOOLS=1 makes this a failure)")
	}
	var b bytes.Buffer
	if err := pdf.Report(&b, r, lang); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-raw", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range strings.SplitSeq(string(out), "\n") {
		if l = strings.TrimSpace(strings.ReplaceAll(l, "\f", "")); l != "" && !isFooter(l) {
			lines = append(lines, l)
		}
	}
	return oneLine(strings.Join(lines, " "))
}

// isFooter tells a page footer ("11 / 14") from text.
func isFooter(l string) bool {
	a, b, ok := strings.Cut(l, " / ")
	_, e1 := strconv.Atoi(a)
	_, e2 := strconv.Atoi(b)
	return ok && e1 == nil && e2 == nil
}

// oneLine collapses white space, the narrow no-break space of grouped
// digits included, to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u202f", " ")), " ")
}

// qualitySheet renders r as a workbook in lang and returns its quality
// sheet's rows (raw values) and the workbook.
func qualitySheet(t *testing.T, r *report.Report, lang i18n.Lang) ([][]string, *excelize.File) {
	t.Helper()
	var b bytes.Buffer
	if err := xlsx.Report(&b, r, lang); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(xlsx.SheetQuality, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows, f
}

// TestQualityFromStore builds a quarter's report on a store holding
// questionnaires and a telephone campaign, on both engines, and reads the
// quality section back from its PDF and its workbook.
//
// The 60 questionnaires rate usefulness 5 thirty times and 4 thirty
// times: mean 4.5, s = √(60·0.25/59) = 0.50422, t(0.975, 59) = 2.000995,
// half-width 2.000995·0.50422/√60 = 0.13025, so 4.37 to 4.63. The
// campaign calls 12 clients of each region; every fourth says the service
// did not happen.
func TestQualityFromStore(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db, dsn, recs := quarter(t, e)
			var qs []store.Questionnaire
			for i, r := range recs[:60] {
				u := 5
				if i%2 == 1 {
					u = 4
				}
				qs = append(qs, store.Questionnaire{RecordID: r.RecordID, Lang: "kk", Usefulness: u, Organisation: 4, Expectations: 3, Satisfaction: 5,
					Financial: []string{"grant"}, FilledOn: r.EndDate})
			}
			if err := db.ImportQuestionnaires(ctx, qs, "test", "q.csv"); err != nil {
				t.Fatal(err)
			}
			// The frame: the records of each region; 12 called in each.
			byRegion := map[string][]register.Record{}
			var regions []string
			for _, r := range recs[60:] {
				if _, ok := byRegion[r.RegionKATO]; !ok {
					regions = append(regions, r.RegionKATO)
				}
				byRegion[r.RegionKATO] = append(byRegion[r.RegionKATO], r)
			}
			slices.Sort(regions)
			c := storetest.Campaign{Name: "2026Q2", From: "2026-04-01", To: "2026-06-30"}
			respondents, no := 0, 0
			for _, reg := range regions {
				rs := byRegion[reg]
				called := rs[:min(12, len(rs))]
				c.Strata = append(c.Strata, storetest.Stratum{Key: reg, Region: reg, N: len(rs), Drawn: len(called)})
				for i, r := range called {
					a := survey.PhoneAnswers{Received: survey.Yes, Rating: 4, Useful: survey.UsefulYes, Interested: survey.No}
					if i%4 == 3 {
						a = survey.PhoneAnswers{Received: survey.No, Interested: survey.No}
						no++
					}
					respondents++
					c.Calls = append(c.Calls, storetest.Call{RecordID: r.RecordID, Stratum: reg, Outcome: survey.OutcomeCompleted, Attempts: 1, Region: reg, PhoneAnswers: a})
				}
			}
			storetest.SeedCampaign(t, dsn, c)

			p, _ := report.ParsePeriod("2026Q2")
			r, err := (&report.Builder{Cycle: &monitor.Cycle{DB: db, Calendar: kz.DefaultCalendar()}}).Build(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			q := r.Quality
			if !q.HasData || q.Questionnaires == nil || q.Phone == nil || len(q.Notes) != 0 || q.Questionnaires.Count != 60 {
				t.Fatalf("quality %+v", q)
			}
			use := q.Questionnaires.Ratings.Overall[0]
			if use.N != 60 || use.Mean != 4.5 || strconv.FormatFloat(use.Lo, 'f', 2, 64) != "4.37" || strconv.FormatFloat(use.Hi, 'f', 2, 64) != "4.63" {
				t.Errorf("usefulness %+v", use)
			}
			u := q.Phone.Unconfirmed
			if u == nil || u.Respondents != respondents || u.NotConfirmed != no || u.Register != r.Introduction.RecordsCounted || u.Surveyed != len(recs)-60 {
				t.Fatalf("unconfirmed %+v; want %d respondents, %d no, %d counted", u, respondents, no, r.Introduction.RecordsCounted)
			}
			// Every stratum says no for about one in four; the weighted share
			// lies between the smallest and the largest stratum's.
			if u.Share < 0.2 || u.Share > 0.34 || u.Lo > u.Share || u.Hi < u.Share || u.CountLo > u.Count || u.CountHi < u.Count {
				t.Errorf("unconfirmed %+v", u)
			}
			if e.Name != "sqlite" {
				return // the renderers read the same model on both engines
			}
			pct := func(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) }
			sentence := i18n.T(i18n.EN, "doc.quality.unconfirmed", "share", pct(u.Share), "lo", pct(u.Lo), "hi", pct(u.Hi),
				"register", report.GroupDigits(u.Register), "count", report.GroupDigits(u.Count), "count_lo", report.GroupDigits(u.CountLo), "count_hi", report.GroupDigits(u.CountHi))
			text := readPDF(t, r, i18n.EN)
			for _, s := range []string{oneLine(sentence), "Usefulness of the consultation 60 4.50 4.37–4.63 0 0 0 30 30",
				"Receipt of grant financing 60 60 100.0 94.0–100.0"} {
				if !strings.Contains(text, s) {
					t.Errorf("the PDF lacks %q", s)
				}
			}
			rows, f := qualitySheet(t, r, i18n.EN)
			found := 0
			for i, row := range rows {
				switch {
				case len(row) > 0 && row[0] == sentence:
					found++
				case len(row) > 4 && row[0] == "Usefulness of the consultation" && row[2] != "60": // the ratings, not the share of 4-5
					found++
					if row[1] != "60" || row[2] != "4.5" || !strings.HasPrefix(row[3], "4.369") || !strings.HasPrefix(row[4], "4.630") {
						t.Errorf("usefulness row %q", row)
					}
					for col := 2; col <= 5; col++ {
						cell, _ := excelize.CoordinatesToCellName(col, i+1)
						if ct, _ := f.GetCellType(xlsx.SheetQuality, cell); ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
							t.Errorf("%s is not a number", cell)
						}
					}
				}
			}
			if found != 2 {
				t.Errorf("the workbook lacks the estimate or the usefulness row:\n%q", rows)
			}
		})
	}
}

// TestQualityNoSurvey: a quarter with records but no questionnaire and no
// call builds, and its PDF and workbook say there are no survey data.
func TestQualityNoSurvey(t *testing.T) {
	e := storetest.Engines()[0]
	db, _, _ := quarter(t, e)
	p, _ := report.ParsePeriod("2026Q2")
	r, err := (&report.Builder{Cycle: &monitor.Cycle{DB: db, Calendar: kz.DefaultCalendar()}}).Build(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Quality.HasData || r.Quality.Phone != nil || r.Quality.Questionnaires != nil {
		t.Fatalf("quality %+v", r.Quality)
	}
	for _, lang := range i18n.Langs {
		note := i18n.T(lang, "doc.quality.no_data")
		if text := readPDF(t, r, lang); !strings.Contains(text, oneLine(note)) {
			t.Errorf("%s: the PDF lacks %q", lang, note)
		}
		rows, _ := qualitySheet(t, r, lang)
		if !slices.ContainsFunc(rows, func(row []string) bool { return len(row) > 0 && row[0] == note }) {
			t.Errorf("%s: the workbook lacks %q", lang, note)
		}
	}
}
