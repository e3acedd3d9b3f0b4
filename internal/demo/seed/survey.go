package seed

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"esep/internal/auth"
	"esep/internal/campaign"
	"esep/internal/kz"
	"esep/internal/monitor"
	"esep/internal/register"
	"esep/internal/report"
	"esep/internal/store"
	"esep/internal/survey"
)

// The demo's quality work on the reported quarter. The shares are
// invented but plausible: a minority of clients answers a questionnaire,
// most who are reached on the phone answer, a few say the service did not
// happen — more of them among the services a signal marked.
const (
	questionnaireShare = 0.12 // of the quarter's counted services
	demoMargin         = 0.10 // ±10 points per region keeps the demo's campaign to a thousand-odd calls
	workedShare        = 0.85 // of the calls: the rest wait in the demo agent's queue
	deniedShare        = 0.04 // of the answered random sample
	deniedRiskyShare   = 0.30 // of the answered risk oversample
	unreachableShare   = 0.20 // of the sampled clients
)

// qualityWork gives the quarter p questionnaires answered through their
// links and a telephone campaign worked by agent, so that section 3 of the
// demo report has figures and the agent has a queue to open.
func qualityWork(ctx context.Context, c *monitor.Cycle, p report.Period, agent int64, by string) error {
	if err := questionnaires(ctx, c, p); err != nil {
		return fmt.Errorf("demo questionnaires: %w", err)
	}
	if agent == 0 {
		return nil
	}
	if err := calls(ctx, c, p, agent, by); err != nil {
		return fmt.Errorf("demo campaign: %w", err)
	}
	return nil
}

// pick decides from the record id alone, so the same records are chosen
// on every run.
func pick(recordID string, salt string, share float64) bool {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte(recordID))
	return float64(h.Sum64()%10000) < share*10000
}

// rating draws a 1-5 rating leaning to 4 and 5, as satisfaction surveys do,
// a little lower in some regions so the report's breakdown shows something.
func rating(r *rand.Rand, region string) int {
	low := 0.0
	if region == "430000000" || region == "590000000" {
		low = 0.15
	}
	switch x := r.Float64(); {
	case x < 0.03+low/3:
		return 2
	case x < 0.15+low:
		return 3
	case x < 0.50+low:
		return 4
	}
	return 5
}

func questionnaires(ctx context.Context, c *monitor.Cycle, p report.Period) error {
	r := rand.New(rand.NewPCG(59, 2019))
	return c.EachCounted(ctx, p.From, p.To, func(rec *register.Record, excluded string) error {
		if excluded != "" || !pick(rec.RecordID, "questionnaire", questionnaireShare) {
			return nil
		}
		token, hash, err := auth.NewToken()
		if err != nil {
			return err
		}
		_ = token // the client would have had it in the link; the demo answers for her
		end, err := time.ParseInLocation(time.DateOnly, rec.EndDate, kz.Zone)
		if err != nil {
			return nil // a record without a usable date is not asked
		}
		answered := end.Add(time.Duration(10+r.IntN(72)) * time.Hour)
		if err := c.DB.CreateLink(ctx, rec.RecordID, hash, answered.Add(60*24*time.Hour)); err != nil {
			return err
		}
		q := &store.Questionnaire{RecordID: rec.RecordID, Lang: []string{"kk", "ru", "ru", "kk", "en"}[r.IntN(5)],
			Usefulness: rating(r, rec.RegionKATO), Organisation: rating(r, rec.RegionKATO),
			Expectations: rating(r, rec.RegionKATO), Satisfaction: rating(r, rec.RegionKATO),
			FilledOn: answered.In(kz.Zone).Format(time.DateOnly)}
		if r.Float64() < 0.6 {
			q.Purposes = []string{string(survey.Purposes[r.IntN(len(survey.Purposes))])}
		}
		if r.Float64() < 0.5 {
			q.Financial = []string{string(survey.FinancialSupports[r.IntN(len(survey.FinancialSupports))])}
		}
		if r.Float64() < 0.4 {
			q.NonFinancial = []string{string(survey.NonFinancialSupports[r.IntN(len(survey.NonFinancialSupports))])}
		}
		return c.DB.Answer(ctx, hash, q, answered)
	})
}

