package campaign

import (
	"fmt"
	"slices"
	"time"

	"esep/internal/kz"
	"esep/internal/survey"
)

// The defaults of the calling rules. They are judgements, not rules of the
// methodology, which says nothing about how a survey is called.
const (
	// DefaultFrom and DefaultTo are the calling hours: a working day with
	// its evening, when sole proprietors are most often reachable, and
	// nobody is called at night.
	DefaultFrom = "09:00"
	DefaultTo   = "20:00"
	// DefaultMaxAttempts bounds the dials of one call: five attempts at
	// different times of day reach most people who can be reached at all.
	DefaultMaxAttempts = 5
	// RetryAfter is the least time between an unanswered (or busy) attempt
	// and the next: two hours move the next try into another part of the
	// client's day.
	RetryAfter = 2 * time.Hour
	// CallbackWithin is how far ahead a call-back may be promised: a
	// campaign is worked in weeks, and a later promise is a soft refusal.
	CallbackWithin = 14 * 24 * time.Hour
	// Hold is how long a call stays with the agent who took it. Past it,
	// another agent may take it over (she closed the page, her shift
	// ended); the first then can no longer record its outcome.
	Hold = 30 * time.Minute
	// MaxAttemptsLimit is the most attempts a campaign may allow.
	MaxAttemptsLimit = 10
)

// Hours are the daily calling hours in Kazakhstan time, [From, To), in
// minutes after midnight. To may be 24·60, the end of the day; windows
// across midnight are not allowed, since nobody is called at night.
type Hours struct{ From, To int }

// ParseHours reads calling hours written HH:MM. It returns an *Error
// (CodeInvalid, field "hours") unless both are times of day, "24:00"
// allowed as the end, and from is before to.
func ParseHours(from, to string) (Hours, error) {
	f, ok1 := parseClock(from)
	t, ok2 := parseClock(to)
	if !ok1 || !ok2 || f >= t || f == 24*60 {
		return Hours{}, invalid("hours", from+"–"+to)
	}
	return Hours{f, t}, nil
}

func parseClock(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return h*60 + m, true
}

// FromText and ToText write the hours back as HH:MM.
func (h Hours) FromText() string { return clock(h.From) }

