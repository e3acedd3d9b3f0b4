package campaign

import (
	"errors"
	"strings"
	"testing"
	"time"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/register"
	"esep/internal/survey"
)

// kzTime is a time in Kazakhstan (UTC+5) on 2026-03-16, a Monday.
func kzTime(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-16 "+hhmm, kz.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func TestHours(t *testing.T) {
	day, err := ParseHours("09:00", "20:00")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ParseHours("00:00", "24:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		h    Hours
		at   time.Time
		in   bool
		next time.Time // NextOpen
	}{
		{"a minute before opening", day, kzTime("08:59"), false, kzTime("09:00")},
		{"at opening", day, kzTime("09:00"), true, kzTime("09:00")},
		{"the last minute", day, kzTime("19:59"), true, kzTime("19:59")},
		{"at closing", day, kzTime("20:00"), false, kzTime("09:00").AddDate(0, 0, 1)},
		{"at night", day, kzTime("23:30"), false, kzTime("09:00").AddDate(0, 0, 1)},
		{"after midnight", day, kzTime("00:10"), false, kzTime("09:00")},
		// 03:30 UTC is 08:30 in Kazakhstan: the hours are Kazakhstan's,
		// whatever zone the instant is written in.
		{"an instant in UTC", day, time.Date(2026, 3, 16, 3, 30, 0, 0, time.UTC), false, kzTime("09:00")},
		{"04:00 UTC is 09:00 in Kazakhstan", day, time.Date(2026, 3, 16, 4, 0, 0, 0, time.UTC), true, kzTime("09:00")},
		{"the whole day at midnight", whole, kzTime("00:00"), true, kzTime("00:00")},
		{"the whole day at 23:59", whole, kzTime("23:59"), true, kzTime("23:59")},
	} {
		if got := tt.h.Contains(tt.at); got != tt.in {
			t.Errorf("%s: Contains = %v", tt.name, got)
		}
		if got := tt.h.NextOpen(tt.at); !got.Equal(tt.next) {
			t.Errorf("%s: NextOpen = %s, want %s", tt.name, got.In(kz.Zone), tt.next)
		}
	}
	for _, bad := range [][2]string{{"20:00", "09:00"}, {"09:00", "09:00"}, {"9:00", "20:00"}, {"09:00", "24:01"}, {"24:00", "24:00"}, {"09:60", "20:00"}, {"", ""}, {"ab:cd", "20:00"}} {
		if _, err := ParseHours(bad[0], bad[1]); !errors.As(err, new(*Error)) {
			t.Errorf("ParseHours(%q, %q) = %v, want an *Error", bad[0], bad[1], err)
		}
	}
	if day.FromText() != "09:00" || whole.ToText() != "24:00" {
		t.Errorf("texts: %s %s", day.FromText(), whole.ToText())
	}
}

