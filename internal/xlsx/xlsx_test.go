package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
)

// specTable describes how a table of spec §4 is laid out on its sheet: its
// JSON key, its key columns (each a code column then a name column), and
// where its nationwide rows come from ("" is national.clients, one row).
type specTable struct {
	key      string
	sheet    string
	columns  []string
	kinds    []string
	national string
}

var specTables = []specTable{
	{"clients_by_region", SheetClientsByRegion, []string{"region"}, []string{report.NameRegion}, ""},
	{"clients_by_region_sector", SheetClientsByRegionSector, []string{"region", "oked_section"}, []string{report.NameRegion, report.NameSection}, "clients_by_sector"},
	{"enterprises_by_region_legal_form", SheetEnterprisesByRegionLegalForm, []string{"region", "legal_form"}, []string{report.NameRegion, report.NameLegalForm}, "enterprises_by_legal_form"},
	{"clients_by_region_gender", SheetClientsByRegionGender, []string{"region", "gender"}, []string{report.NameRegion, report.NameGender}, "clients_by_gender"},
	{"clients_by_age_band", SheetClientsByAgeBand, []string{"age_band"}, []string{report.NameAgeBand}, ""},
	{"clients_by_region_category", SheetClientsByRegionCategory, []string{"region", "entrepreneur_category"}, []string{report.NameRegion, report.NameCategory}, "clients_by_category"},
	{"services_by_region_service", SheetServicesByRegionService, []string{"region", "service_code"}, []string{report.NameRegion, report.NameService}, "services_by_service"},
}

var wantSheets = []string{SheetSummary, SheetClientsByRegion, SheetClientsByRegionSector, SheetEnterprisesByRegionLegalForm,
	SheetClientsByRegionGender, SheetClientsByAgeBand, SheetClientsByRegionCategory, SheetServicesByRegionService,
	SheetPlans, SheetQuality, SheetExcluded, SheetLateRegisters, SheetLetters}

func render(tb testing.TB, r *report.Report, lang i18n.Lang) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := Report(&b, r, lang); err != nil {
		tb.Fatalf("Report(%s): %v", lang, err)
	}
	return b.Bytes()
}

func open(tb testing.TB, b []byte) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("open workbook: %v", err)
	}
	tb.Cleanup(func() { _ = f.Close() })
	return f
}

func rows(tb testing.TB, f *excelize.File, sheet string) [][]string {
	tb.Helper()
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		tb.Fatalf("rows of %s: %v", sheet, err)
	}
	return rs
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// isNumber reports whether a cell is stored as a number: a cell without a
// t attribute is numeric in OOXML (ST_CellType defaults to n), which
// excelize reads as CellTypeUnset.
func isNumber(tb testing.TB, f *excelize.File, sheet, cell string) bool {
	tb.Helper()
	ct, err := f.GetCellType(sheet, cell)
	if err != nil {
		tb.Fatal(err)
	}
	return ct == excelize.CellTypeNumber || ct == excelize.CellTypeUnset
}

