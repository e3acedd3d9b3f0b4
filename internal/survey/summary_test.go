package survey

import (
	"errors"
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	// 40 ratings: 4 ones, 4 twos, 8 threes, 12 fours, 12 fives; mean 3.6.
	var ratings []int
	for r, n := range map[int]int{1: 4, 2: 4, 3: 8, 4: 12, 5: 12} {
		for range n {
			ratings = append(ratings, r)
		}
	}
	ratings = append(ratings, 0, 0, 7) // unanswered and a typo
	s := Summarize(ratings)
	values := make([]float64, 0, 40)
	for _, r := range ratings {
		if r >= 1 && r <= 5 {
			values = append(values, float64(r))
		}
	}
	mean, lo, hi := MeanCI(values, 0.95)
	if s.N != 40 || s.Skipped != 3 || s.Dist != [5]int{4, 4, 8, 12, 12} || s.Small ||
		math.Abs(s.Mean-3.6) > 1e-12 || s.Mean != mean || s.Lo != lo || s.Hi != hi {
		t.Errorf("Summarize = %+v; want N 40, 3 skipped, mean 3.6 [%g, %g]", s, lo, hi)
	}
	if !(s.Lo < 3.6 && s.Hi > 3.6 && s.Hi-s.Lo < 1) {
		t.Errorf("interval [%g, %g] does not look like one around 3.6", s.Lo, s.Hi)
	}

	// Few ratings: flagged, and the interval kept on the scale.
	few := Summarize([]int{5, 5, 4})
	if !few.Small || few.Hi > 5 || few.Lo < 1 || few.N != 3 {
		t.Errorf("Summarize(5, 5, 4) = %+v", few)
	}
	one := Summarize([]int{2})
	if one.Mean != 2 || one.Lo != 1 || one.Hi != 5 || !one.Small {
		t.Errorf("Summarize(2) = %+v, want mean 2 on [1, 5]", one)
	}
	if none := Summarize(nil); none.N != 0 || none.Mean != 0 || none.Lo != 0 || none.Hi != 0 || !none.Small {
		t.Errorf("Summarize(nil) = %+v", none)
	}
	if at := SummarizeAt([]int{3, 4}, 0); !math.IsNaN(at.Lo) || !math.IsNaN(at.Hi) {
		t.Errorf("SummarizeAt with confidence 0 = %+v, want NaN bounds", at)
	}
}

