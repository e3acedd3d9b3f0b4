package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"esep/internal/campaign"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/survey"
)

// surveyRecords puts 180 counted services of the first quarter into db: 60
// in each of three regions, each of a client of its own but for every tenth
// record, whose client also has the record before it.
func surveyRecords(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	regions := []string{"430000000", "710000000", "750000000"}
	var writes []store.Write
	for i := range 180 {
		r := record(fmt.Sprintf("S%03d", i), fmt.Sprintf("Клиент %d", i))
		r.RegionKATO = regions[i%3]
		r.ClientIIN = fmt.Sprintf("9001013%05d", i)
		if i%10 == 9 {
			r.ClientIIN = fmt.Sprintf("9001013%05d", i-3) // the same region's previous record's client
		}
		day := fmt.Sprintf("2026-%02d-%02d", 1+i%3, 1+i%28)
		r.StartDate, r.EndDate, r.ActSignedAt = day, day, day+"T10:00:00+05:00"
		r.ActNumber = "A-" + r.RecordID
		r.ServiceCode = []string{"ACC", "LEG"}[i%2]
		writes = append(writes, store.Write{Row: i + 1, Record: r, Store: true})
	}
	tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "survey.csv", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Put(ctx, writes); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(ctx, store.ImportSummary{RowsRead: len(writes)}); err != nil {
		t.Fatal(err)
	}
}

func campaignRecords(t *testing.T, db *store.DB, id int64) []string {
	t.Helper()
	d, err := db.SurveyCalls(context.Background(), "2026-01-01", "2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range d.Calls {
		if c.CampaignID == id {
			out = append(out, c.RecordID)
		}
	}
	return out
}

