package xlsx

import (
	"bytes"
	"strconv"
	"testing"

	"esep/internal/i18n"
	"esep/internal/report"
	"esep/internal/report/reporttest"
)

// findRow is the index of the first row of rs whose first cell is label,
// at or after from; -1 when there is none.
func findRow(rs [][]string, label string, from int) int {
	for i := from; i < len(rs); i++ {
		if len(rs[i]) > 0 && rs[i][0] == label {
			return i
		}
	}
	return -1
}

// TestQualitySheet reads the quality sheet back in every language: each
// block of the layout with its header and rows, every figure a numeric
// cell equal to the model's (shares as percentages, intervals as two
// columns), the small cells flagged, and the estimate of services not
// confirmed.
func TestQualitySheet(t *testing.T) {
	base, _ := fixture(t)
	r := *base
	r.Quality = reporttest.Quality()
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			f := open(t, render(t, &r, lang))
			rs := rows(t, f, SheetQuality)
			if rs[0][0] != i18n.T(lang, "doc.section.quality") {
				t.Fatalf("title %q", rs[0][0])
			}
			at := 0
			checked := 0
			for _, b := range report.QualityLayout(r.Quality, lang) {
				if b.Title != "" {
					if at = findRow(rs, b.Title, at); at < 0 {
						t.Fatalf("no block %q", b.Title)
					}
				}
				for _, p := range b.Paras {
					if at = findRow(rs, p, at); at < 0 {
						t.Fatalf("no paragraph %q", p)
					}
				}
				if len(b.Cols) == 0 {
					continue
				}
				at++ // the header
				for _, row := range b.Rows {
					at++
					got := rs[at]
					if got[0] != row.Cells[0].Text {
						t.Fatalf("%s: row %q, want %q", b.Title, got, row.Cells[0].Text)
					}
					col := 0
					for i, c := range row.Cells {
						kind := b.Cols[i].Kind
						var want []float64
						switch kind {
						case report.CellCount, report.CellMean:
							want = []float64{c.Value}
						case report.CellPercent:
							want = []float64{100 * c.Value}
						case report.CellMeanCI:
							want = []float64{c.Lo, c.Hi}
						case report.CellPercentCI:
							want = []float64{100 * c.Lo, 100 * c.Hi}
						case report.CellMeanWithCI:
							want = []float64{c.Value, c.Lo, c.Hi}
						default:
							if i > 0 && (col >= len(got) && c.Text != "" || col < len(got) && got[col] != c.Text) {
								t.Errorf("%s %q: cell %d = %q, want %q", b.Title, got[0], col, got, c.Text)
							}
							col++
							continue
						}
						for _, w := range want {
							cell := cellName(col+1, at+1)
							if c.Undefined {
								if col < len(got) && got[col] != "" {
									t.Errorf("%s: undefined figure shown as %q", cell, got[col])
								}
							} else if v, err := strconv.ParseFloat(got[col], 64); err != nil || v-w > 1e-9 || w-v > 1e-9 || !isNumber(t, f, SheetQuality, cell) {
								t.Errorf("%s %s: %q, want the number %v", b.Title, cell, got[col], w)
							} else {
								checked++
							}
							col++
						}
					}
				}
			}
			if checked < 300 {
				t.Errorf("only %d figures checked", checked)
			}
			// The estimate of services not confirmed, and the newcomer's
			// small cell marked.
			u := r.Quality.Phone.Unconfirmed
			want := i18n.T(lang, "doc.quality.unconfirmed", "share", "6.3", "lo", "3.6", "hi", "10.7", "register", "2\u202f834",
				"count", strconv.Itoa(u.Count), "count_lo", strconv.Itoa(u.CountLo), "count_hi", strconv.Itoa(u.CountHi))
			if findRow(rs, want, 0) < 0 {
				t.Errorf("no line %q", want)
			}
			i := findRow(rs, "Новенькая Ия", 0)
			if i < 0 || rs[i][1] != "4" || rs[i][len(rs[i])-1] != report.SmallMark {
				t.Errorf("newcomer row %q", rs[i])
			}
		})
	}
}

// TestQualityDeterministic: a report with survey figures renders to the
// same bytes again and from its snapshot, as a sent report must, as a
// workbook.
func TestQualityDeterministic(t *testing.T) {
	base, _ := fixture(t)
	r := *base
	r.Quality = reporttest.Quality()
	first := render(t, &r, i18n.KK)
	snap, err := report.Snapshot(&r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := report.FromSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, render(t, &r, i18n.KK)) || !bytes.Equal(first, render(t, back, i18n.KK)) {
		t.Error("the workbook differs between renderings")
	}
}

// TestQualitySheetNoData: without survey data the sheet and the summary
// say so, and the sheet holds no number.
func TestQualitySheetNoData(t *testing.T) {
	r, _ := fixture(t)
	f := open(t, render(t, r, i18n.KK))
	rs := rows(t, f, SheetQuality)
	if findRow(rs, i18n.T(i18n.KK, "doc.quality.no_data"), 0) < 0 {
		t.Errorf("no note: %q", rs)
	}
	for i, row := range rs {
		for j := range row {
			if isNumber(t, f, SheetQuality, cellName(j+1, i+1)) && row[j] != "" {
				t.Errorf("%s holds the number %q", cellName(j+1, i+1), row[j])
			}
		}
	}
}