func style(tb testing.TB, f *excelize.File, sheet, cell string) *excelize.Style {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestReportTablesMatchJSON reads every spec §4 table back from the
// workbook, in every language, and compares it with the report's JSON,
// row by row: the codes, the names, the counts (as numeric cells), and the
// nationwide rows from r.National. This is the check that the XLSX says
// what the JSON says.
func TestReportTablesMatchJSON(t *testing.T) {
	r, _ := fixture(t)
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tables   map[string]json.RawMessage `json:"tables"`
		National map[string]json.RawMessage `json:"national"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	var nationalClients int
	if err := json.Unmarshal(doc.National["clients"], &nationalClients); err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			f := open(t, render(t, r, lang))
			if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
				t.Fatalf("sheets = %v, want %v", got, wantSheets)
			}
			national := i18n.T(lang, "doc.national_total")
			for _, spec := range specTables {
				var want []map[string]any
				if err := json.Unmarshal(doc.Tables[spec.key], &want); err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatalf("%s: the fixture has no rows", spec.key)
				}
				var wantNational []stats.KeyCount
				if spec.national != "" {
					if err := json.Unmarshal(doc.National[spec.national], &wantNational); err != nil {
						t.Fatal(err)
					}
				}
				got := rows(t, f, spec.sheet)
				if got[0][0] != i18n.T(lang, "report."+spec.key) {
					t.Errorf("%s: title %q", spec.sheet, got[0][0])
				}
				data := got[firstRow-1:]
				countCol := 2 * len(spec.columns)
				check := func(i int, codes []string, n int) {
					t.Helper()
					if i >= len(data) {
						t.Errorf("%s: row %d missing", spec.sheet, firstRow+i)
						return
					}
					row := data[i]
					if len(row) != countCol+1 {
						t.Errorf("%s row %d: %d cells %q, want %d", spec.sheet, firstRow+i, len(row), row, countCol+1)
						return
					}
					for k, c := range codes {
						if row[2*k] != c {
							t.Errorf("%s row %d: %s = %q, want %q", spec.sheet, firstRow+i, spec.columns[k], row[2*k], c)
						}
						wantName := national
						if c != "" || k > 0 {
							wantName = report.Name(lang, spec.kinds[k], c)
						}
						if row[2*k+1] != wantName {
							t.Errorf("%s row %d: name %q, want %q", spec.sheet, firstRow+i, row[2*k+1], wantName)
						}
					}
					if row[countCol] != strconv.Itoa(n) {
						t.Errorf("%s row %d: count %q, want %d", spec.sheet, firstRow+i, row[countCol], n)
					}
					cell := cellName(countCol+1, firstRow+i)
					if !isNumber(t, f, spec.sheet, cell) {
						t.Errorf("%s %s: the count is not a numeric cell", spec.sheet, cell)
					}
					if ct, _ := f.GetCellType(spec.sheet, cellName(1, firstRow+i)); ct != excelize.CellTypeInlineString {
						t.Errorf("%s %s: the code is cell type %v, want text", spec.sheet, cellName(1, firstRow+i), ct)
					}
				}
				for i, w := range want {
					codes := make([]string, len(spec.columns))
					for k, c := range spec.columns {
						codes[k] = w[c].(string)
					}
					check(i, codes, int(w["count"].(float64)))
				}
				// The nationwide rows: an empty region code, the national
				// label in the name column, in bold.
				next := len(want)
				if spec.national == "" {
					check(next, []string{""}, nationalClients)
					next++
				} else {
					for _, kc := range wantNational {
						check(next, []string{"", kc.Key}, kc.Count)
						next++
					}
				}
				if len(data) != next {
					t.Errorf("%s: %d rows after the header, want %d", spec.sheet, len(data), next)
				}
				if s := style(t, f, spec.sheet, cellName(countCol+1, firstRow+len(want))); s.Font == nil || !s.Font.Bold {
					t.Errorf("%s: the national row is not bold", spec.sheet)
				}
			}
		})
	}
}

// TestReportLayout checks what makes the workbook usable: styled headers,
// frozen panes, widths that fit the codes, numeric counts and percentages,
// sheet names, text codes, and the summary sheet.
func TestReportLayout(t *testing.T) {
	r, _ := fixture(t)
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			f := open(t, render(t, r, lang))
			seen := map[string]bool{}
			for _, name := range f.GetSheetList() {
				if len(name) > 31 || seen[name] || strings.ContainsAny(name, `:\/?*[]'`) {
					t.Errorf("sheet name %q: too long, repeated or invalid", name)
				}
				seen[name] = true
				if name == SheetSummary || name == SheetQuality { // documents, not tables
					continue
				}
				p, err := f.GetPanes(name)
				if err != nil {
					t.Fatal(err)
				}
				if !p.Freeze || p.YSplit != headerRow || p.TopLeftCell != cellName(1, firstRow) {
					t.Errorf("%s: panes %+v, want frozen below row %d", name, p, headerRow)
				}
				s := style(t, f, name, cellName(1, headerRow))
				if s.Font == nil || !s.Font.Bold || len(s.Fill.Color) == 0 || len(s.Border) != 4 || s.Alignment == nil || !s.Alignment.WrapText {
					t.Errorf("%s: header style %+v, want bold, filled, bordered, wrapped", name, s)
				}
				if s := style(t, f, name, "A1"); s.Font == nil || !s.Font.Bold {
					t.Errorf("%s: title not bold", name)
				}
			}
			// KATO codes keep their nine digits as text, in a column wide
			// enough to show them.
			rs := rows(t, f, SheetClientsByRegion)
			if kato := rs[firstRow-1][0]; len(kato) != 9 || strings.ContainsAny(kato, ".eE+") {
				t.Errorf("KATO code %q", kato)
			}
			if s := style(t, f, SheetClientsByRegion, cellName(1, firstRow)); s.NumFmt != 49 {
				t.Errorf("code column number format %d, want 49 (text)", s.NumFmt)
			}
			if w, _ := f.GetColWidth(SheetClientsByRegion, "A"); w < 11 {
				t.Errorf("code column width %v", w)
			}
			if w, _ := f.GetColWidth(SheetClientsByRegion, "B"); w < 16 {
				t.Errorf("name column width %v", w)
			}

			// Plans: numbers and a percentage with one decimal.
			rs = rows(t, f, SheetPlans)
			for i, p := range r.Plans {
				row := rs[firstRow-1+i]
				if row[0] != p.Region || row[2] != p.ServiceCode || row[4] != strconv.Itoa(p.Plan) || row[5] != strconv.Itoa(p.Actual) {
					t.Errorf("plans row %d: %q, want %+v", i, row, p)
				}
				if got, err := strconv.ParseFloat(row[6], 64); err != nil || got != p.Percent {
					t.Errorf("plans row %d: percent %q, want %v", i, row[6], p.Percent)
				}
				if p.ServiceCode == "" && row[3] != i18n.T(lang, "doc.all_services") {
					t.Errorf("plans row %d: service %q", i, row[3])
				}
				for col := 5; col <= 7; col++ {
					if !isNumber(t, f, SheetPlans, cellName(col, firstRow+i)) {
						t.Errorf("plans %s is not numeric", cellName(col, firstRow+i))
					}
				}
				if s := style(t, f, SheetPlans, cellName(7, firstRow+i)); s.CustomNumFmt == nil || *s.CustomNumFmt != "0.0" {
					t.Errorf("percent format %v, want 0.0", s.CustomNumFmt)
				}
			}

			// Exclusions by reason, with their total; late registers; letters.
			rs = rows(t, f, SheetExcluded)
			sum := 0
			for i, e := range r.Annexes.Exclusions {
				if row := rs[firstRow-1+i]; row[0] != e.Reason || row[1] != report.Name(lang, report.NameReason, e.Reason) || row[2] != strconv.Itoa(e.Count) {
					t.Errorf("excluded row %d: %q, want %+v", i, row, e)
				}
				sum += e.Count
			}
			if total := rs[firstRow-1+len(r.Annexes.Exclusions)]; total[1] != i18n.T(lang, "doc.national_total") || total[2] != strconv.Itoa(sum) || sum != r.Introduction.RecordsExcluded {
				t.Errorf("excluded total %q, want %d", total, sum)
			}
			rs = rows(t, f, SheetLateRegisters)
			if got := rs[firstRow-1]; !slices.Equal(got, []string{"2026-08", "2026-09-01", "2026-09-03"}) {
				t.Errorf("late registers %q", got)
			}
			rs = rows(t, f, SheetLetters)
			l := r.Annexes.Letters[0]
			want := []string{l.Number, l.Date, l.Month, l.SentAt, l.CorrectionDue, strconv.Itoa(l.Problems), strconv.Itoa(l.Corrected), strconv.Itoa(l.CorrectedLate), strconv.Itoa(l.Outstanding)}
			if got := rs[firstRow-1]; !slices.Equal(got, want) {
				t.Errorf("letters %q, want %q", got, want)
			}

			checkSummary(t, f, r, lang)
		})
	}
}

