package index

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/stats"
)

// world is the truth a test keeps beside the index: the current version of
// every record and its exclusion reason. The reference is stats.Counter fed
// with the world's records of a period.
type world struct {
	recs   map[string]*register.Record
	reason map[string]string
}

func newWorld() *world {
	return &world{recs: map[string]*register.Record{}, reason: map[string]string{}}
}

func (w *world) put(x *Index, r register.Record, reason string) {
	w.recs[r.RecordID] = &r
	w.reason[r.RecordID] = reason
	x.Put(&r, reason)
}

func (w *world) ids() []string {
	ids := make([]string, 0, len(w.recs))
	for id := range w.recs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (w *world) counter(from, to string) *stats.Counter {
	c := stats.NewCounter(from, to)
	for _, id := range w.ids() {
		if r := w.recs[id]; r.EndDate >= from && r.EndDate <= to {
			c.Add(r, w.reason[id])
		}
	}
	return c
}

// check asserts that the index gives the reference's tables, nationwide
// figures and services by month for [from, to].
func (w *world) check(t *testing.T, x *Index, from, to string) {
	t.Helper()
	c := w.counter(from, to)
	gt, gn := x.Compute(from, to)
	same(t, fmt.Sprintf("tables %q..%q", from, to), gt, c.Tables())
	same(t, fmt.Sprintf("national %q..%q", from, to), gn, c.National())
	same(t, fmt.Sprintf("months %q..%q", from, to), x.ServicesByMonth(from, to), c.ServicesByMonth())
}

// same compares two values as JSON, the form the report is read in, and
// names the first key where they part.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	wnt, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) == string(wnt) {
		return
	}
	var gm, wm map[string]json.RawMessage
	if json.Unmarshal(g, &gm) == nil && json.Unmarshal(wnt, &wm) == nil {
		for k, v := range wm {
			if string(gm[k]) != string(v) {
				t.Errorf("%s: %s differs\nindex:     %.800s\nreference: %.800s", what, k, gm[k], v)
			}
		}
		return
	}
	t.Errorf("%s differs\nindex:     %.800s\nreference: %.800s", what, g, wnt)
}

// demoRecords generates a normalised register over 2026 with mistakes,
// repeated clients, clients in two regions and for two enterprises, and
// the Kazakh and folded spellings of the same names.
func demoRecords(rows int, seed uint64, prefix string) []register.Record {
	var recs []register.Record
	demo.Generate(demo.Options{Rows: rows, Seed: seed, ErrorRate: 0.08, IDPrefix: prefix,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
		func(r *register.Record) bool {
			register.Normalize(r)
			recs = append(recs, *r)
			return true
		})
	return recs
}

var validator = &register.Validator{Today: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)}

// lateMonth is the month whose register arrived after its deadline.
const lateMonth = "2026-05"

// reasonOf decides a record's exclusion as the monitoring cycle does, from
// facts the test makes up: the register of lateMonth arrived late, March
// has an act registry that misses some acts and lists others wrongly, some
// blocking records were corrected after the letter's deadline.
func reasonOf(r *register.Record, rnd *rand.Rand) string {
	f := register.Facts{InCycle: true, Blocking: register.HasBlocking(validator.Validate(r))}
	f.ArrivedAt = r.EndDate + "T10:00:00+05:00"
	if len(r.EndDate) >= 7 && r.EndDate[:7] == lateMonth {
		f.ArrivedAt = "2026-06-15T10:00:00+05:00"
	}
	if len(r.EndDate) >= 7 && r.EndDate[:7] == "2026-03" {
		f.ActsCovered = true
		if rnd.IntN(10) > 0 {
			f.Act = &register.Act{Number: r.ActNumber, SignedAt: r.ActSignedAt, Method: r.ActConfirmation}
			f.ActListsRecord = rnd.IntN(20) > 0
		}
	}
	if !f.Blocking && rnd.IntN(50) == 0 {
		f.FixedAt, f.CorrectionDue = "2026-08-10T12:00:00+05:00", "2026-08-05"
	}
	return monitor.Exclusion(r, &f)
}

