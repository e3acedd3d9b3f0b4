package web

import (
	"testing"
	"time"
)

// SetCampaignClock fixes the telephone survey's clock for a test, so that
// calling hours and call-back times do not depend on when it runs.
func SetCampaignClock(t testing.TB, now func() time.Time) {
	campaignClock.Store(&now)
	t.Cleanup(func() { campaignClock.Store(nil) })
}
