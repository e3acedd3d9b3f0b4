package web

import (
	"bytes"
	"strings"
	"testing"

	"esep/internal/i18n"
	"esep/internal/report"
	"esep/internal/report/reporttest"
	"esep/internal/stats"
)

// TestReportPageQuality renders section 3 of the report page in every
// language: the blocks of the layout with their figures, the small cells
// marked and the legend; and, without survey data, the one sentence that
// says so and no table.
func TestReportPageQuality(t *testing.T) {
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	render := func(q report.Quality, lang i18n.Lang) string {
		t.Helper()
		r := &report.Report{Kind: report.Quarterly, Period: "2026Q2", From: "2026-04-01", To: "2026-06-30", Status: report.Draft,
			GeneratedAt: "2026-07-01T00:00:00Z", Tables: &stats.Tables{}, National: &stats.National{}, Quality: q}
		var b bytes.Buffer
		if err := p.set["report"].Execute(&b, view{Lang: lang, Langs: i18n.Langs, Data: reportView(r, lang)}); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		i, j := strings.Index(s, `id="report-quality"`), strings.Index(s, `id="report-conclusions"`)
		if i < 0 || j < i {
			t.Fatal("no section 3")
		}
		return s[i:j]
	}
	q := reporttest.Quality()
	for _, lang := range i18n.Langs {
		html := render(q, lang)
		u := q.Phone.Unconfirmed
		want := i18n.T(lang, "doc.quality.unconfirmed", "share", "6.3", "lo", "3.6", "hi", "10.7", "register", "2\u202f834",
			"count", "178", "count_lo", "101", "count_hi", "304")
		if u.Count != 178 || !strings.Contains(html, want) {
			t.Errorf("%s: lacks %q", lang, want)
		}
		for _, s := range []string{"<td>4.00<br><small>4.00–4.00</small></td>", "<td>*</td>", "<strong>" + i18n.T(lang, "doc.quality.all_campaigns") + "</strong>",
			"<td><strong>52.9</strong></td>", i18n.T(lang, "doc.quality.q.phone_rating"), "Новенькая Ия"} {
			if !strings.Contains(html, s) {
				t.Errorf("%s: lacks %q", lang, s)
			}
		}
		if n := strings.Count(html, "<table"); n < 15 {
			t.Errorf("%s: %d tables", lang, n)
		}
	}
	html := render(report.Quality{HasData: false, NoteKey: "doc.quality.no_data"}, i18n.KK)
	if !strings.Contains(html, "<strong>"+i18n.T(i18n.KK, "doc.quality.no_data")+"</strong>") || strings.Contains(html, "<table") {
		t.Errorf("without data: %s", html)
	}
}
