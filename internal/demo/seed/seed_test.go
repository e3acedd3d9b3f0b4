package seed

import (
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/register"
	"esep/internal/signals"
)

// TestDemoYearIsRarelyFlagged: the year esep serve --demo shows (twelve
// monthly registers of 1,500 records, each of its own seed) is clean data,
// so the signals page must show it nearly empty. It once flagged 17% of the
// records as shared_contact, because every month numbered its clients'
// e-mails from one and strangers of different months shared them.
func TestDemoYearIsRarelyFlagged(t *testing.T) {
	for _, today := range []time.Time{time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)} {
		var recs []register.Record
		first := firstMonth(today)
		for i := range 12 {
			demo.Generate(monthOptions(first.AddDate(0, i, 0), i, 1500), func(r *register.Record) bool {
				recs = append(recs, *r)
				return true
			})
		}
		flagged := map[string]bool{}
		byCode := map[string]int{}
		for _, s := range signals.Detect(recs, nil, signals.Options{}) {
			byCode[s.Code] += len(s.Records)
			for _, id := range s.Records {
				flagged[id] = true
			}
		}
		rate := float64(len(flagged)) / float64(len(recs))
		t.Logf("year to %s: %d of %d records flagged (%.3f%%), by code %v", today.Format("2006-01"), len(flagged), len(recs), 100*rate, byCode)
		if byCode[signals.SharedContact] > 0 {
			t.Errorf("year to %s: %d records share a contact with strangers", today.Format("2006-01"), byCode[signals.SharedContact])
		}
		if rate > 0.005 {
			t.Errorf("year to %s: %.3f%% of the records flagged, want at most 0.5%%", today.Format("2006-01"), 100*rate)
		}
	}
}
