package report

import (
	"strings"
	"testing"

	"esep/internal/i18n"
	"esep/internal/stats"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in                  string
		kind                Kind
		from, to, due, prev string
	}{
		// Clause 12: quarterly by the 12th of the month after the quarter;
		// the annual report as of 1 December, by 10 December.
		{"2026Q3", Quarterly, "2026-07-01", "2026-09-30", "2026-10-12", "2026Q2"},
		{"2026q1", Quarterly, "2026-01-01", "2026-03-31", "2026-04-12", "2025Q4"},
		{"2026Q4", Quarterly, "2026-10-01", "2026-12-31", "2027-01-12", "2026Q3"},
		{"2026", Annual, "2026-01-01", "2026-11-30", "2026-12-10", "2025"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if p.Kind != tt.kind || p.From != tt.from || p.To != tt.to || p.Due != tt.due || p.Previous().Name != tt.prev {
			t.Errorf("%s: %+v, previous %s", tt.in, p, p.Previous().Name)
		}
	}
	for _, bad := range []string{"", "2026Q5", "2026Q0", "26Q1", "2026-Q1", "Q3", "1999"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

func TestConclusions(t *testing.T) {
	cur := &stats.Tables{ServicesTotal: 120, ServicesOnline: 30,
		ServicesByRegionService: []stats.ServiceRow{{Region: "430000000", ServiceCode: "ACC", Count: 100}, {Region: "710000000", ServiceCode: "ACC", Count: 20}},
		Excluded:                []stats.ReasonRow{{Reason: "act_missing", Count: 5}, {Reason: "late_register", Count: 15}},
		LateRegisters:           []stats.LateRow{{Month: "2026-08", DueDate: "2026-09-01", Delivered: "2026-09-02"}}}
	prev := &stats.Tables{ServicesTotal: 100, ServicesByRegionService: []stats.ServiceRow{{Region: "430000000", ServiceCode: "ACC", Count: 40}, {Region: "710000000", ServiceCode: "ACC", Count: 60}}}
	r := &Report{Tables: cur, National: &stats.National{Clients: 90},
		Previous:     &Totals{Period: "2026Q2", Services: 100, Clients: 80},
		Introduction: Introduction{RecordsReceived: 140, RecordsCounted: 120, RecordsExcluded: 20},
		Plans:        []PlanRow{{Region: "430000000", Plan: 50, Actual: 100, Percent: 200}, {Region: "710000000", Plan: 40, Actual: 20, Percent: 50}}}
	cs := conclusions(r, prev)
	var text []string
	for _, c := range cs {
		text = append(text, ConclusionText(c, i18n.EN))
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{
		"from 100 to 120 against 2026Q2 (20.0%)",        // services
		"from 80 to 90 against 2026Q2 (12.5%)",          // clients
		"Kyzylorda Region: 40 to 100 services (150.0%)", // largest regional change
		"Above plan: Kyzylorda Region.",
		"Below plan: Astana city.",
		"20 records of the period (14.3%) were excluded; the main reason: Register delivered after its deadline (15)",
		"Registers delivered late: 2026-08",
		"25.0% of services were provided online",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("conclusions lack %q:\n%s", want, all)
		}
	}
	// The same observations read in Kazakh, with the region named in Kazakh.
	kk := ConclusionText(cs[2], i18n.KK)
	if !strings.Contains(kk, "Қызылорда облысы") {
		t.Errorf("kk: %q", kk)
	}
	// An analyst's edit replaces the generated text in its language only.
	cs[0].Edited = map[string]string{"ru": "Отредактировано."}
	if ConclusionText(cs[0], i18n.RU) != "Отредактировано." || ConclusionText(cs[0], i18n.EN) == "Отредактировано." {
		t.Error("edited text")
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	r := &Report{Kind: Quarterly, Period: "2026Q3", Version: 2, Status: Sent, Tables: &stats.Tables{ServicesTotal: 5},
		Conclusions: []Conclusion{{Key: "conclusion.no_previous", Edited: map[string]string{"kk": "Өзгертілді"}}}}
	b, err := Snapshot(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := Snapshot(back)
	if string(b) != string(b2) {
		t.Errorf("snapshot does not round-trip:\n%s\n%s", b, b2)
	}
	if _, err := FromSnapshot([]byte("{broken")); err == nil {
		t.Error("a broken snapshot was read")
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		kind, code, want string
	}{
		{NameRegion, "750000000", "Алматы қаласы"},
		{NameSection, "G", "G — "},
		{NameGender, "F", "әйел"},
		{NameAgeBand, "60_plus", "60 және одан жоғары"},
		{NameReason, "late_register", "Тізілім мерзімінен кеш ұсынылған"},
		{NameService, "LEG", "Заң қызметтері"},
		{NameRegion, "", "көрсетілмеген"},
		{NameRegion, "999999999", "999999999"},
	}
	for _, tt := range tests {
		if got := Name(i18n.KK, tt.kind, tt.code); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Name(%s, %q) = %q, want %q", tt.kind, tt.code, got, tt.want)
		}
	}
}
