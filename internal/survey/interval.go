package survey

import "math"

// SmallCellSize is the smallest number of respondents a figure of the
// quality section is shown without a warning; see SmallCell.
const SmallCellSize = 30

// SmallCell reports whether a figure computed from n respondents is too thin
// to be read on its own (n < 30), so that reports flag it rather than
// over-read it. Below 30 one respondent moves a share by more than 3
// percentage points, the 95% interval of a share is wider than ±18 points,
// and the normal and t approximations behind the intervals of means grow
// unreliable on a skewed 1-5 scale. 30 is the threshold of the US National
// Center for Health Statistics for presenting a proportion (NCHS Data
// Presentation Standards for Proportions, Vital and Health Statistics,
// series 2, no. 175, 2017: a minimum (effective) sample size of 30).
func SmallCell(n int) bool { return n < SmallCellSize }

// ProportionCI returns the Wilson score interval of a proportion observed as
// successes out of n at the confidence level (e.g. 0.95).
//
// The Wilson interval (E. B. Wilson, "Probable inference, the law of
// succession, and statistical inference", JASA 22, 1927, pp. 209-212) is
// the one A. Agresti and B. A. Coull recommend over the textbook Wald
// interval p̂ ± z√(p̂(1-p̂)/n) ("Approximate is better than 'exact' for
// interval estimation of binomial proportions", The American Statistician
// 52(2), 1998, pp. 119-126): it keeps close to its nominal coverage for the
// small samples and the shares near 0 or 1 that a region's survey gives,
// and never leaves [0, 1]. With p̂ = successes/n and z the two-sided point,
//
//	centre = (p̂ + z²/2n) / (1 + z²/n)
//	half   = z/(1 + z²/n) · √(p̂(1-p̂)/n + z²/4n²)
//
// For n = 0 nothing is known and it returns [0, 1]. It returns NaN, NaN for
// successes outside [0, n] or a confidence outside (0, 1).
func ProportionCI(successes, n int, confidence float64) (lo, hi float64) {
	if successes < 0 || successes > n || !(confidence > 0 && confidence < 1) {
		return math.NaN(), math.NaN()
	}
	if n == 0 {
		return 0, 1
	}
	return wilson(float64(successes)/float64(n), float64(n), zTwoSided(confidence))
}

// wilson is the Wilson interval for a share p̂ from n respondents, with a
// real n so that the stratified estimate can use its effective sample size.
// A share of exactly 0 or 1 gets exactly 0 or 1 as its bound, not a value a
// rounding error away from it.
func wilson(p, n, z float64) (lo, hi float64) {
	z2 := z * z
	den := 1 + z2/n
	centre := (p + z2/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	lo, hi = max(centre-half, 0), min(centre+half, 1)
	if p == 0 {
		lo = 0
	}
	if p == 1 {
		hi = 1
	}
	return lo, hi
}

// MeanCI returns the mean of values and its confidence interval by
// Student's t: mean ± t(1-α/2, n-1) · s/√n, with s the sample standard
// deviation (divisor n-1). The t quantile is TQuantile's.
//
// The interval assumes a simple random sample; for ratings on a 1-5 scale it
// is a good approximation from about 30 answers on (see SmallCell). With
// one value the spread is unknown and the interval is (-Inf, +Inf); with
// none, or a confidence outside (0, 1), all three results are NaN.
func MeanCI(values []float64, confidence float64) (mean, lo, hi float64) {
	n := len(values)
	if n == 0 || !(confidence > 0 && confidence < 1) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, v := range values {
		mean += v
	}
	mean /= float64(n)
	if n == 1 {
		return mean, math.Inf(-1), math.Inf(1)
	}
	// Two passes: the sum of squared deviations from the mean loses nothing
	// to cancellation, unlike Σv² - n·mean².
	var ss float64
	for _, v := range values {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	half := tUpper((1-confidence)/2, float64(n-1)) * sd / math.Sqrt(float64(n))
	return mean, mean - half, mean + half
}
