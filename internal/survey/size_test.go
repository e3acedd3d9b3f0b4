package survey

import (
	"errors"
	"math"
	"testing"
)

// The sizes follow Cochran (1977, §4.4): n0 = z²p(1-p)/e², then
// n = n0/(1 + (n0-1)/N), rounded up. With z = 1.959964 (95%), p = 0.5 and
// e = 0.05, n0 = 384.146 (384.16 with the rounded z = 1.96); then
//
//	N = 1000:  384.146/1.383146 = 277.73 → 278
//	N = 500:   384.146/1.766292 = 217.49 → 218
//	N = 100:   384.146/4.831459 =  79.51 →  80
//	N = 10000: 384.146/1.038315 = 369.97 → 370
//
// and e = 0.03 gives n0 = 1067.07 → 1068. Krejcie and Morgan's well-known
// table ("Determining sample size for research activities", Educational
// and Psychological Measurement 30, 1970) lists 80, 278 and 370 for these
// N, and 217 for 500: it divides by N-1 rather than N and rounds to the
// nearest whole number, so it lands one below where 217.49 is rounded up.
func TestSampleSize(t *testing.T) {
	inf := math.MaxInt
	tests := []struct {
		name    string
		N       int
		e, c, p float64
		want    int
	}{
		{"±5% at 95%, unbounded", inf, 0.05, 0.95, 0, 385},
		{"±5% at 95%, N=1000", 1000, 0.05, 0.95, 0, 278},
		{"±5% at 95%, N=500", 500, 0.05, 0.95, 0, 218},
		{"±5% at 95%, N=100", 100, 0.05, 0.95, 0, 80},
		{"±5% at 95%, N=10000", 10000, 0.05, 0.95, 0, 370},
		{"±5% at 95%, N=385", 385, 0.05, 0.95, 0, 193},
		{"±5% at 95%, N=50", 50, 0.05, 0.95, 0, 45},
		{"±3% at 95%, unbounded", inf, 0.03, 0.95, 0, 1068},
		{"±5% at 99%: z=2.575829, n0=663.49", inf, 0.05, 0.99, 0, 664},
		{"±5% at 90%: z=1.644854, n0=270.55", inf, 0.05, 0.90, 0, 271},
		{"p=0.1: n0=138.29", inf, 0.05, 0.95, 0.1, 139},
		{"p=0.5 given", 1000, 0.05, 0.95, 0.5, 278},
		{"negative p means unknown", 1000, 0.05, 0.95, -1, 278},
		{"a population of one", 1, 0.05, 0.95, 0, 1},
		{"a population of two", 2, 0.05, 0.95, 0, 2},
		{"a wide margin needs one call", 1000, 0.99, 0.5, 0, 1},
		{"a tiny margin takes everyone", 5000, 1e-200, 0.95, 0, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SampleSize(tt.N, tt.e, tt.c, tt.p)
			if err != nil || got != tt.want {
				t.Errorf("SampleSize(%d, %g, %g, %g) = %d, %v; want %d", tt.N, tt.e, tt.c, tt.p, got, err, tt.want)
			}
		})
	}
}

func TestSampleSizeErrors(t *testing.T) {
	tests := []struct {
		N       int
		e, c, p float64
		field   string
	}{
		{0, 0.05, 0.95, 0, "population"},
		{-5, 0.05, 0.95, 0, "population"},
		{100, 0, 0.95, 0, "margin"},
		{100, 1, 0.95, 0, "margin"},
		{100, math.NaN(), 0.95, 0, "margin"},
		{100, 0.05, 0, 0, "confidence"},
		{100, 0.05, 1, 0, "confidence"},
		{100, 0.05, 95, 0, "confidence"},
		{100, 0.05, 0.95, 1, "proportion"},
		{100, 0.05, 0.95, math.NaN(), "proportion"},
	}
	for _, tt := range tests {
		_, err := SampleSize(tt.N, tt.e, tt.c, tt.p)
		var v *ValidationError
		if !errors.As(err, &v) || v.Field != tt.field || v.Code != ErrOutOfRange || !errors.Is(err, ErrInvalid) {
			t.Errorf("SampleSize(%d, %g, %g, %g) error = %v, want %s out of range", tt.N, tt.e, tt.c, tt.p, err, tt.field)
		}
	}
}

// FuzzSampleSize checks that no input panics and that a size, when there is
// one, is between 1 and N and never falls as the margin narrows.
func FuzzSampleSize(f *testing.F) {
	f.Add(1000, 0.05, 0.95, 0.5)
	f.Add(1, 0.5, 0.5, 0.0)
	f.Add(math.MaxInt, 1e-300, 0.999999999, 1e-300)
	f.Add(7, 0.999, 1e-9, -3.0)
	f.Fuzz(func(t *testing.T, N int, e, c, p float64) {
		n, err := SampleSize(N, e, c, p)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("SampleSize(%d, %g, %g, %g): error %v does not match ErrInvalid", N, e, c, p, err)
			}
			return
		}
		if n < 1 || n > N {
			t.Fatalf("SampleSize(%d, %g, %g, %g) = %d, outside [1, N]", N, e, c, p, n)
		}
		if narrower, err := SampleSize(N, e/2, c, p); err == nil && narrower < n {
			t.Fatalf("SampleSize(%d, %g, ...) = %d is below %d at margin %g", N, e/2, narrower, n, e)
		}
	})
}
