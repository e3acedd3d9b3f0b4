package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"esep/internal/campaign"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/store"
	"esep/internal/store/storetest"
	"esep/internal/survey"
)

// TestCampaignVerify re-draws campaigns on both engines: a draw with
// exclusions and a risk oversample is reproduced even after later
// refusals and "no" answers changed who would be excluded or risky today;
// a stored call or exclusion tampered with in SQL makes the sample differ;
// a record of the period corrected after the draw is reported as a changed
// frame.
func TestCampaignVerify(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			surveyRecords(t, db)
			now := time.Date(2026, 4, 10, 10, 0, 0, 0, kz.Zone)
			svc := &campaign.Service{Store: db, Frame: &monitor.Cycle{DB: db, Calendar: kz.DefaultCalendar()}, Calendar: kz.DefaultCalendar(),
				Now: func() time.Time { return now }}
			seed := uint64(42)
			opts := campaign.Options{Name: "Q1", From: "2026-01-01", To: "2026-03-31", Margin: 0.1, Confidence: 0.95, Seed: &seed}
			// call takes agent 7's next call and records in as its attempt.
			call := func(in campaign.Input) *campaign.Call {
				t.Helper()
				c, _, err := svc.Next(ctx, 7, "")
				if err != nil || c == nil {
					t.Fatalf("next: %+v %v", c, err)
				}
				if c, err = svc.Record(ctx, 7, c.ID, in, "user:7"); err != nil {
					t.Fatal(err)
				}
				return c
			}
			refuse := campaign.Input{Result: campaign.Refused}
			deny := campaign.Input{Result: campaign.Answered, Lang: "ru", Answers: survey.PhoneAnswers{Received: survey.No, Interested: survey.No}}
			verify := func(id int64, want string) *campaign.Verification {
				t.Helper()
				v, err := svc.Verify(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if v.Verdict != want || v.Reproduced() != (want == campaign.VerdictReproduced) {
					t.Fatalf("campaign %d: verdict %s, want %s: %+v", id, v.Verdict, want, v)
				}
				if ms := v.Messages(); ms[len(ms)-1].Key != "campaign.verify.verdict."+want {
					t.Errorf("the account ends with %+v", ms[len(ms)-1])
				}
				return v
			}

			a, err := svc.Open(ctx, opts, "user:1")
			if err != nil {
				t.Fatal(err)
			}
			refused, denied := call(refuse), call(deny)
			svc.Close(ctx, a.ID, "user:1")

			// b leaves out the refusing client and oversamples the risky
			// services, the one its client denied among them.
			other := uint64(7)
			o := opts
			o.Seed, o.ExcludeMonths, o.Oversample = &other, 0, 1
			b, err := svc.Open(ctx, o, "user:1")
			if err != nil {
				t.Fatal(err)
			}
			excluded, risky, err := db.DrawInputs(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			strata, _ := db.Strata(ctx, b.ID)
			left := 0
			for _, s := range strata {
				left += s.Excluded
			}
			if !slices.Contains(excluded, refused.RecordID) || len(excluded) != left || !slices.IsSorted(excluded) {
				t.Errorf("kept excluded %v, the strata left out %d, the refusing client's record %s", excluded, left, refused.RecordID)
			}
			if !slices.Contains(risky, denied.RecordID) || !slices.IsSorted(risky) {
				t.Errorf("kept risky %v lacks the denied %s", risky, denied.RecordID)
			}
			if ex, rk, _ := db.DrawInputs(ctx, a.ID); len(ex) != 0 || len(rk) != 0 {
				t.Errorf("a left out %v and marked %v, with neither exclusions nor an oversample", ex, rk)
			}

			// After b's draw a client of b refuses, and another denies a
			// service no signal marked (the clients before it do not
			// answer): a draw today would leave out and mark other services,
			// the re-draw must not.
			if refusedB := call(refuse); refusedB.CampaignID != b.ID {
				t.Fatalf("the refusal after the draw: %+v", refusedB)
			}
			var deniedB *campaign.Call
			for deniedB == nil {
				c, _, err := svc.Next(ctx, 7, "")
				if err != nil || c == nil {
					t.Fatalf("no call of b that no signal marked: %+v %v", c, err)
				}
				in := campaign.Input{Result: campaign.NoAnswer}
				if !slices.Contains(risky, c.RecordID) {
					in = deny
				}
				if c, err = svc.Record(ctx, 7, c.ID, in, "user:7"); err != nil {
					t.Fatal(err)
				}
				if in.Result == campaign.Answered {
					deniedB = c
				}
			}
			if today, _ := db.NotConfirmedRecords(ctx); !slices.Contains(today, deniedB.RecordID) {
				t.Fatalf("%s denied after the draw is not risky today: %v", deniedB.RecordID, today)
			}

			t.Run("the draw is reproduced", func(t *testing.T) {
				v := verify(b.ID, campaign.VerdictReproduced)
				calls, _ := db.Calls(ctx, b.ID)
				if !v.Frame.Unchanged || v.Frame.CurrentDigest != b.FrameDigest || v.Frame.CurrentSize != 180 || !v.Sample.Identical ||
					v.Sample.StoredCalls != len(calls) || v.Sample.RedrawnCalls != len(calls) || v.Excluded != len(excluded) || v.Risky != len(risky) ||
					v.Seed != 7 || v.Method != survey.DrawMethod || !v.Sample.ExcludedSame {
					t.Errorf("%+v", v)
				}
				verify(a.ID, campaign.VerdictReproduced)
				if _, err := svc.Verify(ctx, 999); !errors.Is(err, campaign.ErrNotFound) {
					t.Errorf("no such campaign: %v", err)
				}
			})

			t.Run("a tampered sample differs", func(t *testing.T) {
				calls, _ := db.Calls(ctx, b.ID)
				k := calls[len(calls)/2]
				var swap string
				for i := range 180 {
					id := fmt.Sprintf("S%03d", i)
					if !slices.ContainsFunc(calls, func(c *campaign.Call) bool { return c.RecordID == id }) {
						swap = id
						break
					}
				}
				storetest.Exec(t, dsn, `UPDATE calls SET record_id = ? WHERE id = ?`, swap, k.ID)
				v := verify(b.ID, campaign.VerdictSampleDiffers)
				want := campaign.Difference{Stratum: k.Stratum, Order: k.Order, Stored: swap, StoredExtra: k.Extra, Redrawn: k.RecordID, RedrawnExtra: k.Extra}
				if !v.Frame.Unchanged || v.Sample.Differences != 1 || len(v.Sample.First) != 1 || v.Sample.First[0] != want || len(v.Sample.Strata) != 0 {
					t.Errorf("a call's record replaced: %+v, want %+v", v.Sample, want)
				}
				storetest.Exec(t, dsn, `UPDATE calls SET record_id = ? WHERE id = ?`, k.RecordID, k.ID)

				storetest.Exec(t, dsn, `UPDATE calls SET extra = 1 - extra, ord = ord + 1000 WHERE id = ?`, k.ID)
				if v := verify(b.ID, campaign.VerdictSampleDiffers); v.Sample.Differences != 2 {
					t.Errorf("a call moved: %+v", v.Sample)
				}
				storetest.Exec(t, dsn, `UPDATE calls SET extra = 1 - extra, ord = ord - 1000 WHERE id = ?`, k.ID)

				// The kept exclusions are part of the draw: one removed is
				// found even when the client's other record still leaves it
				// out, and the calls come out the same.
				storetest.Exec(t, dsn, `DELETE FROM campaign_excluded WHERE campaign_id = ? AND record_id = ?`, b.ID, refused.RecordID)
				if v := verify(b.ID, campaign.VerdictSampleDiffers); v.Sample.ExcludedSame || v.Excluded != len(excluded)-1 {
					t.Errorf("an exclusion removed: %+v", v)
				}
				storetest.Exec(t, dsn, `INSERT INTO campaign_excluded (campaign_id, record_id) VALUES (?, ?)`, b.ID, refused.RecordID)

				storetest.Exec(t, dsn, `UPDATE campaigns SET method = ? WHERE id = ?`, "another-draw/v0", b.ID)
				if _, err := svc.Verify(ctx, b.ID); !errors.Is(err, &campaign.Error{Code: campaign.CodeMethod}) {
					t.Errorf("another method: %v", err)
				}
				storetest.Exec(t, dsn, `UPDATE campaigns SET method = ? WHERE id = ?`, survey.DrawMethod, b.ID)
				verify(b.ID, campaign.VerdictReproduced)
			})

			t.Run("a corrected record changes the frame", func(t *testing.T) {
				calls, _ := db.Calls(ctx, b.ID)
				k := calls[0]
				prev, err := db.Record(ctx, k.RecordID)
				if err != nil {
					t.Fatal(err)
				}
				r := prev.Record
				r.RegionKATO = map[string]string{"430000000": "710000000", "710000000": "750000000", "750000000": "430000000"}[r.RegionKATO]
				tx, err := db.BeginImport(ctx, store.ImportMeta{FileName: "fix.csv", By: "test"})
				if err != nil {
					t.Fatal(err)
				}
				if err := tx.Put(ctx, []store.Write{{Row: 1, Record: r, Store: true, Prev: &prev.Stored}}); err != nil {
					tx.Rollback()
					t.Fatal(err)
				}
				if err := tx.Commit(ctx, store.ImportSummary{RowsRead: 1}); err != nil {
					t.Fatal(err)
				}
				v := verify(b.ID, campaign.VerdictFrameChanged)
				f := v.Frame
				if f.Unchanged || f.StoredDigest != b.FrameDigest || f.CurrentDigest == b.FrameDigest || f.StoredSize != 180 || f.CurrentSize != 180 ||
					f.SampledGone != 1 || len(f.Strata) != 2 {
					t.Errorf("%+v", f)
				}
				for _, s := range f.Strata {
					if s.Current-s.Stored != map[string]int{k.Region: -1, r.RegionKATO: 1}[s.Stratum] {
						t.Errorf("stratum %+v after moving %s from %s to %s", s, k.RecordID, k.Region, r.RegionKATO)
					}
				}
				verify(a.ID, campaign.VerdictFrameChanged)
			})
		})
	}
}
