package campaign

import (
	"testing"

	"esep/internal/survey"
)

// TestCompareSample: the stored calls are compared with the re-drawn units
// place by place, so a call replaced, moved, missing or stored twice shows
// where it is, and a stratum's account that differs is named.
func TestCompareSample(t *testing.T) {
	sel := func(stratum string, order int, record string, extra bool) survey.Selected {
		return survey.Selected{Unit: survey.Unit{RecordID: record}, Stratum: stratum, Order: order, Extra: extra}
	}
	sample := survey.Sample{
		Units:  []survey.Selected{sel("A", 1, "r1", false), sel("A", 2, "r2", false), sel("A", 3, "r3", true), sel("B", 1, "r4", false)},
		Strata: []survey.Stratum{{Region: "A", N: 10, Wanted: 2, Drawn: 2, ExtraWanted: 1, ExtraDrawn: 1}, {Region: "B", N: 3, Wanted: 1, Drawn: 1}},
	}
	call := func(stratum string, order int, record string, extra bool) *Call {
		return &Call{Stratum: stratum, Order: order, RecordID: record, Extra: extra}
	}
	same := []*Call{call("B", 1, "r4", false), call("A", 1, "r1", false), call("A", 2, "r2", false), call("A", 3, "r3", true)}
	if got := compareSample(same, sample.Strata, sample); got.Differences != 0 || len(got.Strata) != 0 || got.StoredCalls != 4 {
		t.Errorf("the same sample in another order: %+v", got)
	}

	tampered := []*Call{call("A", 1, "r9", false), call("A", 2, "r2", false), call("A", 3, "r3", false), call("A", 3, "r5", false)}
	strata := []survey.Stratum{sample.Strata[0], {Region: "C", N: 1}}
	got := compareSample(tampered, strata, sample)
	want := []Difference{
		{Stratum: "A", Order: 1, Stored: "r9", Redrawn: "r1"},
		{Stratum: "A", Order: 3, Stored: "r3", Redrawn: "r3", RedrawnExtra: true},
		{Stratum: "A", Order: 3, Stored: "r5"},
		{Stratum: "B", Order: 1, Redrawn: "r4"},
	}
	if got.Differences != len(want) || len(got.First) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got.First[i] != want[i] {
			t.Errorf("difference %d: %+v, want %+v", i, got.First[i], want[i])
		}
	}
	if len(got.Strata) != 2 || got.Strata[0] != "B" || got.Strata[1] != "C" {
		t.Errorf("strata accounts that differ: %v", got.Strata)
	}
}
