package xlsx

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/i18n"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
)

// The fixture is a third quarter as the cycle would report it: 3000
// generated services with 5% mistakes, counted with the real exclusion
// rules, the August register delivered late (so its records are excluded
// and listed), plans, conclusions with an analyst's edit, and one letter
// made of the validator's real findings.
var (
	fixtureOnce   sync.Once
	fixtureReport *report.Report
	fixtureLetter *monitor.Letter
)

const (
	fixFrom = "2026-07-01"
	fixTo   = "2026-09-30"
)

// arrivals are when each month's register arrived; August's is late (due
// on 1 September).
var arrivals = map[string]string{
	"2026-07": "2026-08-01T09:12:00+05:00",
	"2026-08": "2026-09-03T16:40:00+05:00",
	"2026-09": "2026-10-01T08:05:00+05:00",
}

func fixture(tb testing.TB) (*report.Report, *monitor.Letter) {
	tb.Helper()
	fixtureOnce.Do(buildFixture)
	return fixtureReport, fixtureLetter
}

func buildFixture() {
	opts := demo.Options{Rows: 3000, Seed: 1, ErrorRate: 0.05,
		From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)}
	v := &register.Validator{Today: time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)}
	c := stats.NewCounter(fixFrom, fixTo)
	perMonth := map[string]int{}
	letter := &monitor.Letter{ID: 7, Number: "7/2026", Date: "2026-08-02", Month: "2026-07",
		Sender: monitor.DefaultSender, Addressee: monitor.DefaultAddressee,
		RegisterReceivedAt: arrivals["2026-07"], DueSend: "2026-08-03",
		SentAt: "2026-08-03T10:00:00+05:00", DeliveredAt: "2026-08-03T10:00:00+05:00", CorrectionDue: "2026-08-06"}
	row := 1 // the header is row 1 of the register file
	demo.Generate(opts, func(rec *register.Record) bool {
		row++
		register.Normalize(rec)
		findings := v.Validate(rec)
		if rec.EndDate < fixFrom || rec.EndDate > fixTo {
			return true
		}
		month := rec.EndDate[:7]
		perMonth[month]++
		if month == "2026-07" {
			for _, f := range findings {
				letter.Items = append(letter.Items, monitor.LetterItem{Row: row, RecordID: rec.RecordID, Finding: f})
			}
		}
		facts := &register.Facts{Blocking: register.HasBlocking(findings), InCycle: true, ArrivedAt: arrivals[month]}
		c.Add(rec, monitor.Exclusion(rec, facts))
		return true
	})
	c.AddLate(stats.LateRow{Month: "2026-08", DueDate: "2026-09-01", Delivered: "2026-09-03"})
	tables, national := c.Tables(), c.National()

	r := &report.Report{ID: 3, Version: 2, Kind: report.Quarterly, Period: "2026Q3", From: fixFrom, To: fixTo,
		Due: "2026-10-12", Status: report.Sent, GeneratedAt: "2026-10-05T06:30:00Z", SentAt: "2026-10-09T04:00:00Z",
		Tables: tables, National: national, Quality: report.Quality{HasData: false, NoteKey: "doc.quality.no_data"}}
	in := &r.Introduction
	for _, m := range []string{"2026-07", "2026-08", "2026-09"} {
		due, _ := monitor.DueDate(m)
		in.Deliveries = append(in.Deliveries, report.Delivery{Month: m, DueDate: due, ReceivedAt: arrivals[m],
			Late: monitor.Late(m, arrivals[m]), Records: perMonth[m]})
	}
	in.RecordsCounted = tables.ServicesTotal
	for _, e := range tables.Excluded {
		in.RecordsExcluded += e.Count
	}
	in.RecordsReceived = in.RecordsCounted + in.RecordsExcluded

	// Plans for the first three regions: one for all services, one for the
	// region's first service.
	services := map[string]int{}
	for _, s := range tables.ServicesByRegionService {
		services[s.Region] += s.Count
	}
	r.Plans = []report.PlanRow{}
	var below []string
	for i, reg := range tables.ClientsByRegion[:3] {
		target := []int{40, 120, 75}[i]
		p := report.PlanRow{Region: reg.Region, Plan: target, Actual: services[reg.Region]}
		p.Percent = math.Round(float64(p.Actual)/float64(p.Plan)*1000) / 10
		r.Plans = append(r.Plans, p)
		if p.Percent < 100 {
			below = append(below, reg.Region)
		}
		for _, s := range tables.ServicesByRegionService {
			if s.Region == reg.Region {
				ps := report.PlanRow{Region: reg.Region, ServiceCode: s.ServiceCode, Plan: 3, Actual: s.Count}
				ps.Percent = math.Round(float64(ps.Actual)/float64(ps.Plan)*1000) / 10
				r.Plans = append(r.Plans, ps)
				break
			}
		}
	}
	r.Conclusions = []report.Conclusion{
		{Key: "conclusion.no_previous"},
		{Key: "conclusion.below_plan", Params: map[string]string{"regions": strings.Join(below, ",")}},
		{Key: "conclusion.excluded_share", Params: map[string]string{"excluded": "1", "share": "0.1", "reason": register.ExcludedLate, "count": "1"}},
		{Key: "conclusion.online_share", Params: map[string]string{"share": "31.4"},
			Edited: map[string]string{"ru": "Онлайн оказана почти треть услуг; рекомендуем расширить ЭЦП-подписание актов."}},
		{Key: "conclusion.late_registers", Params: map[string]string{"months": "2026-08"}},
	}
	r.Annexes = report.Annexes{Exclusions: tables.Excluded, LateRegisters: tables.LateRegisters,
		Letters: []report.LetterOutcome{{Number: "7/2026", Date: "2026-08-02", Month: "2026-07", SentAt: letter.SentAt,
			CorrectionDue: letter.CorrectionDue, Problems: 41, Corrected: 30, CorrectedLate: 4, Outstanding: 7}}}
	fixtureReport, fixtureLetter = r, letter
}

// TestExportFixture writes the fixture's workbooks and JSON to the
// directory named by ESEP_XLSX_EXPORT, for scripts/xlsx-libreoffice-check.sh
// and for looking at them in a spreadsheet program. It is skipped otherwise.
func TestExportFixture(t *testing.T) {
	dir := os.Getenv("ESEP_XLSX_EXPORT")
	if dir == "" {
		t.Skip("set ESEP_XLSX_EXPORT to a directory to write the fixture's workbooks")
	}
	r, l := fixture(t)
	var js bytes.Buffer
	if err := report.WriteJSON(&js, r, ""); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("report.json", js.Bytes())
	for _, lang := range i18n.Langs {
		write("report-"+string(lang)+".xlsx", render(t, r, lang))
		var b bytes.Buffer
		if err := Letter(&b, l, lang); err != nil {
			t.Fatal(err)
		}
		write("letter-"+string(lang)+".xlsx", b.Bytes())
	}
}
