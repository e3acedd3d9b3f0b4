package survey

import (
	"math"
	"testing"
)

// The Wilson intervals are checked against published values: R. G.
// Newcombe, "Two-sided confidence intervals for the single proportion:
// comparison of seven methods", Statistics in Medicine 17, 1998, pp.
// 857-872, Table II, method 3 (score interval without continuity
// correction): 81/263, 15/148, 0/20 and 1/29; and against the values of the
// formula worked by hand at z = 1.959964 for 8/10, 0/10, 50/100 and 10/10
// (for 8/10: centre (0.8 + 0.192073)/1.384146 = 0.716738, half
// 1.415995·√(0.016 + 0.009604) = 0.226570, so [0.4902, 0.9433]).
func TestProportionCI(t *testing.T) {
	tests := []struct {
		x, n   int
		lo, hi float64
	}{
		{8, 10, 0.4902, 0.9433},
		{0, 10, 0, 0.2775},
		{50, 100, 0.4038, 0.5962},
		{10, 10, 0.7225, 1},
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	}
	for _, tt := range tests {
		lo, hi := ProportionCI(tt.x, tt.n, 0.95)
		if math.Abs(lo-tt.lo) > 5e-5 || math.Abs(hi-tt.hi) > 5e-5 {
			t.Errorf("ProportionCI(%d, %d, 0.95) = [%.4f, %.4f], want [%.4f, %.4f]", tt.x, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
	// A share of 0 or 1 has exactly 0 or 1 as its bound.
	if lo, _ := ProportionCI(0, 7, 0.9); lo != 0 {
		t.Errorf("ProportionCI(0, 7) lower bound = %g, want exactly 0", lo)
	}
	if _, hi := ProportionCI(7, 7, 0.9); hi != 1 {
		t.Errorf("ProportionCI(7, 7) upper bound = %g, want exactly 1", hi)
	}
	if lo, hi := ProportionCI(0, 0, 0.95); lo != 0 || hi != 1 {
		t.Errorf("ProportionCI(0, 0) = [%g, %g], want [0, 1]: nothing is known", lo, hi)
	}
	// A higher confidence widens the interval.
	lo95, hi95 := ProportionCI(30, 100, 0.95)
	lo99, hi99 := ProportionCI(30, 100, 0.99)
	if !(lo99 < lo95 && hi99 > hi95) {
		t.Errorf("99%% interval [%g, %g] is not wider than 95%% [%g, %g]", lo99, hi99, lo95, hi95)
	}
	for _, bad := range [][3]float64{{-1, 10, 0.95}, {11, 10, 0.95}, {5, 10, 0}, {5, 10, 1}} {
		lo, hi := ProportionCI(int(bad[0]), int(bad[1]), bad[2])
		if !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("ProportionCI(%v) = [%g, %g], want NaN", bad, lo, hi)
		}
	}
}

// The mean interval is mean ± t·s/√n. For 1, 2, ..., 10: mean 5.5,
// s = √(82.5/9) = 3.027650, s/√10 = 0.957427, and with the table value
// t(0.975, 9) = 2.262157 the half-width is 2.165851.
func TestMeanCI(t *testing.T) {
	values := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	mean, lo, hi := MeanCI(values, 0.95)
	if mean != 5.5 || math.Abs(lo-(5.5-2.165851)) > 1e-6 || math.Abs(hi-(5.5+2.165851)) > 1e-6 {
		t.Errorf("MeanCI(1..10) = %g [%g, %g], want 5.5 [3.334149, 7.665851]", mean, lo, hi)
	}
	// Constant values: no spread, a zero-width interval.
	if mean, lo, hi := MeanCI([]float64{4, 4, 4}, 0.95); mean != 4 || lo != 4 || hi != 4 {
		t.Errorf("MeanCI(4, 4, 4) = %g [%g, %g], want 4 [4, 4]", mean, lo, hi)
	}
	if mean, lo, hi := MeanCI([]float64{3}, 0.95); mean != 3 || !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("MeanCI(3) = %g [%g, %g], want 3 (-Inf, +Inf)", mean, lo, hi)
	}
	for _, c := range []struct {
		v    []float64
		conf float64
	}{{nil, 0.95}, {values, 0}, {values, 1}} {
		if mean, lo, hi := MeanCI(c.v, c.conf); !math.IsNaN(mean) || !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("MeanCI(%v, %g) = %g [%g, %g], want NaN", c.v, c.conf, mean, lo, hi)
		}
	}
}

func TestSmallCell(t *testing.T) {
	for n, want := range map[int]bool{0: true, 1: true, 29: true, 30: false, 31: false, 1000: false} {
		if SmallCell(n) != want {
			t.Errorf("SmallCell(%d) = %v, want %v", n, !want, want)
		}
	}
}
