package survey

import (
	"errors"
	"math"
	"testing"
)

// A worked example with the formulas of AAPOR's Standard Definitions (10th
// ed., 2023). 640 sampled clients end as I 300, P 20, R 80, NC 150, O 10,
// UH 30, UO 10, NE 40. The eligible-or-unknown denominator is
// (300+20) + (80+150+10) + (30+10) = 600, so
//
//	RR1   = 300/600         = 0.5
//	RR2   = 320/600         = 0.5333
//	COOP1 = 300/(320+80+10) = 0.7317
//	REF1  = 80/600          = 0.1333
//	CON1  = 410/600         = 0.6833
//
// and the 40 wrong numbers (NE) are in none of them.
func TestDispositionRates(t *testing.T) {
	d := Dispositions{I: 300, P: 20, R: 80, NC: 150, O: 10, UH: 30, UO: 10, NE: 40}
	tests := []struct {
		name      string
		got, want float64
	}{
		{"RR1", d.RR1(), 300.0 / 600},
		{"RR2", d.RR2(), 320.0 / 600},
		{"COOP1", d.COOP1(), 300.0 / 410},
		{"REF1", d.REF1(), 80.0 / 600},
		{"CON1", d.CON1(), 410.0 / 600},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-15 {
			t.Errorf("%s = %g, want %g", tt.name, tt.got, tt.want)
		}
	}
	if d.Total() != 640 || d.Validate() != nil {
		t.Errorf("Total = %d, Validate = %v", d.Total(), d.Validate())
	}
	// Wrong numbers do not move the rates.
	more := d
	more.NE += 1000
	if more.RR1() != d.RR1() || more.CON1() != d.CON1() {
		t.Error("not-eligible cases changed a rate")
	}
	// No cases: undefined, not zero.
	var none Dispositions
	for _, r := range []float64{none.RR1(), none.RR2(), none.COOP1(), none.REF1(), none.CON1()} {
		if !math.IsNaN(r) {
			t.Errorf("a rate of no cases is %g, want NaN", r)
		}
	}
	// Nobody reached: contact and response 0, cooperation undefined.
	nc := Dispositions{NC: 10}
	if nc.RR1() != 0 || nc.CON1() != 0 || !math.IsNaN(nc.COOP1()) {
		t.Errorf("all non-contacts: RR1 %g, CON1 %g, COOP1 %g", nc.RR1(), nc.CON1(), nc.COOP1())
	}
	if err := (Dispositions{R: -1}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative count: %v", err)
	}
}

// The worked example again, from esep's call outcomes through the
// documented mapping.
func TestTally(t *testing.T) {
	var outcomes []Outcome
	add := func(o Outcome, n int) {
		for range n {
			outcomes = append(outcomes, o)
		}
	}
	add(OutcomeCompleted, 300)
	add(OutcomePartial, 20)
	add(OutcomeRefused, 60)
	add(OutcomeBreakOff, 20)
	add(OutcomeNoAnswer, 100)
	add(OutcomeBusy, 30)
	add(OutcomeCallback, 20)
	add(OutcomeOther, 10)
	add(OutcomeNotAttempted, 30)
	add(OutcomeWrongNumber, 40)
	d, err := Tally(outcomes)
	want := Dispositions{I: 300, P: 20, R: 80, NC: 150, O: 10, UH: 30, UO: 0, NE: 40}
	if err != nil || d != want {
		t.Errorf("Tally = %+v, %v; want %+v", d, err, want)
	}
	if _, err := Tally([]Outcome{OutcomeCompleted, "hung_up"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown outcome: %v", err)
	}
	for _, o := range Outcomes {
		if _, err := o.Disposition(); err != nil {
			t.Errorf("%s has no disposition: %v", o, err)
		}
	}
	var dd Dispositions
	if err := dd.Add("X"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Add(X): %v", err)
	}
	for _, disp := range []Disposition{DispI, DispP, DispR, DispNC, DispO, DispUH, DispUO, DispNE} {
		if err := dd.Add(disp); err != nil {
			t.Error(err)
		}
	}
	if dd != (Dispositions{1, 1, 1, 1, 1, 1, 1, 1}) {
		t.Errorf("one of each: %+v", dd)
	}
}
