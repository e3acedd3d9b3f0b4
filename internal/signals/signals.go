// Package signals finds signs that a service in the Register of services may
// not have happened: acts signed by many clients in one minute, a bus in two
// settlements on one day, services on a public holiday, one phone number for
// unrelated people, and so on. A signal is a reason for an analyst to look,
// and a weight for drawing the telephone-survey sample (clauses 15-16); it is
// never a verdict, and nothing in esep excludes or marks a record because of
// one. Every threshold in Options is a judgement, not a rule of the
// methodology, and the defaults are chosen so that a clean register is rarely
// flagged (see the package tests for the measured rates).
//
// Some signs are about one record (a denial in the survey, an IIN), most
// about a group (a manager's day, a bus's day, a phone number): the signal
// then lists the whole group, because it says where to look, not which
// record is false. RiskyRecords turns signals into a weight per record for
// the survey sample.
//
// Signs that compare a client with the rest of the register (copy_paste's
// "one-time client", shared_contact) and the routine of weekend work see
// only the records passed in: run Detect over the widest window at hand,
// a year rather than a month.
//
// Like register, this package imports nothing of the machinery: it reads
// records held in memory and returns codes, record ids and parameters; the
// edge turns them into text with Explain.
package signals

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"esep/internal/i18n"
	"esep/internal/kz"
	"esep/internal/register"
)

// The signal codes. They are stable: they are stored with survey samples and
// name the i18n keys "signal.<code>.title" and "signal.<code>.explain".
const (
	// NotConfirmed is a service the client denied in the telephone survey.
	NotConfirmed = "not_confirmed"
	// SameMinute is a manager whose acts for several different clients were
	// signed in the same minute.
	SameMinute = "same_minute"
	// Overlap is a manager with more services on one day than a day holds.
	Overlap = "overlap"
	// MobileTwoPlaces is a mobile center (a bus) in several settlements on
	// one day.
	MobileTwoPlaces = "mobile_two_places"
	// NonWorkingDay is a manager with several services on a day that is not
	// a working day by Kazakhstan's calendar.
	NonWorkingDay = "non_working_day"
	// SharedContact is one mobile phone or e-mail given for unrelated
	// clients.
	SharedContact = "shared_contact"
	// MonthEndSpike is a manager or center whose services crowd into the
	// last two working days of a month.
	MonthEndSpike = "month_end_spike"
	// IINMismatch is a client IIN that disagrees with the stated gender or
	// birth date; weak on its own, since 2013 an IIN need not encode them.
	IINMismatch = "iin_mismatch"
	// CopyPaste is a run of one-time clients of one manager whose records
	// carry identical text and were closed one after another.
	CopyPaste = "copy_paste"
)

// Signal is one sign that the services of some records may not have
// happened. It is a prompt for an analyst, never a finding against the
// records.
type Signal struct {
	// Code says which kind of sign it is (one of the constants above).
	Code string
	// Records lists the record_ids involved, sorted, without repeats. For a
	// group sign (a manager's day, a bus's day) it is the whole group: the
	// sign says which group to look at, not which of its records is false.
	Records []string
	// Params fill the explanation's {placeholders}: manager, date, count
	// and so on, as language-neutral text (dates YYYY-MM-DD, numbers in
	// digits).
	Params map[string]string
	// Score is how strong the sign is, in (0, 1]: for sorting the list and
	// for oversampling the telephone survey. It is the code's weight (see
	// Weight) times how far the group is past its threshold, from one half
	// at the threshold towards one far beyond it.
	Score float64
}

// weights is how much each kind of sign weighs at most. The order is a
// judgement: a client's own denial outweighs everything; acts that several
// people cannot all have signed, copied records and a bus in two places come
// next; an IIN that disagrees with the stated gender or birth date is weak,
// because since 2013 an IIN need not encode them.
var weights = map[string]float64{
	NotConfirmed:    1.0,
	SameMinute:      0.9,
	CopyPaste:       0.85,
	MobileTwoPlaces: 0.8,
	Overlap:         0.75,
	SharedContact:   0.7,
	MonthEndSpike:   0.6,
	NonWorkingDay:   0.5,
	IINMismatch:     0.3,
}

