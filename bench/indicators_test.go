package main

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"esep/internal/register"
	"esep/internal/stats"
	"esep/internal/stats/index"
)

// TestIndicatorsAgree is the equality check of the indicators phase at a
// small size: DuckDB's SQL, the index and stats.Compute must give the same
// tables for the same records, for the year and the quarter, so that the
// phase's figures compare two engines computing the same thing.
func TestIndicatorsAgree(t *testing.T) {
	ctx := context.Background()
	s := generate(20_000)
	x := index.New()
	if err := x.Load(ctx, s, "", "\U0010FFFF"); err != nil {
		t.Fatal(err)
	}
	d, err := openDuck(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := d.loader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = l.append(s.recs, s.reasons)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []period{yearPeriod, quarterPeriod} {
		want, wantNat, err := stats.Compute(ctx, s, p.from, p.to)
		if err != nil {
			t.Fatal(err)
		}
		// Every table must have rows, or the comparison proves little.
		if want.ServicesTotal == 0 || want.ServicesOnline == 0 || len(want.Excluded) == 0 || len(want.ClientsByRegionGender) == 0 {
			t.Fatalf("%s: the sample counts too little: %+v", p.name, want)
		}
		got, gotNat := x.Compute(p.from, p.to)
		if diff := tablesDiff(want, got); diff != "" {
			t.Errorf("%s: index against stats.Compute: %s", p.name, diff)
		}
		if !reflect.DeepEqual(wantNat, gotNat) {
			t.Errorf("%s: index nationwide %+v, stats.Compute %+v", p.name, gotNat, wantNat)
		}
		duck, err := d.compute(ctx, textTable, p.from, p.to)
		if err != nil {
			t.Fatal(err)
		}
		if diff := tablesDiff(want, duck); diff != "" {
			t.Errorf("%s: DuckDB against stats.Compute: %s", p.name, diff)
		}
	}
	duckAgrees(t, d, s)
}

// duckAgrees makes the typed table of d and compares its tables with
// stats.Compute over s.
func duckAgrees(t *testing.T, d *duck, s *sample) {
	table := typedTable
	t.Helper()
	ctx := context.Background()
	if err := d.typed(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []period{yearPeriod, quarterPeriod} {
		want, _, err := stats.Compute(ctx, s, p.from, p.to)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.compute(ctx, table, p.from, p.to)
		if err != nil {
			t.Fatal(err)
		}
		if diff := tablesDiff(want, got); diff != "" {
			t.Errorf("%s: DuckDB (%s) against stats.Compute: %s", p.name, table, diff)
		}
	}
}

// TestTablesDiff holds the comparison to finding a difference: a check
// that always passes would prove nothing.
func TestTablesDiff(t *testing.T) {
	a := &stats.Tables{ClientsByRegion: []stats.RegionRow{{Region: "710000000", Count: 3}}}
	b := &stats.Tables{ClientsByRegion: []stats.RegionRow{{Region: "710000000", Count: 4}}}
	if diff := tablesDiff(a, a); diff != "" {
		t.Errorf("equal tables differ: %s", diff)
	}
	if diff := tablesDiff(a, b); diff == "" {
		t.Error("tables with different counts compare equal")
	}
	if diff := tablesDiff(a, &stats.Tables{ClientsByRegion: []stats.RegionRow{}}); diff == "" {
		t.Error("a missing row compares equal")
	}
}

// TestIndicatorsFirstService gives DuckDB's SQL the cases a random register
// may not hold: one person's services on the same start day, whose
// record_ids order as text and not as numbers; an excluded earlier service
// that must not decide the gender; a person served in two regions; a
// person known by name and birth date; a service outside the period.
func TestIndicatorsFirstService(t *testing.T) {
	ctx := context.Background()
	base := register.Record{RegionKATO: "710000000", EnterpriseID: "961141000023", ClientFullName: "Айгүл Сапарова",
		ClientIIN: "830717350867", ClientGender: "F", ClientBirthDate: "1983-07-17", LegalForm: "IE", Category: "micro",
		OKEDSection: "G", ServiceCode: "S01", StartDate: "2026-04-06", EndDate: "2026-04-06", DeliveryMode: "offline"}
	rec := func(id string, change func(r *register.Record)) register.Record {
		r := base
		r.RecordID = id
		change(&r)
		return r
	}
	s := &sample{}
	add := func(r register.Record, reason string) {
		s.recs = append(s.recs, r)
		s.reasons = append(s.reasons, reason)
	}
	// "SRV-10" < "SRV-9" as text: M decides, in both regions.
	add(rec("SRV-9", func(r *register.Record) {}), "")
	add(rec("SRV-10", func(r *register.Record) { r.ClientGender, r.RegionKATO, r.OKEDSection = "M", "750000000", "C" }), "")
	// Earlier, but excluded: it decides nothing and is counted as excluded.
	add(rec("SRV-1", func(r *register.Record) { r.StartDate, r.ClientGender = "2026-04-01", "" }), register.ExcludedNoAct)
	// Earlier, but ends outside the quarter: in the year only.
	add(rec("SRV-2", func(r *register.Record) {
		r.StartDate, r.EndDate, r.ClientBirthDate = "2026-03-30", "2026-03-31", "2010-01-01"
	}), "")
	// Known by name: no gender stated, age given as a number.
	add(rec("A-1", func(r *register.Record) {
		r.ClientIIN, r.ClientGender, r.ClientBirthDate, r.ClientAge, r.DeliveryMode = "", "", "", "45", "online"
	}), "")
	add(rec("A-2", func(r *register.Record) {
		r.ClientIIN, r.ClientFullName, r.ClientBirthDate, r.LegalForm, r.EnterpriseID = "", "АЙГУЛ  САПАРОВА", "", "LLP", "961141000024"
	}), "")

	d, err := openDuck(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := d.loader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = l.append(s.recs, s.reasons)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []period{yearPeriod, quarterPeriod} {
		want, _, err := stats.Compute(ctx, s, p.from, p.to)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.compute(ctx, textTable, p.from, p.to)
		if err != nil {
			t.Fatal(err)
		}
		if diff := tablesDiff(want, got); diff != "" {
			t.Errorf("%s: DuckDB against stats.Compute: %s", p.name, diff)
		}
	}
	// The first case is the one the test is for: the person counts as M
	// in Astana, though the F service there has the smaller number.
	got, err := d.compute(ctx, textTable, quarterPeriod.from, quarterPeriod.to)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.ClientsByRegionGender, stats.GenderRow{Region: "710000000", Gender: "M", Count: 1}) {
		t.Errorf("quarter: clients by region and gender %+v, want M in 710000000", got.ClientsByRegionGender)
	}
	duckAgrees(t, d, s)
}