// tricky are hand-made records for the cases random data meets rarely: the
// same IIN in two regions and two enterprises; people without an IIN told
// apart by folded name and birth date; a person whose first services tie on
// start_date, with record_ids whose text order is not their number order;
// record_ids, IINs and BINs of every shape; end dates that are not dates.
func tricky() []register.Record {
	base := register.Record{RegionKATO: "710000000", EnterpriseID: "961141000023", EnterpriseName: "ТОО «Береке»",
		ClientFullName: "Сейітов Нұрлан Асқарұлы", ClientGender: "M", ClientBirthDate: "1985-04-12",
		LegalForm: "LLP", Category: "small", OKEDSection: "G", OKEDCode: "4711", ServiceCode: "S01",
		ManagerFullName: "Ахметова Айгүл", StartDate: "2026-04-10", EndDate: "2026-04-10", DeliveryMode: "offline",
		ActNumber: "A-1", ActSignedAt: "2026-04-10T12:00:00+05:00", ActConfirmation: "eds"}
	var out []register.Record
	add := func(id string, f func(r *register.Record)) {
		r := base
		r.RecordID = id
		f(&r)
		out = append(out, r)
	}
	// One IIN, two regions, two enterprises, two sections.
	add("T-0001", func(r *register.Record) { r.ClientIIN = "850412300123" })
	add("T-0002", func(r *register.Record) {
		r.ClientIIN, r.RegionKATO, r.EnterpriseID, r.OKEDSection, r.LegalForm, r.Category = "850412300123", "750000000", "850412300999", "A", "IE", "micro"
	})
	// No IIN: Kazakh letters, case and spaces fold together; another birth
	// date is another person.
	add("T-0003", func(r *register.Record) {
		r.ClientFullName, r.ClientGender = "Қасымова Әйгерім Нұрланқызы", "F"
	})
	add("T-0004", func(r *register.Record) {
		r.ClientFullName, r.ClientGender = "КАСЫМОВА  Айгерим нурланкызы", "F"
	})
	add("T-0005", func(r *register.Record) {
		r.ClientFullName, r.ClientGender, r.ClientBirthDate = "Қасымова Әйгерім Нұрланқызы", "F", "1990-01-01"
	})
	// Ties on start_date: "TIE-10" < "TIE-9" as text; the same number of
	// digits compares as numbers; ids without digits are kept whole.
	add("TIE-9", func(r *register.Record) {
		r.ClientIIN, r.ClientGender, r.ClientBirthDate, r.StartDate, r.EndDate = "700101400111", "M", "1950-01-01", "2026-06-01", "2026-06-03"
	})
	add("TIE-10", func(r *register.Record) {
		r.ClientIIN, r.ClientGender, r.ClientBirthDate, r.StartDate, r.EndDate = "700101400111", "F", "2010-01-01", "2026-06-01", "2026-06-02"
	})
	add("TIE-0009", func(r *register.Record) {
		r.ClientIIN, r.ClientGender, r.ClientBirthDate, r.StartDate = "700101400222", "M", "", "2026-06-01"
		r.ClientAge, r.EndDate = "44", "2026-06-05"
	})
	add("TIE-0010", func(r *register.Record) {
		r.ClientIIN, r.ClientGender, r.ClientBirthDate, r.StartDate, r.EndDate = "700101400222", "F", "2001-02-03", "2026-06-01", "2026-06-01"
	})
	add("tie-b", func(r *register.Record) { r.ClientIIN, r.StartDate, r.ClientGender = "700101400333", "2026-06-01", "F" })
	add("tie-a", func(r *register.Record) { r.ClientIIN, r.StartDate, r.ClientGender = "700101400333", "2026-06-01", "M" })
	// Shapes of ids: long digit runs, none, empty, Cyrillic, a UUID.
	add("X1234567890123456", func(r *register.Record) { r.ClientIIN = "12345" })
	add("", func(r *register.Record) { r.EnterpriseID = "BIN?" })
	add("ЖК-0001", func(r *register.Record) {
		r.ClientIIN, r.ClientFullName, r.ClientBirthDate = "", "Ким Ольга", ""
	})
	// Two ways of writing the same key "name:ким ольга|1980-01-01|1980-01-01":
	// one client, as register.ClientKey has it.
	add("3f2a9c1e-5b7d-4e21-9a0b-7c1d2e3f4a5b", func(r *register.Record) {
		r.ClientFullName, r.ClientBirthDate = "Ким Ольга|1980-01-01", "1980-01-01"
	})
	add("pipe", func(r *register.Record) {
		r.ClientFullName, r.ClientBirthDate = "Ким Ольга", "1980-01-01|1980-01-01"
	})
	// End dates that are not days of the range: they belong to the
	// periods whose bounds enclose them as text.
	add("ODD-1", func(r *register.Record) { r.EndDate = "2026-02-30" })
	add("ODD-2", func(r *register.Record) { r.EndDate = "2026-3-1"; r.ClientGender = "" })
	add("ODD-3", func(r *register.Record) { r.EndDate = "" })
	add("ODD-4", func(r *register.Record) { r.EndDate = "2099-12-31" })
	add("ODD-5", func(r *register.Record) { r.EndDate = "1899-12-31" })
	add("ODD-6", func(r *register.Record) { r.EndDate = "2026-07-15 " })
	// Empty values are values too.
	add("EMPTY", func(r *register.Record) {
		r.RegionKATO, r.OKEDSection, r.LegalForm, r.Category, r.ServiceCode, r.ClientGender, r.DeliveryMode = "", "", "", "", "", "", ""
	})
	add("ONLINE", func(r *register.Record) { r.DeliveryMode = "online"; r.ActConfirmation = "otp2" })
	return out
}

// periods are the periods every check runs over: a year, quarters, months,
// a day, odd ranges, partial dates, an empty and an inverted range, and
// ranges around the odd end dates.
var periods = [][2]string{
	{"2026-01-01", "2026-12-31"}, {"2026-04-01", "2026-06-30"}, {"2026-01-01", "2026-03-31"},
	{"2026-05-01", "2026-05-31"}, {"2026-02-01", "2026-02-28"}, {"2026-06-01", "2026-06-01"},
	{"2026-03-15", "2026-04-02"}, {"2026-02", "2026-03"}, {"2026-02-29", "2026-03-01"},
	{"2025-01-01", "2025-12-31"}, {"2027-01-01", "2026-01-01"}, {"", "\U0010FFFF"},
	{"", "2026-01-01"}, {"2026-12-31", "9999"}, {"1800-01-01", "2100-01-01"}, {"2026-07-15", "2026-07-15 "},
}

// randomPeriod draws a period of 2025-12..2027-01, now and then with bounds
// that are not dates.
func randomPeriod(rnd *rand.Rand) (string, string) {
	day := func() string {
		d := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rnd.IntN(430))
		switch rnd.IntN(12) {
		case 0:
			return d.Format("2006-01")
		case 1:
			return d.Format("2006-01") + "-3"
		}
		return d.Format(time.DateOnly)
	}
	a, b := day(), day()
	if a > b && rnd.IntN(10) > 0 {
		a, b = b, a
	}
	return a, b
}