// TestApply is the calling rules, attempt by attempt.
func TestApply(t *testing.T) {
	hours, _ := ParseHours("09:00", "20:00")
	p := Policy{Hours: hours, MaxAttempts: 3}
	const me, other = 7, 8
	held := func(attempts int) Call {
		return Call{ID: 1, RecordID: "R-1", Region: "430000000", Status: StatusAssigned, AssignedTo: me,
			AssignedAt: kzTime("09:55"), Attempts: attempts}
	}
	complete := survey.PhoneAnswers{Received: survey.Yes, Rating: 4, Useful: survey.UsefulYes, Interested: survey.Yes,
		Instruments: []survey.FinancialSupport{survey.FinancialGrant}}
	now := kzTime("10:00")
	for _, tt := range []struct {
		name    string
		call    Call
		agent   int64
		in      Input
		at      time.Time // default now
		status  string
		outcome survey.Outcome
		nextAt  time.Time
		notice  bool
		err     string // the error's i18n key, or "survey" for answers that are not valid
	}{
		{name: "no answer: retry in two hours", call: held(0), in: Input{Result: NoAnswer}, status: StatusQueued, nextAt: kzTime("12:00")},
		{name: "busy late in the day: retry when the hours open", call: held(1), in: Input{Result: Busy}, at: kzTime("18:30"),
			status: StatusQueued, nextAt: kzTime("09:00").AddDate(0, 0, 1)},
		{name: "no answer at the last attempt ends the call", call: held(2), in: Input{Result: NoAnswer}, status: StatusDone, outcome: survey.OutcomeNoAnswer},
		{name: "busy at the last attempt ends the call", call: held(2), in: Input{Result: Busy}, status: StatusDone, outcome: survey.OutcomeBusy},
		{name: "wrong number", call: held(0), in: Input{Result: WrongNumber}, status: StatusDone, outcome: survey.OutcomeWrongNumber},
		{name: "refused", call: held(1), in: Input{Result: Refused}, status: StatusDone, outcome: survey.OutcomeRefused},
		{name: "call back at a time", call: held(0), in: Input{Result: Callback, CallbackAt: kzTime("15:30")}, status: StatusQueued, nextAt: kzTime("15:30")},
		{name: "a call-back promised at the last attempt is kept once", call: held(2), in: Input{Result: Callback, CallbackAt: kzTime("15:30")},
			status: StatusQueued, nextAt: kzTime("15:30")},
		{name: "a call-back past the last attempt ends the call", call: held(3), in: Input{Result: Callback, CallbackAt: kzTime("15:30")},
			status: StatusDone, outcome: survey.OutcomeCallback},
		{name: "no answer on the kept call-back ends the call", call: held(3), in: Input{Result: NoAnswer}, status: StatusDone, outcome: survey.OutcomeNoAnswer},
		{name: "a call-back without a time", call: held(0), in: Input{Result: Callback}, err: "campaign.error.callback_time.missing"},
		{name: "a call-back in the past", call: held(0), in: Input{Result: Callback, CallbackAt: kzTime("09:30")}, err: "campaign.error.callback_time.past"},
		{name: "a call-back now is not a call-back", call: held(0), in: Input{Result: Callback, CallbackAt: now}, err: "campaign.error.callback_time.past"},
		{name: "a call-back at night", call: held(0), in: Input{Result: Callback, CallbackAt: kzTime("21:00")}, err: "campaign.error.callback_time.hours"},
		{name: "a call-back at closing time", call: held(0), in: Input{Result: Callback, CallbackAt: kzTime("20:00")}, err: "campaign.error.callback_time.hours"},
		{name: "a call-back in a month", call: held(0), in: Input{Result: Callback, CallbackAt: kzTime("10:00").AddDate(0, 1, 0)}, err: "campaign.error.callback_time.far"},
		{name: "a call-back time with another result", call: held(0), in: Input{Result: NoAnswer, CallbackAt: kzTime("15:00")}, err: "campaign.error.callback_time.not_callback"},
		{name: "a complete interview", call: held(1), in: Input{Result: Answered, Answers: complete, Lang: "ru"}, status: StatusDone, outcome: survey.OutcomeCompleted},
		{name: "a partial interview", call: held(0), in: Input{Result: Answered, Answers: survey.PhoneAnswers{Received: survey.Yes, Rating: 3}},
			status: StatusDone, outcome: survey.OutcomePartial},
		{name: "not received: complete, and a notice", call: held(0), in: Input{Result: Answered, Answers: survey.PhoneAnswers{Received: survey.No, Interested: survey.No}},
			status: StatusDone, outcome: survey.OutcomeCompleted, notice: true},
		{name: "a rating of 7", call: held(0), in: Input{Result: Answered, Answers: survey.PhoneAnswers{Received: survey.Yes, Rating: 7}}, err: "survey"},
		{name: "an unknown instrument", call: held(0), in: Input{Result: Answered, Answers: survey.PhoneAnswers{Received: survey.Yes, Interested: survey.Yes,
			Instruments: []survey.FinancialSupport{"lottery"}}}, err: "survey"},
		{name: "an unknown usefulness", call: held(0), in: Input{Result: Answered, Answers: survey.PhoneAnswers{Received: survey.Yes, Useful: "very"}}, err: "survey"},
		{name: "answers with no answer", call: held(0), in: Input{Result: NoAnswer, Answers: complete}, err: "campaign.error.answers_not_now"},
		{name: "an unknown result", call: held(0), in: Input{Result: "hung_up"}, err: "campaign.error.result"},
		{name: "an unknown language", call: held(0), in: Input{Result: NoAnswer, Lang: "de"}, err: "campaign.error.invalid.lang"},
		{name: "a note too long", call: held(0), in: Input{Result: NoAnswer, Note: strings.Repeat("x", NoteMax+1)}, err: "campaign.error.invalid.note"},
		{name: "another agent's call", call: held(0), agent: other, in: Input{Result: NoAnswer}, err: "campaign.error.not_yours"},
		{name: "a queued call no one holds", call: Call{ID: 1, Status: StatusQueued}, in: Input{Result: NoAnswer}, err: "campaign.error.not_yours"},
		{name: "a call left by its agent and held by no one", call: Call{ID: 1, Status: StatusQueued, AssignedTo: 0}, agent: 0, in: Input{Result: NoAnswer}, err: "campaign.error.not_yours"},
		{name: "a finished call", call: Call{ID: 1, Status: StatusDone, AssignedTo: me, Outcome: survey.OutcomeRefused}, in: Input{Result: NoAnswer}, err: "campaign.error.done"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			agent := tt.agent
			if agent == 0 && !strings.Contains(tt.name, "held by no one") {
				agent = me
			}
			at := tt.at
			if at.IsZero() {
				at = now
			}
			before := tt.call
			next, a, n, err := p.Apply(tt.call, tt.in, agent, at)
			if tt.err != "" {
				var e *Error
				switch {
				case err == nil:
					t.Fatalf("no error, want %s", tt.err)
				case tt.err == "survey":
					if !errors.Is(err, survey.ErrInvalid) || !IsRefusal(err) {
						t.Fatalf("err %v, want a survey validation error", err)
					}
				case !errors.As(err, &e) || e.Key() != tt.err:
					t.Fatalf("err %v, want key %s", err, tt.err)
				}
				if !i18n.Has(i18n.KK, tt.err) && tt.err != "survey" {
					t.Errorf("no Kazakh message for %s", tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if next.Status != tt.status || next.Outcome != tt.outcome || !next.NextAt.Equal(tt.nextAt) {
				t.Errorf("status %s outcome %s next %s, want %s %s %s", next.Status, next.Outcome, next.NextAt.In(kz.Zone), tt.status, tt.outcome, tt.nextAt)
			}
			if next.Attempts != before.Attempts+1 || a.Result != tt.in.Result || a.AgentID != agent || !a.At.Equal(at) {
				t.Errorf("attempts %d, attempt %+v", next.Attempts, a)
			}
			if tt.call.Attempts != before.Attempts || tt.call.Status != before.Status {
				t.Error("Apply changed the call it was given")
			}
			switch next.Status {
			case StatusQueued:
				if next.AssignedTo != 0 || !next.AssignedAt.IsZero() {
					t.Errorf("a requeued call is still held: %+v", next)
				}
			case StatusDone:
				if next.AssignedTo != agent || next.CompletedAt.IsZero() || !next.NextAt.IsZero() {
					t.Errorf("a finished call: %+v", next)
				}
			}
			if (n != nil) != tt.notice {
				t.Fatalf("notice %+v, want %v", n, tt.notice)
			}
			if n != nil && (n.Kind != NoticeNotConfirmed || n.Region != "430000000" || n.RecordID != "R-1" || n.CallID != 1) {
				t.Errorf("notice %+v", n)
			}
			if tt.in.Result == Answered && (next.Lang != tt.in.Lang || next.Answers.Received != tt.in.Answers.Received) {
				t.Errorf("answers not kept: %+v", next)
			}
		})
	}
}

func TestTally(t *testing.T) {
	p, err := Tally([]Count{
		{Outcome: survey.OutcomeCompleted, N: 6},
		{Outcome: survey.OutcomeRefused, N: 2},
		{Outcome: survey.OutcomeWrongNumber, N: 1},
		{Attempted: true, N: 1},                 // waiting for a retry: a non-contact so far
		{N: 2, Extra: true},                     // never dialled: UH
		{Outcome: survey.OutcomeNoAnswer, N: 1}, // exhausted
	})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Dispositions
	if p.Calls != 13 || p.Done != 10 || p.Attempted != 1 || p.Untouched != 2 || p.Extra != 2 || d.I != 6 || d.R != 2 || d.NE != 1 || d.NC != 2 || d.UH != 2 {
		t.Fatalf("%+v", p)
	}
	// RR1 = I / (I+P+R+NC+O+UH+UO) = 6/12; COOP1 = 6/8; REF1 = 2/12; CON1 = 8/12.
	for name, got := range map[string]*float64{"RR1": p.Rates.RR1, "COOP1": p.Rates.COOP1, "REF1": p.Rates.REF1, "CON1": p.Rates.CON1} {
		want := map[string]float64{"RR1": 0.5, "COOP1": 0.75, "REF1": 2.0 / 12, "CON1": 8.0 / 12}[name]
		if got == nil || *got-want > 1e-12 || want-*got > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	empty, _ := Tally(nil)
	if empty.Rates.RR1 != nil || empty.Calls != 0 {
		t.Errorf("no calls: %+v", empty)
	}
}

func TestScript(t *testing.T) {
	r := &register.Record{ServiceCode: "ACC", EndDate: "2026-03-12", PlaceKind: "service_center", ServicePlace: "ЦОП Кызылорда", SettlementName: "Қызылорда"}
	for lang, want := range map[i18n.Lang][]string{
		i18n.KK: {"12 наурыз", "ЦОП Кызылорда"},
		i18n.RU: {"12 марта", "ЦОП Кызылорда"},
		i18n.EN: {"on 12 March at ЦОП Кызылорда"},
	} {
		s := NewScript(lang, r, "Айгүл", "Бухгалтерлік есеп")
		if len(s.Questions) != 5 || s.Questions[0].Group != survey.GroupPhoneReceived {
			t.Fatalf("%s: questions %+v", lang, s.Questions)
		}
		for _, w := range want {
			if !strings.Contains(s.Questions[0].Text, w) {
				t.Errorf("%s: question 1 %q lacks %q", lang, s.Questions[0].Text, w)
			}
		}
		if strings.Contains(s.Questions[0].Text, "{") || !strings.Contains(s.Intro, "Айгүл") || !strings.Contains(s.Intro, s.Date) {
			t.Errorf("%s: %q / %q", lang, s.Questions[0].Text, s.Intro)
		}
		if len(s.Questions[1].Options) != 5 || len(s.Questions[2].Options) != 3 || len(s.Questions[4].Options) != 4 {
			t.Errorf("%s: options %+v", lang, s.Questions)
		}
	}
	bus := &register.Record{PlaceKind: "mobile_center", ServicePlace: "Автобус №2", SettlementName: "Жаңақорған"}
	if Place(bus) != "Жаңақорған" {
		t.Errorf("a bus's place is its settlement, got %q", Place(bus))
	}
	for _, tt := range []struct {
		lang       i18n.Lang
		date, want string
	}{{i18n.KK, "2026-12-01", "1 желтоқсан"}, {i18n.RU, "2026-05-09", "9 мая"}, {i18n.EN, "2026-01-31", "31 January"}, {i18n.EN, "not a date", "not a date"}} {
		if got := FormatDate(tt.lang, tt.date); got != tt.want {
			t.Errorf("FormatDate(%s, %s) = %q, want %q", tt.lang, tt.date, got, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	good := Options{From: "2026-01-01", To: "2026-03-31", Margin: 0.05, Confidence: 0.95}
	o := good
	h, err := o.check()
	if err != nil || o.MaxAttempts != DefaultMaxAttempts || h.FromText() != DefaultFrom || h.ToText() != DefaultTo || o.Name == "" {
		t.Fatalf("defaults: %+v %+v %v", o, h, err)
	}
	for field, change := range map[string]func(*Options){
		"from":           func(o *Options) { o.From = "2026-13-01" },
		"to":             func(o *Options) { o.To = "" },
		"period":         func(o *Options) { o.To = "2025-12-31" },
		"margin":         func(o *Options) { o.Margin = 5 },
		"confidence":     func(o *Options) { o.Confidence = 95 },
		"oversample":     func(o *Options) { o.Oversample = -0.1 },
		"exclude_months": func(o *Options) { o.ExcludeMonths = 37 },
		"max_attempts":   func(o *Options) { o.MaxAttempts = 11 },
		"hours":          func(o *Options) { o.CallingFrom, o.CallingTo = "21:00", "08:00" },
	} {
		o := good
		change(&o)
		var e *Error
		if _, err := o.check(); !errors.As(err, &e) || e.Field != field || !i18n.Has(i18n.RU, e.Key()) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// TestPolicyDaysOff: with a calendar, clients are called on Kazakhstan's
// working days only; Nauryz 2026 (21-25 March, with its substitute days)
// and the weekend are skipped, and without a calendar every day is open.
func TestPolicyDaysOff(t *testing.T) {
	hours, _ := ParseHours("09:00", "20:00")
	cal := kz.DefaultCalendar()
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, kz.Zone)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, tt := range []struct {
		name     string
		cal      *kz.Calendar
		at       string
		open     bool
		nextOpen string
	}{
		{"a working Friday", cal, "2026-03-20 10:00", true, "2026-03-20 10:00"},
		{"Friday evening jumps the weekend and Nauryz", cal, "2026-03-20 20:00", false, "2026-03-26 09:00"},
		{"Nauryz itself", cal, "2026-03-23 10:00", false, "2026-03-26 09:00"},
		{"Astana Day, a Monday", cal, "2026-07-06 10:00", false, "2026-07-07 09:00"},
		{"a Saturday", cal, "2026-03-14 12:00", false, "2026-03-16 09:00"},
		{"no calendar: Saturday is open", nil, "2026-03-14 12:00", true, "2026-03-14 12:00"},
	} {
		p := Policy{Hours: hours, MaxAttempts: 3, Calendar: tt.cal}
		if got := p.Open(at(tt.at)); got != tt.open {
			t.Errorf("%s: Open = %v", tt.name, got)
		}
		if got := p.NextOpen(at(tt.at)); !got.Equal(at(tt.nextOpen)) {
			t.Errorf("%s: NextOpen = %s, want %s", tt.name, got.In(kz.Zone), tt.nextOpen)
		}
	}
	// A call-back promised for a holiday is refused, with the time in the
	// message.
	p := Policy{Hours: hours, MaxAttempts: 3, Calendar: cal}
	c := Call{ID: 1, Status: StatusAssigned, AssignedTo: 7, Attempts: 0}
	_, _, _, err := p.Apply(c, Input{Result: Callback, CallbackAt: at("2026-03-23 11:00")}, 7, at("2026-03-20 10:00"))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeCallbackTime || !strings.Contains(e.Value, "2026-03-23 11:00") {
		t.Errorf("a call-back on Nauryz: %v", err)
	}
}
