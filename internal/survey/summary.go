package survey

import "math"

// DefaultConfidence is the confidence level of the report's intervals.
const DefaultConfidence = 0.95

// RatingSummary sums up the answers to one 1-5 rating question.
type RatingSummary struct {
	N       int     // valid ratings counted
	Mean    float64 // their mean; 0 when N is 0
	Lo, Hi  float64 // the confidence interval of the mean (MeanCI), kept within 1-5
	Dist    [5]int  // Dist[k] counts the ratings k+1
	Small   bool    // SmallCell(N): flag the figure, do not over-read it
	Skipped int     // ratings outside 1-5 (0 for "not answered"), not counted
}

// Summarize sums up ratings at the DefaultConfidence; see SummarizeAt.
func Summarize(ratings []int) RatingSummary { return SummarizeAt(ratings, DefaultConfidence) }

// SummarizeAt sums up ratings: how many of each, their mean and the
// Student's t interval of the mean at the confidence level. Ratings outside
// 1-5, such as 0 for "not answered", are skipped and counted in Skipped
// rather than failing the summary, because a report of a thousand answers
// should not stop at one blank. The interval is cut to the scale, 1 to 5,
// since no mean of ratings lies outside it; with one rating it is the whole
// scale, and with none Mean, Lo and Hi are 0 and N says there is nothing.
// A confidence outside (0, 1) gives NaN bounds.
func SummarizeAt(ratings []int, confidence float64) RatingSummary {
	var s RatingSummary
	values := make([]float64, 0, len(ratings))
	for _, r := range ratings {
		if r < 1 || r > 5 {
			s.Skipped++
			continue
		}
		s.Dist[r-1]++
		values = append(values, float64(r))
	}
	s.N = len(values)
	s.Small = SmallCell(s.N)
	if s.N == 0 {
		return s
	}
	s.Mean, s.Lo, s.Hi = MeanCI(values, confidence)
	if !math.IsNaN(s.Lo) {
		s.Lo, s.Hi = max(s.Lo, 1), min(s.Hi, 5)
	}
	return s
}

// Estimate is a share estimated from a survey, with its confidence interval,
// and what it implies for the register the survey was drawn from.
type Estimate struct {
	Sampled int     // respondents the share is computed from
	Hits    int     // of them, those with the property (e.g. not confirmed)
	Share   float64 // the estimated share of the population; NaN with no respondents
	Lo, Hi  float64 // its confidence interval
	// Population is the number of register records the share is scaled to,
	// and Count, CountLo and CountHi the implied number of them with the
	// property and its interval.
	Population, Count, CountLo, CountHi int
	// EffectiveN is the sample size the interval is computed with: Sampled
	// for a simple random sample, Kish's effective sample size for a
	// stratified one.
	EffectiveN float64
	// Uncovered is the population of strata without a single respondent,
	// which the estimate does not cover (WeightedShare only).
	Uncovered int
	Small     bool // fewer than 30 (effective) respondents: see SmallCell
}

// Unconfirmed estimates the share of register records whose service did
// not happen as recorded, from a telephone survey in which notConfirmed of
// sampled respondents did not confirm it (question 1 answered "no"), and the
// number of such records in a register of registerSize records.
//
// The share has the Wilson interval (ProportionCI) and the number of records
// is the share times the register's size, its interval the interval's ends
// times the size, rounded outwards. Both are then trimmed to what the survey
// itself proves: the register holds at least the notConfirmed records found
// and at most all but the confirmed ones found, so a survey of the whole
// register gives an exact count.
//
// This assumes the respondents are a simple random sample of the register's
// records: one stratum of Draw, with the units of the risk oversample left
// out (they over-represent risky records) and non-response assumed unrelated
// to the answer. A register surveyed by strata is estimated with
// WeightedShare, which weights each stratum by its size: adding the strata's
// raw counts would let a heavily sampled small region speak for the whole
// country.
//
// It returns a *ValidationError (matching ErrInvalid) unless
// 0 ≤ notConfirmed ≤ sampled ≤ registerSize and the confidence is in
// (0, 1).
func Unconfirmed(sampled, notConfirmed, registerSize int, confidence float64) (Estimate, error) {
	switch {
	case sampled < 0:
		return Estimate{}, invalid("sampled", ErrOutOfRange, sampled, "0 or more")
	case notConfirmed < 0 || notConfirmed > sampled:
		return Estimate{}, invalid("not_confirmed", ErrOutOfRange, notConfirmed, "0 to sampled")
	case registerSize < sampled:
		return Estimate{}, invalid("register_size", ErrOutOfRange, registerSize, "at least sampled")
	case !(confidence > 0 && confidence < 1):
		return Estimate{}, invalid("confidence", ErrOutOfRange, confidence, "between 0 and 1")
	}
	e := Estimate{Sampled: sampled, Hits: notConfirmed, Population: registerSize, EffectiveN: float64(sampled), Small: SmallCell(sampled)}
	if sampled == 0 {
		e.Share, e.Lo, e.Hi = math.NaN(), 0, 1
	} else {
		e.Share = float64(notConfirmed) / float64(sampled)
		e.Lo, e.Hi = ProportionCI(notConfirmed, sampled, confidence)
	}
	e.scale(notConfirmed, sampled-notConfirmed)
	return e, nil
}

