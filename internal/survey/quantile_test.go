package survey

import (
	"math"
	"testing"
)

// The normal quantiles are the standard values (e.g. Abramowitz & Stegun,
// Table 26.5, and any statistical package: R's qnorm prints the same 16
// digits); AS 241 is accurate to about 1e-16, so they are checked to 1e-13.
func TestNormalQuantile(t *testing.T) {
	tests := []struct{ p, want float64 }{
		{0.5, 0},
		{0.975, 1.959963984540054},
		{0.95, 1.6448536269514722},
		{0.995, 2.5758293035489004},
		{0.9, 1.2815515655446004},
		{0.001, -3.090232306167813},
		{1e-10, -6.361340902404056},
		{0.025, -1.959963984540054},
	}
	for _, tt := range tests {
		if got := NormalQuantile(tt.p); math.Abs(got-tt.want) > 1e-13*math.Max(1, math.Abs(tt.want)) {
			t.Errorf("NormalQuantile(%g) = %.17g, want %.17g", tt.p, got, tt.want)
		}
	}
	if z := zTwoSided(0.95); math.Abs(z-1.959964) > 5e-7 {
		t.Errorf("z(0.95) = %v, want 1.959964", z)
	}
	for _, p := range []float64{-0.1, 1.1, math.NaN()} {
		if !math.IsNaN(NormalQuantile(p)) {
			t.Errorf("NormalQuantile(%v) is not NaN", p)
		}
	}
	if !math.IsInf(NormalQuantile(0), -1) || !math.IsInf(NormalQuantile(1), 1) {
		t.Error("NormalQuantile(0) and (1) must be -Inf and +Inf")
	}
}

// Every quantile must give back its probability through the distribution
// function Φ(z) = erfc(-z/√2)/2 of the standard library, across the three
// ranges of AS 241 and deep into the tails.
func TestNormalQuantileRoundTrip(t *testing.T) {
	for _, p := range []float64{1e-300, 1e-100, 1e-20, 1e-8, 1e-4, 0.01, 0.02425, 0.07, 0.075, 0.2, 0.3, 0.49, 0.51, 0.8, 0.925, 0.99, 0.9999} {
		z := NormalQuantile(p)
		back := 0.5 * math.Erfc(-z/math.Sqrt2)
		// Φ's relative error near z grows like z²·ε, erfc's own included.
		if math.Abs(back-p) > 1e-15*(1+z*z)*p {
			t.Errorf("Φ(NormalQuantile(%g)) = %g", p, back)
		}
	}
	// Symmetry, at probabilities whose complement is exact.
	for _, p := range []float64{0.25, 0.125, 1.0 / 1024, 0.375, 0.0625} {
		if d := NormalQuantile(1-p) + NormalQuantile(p); math.Abs(d) > 1e-15 {
			t.Errorf("NormalQuantile is not symmetric at %g: %g", p, d)
		}
	}
}

// The t quantiles are those of the tables (to three decimals in the
// NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2, "Critical
// values of the Student's t distribution"; the six decimals here are R's
// qt), checked to 5e-7.
func TestTQuantile(t *testing.T) {
	tests := []struct{ p, df, want float64 }{
		{0.975, 1, 12.706205},
		{0.975, 2, 4.302653},
		{0.975, 3, 3.182446},
		{0.975, 9, 2.262157},
		{0.975, 29, 2.045230},
		{0.975, 120, 1.979930},
		{0.95, 10, 1.812461},
		{0.995, 4, 4.604095},
		{0.9995, 3, 12.923979},
		{0.6, 5, 0.267181},
		{0.025, 9, -2.262157},
		{0.5, 7, 0},
	}
	for _, tt := range tests {
		if got := TQuantile(tt.p, tt.df); math.Abs(got-tt.want) > 5e-7 {
			t.Errorf("TQuantile(%g, %g) = %.7f, want %.6f", tt.p, tt.df, got, tt.want)
		}
	}
	// With many degrees of freedom t tends to the normal quantile.
	if got := TQuantile(0.975, 1e7); math.Abs(got-1.959963984540054) > 1e-6 {
		t.Errorf("TQuantile(0.975, 1e7) = %v, want about 1.959964", got)
	}
	for _, bad := range [][2]float64{{0, 5}, {1, 5}, {0.5, 0}, {0.9, -1}, {math.NaN(), 3}} {
		if !math.IsNaN(TQuantile(bad[0], bad[1])) {
			t.Errorf("TQuantile(%v, %v) is not NaN", bad[0], bad[1])
		}
	}
}

// The quantile must invert the distribution function it is solved against,
// whatever the degrees of freedom, including fractional ones.
func TestTQuantileRoundTrip(t *testing.T) {
	for _, df := range []float64{0.1, 0.5, 1, 1.5, 2, 3, 4.5, 10, 30, 100, 1000, 1e5} {
		for _, q := range []float64{1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.49} {
			x := tUpper(q, df)
			if back := tTail(x, df); math.Abs(back-q) > 1e-10*q {
				t.Errorf("df %g: P(T > t(%g)) = %g", df, q, back)
			}
		}
	}
}

// The incomplete beta function has closed forms to check against:
// I_x(a, 1) = x^a and I_x(1, b) = 1 - (1-x)^b.
func TestRegIncBeta(t *testing.T) {
	for _, x := range []float64{0.01, 0.3, 0.5, 0.9, 0.999} {
		for _, a := range []float64{0.5, 2, 7.5} {
			if got, want := regIncBeta(a, 1, x), math.Pow(x, a); math.Abs(got-want) > 1e-13 {
				t.Errorf("I_%g(%g, 1) = %g, want %g", x, a, got, want)
			}
			if got, want := regIncBeta(1, a, x), 1-math.Pow(1-x, a); math.Abs(got-want) > 1e-13 {
				t.Errorf("I_%g(1, %g) = %g, want %g", x, a, got, want)
			}
		}
	}
	if regIncBeta(2, 3, 0) != 0 || regIncBeta(2, 3, 1) != 1 {
		t.Error("I_0 must be 0 and I_1 must be 1")
	}
}
