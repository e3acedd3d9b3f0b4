package seed

import (
	"context"
	"testing"
	"time"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/pgtest"
	"esep/internal/report"
	"esep/internal/store/storetest"
)

// TestDemoQualityWork: the demo year carries a quarter of quality work —
// questionnaires, a telephone campaign worked by the demo agent with some
// calls left in her queue — and the sent report's section 3 has figures,
// on both engines.
func TestDemoQualityWork(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, e)
			agent := &auth.User{Login: "agent", Name: "Agent", Role: auth.Agent}
			if err := db.CreateUser(ctx, agent, "x", "test"); err != nil {
				t.Fatal(err)
			}
			c := &monitor.Cycle{DB: db, Calendar: kz.DefaultCalendar()}
			today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
			res, err := Run(ctx, c, Options{RowsPerMonth: 300, Today: today, By: "demo", Agent: agent.ID})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := db.Report(ctx, string(report.Quarterly), res.Report, 0)
			if err != nil {
				t.Fatal(err)
			}
			r, err := report.FromSnapshot(stored.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			q := r.Quality
			if !q.HasData || q.Questionnaires == nil || q.Questionnaires.Count == 0 || q.Phone == nil || q.Phone.Interviews == 0 || q.Phone.Unconfirmed == nil {
				t.Fatalf("the demo report's quality section is empty: %+v", q)
			}
			t.Logf("%d questionnaires, %d interviews, %d of %d respondents did not confirm", q.Questionnaires.Count, q.Phone.Interviews,
				q.Phone.Unconfirmed.NotConfirmed, q.Phone.Unconfirmed.Respondents)

			svc := &campaign.Service{Store: db, Frame: c, Calendar: c.Calendar}
			all, err := db.Campaigns(ctx)
			if err != nil || len(all) != 1 {
				t.Fatalf("campaigns: %v %v", all, err)
			}
			sum, err := svc.Summary(ctx, all[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			p := sum.Progress
			if p.Done == 0 || p.Done == p.Calls || p.Done < p.Calls*3/4 {
				t.Errorf("the demo campaign: %d of %d calls done, want most but not all", p.Done, p.Calls)
			}
			if v, err := svc.Verify(ctx, all[0].ID); err != nil || v.Verdict != campaign.VerdictReproduced {
				t.Errorf("the demo campaign's draw does not verify: %+v %v", v, err)
			}
		})
	}
}

func TestMain(m *testing.M) { pgtest.RunMain(m) }