// scale fills the implied counts from the share and its interval, trimmed
// to at least hits and at most Population-misses records, and trims the
// share's interval the same way.
func (e *Estimate) scale(hits, misses int) {
	n := float64(e.Population)
	minCount, maxCount := hits, e.Population-misses
	e.CountLo = min(max(int(math.Floor(e.Lo*n+1e-9)), minCount), maxCount)
	e.CountHi = max(min(int(math.Ceil(e.Hi*n-1e-9)), maxCount), minCount)
	if math.IsNaN(e.Share) {
		e.Count = minCount // nothing asked: only what is proven
	} else {
		e.Count = min(max(int(math.Round(e.Share*n)), minCount), maxCount)
	}
	if e.Population > 0 {
		e.Lo = max(e.Lo, float64(minCount)/n)
		e.Hi = min(e.Hi, float64(maxCount)/n)
	}
}

// StratumCount is one stratum's survey result for WeightedShare.
type StratumCount struct {
	N       int // records of the register in the stratum
	Sampled int // respondents in the stratum (without the risk oversample)
	Hits    int // of them, those with the property
}

// WeightedShare estimates a share of the whole register from a survey drawn
// by strata, weighting each stratum by its size, and the number of records
// it implies. This is the stratified estimator of a proportion (Cochran,
// Sampling Techniques, 3rd ed., 1977, ch. 5, stratified sampling for
// proportions):
//
//	share = Σ W_h p_h,  W_h = N_h/N,  p_h = Hits_h/Sampled_h
//	var   = Σ W_h² (1 - n_h/N_h) p_h(1-p_h)/(n_h - 1)
//
// with the finite population correction, since a stratum's sample may be a
// large part of it. The interval is Wilson's with the effective sample size
// n_eff = share(1-share)/var (L. Kish, Survey Sampling, 1965; the use of
// n_eff in a binomial interval follows E. L. Korn and B. I. Graubard,
// "Confidence intervals for proportions with small expected number of
// positive counts estimated from survey data", Survey Methodology 24(2),
// 1998): it keeps Wilson's good behaviour near 0, where the share of
// unconfirmed records is expected to be. When var is 0 (every stratum
// surveyed fully, or all shares 0 or 1) n_eff is the number of respondents,
// and it is never taken above that number.
// Counts and bounds are trimmed to what the survey proves, as in
// Unconfirmed.
//
// A stratum without respondents cannot be estimated: it is left out, its
// records counted in Uncovered and not in Population, and the share covers
// the other strata. A stratum with one respondent adds nothing to var
// (p_h(1-p_h) is 0), so its uncertainty is understated; such figures are
// Small. It returns a *ValidationError (matching ErrInvalid) unless each
// stratum has 0 ≤ Hits ≤ Sampled ≤ N and the confidence is in (0, 1).
func WeightedShare(strata []StratumCount, confidence float64) (Estimate, error) {
	if !(confidence > 0 && confidence < 1) {
		return Estimate{}, invalid("confidence", ErrOutOfRange, confidence, "between 0 and 1")
	}
	var e Estimate
	hits, misses := 0, 0
	for _, s := range strata {
		switch {
		case s.Sampled < 0 || s.Sampled > s.N:
			return Estimate{}, invalid("sampled", ErrOutOfRange, s.Sampled, "0 to N")
		case s.Hits < 0 || s.Hits > s.Sampled:
			return Estimate{}, invalid("hits", ErrOutOfRange, s.Hits, "0 to sampled")
		case s.Sampled == 0:
			e.Uncovered += s.N
			continue
		}
		e.Population += s.N
		e.Sampled += s.Sampled
		hits += s.Hits
		misses += s.Sampled - s.Hits
	}
	e.Hits = hits
	if e.Sampled == 0 {
		e.Share, e.Lo, e.Hi = math.NaN(), 0, 1
		e.Small = true
		e.scale(0, 0)
		return e, nil
	}
	var variance float64
	total := float64(e.Population)
	for _, s := range strata {
		if s.Sampled == 0 {
			continue
		}
		w := float64(s.N) / total
		p := float64(s.Hits) / float64(s.Sampled)
		e.Share += w * p
		if s.Sampled > 1 {
			fpc := 1 - float64(s.Sampled)/float64(s.N)
			variance += w * w * fpc * p * (1 - p) / float64(s.Sampled-1)
		}
	}
	e.Share = min(max(e.Share, 0), 1)
	e.EffectiveN = float64(e.Sampled)
	if variance > 0 {
		// Capped at the respondents: the finite population correction can
		// push n_eff above them, and the interval should not claim more
		// precision than the people asked (the trimming below already makes
		// a fully surveyed register exact).
		e.EffectiveN = min(e.Share*(1-e.Share)/variance, e.EffectiveN)
	}
	e.Lo, e.Hi = wilson(e.Share, e.EffectiveN, zTwoSided(confidence))
	e.Small = SmallCell(e.Sampled) || e.EffectiveN < SmallCellSize
	e.scale(hits, misses)
	return e, nil
}