// Options are the thresholds of the detectors. A zero field takes its
// default, so Options{} is the default set; the defaults are judgements,
// tuned so that the realistic synthetic register of package demo is rarely
// flagged (the package tests measure the rate), and an agency may tighten or
// loosen them.
type Options struct {
	// NotConfirmed holds the record_ids the telephone survey marked "did
	// not receive this service". Ids not among the records are ignored.
	NotConfirmed []string

	// SameMinuteClients is how many different clients (register.ClientKey)
	// must have acts signed with one manager in one minute (Kazakhstan
	// time). Default 3: one client signing several acts at once is normal;
	// two people finishing in one minute happens; three is unlikely. It is
	// the least: on a manager's day with so many clients that this many in
	// one minute would happen by chance more than one day in a thousand,
	// more are needed (four from 14 clients a day with the default), so a
	// busy register is not flagged for its volume alone.
	SameMinuteClients int

	// OverlapMax is the most services one manager can give in one day.
	// The register has dates, not times, so a service is put on the one
	// day the manager certainly worked on it: the start date for an offline
	// service (the client came), the end date for an online one (it was
	// completed and confirmed). Default 25: an 8-hour day at about 20
	// minutes a service.
	OverlapMax int

	// MobilePlaces is how many settlements (settlement_kato) one mobile
	// center must have served on one start date, each with at least
	// MobilePerPlace services. Defaults 2 and 2: a single service recorded
	// elsewhere is more likely a wrong settlement code than a second trip.
	MobilePlaces   int
	MobilePerPlace int

	// NonWorkingDayMin is how many services one manager must have on one
	// non-working day. A service is on a day when it starts there (offline
	// services only: an online request can arrive any day) or ends there.
	// Default 5: a manager finishing a case on a Saturday is not news; a
	// full day of work on Nauryz is.
	NonWorkingDayMin int
	// WeekendRoutine: a manager who has services on at least this share of
	// the Saturdays (or Sundays) in their span of work, and the span holds
	// at least four of them, works that day by routine, and it is not
	// signalled; weekdays off always are. Default 0.5; above 1 turns the
	// routine off.
	WeekendRoutine float64

	// SharedContactClients is how many unrelated clients must give one
	// mobile phone or e-mail. Clients are related when they come for the
	// same enterprise or have the same folded name and birth date (one
	// person recorded with and without an IIN). Default 3: a married couple
	// sharing a phone is common.
	SharedContactClients int

	// MonthEndFactor and MonthEndMin: services ending in the last two
	// working days of a month, per day, must be at least MonthEndFactor
	// times the average per working day over the rest of the month, and
	// number at least MonthEndMin. Defaults 3 and 10.
	MonthEndFactor float64
	MonthEndMin    int

	// CopyPasteMin is how many one-time clients (seen in one record only)
	// of one manager must share exactly the same free text (enterprise
	// name, service place, settlement name) and be chained by act numbers
	// with the same text at most CopyPasteActGap apart (1 = consecutive) or
	// by acts signed in the same minute. Defaults 5 and 2: five strangers
	// with one enterprise name, closed one after another, look like one row
	// copied with new names.
	CopyPasteMin    int
	CopyPasteActGap int
}

// DefaultOptions returns the default thresholds, the ones a zero Options
// field stands for.
func DefaultOptions() Options {
	return Options{
		SameMinuteClients:    3,
		OverlapMax:           25,
		MobilePlaces:         2,
		MobilePerPlace:       2,
		NonWorkingDayMin:     5,
		WeekendRoutine:       0.5,
		SharedContactClients: 3,
		MonthEndFactor:       3,
		MonthEndMin:          10,
		CopyPasteMin:         5,
		CopyPasteActGap:      2,
	}
}

// withDefaults fills the zero fields of o from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	o.SameMinuteClients = cmp.Or(o.SameMinuteClients, d.SameMinuteClients)
	o.OverlapMax = cmp.Or(o.OverlapMax, d.OverlapMax)
	o.MobilePlaces = cmp.Or(o.MobilePlaces, d.MobilePlaces)
	o.MobilePerPlace = cmp.Or(o.MobilePerPlace, d.MobilePerPlace)
	o.NonWorkingDayMin = cmp.Or(o.NonWorkingDayMin, d.NonWorkingDayMin)
	o.WeekendRoutine = cmp.Or(o.WeekendRoutine, d.WeekendRoutine)
	o.SharedContactClients = cmp.Or(o.SharedContactClients, d.SharedContactClients)
	o.MonthEndFactor = cmp.Or(o.MonthEndFactor, d.MonthEndFactor)
	o.MonthEndMin = cmp.Or(o.MonthEndMin, d.MonthEndMin)
	o.CopyPasteMin = cmp.Or(o.CopyPasteMin, d.CopyPasteMin)
	o.CopyPasteActGap = cmp.Or(o.CopyPasteActGap, d.CopyPasteActGap)
	return o
}

