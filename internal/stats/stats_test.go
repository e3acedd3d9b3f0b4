package stats_test

import (
	"encoding/json"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/stats/statstest"
)

// TestCounterAgreesWithRecount compares the counter with an independent
// recount on generated registers with repeated clients, several enterprises
// per person, people served in two regions, and mistakes.
func TestCounterAgreesWithRecount(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		opts := demo.Options{Rows: 4000, Seed: seed, ErrorRate: 0.08,
			From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)}
		var recs []register.Record
		blocking := map[string]bool{}
		cycle := map[string]string{}
		v := &register.Validator{Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
		demo.Generate(opts, func(r *register.Record) bool {
			register.Normalize(r)
			blocking[r.RecordID] = register.HasBlocking(v.Validate(r))
			if blocking[r.RecordID] {
				cycle[r.RecordID] = register.ExcludedValidation
			}
			recs = append(recs, *r)
			return true
		})
		for _, period := range [][2]string{{"2026-01-01", "2026-12-31"}, {"2026-04-01", "2026-06-30"}, {"2026-03-15", "2026-03-15"}} {
			c := stats.NewCounter(period[0], period[1])
			for i := range recs {
				if recs[i].EndDate >= period[0] && recs[i].EndDate <= period[1] {
					c.Add(&recs[i], monitor.Exclusion(&recs[i], &register.Facts{Blocking: blocking[recs[i].RecordID]}))
				}
			}
			got, want := c.Tables(), statstest.Recount(recs, cycle, period[0], period[1])
			if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
				t.Errorf("seed %d period %v: counter and recount differ\ncounter: %.600s\nrecount: %.600s", seed, period, g, w)
			}
			if g, w := mustJSON(t, c.National()), mustJSON(t, statstest.RecountNational(recs, cycle, period[0], period[1])); g != w {
				t.Errorf("seed %d period %v: national figures differ\ncounter: %.600s\nrecount: %.600s", seed, period, g, w)
			}
			if period[0] == "2026-01-01" {
				checkShape(t, got, len(recs))
			}
		}
	}
}

// checkShape checks facts that must hold whatever the data: the excluded
// and counted records add up to the period, repeated clients make client
// counts smaller than service counts, and no zero rows.
func checkShape(t *testing.T, tb *stats.Tables, records int) {
	t.Helper()
	excluded := 0
	for _, r := range tb.Excluded {
		excluded += r.Count
	}
	if tb.ServicesTotal+excluded != records {
		t.Errorf("counted %d + excluded %d != %d records", tb.ServicesTotal, excluded, records)
	}
	clients := 0
	for _, r := range tb.ClientsByAgeBand {
		clients += r.Count
		if r.Count == 0 {
			t.Error("a zero row")
		}
	}
	if clients == 0 || clients >= tb.ServicesTotal {
		t.Errorf("%d clients for %d services: the demo should repeat clients", clients, tb.ServicesTotal)
	}
	if len(tb.ClientsByRegion) != 20 {
		t.Errorf("%d regions, want all 20", len(tb.ClientsByRegion))
	}
	perRegion := 0
	for _, r := range tb.ClientsByRegion {
		perRegion += r.Count
	}
	if perRegion <= clients {
		t.Errorf("clients by region %d <= nationwide %d: nobody was served in two regions", perRegion, clients)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFirstServiceDecides checks the rule of spec §4 that a person's gender
// and age band come from the first counted service, earliest start_date then
// record_id, whatever order the records arrive in.
func TestFirstServiceDecides(t *testing.T) {
	base := register.Record{ClientIIN: "900101300011", RegionKATO: "430000000", ActNumber: "1", ActSignedAt: "2026-05-01T10:00:00+05:00", EndDate: "2026-05-01"}
	later := base
	later.RecordID, later.StartDate, later.ClientGender, later.ClientAge = "A", "2026-04-02", "F", "45"
	first := base
	first.RecordID, first.StartDate, first.ClientGender, first.ClientAge = "B", "2026-04-01", "M", "17"
	tie := base
	tie.RecordID, tie.StartDate, tie.ClientGender, tie.ClientAge = "C", "2026-04-01", "F", "33"
	c := stats.NewCounter("2026-01-01", "2026-12-31")
	for _, r := range []register.Record{later, tie, first} {
		c.Add(&r, "")
	}
	tb := c.Tables()
	if len(tb.ClientsByRegionGender) != 1 || tb.ClientsByRegionGender[0].Gender != "M" || tb.ClientsByRegionGender[0].Count != 1 {
		t.Errorf("gender: %+v, want one M", tb.ClientsByRegionGender)
	}
	if len(tb.ClientsByAgeBand) != 1 || tb.ClientsByAgeBand[0].AgeBand != "under_18" {
		t.Errorf("age band: %+v, want under_18", tb.ClientsByAgeBand)
	}
	if tb.ServicesTotal != 3 {
		t.Errorf("services %d, want 3", tb.ServicesTotal)
	}
}