// TestCampaign opens campaigns over the same services and works their
// calls, on both engines: the draw is reproducible from its seed, calls
// never go to two agents, only the agent holding a call records it, a "no"
// to question 1 notifies the operator, and a later draw leaves out the
// clients called recently and those who refused.
func TestCampaign(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := storetest.Open(t, e)
			surveyRecords(t, db)
			now := time.Date(2026, 4, 10, 10, 0, 0, 0, kz.Zone)
			svc := &campaign.Service{Store: db, Frame: &monitor.Cycle{DB: db, Calendar: kz.DefaultCalendar()}, Calendar: kz.DefaultCalendar(),
				Now: func() time.Time { return now }}
			seed := uint64(42)
			opts := campaign.Options{Name: "Q1", From: "2026-01-01", To: "2026-03-31", Margin: 0.1, Confidence: 0.95, Seed: &seed}

			a, err := svc.Open(ctx, opts, "user:1")
			if err != nil {
				t.Fatal(err)
			}
			sum, err := svc.Summary(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			wanted, _ := survey.SampleSize(60, 0.1, 0.95, 0.5)
			if len(sum.Strata) != 3 || sum.Strata[0].N != 60 || sum.Strata[0].Wanted != wanted || sum.Progress.Calls != 3*wanted || sum.Progress.Untouched != 3*wanted {
				t.Fatalf("strata %+v, progress %+v (wanted %d a stratum)", sum.Strata, sum.Progress, wanted)
			}
			if a.Seed != 42 || a.FrameSize != 180 || a.Method != survey.DrawMethod || len(a.FrameDigest) != 64 || a.Hours.FromText() != "09:00" || a.MaxAttempts != 5 {
				t.Errorf("campaign %+v", a)
			}
			if got, _ := db.Campaign(ctx, a.ID); got == nil || got.Description != a.Description || got.Seed != a.Seed || !got.CreatedAt.Equal(now) {
				t.Errorf("stored campaign %+v", got)
			}
			if ev, _ := db.AuditEvents(ctx, 1); len(ev) != 1 || ev[0].Action != "campaign.open" || ev[0].Object != fmt.Sprintf("campaign:%d", a.ID) {
				t.Errorf("audit %+v", ev)
			}
			if _, err := db.Campaign(ctx, 999); !errors.Is(err, campaign.ErrNotFound) || !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a missing campaign: %v", err)
			}

			t.Run("the same seed over the same data draws the same services", func(t *testing.T) {
				b, err := svc.Open(ctx, opts, "user:1")
				if err != nil {
					t.Fatal(err)
				}
				if ids := campaignRecords(t, db, a.ID); !slices.Equal(ids, campaignRecords(t, db, b.ID)) || len(ids) != 3*wanted {
					t.Errorf("seed 42 twice: %v / %v", ids, campaignRecords(t, db, b.ID))
				}
				if b.FrameDigest != a.FrameDigest || b.Description != a.Description {
					t.Error("the same draw is described differently")
				}
				other := uint64(43)
				o := opts
				o.Seed = &other
				c, err := svc.Open(ctx, o, "user:1")
				if err != nil {
					t.Fatal(err)
				}
				if slices.Equal(campaignRecords(t, db, a.ID), campaignRecords(t, db, c.ID)) {
					t.Error("seed 43 drew what seed 42 did")
				}
				for _, id := range []int64{b.ID, c.ID} {
					if err := svc.Close(ctx, id, "user:1"); err != nil {
						t.Fatal(err)
					}
				}
				if err := svc.Close(ctx, b.ID, "user:1"); !errors.Is(err, campaign.ErrClosed) {
					t.Errorf("closing twice: %v", err)
				}
			})

			t.Run("two agents never get the same call", func(t *testing.T) {
				var mu sync.Mutex
				got := map[int64]int64{}
				var wg sync.WaitGroup
				for agent := int64(100); agent < 108; agent++ {
					wg.Go(func() {
						c, idle, err := svc.Next(ctx, agent, "")
						if err != nil || c == nil {
							t.Errorf("agent %d: %v %+v", agent, err, idle)
							return
						}
						mu.Lock()
						defer mu.Unlock()
						if other, dup := got[c.ID]; dup {
							t.Errorf("call %d went to agents %d and %d", c.ID, other, agent)
						}
						got[c.ID] = agent
					})
				}
				wg.Wait()
				// Asking again gives each agent the call she holds.
				for id, agent := range got {
					if c, _, err := svc.Next(ctx, agent, ""); err != nil || c.ID != id {
						t.Errorf("agent %d holds %d, Next gave %+v %v", agent, id, c, err)
					}
				}
				// A regional agent gets her region's calls only.
				if c, _, err := svc.Next(ctx, 200, "710000000"); err != nil || c.Region != "710000000" {
					t.Errorf("a regional agent: %+v %v", c, err)
				}
			})

			const me, other = 7, 8
			call, _, err := svc.Next(ctx, me, "")
			if err != nil || call == nil || call.Status != campaign.StatusAssigned || call.AssignedTo != me || call.CampaignID != a.ID {
				t.Fatalf("next: %+v %v", call, err)
			}

			t.Run("only the agent holding a call records it", func(t *testing.T) {
				_, err := svc.Record(ctx, other, call.ID, campaign.Input{Result: campaign.NoAnswer}, "user:8")
				if !errors.Is(err, campaign.ErrNotYours) {
					t.Fatalf("another agent: %v", err)
				}
				if c, _ := db.Call(ctx, call.ID); c.Attempts != 0 || c.AssignedTo != me || c.Status != campaign.StatusAssigned {
					t.Errorf("the call changed: %+v", c)
				}
				if as, _ := db.Attempts(ctx, call.ID); len(as) != 0 {
					t.Errorf("attempts stored: %+v", as)
				}
				// Answers out of range: refused whole.
				_, err = svc.Record(ctx, me, call.ID, campaign.Input{Result: campaign.Answered, Answers: survey.PhoneAnswers{Received: survey.Yes, Rating: 7}}, "user:7")
				if !errors.Is(err, survey.ErrInvalid) {
					t.Fatalf("rating 7: %v", err)
				}
				if c, _ := db.Call(ctx, call.ID); c.Attempts != 0 || c.Status != campaign.StatusAssigned {
					t.Errorf("a refused answer changed the call: %+v", c)
				}
			})

			t.Run("no answer, then a call-back, then a refusal", func(t *testing.T) {
				c, err := svc.Record(ctx, me, call.ID, campaign.Input{Result: campaign.NoAnswer}, "user:7")
				if err != nil || c.Status != campaign.StatusQueued || !c.NextAt.Equal(now.Add(2*time.Hour)) {
					t.Fatalf("no answer: %+v %v", c, err)
				}
				if _, err := svc.Record(ctx, me, call.ID, campaign.Input{Result: campaign.NoAnswer}, "user:7"); !errors.Is(err, campaign.ErrNotYours) {
					t.Errorf("a released call recorded again: %v", err)
				}
				now = now.Add(2 * time.Hour) // 12:00: the retry is due and comes first
				again, _, err := svc.Next(ctx, me, "")
				if err != nil || again.ID != call.ID {
					t.Fatalf("the due retry did not come first: %+v %v", again, err)
				}
				at := now.Add(3 * time.Hour)
				if c, err = svc.Record(ctx, me, call.ID, campaign.Input{Result: campaign.Callback, CallbackAt: at}, "user:7"); err != nil || !c.NextAt.Equal(at) {
					t.Fatalf("call-back: %+v %v", c, err)
				}
				now = at
				if again, _, _ = svc.Next(ctx, other, ""); again.ID != call.ID {
					t.Fatalf("the due call-back went to %+v", again)
				}
				if c, err = svc.Record(ctx, other, call.ID, campaign.Input{Result: campaign.Refused}, "user:8"); err != nil || c.Outcome != survey.OutcomeRefused {
					t.Fatalf("refused: %+v %v", c, err)
				}
				as, err := db.Attempts(ctx, call.ID)
				if err != nil || len(as) != 3 || as[0].Result != campaign.NoAnswer || as[1].Result != campaign.Callback || !as[1].CallbackAt.Equal(at) ||
					as[2].Result != campaign.Refused || as[2].AgentID != other {
					t.Errorf("attempts %+v %v", as, err)
				}
				if _, err := svc.Record(ctx, other, call.ID, campaign.Input{Result: campaign.NoAnswer}, "user:8"); !errors.Is(err, campaign.ErrDone) {
					t.Errorf("a finished call: %v", err)
				}
				if ev, _ := db.AuditEvents(ctx, 1); ev[0].Action != "call.attempt" || ev[0].Object != fmt.Sprintf("call:%d", call.ID) {
					t.Errorf("audit %+v", ev[0])
				}
			})

			t.Run("a call left longer than the hold goes to another agent", func(t *testing.T) {
				c, _, err := svc.Next(ctx, me, "")
				if err != nil || c == nil {
					t.Fatal(err)
				}
				now = now.Add(campaign.Hold + time.Minute)
				// Everyone else's calls are stale too; the takeover comes in
				// order, so free the queue of all but c by finishing them
				// is not needed: ask until c comes.
				var took *campaign.Call
				for agent := int64(300); agent < 400 && took == nil; agent++ {
					n, _, err := svc.Next(ctx, agent, "")
					if err != nil {
						t.Fatal(err)
					}
					if n != nil && n.ID == c.ID {
						took = n
					}
				}
				if took == nil {
					t.Fatal("the stale call was never taken over")
				}
				if _, err := svc.Record(ctx, me, c.ID, campaign.Input{Result: campaign.Busy}, "user:7"); !errors.Is(err, campaign.ErrNotYours) {
					t.Errorf("the first agent recorded a call taken over: %v", err)
				}
				if _, err := svc.Record(ctx, took.AssignedTo, c.ID, campaign.Input{Result: campaign.Answered, Lang: "kk",
					Answers: survey.PhoneAnswers{Received: survey.No, Interested: survey.No}}, "user:x"); err != nil {
					t.Fatal(err)
				}
				ns, err := db.Notices(ctx, store.NoticeFilter{Region: c.Region})
				if err != nil || len(ns) != 1 || ns[0].RecordID != c.RecordID || ns[0].Kind != campaign.NoticeNotConfirmed || ns[0].CampaignID != a.ID || ns[0].EndDate == "" {
					t.Fatalf("notices %+v %v", ns, err)
				}
				if n, _ := db.UnreadNotices(ctx, c.Region); n != 1 {
					t.Errorf("unread %d", n)
				}
				if ids, _ := db.NotConfirmedRecords(ctx); !slices.Equal(ids, []string{c.RecordID}) {
					t.Errorf("not confirmed %v", ids)
				}
				if err := db.ReadNotice(ctx, ns[0].ID, "000000000", now, "user:9"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("another region read the notice: %v", err)
				}
				if err := db.ReadNotice(ctx, ns[0].ID, c.Region, now, "user:9"); err != nil {
					t.Fatal(err)
				}
				if n, _ := db.UnreadNotices(ctx, c.Region); n != 0 {
					t.Errorf("unread after reading %d", n)
				}
				done, _ := db.Call(ctx, c.ID)
				if done.Outcome != survey.OutcomeCompleted || done.Answers.Received != survey.No || done.Lang != "kk" {
					t.Errorf("stored %+v", done)
				}
			})

			t.Run("rates", func(t *testing.T) {
				s, err := svc.Summary(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				p := s.Progress
				if p.Done != 2 || p.Outcomes[survey.OutcomeRefused] != 1 || p.Outcomes[survey.OutcomeCompleted] != 1 || p.Dispositions.I != 1 || p.Dispositions.R != 1 {
					t.Fatalf("%+v", p)
				}
				if p.Rates.RR1 == nil || *p.Rates.RR1 != 1/float64(p.Calls) || *p.Rates.COOP1 != 0.5 {
					t.Errorf("rates %+v", p.Rates)
				}
			})

			refused, _ := db.Call(ctx, call.ID) // the refusing client
			if err := svc.Close(ctx, a.ID, "user:1"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Record(ctx, me, call.ID, campaign.Input{Result: campaign.NoAnswer}, "user:7"); !errors.Is(err, campaign.ErrDone) {
				t.Errorf("after closing: %v", err)
			}

			t.Run("a later draw leaves out recent and refusing clients", func(t *testing.T) {
				now = now.AddDate(0, 3, 0) // three months after the first campaigns
				o := opts
				o.ExcludeMonths = 6
				c, err := svc.Open(ctx, o, "user:1")
				if err != nil {
					t.Fatal(err)
				}
				ex, err := db.ExcludedClients(ctx, now.AddDate(0, -6, 0))
				if err != nil || !ex[refused.ClientHash] {
					t.Fatalf("excluded %d clients, refusing one among them: %v", len(ex), err)
				}
				strata, _ := db.Strata(ctx, c.ID)
				excluded := 0
				for _, s := range strata {
					excluded += s.Excluded
				}
				if excluded == 0 {
					t.Fatal("no one was left out")
				}
				hashes := map[string]bool{}
				for _, k := range mustCampaigns(t, db) {
					if k.ID == c.ID {
						continue
					}
					calls, _ := db.Calls(ctx, k.ID)
					for _, call := range calls {
						hashes[call.ClientHash] = true
					}
				}
				calls, _ := db.Calls(ctx, c.ID)
				if len(calls) == 0 {
					t.Fatal("nobody left to call")
				}
				for _, k := range calls {
					if hashes[k.ClientHash] {
						t.Errorf("%s: its client was called in the last six months", k.RecordID)
					}
				}
				svc.Close(ctx, c.ID, "user:1")

				// A year on, with no months left out, only the refusal
				// still counts: one client, whose record sits in one stratum.
				now = now.AddDate(1, 0, 0)
				o.ExcludeMonths = 0
				d, err := svc.Open(ctx, o, "user:1")
				if err != nil {
					t.Fatal(err)
				}
				strata, _ = db.Strata(ctx, d.ID)
				excluded = 0
				for _, s := range strata {
					excluded += s.Excluded
					if s.Excluded > 0 && s.Region != refused.Region {
						t.Errorf("stratum %s left out %d", s.Key(), s.Excluded)
					}
				}
				if excluded < 1 || excluded > 2 { // the refusing client has one or two records
					t.Errorf("a year later %d services were left out, want the refusing client's", excluded)
				}
				for _, id := range campaignRecords(t, db, d.ID) {
					if id == refused.RecordID {
						t.Error("the refusing client was drawn again")
					}
				}
			})

			t.Run("idle reasons", func(t *testing.T) {
				for _, c := range mustCampaigns(t, db) {
					if c.Status == campaign.CampaignOpen {
						svc.Close(ctx, c.ID, "user:1")
					}
				}
				if _, idle, _ := svc.Next(ctx, 500, ""); idle == nil || idle.Reason != campaign.IdleNoCampaign {
					t.Errorf("no campaign: %+v", idle)
				}
				o := opts
				o.CallingFrom, o.CallingTo, o.MaxAttempts = "09:00", "18:00", 1
				c, err := svc.Open(ctx, o, "user:1")
				if err != nil {
					t.Fatal(err)
				}
				// A Wednesday evening: the day after is a working day too,
				// so the next opening is 09:00 tomorrow (days off move it
				// further; TestPolicyDaysOff covers that).
				now = time.Date(2027, 7, 14, 19, 0, 0, 0, kz.Zone)
				if _, idle, _ := svc.Next(ctx, 500, ""); idle == nil || idle.Reason != campaign.IdleOutsideHours || !idle.Until.Equal(time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, kz.Zone)) {
					t.Errorf("outside hours: %+v", idle)
				}
				now = now.Add(14 * time.Hour) // 09:00 the next day
				// Every call gets a call-back for 15:00, then the queue waits.
				for {
					k, idle, err := svc.Next(ctx, 500, "")
					if err != nil {
						t.Fatal(err)
					}
					if k == nil {
						if idle.Reason != campaign.IdleWaiting || !idle.Until.Equal(now.Add(6*time.Hour)) {
							t.Errorf("waiting: %+v", idle)
						}
						break
					}
					if _, err := svc.Record(ctx, 500, k.ID, campaign.Input{Result: campaign.Callback, CallbackAt: now.Add(6 * time.Hour)}, "user:500"); err != nil {
						t.Fatal(err)
					}
				}
				now = now.Add(6 * time.Hour)
				for {
					k, idle, err := svc.Next(ctx, 500, "")
					if err != nil {
						t.Fatal(err)
					}
					if k == nil {
						if idle.Reason != campaign.IdleDone {
							t.Errorf("done: %+v", idle)
						}
						break
					}
					// One attempt allowed: the kept call-back is the last.
					if _, err := svc.Record(ctx, 500, k.ID, campaign.Input{Result: campaign.NoAnswer}, "user:500"); err != nil {
						t.Fatal(err)
					}
				}
				s, _ := svc.Summary(ctx, c.ID)
				if s.Progress.Done != s.Progress.Calls || s.Progress.Outcomes[survey.OutcomeNoAnswer] != s.Progress.Calls || s.Progress.Dispositions.NC != s.Progress.Calls {
					t.Errorf("%+v", s.Progress)
				}
			})
		})
	}
}

func mustCampaigns(t *testing.T, db *store.DB) []campaign.Campaign {
	t.Helper()
	cs, err := db.Campaigns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
