package pdf

import (
	"fmt"
	"testing"
	"time"

	"esep/internal/demo"
	"esep/internal/register"
	"esep/internal/stats"
)

func TestScratch(t *testing.T) {
	from := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	c := stats.NewCounter("2026-04-01", "2026-06-30")
	v := register.Validator{}
	_ = v
	n := 0
	demo.Generate(demo.Options{Rows: 3000, Seed: 1, ErrorRate: 0.05, From: from, To: to}, func(r *register.Record) bool {
		n++
		c.Add(r, "")
		return true
	})
	tb, nat := c.Tables(), c.National()
	fmt.Println(n, len(tb.ClientsByRegion), len(tb.ClientsByRegionSector), len(tb.EnterprisesByRegionLegalForm), len(tb.ClientsByRegionGender), len(tb.ClientsByRegionCategory), len(tb.ServicesByRegionService))
	fmt.Println(nat.Clients, len(nat.ClientsBySector), nat.EnterprisesByLegalForm, nat.ClientsByGender, nat.ClientsByCategory, nat.ServicesByService, tb.ClientsByAgeBand)
	fmt.Println(tb.ClientsByRegion)
}