// 10 of 200 sampled records not confirmed, in a register of 5000: share
// 0.05 with the Wilson interval [0.0274, 0.0896] (the formula at
// z = 1.959964), so 250 records, between 136 (5000 × 0.02738, rounded down) and 448.
func TestUnconfirmed(t *testing.T) {
	e, err := Unconfirmed(200, 10, 5000, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := ProportionCI(10, 200, 0.95)
	if e.Share != 0.05 || e.Lo != lo || e.Hi != hi || math.Abs(lo-0.0274) > 5e-5 || math.Abs(hi-0.0896) > 5e-5 {
		t.Errorf("share %g [%g, %g], want 0.05 [0.0274, 0.0896]", e.Share, e.Lo, e.Hi)
	}
	if e.Count != 250 || e.CountLo != int(math.Floor(lo*5000)) || e.CountHi != int(math.Ceil(hi*5000)) || e.Population != 5000 || e.Small {
		t.Errorf("count %d [%d, %d] of %d", e.Count, e.CountLo, e.CountHi, e.Population)
	}
	if e.CountLo != 136 || e.CountHi != 448 {
		t.Errorf("count bounds [%d, %d], want [136, 448]", e.CountLo, e.CountHi)
	}

	// A survey of the whole register knows the count exactly.
	all, _ := Unconfirmed(40, 3, 40, 0.95)
	if all.Count != 3 || all.CountLo != 3 || all.CountHi != 3 || all.Lo != 3.0/40 || all.Hi != 3.0/40 {
		t.Errorf("census: %+v, want exactly 3", all)
	}
	// Trimmed to what the survey proves: at least the 1 found, at most all
	// but the 9 confirmed.
	small, _ := Unconfirmed(10, 1, 12, 0.95)
	if small.CountLo < 1 || small.CountHi > 3 || small.Lo < 1.0/12 || small.Hi > 3.0/12 || !small.Small {
		t.Errorf("small register: %+v", small)
	}
	// Nobody asked: nothing known beyond the bounds.
	none, _ := Unconfirmed(0, 0, 100, 0.95)
	if !math.IsNaN(none.Share) || none.CountLo != 0 || none.CountHi != 100 || !none.Small {
		t.Errorf("no respondents: %+v", none)
	}

	for _, bad := range [][4]float64{{-1, 0, 10, 0.95}, {10, 11, 100, 0.95}, {10, -1, 100, 0.95}, {10, 1, 5, 0.95}, {10, 1, 100, 1}} {
		if _, err := Unconfirmed(int(bad[0]), int(bad[1]), int(bad[2]), bad[3]); !errors.Is(err, ErrInvalid) {
			t.Errorf("Unconfirmed%v: %v", bad, err)
		}
	}
}

// Two regions: A has 1000 records, 10 of 100 sampled unconfirmed; B has
// 9000, 2 of 100. Pooling the counts would say 12/200 = 6%; weighting by
// size gives 0.1·0.10 + 0.9·0.02 = 2.8%, 280 records. The variance is
// 0.1²·0.9·0.09/99 + 0.9²·(1-100/9000)·0.0196/99 = 1.66768e-4, so
// n_eff = 0.028·0.972/1.66768e-4 = 163.2.
func TestWeightedShare(t *testing.T) {
	strata := []StratumCount{{N: 1000, Sampled: 100, Hits: 10}, {N: 9000, Sampled: 100, Hits: 2}}
	e, err := WeightedShare(strata, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	wantVar := 0.01*0.9*0.09/99 + 0.81*(1-100.0/9000)*0.0196/99
	wantNeff := 0.028 * 0.972 / wantVar
	lo, hi := wilson(0.028, wantNeff, zTwoSided(0.95))
	if math.Abs(e.Share-0.028) > 1e-12 || math.Abs(e.EffectiveN-wantNeff) > 1e-9 || math.Abs(e.EffectiveN-163.2) > 0.05 ||
		math.Abs(e.Lo-lo) > 1e-12 || math.Abs(e.Hi-hi) > 1e-12 {
		t.Errorf("share %g [%g, %g], n_eff %g; want 0.028 [%g, %g], n_eff %g", e.Share, e.Lo, e.Hi, e.EffectiveN, lo, hi, wantNeff)
	}
	if e.Count != 280 || e.Population != 10000 || e.Sampled != 200 || e.Hits != 12 || e.Uncovered != 0 || e.Small {
		t.Errorf("estimate %+v", e)
	}
	if !(e.CountLo < 280 && e.CountHi > 280) {
		t.Errorf("count interval [%d, %d] does not hold 280", e.CountLo, e.CountHi)
	}

	// A stratum without respondents is left out and reported.
	e2, _ := WeightedShare(append(strata, StratumCount{N: 500}), 0.95)
	if e2.Share != e.Share || e2.Uncovered != 500 || e2.Population != 10000 {
		t.Errorf("with an unsurveyed stratum: %+v", e2)
	}
	// One stratum of a large register: the Wilson interval of a simple
	// random sample, give or take the n-1 of the variance.
	one, _ := WeightedShare([]StratumCount{{N: 1_000_000, Sampled: 200, Hits: 10}}, 0.95)
	srsLo, srsHi := ProportionCI(10, 200, 0.95)
	if math.Abs(one.Lo-srsLo) > 5e-4 || math.Abs(one.Hi-srsHi) > 5e-4 || one.EffectiveN > 200 {
		t.Errorf("one stratum: [%g, %g] n_eff %g, want about [%g, %g]", one.Lo, one.Hi, one.EffectiveN, srsLo, srsHi)
	}
	// Every stratum surveyed whole: the count is exact.
	census, _ := WeightedShare([]StratumCount{{N: 50, Sampled: 50, Hits: 5}, {N: 20, Sampled: 20, Hits: 0}}, 0.95)
	if census.Count != 5 || census.CountLo != 5 || census.CountHi != 5 {
		t.Errorf("census: %+v", census)
	}
	// Nobody surveyed anywhere.
	empty, err := WeightedShare([]StratumCount{{N: 10}}, 0.95)
	if err != nil || !math.IsNaN(empty.Share) || empty.Uncovered != 10 || !empty.Small {
		t.Errorf("no respondents: %+v, %v", empty, err)
	}

	for _, bad := range [][]StratumCount{{{N: 10, Sampled: 11}}, {{N: 10, Sampled: 5, Hits: 6}}, {{N: 10, Sampled: -1}}, {{N: 10, Sampled: 5, Hits: -1}}} {
		if _, err := WeightedShare(bad, 0.95); !errors.Is(err, ErrInvalid) {
			t.Errorf("WeightedShare(%v): %v", bad, err)
		}
	}
	if _, err := WeightedShare(strata, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("confidence 0: %v", err)
	}
}