// calls opens the quarter's campaign on the first working morning after
// it and works it the way a call centre does: one call after another, a
// few minutes each, through the campaign's own queue and calling rules.
func calls(ctx context.Context, c *monitor.Cycle, p report.Period, agent int64, by string) error {
	to, err := time.ParseInLocation(time.DateOnly, p.To, kz.Zone)
	if err != nil {
		return err
	}
	day := c.Calendar.AddWorkingDays(to, 1)
	clock := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, kz.Zone)
	svc := &campaign.Service{Store: c.DB, Frame: c, Calendar: c.Calendar, Now: func() time.Time { return clock }}
	seed := uint64(20190059)
	camp, err := svc.Open(ctx, campaign.Options{From: p.From, To: p.To, Margin: demoMargin, Confidence: 0.95,
		ExcludeMonths: 6, Oversample: 0.2, Seed: &seed}, by)
	if err != nil {
		return err
	}
	sum, err := svc.Summary(ctx, camp.ID)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 4))
	target := int(float64(sum.Progress.Calls) * workedShare)
	// Attempts, not calls, bound the loop: a call is dialled up to
	// MaxAttempts times; the bound only stops a broken queue.
	for finished, n := 0, 0; finished < target && n < 10*sum.Progress.Calls; n++ {
		call, idle, err := svc.Next(ctx, agent, "")
		if err != nil {
			return err
		}
		if call == nil {
			if idle.Until.IsZero() {
				return nil
			}
			clock = idle.Until
			continue
		}
		in := attempt(r, call, clock)
		after, err := svc.Record(ctx, agent, call.ID, in, by)
		var refused *campaign.Error
		if errors.As(err, &refused) && refused.Code == campaign.CodeCallbackTime {
			// The time the client asked for falls on a day off: she is
			// simply not reached this time.
			after, err = svc.Record(ctx, agent, call.ID, campaign.Input{Result: campaign.NoAnswer}, by)
		}
		if err != nil {
			return err
		}
		if after.Status == campaign.StatusDone {
			finished++
		}
		clock = clock.Add(time.Duration(3+r.IntN(6)) * time.Minute)
	}
	return nil
}

// attempt is what one dial gives. A fifth of the clients are never
// reached, whatever the hour: numbers changed, phones off.
func attempt(r *rand.Rand, call *campaign.Call, now time.Time) campaign.Input {
	if pick(call.RecordID, "unreachable", unreachableShare) {
		if r.Float64() < 0.8 {
			return campaign.Input{Result: campaign.NoAnswer}
		}
		return campaign.Input{Result: campaign.Busy}
	}
	switch x := r.Float64(); {
	case x < 0.18:
		return campaign.Input{Result: campaign.NoAnswer}
	case x < 0.24:
		return campaign.Input{Result: campaign.Busy}
	case x < 0.28:
		return campaign.Input{Result: campaign.Refused}
	case x < 0.31:
		return campaign.Input{Result: campaign.WrongNumber}
	case x < 0.34 && call.Attempts == 0:
		at := time.Date(now.Year(), now.Month(), now.Day()+1, 15, 0, 0, 0, kz.Zone)
		return campaign.Input{Result: campaign.Callback, CallbackAt: at}
	}
	a := survey.PhoneAnswers{Received: survey.Yes}
	denied := deniedShare
	if call.Extra {
		denied = deniedRiskyShare
	}
	if r.Float64() < denied {
		a = survey.PhoneAnswers{Received: survey.No, Interested: survey.No}
		return campaign.Input{Result: campaign.Answered, Answers: a, Lang: "ru"}
	}
	a.Rating = rating(r, call.Region)
	a.Useful = []survey.Useful{survey.UsefulYes, survey.UsefulYes, survey.UsefulPartly, survey.UsefulNo}[r.IntN(4)]
	a.Interested = survey.No
	if r.Float64() < 0.45 {
		a.Interested = survey.Yes
		a.Instruments = []survey.FinancialSupport{survey.FinancialSupports[r.IntN(len(survey.FinancialSupports))]}
	}
	return campaign.Input{Result: campaign.Answered, Answers: a, Lang: []string{"kk", "ru"}[r.IntN(2)]}
}