// checkSummary finds the summary's lines by their labels.
func checkSummary(t *testing.T, f *excelize.File, r *report.Report, lang i18n.Lang) {
	t.Helper()
	rs := rows(t, f, SheetSummary)
	find := func(label string) int {
		t.Helper()
		for i, row := range rs {
			if len(row) > 0 && row[0] == label {
				return i
			}
		}
		t.Errorf("summary: no line %q", label)
		return -1
	}
	if rs[0][0] != i18n.T(lang, "doc.report.title") {
		t.Errorf("summary title %q", rs[0][0])
	}
	if want := i18n.T(lang, "doc.report.period.quarter", "quarter", "3", "year", "2026", "from", r.From, "to", r.To); rs[2][0] != want {
		t.Errorf("period %q, want %q", rs[2][0], want)
	}
	if !strings.Contains(rs[4][0], i18n.T(lang, "doc.status.sent")) || !strings.Contains(rs[4][0], "2") {
		t.Errorf("version line %q", rs[4][0])
	}
	for label, n := range map[string]int{
		"report.services_total": r.Tables.ServicesTotal, "report.services_online": r.Tables.ServicesOnline,
		"xlsx.national_clients": r.National.Clients, "xlsx.records_received": r.Introduction.RecordsReceived,
		"xlsx.records_counted": r.Introduction.RecordsCounted, "xlsx.records_excluded": r.Introduction.RecordsExcluded,
	} {
		if i := find(i18n.T(lang, label)); i >= 0 {
			if rs[i][1] != strconv.Itoa(n) || !isNumber(t, f, SheetSummary, cellName(2, i+1)) {
				t.Errorf("summary %s = %q (numeric: %v), want %d", label, rs[i][1], isNumber(t, f, SheetSummary, cellName(2, i+1)), n)
			}
		}
	}
	// Deliveries, with the late one marked.
	if i := find(i18n.T(lang, "doc.intro.deliveries")); i >= 0 {
		for k, d := range r.Introduction.Deliveries {
			row := rs[i+2+k]
			timeliness := i18n.T(lang, "doc.on_time")
			if d.Late {
				timeliness = i18n.T(lang, "doc.late")
			}
			if !slices.Equal(row, []string{d.Month, d.DueDate, d.ReceivedAt, timeliness, strconv.Itoa(d.Records)}) {
				t.Errorf("delivery %d: %q", k, row)
			}
		}
	}
	// The quality section says there are no data and shows no number.
	if i := find(i18n.T(lang, "doc.section.quality")); i >= 0 {
		if got := rs[i+1]; len(got) != 1 || got[0] != i18n.T(lang, "doc.quality.no_data") {
			t.Errorf("quality note %q", got)
		}
	}
	if i := find(i18n.T(lang, "doc.section.conclusions")); i >= 0 {
		for k, c := range r.Conclusions {
			if got := rs[i+1+k]; len(got) != 2 || got[0] != strconv.Itoa(k+1) || got[1] != report.ConclusionText(c, lang) {
				t.Errorf("conclusion %d: %q", k+1, got)
			}
		}
	}
	// The contents list every other sheet, each a link to it.
	if i := find(i18n.T(lang, "doc.toc")); i >= 0 {
		for k, name := range wantSheets[1:] {
			row := rs[i+2+k]
			if row[0] != name || row[1] == "" {
				t.Errorf("contents %d: %q", k, row)
			}
			ok, target, err := f.GetCellHyperLink(SheetSummary, cellName(1, i+3+k))
			if err != nil || !ok || target != "'"+name+"'!A1" {
				t.Errorf("contents %s: link %v %q %v", name, ok, target, err)
			}
		}
	}
}