// ToText writes the end of the hours as HH:MM.
func (h Hours) ToText() string { return clock(h.To) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Contains reports whether t is within the calling hours in Kazakhstan.
func (h Hours) Contains(t time.Time) bool {
	local := t.In(kz.Zone)
	m := local.Hour()*60 + local.Minute()
	return m >= h.From && m < h.To
}

// NextOpen returns t when it is within the calling hours, else the moment
// they next open: today's start when t is before it, tomorrow's after the
// end.
func (h Hours) NextOpen(t time.Time) time.Time {
	if h.Contains(t) {
		return t
	}
	local := t.In(kz.Zone)
	y, mo, d := local.Date()
	open := time.Date(y, mo, d, h.From/60, h.From%60, 0, 0, kz.Zone)
	if !open.After(local) {
		open = time.Date(y, mo, d+1, h.From/60, h.From%60, 0, 0, kz.Zone)
	}
	return open.UTC()
}

// Policy is the calling rules of one campaign.
type Policy struct {
	Hours       Hours
	MaxAttempts int
	// Calendar, when set, limits calling to Kazakhstan's working days: a
	// client is not called on a weekend or a public holiday, and is called
	// on a Saturday the Government made a working day. esep's judgement,
	// like the hours: the methodology is silent, and a call on Nauryz is
	// both unwelcome and unlikely to be answered. Nil calls every day.
	Calendar *kz.Calendar
	// RetryAfter, CallbackWithin and Hold default to the package's
	// constants when zero.
	RetryAfter, CallbackWithin, Hold time.Duration
}

// Open reports whether a client may be called at t: within the hours, on
// a calling day.
func (p Policy) Open(t time.Time) bool { return p.Hours.Contains(t) && p.callingDay(t) }

// NextOpen returns t when calling is open then, else the moment it next
// opens: the hours' next opening, moved past days off.
func (p Policy) NextOpen(t time.Time) time.Time {
	// A year of consecutive days off cannot happen; the bound only keeps a
	// broken calendar from looping for ever.
	for range 366 {
		t = p.Hours.NextOpen(t)
		if p.callingDay(t) {
			return t
		}
		y, m, d := t.In(kz.Zone).Date()
		t = time.Date(y, m, d+1, 0, 0, 0, 0, kz.Zone)
	}
	return t
}

// callingDay reports whether the Kazakhstan date of t is a working day.
func (p Policy) callingDay(t time.Time) bool {
	if p.Calendar == nil {
		return true
	}
	y, m, d := t.In(kz.Zone).Date()
	return p.Calendar.IsWorkingDay(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

func (p Policy) retryAfter() time.Duration     { return cmpOr(p.RetryAfter, RetryAfter) }
func (p Policy) callbackWithin() time.Duration { return cmpOr(p.CallbackWithin, CallbackWithin) }

// HoldFor is how long a taken call stays with its agent.
func (p Policy) HoldFor() time.Duration { return cmpOr(p.Hold, Hold) }

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Result is what one attempt gave. The codes are stable: attempts are
// stored with them.
type Result string

// The results of an attempt.
const (
	Answered    Result = "answered"     // the client answered; the Annex 4 answers come with it
	NoAnswer    Result = "no_answer"    // nobody picked up
	Busy        Result = "busy"         // the line was busy
	WrongNumber Result = "wrong_number" // the number is not the client's
	Refused     Result = "refused"      // the client refused to take part
	Callback    Result = "callback"     // the client asked to be called back at a time
)

// Results lists every Result in the order a call page offers them.
var Results = []Result{Answered, NoAnswer, Busy, Callback, WrongNumber, Refused}

// Call statuses (the calls table's contract).
const (
	StatusQueued   = "queued"   // waiting for its first or next attempt
	StatusAssigned = "assigned" // an agent holds it
	StatusDone     = "done"     // it has its final outcome
)

// Input is an attempt as the agent records it.
type Input struct {
	Result Result
	// Answers are the client's, with Answered only.
	Answers survey.PhoneAnswers
	// CallbackAt is the time the client asked to be called back, with
	// Callback only.
	CallbackAt time.Time
	// Lang is the language the script was read in ("kk", "ru" or "en"),
	// kept with the answers; "" leaves the call's as it was.
	Lang string
	// Note is the agent's free remark about the attempt, at most NoteMax
	// bytes. It must not hold personal data; the page says so.
	Note string
}

// NoteMax caps an attempt's note.
const NoteMax = 500

// Apply returns what an attempt recorded now by agent makes of call c, the
// attempt itself, and the notice the operator must get (a service the client
// says did not happen), or nil.
//
// The rules:
//
//   - only the agent who holds the call (status assigned, AssignedTo)
//     records an attempt: ErrDone for a call already finished, ErrNotYours
//     for any other;
//   - answered: the answers must pass survey.PhoneAnswers.Validate; the
//     call is done with the outcome PhoneAnswers.Outcome gives (completed,
//     partial or break-off); a "no" to question 1 makes a notice;
//   - wrong number and refused end the call with that outcome;
//   - no answer and busy count an attempt: at MaxAttempts the call is done
//     with that outcome, else it waits RetryAfter, moved into the next
//     calling hours;
//   - a call-back counts an attempt and waits until the time asked for,
//     which must be in the future, within CallbackWithin and within the
//     calling hours. A call-back promised on the last allowed attempt is
//     still kept, once: the call gets one attempt past MaxAttempts, and a
//     further call-back then ends it with the outcome callback (AAPOR
//     counts it a non-contact).
//
// Every other problem is an *Error (CodeResult, CodeAnswersNotNow,
// CodeCallbackTime, CodeInvalid for a language or a note) or the survey's
// *ValidationError for the answers, joined. The call given is not changed.
func (p Policy) Apply(c Call, in Input, agent int64, now time.Time) (Call, Attempt, *Notice, error) {
	switch {
	case c.Status == StatusDone:
		return c, Attempt{}, nil, ErrDone
	case c.Status != StatusAssigned || c.AssignedTo != agent || agent == 0:
		return c, Attempt{}, nil, ErrNotYours
	}
	if !slices.Contains(Results, in.Result) {
		return c, Attempt{}, nil, &Error{Code: CodeResult, Value: string(in.Result)}
	}
	if in.Lang != "" && in.Lang != "kk" && in.Lang != "ru" && in.Lang != "en" {
		return c, Attempt{}, nil, invalid("lang", in.Lang)
	}
	if len(in.Note) > NoteMax {
		return c, Attempt{}, nil, invalid("note", len(in.Note))
	}
	if in.Result != Answered && !emptyAnswers(in.Answers) {
		return c, Attempt{}, nil, &Error{Code: CodeAnswersNotNow, Value: string(in.Result)}
	}
	if in.Result != Callback && !in.CallbackAt.IsZero() {
		return c, Attempt{}, nil, &Error{Code: CodeCallbackTime, Field: "not_callback", Value: string(in.Result)}
	}
	now = now.UTC().Truncate(time.Second)
	a := Attempt{CallID: c.ID, AgentID: agent, At: now, Result: in.Result, Note: in.Note}
	next := c
	next.Attempts++
	next.UpdatedAt = now
	if in.Lang != "" {
		next.Lang = in.Lang
	}
	var notice *Notice
	switch in.Result {
	case Answered:
		if err := in.Answers.Validate(); err != nil {
			return c, Attempt{}, nil, err
		}
		next.Answers = in.Answers
		next.finish(in.Answers.Outcome(), now)
		if in.Answers.Received == survey.No {
			notice = &Notice{Kind: NoticeNotConfirmed, Region: c.Region, RecordID: c.RecordID, CallID: c.ID, CreatedAt: now}
		}
	case WrongNumber:
		next.finish(survey.OutcomeWrongNumber, now)
	case Refused:
		next.finish(survey.OutcomeRefused, now)
	case NoAnswer, Busy:
		outcome := survey.OutcomeNoAnswer
		if in.Result == Busy {
			outcome = survey.OutcomeBusy
		}
		if next.Attempts >= p.MaxAttempts {
			next.finish(outcome, now)
		} else {
			next.requeue(p.NextOpen(now.Add(p.retryAfter())))
		}
	case Callback:
		at := in.CallbackAt.UTC().Truncate(time.Second)
		switch {
		case at.IsZero():
			return c, Attempt{}, nil, &Error{Code: CodeCallbackTime, Field: "missing"}
		case !at.After(now):
			return c, Attempt{}, nil, &Error{Code: CodeCallbackTime, Field: "past", Value: localText(at)}
		case at.Sub(now) > p.callbackWithin():
			return c, Attempt{}, nil, &Error{Code: CodeCallbackTime, Field: "far", Value: localText(at)}
		case !p.Open(at):
			return c, Attempt{}, nil, &Error{Code: CodeCallbackTime, Field: "hours", Value: localText(at)}
		}
		a.CallbackAt = at
		if next.Attempts > p.MaxAttempts {
			next.finish(survey.OutcomeCallback, now)
		} else {
			next.requeue(at)
		}
	}
	return next, a, notice, nil
}

func (c *Call) finish(o survey.Outcome, now time.Time) {
	c.Status, c.Outcome, c.NextAt, c.CompletedAt = StatusDone, o, time.Time{}, now
	c.AssignedAt = time.Time{} // AssignedTo stays: who finished it
}

func (c *Call) requeue(at time.Time) {
	c.Status, c.NextAt, c.AssignedTo, c.AssignedAt = StatusQueued, at, 0, time.Time{}
}

func emptyAnswers(a survey.PhoneAnswers) bool {
	return a.Received == "" && a.Rating == 0 && a.Useful == "" && a.Interested == "" && len(a.Instruments) == 0
}

// localText writes an instant as a Kazakhstan date and time, for messages.
func localText(t time.Time) string { return t.In(kz.Zone).Format("2006-01-02 15:04") }
