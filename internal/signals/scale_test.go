package signals_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"esep/internal/signals"
)

// TestAtScale runs the acceptance method on larger registers: the share of
// a clean register flagged, and the recall of the injected fakes, at the
// sizes listed in ESEP_SIGNALS_SCALE (say "200000,1000000"; 1,000,000 takes
// about a minute and 3 GB). It is skipped otherwise. The thresholds must
// not flag a register for its volume alone: a fixed count per manager per
// period once flagged 5% of 200,000 clean records and 62% of 1,000,000.
func TestAtScale(t *testing.T) {
	sizes := os.Getenv("ESEP_SIGNALS_SCALE")
	if sizes == "" {
		t.Skip("set ESEP_SIGNALS_SCALE to a list of register sizes")
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < window.Rows {
			t.Fatalf("ESEP_SIGNALS_SCALE: %q is not a size of at least %d", s, window.Rows)
		}
		opts := window
		opts.Rows = n
		recs := generate(opts)

		all, byCode := flagged(signals.Detect(recs, nil, signals.Options{}))
		rate := float64(len(all)) / float64(len(recs))
		t.Logf("%d clean records: %d flagged (%.3f%%)", n, len(all), 100*rate)
		for _, code := range signals.Codes() {
			if k := len(byCode[code]); k > 0 {
				t.Logf("  %-18s %7d records", code, k)
			}
		}
		if rate > maxCleanRate {
			t.Errorf("%d records: %.3f%% of clean records flagged, want at most %.1f%%", n, 100*rate, 100*maxCleanRate)
		}

		in, sopts := injectInto(t, recs)
		_, byCode = flagged(signals.Detect(in.recs, in.cal, sopts))
		for _, code := range signals.Codes() {
			found := 0
			for _, id := range in.fakes[code] {
				if byCode[code][id] {
					found++
				}
			}
			recall := float64(found) / float64(len(in.fakes[code]))
			t.Logf("  %-18s %3d of %3d fakes found (recall %.0f%%)", code, found, len(in.fakes[code]), 100*recall)
			if recall < 0.9 {
				t.Errorf("%d records, %s: recall %.0f%%, want at least 90%%", n, code, 100*recall)
			}
		}
	}
}