// TestKazakhText checks that Kazakh letters come back as written.
func TestKazakhText(t *testing.T) {
	r, l := fixture(t)
	f := open(t, render(t, r, i18n.KK))
	const kazakh = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
	title := rows(t, f, SheetSummary)[0][0]
	if title != "Сервистік қолдаудың іске асырылуын мониторингілеу туралы есеп" {
		t.Errorf("title %q", title)
	}
	names := 0
	for _, row := range rows(t, f, SheetClientsByRegion)[firstRow-1:] {
		if strings.ContainsAny(row[1], kazakh) {
			names++
		}
	}
	if names == 0 {
		t.Error("no region name with a Kazakh letter")
	}
	if got := rows(t, f, SheetClientsByRegion); got[len(got)-1][1] != "Республика бойынша барлығы" {
		t.Errorf("national label %q", got[len(got)-1][1])
	}
	var b bytes.Buffer
	if err := Letter(&b, l, i18n.KK); err != nil {
		t.Fatal(err)
	}
	lf := open(t, b.Bytes())
	if got := rows(t, lf, SheetLetter)[0][0]; got != "Хабарлама хат" {
		t.Errorf("letter title %q", got)
	}
}

// TestReportDeterministic renders the same report twice, and once more
// from its snapshot as a sent report is, and wants the same bytes.
func TestReportDeterministic(t *testing.T) {
	r, _ := fixture(t)
	first := render(t, r, i18n.RU)
	for i := range 3 {
		if again := render(t, r, i18n.RU); !bytes.Equal(first, again) {
			t.Fatalf("render %d differs from the first (%d and %d bytes)", i+2, len(first), len(again))
		}
	}
	snap, err := report.Snapshot(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := report.FromSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	if again := render(t, back, i18n.RU); !bytes.Equal(first, again) {
		t.Fatal("the report rendered from its snapshot differs")
	}
	if bytes.Equal(first, render(t, r, i18n.EN)) {
		t.Error("the Russian and English workbooks are the same")
	}

	// The archive's parts are in name order with the report's time, and
	// the document properties carry the generation time, not the clock's.
	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if got := zf.Modified.UTC().Format("2006-01-02T15:04:05Z"); got != r.GeneratedAt {
			t.Errorf("%s: modified %s, want %s", zf.Name, got, r.GeneratedAt)
		}
	}
	if !slices.IsSorted(names) || names[0] != "[Content_Types].xml" {
		t.Errorf("archive parts %v", names)
	}
	props, err := open(t, first).GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Created != r.GeneratedAt || props.Modified != r.GeneratedAt || props.Language != "ru" || props.Revision != "2" {
		t.Errorf("document properties %+v", props)
	}
}

