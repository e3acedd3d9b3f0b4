package pdf

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"esep/internal/i18n"
	"esep/internal/report"
	"esep/internal/report/reporttest"
)

// withQuality is the fixture report with a computed quality section.
func withQuality(t *testing.T) *report.Report {
	t.Helper()
	r := *testFixture(t).report
	r.Quality = reporttest.Quality()
	return &r
}

// section3 is the text of section 3 in a report's extracted text.
func section3(t *testing.T, all string, lang i18n.Lang) string {
	t.Helper()
	quality, conclusions := flat(i18n.T(lang, "doc.section.quality")), flat(i18n.T(lang, "doc.section.conclusions"))
	i, j := strings.LastIndex(all, quality), strings.LastIndex(all, conclusions)
	if i < 0 || j < i {
		t.Fatalf("sections 3 and 4 not found in order")
	}
	return all[i+len(quality) : j]
}

// TestReportQuality reads section 3 back in every language: the estimate
// of services not confirmed with its interval and what it implies, the
// paragraphs and every row of every table as the layout gives them, and
// the mark of small cells with its legend.
func TestReportQuality(t *testing.T) {
	r := withQuality(t)
	// A sent report renders from its snapshot to the same bytes.
	snap, err := report.Snapshot(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := report.FromSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := Report(&a, r, i18n.KK); err != nil {
		t.Fatal(err)
	}
	if err := Report(&b, back, i18n.KK); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the report differs when rendered from its snapshot")
	}
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Report(&buf, r, lang); err != nil {
				t.Fatal(err)
			}
			// Page footers ("11 / 14") may fall inside a paragraph.
			raw := regexp.MustCompile(`(?m)^\d+ / \d+$`).ReplaceAllString(pdfText(t, writePDF(t, buf.Bytes()), "-raw"), "")
			text := section3(t, flat(raw), lang)
			// The figures themselves, as computed (reporttest.Quality):
			// 12 of 189 respondents said no, weighted 6.3% (3.6-10.7%), of
			// the 2 834 services counted about 178 (101-304).
			u := r.Quality.Phone.Unconfirmed
			if u.Respondents != 189 || u.NotConfirmed != 12 || u.Count != 178 || u.CountLo != 101 || u.CountHi != 304 {
				t.Fatalf("fixture changed: %+v", u)
			}
			want := flat(i18n.T(lang, "doc.quality.unconfirmed", "share", "6.3", "lo", "3.6", "hi", "10.7", "register", "2 834",
				"count", "178", "count_lo", "101", "count_hi", "304"))
			if !strings.Contains(text, want) {
				t.Errorf("lacks %q", want)
			}
			for _, b := range report.QualityLayout(r.Quality, lang) {
				for _, s := range append(append([]string{b.Title}, b.Paras...), b.Notes...) {
					if s != "" && !strings.Contains(text, flat(s)) {
						t.Errorf("lacks %q", s)
					}
				}
				for _, row := range b.Rows {
					var cells []string
					for _, c := range row.Cells {
						cells = append(cells, strings.TrimSpace(c.Text+" "+c.Sub))
					}
					// A long name may wrap within its cell; the figures after it
					// read in order.
					figures := flat(strings.Join(cells[1:], " "))
					if !strings.Contains(text, figures) {
						t.Errorf("%s: no row %q", b.Title, figures)
					}
				}
			}
			// The newcomer's four questionnaires are flagged, and the flag
			// is explained.
			if !regexp.MustCompile(`Новенькая Ия 4 ([0-9.]+ [0-9.]+–[0-9.]+ ){4}\*`).MatchString(text) {
				t.Errorf("the small cell is not flagged: %s", text[strings.Index(text, "Новенькая"):][:200])
			}
			if s := flat(i18n.T(lang, "doc.quality.legend", "mark", "*", "n", 30)); !strings.Contains(text, s) {
				t.Errorf("lacks the legend %q", s)
			}
		})
	}
}
