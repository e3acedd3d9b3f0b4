package campaign

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"esep/internal/survey"
)

// Why an agent has no call now, when Next gives none. The codes are
// stable: the API returns them and they name the i18n keys
// "campaign.idle.<reason>".
const (
	IdleNoCampaign   = "no_campaign"   // no campaign is open
	IdleOutsideHours = "outside_hours" // calls are due, but outside their campaign's calling hours or on a day off
	IdleWaiting      = "waiting"       // every remaining call waits for a call-back or a retry time
	IdleHeld         = "held"          // the remaining calls are with other agents now
	IdleDone         = "done"          // every call of the open campaigns has its final outcome
)

// Idle says why an agent has no call now and, for the reasons that pass,
// until when.
type Idle struct {
	Reason string    `json:"reason"`
	Until  time.Time `json:"until,omitzero"` // outside_hours: when the hours open; waiting: the earliest next time; else zero
}

// Next gives agent the call she should dial now: the one she already holds
// (she reloaded the page, or came back to it), or the first callable one,
// which becomes hers. A call is callable when its campaign is open and
// within its calling hours, it is queued and its time has come (due
// call-backs and retries first, then fresh calls in the order drawn, so
// that every stratum advances together), or another agent took it more
// than Hold ago and left it. An agent limited to a region gets that
// region's calls only. With no call, Idle says why.
func (s *Service) Next(ctx context.Context, agent int64, region string) (*Call, *Idle, error) {
	held, err := s.Store.HeldCall(ctx, agent)
	if err != nil || held != nil {
		return held, nil, err
	}
	all, err := s.Store.Campaigns(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	var open, callable []int64
	policies := map[int64]Policy{}
	for _, c := range all {
		if c.Status != CampaignOpen {
			continue
		}
		open = append(open, c.ID)
		policies[c.ID] = c.Policy(s.Calendar)
		if policies[c.ID].Open(now) {
			callable = append(callable, c.ID)
		}
	}
	if len(open) == 0 {
		return nil, &Idle{Reason: IdleNoCampaign}, nil
	}
	if len(callable) > 0 {
		call, err := s.Store.ClaimCall(ctx, callable, region, agent, now, now.Add(-Policy{}.HoldFor()))
		if err != nil || call != nil {
			return call, nil, err
		}
	}
	queues, err := s.Store.QueueState(ctx, open, region, now)
	if err != nil {
		return nil, nil, err
	}
	return nil, idleOf(queues, policies, now), nil
}

// idleOf says why nothing is callable, from the queues of the open
// campaigns: calls due outside their hours come first (they are what an
// agent could call soonest), then call-backs and retries, then calls held
// by others.
func idleOf(queues map[int64]Queue, policies map[int64]Policy, now time.Time) *Idle {
	var outside, waiting time.Time
	held := 0
	for id, q := range queues {
		h := policies[id]
		if q.Due > 0 && !h.Open(now) {
			outside = earliest(outside, h.NextOpen(now))
		}
		if q.Later > 0 {
			waiting = earliest(waiting, h.NextOpen(q.NextAt))
		}
		held += q.Held
	}
	switch {
	case !outside.IsZero():
		return &Idle{Reason: IdleOutsideHours, Until: outside}
	case !waiting.IsZero():
		return &Idle{Reason: IdleWaiting, Until: waiting}
	case held > 0:
		return &Idle{Reason: IdleHeld}
	}
	return &Idle{Reason: IdleDone}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// Record records an attempt of call id by agent (Policy.Apply says what it
// does) and stores it, with the notice a "no" to question 1 makes, in one
// transaction audited as actor. It returns the call as it now is.
//
// Refusals are *Error values matching ErrNotFound, ErrClosed, ErrDone,
// ErrNotYours (the call is another agent's, or no one's), ErrChanged (it
// changed while the attempt was being recorded), or the survey's
// *ValidationError for answers that are not valid; nothing is stored then.
func (s *Service) Record(ctx context.Context, agent, id int64, in Input, actor string) (*Call, error) {
	c, err := s.Store.Call(ctx, id)
	if err != nil {
		return nil, err
	}
	camp, err := s.Store.Campaign(ctx, c.CampaignID)
	if err != nil {
		return nil, err
	}
	if camp.Status != CampaignOpen && c.Status != StatusDone {
		return nil, ErrClosed
	}
	next, a, notice, err := camp.Policy(s.Calendar).Apply(*c, in, agent, s.now())
	if err != nil {
		return nil, err
	}
	err = s.Store.SaveAttempt(ctx, c, &next, &a, notice, actor)
	if errors.Is(err, ErrChanged) {
		// Someone else took the call over, or this agent's other tab
		// recorded first: say which.
		if now, rerr := s.Store.Call(ctx, id); rerr == nil {
			if _, _, _, aerr := camp.Policy(s.Calendar).Apply(*now, in, agent, s.now()); errors.Is(aerr, ErrDone) || errors.Is(aerr, ErrNotYours) {
				return nil, aerr
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("call %d: %w", id, err)
	}
	return &next, nil
}

// Rates are AAPOR's outcome rates of a campaign, nil where the denominator
// is 0 (a rate of no cases is undefined, not 0).
type Rates struct {
	RR1   *float64 `json:"rr1"`
	RR2   *float64 `json:"rr2"`
	COOP1 *float64 `json:"coop1"`
	REF1  *float64 `json:"ref1"`
	CON1  *float64 `json:"con1"`
}

// Progress is where a campaign's calling stands.
type Progress struct {
	Calls     int `json:"calls"`
	Extra     int `json:"extra"`     // of them, the risk oversample
	Done      int `json:"done"`      // with a final outcome
	Attempted int `json:"attempted"` // dialled, not yet final
	Untouched int `json:"untouched"` // never dialled
	// Outcomes counts the final outcomes.
	Outcomes map[survey.Outcome]int `json:"outcomes"`
	// Dispositions counts every call in AAPOR's categories as it stands:
	// a call not yet final counts as a non-contact when dialled and as
	// "not attempted" (UH) when not, which is what it would be if the
	// campaign closed now. Rates are computed from them.
	Dispositions survey.Dispositions `json:"dispositions"`
	Rates        Rates               `json:"rates"`
}

// Tally sums counts (of one campaign) into its progress and rates.
func Tally(counts []Count) (Progress, error) {
	p := Progress{Outcomes: map[survey.Outcome]int{}}
	var outcomes []survey.Outcome
	for _, c := range counts {
		p.Calls += c.N
		if c.Extra {
			p.Extra += c.N
		}
		o := c.Outcome
		switch {
		case o != "":
			p.Done += c.N
			p.Outcomes[o] += c.N
		case c.Attempted:
			p.Attempted += c.N
			o = survey.OutcomeNoAnswer
		default:
			p.Untouched += c.N
			o = survey.OutcomeNotAttempted
		}
		for range c.N {
			outcomes = append(outcomes, o)
		}
	}
	d, err := survey.Tally(outcomes)
	if err != nil {
		return p, fmt.Errorf("campaign tally: %w", err)
	}
	p.Dispositions = d
	p.Rates = Rates{RR1: rate(d.RR1()), RR2: rate(d.RR2()), COOP1: rate(d.COOP1()), REF1: rate(d.REF1()), CON1: rate(d.CON1())}
	return p, nil
}

// RateText writes a rate as a percentage with one decimal, or "—" when it
// is undefined (no cases), the same on every screen.
func RateText(x *float64) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x*100, 'f', 1, 64) + "%"
}

// PercentText writes a fraction as a percentage without needless digits:
// 0.05 is "5%", 0.975 is "97.5%".
func PercentText(x float64) string { return strconv.FormatFloat(x*100, 'f', -1, 64) + "%" }

func rate(x float64) *float64 {
	if x != x { // NaN: no cases
		return nil
	}
	return &x
}

// Summary is a campaign with its draw and its progress.
type Summary struct {
	Campaign *Campaign        `json:"campaign"`
	Strata   []survey.Stratum `json:"strata"`
	Progress Progress         `json:"progress"`
}

// Summary returns campaign id with its strata and progress, or an error
// matching ErrNotFound.
func (s *Service) Summary(ctx context.Context, id int64) (*Summary, error) {
	c, err := s.Store.Campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	strata, err := s.Store.Strata(ctx, id)
	if err != nil {
		return nil, err
	}
	counts, err := s.Store.OutcomeCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := Tally(counts)
	if err != nil {
		return nil, err
	}
	return &Summary{Campaign: c, Strata: strata, Progress: p}, nil
}
