package pdf

import (
	"sync"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/stats"
)

// fixture is a realistic quarter: 3000 generated records of 2026Q2, with
// their mistakes, counted the way the report counts them, plus the
// deliveries, a plan, conclusions and a letter a real report would carry.
// The letter is the notification about May's register, made of the real
// findings of that month's records.
type fixture struct {
	report *report.Report
	letter *monitor.Letter
}

var loadFixture = sync.OnceValue(func() fixture {
	from := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	c := stats.NewCounter("2026-04-01", "2026-06-30")
	v := register.Validator{Today: time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)}
	letter := &monitor.Letter{
		ID: 7, Number: "7/2026", Date: "2026-06-02", Month: "2026-05",
		Sender:             "«Даму» кәсіпкерлікті дамыту қоры» АҚ",
		Addressee:          "«Атамекен» Қазақстан Республикасының Ұлттық кәсіпкерлер палатасы",
		RegisterReceivedAt: "2026-06-01T09:15:00+05:00",
		DueSend:            "2026-06-02",
		CorrectionDue:      "2026-06-05",
	}
	row := 1
	demo.Generate(demo.Options{Rows: 3000, Seed: 1, ErrorRate: 0.05, From: from, To: to}, func(r *register.Record) bool {
		row++
		register.Normalize(r)
		fs := v.Validate(r)
		excluded := ""
		if register.HasBlocking(fs) {
			excluded = register.ExcludedValidation
		} else {
			excluded = register.ActExclusion(r)
		}
		c.Add(r, excluded)
		if len(r.EndDate) >= 7 && r.EndDate[:7] == letter.Month {
			for _, f := range fs {
				letter.Items = append(letter.Items, monitor.LetterItem{Row: row, RecordID: r.RecordID, Finding: f})
			}
		}
		return true
	})
	c.AddLate(stats.LateRow{Month: "2026-06", DueDate: "2026-07-01", Delivered: "2026-07-03"})
	tables, national := c.Tables(), c.National()
	excluded := 0
	for _, e := range tables.Excluded {
		excluded += e.Count
	}
	r := &report.Report{
		ID: 3, Version: 2, Kind: report.Quarterly, Period: "2026Q2",
		From: "2026-04-01", To: "2026-06-30", Due: "2026-07-12",
		Status: report.Sent, GeneratedAt: "2026-07-10T06:30:00Z", SentAt: "2026-07-11T04:00:00Z",
		Introduction: report.Introduction{
			Deliveries: []report.Delivery{
				{Month: "2026-04", DueDate: "2026-05-01", ReceivedAt: "2026-04-30T10:00:00+05:00", Records: 1010},
				{Month: "2026-05", DueDate: "2026-06-01", ReceivedAt: "2026-06-01T09:15:00+05:00", Records: 985},
				{Month: "2026-06", DueDate: "2026-07-01", ReceivedAt: "2026-07-03T11:20:00+05:00", Late: true, Records: 1005},
			},
			RecordsReceived: tables.ServicesTotal + excluded,
			RecordsCounted:  tables.ServicesTotal,
			RecordsExcluded: excluded,
		},
		Tables:   tables,
		National: national,
		Previous: &report.Totals{Period: "2026Q1", Services: 2610, Online: 900, Clients: 1250, Excluded: 120},
		Plans: []report.PlanRow{
			{Region: "750000000", Plan: 200, Actual: 187, Percent: 93.5},
			{Region: "710000000", ServiceCode: "ACC", Plan: 10, Actual: 12, Percent: 120},
		},
		Quality: report.Quality{HasData: false, NoteKey: "doc.quality.no_data"},
		Conclusions: []report.Conclusion{
			{Key: "conclusion.services_change", Params: map[string]string{"previous": "2026Q1", "before": "2610", "after": "2834", "change": "8.6"}},
			{Key: "conclusion.largest_region_change", Params: map[string]string{"region": "750000000", "before": "120", "after": "169", "change": "40.8"}},
			{Key: "conclusion.below_plan", Params: map[string]string{"regions": "750000000"}},
			{Key: "conclusion.late_registers", Params: map[string]string{"months": "2026-06"}},
			{Key: "conclusion.online_share", Params: map[string]string{"share": "34.2"}},
		},
		Annexes: report.Annexes{
			Exclusions:    tables.Excluded,
			LateRegisters: tables.LateRegisters,
			Letters: []report.LetterOutcome{
				{Number: "7/2026", Date: "2026-06-02", Month: "2026-05", SentAt: "2026-06-02T05:00:00Z", CorrectionDue: "2026-06-05",
					Problems: 31, Corrected: 25, CorrectedLate: 2, Outstanding: 4},
			},
		},
	}
	return fixture{report: r, letter: letter}
})

// testFixture returns the shared fixture; tests must not change it.
func testFixture(t testing.TB) fixture {
	t.Helper()
	return loadFixture()
}