// detector finds the signals of one code in prepared data.
type detector struct {
	code string
	run  func(d *data, o Options) []Signal
}

var detectors = []detector{
	{NotConfirmed, detectNotConfirmed},
	{SameMinute, detectSameMinute},
	{Overlap, detectOverlap},
	{MobileTwoPlaces, detectMobileTwoPlaces},
	{NonWorkingDay, detectNonWorkingDay},
	{SharedContact, detectSharedContact},
	{MonthEndSpike, detectMonthEndSpike},
	{IINMismatch, detectIINMismatch},
	{CopyPaste, detectCopyPaste},
}

// Codes lists every signal code, in the order the detectors run.
func Codes() []string {
	out := make([]string, len(detectors))
	for i, d := range detectors {
		out[i] = d.code
	}
	return out
}

// Detect runs every detector over records and returns the signals, sorted
// by score (strongest first), then code, then record ids, so the same
// records in any order give the same list. cal is the working-day calendar;
// nil means kz.DefaultCalendar(). Records with unreadable dates or times are
// skipped by the detectors that need them (validation reports them). Each
// detector groups by sorting, so the whole run is O(n log n); the detectors
// run side by side. Detect does not modify records.
func Detect(records []register.Record, cal *kz.Calendar, opts Options) []Signal {
	if cal == nil {
		cal = kz.DefaultCalendar()
	}
	opts = opts.withDefaults()
	d := prepare(records, cal)
	found := make([][]Signal, len(detectors))
	var wg sync.WaitGroup
	for i, det := range detectors {
		wg.Go(func() { found[i] = det.run(d, opts) })
	}
	wg.Wait()
	var out []Signal
	for _, f := range found {
		for _, s := range f {
			out = append(out, tidy(s))
		}
	}
	slices.SortFunc(out, compareSignals)
	return out
}

// tidy sorts and de-duplicates the record ids and rounds the score, so that
// neither depends on the order of the input.
func tidy(s Signal) Signal {
	slices.Sort(s.Records)
	s.Records = slices.Compact(s.Records)
	s.Score = math.Round(s.Score*1000) / 1000
	return s
}

func compareSignals(a, b Signal) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Code, b.Code); c != 0 {
		return c
	}
	if c := slices.Compare(a.Records, b.Records); c != 0 {
		return c
	}
	return cmp.Compare(paramString(a.Params), paramString(b.Params))
}

func paramString(p map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(p)) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(p[k])
		b.WriteByte(0)
	}
	return b.String()
}

// RiskyRecords returns, for every record in some signal, the highest score
// of its signals: the weights with which to oversample the telephone survey.
func RiskyRecords(signals []Signal) map[string]float64 {
	out := make(map[string]float64)
	for _, s := range signals {
		for _, id := range s.Records {
			if s.Score > out[id] {
				out[id] = s.Score
			}
		}
	}
	return out
}

// Weight returns the highest score a signal of code can have, or 0 for an
// unknown code.
func Weight(code string) float64 { return weights[code] }

// TitleKey returns the i18n key of a code's title.
func TitleKey(code string) string { return "signal." + code + ".title" }

// ExplainKey returns the i18n key of a code's explanation.
func ExplainKey(code string) string { return "signal." + code + ".explain" }

// Explain returns the signal's title and explanation in lang, with its
// parameters filled in. Parameters whose names end in "_gender" hold a
// register gender code (M, F) and are shown as the word for it.
func Explain(s Signal, lang i18n.Lang) (title, text string) {
	params := make([]any, 0, 2*len(s.Params))
	for _, k := range slices.Sorted(maps.Keys(s.Params)) {
		v := s.Params[k]
		if strings.HasSuffix(k, "_gender") && i18n.Has(lang, "gender."+v) {
			v = i18n.T(lang, "gender."+v)
		}
		params = append(params, k, v)
	}
	return i18n.T(lang, TitleKey(s.Code)), i18n.T(lang, ExplainKey(s.Code), params...)
}

// strength says how far a measure x is past its threshold t (x ≥ t > 0):
// one half at the threshold, three quarters at twice it, approaching one.
func strength(x, t float64) float64 {
	if t <= 0 || x <= t {
		return 0.5
	}
	return 1 - t/(2*x)
}

// score is the weight of code times a strength.
func score(code string, s float64) float64 { return weights[code] * s }