// TestLetter reads a letter back: its particulars, the items with blocking
// findings first in a stable order, localized severities and messages,
// numeric row numbers, the frozen header, and identical bytes on a second
// render.
func TestLetter(t *testing.T) {
	_, l := fixture(t)
	if len(l.Items) < 20 {
		t.Fatalf("the fixture letter has %d items", len(l.Items))
	}
	var nb, nw int
	for _, it := range l.Items {
		if it.Severity == register.Blocking {
			nb++
		} else {
			nw++
		}
	}
	if nb == 0 || nw == 0 {
		t.Fatalf("the fixture letter has %d blocking and %d warnings; want both", nb, nw)
	}
	for _, lang := range i18n.Langs {
		t.Run(string(lang), func(t *testing.T) {
			var b bytes.Buffer
			if err := Letter(&b, l, lang); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if err := Letter(&again, l, lang); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Error("two renders of the letter differ")
			}
			f := open(t, b.Bytes())
			if got := f.GetSheetList(); !slices.Equal(got, []string{SheetLetter}) {
				t.Fatalf("sheets %v", got)
			}
			rs := rows(t, f, SheetLetter)
			want := map[string]string{
				"xlsx.letter.number": l.Number, "doc.col.date": l.Date, "xlsx.letter.sender": l.Sender,
				"xlsx.letter.addressee": l.Addressee, "doc.col.month": l.Month,
				"doc.col.received_at": l.RegisterReceivedAt, "doc.col.correction_due": l.CorrectionDue,
			}
			got := map[string]string{}
			for _, row := range rs[1:8] {
				got[row[0]] = row[1]
			}
			for key, v := range want {
				if got[i18n.T(lang, key)] != v {
					t.Errorf("%s = %q, want %q", key, got[i18n.T(lang, key)], v)
				}
			}
			p, err := f.GetPanes(SheetLetter)
			if err != nil {
				t.Fatal(err)
			}
			header := p.YSplit
			if !p.Freeze || rs[header-1][0] != i18n.T(lang, "doc.col.row") || rs[header-1][5] != i18n.T(lang, "doc.col.problem") {
				t.Fatalf("panes %+v; header row %q", p, rs[header-1])
			}
			if s := style(t, f, SheetLetter, cellName(1, header)); s.Font == nil || !s.Font.Bold {
				t.Error("letter header not bold")
			}
			// The expected order: blocking items in the letter's order,
			// then the warnings in the letter's order.
			var order []monitor.LetterItem
			for _, sev := range []register.Severity{register.Blocking, register.Warning} {
				for _, it := range l.Items {
					if it.Severity == sev {
						order = append(order, it)
					}
				}
			}
			items := rs[header:]
			if len(items) != len(order) {
				t.Fatalf("%d item rows, want %d", len(items), len(order))
			}
			for i, it := range order {
				w := []string{strconv.Itoa(it.Row), it.RecordID, it.Column, i18n.T(lang, "severity."+string(it.Severity)), it.Rule, it.Message(lang)}
				if !slices.Equal(items[i], w) {
					t.Fatalf("item %d: %q, want %q", i, items[i], w)
				}
				if !isNumber(t, f, SheetLetter, cellName(1, header+1+i)) {
					t.Fatalf("item %d: row number is not numeric", i)
				}
			}
		})
	}
}

