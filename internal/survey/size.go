package survey

import "math"

// SampleSize returns how many units to survey out of a population of N to
// estimate a proportion within ±e (the margin of error, e.g. 0.05) at the
// confidence level c (e.g. 0.95), when the proportion is expected to be
// about p. A p of 0 or less means "unknown" and uses 0.5, the conservative
// choice: p(1-p) is largest there, so the sample is large enough whatever
// the true proportion is. Pass math.MaxInt as N for a population too large
// to matter.
//
// The formula is Cochran's (W. G. Cochran, Sampling Techniques, 3rd ed.,
// Wiley, 1977, §4.4, eqs. 4.1-4.2): first the size for an infinite
// population,
//
//	n0 = z² p (1-p) / e²,
//
// with z the two-sided normal point of c (z = 1.959964 at 95%), then the
// finite population correction
//
//	n = n0 / (1 + (n0 - 1)/N),
//
// rounded up, since a fraction of a respondent cannot be called and
// rounding down would miss the margin. The result is between 1 and N. The
// correction is computed as 1/(1/n0 + (1 - 1/n0)/N), which is the same
// number but stays finite when n0 overflows for a tiny e.
//
// It returns a *ValidationError (matching ErrInvalid) when N < 1, e is not
// in (0, 1), c is not in (0, 1) or p is 1 or more.
func SampleSize(N int, e, c, p float64) (int, error) {
	switch {
	case N < 1:
		return 0, invalid("population", ErrOutOfRange, N, "at least 1")
	case !(e > 0 && e < 1):
		return 0, invalid("margin", ErrOutOfRange, e, "between 0 and 1")
	case !(c > 0 && c < 1):
		return 0, invalid("confidence", ErrOutOfRange, c, "between 0 and 1")
	case !(p < 1):
		return 0, invalid("proportion", ErrOutOfRange, p, "below 1")
	}
	if p <= 0 {
		p = 0.5
	}
	z := zTwoSided(c)
	n0 := z * z * p * (1 - p) / (e * e)
	if !(n0 > 1) {
		return 1, nil // n0 ≤ 1 gives n ≤ 1 for every N: one call settles it
	}
	n := 1 / (1/n0 + (1-1/n0)/float64(N))
	// A ceiling that tolerates the last bits of rounding: 278.00000000000006
	// is 278 respondents, not 279.
	n = math.Ceil(n - 1e-9)
	if n >= float64(N) { // also guards the conversion when N is near math.MaxInt
		return N, nil
	}
	return max(int(n), 1), nil
}