// TestEmptyReport renders a report of a period with no counted record:
// the tables have only their nationwide rows, the annexes say so.
func TestEmptyReport(t *testing.T) {
	c := stats.NewCounter("2026-01-01", "2026-03-31")
	r := &report.Report{Version: 1, Kind: report.Quarterly, Period: "2026Q1", From: "2026-01-01", To: "2026-03-31",
		Due: "2026-04-12", Status: report.Draft, GeneratedAt: "2026-04-02T03:00:00Z", Tables: c.Tables(), National: c.National()}
	f := open(t, render(t, r, i18n.EN))
	rs := rows(t, f, SheetClientsByRegion)
	if len(rs) != firstRow || rs[firstRow-1][1] != "Total, Kazakhstan" || rs[firstRow-1][2] != "0" {
		t.Errorf("empty clients_by_region: %q", rs)
	}
	if rs := rows(t, f, SheetClientsByRegionGender); len(rs) != headerRow {
		t.Errorf("empty clients_by_region_gender: %q", rs)
	}
	if rs := rows(t, f, SheetPlans); rs[firstRow-1][0] != i18n.T(i18n.EN, "doc.plans.none") {
		t.Errorf("empty plans: %q", rs)
	}
	for _, sheet := range []string{SheetExcluded, SheetLateRegisters, SheetLetters} {
		if rs := rows(t, f, sheet); len(rs) != firstRow || rs[firstRow-1][0] != "None." {
			t.Errorf("empty %s: %q", sheet, rs)
		}
	}
	rs = rows(t, f, SheetSummary)
	var quality bool
	for i, row := range rs {
		if len(row) > 0 && row[0] == i18n.T(i18n.EN, "doc.section.quality") {
			quality = rs[i+1][0] == i18n.T(i18n.EN, "doc.quality.no_data")
		}
	}
	if !quality {
		t.Error("no quality note in an empty report")
	}
	var b bytes.Buffer
	if err := Letter(&b, &monitor.Letter{Number: "1/2026", Date: "2026-02-02", Month: "2026-01"}, i18n.EN); err != nil {
		t.Fatal(err)
	}
	lrs := rows(t, open(t, b.Bytes()), SheetLetter)
	if last := lrs[len(lrs)-1]; last[0] != "None." {
		t.Errorf("empty letter ends with %q", last)
	}
	if lrs[7][1] != i18n.T(i18n.EN, "doc.letter.deadline_pending") {
		t.Errorf("unsent letter deadline %q", lrs[7])
	}
}

func TestErrors(t *testing.T) {
	var b bytes.Buffer
	if err := Report(&b, nil, i18n.EN); err == nil {
		t.Error("nil report: no error")
	}
	if err := Report(&b, &report.Report{}, i18n.EN); err == nil {
		t.Error("report without tables: no error")
	}
	r, l := fixture(t)
	if err := Report(&b, r, "de"); err == nil {
		t.Error("German: no error")
	}
	if err := Letter(&b, l, "de"); err == nil {
		t.Error("German letter: no error")
	}
	if err := Letter(&b, nil, i18n.EN); err == nil {
		t.Error("nil letter: no error")
	}
}
